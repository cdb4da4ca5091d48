"""Every change to points of presence, devices, interfaces, lines and endpoints.

Keyword-only, one transaction each, raising domain errors with stable codes. ``actor=None`` means the
system itself (discovery from a trap, an order completion that already checked its caller).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.errors import Conflict, Forbidden, ValidationFailed
from kam.core.models.reference import region_prefix
from kam.core.permissions import CHANGE, DELETE, VIEW, is_admin_user
from kam.lines.choices import (
    PRODUCT_LINE_TYPE,
    DeviceStatus,
    End,
    EndpointRole,
    LineStatus,
    ProposalStatus,
)
from kam.lines.models import (
    Device,
    DiscoveryProposal,
    Interface,
    Line,
    LineEndpoint,
    PointOfPresence,
)

POP_FIELDS = ("code", "name", "kind", "region", "address")
DEVICE_FIELDS = (
    "name",
    "role",
    "vendor",
    "model",
    "mgmt_address",
    "sys_name",
    "site",
    "pop",
    "parent",
    "region",
    "status",
    "snmp_version",
    "snmp_port",
    "snmp_community",
    "snmp_v3_user",
    "snmp_auth_protocol",
    "snmp_auth_key",
    "snmp_priv_protocol",
    "snmp_priv_key",
)
INTERFACE_FIELDS = ("if_index", "if_name", "if_alias", "speed_kbps", "admin_status", "oper_status", "last_change")
LINE_FIELDS = (
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
    "terminated_at",
    "test_address",
    "a_site",
    "z_site",
    "region",
    "notes",
)


# --- helpers ----------------------------------------------------------------------------------------------


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc


def _save(obj: Any) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise Conflict(_("The record could not be saved: %(error)s") % {"error": exc}) from exc


def _can(actor: Any, qs: Any, action: str, obj: Any) -> bool:
    if actor is None:
        return True
    return bool(qs.restrict(actor, action).filter(pk=obj.pk).exists())


def _require(actor: Any, qs: Any, action: str, obj: Any) -> None:
    if not _can(actor, qs, action, obj):
        raise Forbidden(_("You are not allowed to do this."))


def _region_allowed(actor: Any, region: Any) -> bool:
    if actor is None or is_admin_user(actor):
        return True
    unit = getattr(actor, "org_unit", None)
    if unit is None or getattr(actor, "role", None) == "customer":
        return False
    return str(region.code).startswith(region_prefix(unit.region_id))


def _apply(obj: Any, data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        msg = _("Unknown field.")
        raise ValidationFailed(msg, fields={name: [msg] for name in unknown})
    for name, value in data.items():
        if value is None and name in ("model", "sys_name", "address", "contract_ref", "notes", "if_name", "if_alias"):
            value = ""
        setattr(obj, name, value)


# --- points of presence -----------------------------------------------------------------------------------


@transaction.atomic
def save_pop(*, pop: PointOfPresence | None, actor: Any, data: Mapping[str, Any]) -> PointOfPresence:
    if pop is not None:
        _require(actor, PointOfPresence.objects, CHANGE, pop)
    obj = pop or PointOfPresence()
    _apply(obj, data, POP_FIELDS)
    if obj.region_id and getattr(actor, "role", None) not in (None, "admin") and not _can_edit_inventory(actor, obj):
        raise Forbidden(_("You may not keep network inventory in this region."))
    _full_clean(obj)
    _save(obj)
    return obj


def _can_edit_inventory(actor: Any, obj: Any) -> bool:
    if actor is None or is_admin_user(actor):
        return True
    if getattr(actor, "role", None) not in ("noc", "engineer", "director"):
        return False
    return _region_allowed(actor, obj.region)


# --- devices ----------------------------------------------------------------------------------------------


def _check_device(device: Device) -> None:
    place: Any = device.site or device.pop
    if place is not None and not device.region_id:
        device.region_id = place.region_id
    if device.parent_id and device.pk and device.creates_cycle(device.parent_id):
        msg = _("This uplink would make a loop in the topology.")
        raise ValidationFailed(msg, code="topology_cycle", fields={"parent": [msg]})
    _full_clean(device)


@transaction.atomic
def create_device(*, actor: Any, data: Mapping[str, Any]) -> Device:
    device = Device()
    _apply(device, data, DEVICE_FIELDS)
    place: Any = device.site or device.pop
    if not device.region_id and place is not None:
        device.region = place.region
    if device.region_id and not _can_edit_inventory(actor, device):
        raise Forbidden(_("You may not keep network inventory in this region."))
    _check_device(device)
    _save(device)
    return device


@transaction.atomic
def update_device(*, device: Device, actor: Any, data: Mapping[str, Any]) -> Device:
    _require(actor, Device.objects, CHANGE, device)
    device = Device.objects.select_for_update().get(pk=device.pk)
    secret_fields = set(Device.SECRET_FIELDS)
    # an empty secret in an update means "keep the stored one" (secrets are never shown back)
    data = {k: v for k, v in data.items() if not (k in secret_fields and not v)}
    _apply(device, data, DEVICE_FIELDS)
    if not _can_edit_inventory(actor, device):
        raise Forbidden(_("You may not keep network inventory in this region."))
    _check_device(device)
    _save(device)
    return device


@transaction.atomic
def clear_device_secrets(*, device: Device, actor: Any) -> Device:
    _require(actor, Device.objects, CHANGE, device)
    for name in Device.SECRET_FIELDS:
        setattr(device, name, "")
    _save(device)
    return device


@transaction.atomic
def delete_device(*, device: Device, actor: Any) -> None:
    _require(actor, Device.objects, DELETE, device)
    if LineEndpoint.objects.filter(interface__device=device).exists():
        raise Conflict(_("Lines still run over this device; move them first."), code="device_in_use")
    device.delete()


# --- interfaces -------------------------------------------------------------------------------------------


@transaction.atomic
def save_interface(
    *, interface: Interface | None, actor: Any, data: Mapping[str, Any], device: Device | None = None
) -> Interface:
    obj = interface or Interface(device=device)
    _require(actor, Device.objects, CHANGE, obj.device)
    _apply(obj, data, INTERFACE_FIELDS)
    _full_clean(obj)
    _save(obj)
    return obj


# --- lines ------------------------------------------------------------------------------------------------


def _check_line(line: Line) -> None:
    if not line.line_type and line.product:
        line.line_type = PRODUCT_LINE_TYPE.get(line.product, "")
    _full_clean(line)


@transaction.atomic
def create_line(*, actor: Any, data: Mapping[str, Any], endpoints: bool = True) -> Line:
    """Create a line; ``endpoints`` adds an unbound primary endpoint at each end."""
    line = Line()
    _apply(line, data, LINE_FIELDS)
    if "line_type" not in data and line.product:
        line.line_type = PRODUCT_LINE_TYPE.get(line.product, line.line_type)
    if line.customer_id and not line.region_id:
        line.region_id = line.customer.region_id
    if actor is not None and not is_admin_user(actor):
        from kam.customers.models import Customer

        may = Customer.objects.restrict(actor, CHANGE).filter(pk=line.customer_id).exists() or (
            getattr(actor, "role", None) == "engineer" and line.region_id and _region_allowed(actor, line.region)
        )
        if not may:
            raise Forbidden(_("You may not add lines for this customer."))
    _check_line(line)
    _save(line)
    if endpoints:
        LineEndpoint.objects.bulk_create(
            [
                LineEndpoint(line=line, end=End.A, role=EndpointRole.PRIMARY),
                LineEndpoint(line=line, end=End.Z, role=EndpointRole.PRIMARY),
            ]
        )
    return line


@transaction.atomic
def update_line(*, line: Line, actor: Any, data: Mapping[str, Any]) -> Line:
    _require(actor, Line.objects, CHANGE, line)
    line = Line.objects.select_for_update().get(pk=line.pk)
    _apply(line, data, LINE_FIELDS)
    if actor is not None and not getattr(actor, "sees_commercial", True):
        # callers that do not see prices cannot change them either
        stored = Line.objects.values(*Line.COMMERCIAL_FIELDS).get(pk=line.pk)
        for name in Line.COMMERCIAL_FIELDS:
            if name in data and data[name] != stored[name]:
                raise Forbidden(_("You may not change commercial terms."))
    _check_line(line)
    _save(line)
    return line


@transaction.atomic
def delete_line(*, line: Line, actor: Any) -> None:
    _require(actor, Line.objects, DELETE, line)
    if line.status not in (LineStatus.PLANNED, LineStatus.TERMINATED):
        raise Conflict(_("Only planned or terminated lines can be deleted."), code="line_in_service")
    line.delete()


@transaction.atomic
def activate_line(*, line: Line, activated_at: datetime, bandwidth_kbps: int | None = None, actor: Any) -> Line:
    """Put a line into service (from an order completion, in the caller's transaction)."""
    _require(actor, Line.objects, CHANGE, line)
    line = Line.objects.select_for_update().get(pk=line.pk)
    if line.status in (LineStatus.ACTIVE, LineStatus.TERMINATED):
        raise Conflict(
            _("A line that is %(status)s cannot be activated.") % {"status": line.get_status_display()},
            code="line_state",
        )
    line.status = LineStatus.ACTIVE
    line.activated_at = activated_at
    line.terminated_at = None
    if bandwidth_kbps is not None:
        line.bandwidth_kbps = bandwidth_kbps
    _check_line(line)
    _save(line)
    return line


@transaction.atomic
def change_line(*, line: Line, bandwidth_kbps: int, actor: Any) -> Line:
    """Change a line's bandwidth (an upgrade or downgrade order)."""
    _require(actor, Line.objects, CHANGE, line)
    line = Line.objects.select_for_update().get(pk=line.pk)
    if line.status == LineStatus.TERMINATED:
        raise Conflict(_("A terminated line cannot be changed."), code="line_state")
    line.bandwidth_kbps = bandwidth_kbps
    _check_line(line)
    _save(line)
    return line


@transaction.atomic
def terminate_line(*, line: Line, at: datetime, actor: Any) -> Line:
    _require(actor, Line.objects, CHANGE, line)
    line = Line.objects.select_for_update().get(pk=line.pk)
    if line.status == LineStatus.TERMINATED:
        raise Conflict(_("The line is already terminated."), code="line_state")
    line.status = LineStatus.TERMINATED
    line.terminated_at = at
    _check_line(line)
    _save(line)
    return line


@transaction.atomic
def suspend_line(*, line: Line, actor: Any) -> Line:
    _require(actor, Line.objects, CHANGE, line)
    if line.status != LineStatus.ACTIVE:
        raise Conflict(_("Only an active line can be suspended."), code="line_state")
    line.status = LineStatus.SUSPENDED
    _save(line)
    return line


# --- endpoints --------------------------------------------------------------------------------------------


def _may_bind(actor: Any, line: Line, interface: Interface | None) -> bool:
    if actor is None or is_admin_user(actor):
        return True
    if _can(actor, Line.objects, CHANGE, line):
        return True
    if interface is not None and Line.objects.visible_to(actor).filter(pk=line.pk).exists():
        return _can(actor, Device.objects, CHANGE, interface.device)
    return False


@transaction.atomic
def bind_endpoint(
    *,
    line: Line,
    end: str,
    interface: Interface | None,
    actor: Any,
    vlan: int | None = None,
    role: str = EndpointRole.PRIMARY,
) -> LineEndpoint:
    """Put one end of a line on a port (or take it off with ``interface=None``); creates the endpoint."""
    if not _may_bind(actor, line, interface):
        raise Forbidden(_("You are not allowed to do this."))
    if end not in End.values:
        msg = _("Choose A or Z.")
        raise ValidationFailed(msg, fields={"end": [msg]})
    if role not in EndpointRole.values:
        msg = _("Choose primary or backup.")
        raise ValidationFailed(msg, fields={"role": [msg]})
    endpoint = LineEndpoint.objects.filter(line=line, end=end, role=role).first() or LineEndpoint(
        line=line, end=end, role=role
    )
    endpoint.interface = interface
    endpoint.vlan = vlan
    _full_clean(endpoint, exclude=["line"])
    _save(endpoint)
    if interface is not None:
        DiscoveryProposal.objects.filter(interface=interface, status=ProposalStatus.PENDING).update(
            status=ProposalStatus.CONFIRMED, decided_by=actor if actor is not None else None, decided_at=timezone.now()
        )
    return endpoint


@transaction.atomic
def remove_endpoint(*, endpoint: LineEndpoint, actor: Any) -> None:
    if not _may_bind(actor, endpoint.line, endpoint.interface):
        raise Forbidden(_("You are not allowed to do this."))
    endpoint.delete()


# --- proposals --------------------------------------------------------------------------------------------


@transaction.atomic
def confirm_proposal(
    *, proposal: DiscoveryProposal, actor: Any, line: Line | None = None, end: str | None = None
) -> LineEndpoint:
    """Bind the proposed interface to the suggested (or the given) line end."""
    _require(actor, DiscoveryProposal.objects, CHANGE, proposal)
    if proposal.status != ProposalStatus.PENDING:
        raise Conflict(_("This proposal was already decided."), code="proposal_decided")
    line = line or proposal.line
    if line is None:
        msg = _("Choose the line this port carries.")
        raise ValidationFailed(msg, fields={"line": [msg]})
    if actor is not None and not Line.objects.visible_to(actor).filter(pk=line.pk).exists():
        msg = _("Choose the line this port carries.")
        raise ValidationFailed(msg, fields={"line": [msg]})
    end = end or proposal.end or _free_end(line, proposal.device)
    endpoint = bind_endpoint(line=line, end=end, interface=proposal.interface, actor=actor)
    proposal.line = line
    proposal.end = end
    proposal.status = ProposalStatus.CONFIRMED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    _save(proposal)
    return endpoint


@transaction.atomic
def dismiss_proposal(*, proposal: DiscoveryProposal, actor: Any) -> DiscoveryProposal:
    _require(actor, DiscoveryProposal.objects, CHANGE, proposal)
    if proposal.status != ProposalStatus.PENDING:
        raise Conflict(_("This proposal was already decided."), code="proposal_decided")
    proposal.status = ProposalStatus.DISMISSED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    _save(proposal)
    return proposal


def _free_end(line: Line, device: Device) -> str:
    """The end a port of ``device`` most likely belongs to (see :func:`choose_endpoint`)."""
    endpoint = choose_endpoint(line, device)
    return endpoint.end if endpoint is not None else End.A


def choose_endpoint(line: Line, device: Device) -> LineEndpoint | None:
    """The endpoint of ``line`` a port of ``device`` should be bound to.

    Among the endpoints without an interface: the one whose end's site is the device's site, else the
    first (A before Z, primary before backup). If every endpoint is bound, a missing primary end is created:
    the end at the device's site, else A if A has no endpoint, else Z. ``None`` if both ends are bound.
    """
    endpoints = list(line.endpoints.all().order_by("end", "-role"))
    # "-role": primary sorts after backup alphabetically, so reverse it
    endpoints.sort(key=lambda e: (e.end, 0 if e.role == EndpointRole.PRIMARY else 1))
    free = [e for e in endpoints if e.interface_id is None]
    if device.site_id:
        for e in free:
            if line.site_for(e.end) is not None and line.site_for(e.end).pk == device.site_id:
                return e
    if free:
        return free[0]
    ends = {e.end for e in endpoints}
    for end in (End.A, End.Z):
        if end not in ends:
            return LineEndpoint(line=line, end=end, role=EndpointRole.PRIMARY)
    return None


def device_status_after_discovery(ok: bool) -> str:
    return DeviceStatus.ACTIVE if ok else DeviceStatus.UNREACHABLE


__all__ = [
    "VIEW",
    "activate_line",
    "bind_endpoint",
    "change_line",
    "choose_endpoint",
    "create_device",
    "create_line",
    "terminate_line",
    "update_device",
    "update_line",
]


# --- lookups the API, the forms and the importers share ---------------------------------------------------


def sites_for(user: Any) -> Any:
    """Customer sites a user may put equipment or line ends at: the sites they see, and for network staff
    every site in their region."""
    from django.db.models import Q

    from kam.customers.models import Site

    qs = Site.objects.visible_to(user)
    unit = getattr(user, "org_unit", None)
    if getattr(user, "role", None) in ("noc", "engineer", "director") and unit is not None:
        return Site.objects.filter(
            Q(pk__in=qs.values("pk")) | Q(region__code__startswith=region_prefix(unit.region_id))
        )
    return qs


def require_inventory_role(user: Any) -> None:
    if user is None or is_admin_user(user):
        return
    if getattr(user, "role", None) not in ("noc", "engineer", "director") or getattr(user, "org_unit", None) is None:
        raise Forbidden(_("You are not allowed to do this."))


@transaction.atomic
def delete_pop(*, pop: PointOfPresence, actor: Any) -> None:
    _require(actor, PointOfPresence.objects, DELETE, pop)
    if pop.devices.exists():
        raise Conflict(_("Devices still stand at this point of presence."), code="pop_in_use")
    pop.delete()


def customers_for_lines(user: Any) -> Any:
    """Customers a user may add lines for: those they may change, and for engineers every one in their region."""
    from django.db.models import Q

    from kam.customers.models import Customer

    qs = Customer.objects.restrict(user, CHANGE)
    unit = getattr(user, "org_unit", None)
    if getattr(user, "role", None) == "engineer" and unit is not None:
        return Customer.objects.filter(
            Q(pk__in=qs.values("pk")) | Q(region__code__startswith=region_prefix(unit.region_id))
        )
    return qs
