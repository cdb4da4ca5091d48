from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

# Processes of the main job, in start order. An app that adds a process (the collector) registers it here.
PROCESSES: dict[str, list[str]] = {
    "web": ["web"],
    "worker": ["run_huey"],
}


class Command(BaseCommand):
    help = "Start the main job: web + worker (+ collector) as child processes; Ctrl-C stops them all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("KAM_HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("KAM_PORT", "8000"))
        parser.add_argument("--only", nargs="*", choices=sorted(PROCESSES), help="Start only these.")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["only"] or list(PROCESSES)
        children: dict[str, subprocess.Popen[bytes]] = {}
        for name in names:
            argv = [sys.executable, "-m", "kam.cli", *PROCESSES[name]]
            if name == "web":
                argv += ["--host", options["host"], "--port", str(options["port"])]
            children[name] = subprocess.Popen(argv)
        self.stdout.write(f"KAM is running: http://{options['host']}:{options['port']}/  (Ctrl-C stops)")

        def stop(*_: Any) -> None:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for child in children.values():
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()

        def on_sigterm(*_: Any) -> None:
            stop()
            sys.exit(0)

        signal.signal(signal.SIGTERM, on_sigterm)
        try:
            while True:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with {child.returncode}; stopping the others.")
                        stop()
                        sys.exit(child.returncode or 1)
                time.sleep(0.5)
        except KeyboardInterrupt:
            stop()
