from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "kam.identity"
    label = "identity"
    verbose_name = _("Identity")

    def ready(self) -> None:
        from kam.core.registry import NavItem, registry
        from kam.identity import demo  # noqa: F401  (registers the "identity" demo step)

        admins_only: frozenset[str] = frozenset()
        registry.add_nav(
            NavItem("users", _("Users"), "identity:users", icon="users", section="admin", order=100, roles=admins_only)
        )
        registry.add_nav(
            NavItem(
                "org-units",
                _("Org units"),
                "identity:org-units",
                icon="sitemap",
                section="admin",
                order=110,
                roles=admins_only,
            )
        )
