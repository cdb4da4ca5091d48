"""Read models of the lines app: topology paths, neighbourhoods, impact of a device, grade order."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kam.customers.choices import DEFAULT_GRADES
from kam.lines.choices import ROLE_RANK
from kam.lines.models import Device, Interface, Line, LineEndpoint

MAX_DEPTH = 32


def grade_ranks() -> dict[str, int]:
    """Value grade → rank (1 = most valuable): TierPolicy ranks where set, else A1 < A2 < B1 < B2 < C < D."""
    from kam.customers.models import TierPolicy

    ranks = {grade: index + 1 for index, grade in enumerate(DEFAULT_GRADES)}
    for grade, rank in TierPolicy.objects.values_list("grade", "rank"):
        if rank:
            ranks[grade] = rank
    return ranks


def grade_rank(grade: str, ranks: dict[str, int] | None = None) -> int:
    ranks = ranks if ranks is not None else grade_ranks()
    return ranks.get(grade, 99)


def descendants(device: Device, limit: int = 5000) -> list[int]:
    """Ids of every device below ``device`` in the uplink tree (breadth first, loop-safe)."""
    seen: set[int] = {device.pk}
    frontier = [device.pk]
    found: list[int] = []
    while frontier and len(found) < limit:
        children = list(Device.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = [c for c in children if c not in seen]
        seen.update(frontier)
        found.extend(frontier)
    return found


@dataclass
class ImpactedCustomer:
    customer: Any
    rank: int
    lines: list[Line] = field(default_factory=list)


@dataclass
class Impact:
    device: Device
    lines: list[Line]
    customers: list[ImpactedCustomer]
    below: int  # devices below this one whose lines are counted


def device_impact(device: Device, user: Any, include_below: bool = True) -> Impact:
    """Lines on this device (and on the devices below it) and the customers affected, by customer grade."""
    below = descendants(device) if include_below else []
    device_ids = [device.pk, *below]
    line_ids = LineEndpoint.objects.filter(interface__device_id__in=device_ids).values("line_id")
    lines = list(
        Line.objects.visible_to(user).filter(pk__in=line_ids).select_related("customer").order_by("circuit_id")
    )
    ranks = grade_ranks()
    by_customer: dict[int, ImpactedCustomer] = {}
    for line in lines:
        entry = by_customer.get(line.customer_id)
        if entry is None:
            entry = by_customer[line.customer_id] = ImpactedCustomer(
                customer=line.customer, rank=grade_rank(line.customer.value_grade, ranks)
            )
        entry.lines.append(line)
    customers = sorted(by_customer.values(), key=lambda c: (c.rank, c.customer.name, c.customer.pk))
    order = {c.customer.pk: i for i, c in enumerate(customers)}
    lines.sort(key=lambda line: (order[line.customer_id], line.circuit_id))
    return Impact(device=device, lines=lines, customers=customers, below=len(below))


# --- graphs (ECharts "graph" series data) ------------------------------------------------------------------


def _node(device: Device, highlight: bool = False) -> dict[str, Any]:
    return {
        "id": str(device.pk),
        "name": device.name,
        "role": device.role,
        "category": device.role,
        "location_kind": device.location_kind,
        "status": device.status,
        "highlight": highlight,
        "url": f"/lines/devices/{device.pk}/",
        "symbolSize": {"pe": 46, "aggregation": 38, "access": 30, "cpe": 24}.get(device.role, 28),
    }


def graph_categories() -> list[dict[str, str]]:
    return [{"name": role} for role in ROLE_RANK]


@dataclass
class EndPath:
    end: str
    role: str
    vlan: int | None
    interface: Interface | None
    devices: list[Device]  # the end's device first, then its uplinks to the core (only those the user sees)


def line_path(line: Line, user: Any) -> dict[str, Any]:
    """Both ends of a line and, from each end's device, the uplinks up to the core; a graph of them."""
    visible = set(Device.objects.visible_to(user).values_list("pk", flat=True)) if user is not None else None
    ends: list[EndPath] = []
    endpoints = line.endpoints.select_related("interface__device").order_by("end", "role")
    for endpoint in endpoints:
        devices: list[Device] = []
        if endpoint.interface is not None:
            chain = endpoint.interface.device.uplink_path()[:MAX_DEPTH]
            devices = [d for d in chain if visible is None or d.pk in visible]
        ends.append(
            EndPath(
                end=endpoint.end, role=endpoint.role, vlan=endpoint.vlan, interface=endpoint.interface, devices=devices
            )
        )
    nodes: dict[int, dict[str, Any]] = {}
    links: list[dict[str, Any]] = []
    seen_links: set[tuple[int, int]] = set()
    for end in ends:
        for index, device in enumerate(end.devices):
            nodes.setdefault(device.pk, _node(device, highlight=index == 0))
            if index:
                key = (end.devices[index - 1].pk, device.pk)
                if key not in seen_links:
                    seen_links.add(key)
                    links.append({"source": str(key[0]), "target": str(key[1]), "kind": "uplink"})
    firsts = [e.devices[0] for e in ends if e.devices and e.role == "primary"]
    if len(firsts) == 2 and firsts[0].pk != firsts[1].pk:
        links.append(
            {"source": str(firsts[0].pk), "target": str(firsts[1].pk), "kind": "line", "label": line.circuit_id}
        )
    return {"ends": ends, "nodes": list(nodes.values()), "links": links, "categories": graph_categories()}


