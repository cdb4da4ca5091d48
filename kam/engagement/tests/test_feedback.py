from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from kam.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kam.engagement import services
from kam.engagement.models import Feedback
from kam.engagement.queries import feedback_turnaround, percentile
from kam.engagement.tests.conftest import at

pytestmark = pytest.mark.django_db

HOUR = 3600.0


def collect(users: dict[str, Any], customers: dict[str, Any], **kwargs: Any) -> Feedback:
    args: dict[str, Any] = {
        "customer": customers["hq"],
        "kind": "complaint",
        "title": "专线频繁中断",
        "collected_at": at(2026, 10, 1, 9),
        "actor": users["am"],
    }
    args.update(kwargs)
    return services.collect_feedback(**args)


def test_transitions_and_timestamps(users, customers, contacts) -> None:
    fb = collect(users, customers, contact=contacts["it"])
    assert (fb.status, fb.collected_by, fb.contact) == ("collected", users["am"], contacts["it"])
    for illegal in (
        lambda: services.decide_feedback(feedback=fb, decision="x", actor=users["am"]),
        lambda: services.close_feedback(feedback=fb, actor=users["am"]),
    ):
        with pytest.raises(Conflict) as err:
            illegal()
        assert err.value.code == "feedback_transition"
    fb = services.route_feedback(feedback=fb, responsible=users["noc"], actor=users["am"], at=at(2026, 10, 1, 10))
    assert (fb.status, fb.responsible, fb.routed_at) == ("routed", users["noc"], at(2026, 10, 1, 10))
    # the NOC engineer it was routed to sees it and decides, though the customer's team is not theirs
    assert Feedback.objects.visible_to(users["noc"]).filter(pk=fb.pk).exists()
    with pytest.raises(ValidationFailed):
        services.decide_feedback(feedback=fb, decision=" ", actor=users["noc"])
    fb = services.decide_feedback(feedback=fb, decision="更换光模块并加备份", actor=users["noc"], at=at(2026, 10, 2, 9))
    assert (fb.status, fb.decided_at) == ("decided", at(2026, 10, 2, 9))
    with pytest.raises(Conflict):
        services.route_feedback(feedback=fb, responsible=users["engineer"], actor=users["am"])
    with pytest.raises(Forbidden):  # deciding was theirs; closing is for the customer's team
        services.close_feedback(feedback=fb, actor=users["engineer"])
    fb = services.close_feedback(feedback=fb, actor=users["am"], at=at(2026, 10, 3, 9))
    assert (fb.status, fb.closed_at) == ("closed", at(2026, 10, 3, 9))
    with pytest.raises(Conflict):
        services.close_feedback(feedback=fb, actor=users["am"])
    with pytest.raises(Conflict):
        services.update_feedback(feedback=fb, title="改", actor=users["am"])


def test_rerouting_keeps_the_first_routing_time(users, customers) -> None:
    fb = collect(users, customers)
    services.route_feedback(feedback=fb, responsible=users["engineer"], actor=users["am"], at=at(2026, 10, 1, 10))
    fb = services.route_feedback(feedback=fb, responsible=users["noc"], actor=users["director"], at=at(2026, 10, 1, 12))
    assert (fb.responsible, fb.routed_at) == (users["noc"], at(2026, 10, 1, 10))
    with pytest.raises(ValidationFailed):  # a customer user cannot be responsible
        services.route_feedback(feedback=fb, responsible=users["customer"], actor=users["am"])
    with pytest.raises(ValidationFailed):  # steps do not go back in time
        services.decide_feedback(feedback=fb, decision="x", actor=users["noc"], at=at(2026, 9, 30))


def test_feedback_permissions(users, customers, contacts) -> None:
    with pytest.raises(NotFound):
        collect(users, customers, actor=users["am_other"])
    with pytest.raises(Forbidden):
        collect(users, customers, actor=users["noc"])
    with pytest.raises(ValidationFailed):  # a contact of another group
        collect(users, customers, contact=contacts["other"])
    fb = collect(users, customers)
    with pytest.raises(NotFound):
        services.route_feedback(feedback=fb, responsible=users["am"], actor=users["am_other"])
    with pytest.raises(Forbidden):
        services.decide_feedback(feedback=fb, decision="x", actor=users["engineer"])
    visible = {role: Feedback.objects.visible_to(u).count() for role, u in users.items()}
    assert visible == {
        "admin": 1,
        "director": 1,
        "director_hn": 0,
        "am": 1,
        "am_other": 0,
        "engineer": 1,
        "noc": 1,
        "finance": 1,
        "customer": 0,
        "customer_other": 0,
    }


def test_percentile_interpolates_linearly() -> None:
    assert percentile([], 50) is None
    assert percentile([7.0], 90) == 7.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == pytest.approx(9.1)


def test_turnaround_by_kind(users, customers) -> None:
    """Complaints decided after 2, 4, 6, 8 and 30 hours, closed after 1, 2, 3 days; one requirement."""
    start = at(2026, 10, 1, 9)
    for i, (decided_h, closed_d) in enumerate([(2, 1), (4, 2), (6, 3), (8, None), (30, None)]):
        fb = collect(users, customers, title=f"c{i}", collected_at=start + timedelta(days=i))
        base = fb.collected_at
        services.route_feedback(feedback=fb, responsible=users["engineer"], actor=users["am"], at=base)
        services.decide_feedback(
            feedback=fb, decision="ok", actor=users["engineer"], at=base + timedelta(hours=decided_h)
        )
        if closed_d:
            services.close_feedback(feedback=fb, actor=users["am"], at=base + timedelta(days=closed_d))
    req = collect(users, customers, kind="requirement", title="r", collected_at=start)
    services.route_feedback(feedback=req, responsible=users["engineer"], actor=users["am"], at=start)
    services.decide_feedback(feedback=req, decision="ok", actor=users["engineer"], at=start + timedelta(hours=10))
    collect(users, customers, kind="suggestion", title="s", collected_at=start)  # still open, nothing decided
    collect(users, customers, kind="praise", title="old", collected_at=at(2025, 1, 1))  # outside the period
    # another region's feedback is not in the Guangdong director's portfolio
    collect(users, customers, customer=customers["other"], actor=users["am_other"], collected_at=start)

    rows = {r.kind: r for r in feedback_turnaround(users["director"], date(2026, 1, 1), date(2026, 12, 31))}
    complaint = rows["complaint"]
    assert (complaint.collected, complaint.decided, complaint.closed, complaint.open) == (5, 5, 3, 2)
    assert complaint.decided_median_s == 6 * HOUR
    assert complaint.decided_p90_s == pytest.approx((8 + 0.6 * 22) * HOUR)  # 21.2 h
    assert complaint.closed_median_s == 2 * 86400
    assert complaint.closed_p90_s == pytest.approx(2.8 * 86400)
    assert (rows["requirement"].decided_median_s, rows["requirement"].decided_p90_s) == (10 * HOUR, 10 * HOUR)
    assert (rows["suggestion"].collected, rows["suggestion"].decided_median_s) == (1, None)
    assert rows["praise"].collected == 0
    everything = rows["all"]
    assert (everything.collected, everything.decided) == (7, 6)
    assert everything.decided_median_s == 7 * HOUR  # 2, 4, 6, 8, 10, 30 h
    assert everything.decided_p90_s == pytest.approx(20 * HOUR)  # 10 + 0.5 · 20
    # the other region's director sees only their own one
    hn = {r.kind: r for r in feedback_turnaround(users["director_hn"], date(2026, 1, 1), date(2026, 12, 31))}
    assert (hn["all"].collected, hn["complaint"].collected) == (1, 1)
