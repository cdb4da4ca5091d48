from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest

from kam.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kam.customers.models import AttitudeAssessment
from kam.engagement import services
from kam.engagement.models import CompetitorPresence, CompetitorSighting, Visit
from kam.engagement.tests.conftest import at

pytestmark = pytest.mark.django_db


def record(users: dict[str, Any], customers: dict[str, Any], **kwargs: Any) -> Visit:
    args: dict[str, Any] = {
        "visit": None,
        "customer": customers["hq"],
        "channel": "face_to_face",
        "occurred_at": at(2026, 11, 2),
        "purpose": "年度合作回顾",
        "actor": users["am"],
    }
    args.update(kwargs)
    return services.record_visit(**args)


def test_record_visit_updates_attitudes_and_competitors(users, customers, contacts, competitors) -> None:
    visit = record(
        users,
        customers,
        summary="客户对专线扩容有兴趣",
        next_step="发送扩容方案",
        next_step_due=date(2026, 11, 9),
        next_step_owner=users["am"],
        our_participants=[users["am"], users["engineer"]],
        attitude_updates=[(contacts["cio"], 3, "主动提出扩容"), (contacts["it"], -2, "担心割接")],
        competitor_sightings=[(competitors["cmcc"], "移动在做5G专网试点")],
    )
    visit.refresh_from_db()
    assert visit.status == "done"
    assert sorted(u.username for u in visit.our_participants.all()) == ["am", "engineer"]
    assert sorted(c.name for c in visit.their_participants.all()) == ["李娜", "王强"]
    cio = AttitudeAssessment.objects.get(contact=contacts["cio"])
    assert (cio.score, cio.source, cio.visit_id, cio.assessed_at) == (3, "visit", visit.pk, at(2026, 11, 2))
    contacts["cio"].refresh_from_db()
    assert contacts["cio"].current_attitude == 3
    presence = CompetitorPresence.objects.get(customer=customers["hq"], competitor=competitors["cmcc"])
    assert (presence.last_seen, presence.source, presence.notes) == (date(2026, 11, 2), "visit", "移动在做5G专网试点")
    assert CompetitorSighting.objects.get(visit=visit).note == "移动在做5G专网试点"


def test_later_sighting_moves_last_seen_forward_only(users, customers, competitors) -> None:
    record(users, customers, occurred_at=at(2026, 10, 1), competitor_sightings=[(competitors["cucc"], "")])
    record(users, customers, occurred_at=at(2026, 9, 1), competitor_sightings=[(competitors["cucc"], "旧")])
    presence = CompetitorPresence.objects.get(customer=customers["hq"], competitor=competitors["cucc"])
    assert presence.last_seen == date(2026, 10, 1)
    record(users, customers, occurred_at=at(2026, 11, 5), competitor_sightings=[(competitors["cucc"], "新报价")])
    presence.refresh_from_db()
    assert (presence.last_seen, presence.notes) == (date(2026, 11, 5), "新报价")
    assert CompetitorPresence.objects.count() == 1


def test_failure_rolls_back_visit_attitudes_and_presences(users, customers, contacts, competitors) -> None:
    with pytest.raises(ValidationFailed) as err:
        record(
            users,
            customers,
            attitude_updates=[(contacts["cio"], 3, "ok"), (contacts["it"], 7, "not on the scale")],
            competitor_sightings=[(competitors["cmcc"], "seen")],
        )
    assert "score" in err.value.fields
    assert Visit.objects.count() == 0
    assert AttitudeAssessment.objects.count() == 0
    assert CompetitorPresence.objects.count() == 0
    assert CompetitorSighting.objects.count() == 0
    contacts["cio"].refresh_from_db()
    assert contacts["cio"].current_attitude is None


