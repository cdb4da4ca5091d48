"""What contacts add to the shared registries: navigation, search, panels, notification kinds, exchange,
demo data. Called once from ``CustomersConfig.ready()`` through :func:`kam.customers.contacts.register`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

HOME_PANEL_ROLES = frozenset({"admin", "director", "account_manager"})
HOSTILE_PANEL_ROWS = 10


def search_hits(user: Any, query: str, limit: int) -> Iterable[Any]:
    """Contacts for the global search: name, pinyin, initials, phone, e-mail.

    Three characters or more go through the trigram index. Shorter queries take name-prefix matches from
    the name index first and fill up with unordered substring matches, so that a one- or two-letter query
    never sorts a million rows.
    """
    from kam.core.registry import SearchHit
    from kam.customers.contacts.searchtext import normalise_query
    from kam.customers.models import Contact

    query = (query or "").strip()
    needle = normalise_query(query)
    if len(needle) < 2:
        return []
    base = Contact.objects.visible_to(user).select_related("customer")
    if len(needle) >= 3:
        found = list(base.search(query).order_by("left_company", "name", "pk")[:limit])
    else:
        found = list(base.filter(name__gte=query, name__lt=query + "\uffff").order_by("name", "pk")[:limit])
        if len(found) < limit:
            rest = base.filter(search_text__contains=needle).exclude(pk__in=[c.pk for c in found]).order_by()
            found += list(rest[: limit - len(found)])
    return [
        SearchHit(
            title=contact.name,
            url=reverse("contacts:detail", kwargs={"pk": contact.pk}),
            kind=_("Contact"),
            subtitle=" · ".join(str(x) for x in (contact.title, contact.customer, contact.mobile) if x),
        )
        for contact in found
    ]


def org_chart_panel_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from kam.customers.contacts.views import org_chart_context

    return org_chart_context(request, customer)


def hostile_panel_context(request: HttpRequest, obj: Any) -> dict[str, Any]:
    from kam.customers.contacts.queries import hostile_decision_makers

    qs = hostile_decision_makers(request.user)
    return {"hostile": list(qs[:HOSTILE_PANEL_ROWS]), "hostile_total": qs.count()}


def _home_panel_visible(user: Any, obj: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", None) in HOME_PANEL_ROLES)


def register_all() -> None:
    from kam.core.registry import NavItem, Panel, registry
    from kam.customers.contacts import demo, exchange, services

    registry.add_nav(
        NavItem(
            key="contacts",
            label=_("Contacts"),
            url_name="contacts:list",
            icon="address-book",
            section="accounts",
            order=30,
        )
    )
    registry.add_nav(
        NavItem(
            key="hostile_decision_makers",
            label=_("Hostile decision makers"),
            url_name="contacts:hostile",
            icon="mood-angry",
            section="accounts",
            order=35,
            roles=frozenset({"director", "account_manager"}),
        )
    )
    from kam.core.registry import SearchProvider

    registry.add_search(SearchProvider(key="contacts", label=_("Contacts"), search=search_hits, order=20))
    registry.add_panel(
        "customer",
        Panel(
            key="org_chart",
            title=_("Org chart"),
            template="customers/contacts/_org_chart_panel.html",
            context=org_chart_panel_context,
            order=30,
            width="full",
        ),
    )
    registry.add_panel(
        "home",
        Panel(
            key="hostile_decision_makers",
            title=_("Hostile decision makers"),
            template="customers/contacts/_hostile_panel.html",
            context=hostile_panel_context,
            order=40,
            visible=_home_panel_visible,
        ),
    )
    services.register_notification_kinds()
    exchange.register()
    demo.register_steps()
