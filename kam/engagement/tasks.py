"""Periodic work of the engagement app (see :mod:`kam.core.tasks` for the pattern)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kam.core.audit import audit_context
from kam.engagement.services import notify_overdue_customers

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="30", hour="8"))
def visit_overdue_reminders() -> int:
    """Daily at 08:30: remind lead AMs of their customers overdue for a visit (once a week per customer)."""
    with audit_context(note="visit overdue reminders"):
        sent = notify_overdue_customers()
    logger.info("sent %d visit-overdue reminders", sent)
    return sent
