from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kam.core.audit import audit_context
from kam.core.errors import DomainError
from kam.core.models.audit import AuditSource
from kam.identity.choices import Role
from kam.identity.models import OrgUnit


class Command(BaseCommand):
    help = "Manage users: kam user add NAME --role ROLE [--password P] [--org-unit CODE] [--customer ID]"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create a user.")
        add.add_argument("name")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--password", help="Without it the user cannot log in until a password is set.")
        add.add_argument("--org-unit", dest="org_unit", help="Org unit code.")
        add.add_argument("--customer", type=int, help="Customer id, for customer users.")
        add.add_argument("--email", default="")
        add.add_argument("--display-name", dest="display_name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        from kam.customers.models import Customer
        from kam.identity.services import create_user

        org_unit = None
        if options.get("org_unit"):
            org_unit = OrgUnit.objects.filter(code=options["org_unit"]).first()
            if org_unit is None:
                raise CommandError(_("No org unit with code %(code)s.") % {"code": options["org_unit"]})
        customer = None
        if options.get("customer") is not None:
            customer = Customer.objects.filter(pk=options["customer"]).first()
            if customer is None:
                raise CommandError(_("No customer with id %(id)s.") % {"id": options["customer"]})
        try:
            with audit_context(source=AuditSource.COMMAND):
                user = create_user(
                    username=options["name"],
                    role=options["role"],
                    password=options.get("password"),
                    org_unit=org_unit,
                    customer=customer,
                    email=options.get("email", ""),
                    display_name=options.get("display_name", ""),
                )
        except DomainError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stdout.write(_("Created user %(name)s (%(role)s).") % {"name": user.username, "role": user.role})
