from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from kam.core.models import Notification
from kam.core.tasks import purge_read_notifications, send_emails

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def huey_immediate() -> Iterator[Any]:
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = before


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="kam.config.settings", KAM_VAR_DIR=str(tmp_path), **extra)
    return env


HUEY_CLASS = (
    "import django; django.setup(); from huey.contrib.djhuey import HUEY; "
    "print(type(HUEY).__name__, HUEY.immediate)"
)


def test_redis_url_switches_the_queue_to_redis(tmp_path: Path) -> None:
    plain = subprocess.run(
        [sys.executable, "-c", HUEY_CLASS], env=_env(tmp_path), capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert plain.stdout.split() == ["SqliteHuey", "False"]
    redis = subprocess.run(
        [sys.executable, "-c", HUEY_CLASS],
        env=_env(tmp_path, REDIS_URL="redis://127.0.0.1:6399/3"),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert redis.stdout.split() == ["PriorityRedisHuey", "False"]


@pytest.mark.django_db
def test_housekeeping_deletes_exactly_the_old_read_rows(users: dict[str, Any], huey_immediate: Any) -> None:
    now = timezone.now()
    user = users["am"]

    def make(title: str, age_days: int, read: bool) -> Notification:
        note = Notification.objects.create(recipient=user, kind="system", title=title)
        Notification.objects.filter(pk=note.pk).update(
            created_at=now - timedelta(days=age_days), read_at=now if read else None
        )
        return note

    make("old read", 181, True)
    make("very old read", 400, True)
    make("old unread", 400, False)
    make("recent read", 179, True)
    make("new unread", 0, False)
    purge_read_notifications()  # immediate mode: runs now (periodic tasks keep no result)
    assert sorted(Notification.objects.values_list("title", flat=True)) == ["new unread", "old unread", "recent read"]


@pytest.mark.django_db
def test_retention_is_configurable(users: dict[str, Any], settings: Any) -> None:
    settings.KAM_NOTIFICATION_RETENTION_DAYS = 30
    note = Notification.objects.create(recipient=users["am"], kind="system", title="t")
    Notification.objects.filter(pk=note.pk).update(
        created_at=timezone.now() - timedelta(days=31), read_at=timezone.now()
    )
    assert purge_read_notifications.call_local() == 1
    assert Notification.objects.count() == 0


def test_periodic_task_is_scheduled_nightly() -> None:
    from datetime import datetime

    task = purge_read_notifications.s()
    assert task.validate_datetime(datetime(2026, 11, 2, 3, 17)) is True
    assert task.validate_datetime(datetime(2026, 11, 2, 3, 18)) is False
    assert task.validate_datetime(datetime(2026, 11, 2, 4, 17)) is False


def test_send_emails_skips_messages_without_address(huey_immediate: Any) -> None:
    from django.core import mail

    result = send_emails([{"to": "a@example.cn", "subject": "s", "body": "b"}, {"to": "", "subject": "x", "body": ""}])
    assert result() == 1
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [(["a@example.cn"], "s", "b")]


def _catches(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has a handler for ``signum`` (Linux: SigCgt in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signum - 1)))
    return False


@pytest.mark.slow
def test_kam_worker_starts_and_stops_cleanly(tmp_path: Path) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-m", "kam.cli", "worker"],
        env=_env(tmp_path),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert worker.stdout is not None
        seen: list[str] = []
        deadline = time.monotonic() + 180  # generous: a busy CI machine starts slowly
        while time.monotonic() < deadline:
            line = worker.stdout.readline()
            if not line:
                break
            seen.append(line)
            if "kam.core.tasks.purge_read_notifications" in line:
                break  # the consumer listed the periodic task: it has started with the app's tasks loaded
        assert any("kam.core.tasks.purge_read_notifications" in line for line in seen), "".join(seen)
        # the consumer installs its SIGTERM handler right after listing its tasks; wait for it
        while time.monotonic() < deadline and not _catches(worker.pid, signal.SIGTERM):
            time.sleep(0.1)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        assert "Consumer exiting" in worker.stdout.read()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
