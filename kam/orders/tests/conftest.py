"""Fixtures of the work-order tests: a known time-limit policy, a contact, an engineer team."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")

STAGE_HOURS = {
    "intake": 16,
    "survey": 8,
    "resource_check": 4,
    "construction": 20,
    "installation": 8,
    "configuration": 4,
    "testing": 4,
    "activation": 2,
    "completion": 8,
}


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def env(
    users: dict[str, Any], customers: dict[str, Any], regions: dict[str, Any], org: dict[str, Any]
) -> dict[str, Any]:
    from kam.customers.models import Contact
    from kam.identity.models import User
    from kam.orders.models import TimeLimitPolicy

    TimeLimitPolicy.objects.all().delete()
    policy = TimeLimitPolicy.objects.create(
        name="test",
        stage_hours={k: str(v) for k, v in STAGE_HOURS.items()},
        at_risk_ratio=Decimal("0.75"),
        escalation_step_hours=Decimal("1"),
    )
    lead = User(username="lead", role="engineer", org_unit=org["gz"], display_name="lead")
    lead.save()
    sz_engineer = User(username="sz_engineer", role="engineer", org_unit=org["sz"], display_name="sz_engineer")
    sz_engineer.save()
    contact = Contact.objects.create(customer=customers["hq"], name="王经理", title="IT")
    branch_contact = Contact.objects.create(customer=customers["branch"], name="李工")
    other_contact = Contact.objects.create(customer=customers["other"], name="赵总")
    return {
        "policy": policy,
        "lead": lead,
        "sz_engineer": sz_engineer,
        "contact": contact,
        "branch_contact": branch_contact,
        "other_contact": other_contact,
        **users,
        "hq": customers["hq"],
        "branch": customers["branch"],
        "other": customers["other"],
        "regions": regions,
    }


def new_order(env: dict[str, Any], **extra: Any) -> Any:
    from kam.orders.services import create_work_order

    data = {
        "kind": "new",
        "customer": env["hq"],
        "product": "dia",
        "bandwidth_kbps": 100_000,
        "protection_level": "normal",
        "a_address": "天河路1号",
        "contact": env["contact"],
        "resource_availability": "available",
    }
    data.update(extra)
    return create_work_order(actor=env["am"], data=data)


def dispatched(env: dict[str, Any], start: datetime, **extra: Any) -> Any:
    from kam.orders.services import AssignmentSpec, dispatch_work_order

    order = new_order(env, **extra)
    specs = [
        AssignmentSpec(stage=s, team_name="天河装维班", user=env["engineer"], lead=env["lead"]) for s in STAGE_HOURS
    ]
    return dispatch_work_order(order=order, assignments=specs, actor=env["am"], now=start)


@pytest.fixture
def make_order(env: dict[str, Any]) -> Any:
    def make(start: datetime | None = None, **extra: Any) -> Any:
        return dispatched(env, start, **extra) if start else new_order(env, **extra)

    return make
