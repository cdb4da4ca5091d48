"""``kam run`` starts web + worker and stops all of them on SIGTERM / Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> set[int]:
    """Every descendant of ``pid`` (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_kam_run_serves_and_stops_everything(tmp_path: Path, stop_signal: int) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="kam.config.settings", KAM_VAR_DIR=str(tmp_path), KAM_PORT=str(port))
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "kam.cli", "run"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )
    try:
        status = None
        last: object = None
        deadline = time.monotonic() + 240  # generous: a busy CI machine starts slowly
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5) as response:
                    status = response.status
            except OSError as exc:
                last = exc
                if supervisor.poll() is not None:
                    break
                time.sleep(0.5)
        if status != 200:
            supervisor.kill()
            pytest.fail(f"kam run did not serve ({last!r}): {supervisor.communicate()[0][-3000:]}")
        descendants = _children(supervisor.pid)
        assert len(descendants) >= 3  # granian main + its worker, huey consumer
        supervisor.send_signal(stop_signal)
        assert supervisor.wait(timeout=30) == 0
        output = supervisor.stdout.read() if supervisor.stdout else ""
        assert "Stopped." in output
        assert [pid for pid in descendants if _alive(pid)] == []
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
