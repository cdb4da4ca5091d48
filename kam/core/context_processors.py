from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from kam.core.models import Notification
from kam.core.registry import registry


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_name": settings.KAM_SITE_NAME}
    return {
        "site_name": settings.KAM_SITE_NAME,
        "nav_items": registry.nav_for(user),
        "unread_notifications": Notification.objects.for_user(user).unread().count(),
    }
