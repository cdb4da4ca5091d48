"""Registries that apps add to in their ``AppConfig.ready()``: navigation, search, panels, tabs.

Core owns the mechanism and knows nothing of the apps; an app above it registers what it offers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # lazy translation
    url_name: str
    icon: str = "circle"
    section: str = "main"
    order: int = 100
    roles: frozenset[str] | None = None  # None: every staff role

    def allowed(self, user: Any) -> bool:
        if not user.is_authenticated:
            return False
        if getattr(user, "is_admin", False):
            return True
        return self.roles is None or user.role in self.roles


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    kind: Any  # lazy translation: what the hit is ("Customer", "Contact")
    subtitle: str = ""


@dataclass(frozen=True)
class SearchProvider:
    key: str
    label: Any
    search: Callable[[Any, str, int], Iterable[SearchHit]]  # (user, query, limit) -> hits
    order: int = 100


@dataclass(frozen=True)
class Panel:
    """A block on a detail page (a customer 360 page, a line page) contributed by some app."""

    key: str
    title: Any
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any]] = lambda request, obj: {}
    order: int = 100
    visible: Callable[[Any, Any], bool] = lambda user, obj: True
    width: str = "half"  # "half" | "full"


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    search: list[SearchProvider] = field(default_factory=list)
    panels: dict[str, list[Panel]] = field(default_factory=dict)

    def add_nav(self, item: NavItem) -> None:
        self.nav = [i for i in self.nav if i.key != item.key] + [item]

    def add_search(self, provider: SearchProvider) -> None:
        self.search = [p for p in self.search if p.key != provider.key] + [provider]

    def add_panel(self, slot: str, panel: Panel) -> None:
        panels = [p for p in self.panels.get(slot, []) if p.key != panel.key] + [panel]
        self.panels[slot] = sorted(panels, key=lambda p: p.order)

    def nav_for(self, user: Any) -> list[NavItem]:
        return sorted((i for i in self.nav if i.allowed(user)), key=lambda i: (i.section, i.order))

    def panels_for(self, slot: str, user: Any, obj: Any) -> list[Panel]:
        return [p for p in self.panels.get(slot, []) if p.visible(user, obj)]

    def run_search(self, user: Any, query: str, limit: int = 8) -> list[tuple[SearchProvider, list[SearchHit]]]:
        results = []
        for provider in sorted(self.search, key=lambda p: p.order):
            hits = list(provider.search(user, query, limit))
            if hits:
                results.append((provider, hits))
        return results


registry = Registry()
