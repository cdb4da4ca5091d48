"""Notification kinds, the caller's notification preferences, and marking the inbox read."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.encoding import force_str
from ninja import Router, Schema

from kam.core import notifications
from kam.core.api import responses
from kam.core.errors import ValidationFailed

router = Router(tags=["notifications"])


class NotificationKindOut(Schema):
    code: str
    label: str
    description: str
    default_channels: list[str]


class ChannelOut(Schema):
    name: str
    label: str


class PreferenceRowOut(Schema):
    kind: str
    label: str
    description: str
    channels: dict[str, bool]


class PreferencesOut(Schema):
    channels: list[ChannelOut]
    kinds: list[PreferenceRowOut]


class PreferenceIn(Schema):
    kind: str
    channel: str
    enabled: bool


class PreferencesIn(Schema):
    preferences: list[PreferenceIn]


class ReadAllOut(Schema):
    count: int


def _kind_out(kind: notifications.NotificationKind) -> dict[str, Any]:
    return {
        "code": kind.code,
        "label": force_str(kind.label),
        "description": force_str(kind.description),
        "default_channels": list(kind.default_channels),
    }


def _preferences_out(user: Any) -> dict[str, Any]:
    return {
        "channels": [{"name": c.name, "label": force_str(c.label)} for c in notifications.channels()],
        "kinds": [
            {
                "kind": row.kind.code,
                "label": force_str(row.kind.label),
                "description": force_str(row.kind.description),
                "channels": row.channels,
            }
            for row in notifications.preference_matrix(user)
        ],
    }


@router.get("/notification-kinds", response=responses(200, list[NotificationKindOut]))
def list_kinds(request: HttpRequest) -> Any:
    return [_kind_out(kind) for kind in notifications.kinds()]


@router.get("/notification-preferences", response=responses(200, PreferencesOut))
def get_preferences(request: HttpRequest) -> Any:
    return _preferences_out(request.user)


@router.put("/notification-preferences", response=responses(200, PreferencesOut))
def put_preferences(request: HttpRequest, payload: PreferencesIn) -> Any:
    """Set some (kind, channel) flags of the caller; all or nothing."""
    with transaction.atomic():
        for index, item in enumerate(payload.preferences):
            try:
                notifications.set_preference(
                    user=request.user, kind=item.kind, channel=item.channel, enabled=item.enabled
                )
            except ValidationFailed as exc:
                fields = {f"preferences.{index}.{name}": msgs for name, msgs in exc.fields.items()}
                raise ValidationFailed(exc.message, code=exc.code, fields=fields) from None
    return _preferences_out(request.user)


@router.post("/notifications/read-all", response=responses(200, ReadAllOut))
def read_all(request: HttpRequest) -> Any:
    return {"count": notifications.mark_all_read(user=request.user)}
