"""Notifications: kinds, channels and the ``notify`` port every app calls.

An app registers the kinds it sends in its ``AppConfig.ready()``::

    from kam.core.notifications import register_kind
    register_kind("ticket.assigned", _("Ticket assigned to me"), default_channels=("inapp", "email"))

and sends with ``notify(recipients=[user], kind="ticket.assigned", title=…, body=…, url=…)``. Every
notification is stored as an inbox row (``Notification``) unless the recipient switched the kind off on the
``inapp`` channel; the other channels (``email`` built in; SMS, WeCom … added with ``register_channel``)
are dispatched per the recipient's ``NotificationPreference`` rows, falling back to the kind's default
channels. Channels that leave the process (e-mail) queue their work with ``transaction.on_commit``, so a
rolled-back transaction sends nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urljoin

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kam.core.errors import ValidationFailed
from kam.core.models import Notification, NotificationPreference

INAPP = "inapp"
EMAIL = "email"
DEDUPE_WINDOW = timedelta(hours=24)
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


# --- Kinds ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: Any  # lazy translation
    default_channels: tuple[str, ...] = (INAPP,)
    description: Any = ""


_kinds: dict[str, NotificationKind] = {}


def register_kind(
    code: str, label: Any, default_channels: Sequence[str] = (INAPP,), description: Any = ""
) -> NotificationKind:
    """Declare a kind of notification; registering the same code again replaces it."""
    if not code or len(code) > 64:
        raise ValueError(f"A notification kind code has 1 to 64 characters: {code!r}")
    kind = NotificationKind(
        code=code, label=label, default_channels=tuple(default_channels), description=description
    )
    _kinds[code] = kind
    return kind


def kinds() -> list[NotificationKind]:
    """Every registered kind, ordered by code."""
    return [_kinds[code] for code in sorted(_kinds)]


def get_kind(code: str) -> NotificationKind:
    try:
        return _kinds[code]
    except KeyError:
        raise ValidationFailed(
            gettext("Unknown notification kind %(kind)s.") % {"kind": code},
            code="unknown_kind",
            fields={"kind": [gettext("Unknown notification kind %(kind)s.") % {"kind": code}]},
        ) from None


# --- Channels -------------------------------------------------------------------------------------------


@runtime_checkable
class Channel(Protocol):
    """Delivers notifications outside the inbox. ``send`` runs inside the caller's transaction: anything
    that leaves the process must be deferred with ``transaction.on_commit`` (or a huey task queued there).
    The notifications passed may be unsaved when the recipient switched the in-app inbox off."""

    name: str
    label: Any

    def send(self, notifications: list[Notification]) -> None: ...


class InAppChannel:
    """The inbox. ``notify`` has stored the rows already; nothing more to do."""

    name = INAPP
    label = _("In-app inbox")

    def send(self, notifications: list[Notification]) -> None:
        return None


def base_url() -> str:
    return str(getattr(settings, "KAM_BASE_URL", "") or os.environ.get("KAM_BASE_URL") or DEFAULT_BASE_URL)


def absolute_url(url: str) -> str:
    if not url:
        return ""
    return urljoin(base_url().rstrip("/") + "/", url)


def email_message(notification: Notification) -> dict[str, str]:
    """The e-mail for one notification, as plain data (so it can travel through the task queue)."""
    body = notification.body.strip()
    link = absolute_url(notification.url)
    if link:
        body = f"{body}\n\n{link}" if body else link
    return {"to": notification.recipient.email, "subject": notification.title, "body": body}


class EmailChannel:
    """One e-mail per recipient, sent by a huey task queued when the transaction commits."""

    name = EMAIL
    label = _("E-mail")

    def send(self, notifications: list[Notification]) -> None:
        messages = [email_message(n) for n in notifications if n.recipient.email]
        if not messages:
            return

        def enqueue() -> None:
            from kam.core.tasks import send_emails

            send_emails(messages)

        transaction.on_commit(enqueue)


_channels: dict[str, Channel] = {}


def register_channel(channel: Channel) -> Channel:
    """Add (or replace) a delivery channel, e.g. SMS or WeCom, from an integration app's ``ready()``."""
    if not isinstance(channel, Channel):
        raise TypeError(f"{channel!r} does not implement the Channel protocol (name, label, send)")
    _channels[channel.name] = channel
    return channel


def channels() -> list[Channel]:
    """Every registered channel, the inbox first."""
    return sorted(_channels.values(), key=lambda c: (c.name != INAPP, c.name))


