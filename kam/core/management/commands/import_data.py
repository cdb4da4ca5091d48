from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kam.core.audit import audit_context
from kam.core.models.audit import AuditSource
from kam.core.tables import ImportFailed, exchanges, read_table


class Command(BaseCommand):
    help = "Import a CSV or XLSX file: kam import KIND FILE [--as USER]. All rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind")
        parser.add_argument("file")
        parser.add_argument("--as", dest="as_user", help="Username recorded as the actor (default: none).")

    def handle(self, *args: Any, **options: Any) -> None:
        from kam.identity.models import User

        exchange = exchanges.get(options["kind"])
        if exchange is None or exchange.import_rows is None:
            kinds = ", ".join(sorted(k for k, e in exchanges.items() if e.import_rows))
            raise CommandError(_("Unknown import kind %(kind)s; known: %(kinds)s.") % {
                "kind": options["kind"], "kinds": kinds})
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        actor = None
        if options.get("as_user"):
            actor = User.objects.filter(username=options["as_user"]).first()
            if actor is None:
                raise CommandError(_("No user named %(name)s.") % {"name": options["as_user"]})
        rows = read_table(path)
        try:
            with audit_context(actor=actor, source=AuditSource.IMPORT):
                count = exchange.import_rows(rows, actor)
        except ImportFailed as exc:
            for err in exc.errors:
                self.stderr.write(str(err))
            raise CommandError(exc.message) from exc
        self.stdout.write(_("Imported %(count)s rows.") % {"count": count})
