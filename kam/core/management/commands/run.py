"""``kam run``: the main job on one machine — web + worker (+ collector) as child processes.

Each child runs in a session of its own, so a Ctrl-C in the terminal reaches only this supervisor, which
then stops the children in order with the signal each one expects (granian's main process: SIGTERM; huey:
SIGINT, i.e. finish the running task) and, after ``--stop-timeout`` seconds, kills what is left of each child's process
group (granian's worker processes included). If the supervisor itself dies, the children get SIGTERM from
the kernel (Linux ``PR_SET_PDEATHSIG``). If a child exits on its own, the others are stopped and ``kam run``
exits with that child's status.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

# Processes of the main job, in start order. An app that adds a process (the collector) registers it here:
# ``PROCESSES["collector"] = ["collector"]`` (a ``kam`` command line), and optionally its stop signal.
PROCESSES: dict[str, list[str]] = {
    "web": ["web"],
    "worker": ["run_huey"],
}
STOP_SIGNALS: dict[str, int] = {
    "worker": signal.SIGINT,  # huey: graceful, lets the running task finish
}


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking the kernel to send SIGTERM to the child when this process dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)

    return preexec


class Stop(Exception):
    """Raised in the supervisor loop when a stop signal arrives."""


class Command(BaseCommand):
    help = "Start the main job: web + worker (+ collector) as child processes; Ctrl-C stops them all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("KAM_HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("KAM_PORT", "8000"))
        parser.add_argument("--only", nargs="*", choices=sorted(PROCESSES), help="Start only these.")
        parser.add_argument("--stop-timeout", type=float, default=10.0, help="Seconds to wait before killing.")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["only"] or list(PROCESSES)
        children: dict[str, subprocess.Popen[bytes]] = {}
        stopping = False

        def on_signal(signum: int, frame: Any) -> None:
            if not stopping:
                raise Stop(signal.Signals(signum).name)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, on_signal)

        status = 0
        try:
            for name in names:
                argv = [sys.executable, "-m", "kam.cli", *PROCESSES[name]]
                if name == "web":
                    argv += ["--host", options["host"], "--port", str(options["port"])]
                children[name] = subprocess.Popen(argv, start_new_session=True, preexec_fn=_die_with_parent())
            self.stdout.write(f"KAM is running: http://{options['host']}:{options['port']}/  (Ctrl-C stops)")
            self.stdout.flush()
            while True:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with {child.returncode}; stopping the others.")
                        status = child.returncode or 1
                        raise Stop(name)
                time.sleep(0.5)
        except Stop as reason:
            self.stdout.write(f"Stopping ({reason}) …")
        finally:
            stopping = True
            self._stop(children, options["stop_timeout"])
        if status:
            sys.exit(status)
        self.stdout.write("Stopped.")

    def _stop(self, children: dict[str, subprocess.Popen[bytes]], timeout: float) -> None:
        # Stop in reverse start order: the web process stops taking work before the worker. Only the child
        # itself is signalled: granian's main process stops its workers (a worker signalled directly hangs).
        for name, child in reversed(children.items()):
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(STOP_SIGNALS.get(name, signal.SIGTERM))
        deadline = time.monotonic() + timeout
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop within {timeout:g} s; killing it.")
                child.kill()
                child.wait()
            # whatever the child left behind in its process group (granian's workers)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGKILL)
