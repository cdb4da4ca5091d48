"""Background work of the lines app: discovery runs queued from the UI and the API."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

logger = logging.getLogger(__name__)


@db_task()
def discover_device_task(run_id: int) -> str:
    from kam.lines.discovery import discover_device
    from kam.lines.models import DiscoveryRun

    run = DiscoveryRun.objects.select_related("device").filter(pk=run_id).first()
    if run is None:
        return "gone"
    run = discover_device(device=run.device, run=run)
    logger.info("discovery of %s: %s", run.device, run.status)
    return str(run.status)
