from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from kam.core import notifications
from kam.core.errors import ValidationFailed
from kam.core.models import Notification, NotificationPreference
from kam.core.notifications import (
    kinds,
    mark_all_read,
    notify,
    preference_matrix,
    register_channel,
    register_kind,
    set_preference,
)
from kam.core.testing import api_client, assert_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def registries() -> Iterator[None]:
    """Only the built-in kind and the test kinds (other apps' kinds hidden), restored afterwards."""
    saved_kinds, saved_channels = dict(notifications._kinds), dict(notifications._channels)
    notifications._kinds.clear()
    notifications._kinds["system"] = saved_kinds["system"]
    register_kind("test.alarm", "Alarm on my customer", default_channels=("inapp", "email"), description="d")
    register_kind("test.digest", "Weekly digest")
    yield
    notifications._kinds.clear()
    notifications._kinds.update(saved_kinds)
    notifications._channels.clear()
    notifications._channels.update(saved_channels)


@pytest.fixture
def huey_immediate() -> Iterator[Any]:
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = before


@pytest.fixture
def staff(users: dict[str, Any]) -> dict[str, Any]:
    for name in ("am", "director", "noc"):
        users[name].email = f"{name}@example.cn"
        users[name].save(update_fields=["email"])
    return users


def test_notify_stores_inbox_rows_and_sends_one_email_per_recipient(
    staff: dict[str, Any], huey_immediate: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.KAM_BASE_URL = "https://kam.example.cn"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stored = notify(
            recipients=[staff["am"], staff["director"], staff["am"]],
            kind="test.alarm",
            title="线路中断：广州示例集团",
            body="电路 GZ-DIA-0001 中断",
            url="/lines/1/",
        )
    assert len(callbacks) == 1
    assert sorted(n.recipient.username for n in stored) == ["am", "director"]
    assert all(n.pk is not None for n in stored)
    rows = Notification.objects.order_by("recipient__username")
    assert [(n.recipient.username, n.kind, n.title, n.url, n.read_at) for n in rows] == [
        ("am", "test.alarm", "线路中断：广州示例集团", "/lines/1/", None),
        ("director", "test.alarm", "线路中断：广州示例集团", "/lines/1/", None),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["am@example.cn", "director@example.cn"]
    message = mail.outbox[0]
    assert len(message.to) == 1
    assert message.subject == "线路中断：广州示例集团"
    assert message.body == "电路 GZ-DIA-0001 中断\n\nhttps://kam.example.cn/lines/1/"


def test_email_waits_for_commit_and_is_dropped_on_rollback(
    staff: dict[str, Any], huey_immediate: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[staff["am"]], kind="test.alarm", title="t")
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert mail.outbox == []  # not executed: nothing left the process before the commit

    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        notify(recipients=[staff["director"]], kind="test.alarm", title="rolled back")
        raise Boom
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.filter(title="rolled back").exists()


def test_default_link_uses_local_base_url(staff: dict[str, Any]) -> None:
    note = Notification(recipient=staff["am"], kind="test.alarm", title="t", body="", url="/x/")
    assert notifications.email_message(note) == {"to": "am@example.cn", "subject": "t", "body": "http://127.0.0.1:8000/x/"}


def test_preferences_are_respected(
    staff: dict[str, Any], huey_immediate: Any, django_capture_on_commit_callbacks: Any
) -> None:
    set_preference(user=staff["am"], kind="test.alarm", channel="inapp", enabled=False)  # e-mail only
    set_preference(user=staff["director"], kind="test.alarm", channel="email", enabled=False)  # inbox only
    # noc keeps the defaults (inbox + e-mail)
    with django_capture_on_commit_callbacks(execute=True):
        stored = notify(recipients=[staff["am"], staff["director"], staff["noc"]], kind="test.alarm", title="a")
    assert sorted(n.recipient.username for n in stored) == ["director", "noc"]
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["director", "noc"]
    assert sorted(m.to[0] for m in mail.outbox) == ["am@example.cn", "noc@example.cn"]

    # a kind whose default is the inbox only: e-mail only for who asked for it
    set_preference(user=staff["noc"], kind="test.digest", channel="email", enabled=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        stored = notify(recipients=[staff["am"], staff["noc"]], kind="test.digest", title="digest")
    assert sorted(n.recipient.username for n in stored) == ["am", "noc"]
    assert [m.to for m in mail.outbox] == [["noc@example.cn"]]


def test_users_without_address_or_inactive_get_no_email(
    users: dict[str, Any], huey_immediate: Any, django_capture_on_commit_callbacks: Any
) -> None:
    users["finance"].is_active = False
    users["finance"].email = "finance@example.cn"
    users["finance"].save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stored = notify(recipients=[users["engineer"], users["finance"]], kind="test.alarm", title="t")
    assert [n.recipient.username for n in stored] == ["engineer"]
    assert callbacks == []
    assert mail.outbox == []


def test_dedupe_key_skips_the_same_recipient_for_24_hours(
    staff: dict[str, Any], huey_immediate: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(recipients=[staff["am"]], kind="test.alarm", title="t", dedupe_key="alarm:42")
        again = notify(recipients=[staff["am"], staff["director"]], kind="test.alarm", title="t", dedupe_key="alarm:42")
        other_key = notify(recipients=[staff["am"]], kind="test.alarm", title="t", dedupe_key="alarm:43")
        no_key = notify(recipients=[staff["am"]], kind="test.alarm", title="t")
    assert len(first) == 1
    assert [n.recipient.username for n in again] == ["director"]
    assert len(other_key) == 1 and len(no_key) == 1
    assert Notification.objects.filter(recipient=staff["am"]).count() == 3
    assert len(mail.outbox) == 4
    # older than the window: sent again
    Notification.objects.filter(dedupe_key="alarm:42").update(created_at=timezone.now() - timedelta(hours=25))
    assert len(notify(recipients=[staff["am"]], kind="test.alarm", title="t", dedupe_key="alarm:42")) == 1
    Notification.objects.filter(dedupe_key="alarm:42").update(created_at=timezone.now() - timedelta(hours=23))
    assert notify(recipients=[staff["am"]], kind="test.alarm", title="t", dedupe_key="alarm:42") == []


def test_registered_channel_receives_what_preferences_allow(staff: dict[str, Any]) -> None:
    sent: list[tuple[str, str]] = []

    class Sms:
        name = "sms"
        label = "SMS"

        def send(self, batch: list[Notification]) -> None:
            sent.extend((n.recipient.username, n.title) for n in batch)

    register_channel(Sms())
    register_kind("test.outage", "Outage", default_channels=("inapp", "sms"))
    set_preference(user=staff["director"], kind="test.outage", channel="sms", enabled=False)
    notify(recipients=[staff["am"], staff["director"]], kind="test.outage", title="断")
    assert sent == [("am", "断")]
    with pytest.raises(TypeError):
        register_channel(object())  # type: ignore[arg-type]


def test_unknown_kind_and_channel_are_rejected(users: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as exc:
        notify(recipients=[users["am"]], kind="nope", title="t")
    assert exc.value.code == "unknown_kind"
    with pytest.raises(ValidationFailed) as exc:
        set_preference(user=users["am"], kind="test.alarm", channel="pigeon", enabled=True)
    assert exc.value.code == "unknown_channel"
    assert NotificationPreference.objects.count() == 0
    assert Notification.objects.count() == 0


def test_preference_matrix_and_set_preference(users: dict[str, Any]) -> None:
    assert [k.code for k in kinds()] == ["system", "test.alarm", "test.digest"]
    pref = set_preference(user=users["am"], kind="test.digest", channel="email", enabled=True)
    assert set_preference(user=users["am"], kind="test.digest", channel="email", enabled=False).pk == pref.pk
    set_preference(user=users["am"], kind="test.alarm", channel="inapp", enabled=False)
    matrix = {row.kind.code: row.channels for row in preference_matrix(users["am"])}
    assert matrix == {
        "system": {"inapp": True, "email": False},
        "test.alarm": {"inapp": False, "email": True},
        "test.digest": {"inapp": True, "email": False},
    }
    # another user's matrix is untouched
    assert {row.kind.code: row.channels for row in preference_matrix(users["director"])}["test.alarm"] == {
        "inapp": True,
        "email": True,
    }


def test_mark_all_read_touches_only_own_unread(users: dict[str, Any]) -> None:
    notify(recipients=[users["am"], users["director"]], kind="test.digest", title="t")
    notify(recipients=[users["am"]], kind="test.digest", title="t2")
    assert mark_all_read(user=users["am"]) == 2
    assert mark_all_read(user=users["am"]) == 0
    assert Notification.objects.filter(recipient=users["director"], read_at__isnull=True).count() == 1


# --- API ------------------------------------------------------------------------------------------------

ALL_ROLES = ["admin", "director", "am", "engineer", "noc", "finance", "customer"]


def test_kinds_endpoint(users: dict[str, Any]) -> None:
    assert_matrix(url="/api/v1/notification-kinds", api=True, allowed=[users[r] for r in ALL_ROLES], denied=[])
    response = api_client(users["am"]).get("/api/v1/notification-kinds")
    assert response.json()[1] == {
        "code": "test.alarm",
        "label": "Alarm on my customer",
        "description": "d",
        "default_channels": ["inapp", "email"],
    }


def test_preferences_endpoints(users: dict[str, Any]) -> None:
    url = "/api/v1/notification-preferences"
    assert_matrix(url=url, api=True, allowed=[users[r] for r in ALL_ROLES], denied=[])
    payload = {"preferences": [{"kind": "test.alarm", "channel": "email", "enabled": False}]}

    def state() -> list[tuple[int, str, str, bool]]:
        return list(NotificationPreference.objects.order_by("pk").values_list("user_id", "kind", "channel", "enabled"))

    assert_matrix(url=url, method="put", data=payload, api=True, allowed=[users["am"]], denied=[], state=state)
    assert state() == [(users["am"].pk, "test.alarm", "email", False)]

    client = api_client(users["director"])
    body = client.get(url).json()
    assert [c["name"] for c in body["channels"]] == ["inapp", "email"]
    assert body["kinds"][1] == {
        "kind": "test.alarm",
        "label": "Alarm on my customer",
        "description": "d",
        "channels": {"inapp": True, "email": True},
    }
    response = client.put(url, payload, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["kinds"][1]["channels"] == {"inapp": True, "email": False}


def test_preferences_put_is_all_or_nothing(users: dict[str, Any]) -> None:
    payload = {
        "preferences": [
            {"kind": "test.alarm", "channel": "email", "enabled": False},
            {"kind": "test.alarm", "channel": "pigeon", "enabled": True},
        ]
    }
    response = api_client(users["am"]).put(
        "/api/v1/notification-preferences", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_channel"
    assert list(response.json()["fields"]) == ["preferences.1.channel"]
    assert NotificationPreference.objects.count() == 0


def test_read_all_endpoint(users: dict[str, Any]) -> None:
    notify(recipients=[users["am"], users["director"], users["customer"]], kind="test.digest", title="t")

    def others_unread() -> int:
        return Notification.objects.filter(read_at__isnull=True).exclude(recipient=users["am"]).count()

    assert others_unread() == 2
    response = Client().post("/api/v1/notifications/read-all")
    assert response.status_code == 401
    response = api_client(users["am"]).post("/api/v1/notifications/read-all")
    assert response.status_code == 200
    assert response.json() == {"count": 1}
    assert others_unread() == 2
    assert api_client(users["customer"]).post("/api/v1/notifications/read-all").json() == {"count": 1}
    assert others_unread() == 1
