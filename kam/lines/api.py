"""``/api/v1/pops``, ``devices``, ``interfaces``, ``lines``, ``discovery-proposals``."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kam.core.api import Page, fetch, responses
from kam.core.errors import Forbidden, ValidationFailed
from kam.core.models import Region
from kam.core.permissions import CHANGE, DELETE, VIEW
from kam.lines import activation, discovery, queries, services
from kam.lines.models import (
    ActivationTest,
    Device,
    DiscoveryProposal,
    DiscoveryRun,
    Interface,
    Line,
    LineEndpoint,
    PointOfPresence,
)
from kam.lines.schemas import (
    ActivationTestOut,
    DeviceCreate,
    DeviceOut,
    DeviceUpdate,
    DiscoverAddressIn,
    DiscoveryRunOut,
    EndpointIn,
    EndpointOut,
    ImpactOut,
    ImportOut,
    InterfaceCreate,
    InterfaceOut,
    InterfaceUpdate,
    LineCreate,
    LineOut,
    LineUpdate,
    NeighbourhoodOut,
    PathOut,
    PopCreate,
    PopOut,
    PopUpdate,
    ProposalConfirmIn,
    ProposalOut,
)

pops_router = Router(tags=["points of presence"])
devices_router = Router(tags=["devices"])
interfaces_router = Router(tags=["interfaces"])
lines_router = Router(tags=["lines"])
proposals_router = Router(tags=["discovery"])


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def _ref(qs: QuerySet[Any], pk: Any, field: str) -> Any:
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise _invalid(field, _("No such record, or not visible to you."))
    return obj


def _region(code: str | None, field: str = "region_id") -> Region | None:
    if code is None:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise _invalid(field, _("Unknown region code."))
    return region


def _resolve(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Turn ``*_id`` references into objects the caller may see."""
    from kam.customers.models import Customer

    user = request.user
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "region_id":
            out["region"] = _region(value)
        elif key == "site_id" or key in ("a_site_id", "z_site_id"):
            out[key[:-3]] = _ref(services.sites_for(user), value, key)
        elif key == "pop_id":
            out["pop"] = _ref(PointOfPresence.objects.visible_to(user), value, key)
        elif key == "parent_id":
            out["parent"] = _ref(Device.objects.visible_to(user), value, key)
        elif key == "customer_id":
            out["customer"] = _ref(Customer.objects.visible_to(user), value, key)
        else:
            out[key] = value
    return out


def _q(qs: QuerySet[Any], q: str | None, *fields: str) -> QuerySet[Any]:
    if not q:
        return qs
    cond = Q()
    for name in fields:
        cond |= Q(**{f"{name}__icontains": q.strip()})
    return qs.filter(cond)


# --- points of presence -----------------------------------------------------------------------------------


@pops_router.get("", response=responses(200, list[PopOut]))
@paginate(Page)
def list_pops(request: HttpRequest, kind: str | None = None, region: str | None = None, q: str | None = None) -> Any:
    qs = PointOfPresence.objects.visible_to(request.user)
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region__code__startswith=region)
    return _q(qs, q, "code", "name", "address").order_by("code")


@pops_router.post("", response=responses(201, PopOut))
def create_pop(request: HttpRequest, payload: PopCreate) -> Any:
    return 201, services.save_pop(pop=None, actor=request.user, data=_resolve(request, payload.dict()))


@pops_router.get("/{pop_id}", response=responses(200, PopOut))
def get_pop(request: HttpRequest, pop_id: int) -> Any:
    return fetch(request, PointOfPresence.objects.all(), VIEW, pk=pop_id)


