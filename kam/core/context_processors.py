from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from kam.core.models import Notification
from kam.core.registry import NavItem, registry

# Section order and headings of the sidebar; an app may use another section name, shown between these.
SECTIONS: dict[str, Any] = {
    "main": "",
    "accounts": _("Key accounts"),
    "sales": _("Sales"),
    "service": _("Service"),
    "network": _("Network"),
    "analytics": _("Analytics"),
    "admin": _("Administration"),
}
_SECTION_ORDER = {name: i * 10 for i, name in enumerate(SECTIONS)}


@dataclass(frozen=True)
class NavLink:
    item: NavItem
    url: str
    active: bool

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def label(self) -> Any:
        return self.item.label

    @property
    def icon(self) -> str:
        return self.item.icon


@dataclass(frozen=True)
class NavSection:
    key: str
    label: Any
    links: list[NavLink]


def nav_sections(request: HttpRequest, items: list[NavItem]) -> list[NavSection]:
    """Navigation grouped by section, with URLs resolved and the current page's entry marked active."""
    path = request.path
    links: list[NavLink] = []
    for item in items:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        links.append(NavLink(item, url, False))
    # the longest matching URL prefix wins, so "/customers/new/" does not light up "/" too
    best = max(
        (len(link.url) for link in links if path == link.url or (link.url != "/" and path.startswith(link.url))),
        default=0,
    )
    sections: dict[str, list[NavLink]] = {}
    for link in links:
        active = best > 0 and len(link.url) == best and (path == link.url or path.startswith(link.url))
        sections.setdefault(link.item.section, []).append(NavLink(link.item, link.url, active))
    ordered = sorted(sections, key=lambda s: (_SECTION_ORDER.get(s, 55), s))
    return [NavSection(s, SECTIONS.get(s, s.replace("_", " ").capitalize()), sections[s]) for s in ordered]


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    base: dict[str, Any] = {"site_name": settings.KAM_SITE_NAME, "kam_languages": settings.LANGUAGES}
    if user is None or not user.is_authenticated:
        return base
    items = registry.nav_for(user)
    return {
        **base,
        "nav_items": items,
        "nav_sections": nav_sections(request, items),
        "unread_notifications": Notification.objects.for_user(user).unread().count(),
    }
