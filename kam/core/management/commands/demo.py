from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kam.core import demo


class Command(BaseCommand):
    help = "Build a realistic, deterministic demo data set: kam demo [--scale small|medium|large] [--seed N]."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=demo.SCALES, default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the database has users.")
        parser.add_argument("--only", nargs="*", help="Run only these steps.")

    def handle(self, *args: Any, **options: Any) -> None:
        from kam.identity.models import User

        if User.objects.exists():
            if options["if_empty"]:
                self.stdout.write(_("The database already has data; demo data not loaded."))
                return
            if not options["only"]:
                raise CommandError(_("The database is not empty. Demo data goes into an empty database."))
        ctx = demo.DemoContext(scale=options["scale"], seed=options["seed"], log=self.stdout.write)
        demo.run_all(ctx, set(options["only"]) if options["only"] else None)
        if ctx.credentials:
            self.stdout.write("")
            self.stdout.write(_("Demo logins (username / password / role):"))
            for username, password, role in ctx.credentials:
                self.stdout.write(f"  {username:<16} {password:<16} {role}")
