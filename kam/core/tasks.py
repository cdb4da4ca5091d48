"""Background work of the core app, and the pattern every app follows.

``kam worker`` (huey's ``run_huey``) imports the ``tasks`` module of every installed app, so a task or a
periodic task is registered by defining it in ``<app>/tasks.py``:

* ``@db_task()`` for work queued from a service — always from ``transaction.on_commit`` so a rolled-back
  transaction queues nothing;
* ``@db_periodic_task(crontab(...))`` for scheduled work (the consumer's scheduler enqueues it; times are in
  the ``TIME_ZONE`` of the settings). Keep the body a call to a service, so it is testable without huey.

The queue is SQLite (``var/huey.sqlite3``) unless ``REDIS_URL`` is set (settings.py).
"""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, task

from kam.core import notifications

logger = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 180


def notification_retention_days() -> int:
    value = getattr(settings, "KAM_NOTIFICATION_RETENTION_DAYS", None)
    if value is None:
        value = os.environ.get("KAM_NOTIFICATION_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS
    return int(value)


@task(retries=3, retry_delay=60)
def send_emails(messages: list[dict[str, str]]) -> int:
    """Send prepared e-mails (``to``, ``subject``, ``body``) over one connection; returns how many went."""
    outgoing = [
        EmailMessage(subject=m["subject"], body=m["body"], from_email=settings.DEFAULT_FROM_EMAIL, to=[m["to"]])
        for m in messages
        if m.get("to")
    ]
    if not outgoing:
        return 0
    with get_connection() as connection:
        sent = connection.send_messages(outgoing) or 0
    logger.info("sent %d of %d notification e-mails", sent, len(outgoing))
    return sent


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_read_notifications() -> int:
    """Nightly: delete read notifications older than ``KAM_NOTIFICATION_RETENTION_DAYS`` (180)."""
    deleted = notifications.purge_read(older_than_days=notification_retention_days())
    logger.info("purged %d read notifications", deleted)
    return deleted
