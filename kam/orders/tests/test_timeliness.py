"""Activation timeliness: on-time rate and average working days on a fixture with exact numbers."""

from __future__ import annotations

from typing import Any

import pytest

from kam.core.errors import Conflict
from kam.orders import queries, services
from kam.orders.tests.conftest import at

pytestmark = pytest.mark.django_db


def finish(env: dict[str, Any], order: Any, step_at: Any, done_at: Any) -> Any:
    while order.stage != "completion":
        order = services.advance_stage(order=order, actor=env["am"], now=step_at)
    return services.complete_work_order(
        order=order,
        acceptance_contact=env["contact"],
        accepted_at=done_at,
        test_ids=[],
        override_reason="测试",
        actor=env["am"],
        now=done_at,
    )


def build_fixture(env: dict[str, Any], make_order: Any) -> dict[str, Any]:
    """March: one on time in 9.5 working hours, one counted late (extension asked after the deadline) in 18;
    April: one on time in 8.5 working hours. A draft and a cancelled order are not counted."""
    a = finish(env, make_order(at(2026, 3, 2, 9, 0)), at(2026, 3, 3, 9, 0), at(2026, 3, 3, 11, 0))
    b = make_order(at(2026, 3, 2, 9, 0))
    with pytest.raises(Conflict):
        services.request_extension(order=b, reason="late", extra_hours=2, actor=env["am"], now=at(2026, 3, 4, 11, 0))
    b = finish(env, b, at(2026, 3, 4, 11, 0), at(2026, 3, 4, 12, 0))
    c = finish(env, make_order(at(2026, 4, 1, 9, 0)), at(2026, 4, 1, 10, 0), at(2026, 4, 2, 10, 0))
    make_order()
    services.cancel_work_order(order=make_order(at(2026, 3, 2, 9, 0)), reason="x", actor=env["am"])
    return {"a": a, "b": b, "c": c}


def test_timeliness_numbers(env: dict[str, Any], make_order: Any) -> None:
    orders = build_fixture(env, make_order)
    assert [orders[k].working_seconds_used for k in "abc"] == [9.5 * 3600, 18 * 3600, 8.5 * 3600]
    assert [orders[k].on_time for k in "abc"] == [True, False, True]
    rows = queries.timeliness(env["director"], "month")
    assert [(r.key, r.total, r.on_time, r.late, r.on_time_rate, r.average_days) for r in rows] == [
        ("2026-03", 2, 1, 1, 50.0, 1.83),
        ("2026-04", 1, 1, 0, 100.0, 1.13),
    ]
    rows = queries.timeliness(env["director"], "product")
    assert [(r.key, r.total, r.on_time_rate, r.average_days) for r in rows] == [("dia", 3, 66.7, 1.6)]
    rows = queries.timeliness(env["director"], "grade")
    assert [(r.key, r.total) for r in rows] == [("A1", 3)]
    rows = queries.timeliness(env["director"], "region")
    assert [(r.key, r.label, r.total) for r in rows] == [("440100", "广州市", 3)]
    total = queries.totals(queries.timeliness(env["director"], "month"))
    assert (total.total, total.on_time, total.on_time_rate, total.average_days) == (3, 2, 66.7, 1.6)
    # filters and scoping
    flt = queries.TimelinessFilter(date_from=at(2026, 4, 1).date())
    assert [r.key for r in queries.timeliness(env["director"], "month", flt)] == ["2026-04"]
    assert queries.timeliness(env["director"], "month", queries.TimelinessFilter(region="430000")) == []
    assert queries.timeliness(env["am_other"], "month") == []


def test_timeliness_page_and_late_link(env: dict[str, Any], make_order: Any) -> None:
    from kam.core.testing import ui_client

    orders = build_fixture(env, make_order)
    client = ui_client(env["director"])
    r = client.get("/work-orders/timeliness/", {"group_by": "month"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "2026-03" in html and "50.0" in html and "1.83" in html
    r = client.get("/work-orders/", {"status": "completed", "late": "1", "leaves": "1", "month": "2026-03"})
    assert r.status_code == 200
    html = r.content.decode()
    assert orders["b"].number in html and orders["a"].number not in html
