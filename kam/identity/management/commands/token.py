from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kam.core.audit import audit_context
from kam.core.models.audit import AuditSource
from kam.identity.models import ApiToken, User


class Command(BaseCommand):
    help = "API tokens: kam token issue NAME [--label L] prints a new token; kam token revoke PREFIX."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Issue a token for user NAME and print it (shown once).")
        issue.add_argument("name", help="Username.")
        issue.add_argument("--label", default="cli", help="What the token is for.")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        from kam.identity.services import issue_token, revoke_token

        with audit_context(source=AuditSource.COMMAND):
            if options["action"] == "issue":
                user = User.objects.filter(username=options["name"]).first()
                if user is None or not user.is_active:
                    raise CommandError(_("No active user named %(name)s.") % {"name": options["name"]})
                _token, raw = issue_token(user=user, name=options["label"])
                self.stdout.write(raw)
            else:
                token = ApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True).first()
                if token is None:
                    raise CommandError(_("No active token with prefix %(p)s.") % {"p": options["prefix"]})
                revoke_token(token=token)
                self.stdout.write(_("Revoked %(token)s.") % {"token": token})
