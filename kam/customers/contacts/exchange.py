"""``kam import contacts FILE`` / ``kam export contacts FILE``: CSV or XLSX, all rows or none.

A row names its customer by ``customer_id`` or ``customer_uscc``; ``reports_to`` is the name of another
contact of the same customer group (in the file or already stored). A row whose customer already has a
contact of that name updates it; any other row creates one. Private notes are imported and exported only
for commercial roles (and at the command line without ``--as``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.core.errors import DomainError
from kam.core.permissions import CHANGE
from kam.core.tables import Exchange, ImportFailed, RowError, register_exchange
from kam.customers.contacts.choices import BuyingRole
from kam.customers.models.contacts import group_root_id

HEADERS: tuple[str, ...] = (
    "customer_id",
    "customer_uscc",
    "customer_name",
    "name",
    "title",
    "department",
    "phone",
    "mobile",
    "email",
    "reports_to",
    "buying_role",
    "key_person",
    "left_company",
    "left_at",
    "relationship_owner",
    "private_notes",
)
_TRUE = {"1", "true", "yes", "y", "是", "x", "✓"}
_FALSE = {"", "0", "false", "no", "n", "否"}


def _sees_notes(actor: Any) -> bool:
    return actor is None or bool(getattr(actor, "sees_commercial", False))


def _customers(actor: Any) -> Any:
    from kam.customers.models import Customer

    return Customer.objects.all() if actor is None else Customer.objects.restrict(actor, CHANGE)


def _contacts(actor: Any) -> Any:
    from kam.customers.models import Contact

    return Contact.objects.all() if actor is None else Contact.objects.visible_to(actor)


def _bool(raw: str) -> bool | None:
    value = (raw or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def _buying_role(raw: str) -> str | None:
    value = (raw or "").strip()
    if not value:
        return BuyingRole.USER
    for code, label in BuyingRole.choices:
        if value.lower() in (code, str(label).lower()):
            return code
    from django.utils import translation

    for language in ("zh-hans", "en"):
        with translation.override(language):
            for code, label in BuyingRole.choices:
                if value.lower() == str(label).lower():
                    return code
    return None


@dataclass
class _Row:
    number: int
    customer: Any
    name: str
    fields: dict[str, Any]
    manager_name: str
    existing: Any = None
    contact: Any = None
    errors: list[RowError] = field(default_factory=list)


def _parse(rows: list[dict[str, str]], actor: Any) -> tuple[list[_Row], list[RowError]]:
    from kam.customers.models import Contact
    from kam.identity.models import User

    errors: list[RowError] = []
    parsed: list[_Row] = []
    customers = _customers(actor)
    sees_notes = _sees_notes(actor)
    cache: dict[tuple[str, str], Any] = {}
    for index, row in enumerate(rows, start=2):

        def err(name: str, message: str, number: int = index) -> None:
            errors.append(RowError(number, name, message))

        customer_id = (row.get("customer_id") or "").strip()
        uscc = (row.get("customer_uscc") or "").strip().upper()
        customer = None
        if customer_id:
            if not customer_id.isdigit():
                err("customer_id", _("Not a number."))
            else:
                key = ("id", customer_id)
                if key not in cache:
                    cache[key] = customers.filter(pk=int(customer_id)).first()
                customer = cache[key]
                if customer is None:
                    err("customer_id", _("No customer %(value)s that you may change.") % {"value": customer_id})
        elif uscc:
            key = ("uscc", uscc)
            if key not in cache:
                found = list(customers.filter(uscc=uscc)[:2])
                cache[key] = found[0] if len(found) == 1 else (None if not found else "ambiguous")
            customer = cache[key]
            if customer is None:
                err("customer_uscc", _("No customer %(value)s that you may change.") % {"value": uscc})
            elif customer == "ambiguous":
                err("customer_uscc", _("More than one customer has this code; give customer_id."))
                customer = None
        else:
            err("customer_id", _("Give customer_id or customer_uscc."))
        name = (row.get("name") or "").strip()
        if not name:
            err("name", _("Required."))
        buying_role = _buying_role(row.get("buying_role", ""))
        if buying_role is None:
            err("buying_role", _("Unknown buying role %(value)s.") % {"value": row.get("buying_role", "")})
        flags: dict[str, bool] = {}
        for flag in ("key_person", "left_company"):
            value = _bool(row.get(flag, ""))
            if value is None:
                err(flag, _("Use 1 or 0 (yes or no)."))
            flags[flag] = bool(value)
        left_at: date | None = None
        raw_left = (row.get("left_at") or "").strip()[:10]
        if raw_left:
            try:
                left_at = date.fromisoformat(raw_left)
            except ValueError:
                err("left_at", _("Not a date (YYYY-MM-DD)."))
        owner = None
        owner_name = (row.get("relationship_owner") or "").strip()
        if owner_name:
            owner = User.objects.filter(username=owner_name, is_active=True).exclude(role="customer").first()
            if owner is None:
                err("relationship_owner", _("No user named %(value)s.") % {"value": owner_name})
        notes = (row.get("private_notes") or "").strip()
        if notes and not sees_notes:
            err("private_notes", _("Only commercial roles may import private notes."))
        fields: dict[str, Any] = {
            "name": name,
            "title": (row.get("title") or "").strip(),
            "department": (row.get("department") or "").strip(),
            "phone": (row.get("phone") or "").strip(),
            "mobile": (row.get("mobile") or "").strip(),
            "email": (row.get("email") or "").strip(),
            "buying_role": buying_role or BuyingRole.USER,
            "key_person": flags.get("key_person", False),
            "left_company": flags.get("left_company", False),
            "left_at": left_at if flags.get("left_company") else None,
            "relationship_owner": owner,
        }
        if sees_notes and "private_notes" in row:
            fields["private_notes"] = notes
        item = _Row(index, customer, name, fields, (row.get("reports_to") or "").strip())
        if customer is not None and name:
            candidate = Contact(customer=customer, **fields)
            try:
                candidate.full_clean(exclude=["customer", "reports_to", "relationship_owner"])
            except ValidationError as exc:
                for field_name, messages in exc.message_dict.items():
                    for message in messages:
                        err(field_name, message)
            matches = list(_contacts(actor).filter(customer=customer, name=name)[:2])
            if len(matches) > 1:
                err("name", _("The customer has several contacts of this name; edit them one by one."))
            elif matches:
                item.existing = matches[0]
        parsed.append(item)
    seen: dict[tuple[int, str], int] = {}
    for item in parsed:
        if item.customer is None or not item.name:
            continue
        contact_key = (int(item.customer.pk), item.name)
        if contact_key in seen:
            message = _("Same contact as row %(row)s.") % {"row": seen[contact_key]}
            errors.append(RowError(item.number, "name", message))
        else:
            seen[contact_key] = item.number
    return parsed, errors


def _resolve_managers(parsed: list[_Row], actor: Any) -> tuple[dict[int, Any], list[RowError]]:
    """Row number → manager key: ``("row", n)`` for a contact in the file, ``("db", pk)`` for a stored one."""
    errors: list[RowError] = []
    by_group: dict[tuple[int | None, str], list[Any]] = {}
    file_rows: dict[tuple[int | None, str], list[_Row]] = {}
    for item in parsed:
        if item.customer is not None and item.name:
            file_rows.setdefault((group_root_id(item.customer), item.name), []).append(item)
    managers: dict[int, Any] = {}
    for item in parsed:
        if not item.manager_name or item.customer is None:
            continue
        root = group_root_id(item.customer)
        key = (root, item.manager_name)
        in_file = file_rows.get(key, [])
        if len(in_file) == 1:
            if in_file[0] is item:
                errors.append(RowError(item.number, "reports_to", _("A contact cannot report to themselves.")))
                continue
            managers[item.number] = ("row", in_file[0].number)
            continue
        if len(in_file) > 1:
            errors.append(RowError(item.number, "reports_to", _("Several contacts have this name.")))
            continue
        if key not in by_group:
            by_group[key] = list(
                _contacts(actor)
                .filter(customer__path__startswith=f"/{root}/", name=item.manager_name)
                .values_list("pk", flat=True)[:2]
            )
        found = by_group[key]
        if not found:
            errors.append(
                RowError(
                    item.number,
                    "reports_to",
                    _("No contact named %(value)s at this customer group.") % {"value": item.manager_name},
                )
            )
        elif len(found) > 1:
            errors.append(RowError(item.number, "reports_to", _("Several contacts have this name.")))
        else:
            managers[item.number] = ("db", found[0])
    return managers, errors


def _cycle_errors(parsed: list[_Row], managers: dict[int, Any]) -> list[RowError]:
    """Detect cycles in the tree as it would be after the import (file rows plus stored contacts)."""
    from kam.customers.models import Contact

    node_of: dict[int, Any] = {}  # row number → node key
    for item in parsed:
        node_of[item.number] = ("db", item.existing.pk) if item.existing is not None else ("row", item.number)
    parent: dict[Any, Any] = {}
    for item in parsed:
        if item.number in managers:
            target = managers[item.number]
            if target[0] == "row":
                target = node_of[target[1]]
            parent[node_of[item.number]] = target
        elif item.existing is not None and item.existing.reports_to_id:
            parent[node_of[item.number]] = ("db", item.existing.reports_to_id)
    errors = []
    for item in parsed:
        start = node_of[item.number]
        seen = {start}
        node = parent.get(start)
        steps = 0
        while node is not None and steps < 10000:
            steps += 1
            if node == start:
                errors.append(RowError(item.number, "reports_to", _("This would make a reporting cycle.")))
                break
            if node in seen:
                break
            seen.add(node)
            if node in parent:
                node = parent[node]
            elif node[0] == "db":
                manager_id = Contact.objects.filter(pk=node[1]).values_list("reports_to_id", flat=True).first()
                node = ("db", manager_id) if manager_id else None
            else:
                node = None
    return errors


def import_rows(rows: list[dict[str, str]], actor: Any) -> int:
    from kam.customers.contacts import services
    from kam.customers.models import Contact

    if not rows:
        raise ImportFailed([RowError(1, "file", _("The file has no data rows."))])
    missing = [h for h in ("name",) if h not in rows[0]]
    if missing or not ({"customer_id", "customer_uscc"} & set(rows[0])):
        raise ImportFailed([RowError(1, "header", _("Missing columns: name and customer_id or customer_uscc."))])
    parsed, errors = _parse(rows, actor)
    managers, manager_errors = _resolve_managers(parsed, actor)
    errors += manager_errors
    if not errors:
        errors += _cycle_errors(parsed, managers)
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: (e.row, e.field)))
    with transaction.atomic():
        for item in parsed:
            try:
                if item.existing is not None:
                    item.contact = services.update_contact(
                        contact=item.existing, actor=actor or _CommandLine(), **item.fields
                    )
                else:
                    item.contact = services.create_contact(
                        customer=item.customer, actor=actor or _CommandLine(), **item.fields
                    )
            except DomainError as exc:
                fields = exc.fields or {"__all__": [exc.message]}
                raise ImportFailed(
                    [RowError(item.number, name, msg) for name, msgs in fields.items() for msg in msgs]
                ) from exc
        by_number = {item.number: item for item in parsed}
        for item in parsed:
            if item.number not in managers:
                continue
            kind, ref = managers[item.number]
            manager_id = by_number[ref].contact.pk if kind == "row" else ref
            if item.contact.reports_to_id != manager_id:
                item.contact.reports_to_id = manager_id
                item.contact.save(update_fields=["reports_to", "updated_at"])
        # the tree was checked as a whole above; make sure nothing slipped in between
        for item in parsed:
            contact = Contact.objects.get(pk=item.contact.pk)
            if contact.reports_to_id:
                from kam.customers.models.contacts import check_reports_to

                try:
                    check_reports_to(contact, Contact.objects.select_related("customer").get(pk=contact.reports_to_id))
                except ValidationError as exc:
                    raise ImportFailed(
                        [RowError(item.number, "reports_to", m) for m in exc.message_dict.get("reports_to", [])]
                    ) from exc
    return len(parsed)


class _CommandLine:
    """The actor of an import run at the command line without ``--as``: trusted, sees private notes."""

    pk = None
    sees_commercial = True
    is_active = True


def export_rows(actor: Any) -> Iterable[Sequence[Any]]:
    qs = (
        _contacts(actor)
        .select_related("customer", "reports_to", "relationship_owner")
        .order_by("customer_id", "name", "pk")
    )
    notes = _sees_notes(actor)
    for c in qs.iterator(chunk_size=2000):
        yield [
            c.customer_id,
            c.customer.uscc,
            c.customer.name,
            c.name,
            c.title,
            c.department,
            c.phone,
            c.mobile,
            c.email,
            c.reports_to.name if c.reports_to_id and c.reports_to else "",
            c.buying_role,
            1 if c.key_person else 0,
            1 if c.left_company else 0,
            c.left_at.isoformat() if c.left_at else "",
            c.relationship_owner.username if c.relationship_owner_id and c.relationship_owner else "",
            c.private_notes if notes else "",
        ]


def register() -> None:
    register_exchange(
        Exchange(
            kind="contacts",
            label=gettext_lazy("Contacts"),
            headers=HEADERS,
            import_rows=import_rows,
            export_rows=export_rows,
            required=("name",),
        )
    )
