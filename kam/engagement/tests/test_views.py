"""Pages: the permission matrix of every view, forms calling the services, panels."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from kam.core.registry import registry
from kam.core.testing import assert_matrix, ui_client
from kam.engagement import services
from kam.engagement.models import AccountPlan, CompetitorPresence, Visit
from kam.engagement.tests.conftest import at
from kam.engagement.tests.test_api import snapshot

pytestmark = pytest.mark.django_db

OUTSIDERS = ("am_other", "director_hn", "customer_other")
READERS = ("admin", "director", "am", "engineer", "finance")


def pick(users: dict[str, Any], *names: str) -> list[Any]:
    return [users[n] for n in names]


@pytest.fixture
def world(users, customers, contacts, competitors):
    am = users["am"]
    return {
        "done": services.record_visit(
            visit=None,
            customer=customers["hq"],
            channel="face_to_face",
            occurred_at=at(2026, 11, 2),
            purpose="年度回顾",
            next_step="发送方案",
            actor=am,
            attitude_updates=[(contacts["cio"], 3, "认可")],
            competitor_sightings=[(competitors["cmcc"], "试点")],
        ),
        "planned": services.plan_visit(
            customer=customers["hq"], channel="phone", planned_at=at(2026, 12, 2), purpose="电话回访", actor=am
        ),
        "plan": services.create_plan(customer=customers["hq"], year=2026, actor=am, strategy="战略"),
        "presence": CompetitorPresence.objects.get(),
        "feedback": services.collect_feedback(customer=customers["hq"], kind="complaint", title="时延高", actor=am),
    }


def test_list_pages(users, world) -> None:
    for path in ("visits/", "plans/", "competitors/", "presences/", "feedback/", "visits/overdue/"):
        assert_matrix(url=f"/engagement/{path}", allowed=list(users.values()), denied=[])
    assert "年度回顾" in ui_client(users["am"]).get("/engagement/visits/").content.decode()
    assert "年度回顾" not in ui_client(users["am_other"]).get("/engagement/visits/").content.decode()
    assert "时延高" in ui_client(users["noc"]).get("/engagement/feedback/").content.decode()
    page = ui_client(users["am"]).get("/engagement/visits/overdue/").content.decode()
    assert "广州示例集团有限公司深圳分公司" in page  # never visited
    export = ui_client(users["am"]).get("/engagement/visits/?export=csv")
    assert export.status_code == 200 and "年度回顾" in export.content.decode("utf-8-sig")
    assert_matrix(
        url="/engagement/feedback/turnaround/",
        allowed=pick(users, "director", "am", "noc", "admin"),
        denied=pick(users, "customer"),
    )


def test_detail_pages(users, world) -> None:
    for key in ("done", "plan", "presence"):
        url = world[key].get_absolute_url()
        assert_matrix(url=url, allowed=pick(users, *READERS), denied=pick(users, *OUTSIDERS, "noc", "customer"))
    assert_matrix(
        url=world["feedback"].get_absolute_url(),
        allowed=pick(users, *READERS, "noc"),
        denied=pick(users, *OUTSIDERS, "customer"),
    )
    comp = world["presence"].competitor.get_absolute_url()
    assert_matrix(url=comp, allowed=pick(users, *READERS, "noc", "am_other"), denied=pick(users, "customer"))
    page = ui_client(users["am"]).get(world["done"].get_absolute_url()).content.decode()
    assert "王强" in page and "+3" in page and "中国移动" in page
    history = ui_client(users["am"]).get(world["plan"].get_absolute_url() + "?tab=history")
    assert history.status_code == 200


def test_visit_form_records_attitudes_and_competitors(users, customers, contacts, competitors) -> None:
    url = "/engagement/visits/new/"
    assert_matrix(
        url=url,
        allowed=pick(users, "am", "director", "admin"),
        denied=pick(users, "engineer", "noc", "customer", "finance"),
    )
    data = {
        "customer": customers["hq"].pk,
        "status": "done",
        "channel": "face_to_face",
        "occurred_at": "2026-11-15T10:00",
        "purpose": "现场交流",
        "summary": "谈了扩容",
        "our_participants": [users["am"].pk],
        "contacts": [contacts["it"].pk],
        "att-TOTAL_FORMS": "2",
        "att-INITIAL_FORMS": "0",
        "att-0-contact": contacts["cio"].pk,
        "att-0-score": "4",
        "att-0-evidence": "主动邀约",
        "att-1-contact": "",
        "att-1-score": "",
        "att-1-evidence": "",
        "seen-TOTAL_FORMS": "1",
        "seen-INITIAL_FORMS": "0",
        "seen-0-competitor": competitors["cucc"].pk,
        "seen-0-note": "联通报价",
    }
    assert_matrix(
        url=url,
        method="post",
        data=data,
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=pick(users, "engineer", "noc", "customer", "finance"),
        state=snapshot,
    )
    visit = Visit.objects.get(purpose="现场交流")
    assert sorted(c.name for c in visit.their_participants.all()) == ["李娜", "王强"]
    contacts["cio"].refresh_from_db()
    assert contacts["cio"].current_attitude == 4
    assert CompetitorPresence.objects.get(competitor=competitors["cucc"]).notes == "联通报价"
    # a contact of another group on the form: nothing is written
    before = snapshot()
    bad = {**data, "purpose": "x", "att-0-contact": contacts["other"].pk}
    response = ui_client(users["am"]).post(url, bad)
    assert response.status_code == 422
    assert snapshot() == before
    # an attitude without a score is a form error
    response = ui_client(users["am"]).post(url, {**data, "att-0-score": ""})
    assert response.status_code == 422
    assert snapshot() == before


def test_visit_record_cancel_and_edit(users, world) -> None:
    planned = world["planned"]
    record_url = f"/engagement/visits/{planned.pk}/record/"
    denied = pick(users, *OUTSIDERS, "engineer", "noc", "customer", "finance")
    assert_matrix(url=record_url, allowed=pick(users, "am", "director"), denied=denied)
    data = {
        "channel": "phone",
        "occurred_at": "2026-11-21T09:30",
        "purpose": "电话回访",
        "summary": "已回访",
        "att-TOTAL_FORMS": "0",
        "att-INITIAL_FORMS": "0",
        "seen-TOTAL_FORMS": "0",
        "seen-INITIAL_FORMS": "0",
    }
    assert_matrix(
        url=record_url,
        method="post",
        data=data,
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=denied,
        state=snapshot,
    )
    planned.refresh_from_db()
    assert (planned.status, planned.summary) == ("done", "已回访")
    edit_url = f"/engagement/visits/{planned.pk}/edit/"
    assert_matrix(
        url=edit_url,
        method="post",
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=denied,
        state=snapshot,
        data={
            "channel": "phone",
            "occurred_at": "2026-11-21T09:30",
            "purpose": "电话回访",
            "summary": "已回访，客户满意",
            "next_step_done": "on",
        },
    )
    assert Visit.objects.get(pk=planned.pk).summary == "已回访，客户满意"
    other = services.plan_visit(
        customer=planned.customer, channel="web", planned_at=at(2026, 12, 9), purpose="线上", actor=users["am"]
    )
    assert_matrix(
        url=f"/engagement/visits/{other.pk}/cancel/",
        method="post",
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=denied,
        state=snapshot,
    )
    assert Visit.objects.get(pk=other.pk).status == "cancelled"


def test_plan_pages_and_workflow(users, customers, world) -> None:
    plan = world["plan"]
    denied = pick(users, *OUTSIDERS, "engineer", "noc", "customer", "finance")
    assert_matrix(
        url="/engagement/plans/new/",
        method="post",
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=pick(users, "engineer", "noc", "customer", "finance"),
        state=snapshot,
        data={
            "customer": customers["hq"].pk,
            "year": 2027,
            "stage": "start",
            "revenue_goal": "1000",
            "share_of_wallet_goal": "10",
            "strategy": "s",
        },
    )
    dup = ui_client(users["am"]).post(
        "/engagement/plans/new/",
        {
            "customer": customers["hq"].pk,
            "year": 2027,
            "stage": "start",
            "revenue_goal": "1",
            "share_of_wallet_goal": "1",
        },
    )
    assert dup.status_code == 422
    base = f"/engagement/plans/{plan.pk}"
    assert_matrix(
        url=f"{base}/edit/",
        method="post",
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=denied,
        state=snapshot,
        data={"stage": "deepen", "revenue_goal": "2000", "share_of_wallet_goal": "20", "strategy": "新战略"},
    )
    for part, data in (
        ("swot", {"kind": "O", "text": "数字政府"}),
        ("action", {"text": "拜访"}),
        ("review", {"date": "2026-05-01", "event": "复盘"}),
    ):
        assert_matrix(
            url=f"{base}/{part}/add/",
            method="post",
            data=data,
            allowed=[users["am"]],
            allowed_status=(302,),
            denied=denied,
            state=snapshot,
        )
    plan.refresh_from_db()
    assert (plan.strategy, plan.swot.count(), plan.actions.count(), plan.reviews.count()) == ("新战略", 1, 1, 1)
    item = plan.swot.get()
    assert_matrix(
        url=f"{base}/swot/{item.pk}/delete/",
        method="post",
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=denied,
        state=snapshot,
    )
    action = plan.actions.get()
    assert_matrix(
        url=f"{base}/actions/{action.pk}/status/",
        method="post",
        data={"status": "done"},
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=denied,
        state=snapshot,
    )
    assert plan.actions.get().status == "done"
    assert_matrix(
        url=f"{base}/submit/",
        method="post",
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=denied,
        state=snapshot,
    )
    # outside draft: edit page refused, additions refused with a message and no change
    assert ui_client(users["am"]).get(f"{base}/edit/").status_code == 403
    before = snapshot()
    ui_client(users["am"]).post(f"{base}/swot/add/", {"kind": "S", "text": "x"})
    assert snapshot() == before
    page = ui_client(users["director"]).get(plan.get_absolute_url()).content.decode()
    assert f"{base}/approve/" in page
    assert_matrix(
        url=f"{base}/approve/",
        method="post",
        allowed=[users["director"]],
        allowed_status=(302,),
        denied=pick(users, *OUTSIDERS, "am", "engineer", "noc", "customer"),
        state=snapshot,
    )
    assert AccountPlan.objects.get(pk=plan.pk).status == "approved"
    nxt = AccountPlan.objects.get(year=2027)
    services.submit_plan(plan=nxt, actor=users["am"])
    assert_matrix(
        url=f"/engagement/plans/{nxt.pk}/return/",
        method="post",
        data={"note": "再细化"},
        allowed=[users["director"]],
        allowed_status=(302,),
        denied=pick(users, *OUTSIDERS, "am", "engineer", "noc", "customer"),
        state=snapshot,
    )
    assert AccountPlan.objects.get(pk=nxt.pk).status == "returned"


def test_competitor_and_presence_pages(users, customers, competitors, world) -> None:
    assert_matrix(
        url="/engagement/competitors/new/",
        method="post",
        data={"name": "华为云", "notes": ""},
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=pick(users, "engineer", "noc", "customer"),
        state=snapshot,
    )
    cucc = competitors["cucc"].pk
    assert_matrix(
        url=f"/engagement/competitors/{cucc}/edit/",
        method="post",
        data={"name": "中国联通", "notes": "固网"},
        allowed=[users["director"]],
        allowed_status=(302,),
        denied=pick(users, "engineer", "noc", "customer"),
        state=snapshot,
    )
    denied = pick(users, *OUTSIDERS, "engineer", "noc", "customer", "finance")
    assert_matrix(
        url="/engagement/presences/new/",
        method="post",
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=pick(users, "engineer", "noc", "customer", "finance"),
        state=snapshot,
        data={
            "customer": customers["hq"].pk,
            "competitor": competitors["aliyun"].pk,
            "products": "公有云",
            "strength": 2,
            "source": "market",
        },
    )
    presence = world["presence"]
    assert_matrix(
        url=f"/engagement/presences/{presence.pk}/edit/",
        method="post",
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=denied,
        state=snapshot,
        data={"products": "5G专网+云", "strength": 5, "source": "visit"},
    )
    assert CompetitorPresence.objects.get(pk=presence.pk).strength == 5
    assert_matrix(
        url=f"/engagement/presences/{presence.pk}/delete/",
        method="post",
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=denied,
        state=snapshot,
    )


def test_feedback_pages_and_workflow(users, customers, world) -> None:
    fb = world["feedback"]
    denied = pick(users, *OUTSIDERS, "engineer", "noc", "customer", "finance")
    assert_matrix(
        url="/engagement/feedback/new/",
        method="post",
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=pick(users, "engineer", "noc", "customer", "finance"),
        state=snapshot,
        data={"customer": customers["hq"].pk, "kind": "praise", "title": "表扬装维"},
    )
    assert_matrix(
        url=f"/engagement/feedback/{fb.pk}/edit/",
        method="post",
        data={"kind": "complaint", "title": "时延高（晚高峰）"},
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=pick(users, *OUTSIDERS, "engineer", "noc", "customer", "finance"),
        state=snapshot,
    )
    base = f"/engagement/feedback/{fb.pk}"
    assert_matrix(
        url=f"{base}/route/",
        method="post",
        data={"responsible": users["noc"].pk},
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=denied,
        state=snapshot,
    )
    page = ui_client(users["noc"]).get(fb.get_absolute_url()).content.decode()
    assert "feedback-decide" in page and "feedback-close" not in page
    assert_matrix(
        url=f"{base}/decide/",
        method="post",
        data={"decision": "调整路由"},
        allowed=[users["noc"]],
        allowed_status=(302,),
        denied=pick(users, *OUTSIDERS, "engineer", "customer", "finance"),
        state=snapshot,
    )
    assert_matrix(
        url=f"{base}/close/", method="post", allowed=[users["am"]], allowed_status=(302,), denied=denied, state=snapshot
    )
    fb.refresh_from_db()
    assert (fb.status, fb.decision) == ("closed", "调整路由")
    # closing again is a conflict: a message, no change
    before = snapshot()
    response = ui_client(users["am"]).post(f"{base}/close/")
    assert response.status_code == 302
    assert snapshot() == before


def test_panels(users, customers, world, monkeypatch) -> None:
    # the 360 page with only this app's panels on it, whatever other apps register
    mine = [p for p in registry.panels.get("customer", []) if p.key.startswith("engagement")]
    monkeypatch.setitem(registry.panels, "customer", mine)
    request = RequestFactory().get("/")
    request.user = users["am"]
    hq = customers["hq"]
    keys = {p.key for p in registry.panels_for("customer", users["am"], hq)}
    assert keys >= {"engagement-visits", "engagement-plan", "engagement-competitors", "engagement-feedback"}
    assert {p.key for p in registry.panels_for("customer", users["noc"], hq) if p.key.startswith("engagement")} == {
        "engagement-feedback"
    }
    html = ""
    for panel in registry.panels_for("customer", users["am"], hq):
        if panel.key.startswith("engagement"):
            html += render_to_string(
                panel.template, {"panel": panel, "panel_context": panel.context(request, hq)}, request=request
            )
    for text in ("年度回顾", "发送方案", "中国移动", "时延高", "2026"):
        assert text in html
    page = ui_client(users["am"]).get(hq.get_absolute_url()).content.decode()
    for key in ("visits", "plan", "competitors", "feedback"):
        assert f"panel-engagement-{key}" in page
    assert "年度回顾" in page and "中国移动" in page
    page = ui_client(users["noc"]).get(hq.get_absolute_url()).content.decode()
    assert "panel-engagement-feedback" in page and "panel-engagement-visits" not in page
    home = ui_client(users["am"]).get("/").content.decode()
    assert "panel-engagement-overdue" in home
    home = ui_client(users["director"]).get("/").content.decode()
    assert "panel-engagement-turnaround" in home and "panel-engagement-overdue" in home
    assert "panel-engagement-turnaround" not in ui_client(users["am"]).get("/").content.decode()
    nav = ui_client(users["am"]).get("/engagement/visits/").content.decode()
    assert "/engagement/plans/" in nav


def test_competitors_are_found_by_global_search(users, competitors) -> None:
    found = [
        h.title
        for provider, results in registry.run_search(users["am"], "联通", 8)
        for h in results
        if provider.key == "competitors"
    ]
    assert found == ["中国联通"]
    assert not [p for p, _r in registry.run_search(users["customer"], "联通", 8) if p.key == "competitors"]
