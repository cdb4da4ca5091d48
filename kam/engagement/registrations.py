"""What the engagement app adds to the shared registries: navigation, panels, notification kinds."""

from __future__ import annotations


def register_all() -> None:
    from django.utils.translation import gettext_lazy as _

    from kam.core.notifications import register_kind

    register_kind(
        "visit.overdue",
        _("Customer overdue for a visit"),
        description=_("Weekly reminder for each of your customers whose last visit is older than its cadence."),
    )
