from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the site and the API with granian (WSGI)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("KAM_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("KAM_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("KAM_WEB_WORKERS", "1")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("KAM_WEB_THREADS", "4")))
        parser.add_argument("--no-static", action="store_true", help="Do not serve /static/ from the process.")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings
        from django.core.management import call_command
        from granian.constants import Interfaces
        from granian.server import Server

        if not options["no_static"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        static = None if options["no_static"] else ("/static", str(settings.STATIC_ROOT))
        self.stdout.write(f"KAM web on http://{options['host']}:{options['port']}/")
        kwargs: dict[str, Any] = {
            "address": options["host"],
            "port": options["port"],
            "interface": Interfaces.WSGI,
            "workers": options["workers"],
            "blocking_threads": options["threads"],
        }
        if static:
            kwargs["static_path_route"] = [static[0]]
            kwargs["static_path_mount"] = [Path(static[1])]
        Server("kam.config.wsgi:application", **kwargs).serve()
