"""Work-order services: clocks on the cn-office calendar, pauses, extensions, jeopardy, escalation, children,
completion with the line in one transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kam.core.errors import Conflict, Forbidden, ValidationFailed
from kam.orders import services
from kam.orders.models import Escalation, WorkOrder, WorkOrderStage
from kam.orders.tests.conftest import STAGE_HOURS, at

pytestmark = pytest.mark.django_db


def stage(order: WorkOrder, code: str) -> WorkOrderStage:
    return WorkOrderStage.objects.get(order=order, stage=code)


def advance_to(order: WorkOrder, env: dict[str, Any], target: str, when: Any) -> WorkOrder:
    while order.stage != target:
        order = services.advance_stage(order=order, actor=env["am"], now=when)
    return order


# --- requirement and dispatch ---------------------------------------------------------------------------


def test_create_numbers_and_defaults(env: dict[str, Any], make_order: Any) -> None:
    first = make_order()
    second = make_order()
    assert first.number.startswith("WO-") and first.number.endswith("-000001")
    assert second.number.endswith("-000002")
    assert first.status == "draft"
    assert first.region == env["hq"].region
    assert first.account_manager == env["am"]
    assert first.created_by == env["am"]


def test_requirement_rules(env: dict[str, Any], make_order: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_order(product="", bandwidth_kbps=None)
    assert set(exc.value.fields) >= {"product", "bandwidth_kbps"}
    with pytest.raises(ValidationFailed) as exc:
        make_order(kind="upgrade")
    assert "line" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        make_order(contact=env["other_contact"])
    assert "contact" in exc.value.fields
    # the other customer's AM may not order for this customer
    with pytest.raises(Forbidden):
        services.create_work_order(
            actor=env["am_other"], data={"kind": "new", "customer": env["hq"], "product": "dia", "bandwidth_kbps": 1}
        )
    assert WorkOrder.objects.count() == 0


def test_update_only_in_draft(env: dict[str, Any], make_order: Any) -> None:
    order = make_order()
    services.update_work_order(order=order, actor=env["am"], data={"bandwidth_kbps": 200_000})
    order.refresh_from_db()
    assert order.bandwidth_kbps == 200_000
    order = make_order(at(2026, 3, 2, 9, 0))
    with pytest.raises(Conflict) as exc:
        services.update_work_order(order=order, actor=env["am"], data={"bandwidth_kbps": 1})
    assert exc.value.code == "order_not_draft"


def test_national_day_deadline(env: dict[str, Any], make_order: Any) -> None:
    """Started Tuesday 2025-09-30 16:00 with 16 working hours for intake: 2 h that day, the holiday from
    1 to 8 October, 7.5 h on Thursday 9 October, the last 6.5 h on Friday 10 October until 17:00."""
    order = make_order(at(2025, 9, 30, 16, 0))
    intake = stage(order, "intake")
    assert intake.started_at == at(2025, 9, 30, 16, 0)
    assert intake.deadline == at(2025, 10, 10, 17, 0)
    assert order.status == "in_progress" and order.stage == "intake"
    # the whole order: 54 working hours (construction skipped) = 7.2 working days
    assert order.allotted_seconds == 54 * 3600
    assert order.due_at == at(2025, 10, 16, 17, 30)  # Saturday 11 October is a make-up workday
    assert stage(order, "construction").skipped is True


def test_deadline_across_weekend(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2026, 3, 6, 17, 0))  # Friday 17:00, 16 h: 1 h Friday, 7.5 Monday, 7.5 Tuesday
    assert stage(order, "intake").deadline == at(2026, 3, 10, 18, 0)
    order = services.advance_stage(order=order, actor=env["engineer"], now=at(2026, 3, 9, 10, 0))
    survey = stage(order, "survey")
    assert order.stage == "survey"
    assert survey.started_at == at(2026, 3, 9, 10, 0)
    assert survey.deadline == at(2026, 3, 10, 10, 30)  # 8 h: 10-12, 13:30-18, then 1.5 h on Tuesday
    intake = stage(order, "intake")
    assert intake.finished_at == at(2026, 3, 9, 10, 0) and intake.late is False


def test_construction_stage_only_when_needed(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2026, 3, 2, 9, 0), resource_availability="needs_construction")
    assert order.allotted_seconds == 74 * 3600
    order = advance_to(order, env, "resource_check", at(2026, 3, 2, 10, 0))
    assert order.next_stage() == "construction"
    assert order.can_move_to("construction") and not order.can_move_to("installation")
    order = services.advance_stage(order=order, actor=env["am"], now=at(2026, 3, 2, 11, 0))
    assert order.stage == "construction"
    other = make_order(at(2026, 3, 2, 9, 0))
    other = advance_to(other, env, "resource_check", at(2026, 3, 2, 10, 0))
    assert other.next_stage() == "installation"


def test_advance_rules(env: dict[str, Any], make_order: Any) -> None:
    draft = make_order()
    with pytest.raises(Conflict) as exc:
        services.advance_stage(order=draft, actor=env["am"])
    assert exc.value.code == "order_not_dispatched"
    order = make_order(at(2026, 3, 2, 9, 0))
    # an engineer of the region who is not assigned may not advance; the assignee may
    with pytest.raises(Forbidden):
        services.advance_stage(order=order, actor=env["sz_engineer"], now=at(2026, 3, 2, 10, 0))
    order = services.advance_stage(order=order, actor=env["engineer"], now=at(2026, 3, 2, 10, 0))
    order = advance_to(order, env, "completion", at(2026, 3, 2, 11, 0))
    with pytest.raises(Conflict) as exc:
        services.advance_stage(order=order, actor=env["am"], now=at(2026, 3, 2, 12, 0))
    assert exc.value.code == "use_completion"


def test_new_line_created_at_configuration(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2026, 3, 2, 9, 0))
    order = advance_to(order, env, "installation", at(2026, 3, 2, 10, 0))
    assert order.line_id is None
    order = services.advance_stage(order=order, actor=env["am"], now=at(2026, 3, 2, 11, 0))
    order.refresh_from_db()
    assert order.stage == "configuration"
    assert order.line.circuit_id == f"DIA-{order.number.removeprefix('WO-')}"
    assert order.line.status == "provisioning"
    assert order.line.bandwidth_kbps == 100_000
    assert order.line.endpoints.count() == 2


# --- pauses ---------------------------------------------------------------------------------------------


def test_customer_pause_shifts_deadlines_by_paused_working_time(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2026, 3, 2, 9, 0))  # Monday; intake 16 h → Wednesday 10:00
    assert stage(order, "intake").deadline == at(2026, 3, 4, 10, 0)
    due = order.due_at
    services.pause_work_order(
        order=order, reason="客户机房未就绪", customer_caused=True, actor=env["engineer"], now=at(2026, 3, 2, 16, 0)
    )
    order.refresh_from_db()
    assert order.status == "paused"
    with pytest.raises(Conflict) as exc:
        services.advance_stage(order=order, actor=env["am"], now=at(2026, 3, 2, 17, 0))
    assert exc.value.code == "order_paused"
    # paused Monday 16:00 to Tuesday 10:00: 2 h Monday + 1 h Tuesday = 3 working hours
    order = services.resume_work_order(order=order, actor=env["engineer"], now=at(2026, 3, 3, 10, 0))
    pause = order.pauses.get()
    assert pause.working_seconds == 3 * 3600
    assert stage(order, "intake").deadline == at(2026, 3, 4, 14, 30)  # 10:00 + 3 h (lunch 12:00-13:30)
    assert stage(order, "intake").paused_seconds == 3 * 3600
    assert order.paused_seconds == 3 * 3600
    from kam.core.calendars import working_seconds_between

    assert working_seconds_between(due, order.due_at, services.order_spec(order)) == 3 * 3600


def test_our_own_pause_does_not_move_deadlines(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2026, 3, 2, 9, 0))
    services.pause_work_order(
        order=order, reason="待料", customer_caused=False, actor=env["am"], now=at(2026, 3, 2, 16, 0)
    )
    order = services.resume_work_order(order=order, actor=env["am"], now=at(2026, 3, 3, 10, 0))
    assert stage(order, "intake").deadline == at(2026, 3, 4, 10, 0)
    assert order.paused_seconds == 0
    with pytest.raises(Conflict) as exc:
        services.resume_work_order(order=order, actor=env["am"])
    assert exc.value.code == "order_not_paused"


# --- extensions -----------------------------------------------------------------------------------------


def test_extension_before_deadline_approved(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2026, 3, 2, 9, 0))
    due = order.due_at
    request = services.request_extension(
        order=order, reason="等待客户机房", extra_hours=Decimal("4"), actor=env["engineer"], now=at(2026, 3, 3, 9, 0)
    )
    assert request.old_deadline == at(2026, 3, 4, 10, 0)
    assert request.new_deadline == at(2026, 3, 4, 15, 30)
    assert request.extra_seconds == 4 * 3600
    with pytest.raises(Forbidden):
        services.decide_extension(request=request, approve=True, actor=env["am"])
    services.decide_extension(request=request, approve=True, actor=env["director"], now=at(2026, 3, 3, 10, 0))
    row = stage(order, "intake")
    assert row.deadline == at(2026, 3, 4, 15, 30)
    assert row.extension_seconds == 4 * 3600
    order.refresh_from_db()
    from kam.core.calendars import working_seconds_between

    assert working_seconds_between(due, order.due_at, services.order_spec(order)) == 4 * 3600
    with pytest.raises(Conflict) as exc:
        services.decide_extension(request=request, approve=False, actor=env["director"])
    assert exc.value.code == "extension_decided"


def test_extension_with_new_deadline_and_rejection(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2026, 3, 2, 9, 0))
    request = services.request_extension(
        order=order, reason="r", new_deadline=at(2026, 3, 5, 10, 0), actor=env["am"], now=at(2026, 3, 2, 10, 0)
    )
    assert request.extra_seconds == int(7.5 * 3600)
    with pytest.raises(Conflict) as exc:
        services.request_extension(
            order=order, reason="again", extra_hours=1, actor=env["am"], now=at(2026, 3, 2, 11, 0)
        )
    assert exc.value.code == "extension_pending"
    services.decide_extension(request=request, approve=False, actor=env["director"])
    assert stage(order, "intake").deadline == at(2026, 3, 4, 10, 0)
    with pytest.raises(ValidationFailed):
        services.request_extension(
            order=order, reason="r", new_deadline=at(2026, 3, 3, 10, 0), actor=env["am"], now=at(2026, 3, 2, 11, 0)
        )


def test_extension_after_deadline_refused_and_counted_late(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2026, 3, 2, 9, 0))
    with pytest.raises(Conflict) as exc:
        services.request_extension(
            order=order, reason="太晚", extra_hours=4, actor=env["engineer"], now=at(2026, 3, 4, 10, 0)
        )
    assert exc.value.code == "extension_too_late"
    order.refresh_from_db()
    assert order.counted_late is True
    assert order.extensions.count() == 0
    assert stage(order, "intake").late is True
    assert WorkOrder.objects.late().filter(pk=order.pk).exists()
    # even finished on time overall, the order is not on time
    order = advance_to(order, env, "completion", at(2026, 3, 4, 11, 0))
    test = _passed_test(order)
    order = services.complete_work_order(
        order=order,
        acceptance_contact=env["contact"],
        accepted_at=at(2026, 3, 4, 12, 0),
        test_ids=[test.pk],
        actor=env["am"],
        now=at(2026, 3, 4, 12, 0),
    )
    assert order.on_time is False


# --- jeopardy and escalation ----------------------------------------------------------------------------


def test_jeopardy_levels_and_escalation_rungs(env: dict[str, Any], make_order: Any) -> None:
    """Survey: 8 working hours from Monday 09:00 → deadline Tuesday 09:30. At risk once 6 h are used
    (Monday 16:30); one rung per working hour: team lead 17:30, account manager Tuesday 09:30 (late),
    director 10:30."""
    from kam.core.models import Notification

    order = make_order(at(2026, 3, 2, 8, 0))
    order = services.advance_stage(order=order, actor=env["am"], now=at(2026, 3, 2, 9, 0))
    assert stage(order, "survey").deadline == at(2026, 3, 3, 9, 30)

    def run(when: Any) -> WorkOrder:
        services.evaluate_jeopardy(now=when)
        return WorkOrder.objects.get(pk=order.pk)

    assert run(at(2026, 3, 2, 16, 29)).jeopardy == "on_track"
    assert Escalation.objects.count() == 0
    o = run(at(2026, 3, 2, 16, 30))
    assert (o.jeopardy, o.escalation_rung) == ("at_risk", 1)
    assert list(Notification.objects.filter(kind="orders.escalated").values_list("recipient__username", flat=True)) == [
        "engineer"
    ]
    o = run(at(2026, 3, 2, 17, 0))
    assert (o.jeopardy, o.escalation_rung) == ("at_risk", 1)
    assert Notification.objects.filter(kind="orders.escalated").count() == 1
    o = run(at(2026, 3, 2, 17, 30))
    assert o.escalation_rung == 2
    o = run(at(2026, 3, 3, 9, 29))
    assert (o.jeopardy, o.escalation_rung) == ("at_risk", 2)
    o = run(at(2026, 3, 3, 9, 30))
    assert (o.jeopardy, o.escalation_rung) == ("late", 3)
    o = run(at(2026, 3, 3, 10, 30))
    assert (o.jeopardy, o.escalation_rung) == ("late", 4)
    run(at(2026, 3, 3, 15, 0))
    rungs = list(Escalation.objects.filter(order=order).order_by("rung").values_list("rung", "reached_at"))
    assert rungs == [
        (1, at(2026, 3, 2, 16, 30)),
        (2, at(2026, 3, 2, 17, 30)),
        (3, at(2026, 3, 3, 9, 30)),
        (4, at(2026, 3, 3, 10, 30)),
    ]
    by_rung = {
        e.rung: sorted(u.username for u in e.recipients.all())
        for e in Escalation.objects.filter(order=order).prefetch_related("recipients")
    }
    assert by_rung == {1: ["engineer"], 2: ["lead"], 3: ["am"], 4: ["director"]}
    notes = Notification.objects.filter(kind="orders.escalated")
    assert sorted(notes.values_list("recipient__username", flat=True)) == ["am", "director", "engineer", "lead"]
    assert notes.count() == 4  # one per rung, never repeated


def test_customer_pause_freezes_jeopardy(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2026, 3, 2, 9, 0))
    services.pause_work_order(
        order=order, reason="客户原因", customer_caused=True, actor=env["am"], now=at(2026, 3, 2, 10, 0)
    )
    services.evaluate_jeopardy(now=at(2026, 3, 10, 10, 0))
    order.refresh_from_db()
    assert order.jeopardy == "on_track"
    assert Escalation.objects.count() == 0


# --- completion -----------------------------------------------------------------------------------------


def _passed_test(order: WorkOrder, passed: bool = True) -> Any:
    from kam.lines.models import ActivationTest

    line = services.ensure_line(order)
    return ActivationTest.objects.create(line=line, started_at=at(2026, 3, 4, 9, 0), passed=passed, results={})


def test_completion_activates_the_line(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2026, 3, 2, 9, 0))
    order = advance_to(order, env, "completion", at(2026, 3, 3, 9, 0))
    test = _passed_test(order)
    order = services.complete_work_order(
        order=order,
        acceptance_contact=env["contact"],
        accepted_at=at(2026, 3, 3, 11, 0),
        test_ids=[test.pk],
        actor=env["am"],
        now=at(2026, 3, 3, 11, 0),
    )
    assert order.status == "completed"
    assert order.completed_at == at(2026, 3, 3, 11, 0)
    assert order.working_seconds_used == int(9.5 * 3600)  # 7.5 h Monday + 2 h Tuesday
    assert order.on_time is True
    line = order.line
    line.refresh_from_db()
    assert line.status == "active" and line.activated_at == at(2026, 3, 3, 11, 0)
    assert list(order.activation_tests.all()) == [test]


def test_completion_requires_passed_test_or_override(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2026, 3, 2, 9, 0))
    order = advance_to(order, env, "completion", at(2026, 3, 3, 9, 0))
    failed = _passed_test(order, passed=False)
    with pytest.raises(Conflict) as exc:
        services.complete_work_order(
            order=order,
            acceptance_contact=env["contact"],
            accepted_at=at(2026, 3, 3, 10, 0),
            test_ids=[failed.pk],
            actor=env["am"],
            now=at(2026, 3, 3, 10, 0),
        )
    assert exc.value.code == "test_not_passed"
    with pytest.raises(ValidationFailed) as vexc:
        services.complete_work_order(
            order=order,
            acceptance_contact=env["other_contact"],
            accepted_at=at(2026, 3, 3, 10, 0),
            test_ids=[],
            override_reason="x",
            actor=env["am"],
            now=at(2026, 3, 3, 10, 0),
        )
    assert "acceptance_contact_id" in vexc.value.fields
    order = services.complete_work_order(
        order=order,
        acceptance_contact=env["branch_contact"],
        accepted_at=at(2026, 3, 3, 10, 0),
        test_ids=[failed.pk],
        override_reason="客户自测通过",
        actor=env["am"],
        now=at(2026, 3, 3, 10, 0),
    )
    assert order.status == "completed" and order.test_override_reason == "客户自测通过"


def test_completion_failure_rolls_back_order_and_line(env: dict[str, Any], make_order: Any, monkeypatch: Any) -> None:
    order = make_order(at(2026, 3, 2, 9, 0))
    order = advance_to(order, env, "completion", at(2026, 3, 3, 9, 0))
    test = _passed_test(order)
    from kam.lines import services as line_services

    real_activate = line_services.activate_line

    def activate_then_fail(**kwargs: Any) -> Any:
        real_activate(**kwargs)
        raise Conflict("boom", code="line_state")

    monkeypatch.setattr(line_services, "activate_line", activate_then_fail)
    with pytest.raises(Conflict):
        services.complete_work_order(
            order=order,
            acceptance_contact=env["contact"],
            accepted_at=at(2026, 3, 3, 10, 0),
            test_ids=[test.pk],
            actor=env["am"],
            now=at(2026, 3, 3, 10, 0),
        )
    order.refresh_from_db()
    assert order.status == "in_progress" and order.completed_at is None
    assert order.line.status == "provisioning" and order.line.activated_at is None
    assert order.activation_tests.count() == 0


def test_upgrade_and_terminate_change_the_line(env: dict[str, Any], make_order: Any) -> None:
    from kam.lines.models import Line

    line = Line.objects.create(
        circuit_id="GZ-1",
        customer=env["hq"],
        product="dia",
        bandwidth_kbps=50_000,
        status="active",
        region=env["hq"].region,
    )
    order = make_order(at(2026, 3, 2, 9, 0), kind="upgrade", line=line, bandwidth_kbps=200_000)
    order = advance_to(order, env, "completion", at(2026, 3, 2, 10, 0))
    services.complete_work_order(
        order=order,
        acceptance_contact=env["contact"],
        accepted_at=at(2026, 3, 2, 11, 0),
        test_ids=[],
        override_reason="带宽调整无需测试",
        actor=env["am"],
        now=at(2026, 3, 2, 11, 0),
    )
    line.refresh_from_db()
    assert line.bandwidth_kbps == 200_000
    with pytest.raises(ValidationFailed):
        make_order(kind="upgrade", line=line, bandwidth_kbps=100_000)
    stop = make_order(at(2026, 3, 2, 9, 0), kind="terminate", line=line, product="", bandwidth_kbps=None)
    stop = advance_to(stop, env, "completion", at(2026, 3, 2, 10, 0))
    services.complete_work_order(
        order=stop,
        acceptance_contact=env["contact"],
        accepted_at=at(2026, 3, 2, 11, 0),
        test_ids=[],
        actor=env["am"],
        now=at(2026, 3, 2, 11, 0),
    )
    line.refresh_from_db()
    assert line.status == "terminated" and line.terminated_at == at(2026, 3, 2, 11, 0)


# --- children -------------------------------------------------------------------------------------------


def test_children_per_region_complete_the_parent(env: dict[str, Any], make_order: Any) -> None:
    parent = make_order(at(2026, 3, 2, 9, 0))
    regions = env["regions"]
    children = services.split_into_children(
        order=parent,
        regions_with_teams=[
            services.ChildSpec(region=regions["gz"], team_name="广州装维", user=env["engineer"], lead=env["lead"]),
            services.ChildSpec(region=regions["sz"], team_name="深圳装维", user=env["sz_engineer"]),
        ],
        actor=env["am"],
        now=at(2026, 3, 2, 10, 0),
    )
    assert [c.number for c in children] == [f"{parent.number}-01", f"{parent.number}-02"]
    gz, sz = children
    assert gz.customer == env["hq"] and sz.customer == env["branch"]  # the branch serving Shenzhen
    assert sz.stage == "survey" and stage(sz, "survey").assignee == env["sz_engineer"]
    assert stage(sz, "survey").deadline == at(2026, 3, 3, 10, 30)
    with pytest.raises(Conflict) as exc:
        services.split_into_children(
            order=parent, regions_with_teams=[services.ChildSpec(region=regions["cs"])], actor=env["am"]
        )
    assert exc.value.code == "already_split"
    with pytest.raises(Conflict) as exc:
        services.advance_stage(order=parent, actor=env["am"])
    assert exc.value.code == "order_has_children"
    # the Shenzhen engineer sees the child order assigned to them
    assert WorkOrder.objects.visible_to(env["sz_engineer"]).filter(pk=sz.pk).exists()

    for child, contact in ((gz, env["contact"]), (sz, env["branch_contact"])):
        child = advance_to(child, env, "completion", at(2026, 3, 3, 9, 0))
        test = _passed_test(child)
        parent.refresh_from_db()
        assert parent.status == "in_progress"
        with pytest.raises(Conflict) as exc:
            services.complete_work_order(
                order=parent,
                acceptance_contact=env["contact"],
                accepted_at=None,
                test_ids=[],
                override_reason="x",
                actor=env["am"],
            )
        assert exc.value.code == "order_has_children"
        services.complete_work_order(
            order=child,
            acceptance_contact=contact,
            accepted_at=at(2026, 3, 3, 11, 0),
            test_ids=[test.pk],
            actor=env["am"],
            now=at(2026, 3, 3, 11, 0),
        )
    parent.refresh_from_db()
    assert parent.status == "completed"
    assert parent.completed_at == at(2026, 3, 3, 11, 0)
    assert parent.on_time is True
    gz.refresh_from_db()
    assert gz.line.region == env["regions"]["gz"] and gz.line.status == "active"


def test_cancel(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2026, 3, 2, 9, 0))
    with pytest.raises(ValidationFailed):
        services.cancel_work_order(order=order, reason="", actor=env["am"])
    with pytest.raises(Forbidden):
        services.cancel_work_order(order=order, reason="x", actor=env["engineer"])
    order = services.cancel_work_order(order=order, reason="客户取消", actor=env["am"])
    assert order.status == "cancelled"
    with pytest.raises(Conflict) as exc:
        services.cancel_work_order(order=order, reason="again", actor=env["am"])
    assert exc.value.code == "order_closed"


def test_policy_selection_most_specific(env: dict[str, Any]) -> None:
    from kam.orders.models import TimeLimitPolicy

    specific = TimeLimitPolicy.objects.create(
        name="otn aaa", product="otn", protection_level="aaa", stage_hours={"intake": "1"}
    )
    assert services.policy_for(product="otn", protection_level="aaa", resource_availability="available") == specific
    assert (
        services.policy_for(product="dia", protection_level="aaa", resource_availability="available") == env["policy"]
    )
    assert sum(STAGE_HOURS.values()) == 74


def test_periodic_task_runs_every_five_minutes(env: dict[str, Any], make_order: Any) -> None:
    from kam.orders.tasks import evaluate_jeopardy_task

    make_order(at(2026, 3, 2, 9, 0))  # long past: late now
    from datetime import datetime

    task = evaluate_jeopardy_task.task_class()
    assert task.validate_datetime(datetime(2026, 3, 2, 9, 5)) and not task.validate_datetime(datetime(2026, 3, 2, 9, 7))
    result = evaluate_jeopardy_task.call_local()
    assert result == {"evaluated": 1, "at_risk": 0, "late": 1, "escalations": 4}
    assert evaluate_jeopardy_task.call_local()["escalations"] == 0  # each rung once
