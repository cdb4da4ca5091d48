from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kam.core.tables import exchanges, write_table


class Command(BaseCommand):
    help = "Export to a CSV or XLSX file (by extension): kam export KIND FILE [--as USER]."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind")
        parser.add_argument("file")
        parser.add_argument("--as", dest="as_user", help="Export only what this user may see.")

    def handle(self, *args: Any, **options: Any) -> None:
        from kam.identity.models import User

        exchange = exchanges.get(options["kind"])
        if exchange is None or exchange.export_rows is None:
            kinds = ", ".join(sorted(k for k, e in exchanges.items() if e.export_rows))
            raise CommandError(_("Unknown export kind %(kind)s; known: %(kinds)s.") % {
                "kind": options["kind"], "kinds": kinds})
        actor = None
        if options.get("as_user"):
            actor = User.objects.filter(username=options["as_user"]).first()
            if actor is None:
                raise CommandError(_("No user named %(name)s.") % {"name": options["as_user"]})
        else:
            actor = User(username="cli", is_superuser=True, is_active=True, role="admin")
        rows = list(exchange.export_rows(actor))
        write_table(options["file"], exchange.headers, rows)
        self.stdout.write(_("Exported %(count)s rows.") % {"count": len(rows)})
