"""What the lines app adds to the shared registries (navigation, search, panels, exchanges, demo)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kam.core.registry import NavItem, Panel, SearchHit, SearchProvider, registry

STAFF_NETWORK = frozenset({"noc", "engineer", "director"})


def search_hits(user: Any, query: str, limit: int) -> list[SearchHit]:
    from kam.lines.models import Device, Line

    query = query.strip()
    if len(query) < 2:
        return []
    hits = [
        SearchHit(title=line.circuit_id, url=line.get_absolute_url(), kind=_("Line"), subtitle=line.customer.name)
        for line in Line.objects.visible_to(user).filter(circuit_id__icontains=query).select_related("customer")[:limit]
    ]
    devices = Device.objects.visible_to(user).filter(
        Q(name__icontains=query) | Q(sys_name__icontains=query) | Q(mgmt_address=query)
        if all(c in "0123456789abcdefABCDEF.:" for c in query)
        else Q(name__icontains=query) | Q(sys_name__icontains=query)
    )
    hits += [
        SearchHit(title=d.name, url=d.get_absolute_url(), kind=_("Device"), subtitle=d.mgmt_address or "")
        for d in devices[: max(0, limit - len(hits))]
    ]
    return hits


def _lines_panel_context(request: Any, customer: Any) -> dict[str, Any]:
    from kam.lines.views import customer_lines_panel

    return customer_lines_panel(request, customer)


def register() -> None:
    from kam.lines import demo, exchange

    registry.add_nav(NavItem("lines", _("Lines"), "lines:line-list", icon="route", section="service", order=10))
    registry.add_nav(
        NavItem("devices", _("Devices"), "lines:device-list", icon="server-2", section="service", order=20)
    )
    registry.add_nav(
        NavItem(
            "pops",
            _("Points of presence"),
            "lines:pop-list",
            icon="building-broadcast-tower",
            section="service",
            order=30,
            roles=STAFF_NETWORK,
        )
    )
    registry.add_nav(
        NavItem(
            "proposals",
            _("Ports to review"),
            "lines:proposals",
            icon="radar",
            section="service",
            order=40,
            roles=STAFF_NETWORK,
        )
    )
    registry.add_search(SearchProvider(key="lines", label=_("Lines and devices"), search=search_hits, order=40))
    registry.add_panel(
        "customer",
        Panel(
            key="lines",
            title=_("Lines"),
            template="lines/panels/customer_lines.html",
            context=_lines_panel_context,
            order=15,
            width="full",
        ),
    )
    exchange.register()
    demo.register_steps()
