"""The limit of ``api_detail``: a bare WSGI app that reads the same customer row with ``sqlite3`` and returns
the same JSON as ``GET /api/v1/customers/{id}``, served by granian with the settings of ``kam web``.

It does what the endpoint cannot avoid (route the path, read one row, serialise it) and nothing of what a
framework adds (middleware, sessions, token lookup, permission scoping, schema validation). The columns and
their formats come from the spec file the benchmark writes (``KAM_BENCH_SPEC``).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

PREFIX = "/api/v1/customers/"
_local = threading.local()
_spec: dict[str, Any] | None = None


def spec() -> dict[str, Any]:
    global _spec
    if _spec is None:
        _spec = json.loads(Path(os.environ["KAM_BENCH_SPEC"]).read_text())
    return _spec


def _connection() -> sqlite3.Connection:
    conn: sqlite3.Connection | None = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(spec()["database"], check_same_thread=False)
        conn.execute("PRAGMA cache_size=-65536")
        conn.execute("PRAGMA mmap_size=268435456")
        _local.conn = conn
    return conn


def _datetime(value: str) -> str:
    """SQLite's ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (UTC) as Django's JSON encoder writes it."""
    text = value.replace(" ", "T", 1)
    if "." in text:
        text = text[:23]
    return text + "Z"


def _convert(kind: str, value: Any, places: int | None) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return _datetime(value)
    if kind == "decimal":
        return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-(places or 0))))
    if kind == "bool":
        return bool(value)
    return value


def _query() -> tuple[str, list[tuple[str, str, int | None, int]], dict[str, Any]]:
    cached = getattr(_local, "query", None)
    if cached is None:
        fields = spec()["fields"]  # [{"key", "column", "kind", "places"}] in the response's key order
        columns = [f["column"] for f in fields if f["column"]]
        sql = f"SELECT {', '.join(columns)} FROM {spec()['table']} WHERE id = ?"
        plan = []
        index = 0
        for f in fields:
            if f["column"]:
                plan.append((f["key"], f["kind"], f.get("places"), index))
                index += 1
            else:
                plan.append((f["key"], "constant", None, -1))
        cached = (sql, plan, spec().get("constants", {}))
        _local.query = cached
    return cached  # type: ignore[no-any-return]


def _respond(
    start_response: Callable[..., Any], status: str, payload: dict[str, Any]
) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path: str = environ.get("PATH_INFO", "")
    if not path.startswith(PREFIX) or not path[len(PREFIX):].isdigit():
        return _respond(start_response, "404 Not Found", {"code": "not_found", "message": "Not found.", "fields": {}})
    if not environ.get("HTTP_AUTHORIZATION", "").startswith("Bearer "):
        return _respond(
            start_response, "401 Unauthorized", {"code": "unauthenticated", "message": "", "fields": {}}
        )
    sql, plan, constants = _query()
    row = _connection().execute(sql, (int(path[len(PREFIX):]),)).fetchone()
    if row is None:
        return _respond(start_response, "404 Not Found", {"code": "not_found", "message": "Not found.", "fields": {}})
    data = {
        key: constants.get(key) if index < 0 else _convert(kind, row[index], places)
        for key, kind, places, index in plan
    }
    return _respond(start_response, "200 OK", data)


def main() -> None:
    """Serve ``app`` with granian exactly as ``kam web`` serves Django (WSGI, same workers and threads)."""
    from granian.constants import Interfaces
    from granian.server import Server

    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("KAM_WEB_WORKERS", "1")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("KAM_WEB_THREADS", "4")))
    args = parser.parse_args()
    Server(
        "bench.raw_app:app",
        address=args.host,
        port=args.port,
        interface=Interfaces.WSGI,
        workers=args.workers,
        blocking_threads=args.threads,
    ).serve()


if __name__ == "__main__":
    main()
