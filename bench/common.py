"""What every benchmark shares: the result line, wrk runs, server processes, the scratch environment."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
WRK = shutil.which("wrk") or "/usr/bin/wrk"


@dataclass
class Result:
    """One benchmark's outcome: the measured value, the limit measured in the same run, their ratio."""

    name: str
    unit: str
    value: float
    limit: float
    target: float  # the ratio value / limit must reach this
    details: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.value / self.limit if self.limit else 0.0

    @property
    def passed(self) -> bool:
        return not self.errors and self.ratio >= self.target

    def line(self) -> str:
        extra = self.details.get("summary", "")
        verdict = "PASS" if self.passed else "FAIL"
        text = (
            f"{self.name:<14} {self.value:>10.1f} {self.unit}  limit {self.limit:>10.1f} {self.unit}  "
            f"ratio {self.ratio:.3f}  target >= {self.target:g}  {verdict}"
        )
        if extra:
            text += f"  ({extra})"
        if self.errors:
            text += "  errors: " + "; ".join(self.errors)
        return text

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(ratio=self.ratio, passed=self.passed)
        return data


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {"cpus": os.cpu_count(), "loadavg": [round(x, 2) for x in load], "python": sys.version.split()[0]}


def write_result(result: Result, quick: bool) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{result.name}-{stamp}.json"
    payload = {"at": stamp, "quick": quick, "machine": machine(), **result.as_dict()}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return path


# --- wrk ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkRun:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int
    output: str


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkRun:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    if not (rps and p50 and p99 and total):
        raise ValueError(f"unexpected wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkRun(
        requests_per_second=float(rps.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(x) for x in sock.groups()) if sock else 0,
        output=output,
    )


def wrk(
    url: str, *, seconds: int, threads: int = 2, connections: int = 16, headers: Sequence[str] = ()
) -> WrkRun:
    """One bounded wrk run (it stops by itself after ``seconds``)."""
    argv = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for header in headers:
        argv += ["-H", header]
    argv.append(url)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, check=True)
    return parse_wrk(done.stdout)


# --- processes ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, headers: dict[str, str], timeout: float = 90.0, process: Any = None) -> bytes:
    """Poll ``url`` until it answers 200; returns the body."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=5) as response:
                body: bytes = response.read()
                return body
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = exc
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:g} s: {last}")


@contextlib.contextmanager
def server(argv: Sequence[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process for the duration of the block; SIGTERM (then SIGKILL) its process group after."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(argv), env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # granian's main process stops its workers
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # anything left in the group


def bench_env(workdir: Path) -> dict[str, str]:
    """The environment of every process of a benchmark: its own var dir and SQLite database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "KAM_DEBUG")}
    env.update(
        DJANGO_SETTINGS_MODULE="kam.config.settings",
        KAM_VAR_DIR=str(workdir),
        KAM_LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env
