"""The work-order API: flows, stable conflict codes and the permission matrix of every endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kam.core.testing import api_client, assert_matrix
from kam.orders import services
from kam.orders.models import ExtensionRequest, TimeLimitPolicy, WorkOrder, WorkOrderTemplate
from kam.orders.tests.conftest import at

pytestmark = pytest.mark.django_db


def recent() -> Any:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() - timedelta(minutes=30)


BASE = "/api/v1/work-orders"


def post(client: Any, url: str, data: Any = None) -> Any:
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def snapshot(order: WorkOrder) -> Any:
    o = WorkOrder.objects.get(pk=order.pk)
    return (
        o.status,
        o.stage,
        o.bandwidth_kbps,
        o.due_at,
        o.line_id,
        o.assignments.count(),
        o.pauses.count(),
        o.extensions.count(),
        o.children.count(),
        o.counted_late,
    )


def test_create_dispatch_advance_complete_over_the_api(env: dict[str, Any]) -> None:
    am = api_client(env["am"])
    r = post(
        am,
        BASE,
        {
            "customer_id": env["hq"].pk,
            "kind": "new",
            "product": "dia",
            "bandwidth_kbps": 100000,
            "contact_id": env["contact"].pk,
            "a_address": "天河路1号",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    order_id = body["id"]
    assert body["status"] == "draft" and body["region_code"] == "440100" and body["number"].startswith("WO-")
    r = am.patch(f"{BASE}/{order_id}", json.dumps({"bandwidth_kbps": 200000}), content_type="application/json")
    assert r.status_code == 200 and r.json()["bandwidth_kbps"] == 200000
    r = post(
        am,
        f"{BASE}/{order_id}/dispatch",
        {
            "assignments": [
                {"stage": s, "team_name": "天河装维", "user_id": env["engineer"].pk, "lead_id": env["lead"].pk}
                for s in (
                    "intake",
                    "survey",
                    "resource_check",
                    "installation",
                    "configuration",
                    "testing",
                    "activation",
                    "completion",
                )
            ]
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "in_progress" and body["stage"] == "intake"
    assert [s["stage"] for s in body["stages"] if not s["skipped"]][:2] == ["intake", "survey"]
    assert body["calendar_code"] == "cn-office"
    r = am.patch(f"{BASE}/{order_id}", json.dumps({"bandwidth_kbps": 1}), content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "order_not_draft"
    eng = api_client(env["engineer"])
    for _step in range(7):
        r = post(eng, f"{BASE}/{order_id}/advance", {"note": "ok"})
        assert r.status_code == 200, r.content
    assert r.json()["stage"] == "completion"
    r = post(eng, f"{BASE}/{order_id}/advance")
    assert r.status_code == 409 and r.json()["code"] == "use_completion"
    r = post(eng, f"{BASE}/{order_id}/complete", {"acceptance_contact_id": env["contact"].pk, "test_ids": []})
    assert r.status_code == 409 and r.json()["code"] == "test_not_passed"
    r = post(
        eng, f"{BASE}/{order_id}/complete", {"acceptance_contact_id": env["contact"].pk, "override_reason": "客户确认"}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "completed" and body["on_time"] is True
    from kam.lines.models import Line

    assert Line.objects.get(pk=body["line_id"]).status == "active"
    r = post(am, f"{BASE}/{order_id}/cancel", {"reason": "x"})
    assert r.status_code == 409 and r.json()["code"] == "order_closed"


def test_pause_resume_extensions_and_children_over_the_api(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2030, 3, 4, 9, 0))  # deadlines far in the future: requests are before them
    eng = api_client(env["engineer"])
    r = post(eng, f"{BASE}/{order.pk}/pause", {"reason": "客户机房", "customer_caused": True})
    assert r.status_code == 200 and r.json()["status"] == "paused"
    r = post(eng, f"{BASE}/{order.pk}/pause", {"reason": "again"})
    assert r.status_code == 409 and r.json()["code"] == "order_paused"
    r = post(eng, f"{BASE}/{order.pk}/resume")
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    assert len(r.json()["pauses"]) == 1
    r = post(eng, f"{BASE}/{order.pk}/extensions", {"extra_hours": "4", "reason": "等待物料"})
    assert r.status_code == 201, r.content
    ext = r.json()
    assert ext["extra_seconds"] == 14400 and ext["status"] == "pending" and ext["stage"] == "intake"
    r = post(api_client(env["am"]), f"{BASE}/{order.pk}/extensions/{ext['id']}/approve")
    assert r.status_code == 403
    r = post(api_client(env["director"]), f"{BASE}/{order.pk}/extensions/{ext['id']}/approve", {"note": "同意"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = post(api_client(env["director"]), f"{BASE}/{order.pk}/extensions/{ext['id']}/reject")
    assert r.status_code == 409 and r.json()["code"] == "extension_decided"
    r = eng.get(f"{BASE}/{order.pk}/extensions")
    assert [e["status"] for e in r.json()] == ["approved"]

    parent = make_order(at(2030, 3, 4, 9, 0))
    am = api_client(env["am"])
    r = post(
        am,
        f"{BASE}/{parent.pk}/children",
        {
            "children": [
                {"region_code": "440100", "team_name": "广州装维", "user_id": env["engineer"].pk},
                {"region_code": "440300", "team_name": "深圳装维", "user_id": env["sz_engineer"].pk},
            ]
        },
    )
    assert r.status_code == 201, r.content
    assert [c["region_code"] for c in r.json()] == ["440100", "440300"]
    r = am.get(f"{BASE}/{parent.pk}/children")
    assert len(r.json()) == 2
    r = am.get(BASE, {"parent_id": parent.pk})
    assert r.json()["count"] == 2
    r = post(am, f"{BASE}/{parent.pk}/children", {"children": [{"region_code": "430100"}]})
    assert r.status_code == 409 and r.json()["code"] == "already_split"


def test_extension_too_late_over_the_api(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2026, 3, 2, 9, 0))  # long past
    r = post(api_client(env["engineer"]), f"{BASE}/{order.pk}/extensions", {"extra_hours": 4, "reason": "late"})
    assert r.status_code == 409 and r.json()["code"] == "extension_too_late"
    assert WorkOrder.objects.get(pk=order.pk).counted_late is True
    r = api_client(env["am"]).get(BASE, {"late": "true"})
    assert [o["id"] for o in r.json()["items"]] == [order.pk]


def test_list_filters_and_scoping(env: dict[str, Any], make_order: Any) -> None:
    a = make_order(at(2026, 3, 2, 9, 0))
    b = make_order()
    other = services.create_work_order(
        actor=env["am_other"], data={"kind": "new", "customer": env["other"], "product": "dia", "bandwidth_kbps": 1000}
    )
    am = api_client(env["am"])
    assert sorted(o["id"] for o in am.get(BASE).json()["items"]) == sorted([a.pk, b.pk])
    assert [o["id"] for o in am.get(BASE, {"status": "draft"}).json()["items"]] == [b.pk]
    assert [o["id"] for o in am.get(BASE, {"stage": "intake", "status": "in_progress"}).json()["items"]] == [a.pk]
    assert am.get(BASE, {"customer_id": env["other"].pk}).json()["count"] == 0
    assert am.get(BASE, {"region": "430000"}).json()["count"] == 0
    assert am.get(BASE, {"kind": "upgrade"}).json()["count"] == 0
    assert am.get(BASE, {"jeopardy": "on_track"}).json()["count"] == 2
    assert am.get(BASE, {"status": "nonsense"}).status_code == 422
    assert [o["id"] for o in api_client(env["am_other"]).get(BASE).json()["items"]] == [other.pk]
    # NOC and engineers see their region's orders; the customer user sees none
    assert api_client(env["noc"]).get(BASE).json()["count"] == 2
    assert api_client(env["sz_engineer"]).get(BASE).json()["count"] == 0
    assert api_client(env["customer"]).get(BASE).json()["count"] == 0
    assert api_client(env["director_hn"]).get(BASE).json()["count"] == 1


def test_timeliness_api(env: dict[str, Any], make_order: Any) -> None:
    from kam.orders.tests.test_timeliness import build_fixture

    build_fixture(env, make_order)
    r = api_client(env["director"]).get(f"{BASE}/timeliness", {"group_by": "month"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert [(row["key"], row["total"], row["on_time"], row["on_time_rate"]) for row in body["rows"]] == [
        ("2026-03", 2, 1, 50.0),
        ("2026-04", 1, 1, 100.0),
    ]
    assert body["total"]["total"] == 3
    assert "late=1" in body["rows"][0]["late_orders_url"] and "month=2026-03" in body["rows"][0]["late_orders_url"]
    assert api_client(env["director"]).get(f"{BASE}/timeliness", {"group_by": "colour"}).status_code == 422
    assert api_client(env["customer"]).get(f"{BASE}/timeliness").status_code == 403


# --- the permission matrix ------------------------------------------------------------------------------


def test_matrix_reads(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(at(2030, 3, 4, 9, 0))
    readers = [env["admin"], env["am"], env["director"], env["engineer"], env["noc"], env["finance"]]
    outsiders = [env["am_other"], env["director_hn"], env["customer"], env["customer_other"], env["sz_engineer"]]
    for url in (
        f"{BASE}/{order.pk}",
        f"{BASE}/{order.pk}/extensions",
        f"{BASE}/{order.pk}/children",
        f"{BASE}/{order.pk}/tests",
    ):
        assert_matrix(url=url, api=True, allowed=readers, denied=outsiders, denied_status=(404,))
    assert_matrix(url=BASE, api=True, allowed=readers + outsiders, denied=[])
    assert_matrix(url=f"{BASE}/timeliness", api=True, allowed=readers, denied=[env["customer"]])
    assert_matrix(url="/api/v1/work-order-templates", api=True, allowed=readers, denied=[])
    assert_matrix(url="/api/v1/time-limit-policies", api=True, allowed=readers, denied=[])


def test_matrix_requirement_writes(env: dict[str, Any], make_order: Any) -> None:
    draft = make_order()
    assert_matrix(
        url=f"{BASE}/{draft.pk}",
        method="patch",
        api=True,
        data={"bandwidth_kbps": 5000},
        allowed=[env["am"]],
        denied=[env["am_other"], env["customer"], env["engineer"], env["noc"], env["finance"]],
        state=lambda: snapshot(draft),
    )
    count = lambda: WorkOrder.objects.count()  # noqa: E731
    assert_matrix(
        url=BASE,
        method="post",
        api=True,
        data={"customer_id": env["hq"].pk, "product": "dia", "bandwidth_kbps": 1000},
        allowed=[env["am"], env["director"]],
        allowed_status=(201,),
        denied=[env["am_other"], env["customer"], env["engineer"], env["noc"], env["finance"]],
        state=count,
    )
    assert_matrix(
        url=f"{BASE}/{draft.pk}/dispatch",
        method="post",
        api=True,
        data={"assignments": [{"stage": "intake", "team_name": "t"}]},
        allowed=[env["director"]],
        denied=[env["am_other"], env["engineer"], env["noc"], env["customer"]],
        state=lambda: snapshot(draft),
    )


def test_matrix_stage_writes(env: dict[str, Any], make_order: Any) -> None:
    outsiders = [env["am_other"], env["customer"], env["noc"], env["finance"], env["sz_engineer"]]
    order = make_order(recent())
    assert_matrix(
        url=f"{BASE}/{order.pk}/advance",
        method="post",
        api=True,
        allowed=[env["engineer"]],
        denied=outsiders,
        state=lambda: snapshot(order),
    )
    order = make_order(recent())
    assert_matrix(
        url=f"{BASE}/{order.pk}/pause",
        method="post",
        api=True,
        data={"reason": "客户"},
        allowed=[env["lead"]],
        denied=outsiders,
        state=lambda: snapshot(order),
    )
    assert_matrix(
        url=f"{BASE}/{order.pk}/resume",
        method="post",
        api=True,
        allowed=[env["am"]],
        denied=outsiders,
        state=lambda: snapshot(order),
    )
    assert_matrix(
        url=f"{BASE}/{order.pk}/extensions",
        method="post",
        api=True,
        data={"extra_hours": 2, "reason": "r"},
        allowed=[env["engineer"]],
        allowed_status=(201,),
        denied=outsiders,
        state=lambda: snapshot(order),
    )
    ext = ExtensionRequest.objects.get(order=order)
    state = lambda: (ExtensionRequest.objects.get(pk=ext.pk).status, snapshot(order))  # noqa: E731
    assert_matrix(
        url=f"{BASE}/{order.pk}/extensions/{ext.pk}/reject",
        method="post",
        api=True,
        allowed=[env["director"]],
        denied=[*outsiders, env["am"], env["engineer"]],
        state=state,
    )
    assert_matrix(
        url=f"{BASE}/{order.pk}/extensions/{ext.pk}/approve",
        method="post",
        api=True,
        allowed=[],
        denied=[*outsiders, env["am"], env["director_hn"]],
        state=state,
    )
    assert_matrix(
        url=f"{BASE}/{order.pk}/cancel",
        method="post",
        api=True,
        data={"reason": "r"},
        allowed=[env["am"]],
        denied=[*outsiders, env["engineer"]],
        state=lambda: snapshot(order),
    )


def test_matrix_complete_split_and_test(env: dict[str, Any], make_order: Any) -> None:
    outsiders = [env["am_other"], env["customer"], env["noc"], env["finance"], env["sz_engineer"]]
    order = make_order(recent())
    while order.stage != "completion":
        order = services.advance_stage(order=order, actor=env["am"], now=recent())
    assert_matrix(
        url=f"{BASE}/{order.pk}/complete",
        method="post",
        api=True,
        data={"acceptance_contact_id": env["contact"].pk, "override_reason": "ok"},
        allowed=[env["engineer"]],
        denied=outsiders,
        state=lambda: snapshot(order),
    )
    parent = make_order()
    assert_matrix(
        url=f"{BASE}/{parent.pk}/children",
        method="post",
        api=True,
        data={"children": [{"region_code": "440300", "team_name": "深圳"}]},
        allowed=[env["am"]],
        allowed_status=(201,),
        denied=[*outsiders, env["engineer"]],
        state=lambda: snapshot(parent),
    )


def test_matrix_templates_and_policies(env: dict[str, Any]) -> None:
    staff = [env["am"], env["director"], env["engineer"], env["noc"]]
    count = lambda: (WorkOrderTemplate.objects.count(), TimeLimitPolicy.objects.count())  # noqa: E731
    assert_matrix(
        url="/api/v1/work-order-templates",
        method="post",
        api=True,
        data={
            "name": "DIA 100M",
            "product": "dia",
            "bandwidth_kbps": 100000,
            "default_assignments": [{"stage": "survey", "team_name": "勘察组"}],
        },
        allowed=[env["admin"]],
        allowed_status=(201,),
        denied=[*staff, env["customer"]],
        state=count,
    )
    template = WorkOrderTemplate.objects.get()
    assert template.default_assignments == [
        {"stage": "survey", "team_name": "勘察组", "user_id": None, "lead_id": None}
    ]
    assert_matrix(
        url=f"/api/v1/work-order-templates/{template.pk}",
        method="patch",
        api=True,
        data={"bandwidth_kbps": 200000},
        allowed=[env["admin"]],
        denied=staff,
        state=lambda: WorkOrderTemplate.objects.get().bandwidth_kbps,
    )
    assert_matrix(
        url="/api/v1/time-limit-policies",
        method="post",
        api=True,
        data={"name": "OTN", "product": "otn", "stage_hours": {"intake": 2, "survey": 8}, "calendar_code": "24x7"},
        allowed=[env["admin"]],
        allowed_status=(201,),
        denied=[*staff, env["customer"]],
        state=count,
    )
    policy = TimeLimitPolicy.objects.get(name="OTN")
    assert policy.calendar.code == "24x7" and policy.stage_hours == {"intake": "2", "survey": "8"}
    assert_matrix(
        url=f"/api/v1/time-limit-policies/{policy.pk}",
        method="patch",
        api=True,
        data={"at_risk_ratio": "0.5"},
        allowed=[env["admin"]],
        denied=staff,
        state=lambda: TimeLimitPolicy.objects.get(pk=policy.pk).at_risk_ratio,
    )
    r = api_client(env["admin"]).post(
        "/api/v1/time-limit-policies",
        json.dumps({"name": "bad", "stage_hours": {"nope": 1}}),
        content_type="application/json",
    )
    assert r.status_code == 422
    assert_matrix(
        url=f"/api/v1/work-order-templates/{template.pk}",
        method="delete",
        api=True,
        allowed=[env["admin"]],
        allowed_status=(204,),
        denied=staff,
        state=count,
    )
