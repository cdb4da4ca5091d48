"""CSV/XLSX import and export of customers and sites (``kam import customers file.xlsx``, the upload page,
``POST /api/v1/customers/import``).

Imports are all-or-nothing: every row goes through the same services as the UI inside one transaction;
each failure becomes a :class:`RowError` (row numbers as in the file: the header is row 1); if any row
failed, everything is rolled back and :class:`ImportFailed` carries the whole report. Duplicates inside
the file are caught because earlier rows already exist when later ones are checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.core.errors import DomainError
from kam.core.permissions import EXPORT
from kam.core.tables import Exchange, ImportFailed, RowError, import_upload, register_exchange
from kam.customers import services
from kam.customers.models import Customer, Site
from kam.customers.schemas import COMMERCIAL_FIELDS, INTERNAL_FIELDS

CUSTOMER_HEADERS = (
    "id",
    "name",
    "short_name",
    "uscc",
    "uscc_override",
    "customer_type",
    "value_grade",
    "service_level",
    "industry",
    "industry_line",
    "region",
    "address",
    "lifecycle",
    "credit_status",
    "payment_terms",
    "parent",
    "org_unit",
)
SITE_HEADERS = (
    "id",
    "customer",
    "customer_name",
    "name",
    "kind",
    "address",
    "region",
    "phone",
    "latitude",
    "longitude",
)

# header → service field; "parent" and "org_unit" are resolved here
_CUSTOMER_MAP = {
    "name": "name",
    "short_name": "short_name",
    "uscc": "uscc",
    "uscc_override": "uscc_override",
    "customer_type": "customer_type",
    "value_grade": "value_grade",
    "service_level": "service_level",
    "industry": "industry",
    "industry_line": "industry_line",
    "region": "region",
    "address": "address",
    "lifecycle": "lifecycle",
    "credit_status": "credit_status",
    "payment_terms": "payment_terms",
}


def _system_actor(actor: Any) -> Any:
    if actor is not None:
        return actor
    from kam.identity.models import User

    return User(username="import", is_superuser=True, is_active=True, role="admin")


def _errors_of(row_no: int, exc: DomainError) -> list[RowError]:
    if exc.fields:
        return [RowError(row_no, field, msg) for field, msgs in exc.fields.items() for msg in msgs]
    return [RowError(row_no, "", exc.message)]


def _find_customer(ref: str, actor: Any) -> Customer | None:
    """A customer the actor may see, by id, USCC or exact name."""
    qs = Customer.objects.visible_to(actor)
    ref = ref.strip()
    if ref.isdigit():
        found = qs.filter(pk=int(ref)).first()
        if found:
            return found
    from kam.customers.uscc import normalise

    code = normalise(ref)
    if len(code) == 18:
        found = qs.filter(uscc=code).first()
        if found:
            return found
    return qs.filter(name=ref).order_by("pk").first()


def import_customers(rows: list[dict[str, str]], actor: Any) -> int:
    from kam.identity.models import OrgUnit

    actor = _system_actor(actor)
    errors: list[RowError] = []
    count = 0
    if rows and "name" not in rows[0]:
        raise ImportFailed([RowError(1, "name", _("The header has no name column."))])
    with transaction.atomic():
        for index, row in enumerate(rows, start=2):
            data: dict[str, Any] = {}
            for header, field in _CUSTOMER_MAP.items():
                value = (row.get(header) or "").strip()
                if value:
                    data[field] = value
            if "name" not in data:
                errors.append(RowError(index, "name", _("This field is required.")))
                continue
            if "region" not in data:
                errors.append(RowError(index, "region", _("This field is required.")))
                continue
            parent_ref = (row.get("parent") or "").strip()
            if parent_ref:
                parent = _find_customer(parent_ref, actor)
                if parent is None:
                    errors.append(
                        RowError(index, "parent", _("Unknown parent customer %(ref)s.") % {"ref": parent_ref})
                    )
                    continue
                data["parent"] = parent
            unit_ref = (row.get("org_unit") or "").strip()
            if unit_ref:
                unit = OrgUnit.objects.filter(code=unit_ref).first()
                if unit is None:
                    errors.append(RowError(index, "org_unit", _("Unknown org unit %(ref)s.") % {"ref": unit_ref}))
                    continue
                data["org_unit"] = unit
            try:
                services.create_customer(actor=actor, data=data)
                count += 1
            except DomainError as exc:
                errors.extend(_errors_of(index, exc))
        if errors:
            raise ImportFailed(errors)
    return count


def export_customers(actor: Any) -> Iterable[Sequence[Any]]:
    qs = Customer.objects.restrict(actor, EXPORT).select_related("parent", "org_unit").order_by("path")
    hidden = set()
    if not getattr(actor, "sees_commercial", False):
        hidden |= set(COMMERCIAL_FIELDS)
    if getattr(actor, "role", None) == "customer":
        hidden |= set(INTERNAL_FIELDS) | {"org_unit"}
    for c in qs.iterator(chunk_size=2000):
        values = {
            "id": c.pk,
            "name": c.name,
            "short_name": c.short_name,
            "uscc": c.uscc,
            "uscc_override": c.uscc_override,
            "customer_type": c.customer_type,
            "value_grade": c.value_grade,
            "service_level": c.service_level,
            "industry": c.industry_id or "",
            "industry_line": c.industry_line_id or "",
            "region": c.region_id,
            "address": c.address,
            "lifecycle": c.lifecycle,
            "credit_status": c.credit_status,
            "payment_terms": c.payment_terms,
            "parent": (c.parent.uscc or c.parent_id) if c.parent_id and c.parent else "",
            "org_unit": c.org_unit.code if c.org_unit_id and c.org_unit else "",
        }
        yield ["" if h in hidden else values[h] for h in CUSTOMER_HEADERS]


def import_sites(rows: list[dict[str, str]], actor: Any) -> int:
    actor = _system_actor(actor)
    errors: list[RowError] = []
    count = 0
    with transaction.atomic():
        for index, row in enumerate(rows, start=2):
            ref = (row.get("customer") or "").strip()
            customer = _find_customer(ref, actor) if ref else None
            if customer is None:
                errors.append(RowError(index, "customer", _("Unknown customer %(ref)s.") % {"ref": ref}))
                continue
            data: dict[str, Any] = {}
            for header in ("name", "kind", "address", "phone", "latitude", "longitude"):
                value = (row.get(header) or "").strip()
                if value:
                    data[header] = value
            data["region_id"] = (row.get("region") or "").strip()
            try:
                services.save_site(site=None, customer=customer, actor=actor, data=data)
                count += 1
            except DomainError as exc:
                errors.extend(_errors_of(index, exc))
        if errors:
            raise ImportFailed(errors)
    return count


def export_sites(actor: Any) -> Iterable[Sequence[Any]]:
    qs = Site.objects.restrict(actor, EXPORT).select_related("customer").order_by("customer_id", "name")
    for s in qs.iterator(chunk_size=2000):
        yield [
            s.pk,
            s.customer.uscc or s.customer_id,
            s.customer.name,
            s.name,
            s.kind,
            s.address,
            s.region_id,
            s.phone,
            "" if s.latitude is None else s.latitude,
            "" if s.longitude is None else s.longitude,
        ]


IMPORTERS = {"customers": import_customers, "sites": import_sites}


def import_file(*, kind: str, data: bytes, filename: str, actor: Any) -> int:
    """Import an uploaded file of one of this app's kinds (``kam.core.tables.import_upload``)."""
    return import_upload(kind=kind, data=data, filename=filename, actor=actor, kinds=tuple(IMPORTERS))


def register() -> None:
    register_exchange(
        Exchange(
            kind="customers",
            label=gettext_lazy("Customers"),
            headers=CUSTOMER_HEADERS,
            import_rows=import_customers,
            export_rows=export_customers,
            required=("name", "region"),
        )
    )
    register_exchange(
        Exchange(
            kind="sites",
            label=gettext_lazy("Sites"),
            headers=SITE_HEADERS,
            import_rows=import_sites,
            export_rows=export_sites,
            required=("customer", "name", "address", "region"),
        )
    )