@pops_router.patch("/{pop_id}", response=responses(200, PopOut))
def update_pop(request: HttpRequest, pop_id: int, payload: PopUpdate) -> Any:
    pop: Any = fetch(request, PointOfPresence.objects.all(), CHANGE, pk=pop_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.save_pop(pop=pop, actor=request.user, data=_resolve(request, data))


@pops_router.delete("/{pop_id}", response=responses(204, None))
def delete_pop(request: HttpRequest, pop_id: int) -> Any:
    pop: Any = fetch(request, PointOfPresence.objects.all(), DELETE, pk=pop_id)
    services.delete_pop(pop=pop, actor=request.user)
    return 204, None


# --- devices ----------------------------------------------------------------------------------------------


@devices_router.get("", response=responses(200, list[DeviceOut]))
@paginate(Page)
def list_devices(
    request: HttpRequest,
    role: str | None = None,
    vendor: str | None = None,
    status: str | None = None,
    region: str | None = None,
    location_kind: str | None = None,
    site_id: int | None = None,
    pop_id: int | None = None,
    parent_id: int | None = None,
    mgmt_address: str | None = None,
    q: str | None = None,
) -> Any:
    qs = Device.objects.visible_to(request.user)
    if mgmt_address:
        try:
            mgmt_address = str(ipaddress.ip_address(mgmt_address.strip()))
        except ValueError:
            raise _invalid("mgmt_address", _("Enter a valid IPv4 or IPv6 address.")) from None
    filters = {
        "role": role,
        "vendor": vendor,
        "status": status,
        "site_id": site_id,
        "pop_id": pop_id,
        "parent_id": parent_id,
        "mgmt_address": mgmt_address,
    }
    qs = qs.filter(**{k: v for k, v in filters.items() if v is not None and v != ""})
    if region:
        qs = qs.filter(region__code__startswith=region)
    if location_kind == "customer_premises":
        qs = qs.filter(site__isnull=False)
    elif location_kind == "central_office":
        qs = qs.filter(pop__isnull=False)
    return _q(qs, q, "name", "sys_name", "model").order_by("name", "pk")


@devices_router.post("", response=responses(201, DeviceOut))
def create_device(request: HttpRequest, payload: DeviceCreate) -> Any:
    data = payload.dict()
    discover = data.pop("discover")
    data = {k: v for k, v in data.items() if v is not None or k in ("mgmt_address",)}
    device = services.create_device(actor=request.user, data=_resolve(request, data))
    if discover and device.mgmt_address:
        discovery.queue_discovery(device=device, actor=request.user)
    return 201, device


@devices_router.post("/discover", response=responses(201, DiscoveryRunOut))
def discover_address(request: HttpRequest, payload: DiscoverAddressIn) -> Any:
    """Add (or re-discover) a device by its management address, synchronously."""
    services.require_inventory_role(request.user)
    existing = Device.objects.filter(mgmt_address=discovery.management_address(payload.address)).first()
    if existing is not None:
        fetch(request, Device.objects.all(), CHANGE, pk=existing.pk)
    run = discovery.discover_address(
        payload.address,
        community=payload.community,
        version=payload.version,
        port=payload.port,
        actor=request.user,
    )
    return 201, run


@devices_router.get("/{device_id}", response=responses(200, DeviceOut))
def get_device(request: HttpRequest, device_id: int) -> Any:
    return fetch(request, Device.objects.all(), VIEW, pk=device_id)


@devices_router.patch("/{device_id}", response=responses(200, DeviceOut))
def update_device(request: HttpRequest, device_id: int, payload: DeviceUpdate) -> Any:
    device: Any = fetch(request, Device.objects.all(), CHANGE, pk=device_id)
    data = payload.dict(exclude_unset=True)
    for key in ("name", "role", "vendor", "status", "snmp_version", "snmp_port"):
        if key in data and data[key] is None:
            raise _invalid(key, _("This field is required."))
    return services.update_device(device=device, actor=request.user, data=_resolve(request, data))


@devices_router.delete("/{device_id}", response=responses(204, None))
def delete_device(request: HttpRequest, device_id: int) -> Any:
    device: Any = fetch(request, Device.objects.all(), DELETE, pk=device_id)
    services.delete_device(device=device, actor=request.user)
    return 204, None


@devices_router.post("/{device_id}/discover", response=responses(202, DiscoveryRunOut))
def discover_device(request: HttpRequest, device_id: int, wait: bool = False) -> Any:
    """Run SNMP discovery: queued for the worker (202), or at once with ``?wait=true`` (200)."""
    device: Any = fetch(request, Device.objects.all(), CHANGE, pk=device_id)
    if wait:
        return 202, discovery.discover_device(device=device, actor=request.user)
    return 202, discovery.queue_discovery(device=device, actor=request.user)


@devices_router.get("/{device_id}/discovery-runs", response=responses(200, list[DiscoveryRunOut]))
@paginate(Page)
def list_discovery_runs(request: HttpRequest, device_id: int) -> Any:
    device = fetch(request, Device.objects.all(), VIEW, pk=device_id)
    if getattr(request.user, "role", None) == "customer":
        raise Forbidden(_("You are not allowed to do this."))
    return DiscoveryRun.objects.visible_to(request.user).filter(device=device)


@devices_router.get("/{device_id}/interfaces", response=responses(200, list[InterfaceOut]))
@paginate(Page)
def list_device_interfaces(request: HttpRequest, device_id: int) -> Any:
    device = fetch(request, Device.objects.all(), VIEW, pk=device_id)
    return Interface.objects.visible_to(request.user).filter(device=device).order_by("if_index")


@devices_router.get("/{device_id}/impact", response=responses(200, ImpactOut))
def device_impact(request: HttpRequest, device_id: int) -> Any:
    """Lines on this device and on the devices below it, and the customers affected, by customer grade."""
    device: Any = fetch(request, Device.objects.all(), VIEW, pk=device_id)
    impact = queries.device_impact(device, request.user)
    internal = getattr(request.user, "role", None) != "customer"
    return {
        "device_id": device.pk,
        "devices_below": impact.below,
        "lines": impact.lines,
        "customers": [
            {
                "id": c.customer.pk,
                "name": c.customer.name,
                "value_grade": c.customer.value_grade if internal else None,
                "grade_rank": c.rank if internal else 0,
                "line_ids": [line.pk for line in c.lines],
            }
            for c in impact.customers
        ],
    }


@devices_router.get("/{device_id}/neighbourhood", response=responses(200, NeighbourhoodOut))
def device_neighbourhood(request: HttpRequest, device_id: int) -> Any:
    device: Any = fetch(request, Device.objects.all(), VIEW, pk=device_id)
    hood = queries.neighbourhood(device, request.user)
    return {
        "device_id": device.pk,
        "parent_id": hood["parent"].pk if hood["parent"] else None,
        "children": [d.pk for d in hood["children"]],
        "peers": [d.pk for d in hood["peers"]],
        "graph": {"nodes": hood["nodes"], "links": hood["links"]},
    }


# --- interfaces -------------------------------------------------------------------------------------------


@interfaces_router.get("", response=responses(200, list[InterfaceOut]))
@paginate(Page)
def list_interfaces(
    request: HttpRequest,
    device_id: int | None = None,
    oper_status: str | None = None,
    if_index: int | None = None,
    q: str | None = None,
) -> Any:
    qs = Interface.objects.visible_to(request.user)
    if device_id is not None:
        qs = qs.filter(device_id=device_id)
    if oper_status:
        qs = qs.filter(oper_status=oper_status)
    if if_index is not None:
        qs = qs.filter(if_index=if_index)
    return _q(qs, q, "if_name", "if_alias").order_by("device_id", "if_index")


@interfaces_router.post("", response=responses(201, InterfaceOut))
def create_interface(request: HttpRequest, payload: InterfaceCreate) -> Any:
    data = payload.dict()
    device = _ref(Device.objects.visible_to(request.user), data.pop("device_id"), "device_id")
    return 201, services.save_interface(interface=None, device=device, actor=request.user, data=data)


@interfaces_router.get("/{interface_id}", response=responses(200, InterfaceOut))
def get_interface(request: HttpRequest, interface_id: int) -> Any:
    return fetch(request, Interface.objects.all(), VIEW, pk=interface_id)


@interfaces_router.patch("/{interface_id}", response=responses(200, InterfaceOut))
def update_interface(request: HttpRequest, interface_id: int, payload: InterfaceUpdate) -> Any:
    interface: Any = fetch(request, Interface.objects.all(), CHANGE, pk=interface_id)
    data = payload.dict(exclude_unset=True)
    for key in ("admin_status", "oper_status"):
        if key in data and data[key] is None:
            raise _invalid(key, _("This field is required."))
    return services.save_interface(interface=interface, actor=request.user, data=data)


# --- lines ------------------------------------------------------------------------------------------------


@lines_router.get("", response=responses(200, list[LineOut]))
@paginate(Page)
def list_lines(
    request: HttpRequest,
    customer_id: int | None = None,
    status: str | None = None,
    product: str | None = None,
    line_type: str | None = None,
    protection_level: str | None = None,
    region: str | None = None,
    device_id: int | None = None,
    q: str | None = None,
) -> Any:
    qs = Line.objects.visible_to(request.user).select_related("customer")
    filters = {
        "customer_id": customer_id,
        "status": status,
        "product": product,
        "line_type": line_type,
        "protection_level": protection_level,
    }
    qs = qs.filter(**{k: v for k, v in filters.items() if v is not None and v != ""})
    if region:
        qs = qs.filter(region__code__startswith=region)
    if device_id is not None:
        qs = qs.filter(pk__in=LineEndpoint.objects.filter(interface__device_id=device_id).values("line_id"))
    return _q(qs, q, "circuit_id", "customer__name", "customer__short_name").order_by("circuit_id")


@lines_router.post("", response=responses(201, LineOut))
def create_line(request: HttpRequest, payload: LineCreate) -> Any:
    data = payload.dict()
    if data.get("line_type") is None:
        data.pop("line_type")
    if data.get("region_id") is None:
        data.pop("region_id")
    line = services.create_line(actor=request.user, data=_resolve(request, data))
    return 201, line


@lines_router.post("/import", response=responses(200, ImportOut))
def import_inventory(request: HttpRequest, kind: str = "lines", file: UploadedFile = File(...)) -> Any:  # noqa: B008
    """Import a CSV or XLSX file of ``pops``, ``devices``, ``interfaces`` or ``lines``; all-or-nothing."""
    from kam.lines.exchange import import_file

    rows = import_file(kind=kind, data=file.read(), filename=file.name or "", actor=request.user)
    return {"kind": kind, "rows": rows}


@lines_router.get("/{line_id}", response=responses(200, LineOut))
def get_line(request: HttpRequest, line_id: int) -> Any:
    return fetch(request, Line.objects.select_related("customer"), VIEW, pk=line_id)


@lines_router.patch("/{line_id}", response=responses(200, LineOut))
def update_line(request: HttpRequest, line_id: int, payload: LineUpdate) -> Any:
    line: Any = fetch(request, Line.objects.all(), CHANGE, pk=line_id)
    data = payload.dict(exclude_unset=True)
    for key in ("circuit_id", "product", "line_type", "bandwidth_kbps", "protection_level", "region_id"):
        if key in data and data[key] is None:
            raise _invalid(key, _("This field is required."))
    return services.update_line(line=line, actor=request.user, data=_resolve(request, data))


@lines_router.delete("/{line_id}", response=responses(204, None))
def delete_line(request: HttpRequest, line_id: int) -> Any:
    line: Any = fetch(request, Line.objects.all(), DELETE, pk=line_id)
    services.delete_line(line=line, actor=request.user)
    return 204, None


@lines_router.get("/{line_id}/endpoints", response=responses(200, list[EndpointOut]))
def list_endpoints(request: HttpRequest, line_id: int) -> Any:
    line = fetch(request, Line.objects.all(), VIEW, pk=line_id)
    return LineEndpoint.objects.filter(line=line).select_related("interface__device").order_by("end", "role")


@lines_router.post("/{line_id}/endpoints", response=responses(200, EndpointOut))
def bind_endpoint(request: HttpRequest, line_id: int, payload: EndpointIn) -> Any:
    """Put an end of the line on a port (creating the endpoint), or take it off with ``interface_id: null``."""
    line: Any = fetch(request, Line.objects.all(), VIEW, pk=line_id)
    interface = _ref(Interface.objects.visible_to(request.user), payload.interface_id, "interface_id")
    return services.bind_endpoint(
        line=line, end=payload.end, role=payload.role, interface=interface, vlan=payload.vlan, actor=request.user
    )


@lines_router.get("/{line_id}/path", response=responses(200, PathOut))
def line_path(request: HttpRequest, line_id: int) -> Any:
    """Both ends, their devices and the uplinks from each end's device up to the core."""
    line: Any = fetch(request, Line.objects.all(), VIEW, pk=line_id)
    path = queries.line_path(line, request.user)
    return {
        "line_id": line.pk,
        "circuit_id": line.circuit_id,
        "ends": [
            {
                "end": e.end,
                "role": e.role,
                "vlan": e.vlan,
                "interface_id": e.interface.pk if e.interface else None,
                "if_name": e.interface.if_name if e.interface else None,
                "devices": e.devices,
            }
            for e in path["ends"]
        ],
        "graph": {"nodes": path["nodes"], "links": path["links"]},
    }


@lines_router.post("/{line_id}/activation-tests", response=responses(201, ActivationTestOut))
def run_activation_test(request: HttpRequest, line_id: int) -> Any:
    """Check both endpoint ports by SNMP and the test address by ICMP (or TCP); stores the results."""
    line: Any = fetch(request, Line.objects.all(), VIEW, pk=line_id)
    return 201, activation.run_activation_test(line=line, actor=request.user)


@lines_router.get("/{line_id}/activation-tests", response=responses(200, list[ActivationTestOut]))
@paginate(Page)
def list_activation_tests(request: HttpRequest, line_id: int) -> Any:
    line = fetch(request, Line.objects.all(), VIEW, pk=line_id)
    return ActivationTest.objects.visible_to(request.user).filter(line=line)


# --- discovery proposals ----------------------------------------------------------------------------------


@proposals_router.get("", response=responses(200, list[ProposalOut]))
@paginate(Page)
def list_proposals(request: HttpRequest, status: str | None = "pending", device_id: int | None = None) -> Any:
    qs = DiscoveryProposal.objects.visible_to(request.user).select_related("interface", "line")
    if status:
        qs = qs.filter(status=status)
    if device_id is not None:
        qs = qs.filter(device_id=device_id)
    return qs.order_by("device_id", "interface__if_index", "pk")


@proposals_router.post("/{proposal_id}/confirm", response=responses(200, EndpointOut))
def confirm_proposal(request: HttpRequest, proposal_id: int, payload: ProposalConfirmIn) -> Any:
    proposal: Any = fetch(request, DiscoveryProposal.objects.all(), CHANGE, pk=proposal_id)
    line = _ref(Line.objects.visible_to(request.user), payload.line_id, "line_id")
    return services.confirm_proposal(proposal=proposal, actor=request.user, line=line, end=payload.end)


@proposals_router.post("/{proposal_id}/dismiss", response=responses(200, ProposalOut))
def dismiss_proposal(request: HttpRequest, proposal_id: int) -> Any:
    proposal: Any = fetch(request, DiscoveryProposal.objects.all(), CHANGE, pk=proposal_id)
    return services.dismiss_proposal(proposal=proposal, actor=request.user)
