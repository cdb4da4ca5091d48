"""CSV/XLSX import and export of PoPs, devices, interfaces and lines (``kam import lines file.xlsx``, the
upload page, ``POST /api/v1/lines/import?kind=…``).

All-or-nothing: every row goes through the services inside one transaction; each failure becomes a
:class:`RowError` (the header is row 1); if any row failed everything is rolled back and
:class:`ImportFailed` carries the whole report. Rows are upserts: PoPs by code, devices by management
address, interfaces by device and ifIndex, lines by circuit id. SNMP secrets are imported (a
``snmp_community`` column) but never exported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.core.errors import DomainError
from kam.core.models import Region
from kam.core.permissions import EXPORT
from kam.core.tables import Exchange, ImportFailed, RowError, import_upload, register_exchange
from kam.lines import services
from kam.lines.models import Device, Interface, Line, LineEndpoint, PointOfPresence

POP_HEADERS = ("code", "name", "kind", "region", "address")
DEVICE_HEADERS = (
    "name",
    "role",
    "vendor",
    "model",
    "mgmt_address",
    "sys_name",
    "pop",
    "customer",
    "site",
    "parent",
    "region",
    "status",
    "snmp_version",
    "snmp_port",
    "snmp_community",
)
INTERFACE_HEADERS = ("device", "if_index", "if_name", "if_alias", "speed_kbps", "admin_status", "oper_status")
LINE_HEADERS = (
    "circuit_id",
    "customer",
    "product",
    "line_type",
    "bandwidth_kbps",
    "protection_level",
    "status",
    "monthly_fee",
    "contract_ref",
    "activated_at",
    "test_address",
    "a_site",
    "z_site",
    "region",
    "a_device",
    "a_if_name",
    "z_device",
    "z_if_name",
    "vlan",
)


def _system_actor(actor: Any) -> Any:
    if actor is not None:
        return actor
    from kam.identity.models import User

    return User(username="import", is_superuser=True, is_active=True, role="admin")


def _errors_of(row_no: int, exc: DomainError) -> list[RowError]:
    if exc.fields:
        return [RowError(row_no, field, msg) for field, msgs in exc.fields.items() for msg in msgs]
    return [RowError(row_no, "", exc.message)]


def _cell(row: dict[str, str], name: str) -> str:
    return (row.get(name) or "").strip()


class _RowProblem(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise _RowProblem("region", _("Unknown region code %(code)s.") % {"code": code})
    return region


def _int(row: dict[str, str], name: str, required: bool = False) -> int | None:
    raw = _cell(row, name)
    if not raw:
        if required:
            raise _RowProblem(name, _("This field is required."))
        return None
    try:
        value = int(Decimal(raw))
    except (InvalidOperation, ValueError):
        raise _RowProblem(name, _("Not a whole number.")) from None
    if value < 0:
        raise _RowProblem(name, _("Must not be negative."))
    return value


def _find_customer(ref: str, actor: Any) -> Any:
    from kam.customers.models import Customer

    qs = Customer.objects.visible_to(actor)
    if ref.isdigit():
        found = qs.filter(pk=int(ref)).first()
        if found:
            return found
    found = qs.filter(uscc=ref.upper()).first() if len(ref) == 18 else None
    return found or qs.filter(name=ref).order_by("pk").first()


def _find_device(ref: str, actor: Any, field: str) -> Device:
    qs = Device.objects.visible_to(actor)
    matches = list(qs.filter(mgmt_address=ref)[:1]) if _looks_like_ip(ref) else []
    if not matches:
        matches = list(qs.filter(Q(name=ref) | Q(sys_name=ref))[:2])
    if not matches:
        raise _RowProblem(field, _("Unknown device %(ref)s.") % {"ref": ref})
    if len(matches) > 1:
        raise _RowProblem(field, _("Several devices are called %(ref)s; use the management address.") % {"ref": ref})
    return matches[0]


def _looks_like_ip(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _run(rows: list[dict[str, str]], actor: Any, handle: Any) -> int:
    errors: list[RowError] = []
    count = 0
    with transaction.atomic():
        for index, row in enumerate(rows, start=2):
            try:
                with transaction.atomic():
                    handle(row, actor)
                count += 1
            except _RowProblem as problem:
                errors.append(RowError(index, problem.field, problem.message))
            except DomainError as exc:
                errors.extend(_errors_of(index, exc))
        if errors:
            raise ImportFailed(errors)
    return count


# --- points of presence -----------------------------------------------------------------------------------


def _pop_row(row: dict[str, str], actor: Any) -> None:
    code = _cell(row, "code")
    if not code:
        raise _RowProblem("code", _("This field is required."))
    data: dict[str, Any] = {"code": code, "name": _cell(row, "name"), "address": _cell(row, "address")}
    if _cell(row, "kind"):
        data["kind"] = _cell(row, "kind")
    data["region"] = _region(_cell(row, "region"))
    existing = PointOfPresence.objects.filter(code=code).first()
    services.save_pop(pop=existing, actor=actor, data=data)


def import_pops(rows: list[dict[str, str]], actor: Any) -> int:
    return _run(rows, _system_actor(actor), _pop_row)


def export_pops(actor: Any) -> Iterable[Sequence[Any]]:
    for p in PointOfPresence.objects.restrict(actor, EXPORT).order_by("code"):
        yield [p.code, p.name, p.kind, p.region_id, p.address]


# --- devices ----------------------------------------------------------------------------------------------


def _device_row(row: dict[str, str], actor: Any) -> None:
    from kam.customers.models import Site

    data: dict[str, Any] = {}
    for name in ("name", "role", "vendor", "model", "sys_name", "status", "snmp_version", "snmp_community"):
        if _cell(row, name):
            data[name] = _cell(row, name)
    address = _cell(row, "mgmt_address")
    data["mgmt_address"] = address or None
    port = _int(row, "snmp_port")
    if port is not None:
        data["snmp_port"] = port
    pop_ref, site_ref, customer_ref = _cell(row, "pop"), _cell(row, "site"), _cell(row, "customer")
    if pop_ref and site_ref:
        raise _RowProblem("site", _("Give either a PoP or a customer site, not both."))
    if pop_ref:
        pop = PointOfPresence.objects.visible_to(actor).filter(Q(code=pop_ref) | Q(name=pop_ref)).first()
        if pop is None:
            raise _RowProblem("pop", _("Unknown point of presence %(ref)s.") % {"ref": pop_ref})
        data["pop"], data["site"] = pop, None
    elif site_ref:
        customer = _find_customer(customer_ref, actor) if customer_ref else None
        if customer is None:
            raise _RowProblem("customer", _("Unknown customer %(ref)s.") % {"ref": customer_ref})
        site = services.sites_for(actor).filter(customer=customer, name=site_ref).first()
        if site is None:
            raise _RowProblem("site", _("Unknown site %(ref)s.") % {"ref": site_ref})
        assert isinstance(site, Site)
        data["site"], data["pop"] = site, None
    else:
        raise _RowProblem("pop", _("Give the PoP or the customer site where the device stands."))
    if _cell(row, "parent"):
        data["parent"] = _find_device(_cell(row, "parent"), actor, "parent")
    if _cell(row, "region"):
        data["region"] = _region(_cell(row, "region"))
    existing = Device.objects.filter(mgmt_address=address).first() if address else None
    if existing is not None:
        services.update_device(device=existing, actor=actor, data=data)
    else:
        if "name" not in data:
            raise _RowProblem("name", _("This field is required."))
        services.create_device(actor=actor, data=data)


def import_devices(rows: list[dict[str, str]], actor: Any) -> int:
    return _run(rows, _system_actor(actor), _device_row)


def export_devices(actor: Any) -> Iterable[Sequence[Any]]:
    qs = Device.objects.restrict(actor, EXPORT).select_related("pop", "site__customer", "parent").order_by("name", "pk")
    for d in qs.iterator(chunk_size=2000):
        customer = d.site.customer if d.site_id else None
        yield [
            d.name,
            d.role,
            d.vendor,
            d.model,
            d.mgmt_address or "",
            d.sys_name,
            d.pop.code if d.pop_id else "",
            (customer.uscc or customer.pk) if customer else "",
            d.site.name if d.site_id else "",
            (d.parent.mgmt_address or d.parent.name) if d.parent_id else "",
            d.region_id,
            d.status,
            d.snmp_version,
            d.snmp_port,
            "",  # secrets are never exported
        ]


# --- interfaces -------------------------------------------------------------------------------------------


def _interface_row(row: dict[str, str], actor: Any) -> None:
    ref = _cell(row, "device")
    if not ref:
        raise _RowProblem("device", _("This field is required."))
    device = _find_device(ref, actor, "device")
    if_index = _int(row, "if_index", required=True) or 0
    data: dict[str, Any] = {"if_index": if_index}
    for name in ("if_name", "if_alias", "admin_status", "oper_status"):
        if _cell(row, name):
            data[name] = _cell(row, name)
    speed = _int(row, "speed_kbps")
    if speed is not None:
        data["speed_kbps"] = speed
    existing = Interface.objects.filter(device=device, if_index=if_index).first()
    services.save_interface(interface=existing, device=device, actor=actor, data=data)


def import_interfaces(rows: list[dict[str, str]], actor: Any) -> int:
    return _run(rows, _system_actor(actor), _interface_row)


def export_interfaces(actor: Any) -> Iterable[Sequence[Any]]:
    qs = Interface.objects.restrict(actor, EXPORT).select_related("device").order_by("device__name", "if_index")
    for i in qs.iterator(chunk_size=2000):
        yield [
            i.device.mgmt_address or i.device.name,
            i.if_index,
            i.if_name,
            i.if_alias,
            "" if i.speed_kbps is None else i.speed_kbps,
            i.admin_status,
            i.oper_status,
        ]


# --- lines ------------------------------------------------------------------------------------------------


def _when(raw: str, field: str) -> datetime:
    value = parse_datetime(raw)
    if value is None:
        day = parse_date(raw)
        if day is None:
            raise _RowProblem(field, _("Not a date or time (YYYY-MM-DD HH:MM)."))
        value = datetime(day.year, day.month, day.day)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _port(row: dict[str, str], actor: Any, end: str) -> Interface | None:
    device_ref, if_name = _cell(row, f"{end}_device"), _cell(row, f"{end}_if_name")
    if not device_ref and not if_name:
        return None
    if not device_ref:
        raise _RowProblem(f"{end}_device", _("Give the device of the port."))
    device = _find_device(device_ref, actor, f"{end}_device")
    if not if_name:
        raise _RowProblem(f"{end}_if_name", _("Give the port name."))
    interface = Interface.objects.filter(device=device, if_name=if_name).first()
    if interface is None:
        raise _RowProblem(
            f"{end}_if_name", _("%(device)s has no port %(port)s.") % {"device": device.name, "port": if_name}
        )
    return interface


def _line_row(row: dict[str, str], actor: Any) -> None:
    circuit = _cell(row, "circuit_id")
    if not circuit:
        raise _RowProblem("circuit_id", _("This field is required."))
    ref = _cell(row, "customer")
    customer = _find_customer(ref, actor) if ref else None
    if customer is None:
        raise _RowProblem("customer", _("Unknown customer %(ref)s.") % {"ref": ref})
    data: dict[str, Any] = {"circuit_id": circuit, "customer": customer}
    for name in ("product", "line_type", "protection_level", "status", "contract_ref", "test_address"):
        if _cell(row, name):
            data[name] = _cell(row, name)
    bandwidth = _int(row, "bandwidth_kbps", required=True)
    data["bandwidth_kbps"] = bandwidth
    if _cell(row, "monthly_fee"):
        try:
            data["monthly_fee"] = Decimal(_cell(row, "monthly_fee")).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise _RowProblem("monthly_fee", _("Not an amount.")) from None
    if _cell(row, "activated_at"):
        data["activated_at"] = _when(_cell(row, "activated_at"), "activated_at")
    for end in ("a_site", "z_site"):
        if _cell(row, end):
            site = customer.sites.filter(name=_cell(row, end)).first()
            if site is None:
                raise _RowProblem(end, _("Unknown site %(ref)s.") % {"ref": _cell(row, end)})
            data[end] = site
    if _cell(row, "region"):
        data["region"] = _region(_cell(row, "region"))
    vlan = _int(row, "vlan")
    ports = {"A": _port(row, actor, "a"), "Z": _port(row, actor, "z")}
    existing = Line.objects.filter(circuit_id=circuit).first()
    if existing is not None:
        line = services.update_line(line=existing, actor=actor, data=data)
    else:
        line = services.create_line(actor=actor, data=data)
    for end, interface in ports.items():
        if interface is not None:
            services.bind_endpoint(line=line, end=end, interface=interface, vlan=vlan, actor=actor)


def import_lines(rows: list[dict[str, str]], actor: Any) -> int:
    return _run(rows, _system_actor(actor), _line_row)


def export_lines(actor: Any) -> Iterable[Sequence[Any]]:
    commercial = bool(getattr(actor, "sees_commercial", False))
    qs = (
        Line.objects.restrict(actor, EXPORT)
        .select_related("customer", "a_site", "z_site")
        .prefetch_related("endpoints__interface__device")
        .order_by("circuit_id")
    )
    for line in qs.iterator(chunk_size=1000):
        ends: dict[str, LineEndpoint] = {e.end: e for e in line.endpoints.all() if e.role == "primary"}

        def port(end: str, ends: dict[str, LineEndpoint] = ends) -> tuple[str, str]:
            e = ends.get(end)
            if e is None or e.interface is None:
                return "", ""
            return e.interface.device.mgmt_address or e.interface.device.name, e.interface.if_name

        a_dev, a_if = port("A")
        z_dev, z_if = port("Z")
        vlan = next((e.vlan for e in ends.values() if e.vlan), "")
        yield [
            line.circuit_id,
            line.customer.uscc or line.customer_id,
            line.product,
            line.line_type,
            line.bandwidth_kbps,
            line.protection_level,
            line.status,
            (line.monthly_fee if line.monthly_fee is not None else "") if commercial else "",
            line.contract_ref if commercial else "",
            timezone.localtime(line.activated_at).strftime("%Y-%m-%d %H:%M") if line.activated_at else "",
            line.test_address or "",
            line.a_site.name if line.a_site_id else "",
            line.z_site.name if line.z_site_id else "",
            line.region_id,
            a_dev,
            a_if,
            z_dev,
            z_if,
            vlan,
        ]


IMPORTERS = {"pops": import_pops, "devices": import_devices, "interfaces": import_interfaces, "lines": import_lines}
HEADERS = {"pops": POP_HEADERS, "devices": DEVICE_HEADERS, "interfaces": INTERFACE_HEADERS, "lines": LINE_HEADERS}


def import_file(*, kind: str, data: bytes, filename: str, actor: Any) -> int:
    """Import an uploaded file of one of this app's kinds (``kam.core.tables.import_upload``)."""
    return import_upload(kind=kind, data=data, filename=filename, actor=actor, kinds=tuple(IMPORTERS))


def register() -> None:
    register_exchange(
        Exchange(
            kind="pops",
            label=gettext_lazy("Points of presence"),
            headers=POP_HEADERS,
            import_rows=import_pops,
            export_rows=export_pops,
            required=("code", "name", "region"),
        )
    )
    register_exchange(
        Exchange(
            kind="devices",
            label=gettext_lazy("Devices"),
            headers=DEVICE_HEADERS,
            import_rows=import_devices,
            export_rows=export_devices,
            required=("name",),
        )
    )
    register_exchange(
        Exchange(
            kind="interfaces",
            label=gettext_lazy("Interfaces"),
            headers=INTERFACE_HEADERS,
            import_rows=import_interfaces,
            export_rows=export_interfaces,
            required=("device", "if_index"),
        )
    )
    register_exchange(
        Exchange(
            kind="lines",
            label=gettext_lazy("Lines"),
            headers=LINE_HEADERS,
            import_rows=import_lines,
            export_rows=export_lines,
            required=("circuit_id", "customer", "bandwidth_kbps"),
        )
    )
