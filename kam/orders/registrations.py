"""What the orders app adds to the shared registries: navigation, panels, notification kinds."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

STAFF = frozenset({"director", "account_manager", "engineer", "noc", "finance"})
ORDER_ROLES = frozenset({"director", "account_manager", "engineer", "noc"})


def _staff(user: Any, obj: Any = None) -> bool:
    return getattr(user, "role", None) not in (None, "customer")


def customer_orders(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from kam.core.permissions import CHANGE, can_on
    from kam.customers.permissions import subtree_q
    from kam.orders.models import WorkOrder

    qs = WorkOrder.objects.visible_to(request.user).filter(subtree_q(customer.path, "customer__"))
    return {
        "customer": customer,
        "orders": list(qs.open().select_related("customer").order_by("due_at", "pk")[:8]),
        "open_count": qs.open().count(),
        "late_count": qs.open().filter(jeopardy="late").count(),
        "may_create": can_on(request, CHANGE, customer),
    }


def line_orders(request: HttpRequest, line: Any) -> dict[str, Any]:
    from kam.orders.models import WorkOrder

    qs = WorkOrder.objects.visible_to(request.user).filter(line=line)
    return {"line": line, "orders": list(qs.order_by("-pk")[:8]), "customer": line.customer, "may_create": False}


def register_all() -> None:
    from kam.core.notifications import register_kind
    from kam.core.registry import NavItem, Panel, registry
    from kam.orders import demo

    demo.register_steps()

    register_kind(
        "orders.assigned",
        _("Work order assigned to me"),
        description=_("A stage of a work order was dispatched to you."),
    )
    register_kind(
        "orders.escalated",
        _("Work order at risk or late"),
        default_channels=("inapp", "email"),
        description=_(
            "A stage reached a rung of the escalation ladder (assignee, team lead, account manager, director)."
        ),
    )
    register_kind(
        "orders.extension_requested",
        _("Extension requested"),
        description=_("Someone asked for more time on a work-order stage you approve."),
    )
    register_kind(
        "orders.extension_decided",
        _("Extension decided"),
        description=_("Your extension request was approved or rejected."),
    )
    registry.add_nav(
        NavItem(
            "work-orders",
            _("Work orders"),
            "orders:list",
            icon="clipboard-list",
            section="service",
            order=20,
            roles=ORDER_ROLES,
        )
    )
    registry.add_nav(
        NavItem(
            "work-order-timeliness",
            _("Activation timeliness"),
            "orders:timeliness",
            icon="clock-check",
            section="analytics",
            order=30,
            roles=frozenset({"director", "account_manager", "engineer"}),
        )
    )
    registry.add_nav(
        NavItem(
            "work-order-templates",
            _("Work-order templates"),
            "orders:template-list",
            icon="template",
            section="admin",
            order=60,
            roles=frozenset(),
        )
    )
    registry.add_nav(
        NavItem(
            "time-limit-policies",
            _("Time-limit policies"),
            "orders:policy-list",
            icon="hourglass",
            section="admin",
            order=61,
            roles=frozenset(),
        )
    )
    registry.add_panel(
        "customer",
        Panel(
            "orders-open",
            _("Open work orders"),
            "orders/panels/customer_orders.html",
            customer_orders,
            order=55,
            visible=_staff,
        ),
    )
    registry.add_panel(
        "line",
        Panel("orders-line", _("Work orders"), "orders/panels/line_orders.html", line_orders, order=30, visible=_staff),
    )
