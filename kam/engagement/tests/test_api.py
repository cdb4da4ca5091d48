"""API CRUD and the permission matrix of every engagement endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from kam.core.testing import api_client, assert_matrix
from kam.engagement import services
from kam.engagement.models import (
    AccountPlan,
    Competitor,
    CompetitorPresence,
    Feedback,
    PlanAction,
    PlanReview,
    SwotItem,
    Visit,
)
from kam.engagement.tests.conftest import at

pytestmark = pytest.mark.django_db

API = "/api/v1"


def snapshot() -> Any:
    """Everything an engagement endpoint could change."""
    return (
        sorted(Visit.objects.values_list("pk", "status", "purpose", "summary", "next_step_done")),
        sorted(AccountPlan.objects.values_list("pk", "status", "strategy", "stage")),
        sorted(SwotItem.objects.values_list("pk", "text")),
        sorted(PlanAction.objects.values_list("pk", "text", "status")),
        sorted(PlanReview.objects.values_list("pk", "event")),
        sorted(Competitor.objects.values_list("pk", "name", "notes")),
        sorted(CompetitorPresence.objects.values_list("pk", "products", "strength")),
        sorted(Feedback.objects.values_list("pk", "status", "title", "responsible_id")),
    )


@pytest.fixture
def world(users: dict[str, Any], customers: dict[str, Any], contacts: dict[str, Any], competitors: dict[str, Any]):
    am = users["am"]
    done = services.record_visit(
        visit=None,
        customer=customers["hq"],
        channel="face_to_face",
        occurred_at=at(2026, 11, 2),
        purpose="年度回顾",
        actor=am,
    )
    planned = services.plan_visit(
        customer=customers["hq"], channel="phone", planned_at=at(2026, 12, 2), purpose="电话回访", actor=am
    )
    plan = services.create_plan(customer=customers["hq"], year=2026, actor=am, strategy="s")
    swot = services.add_swot_item(plan=plan, kind="S", text="本地网络", actor=am)
    action = services.add_action(plan=plan, text="拜访CIO", actor=am)
    review = services.add_review(plan=plan, date=at(2026, 6, 1).date(), event="招标", actor=am)
    presence = services.create_presence(
        customer=customers["hq"], competitor=competitors["cmcc"], actor=am, products="5G专网"
    )
    feedback = services.collect_feedback(customer=customers["hq"], kind="complaint", title="时延高", actor=am)
    return {
        "done": done,
        "planned": planned,
        "plan": plan,
        "swot": swot,
        "action": action,
        "review": review,
        "presence": presence,
        "feedback": feedback,
    }


def everyone(users: dict[str, Any]) -> list[Any]:
    return list(users.values())


def pick(users: dict[str, Any], *names: str) -> list[Any]:
    return [users[n] for n in names]


OUTSIDERS = ("am_other", "director_hn", "customer_other")  # cannot see the HQ at all → 404
COMMERCIAL_READERS = ("admin", "director", "am", "engineer", "finance")
NON_COMMERCIAL = ("noc", "customer")


def test_lists_are_scoped(users, customers, world) -> None:
    for url in (
        "/visits",
        "/account-plans",
        "/competitor-presences",
        "/feedback",
        "/competitors",
        "/visits/overdue",
        f"/account-plans/{world['plan'].pk}/swot",
    ):
        if "swot" in url:
            continue
        assert_matrix(url=API + url, allowed=everyone(users), denied=[], api=True)
    counts = {}
    for name in ("am", "am_other", "director", "director_hn", "engineer", "noc", "customer"):
        client = api_client(users[name])
        counts[name] = tuple(
            client.get(API + url).json()["count"]
            for url in ("/visits", "/account-plans", "/competitor-presences", "/feedback", "/competitors")
        )
    assert counts == {
        "am": (2, 1, 1, 1, 3),
        "am_other": (0, 0, 0, 0, 3),
        "director": (2, 1, 1, 1, 3),
        "director_hn": (0, 0, 0, 0, 3),
        "engineer": (2, 1, 1, 1, 3),
        "noc": (0, 0, 0, 1, 3),
        "customer": (0, 0, 0, 0, 0),
    }


def test_list_filters_and_search(users, customers, world) -> None:
    client = api_client(users["am"])
    assert [v["id"] for v in client.get(f"{API}/visits?status=planned").json()["items"]] == [world["planned"].pk]
    assert [v["id"] for v in client.get(f"{API}/visits", {"q": "年度"}).json()["items"]] == [world["done"].pk]
    assert client.get(f"{API}/visits?date_from=2026-12-01&date_to=2026-12-31").json()["count"] == 1
    assert client.get(f"{API}/feedback?kind=praise").json()["count"] == 0
    assert client.get(f"{API}/competitors", {"q": "联通"}).json()["items"][0]["name"] == "中国联通"
    assert client.get(f"{API}/competitor-presences?min_strength=4").json()["count"] == 0
    overdue = client.get(f"{API}/visits/overdue").json()
    # the HQ was visited on 2 Nov; today is later than that, the branch never: both show up or only the branch
    assert customers["branch"].pk in [row["customer_id"] for row in overdue["items"]]
    row = next(r for r in overdue["items"] if r["customer_id"] == customers["branch"].pk)
    assert (row["cadence_days"], row["last_visit_at"], row["days_since_last_visit"]) == (30, None, None)


def test_visit_endpoints(users, customers, contacts, competitors, world) -> None:
    hq = customers["hq"]
    create = {
        "customer_id": hq.pk,
        "status": "done",
        "channel": "web",
        "occurred_at": "2026-11-10T15:00:00+08:00",
        "purpose": "线上方案沟通",
        "our_participant_ids": [users["am"].pk],
        "contact_ids": [contacts["it"].pk],
        "attitude_updates": [{"contact_id": contacts["cio"].pk, "score": 4, "evidence": "认可方案"}],
        "competitor_sightings": [{"competitor_id": competitors["aliyun"].pk, "note": "阿里云在谈"}],
        "next_step": "报价",
        "next_step_due": "2026-11-20",
        "next_step_owner_id": users["am"].pk,
    }
    denied_writers = pick(users, *OUTSIDERS, "engineer", "noc", "customer", "finance")
    assert_matrix(
        url=f"{API}/visits",
        method="post",
        data=create,
        api=True,
        allowed=[users["am"]],
        denied=denied_writers,
        allowed_status=(201,),
        state=snapshot,
    )
    visit = Visit.objects.get(purpose="线上方案沟通")
    body = api_client(users["am"]).get(f"{API}/visits/{visit.pk}").json()
    assert (body["status"], body["contact_ids"], body["next_step_due"]) == (
        "done",
        sorted([contacts["it"].pk, contacts["cio"].pk]),
        "2026-11-20",
    )
    assert body["sightings"] == [
        {"competitor_id": competitors["aliyun"].pk, "competitor_name": "阿里云", "note": "阿里云在谈"}
    ]
    contacts["cio"].refresh_from_db()
    assert contacts["cio"].current_attitude == 4
    assert CompetitorPresence.objects.filter(customer=hq, competitor=competitors["aliyun"]).exists()

    detail = f"{API}/visits/{world['planned'].pk}"
    assert_matrix(
        url=detail, api=True, allowed=pick(users, *COMMERCIAL_READERS), denied=pick(users, *OUTSIDERS, *NON_COMMERCIAL)
    )
    assert_matrix(
        url=detail,
        method="patch",
        data={"purpose": "电话回访（改期）", "planned_at": "2026-12-03T10:00:00+08:00"},
        api=True,
        allowed=pick(users, "am", "director"),
        denied=denied_writers,
        state=snapshot,
    )
    assert Visit.objects.get(pk=world["planned"].pk).purpose == "电话回访（改期）"
    assert_matrix(
        url=f"{detail}/record",
        method="post",
        data={"occurred_at": "2026-11-21T10:00:00+08:00", "summary": "已沟通"},
        api=True,
        allowed=[users["am"]],
        denied=denied_writers,
        state=snapshot,
    )
    assert Visit.objects.get(pk=world["planned"].pk).status == "done"
    # a done visit cannot be cancelled (409) nor deleted (409)
    client = api_client(users["am"])
    assert client.post(f"{detail}/cancel").status_code == 409
    assert client.delete(detail).status_code == 409
    other = services.plan_visit(
        customer=hq, channel="phone", planned_at=at(2026, 12, 9), purpose="p2", actor=users["am"]
    )
    assert_matrix(
        url=f"{API}/visits/{other.pk}/cancel",
        method="post",
        api=True,
        allowed=[users["am"]],
        denied=denied_writers,
        state=snapshot,
    )
    third = services.plan_visit(
        customer=hq, channel="phone", planned_at=at(2026, 12, 9), purpose="p3", actor=users["am"]
    )
    assert_matrix(
        url=f"{API}/visits/{third.pk}",
        method="delete",
        api=True,
        allowed=[users["am"]],
        denied=denied_writers,
        allowed_status=(204,),
        state=snapshot,
    )
    assert not Visit.objects.filter(pk=third.pk).exists()


def test_visit_api_rejects_bad_input(users, customers, contacts) -> None:
    client = api_client(users["am"])
    base = {
        "customer_id": customers["hq"].pk,
        "status": "done",
        "purpose": "x",
        "occurred_at": "2026-11-10T10:00:00+08:00",
    }
    before = snapshot()
    cases = [
        ({**base, "contact_ids": [contacts["other"].pk]}, 422),
        ({**base, "attitude_updates": [{"contact_id": contacts["cio"].pk, "score": 6}]}, 422),
        ({**base, "competitor_sightings": [{"competitor_id": 999999}]}, 422),
        ({**base, "occurred_at": None}, 422),
        ({**base, "status": "planned", "planned_at": None}, 422),
        ({**base, "customer_id": 999999}, 404),
        ({**base, "channel": "pigeon"}, 422),
    ]
    for payload, status in cases:
        response = client.post(f"{API}/visits", payload, content_type="application/json")
        assert response.status_code == status, (payload, response.content)
        assert set(response.json()) >= {"code", "message", "fields"}
    assert snapshot() == before


def test_plan_endpoints(users, customers, world) -> None:
    plan = world["plan"]
    url = f"{API}/account-plans/{plan.pk}"
    denied_writers = pick(users, *OUTSIDERS, "engineer", "noc", "customer", "finance")
    assert_matrix(
        url=f"{API}/account-plans",
        method="post",
        api=True,
        allowed_status=(201,),
        data={
            "customer_id": customers["hq"].pk,
            "year": 2027,
            "stage": "start",
            "revenue_goal": "500000.00",
            "share_of_wallet_goal": "20",
        },
        allowed=[users["am"]],
        denied=denied_writers,
        state=snapshot,
    )
    assert (
        api_client(users["am"])
        .post(
            f"{API}/account-plans", {"customer_id": customers["hq"].pk, "year": 2027}, content_type="application/json"
        )
        .status_code
        == 409
    )
    assert_matrix(
        url=url, api=True, allowed=pick(users, *COMMERCIAL_READERS), denied=pick(users, *OUTSIDERS, *NON_COMMERCIAL)
    )
    assert_matrix(
        url=url,
        method="patch",
        api=True,
        data={"strategy": "聚焦云专线", "revenue_goal": "800000.50"},
        allowed=[users["am"]],
        denied=denied_writers,
        state=snapshot,
    )
    body = api_client(users["am"]).get(url).json()
    assert (body["strategy"], body["revenue_goal"], len(body["swot"]), len(body["actions"])) == (
        "聚焦云专线",
        "800000.50",
        1,
        1,
    )
    for part, data, item in (
        ("swot", {"kind": "T", "text": "价格战"}, world["swot"]),
        ("actions", {"text": "组织技术交流", "due_date": "2026-12-15", "owner_id": users["am"].pk}, world["action"]),
        ("reviews", {"date": "2026-07-01", "event": "割接事故", "lessons": "提前演练"}, world["review"]),
    ):
        assert_matrix(
            url=f"{url}/{part}",
            api=True,
            allowed=pick(users, *COMMERCIAL_READERS),
            denied=pick(users, *OUTSIDERS, *NON_COMMERCIAL),
        )
        assert_matrix(
            url=f"{url}/{part}",
            method="post",
            api=True,
            data=data,
            allowed=[users["am"]],
            denied=denied_writers,
            allowed_status=(201,),
            state=snapshot,
        )
        field = {"swot": "text", "actions": "text", "reviews": "event"}[part]
        assert_matrix(
            url=f"{url}/{part}/{item.pk}",
            method="patch",
            api=True,
            data={field: "改过"},
            allowed=[users["am"]],
            denied=denied_writers,
            state=snapshot,
        )
    for part, item in (
        ("swot", SwotItem.objects.get(text="价格战")),
        ("actions", PlanAction.objects.get(text="组织技术交流")),
        ("reviews", PlanReview.objects.get(event="割接事故")),
    ):
        assert_matrix(
            url=f"{url}/{part}/{item.pk}",
            method="delete",
            api=True,
            allowed=[users["am"]],
            denied=denied_writers,
            allowed_status=(204,),
            state=snapshot,
        )
    # submit: AM of the team; approve: director of the region or admin
    assert_matrix(
        url=f"{url}/submit", method="post", api=True, allowed=[users["am"]], denied=denied_writers, state=snapshot
    )
    assert api_client(users["am"]).patch(url, {"strategy": "x"}, content_type="application/json").status_code == 409
    assert (
        api_client(users["am"])
        .post(f"{url}/swot", {"kind": "S", "text": "y"}, content_type="application/json")
        .status_code
        == 409
    )
    assert_matrix(
        url=f"{url}/approve",
        method="post",
        api=True,
        allowed=[users["director"]],
        denied=pick(users, *OUTSIDERS, "am", "engineer", "noc", "customer", "finance"),
        state=snapshot,
    )
    assert AccountPlan.objects.get(pk=plan.pk).status == "approved"
    # the next year's plan: submitted, then returned with a note
    nxt = AccountPlan.objects.get(year=2027)
    services.submit_plan(plan=nxt, actor=users["am"])
    assert_matrix(
        url=f"{API}/account-plans/{nxt.pk}/return",
        method="post",
        api=True,
        data={"note": "目标偏低"},
        allowed=[users["director"]],
        denied=pick(users, *OUTSIDERS, "am", "engineer", "noc", "customer"),
        state=snapshot,
    )
    assert (
        api_client(users["admin"])
        .post(f"{API}/account-plans/{nxt.pk}/return", {"note": "again"}, content_type="application/json")
        .status_code
        == 409
    )
    third = services.create_plan(customer=customers["branch"], year=2026, actor=users["am"])
    assert_matrix(
        url=f"{API}/account-plans/{third.pk}",
        method="delete",
        api=True,
        allowed=[users["am"]],
        denied=denied_writers,
        allowed_status=(204,),
        state=snapshot,
    )


def test_competitor_endpoints(users, competitors, world) -> None:
    staff = pick(users, "admin", "director", "am", "am_other", "engineer", "noc", "finance")
    assert_matrix(
        url=f"{API}/competitors",
        method="post",
        api=True,
        data={"name": "华为云", "notes": "政务云"},
        allowed=[users["am"]],
        denied=pick(users, "engineer", "noc", "finance", "customer"),
        allowed_status=(201,),
        state=snapshot,
    )
    assert (
        api_client(users["director"])
        .post(f"{API}/competitors", {"name": "华为云"}, content_type="application/json")
        .status_code
        == 409
    )
    cid = competitors["cucc"].pk
    assert_matrix(url=f"{API}/competitors/{cid}", api=True, allowed=staff, denied=pick(users, "customer"))
    assert_matrix(
        url=f"{API}/competitors/{cid}",
        method="patch",
        api=True,
        data={"notes": "固网强"},
        allowed=pick(users, "director", "am"),
        denied=pick(users, "engineer", "noc", "customer"),
        state=snapshot,
    )
    assert_matrix(
        url=f"{API}/competitors/{cid}",
        method="delete",
        api=True,
        allowed=[users["admin"]],
        denied=pick(users, "am", "director", "noc", "customer"),
        allowed_status=(204,),
        state=snapshot,
    )
    # in use at a customer: kept
    used = competitors["cmcc"].pk
    assert api_client(users["admin"]).delete(f"{API}/competitors/{used}").status_code == 409


def test_presence_endpoints(users, customers, competitors, world) -> None:
    denied_writers = pick(users, *OUTSIDERS, "engineer", "noc", "customer", "finance")
    data = {
        "customer_id": customers["hq"].pk,
        "competitor_id": competitors["cucc"].pk,
        "products": "互联网专线",
        "estimated_annual_spend": "360000.00",
        "contract_end": "2027-06-30",
        "strength": 4,
        "source": "customer",
    }
    assert_matrix(
        url=f"{API}/competitor-presences",
        method="post",
        api=True,
        data=data,
        allowed=[users["am"]],
        denied=denied_writers,
        allowed_status=(201,),
        state=snapshot,
    )
    assert (
        api_client(users["am"]).post(f"{API}/competitor-presences", data, content_type="application/json").status_code
        == 409
    )
    bad = {**data, "competitor_id": competitors["aliyun"].pk, "strength": 9}
    assert (
        api_client(users["am"]).post(f"{API}/competitor-presences", bad, content_type="application/json").status_code
        == 422
    )
    url = f"{API}/competitor-presences/{world['presence'].pk}"
    assert_matrix(
        url=url, api=True, allowed=pick(users, *COMMERCIAL_READERS), denied=pick(users, *OUTSIDERS, *NON_COMMERCIAL)
    )
    assert_matrix(
        url=url,
        method="patch",
        api=True,
        data={"strength": 5},
        allowed=[users["am"]],
        denied=denied_writers,
        state=snapshot,
    )
    assert api_client(users["am"]).get(url).json()["strength"] == 5
    assert_matrix(
        url=url,
        method="delete",
        api=True,
        allowed=[users["am"]],
        denied=denied_writers,
        allowed_status=(204,),
        state=snapshot,
    )


def test_feedback_endpoints(users, customers, contacts, world) -> None:
    denied_writers = pick(users, *OUTSIDERS, "engineer", "noc", "customer", "finance")
    assert_matrix(
        url=f"{API}/feedback",
        method="post",
        api=True,
        allowed_status=(201,),
        state=snapshot,
        data={
            "customer_id": customers["hq"].pk,
            "kind": "requirement",
            "title": "需要IPv6",
            "contact_id": contacts["cio"].pk,
        },
        allowed=[users["am"]],
        denied=denied_writers,
    )
    fb = world["feedback"]
    url = f"{API}/feedback/{fb.pk}"
    assert_matrix(
        url=url, api=True, allowed=pick(users, *COMMERCIAL_READERS, "noc"), denied=pick(users, *OUTSIDERS, "customer")
    )
    assert_matrix(
        url=url,
        method="patch",
        api=True,
        data={"title": "时延高（晚高峰）"},
        allowed=[users["am"]],
        denied=denied_writers,
        state=snapshot,
    )
    assert_matrix(
        url=f"{url}/decide",
        method="post",
        api=True,
        data={"decision": "x"},
        allowed=[],
        denied=denied_writers,
        state=snapshot,
    )
    assert (
        api_client(users["am"]).post(f"{url}/decide", {"decision": "x"}, content_type="application/json").status_code
        == 409
    )
    assert_matrix(
        url=f"{url}/route",
        method="post",
        api=True,
        data={"responsible_id": users["engineer"].pk},
        allowed=[users["am"]],
        denied=denied_writers,
        state=snapshot,
    )
    assert_matrix(
        url=f"{url}/decide",
        method="post",
        api=True,
        data={"decision": "扩容出口"},
        allowed=[users["engineer"]],
        denied=pick(users, *OUTSIDERS, "noc", "customer", "finance"),
        state=snapshot,
    )
    assert_matrix(
        url=f"{url}/close", method="post", api=True, allowed=[users["am"]], denied=denied_writers, state=snapshot
    )
    body = api_client(users["director"]).get(url).json()
    assert (body["status"], body["decision"], body["responsible_id"]) == ("closed", "扩容出口", users["engineer"].pk)
    assert body["routed_at"] and body["decided_at"] and body["closed_at"]
    turnaround = f"{API}/feedback/turnaround"
    assert_matrix(url=turnaround, api=True, allowed=everyone(users), denied=[])
    rows = {r["kind"]: r for r in api_client(users["director"]).get(turnaround).json()["rows"]}
    assert (rows["complaint"]["collected"], rows["complaint"]["closed"], rows["all"]["collected"]) == (1, 1, 2)
    assert (
        api_client(users["director"]).get(turnaround, {"date_from": "2026-12-01", "date_to": "2026-01-01"}).status_code
        == 422
    )
    assert api_client(users["customer"]).get(turnaround).json()["rows"][-1]["collected"] == 0
