"""The orders demo step: orders in every stage and state, deterministic for a seed."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def _world(env: dict[str, Any]) -> None:
    from kam.customers.models import Contact, Customer

    # a few more customers (with a contact each) so that the step has something to spread over
    for i in range(6):
        customer = Customer.objects.create(name=f"演示客户{i}有限公司", value_grade="B1", region=env["regions"]["gz"])
        Contact.objects.create(customer=customer, name=f"联系人{i}")


def _snapshot() -> list[tuple[Any, ...]]:
    from kam.orders.models import WorkOrder

    return list(
        WorkOrder.objects.order_by("number").values_list("number", "kind", "status", "stage", "jeopardy", "due_at")
    )


def _clear() -> None:
    from kam.lines.models import Line
    from kam.orders.models import WorkOrder, WorkOrderTemplate

    line_ids = list(WorkOrder.objects.exclude(line=None).filter(kind="new").values_list("line_id", flat=True))
    WorkOrder.objects.filter(parent__isnull=False).delete()
    WorkOrder.objects.all().delete()
    Line.objects.filter(pk__in=line_ids).delete()
    WorkOrderTemplate.objects.all().delete()


def test_demo_step_registered_after_lines() -> None:
    from kam.core import demo

    assert demo.steps["orders"].order == 60 > demo.steps["lines"].order


def test_demo_orders_cover_the_states_and_are_deterministic(env: dict[str, Any]) -> None:
    from kam.core.demo import DemoContext
    from kam.orders.demo import build
    from kam.orders.models import Escalation, ExtensionRequest, WorkOrder, WorkOrderPause

    _world(env)
    ctx = DemoContext(scale="small", seed=5, log=lambda s: None)
    build(ctx)
    first = _snapshot()
    statuses = Counter(WorkOrder.objects.values_list("status", flat=True))
    stages = set(WorkOrder.objects.running().values_list("stage", flat=True))
    assert statuses["completed"] >= 10 and statuses["in_progress"] >= 10 and statuses["draft"] >= 1
    assert len(stages) >= 5
    assert WorkOrderPause.objects.filter(customer_caused=True).exists()
    assert ExtensionRequest.objects.filter(status="approved").exists()
    assert WorkOrder.objects.filter(counted_late=True).exists()
    assert WorkOrder.objects.running().filter(jeopardy="late").exists()
    assert Escalation.objects.exists()
    assert WorkOrder.objects.filter(parent__isnull=False).exists()
    _clear()
    build(DemoContext(scale="small", seed=5, log=lambda s: None))
    assert _snapshot() == first


def test_every_demo_order_page_renders(env: dict[str, Any]) -> None:
    from kam.core.demo import DemoContext
    from kam.core.testing import ui_client
    from kam.orders.demo import build
    from kam.orders.models import WorkOrder

    _world(env)
    build(DemoContext(scale="small", seed=9, log=lambda s: None))
    sample: dict[tuple[str, str, bool], int] = {}
    for pk, status, stage, parent in WorkOrder.objects.values_list("pk", "status", "stage", "parent_id"):
        sample.setdefault((status, stage, parent is None), pk)
    client = ui_client(env["admin"])
    for pk in sample.values():
        for tab in ("overview", "clocks", "children", "tests"):
            r = client.get(f"/work-orders/{pk}/", {"tab": tab})
            assert r.status_code == 200, (pk, tab)
    assert (
        client.get("/work-orders/", {"cols": "number,stage,stage_deadline,jeopardy_badge,completed_at"}).status_code
        == 200
    )
    assert client.get("/work-orders/timeliness/", {"group_by": "grade"}).status_code == 200
    assert client.get("/work-orders/timeliness/", {"group_by": "region"}, HTTP_HX_REQUEST="true").status_code == 200