def test_failure_after_attitudes_rolls_back_too(users, customers, contacts, competitors) -> None:
    with (
        mock.patch.object(services, "note_competitor", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        record(
            users,
            customers,
            attitude_updates=[(contacts["cio"], 4, "ok")],
            competitor_sightings=[(competitors["cmcc"], "")],
        )
    assert (Visit.objects.count(), AttitudeAssessment.objects.count(), CompetitorPresence.objects.count()) == (0, 0, 0)


def test_contacts_must_belong_to_the_customer_group(users, customers, contacts) -> None:
    # a branch contact may take part in a visit to the HQ (same group) …
    record(users, customers, contacts=[contacts["it"]])
    # … a contact of another group may not, neither as participant nor with an attitude
    with pytest.raises(ValidationFailed):
        record(users, customers, contacts=[contacts["other"]])
    with pytest.raises(ValidationFailed):
        record(users, customers, attitude_updates=[(contacts["other"], 3, "x")])
    assert Visit.objects.count() == 1


def test_record_a_planned_visit_and_cancel_rules(users, customers) -> None:
    planned = services.plan_visit(
        customer=customers["hq"], channel="phone", planned_at=at(2026, 11, 20), purpose="电话回访", actor=users["am"]
    )
    assert planned.status == "planned"
    done = record(users, customers, visit=planned, occurred_at=at(2026, 11, 20, 15), summary="已回访")
    assert done.pk == planned.pk
    assert (done.status, done.occurred_at, done.planned_at) == ("done", at(2026, 11, 20, 15), at(2026, 11, 20))
    with pytest.raises(Conflict):
        services.cancel_visit(visit=done, actor=users["am"])
    other = services.plan_visit(
        customer=customers["hq"], channel="web", planned_at=at(2026, 12, 1), purpose="线上演示", actor=users["am"]
    )
    services.cancel_visit(visit=other, actor=users["am"])
    with pytest.raises(Conflict):
        record(users, customers, visit=other)


def test_visit_permissions(users, customers) -> None:
    with pytest.raises(NotFound):
        record(users, customers, actor=users["am_other"])
    with pytest.raises(Forbidden):
        record(users, customers, actor=users["engineer"])
    with pytest.raises(Forbidden):  # NOC sees the customer, not its commercial records
        record(users, customers, actor=users["noc"])
    record(users, customers, actor=users["director"])
    assert Visit.objects.count() == 1
    visible = {role: Visit.objects.visible_to(u).count() for role, u in users.items()}
    assert visible == {
        "admin": 1,
        "director": 1,
        "director_hn": 0,
        "am": 1,
        "am_other": 0,
        "engineer": 1,
        "noc": 0,
        "finance": 1,
        "customer": 0,
        "customer_other": 0,
    }


# --- cadence --------------------------------------------------------------------------------------------


def overdue_names(user: Any, today: date) -> set[str]:
    from kam.engagement.queries import customers_overdue_for_visit

    return set(customers_overdue_for_visit(user, today).values_list("short_name", flat=True))


def test_overdue_at_the_cadence_boundary(users, customers) -> None:
    # HQ is A1 (30 days by default), the branch A2 (30), 其他 B1 (90)
    today = date(2026, 11, 22)
    record(users, customers, occurred_at=at(2026, 10, 23, 23, 59))  # 30 days ago: due today, not overdue
    record(users, customers, customer=customers["branch"], occurred_at=at(2026, 10, 22, 0, 1))  # 31 days ago
    assert overdue_names(users["am"], today) == {"示例深圳"}
    assert overdue_names(users["am"], today + timedelta(days=1)) == {"示例集团", "示例深圳"}
    # never visited: overdue; the director sees the region, the other AM their own
    assert overdue_names(users["am_other"], today) == {"其他"}
    assert overdue_names(users["director"], today) == {"示例深圳"}
    assert overdue_names(users["noc"], today) == set()
    # planned and cancelled visits do not count
    services.plan_visit(
        customer=customers["branch"], channel="phone", planned_at=at(2026, 11, 21), purpose="p", actor=users["am"]
    )
    assert overdue_names(users["am"], today) == {"示例深圳"}


def test_cadence_comes_from_tier_policy(users, customers) -> None:
    from kam.customers.models import TierPolicy

    record(users, customers, customer=customers["branch"], occurred_at=at(2026, 10, 22))
    today = date(2026, 11, 22)
    assert "示例深圳" in overdue_names(users["am"], today)
    TierPolicy.objects.update_or_create(grade="A2", defaults={"label": "A2", "visit_cadence_days": 31})
    assert "示例深圳" not in overdue_names(users["am"], today)
    customers["other"].lifecycle = "churned"
    customers["other"].save()
    assert overdue_names(users["am_other"], today) == set()


def test_overdue_reminder_goes_to_the_lead_am_once_per_week(users, customers) -> None:
    from kam.core.models import Notification
    from kam.engagement.services import notify_overdue_customers

    record(users, customers, occurred_at=at(2026, 11, 20))  # the HQ is fine
    monday = date(2026, 11, 23)
    # the branch has no team of its own: the lead AM of its group HQ hears of it; 其他 goes to its lead AM
    assert notify_overdue_customers(today=monday) == 2
    rows = sorted(Notification.objects.filter(kind="visit.overdue").values_list("recipient__username", "dedupe_key"))
    assert rows == [
        ("am", f"visit.overdue:{customers['branch'].pk}:2026-W48"),
        ("am_other", f"visit.overdue:{customers['other'].pk}:2026-W48"),
    ]
    assert notify_overdue_customers(today=monday) == 0
    assert notify_overdue_customers(today=date(2026, 11, 29)) == 0  # Sunday, same ISO week
    assert notify_overdue_customers(today=date(2026, 11, 30)) == 2  # the next week
    assert Notification.objects.filter(kind="visit.overdue").count() == 4


def test_periodic_task_calls_the_service(users, customers) -> None:
    from kam.core.models import Notification
    from kam.engagement.tasks import visit_overdue_reminders

    assert visit_overdue_reminders.call_local() == 3  # nobody visited yet
    assert visit_overdue_reminders.call_local() == 0
    assert Notification.objects.filter(kind="visit.overdue").count() == 3