def get_channel(name: str) -> Channel:
    try:
        return _channels[name]
    except KeyError:
        raise ValidationFailed(
            gettext("Unknown notification channel %(channel)s.") % {"channel": name},
            code="unknown_channel",
            fields={"channel": [gettext("Unknown notification channel %(channel)s.") % {"channel": name}]},
        ) from None


register_channel(InAppChannel())
register_channel(EmailChannel())
register_kind(
    "system",
    _("System messages"),
    default_channels=(INAPP,),
    description=_("Announcements and messages from the administrators."),
)


# --- Preferences ----------------------------------------------------------------------------------------


def _preferences(user_ids: Iterable[int], kind: str | None = None) -> dict[tuple[int, str, str], bool]:
    qs = NotificationPreference.objects.filter(user_id__in=list(user_ids))
    if kind is not None:
        qs = qs.filter(kind=kind)
    return {(p.user_id, p.kind, p.channel): p.enabled for p in qs}


def _enabled(prefs: dict[tuple[int, str, str], bool], user_id: int, kind: NotificationKind, channel: str) -> bool:
    explicit = prefs.get((user_id, kind.code, channel))
    return channel in kind.default_channels if explicit is None else explicit


def is_enabled(*, user: Any, kind: str, channel: str) -> bool:
    """Whether ``user`` receives ``kind`` on ``channel`` (their preference, else the kind's default)."""
    return _enabled(_preferences([user.pk], kind), user.pk, get_kind(kind), channel)


@dataclass(frozen=True)
class PreferenceRow:
    kind: NotificationKind
    channels: dict[str, bool]  # channel name → enabled


def preference_matrix(user: Any) -> list[PreferenceRow]:
    """The user's effective settings: one row per kind, one flag per channel (two queries at most)."""
    prefs = _preferences([user.pk])
    names = [c.name for c in channels()]
    return [
        PreferenceRow(kind=kind, channels={name: _enabled(prefs, user.pk, kind, name) for name in names})
        for kind in kinds()
    ]


@transaction.atomic
def set_preference(*, user: Any, kind: str, channel: str, enabled: bool) -> NotificationPreference:
    """Switch one kind on one channel on or off for ``user``."""
    get_kind(kind)
    get_channel(channel)
    pref, _created = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, channel=channel, defaults={"enabled": bool(enabled)}
    )
    return pref


# --- Sending --------------------------------------------------------------------------------------------


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Notify users; returns the inbox rows stored.

    Inactive users and recipients who already got a notification with the same ``dedupe_key`` in the last
    24 hours are skipped (the check looks at the inbox, so it cannot hold back the other channels of a
    recipient who switched the kind off in the inbox). Inbox rows are written in one ``bulk_create`` for
    those who have not switched the kind off on the inbox; every other channel gets the notifications of the
    recipients who have it on.
    """
    spec = get_kind(kind)
    title = force_str(title)[:255]
    body = force_str(body)
    url = force_str(url)[:500]
    dedupe_key = dedupe_key[:200]
    unique: dict[int, Any] = {}
    for user in recipients:
        if user is not None and user.pk is not None and user.is_active:
            unique.setdefault(user.pk, user)
    if not unique:
        return []
    with transaction.atomic():
        if dedupe_key:
            since = timezone.now() - DEDUPE_WINDOW
            seen = set(
                Notification.objects.filter(
                    recipient_id__in=list(unique), dedupe_key=dedupe_key, created_at__gte=since
                ).values_list("recipient_id", flat=True)
            )
            for user_id in seen:
                unique.pop(user_id, None)
            if not unique:
                return []
        prefs = _preferences(unique, kind)
        drafts = {
            user_id: Notification(
                recipient=user, kind=kind, title=title, body=body, url=url, dedupe_key=dedupe_key
            )
            for user_id, user in unique.items()
        }
        inbox = [n for user_id, n in drafts.items() if _enabled(prefs, user_id, spec, INAPP)]
        stored = Notification.objects.bulk_create(inbox)
        for channel in channels():
            if channel.name == INAPP:
                continue
            batch = [n for user_id, n in drafts.items() if _enabled(prefs, user_id, spec, channel.name)]
            if batch:
                channel.send(batch)
    return stored


@transaction.atomic
def mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of ``user`` as read; returns how many."""
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def unread_count(user: Any) -> int:
    return Notification.objects.for_user(user).unread().count()


@transaction.atomic
def purge_read(*, older_than_days: int) -> int:
    """Delete read notifications created more than ``older_than_days`` ago; returns how many."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _per_model = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    return deleted
