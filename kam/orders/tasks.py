"""Periodic work of the orders app: jeopardy levels and the escalation ladder every five minutes."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
def evaluate_jeopardy_task() -> dict[str, int]:
    from kam.core.audit import audit_context
    from kam.core.models.audit import AuditSource
    from kam.orders.services import evaluate_jeopardy

    with audit_context(source=AuditSource.SYSTEM, note="jeopardy"):
        run = evaluate_jeopardy()
    logger.info("work-order jeopardy: %s", run)
    return {"evaluated": run.evaluated, "at_risk": run.at_risk, "late": run.late, "escalations": run.escalations}
