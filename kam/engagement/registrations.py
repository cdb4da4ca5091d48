"""What the engagement app adds to the shared registries: navigation, panels, notification kinds."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

COMMERCIAL_STAFF = frozenset({"director", "account_manager", "engineer", "finance"})
PORTFOLIO_ROLES = frozenset({"director", "account_manager"})


def _commercial(user: Any, obj: Any = None) -> bool:
    return getattr(user, "role", None) not in ("noc", "customer")


def _staff(user: Any, obj: Any = None) -> bool:
    return getattr(user, "role", None) != "customer"


def _may_change(request: HttpRequest, customer: Any) -> bool:
    from kam.core.permissions import CHANGE, can_on

    return can_on(request, CHANGE, customer)


def customer_visits(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from kam.engagement.models import Visit
    from kam.engagement.queries import cadence_by_grade, overdue_customers

    visits = Visit.objects.visible_to(request.user).filter(customer=customer)
    today = timezone.localdate()
    return {
        "customer": customer,
        "today": today,
        "visits": list(visits.exclude(status="cancelled").order_by("-occurred_at", "-planned_at")[:5]),
        "open_steps": list(
            visits.with_open_next_step().select_related("next_step_owner").order_by("next_step_due")[:5]
        ),
        "cadence": cadence_by_grade().get(customer.value_grade),
        "overdue": overdue_customers(type(customer).objects.filter(pk=customer.pk), today).exists(),
        "may_change": _may_change(request, customer),
    }


def customer_plan(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from kam.engagement.models import AccountPlan

    year = timezone.localdate().year
    plan = AccountPlan.objects.visible_to(request.user).filter(customer=customer, year=year).first()
    return {
        "customer": customer,
        "year": year,
        "plan": plan,
        "open_actions": plan.actions.filter(status="open").count() if plan else 0,
        "may_change": _may_change(request, customer),
    }


def customer_competitors(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from kam.engagement.models import CompetitorPresence

    presences = CompetitorPresence.objects.visible_to(request.user).filter(customer=customer)
    return {
        "customer": customer,
        "presences": list(presences.select_related("competitor").order_by("-strength", "competitor__name")[:10]),
        "may_change": _may_change(request, customer),
    }


def customer_feedback(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from kam.engagement.models import Feedback

    feedback = Feedback.objects.visible_to(request.user).filter(customer=customer).open()
    return {
        "customer": customer,
        "feedback": list(feedback.order_by("-collected_at")[:8]),
        "may_change": _may_change(request, customer) and _commercial(request.user),
    }


def home_overdue(request: HttpRequest, obj: Any = None) -> dict[str, Any]:
    from kam.engagement.queries import customers_overdue_for_visit

    qs = customers_overdue_for_visit(request.user)
    return {"count": qs.count(), "rows": list(qs[:6])}


def home_turnaround(request: HttpRequest, obj: Any = None) -> dict[str, Any]:
    from kam.engagement.queries import feedback_turnaround

    return {"rows": feedback_turnaround(request.user)}


def search_competitors(user: Any, query: str, limit: int) -> list[Any]:
    from kam.core.registry import SearchHit
    from kam.engagement.models import Competitor

    if getattr(user, "role", None) == "customer":
        return []
    rows = Competitor.objects.visible_to(user).filter(name__icontains=query.strip()).order_by("name")[:limit]
    return [
        SearchHit(title=c.name, url=c.get_absolute_url(), kind=_("Competitor"), subtitle=c.notes[:80]) for c in rows
    ]


def register_all() -> None:
    from kam.core.notifications import register_kind
    from kam.core.registry import NavItem, Panel, SearchProvider, registry
    from kam.engagement import demo

    demo.register_steps()

    register_kind(
        "visit.overdue",
        _("Customer overdue for a visit"),
        description=_("Weekly reminder for each of your customers whose last visit is older than its cadence."),
    )
    staff = frozenset(COMMERCIAL_STAFF)
    registry.add_nav(
        NavItem(
            "visits",
            _("Visits"),
            "engagement:visit-list",
            icon="calendar-event",
            section="accounts",
            order=40,
            roles=staff,
        )
    )
    registry.add_nav(
        NavItem(
            "visits-overdue",
            _("Overdue visits"),
            "engagement:overdue",
            icon="calendar-exclamation",
            section="accounts",
            order=41,
            roles=PORTFOLIO_ROLES,
        )
    )
    registry.add_nav(
        NavItem(
            "account-plans",
            _("Account plans"),
            "engagement:plan-list",
            icon="target-arrow",
            section="accounts",
            order=42,
            roles=staff,
        )
    )
    registry.add_nav(
        NavItem(
            "competitors",
            _("Competitors"),
            "engagement:competitor-list",
            icon="swords",
            section="accounts",
            order=43,
            roles=staff,
        )
    )
    registry.add_nav(
        NavItem(
            "feedback",
            _("Customer feedback"),
            "engagement:feedback-list",
            icon="message-report",
            section="accounts",
            order=44,
            roles=staff | {"noc"},
        )
    )
    registry.add_nav(
        NavItem(
            "feedback-turnaround",
            _("Feedback turnaround"),
            "engagement:turnaround",
            icon="clock-check",
            section="analytics",
            order=20,
            roles=frozenset({"director"}),
        )
    )

    registry.add_search(SearchProvider("competitors", _("Competitors"), search_competitors, order=60))
    registry.add_panel(
        "customer",
        Panel(
            "engagement-visits",
            _("Visits and next steps"),
            "engagement/panels/customer_visits.html",
            customer_visits,
            order=40,
            visible=_commercial,
        ),
    )
    registry.add_panel(
        "customer",
        Panel(
            "engagement-plan",
            _("Account plan"),
            "engagement/panels/customer_plan.html",
            customer_plan,
            order=41,
            visible=_commercial,
        ),
    )
    registry.add_panel(
        "customer",
        Panel(
            "engagement-competitors",
            _("Competitors present"),
            "engagement/panels/customer_competitors.html",
            customer_competitors,
            order=42,
            visible=_commercial,
        ),
    )
    registry.add_panel(
        "customer",
        Panel(
            "engagement-feedback",
            _("Open feedback"),
            "engagement/panels/customer_feedback.html",
            customer_feedback,
            order=43,
            visible=_staff,
        ),
    )
    registry.add_panel(
        "home",
        Panel(
            "engagement-overdue",
            _("Overdue visits"),
            "engagement/panels/home_overdue.html",
            home_overdue,
            order=30,
            visible=lambda user, obj: getattr(user, "role", None) in PORTFOLIO_ROLES,
        ),
    )
    registry.add_panel(
        "home",
        Panel(
            "engagement-turnaround",
            _("Feedback turnaround"),
            "engagement/panels/home_turnaround.html",
            home_turnaround,
            order=31,
            width="full",
            visible=lambda user, obj: getattr(user, "role", None) == "director" or getattr(user, "is_admin", False),
        ),
    )
