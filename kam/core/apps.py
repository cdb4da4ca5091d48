from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kam.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from kam.core import signals  # noqa: F401  (audit log receivers)
        from kam.core.registry import NavItem, registry

        registry.add_nav(NavItem("home", _("Home"), "core:home", icon="home", section="main", order=0))
        registry.add_nav(NavItem("search", _("Search"), "core:search", icon="search", section="main", order=1))
        registry.add_nav(
            NavItem(
                "audit", _("Audit log"), "core:audit", icon="history", section="admin", order=900, roles=frozenset()
            )
        )
