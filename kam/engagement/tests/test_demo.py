from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from kam.core.demo import DemoContext, steps
from kam.engagement import demo
from kam.engagement.models import AccountPlan, CompetitorPresence, Feedback, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(users: dict[str, Any], customers: dict[str, Any], regions: dict[str, Any], org: dict[str, Any]):
    from kam.customers.models import AccountTeamMember, Customer

    grades = ("A1", "A2", "B1", "B2", "C", "D")
    for i in range(60):
        customer = Customer.objects.create(
            name=f"示例客户{i:02d}有限公司",
            short_name=f"客户{i:02d}",
            value_grade=grades[i % 6],
            region=regions["gz"],
            org_unit=org["gz"],
        )
        AccountTeamMember.objects.create(customer=customer, user=users["am"], role="lead_am", credit_share=100)


def state() -> Any:
    return (
        sorted(Visit.objects.values_list("customer_id", "status", "occurred_at", "purpose")),
        sorted(AccountPlan.objects.values_list("customer_id", "status", "revenue_goal")),
        sorted(CompetitorPresence.objects.values_list("customer_id", "competitor__name", "strength")),
        sorted(Feedback.objects.values_list("customer_id", "kind", "status", "collected_at", "closed_at")),
    )


def test_demo_is_registered_after_contacts() -> None:
    assert steps["engagement"].order == 40


def test_demo_covers_every_state_and_is_deterministic(portfolio) -> None:
    from django.utils import timezone

    ctx = DemoContext(scale="small", seed=7, log=lambda m: None)
    demo.build(ctx)
    first = state()
    assert Counter(AccountPlan.objects.values_list("status", flat=True)).keys() == {
        "draft",
        "submitted",
        "approved",
        "returned",
    }
    assert set(Feedback.objects.values_list("status", flat=True)) == {"collected", "routed", "decided", "closed"}
    assert set(Visit.objects.values_list("status", flat=True)) >= {"done", "planned"}
    assert CompetitorPresence.objects.exists()
    # every done visit is in the past, and closed feedback was decided first
    assert not Visit.objects.filter(status="done", occurred_at__gt=ctx.now).exists()
    for fb in Feedback.objects.filter(status="closed"):
        assert fb.collected_at <= fb.routed_at <= fb.decided_at <= fb.closed_at <= ctx.now
    # some customers are overdue at the demo's "now", not all
    from kam.customers.models import Customer
    from kam.engagement.queries import overdue_customers

    overdue = overdue_customers(Customer.objects.all(), timezone.localdate(ctx.now)).count()
    assert 0 < overdue < Customer.objects.count()
    for model in (Visit, AccountPlan, CompetitorPresence, Feedback):
        model.objects.all().delete()
    demo.build(DemoContext(scale="small", seed=7, log=lambda m: None))
    assert state() == first
