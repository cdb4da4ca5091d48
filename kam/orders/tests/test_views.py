"""Work-order pages: list, detail, the three forms, the actions, templates, policies, panels; permission matrix."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kam.core.testing import assert_matrix, ui_client
from kam.orders import services
from kam.orders.models import TimeLimitPolicy, WorkOrder, WorkOrderTemplate
from kam.orders.tests.conftest import STAGE_HOURS

pytestmark = pytest.mark.django_db


def recent() -> Any:
    return timezone.now() - timedelta(minutes=30)


def snap(order: WorkOrder) -> Any:
    o = WorkOrder.objects.get(pk=order.pk)
    return (
        o.status,
        o.stage,
        o.bandwidth_kbps,
        o.due_at,
        o.assignments.count(),
        o.pauses.count(),
        o.extensions.count(),
        o.children.count(),
        o.cancel_reason,
    )


def test_list_and_detail_pages(env: dict[str, Any], make_order: Any) -> None:
    order = make_order(recent())
    readers = [env["admin"], env["am"], env["director"], env["engineer"], env["noc"]]
    outsiders = [env["am_other"], env["director_hn"], env["sz_engineer"]]
    assert_matrix(url="/work-orders/", allowed=readers + outsiders, denied=[])
    for tab in ("overview", "clocks", "children", "tests", "history"):
        assert_matrix(
            url=f"/work-orders/{order.pk}/?tab={tab}",
            allowed=readers,
            denied=[*outsiders, env["customer"]],
            denied_status=(404,),
        )
    html = ui_client(env["am"]).get("/work-orders/").content.decode()
    assert order.number in html and 'data-jeopardy="on_track"' in html
    assert ui_client(env["am_other"]).get("/work-orders/").content.decode().count(order.number) == 0
    html = ui_client(env["engineer"]).get(f"/work-orders/{order.pk}/").content.decode()
    assert 'id="order-stages"' in html and 'id="advance-form"' in html and 'id="pause-form"' in html
    assert 'id="cancel-form"' not in html  # the engineer works the stage but does not own the order
    html = ui_client(env["noc"]).get(f"/work-orders/{order.pk}/").content.decode()
    assert 'id="advance-form"' not in html
    r = ui_client(env["am"]).get("/work-orders/", {"export": "csv"})
    assert r.status_code == 200 and order.number in r.content.decode("utf-8-sig")


def test_requirement_form_creates_and_edits(env: dict[str, Any]) -> None:
    client = ui_client(env["am"])
    assert client.get("/work-orders/new/", {"customer": env["hq"].pk}).status_code == 200
    r = client.post(
        "/work-orders/new/",
        {
            "kind": "new",
            "customer": env["hq"].pk,
            "product": "dia",
            "bandwidth_kbps": 50000,
            "resource_availability": "available",
            "contact": env["contact"].pk,
        },
    )
    assert r.status_code == 302, r.content[:500]
    order = WorkOrder.objects.get()
    assert order.status == "draft" and order.bandwidth_kbps == 50000
    r = client.post(
        "/work-orders/new/", {"kind": "upgrade", "customer": env["hq"].pk, "resource_availability": "available"}
    )
    assert r.status_code == 422 and WorkOrder.objects.count() == 1
    count = lambda: (WorkOrder.objects.count(), WorkOrder.objects.get(pk=order.pk).bandwidth_kbps)  # noqa: E731
    assert_matrix(
        url="/work-orders/new/",
        method="post",
        data={
            "kind": "new",
            "customer": env["hq"].pk,
            "product": "dia",
            "bandwidth_kbps": 1,
            "resource_availability": "available",
        },
        allowed=[env["director"]],
        allowed_status=(302,),
        denied=[env["engineer"], env["noc"], env["customer"], env["finance"]],
        state=count,
    )
    assert_matrix(
        url=f"/work-orders/{order.pk}/edit/",
        method="post",
        data={"kind": "new", "product": "dia", "bandwidth_kbps": 70000, "resource_availability": "available"},
        allowed=[env["am"]],
        allowed_status=(302,),
        denied=[env["am_other"], env["engineer"], env["noc"], env["customer"]],
        state=count,
    )
    assert WorkOrder.objects.get(pk=order.pk).bandwidth_kbps == 70000


def test_blacklisted_customer_warning(env: dict[str, Any], make_order: Any) -> None:
    env["hq"].credit_status = "blacklisted"
    env["hq"].payment_terms = "prepaid"
    env["hq"].save()
    order = make_order()
    client = ui_client(env["am"])
    for url in (
        f"/work-orders/{order.pk}/",
        f"/work-orders/{order.pk}/dispatch/",
        f"/work-orders/new/?customer={env['hq'].pk}",
    ):
        html = client.get(url).content.decode()
        assert 'id="credit-warning"' in html, url


def test_dispatch_form_starts_the_clocks(env: dict[str, Any], make_order: Any) -> None:
    order = make_order()
    data = {f"team_{s}": "天河装维" for s in STAGE_HOURS if s != "construction"}
    data.update({f"user_{s}": env["engineer"].pk for s in STAGE_HOURS if s != "construction"})
    assert_matrix(
        url=f"/work-orders/{order.pk}/dispatch/",
        method="post",
        data=data,
        allowed=[env["am"]],
        allowed_status=(302,),
        denied=[env["am_other"], env["engineer"], env["noc"], env["customer"]],
        state=lambda: snap(order),
    )
    order.refresh_from_db()
    assert order.status == "in_progress" and order.assignments.count() == 8


def test_stage_actions(env: dict[str, Any], make_order: Any) -> None:
    outsiders = [env["am_other"], env["noc"], env["customer"], env["sz_engineer"]]
    order = make_order(recent())
    assert_matrix(
        url=f"/work-orders/{order.pk}/advance/",
        method="post",
        data={"note": "ok"},
        allowed=[env["engineer"]],
        allowed_status=(302,),
        denied=outsiders,
        state=lambda: snap(order),
    )
    assert WorkOrder.objects.get(pk=order.pk).stage == "survey"
    assert_matrix(
        url=f"/work-orders/{order.pk}/pause/",
        method="post",
        data={"reason": "客户", "customer_caused": "on"},
        allowed=[env["engineer"]],
        allowed_status=(302,),
        denied=outsiders,
        state=lambda: snap(order),
    )
    assert WorkOrder.objects.get(pk=order.pk).status == "paused"
    assert_matrix(
        url=f"/work-orders/{order.pk}/resume/",
        method="post",
        allowed=[env["am"]],
        allowed_status=(302,),
        denied=outsiders,
        state=lambda: snap(order),
    )
    assert_matrix(
        url=f"/work-orders/{order.pk}/extensions/",
        method="post",
        data={"extra_hours": "2", "reason": "r"},
        allowed=[env["engineer"]],
        allowed_status=(302,),
        denied=outsiders,
        state=lambda: snap(order),
    )
    ext = order.extensions.get()
    assert_matrix(
        url=f"/work-orders/{order.pk}/extensions/{ext.pk}/approve/",
        method="post",
        allowed=[env["director"]],
        allowed_status=(302,),
        denied=outsiders,
        state=lambda: (snap(order), type(ext).objects.get(pk=ext.pk).status),
    )
    assert type(ext).objects.get(pk=ext.pk).status == "approved"
    html = ui_client(env["am"]).get(f"/work-orders/{order.pk}/?tab=clocks").content.decode()
    assert "客户" in html and 'id="order-extensions"' in html
    assert_matrix(
        url=f"/work-orders/{order.pk}/cancel/",
        method="post",
        data={"reason": "客户取消"},
        allowed=[env["am"]],
        allowed_status=(302,),
        denied=[*outsiders, env["engineer"]],
        state=lambda: snap(order),
    )
    assert WorkOrder.objects.get(pk=order.pk).status == "cancelled"


def test_conflict_shows_a_message(env: dict[str, Any], make_order: Any) -> None:
    order = make_order()  # a draft cannot advance
    r = ui_client(env["am"]).post(f"/work-orders/{order.pk}/advance/", follow=True)
    assert r.status_code == 200
    assert "dispatched" in r.content.decode() or "派" in r.content.decode()


def test_completion_form_and_test_button(env: dict[str, Any], make_order: Any, monkeypatch: Any) -> None:
    order = make_order(recent())
    while order.stage != "testing":
        order = services.advance_stage(order=order, actor=env["am"], now=recent())
    import kam.lines.activation as activation

    monkeypatch.setattr(activation, "probe", lambda address: (True, 1.5, "icmp"))
    monkeypatch.setattr(activation, "check_endpoint", lambda endpoint: {"passed": True, "detail": "up", "value": "up"})
    from kam.lines.models import Line

    Line.objects.filter(pk=order.line_id).update(test_address="192.0.2.1")
    assert_matrix(
        url=f"/work-orders/{order.pk}/test/",
        method="post",
        allowed=[env["engineer"]],
        allowed_status=(302,),
        denied=[env["am_other"], env["noc"], env["customer"], env["sz_engineer"]],
        state=lambda: order.test_links.count(),
    )
    link = order.test_links.get()
    assert link.test.passed is True and link.test.run_by == env["engineer"]
    while order.stage != "completion":
        order = services.advance_stage(order=order, actor=env["am"], now=recent())
    assert ui_client(env["engineer"]).get(f"/work-orders/{order.pk}/complete/").status_code == 200
    r = ui_client(env["engineer"]).post(
        f"/work-orders/{order.pk}/complete/",
        {
            "acceptance_contact": env["contact"].pk,
            "accepted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 422  # no passed test chosen and no override reason
    assert_matrix(
        url=f"/work-orders/{order.pk}/complete/",
        method="post",
        data={
            "acceptance_contact": env["contact"].pk,
            "accepted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "tests": [link.test_id],
        },
        allowed=[env["engineer"]],
        allowed_status=(302,),
        denied=[env["am_other"], env["noc"], env["customer"], env["sz_engineer"]],
        state=lambda: snap(order),
    )
    order.refresh_from_db()
    assert order.status == "completed" and order.line.status == "active"


def test_split_view(env: dict[str, Any], make_order: Any, regions: dict[str, Any]) -> None:
    order = make_order()
    assert_matrix(
        url=f"/work-orders/{order.pk}/split/",
        method="post",
        data={"region_1": regions["gz"].pk, "team_1": "广州", "region_2": regions["sz"].pk, "team_2": "深圳"},
        allowed=[env["am"]],
        allowed_status=(302,),
        denied=[env["am_other"], env["engineer"], env["noc"], env["customer"]],
        state=lambda: snap(order),
    )
    assert order.children.count() == 2
    html = ui_client(env["am"]).get(f"/work-orders/{order.pk}/?tab=children").content.decode()
    assert f"{order.number}-01" in html and f"{order.number}-02" in html


def test_template_and_policy_admin(env: dict[str, Any]) -> None:
    staff = [env["am"], env["director"], env["engineer"], env["noc"]]
    assert_matrix(url="/work-order-templates/", allowed=[env["admin"], *staff], denied=[])
    assert_matrix(url="/time-limit-policies/", allowed=[env["admin"], *staff], denied=[])
    count = lambda: (WorkOrderTemplate.objects.count(), TimeLimitPolicy.objects.count())  # noqa: E731
    assert_matrix(
        url="/work-order-templates/new/",
        method="post",
        data={
            "name": "DIA 100M",
            "kind": "new",
            "product": "dia",
            "bandwidth_kbps": 100000,
            "default_assignments": "[]",
            "active": "on",
        },
        allowed=[env["admin"]],
        allowed_status=(302,),
        denied=staff,
        state=count,
    )
    data = {
        "name": "OTN AAA",
        "product": "otn",
        "protection_level": "aaa",
        "at_risk_ratio": "0.8",
        "escalation_step_hours": "2",
        "active": "on",
        **{f"hours_{s}": "3" for s in STAGE_HOURS},
    }
    assert_matrix(
        url="/time-limit-policies/new/",
        method="post",
        data=data,
        allowed=[env["admin"]],
        allowed_status=(302,),
        denied=staff,
        state=count,
    )
    policy = TimeLimitPolicy.objects.get(name="OTN AAA")
    assert policy.stage_hours["survey"] == "3" and policy.order_hours(True) == 24
    assert_matrix(url=f"/time-limit-policies/{policy.pk}/", allowed=[env["admin"]], denied=staff, denied_status=(403,))


def test_customer_panel_and_timeliness_access(env: dict[str, Any], make_order: Any) -> None:
    from kam.orders.registrations import customer_orders

    order = make_order(recent())
    request = type("R", (), {"user": env["am"]})()
    context = customer_orders(request, env["hq"])  # type: ignore[arg-type]
    assert [o.pk for o in context["orders"]] == [order.pk] and context["open_count"] == 1
    request = type("R", (), {"user": env["am_other"]})()
    assert customer_orders(request, env["hq"])["orders"] == []  # type: ignore[arg-type]
    assert_matrix(
        url="/work-orders/timeliness/",
        allowed=[env["director"], env["am"], env["noc"]],
        denied=[env["customer"]],
        denied_status=(403,),
    )
