from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from kam.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kam.core.models import AuditEntry
from kam.engagement import services
from kam.engagement.models import AccountPlan

pytestmark = pytest.mark.django_db


def make_plan(users: dict[str, Any], customers: dict[str, Any], **kwargs: Any) -> AccountPlan:
    args: dict[str, Any] = {
        "customer": customers["hq"],
        "year": 2026,
        "stage": "deepen",
        "revenue_goal": Decimal("1200000.00"),
        "share_of_wallet_goal": Decimal("35.50"),
        "strategy": "以专线扩容带动云业务",
        "actor": users["am"],
    }
    args.update(kwargs)
    return services.create_plan(**args)


def test_one_plan_per_customer_and_year(users, customers) -> None:
    make_plan(users, customers)
    with pytest.raises(Conflict) as err:
        make_plan(users, customers)
    assert err.value.code == "plan_exists"
    make_plan(users, customers, year=2027)
    assert AccountPlan.objects.count() == 2


def test_goal_ranges(users, customers) -> None:
    with pytest.raises(ValidationFailed) as err:
        make_plan(users, customers, share_of_wallet_goal=Decimal("120"))
    assert "share_of_wallet_goal" in err.value.fields


def test_workflow_submit_approve(users, customers) -> None:
    plan = make_plan(users, customers)
    services.add_swot_item(plan=plan, kind="S", text="光纤到楼", actor=users["am"])
    services.add_action(plan=plan, text="CIO 拜访", owner=users["am"], due_date=date(2026, 12, 1), actor=users["am"])
    # the engineer on the team sees the plan but may not submit it
    with pytest.raises(Forbidden):
        services.submit_plan(plan=plan, actor=users["engineer"])
    # an AM of another team does not even see it
    with pytest.raises(NotFound):
        services.submit_plan(plan=plan, actor=users["am_other"])
    plan = services.submit_plan(plan=plan, actor=users["am"])
    assert (plan.status, plan.submitted_by) == ("submitted", users["am"])
    # no edits while submitted
    with pytest.raises(Conflict):
        services.update_plan(plan=plan, actor=users["am"], strategy="改")
    with pytest.raises(Conflict):
        services.add_swot_item(plan=plan, kind="T", text="移动低价", actor=users["am"])
    with pytest.raises(Conflict):
        services.submit_plan(plan=plan, actor=users["am"])
    # the AM may not approve their own plan; the other region's director does not see it
    with pytest.raises(Forbidden):
        services.approve_plan(plan=plan, actor=users["am"])
    with pytest.raises(NotFound):
        services.approve_plan(plan=plan, actor=users["director_hn"])
    plan = services.approve_plan(plan=plan, actor=users["director"])
    assert (plan.status, plan.decided_by) == ("approved", users["director"])
    with pytest.raises(Conflict):
        services.update_plan(plan=plan, actor=users["director"], stage="integrate")
    with pytest.raises(Conflict):
        services.return_plan(plan=plan, note="x", actor=users["director"])
    # executing the plan: action status and reviews still move
    action = plan.actions.get()
    services.update_action(action=action, status="done", actor=users["am"])
    with pytest.raises(Conflict):
        services.update_action(action=action, text="改写", actor=users["am"])
    services.add_review(plan=plan, date=date(2026, 12, 5), event="招标失利", lessons="提前介入", actor=users["am"])
    statuses = [
        e.changes["status"]
        for e in AuditEntry.objects.filter(model="accountplan", object_pk=str(plan.pk)).order_by("id")
        if "status" in e.changes
    ]
    assert statuses == [[None, "draft"], ["draft", "submitted"], ["submitted", "approved"]]


def test_workflow_return_and_resubmit(users, customers) -> None:
    plan = make_plan(users, customers)
    services.submit_plan(plan=plan, actor=users["am"])
    with pytest.raises(ValidationFailed):
        services.return_plan(plan=plan, note="  ", actor=users["director"])
    plan = services.return_plan(plan=plan, note="份额目标过低", actor=users["director"])
    assert (plan.status, plan.return_note) == ("returned", "份额目标过低")
    entry = AuditEntry.objects.filter(model="accountplan", object_pk=str(plan.pk)).order_by("-id").first()
    assert entry.note == "returned: 份额目标过低"
    plan = services.update_plan(plan=plan, actor=users["am"], share_of_wallet_goal=Decimal("45"))
    assert plan.share_of_wallet_goal == Decimal("45")
    services.submit_plan(plan=plan, actor=users["am"])
    plan = services.approve_plan(plan=plan, actor=users["admin"])
    assert (plan.status, plan.return_note) == ("approved", "")


def test_only_draft_plans_are_deleted(users, customers) -> None:
    plan = make_plan(users, customers)
    services.submit_plan(plan=plan, actor=users["am"])
    with pytest.raises(Conflict):
        services.delete_plan(plan=plan, actor=users["am"])
    other = make_plan(users, customers, year=2027)
    services.delete_plan(plan=other, actor=users["am"])
    assert list(AccountPlan.objects.values_list("year", flat=True)) == [2026]