def neighbourhood(device: Device, user: Any) -> dict[str, Any]:
    """The device, its uplink, its children and its peers (same uplink), as far as the user sees them."""
    qs = Device.objects.visible_to(user)
    parent = qs.filter(pk=device.parent_id).first() if device.parent_id else None
    children = list(qs.filter(parent=device).order_by("role", "name")[:200])
    peers = (
        list(qs.filter(parent_id=device.parent_id).exclude(pk=device.pk).order_by("name")[:50])
        if device.parent_id
        else []
    )
    nodes = [_node(device, highlight=True)]
    links = []
    if parent is not None:
        nodes.append(_node(parent))
        links.append({"source": str(device.pk), "target": str(parent.pk), "kind": "uplink"})
    for child in children:
        nodes.append(_node(child))
        links.append({"source": str(child.pk), "target": str(device.pk), "kind": "uplink"})
    for peer in peers:
        nodes.append(_node(peer))
        if parent is not None:
            links.append({"source": str(peer.pk), "target": str(parent.pk), "kind": "uplink"})
    return {
        "device": device,
        "parent": parent,
        "children": children,
        "peers": peers,
        "nodes": nodes,
        "links": links,
        "categories": graph_categories(),
    }


def customer_lines_qs(customer: Any, user: Any) -> Any:
    """A customer's lines (and its branches' lines) the user sees (a range on the indexed path column)."""
    from kam.customers.permissions import subtree_q

    return Line.objects.visible_to(user).filter(subtree_q(customer.path, "customer__"))


def customer_lines(customer: Any, user: Any, limit: int | None = None) -> list[Line]:
    """A customer's lines (and its branches' lines) the user sees, with their endpoints' ports and devices."""
    qs = (
        customer_lines_qs(customer, user)
        .select_related("customer")
        .prefetch_related("endpoints__interface__device")
        .order_by("status", "circuit_id")
    )
    return list(qs[:limit] if limit is not None else qs)


def customer_line_totals(customer: Any, user: Any) -> tuple[dict[str, int], int]:
    """``({status: lines}, active kbit/s)`` over a customer's subtree, counted by the database."""
    from django.db.models import Count, Sum

    from kam.lines.choices import LineStatus

    rows = (
        customer_lines_qs(customer, user)
        .order_by()
        .values("status")
        .annotate(n=Count("id"), kbps=Sum("bandwidth_kbps"))
        .order_by("status")
    )
    counts: dict[str, int] = {}
    active_kbps = 0
    for row in rows:
        counts[row["status"]] = row["n"]
        if row["status"] == LineStatus.ACTIVE:
            active_kbps = int(row["kbps"] or 0)
    return counts, active_kbps


def lines_by_status(lines: list[Line]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for line in lines:
        counts[line.status] += 1
    return dict(counts)


def location_label(device: Device) -> str:
    return _("Customer premises") if device.is_cpe else _("Central office")


# --- matching what the network reports to the inventory (alarms, syslog, traps) ----------------------------


def match_device(*, address: str | None = None, sys_name: str | None = None) -> Device | None:
    """The device an event comes from: by management address, then by sysName / hostname."""
    if address:
        device = Device.objects.filter(mgmt_address=address).first()
        if device is not None:
            return device
    if sys_name:
        return (
            Device.objects.filter(sys_name=sys_name).order_by("pk").first()
            or Device.objects.filter(name=sys_name).order_by("pk").first()
        )
    return None


def match_interface(
    device: Device, *, if_index: int | None = None, if_name: str | None = None, if_alias: str | None = None
) -> Interface | None:
    """A device's interface an event names: by ifIndex, then ifName, then ifAlias (the circuit id)."""
    qs = Interface.objects.filter(device=device)
    if if_index is not None:
        found = qs.filter(if_index=if_index).first()
        if found is not None:
            return found
    if if_name:
        found = qs.filter(if_name=if_name).first()
        if found is not None:
            return found
    if if_alias:
        return qs.filter(if_alias=if_alias).order_by("if_index").first()
    return None
