"""What the customers app adds to the shared registries: navigation and the customer 360 panels."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kam.core.registry import NavItem, Panel, registry

STAFF = frozenset({"admin", "director", "account_manager", "engineer", "noc", "finance"})
EDITORS = frozenset({"admin", "director", "account_manager"})


def _staff(user: Any, obj: Any) -> bool:
    return getattr(user, "role", None) != "customer"


def register_all() -> None:
    from kam.customers import views

    registry.add_nav(NavItem("customers", _("Customers"), "customers:list", icon="building", order=20))
    registry.add_nav(
        NavItem(
            "grade-changes",
            _("Grade changes"),
            "customers:grade-changes",
            icon="arrows-sort",
            order=25,
            roles=frozenset({"director", "account_manager"}),
        )
    )
    registry.add_nav(NavItem("tiers", _("Tier policies"), "customers:tiers", icon="stairs", order=90, roles=STAFF))
    registry.add_nav(
        NavItem("customer-import", _("Import customers"), "customers:import", icon="upload", order=91, roles=EDITORS)
    )
    panels = [
        Panel("profile", _("Profile"), "customers/panels/_profile.html", views.profile_context, order=10),
        Panel(
            "hierarchy", _("Group and roll-ups"), "customers/panels/_hierarchy.html", views.hierarchy_context, order=15
        ),
        Panel("team", _("Account team"), "customers/panels/_team.html", views.team_context, order=20),
        Panel("sites", _("Sites"), "customers/panels/_sites.html", views.sites_context, order=35),
        Panel(
            "grades",
            _("Grade history"),
            "customers/panels/_grades.html",
            views.grades_context,
            order=50,
            visible=_staff,
        ),
    ]
    for panel in panels:
        registry.add_panel("customer", panel)
