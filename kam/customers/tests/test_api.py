from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kam.core.testing import api_client, assert_matrix
from kam.customers.models import AccountTeamMember, Customer, GradeChangeRequest, Site, TierPolicy

pytestmark = pytest.mark.django_db
API = "/api/v1"


def send(client: Client, method: str, url: str, data: Any = None) -> Any:
    return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json")


def customer_state() -> list[tuple[Any, ...]]:
    return list(
        Customer.objects.order_by("pk").values_list("pk", "name", "address", "value_grade", "parent_id", "path")
    )


def test_list_filters_sort_and_scope(users: dict[str, Any], customers: dict[str, Any]) -> None:
    client = api_client(users["admin"])
    body = client.get(f"{API}/customers", {"sort": "-name"}).json()
    assert body["count"] == 3
    assert [c["short_name"] for c in body["items"]] == ["其他", "示例深圳", "示例集团"]
    assert [c["short_name"] for c in client.get(f"{API}/customers", {"region": "440000"}).json()["items"]] == [
        "示例集团",
        "示例深圳",
    ]
    assert client.get(f"{API}/customers", {"region": "4403"}).json()["count"] == 1
    assert client.get(f"{API}/customers", {"root_only": "true"}).json()["count"] == 2
    assert client.get(f"{API}/customers", {"parent_id": customers["hq"].pk}).json()["count"] == 1
    assert client.get(f"{API}/customers", {"value_grade": "B1"}).json()["items"][0]["short_name"] == "其他"
    assert client.get(f"{API}/customers", {"q": "91110000710925462X"}).json()["count"] == 1
    assert client.get(f"{API}/customers", {"sort": "bogus"}).status_code == 422
    am = api_client(users["am_other"]).get(f"{API}/customers").json()
    assert [c["short_name"] for c in am["items"]] == ["其他"]


def test_commercial_fields_hidden(users: dict[str, Any], customers: dict[str, Any]) -> None:
    url = f"{API}/customers/{customers['hq'].pk}"
    am = api_client(users["am"]).get(url).json()
    assert (am["value_grade"], am["credit_status"], am["payment_terms"]) == ("A1", "normal", "monthly")
    noc = api_client(users["noc"]).get(url).json()
    assert (noc["value_grade"], noc["credit_status"], noc["payment_terms"], noc["lifecycle"]) == (
        "A1",
        None,
        None,
        None,
    )
    cust = api_client(users["customer"]).get(url).json()
    assert (cust["value_grade"], cust["credit_status"], cust["owner_id"], cust["uscc_override"]) == (
        None,
        None,
        None,
        None,
    )
    # a grade filter cannot be used to learn the grade either
    assert api_client(users["customer"]).get(f"{API}/customers", {"value_grade": "D"}).json()["count"] == 2
    tree = api_client(users["customer"]).get(f"{url}/tree").json()
    assert tree["value_grade"] is None
    assert tree["children"][0]["value_grade"] is None


def test_create_update_errors(users: dict[str, Any], customers: dict[str, Any]) -> None:
    client = api_client(users["am"])
    r = send(
        client,
        "post",
        f"{API}/customers",
        {"name": "深圳新能源科技有限公司", "region_id": "440300", "uscc": "91350100M0001TGQXM", "value_grade": "B2"},
    )
    assert r.status_code == 422
    assert r.json()["code"] == "uscc_check_digit"
    assert list(r.json()["fields"]) == ["uscc"]
    r = send(
        client,
        "post",
        f"{API}/customers",
        {
            "name": "深圳新能源科技有限公司",
            "region_id": "440300",
            "uscc": "91350100M0001TGQXM",
            "uscc_override": "核实为试点代码",
            "value_grade": "B2",
            "parent_id": customers["hq"].pk,
        },
    )
    assert r.status_code == 201, r.content
    created = r.json()
    assert (created["service_level"], created["depth"], created["parent_id"]) == ("silver", 1, customers["hq"].pk)
    r = send(client, "post", f"{API}/customers", {"name": "深圳新能源科技股份有限公司", "region_id": "440300"})
    assert (r.status_code, r.json()["code"]) == (409, "duplicate_customer")
    r = send(client, "post", f"{API}/customers", {"name": "X", "region_id": "999999", "customer_type": "alien"})
    assert r.status_code == 422
    assert set(r.json()["fields"]) == {"region", "customer_type"}
    r = send(client, "post", f"{API}/customers", {"region_id": "440300"})
    assert r.status_code == 422
    r = send(client, "patch", f"{API}/customers/{created['id']}", {"address": "南山区科技园"})
    assert (r.status_code, r.json()["address"]) == (200, "南山区科技园")
    r = send(client, "patch", f"{API}/customers/{created['id']}", {"name": None})
    assert r.status_code == 422
    r = send(client, "patch", f"{API}/customers/{customers['other'].pk}", {"address": "x"})
    assert r.status_code == 404
    r = send(api_client(users["engineer"]), "patch", f"{API}/customers/{customers['hq'].pk}", {"address": "x"})
    assert r.status_code == 403


def test_move_and_tree_and_rollups(users: dict[str, Any], customers: dict[str, Any]) -> None:
    client = api_client(users["admin"])
    hq, branch = customers["hq"], customers["branch"]
    r = send(client, "post", f"{API}/customers/{hq.pk}/move", {"parent_id": branch.pk})
    assert (r.status_code, r.json()["code"]) == (422, "hierarchy_cycle")
    r = send(client, "post", f"{API}/customers/{branch.pk}/move", {"parent_id": customers["other"].pk})
    assert (r.status_code, r.json()["parent_id"], r.json()["depth"]) == (200, customers["other"].pk, 1)
    tree = client.get(f"{API}/customers/{branch.pk}/tree").json()
    assert (tree["id"], tree["rollup"]["branches"], [c["id"] for c in tree["children"]]) == (
        customers["other"].pk,
        1,
        [branch.pk],
    )
    r = send(client, "post", f"{API}/customers/{branch.pk}/move", {"parent_id": None})
    assert r.json()["depth"] == 0
    roll = client.get(f"{API}/customers/{hq.pk}/rollups").json()
    assert roll["values"]["branches"] == 0
    assert set(roll["values"]) >= {"branches", "contacts", "sites"}


def test_team_get_put(users: dict[str, Any], customers: dict[str, Any]) -> None:
    client = api_client(users["am"])
    url = f"{API}/customers/{customers['hq'].pk}/team"
    assert [(m["user_id"], m["role"]) for m in client.get(url).json()] == [
        (users["am"].pk, "lead_am"),
        (users["engineer"].pk, "solution_engineer"),
    ]
    r = send(client, "put", url, {"members": [{"user_id": users["engineer"].pk, "role": "solution_engineer"}]})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_team")
    r = send(
        client,
        "put",
        url,
        {
            "members": [
                {"user_id": users["am"].pk, "role": "lead_am", "credit_share": 70},
                {"user_id": users["am_other"].pk, "role": "local_am", "region_id": "430100", "credit_share": 30},
            ]
        },
    )
    assert r.status_code == 200, r.content
    assert sorted((m["role"], m["credit_share"]) for m in r.json()) == [("lead_am", "70.00"), ("local_am", "30.00")]
    assert AccountTeamMember.objects.filter(customer=customers["hq"]).count() == 2


def test_sites_crud(users: dict[str, Any], customers: dict[str, Any]) -> None:
    client = api_client(users["am"])
    r = send(
        client,
        "post",
        f"{API}/sites",
        {
            "customer_id": customers["hq"].pk,
            "name": "天河总部",
            "address": "天河路385号",
            "region_id": "440106",
            "phone": "020-38881234",
        },
    )
    assert r.status_code == 201, r.content
    site_id = r.json()["id"]
    assert client.get(f"{API}/customers/{customers['hq'].pk}/sites").json()["count"] == 1
    r = send(client, "patch", f"{API}/sites/{site_id}", {"kind": "data_centre", "latitude": "23.13"})
    assert (r.json()["kind"], float(r.json()["latitude"])) == ("data_centre", 23.13)
    r = send(client, "patch", f"{API}/sites/{site_id}", {"kind": "castle"})
    assert r.status_code == 422
    r = send(
        client,
        "post",
        f"{API}/sites",
        {"customer_id": customers["other"].pk, "name": "x", "address": "y", "region_id": "430100"},
    )
    assert r.status_code == 404
    assert client.get(f"{API}/customers", {"q": "38881234"}).json()["count"] == 1
    assert client.delete(f"{API}/sites/{site_id}").status_code == 204
    assert not Site.objects.exists()


def test_tier_policies(users: dict[str, Any]) -> None:
    rows = api_client(users["noc"]).get(f"{API}/tier-policies").json()
    assert [(r["grade"], r["visit_cadence_days"]) for r in rows] == [
        ("A1", 30),
        ("A2", 30),
        ("B1", 90),
        ("B2", 90),
        ("C", 180),
        ("D", 365),
    ]
    a1 = TierPolicy.objects.get(grade="A1")
    url = f"{API}/tier-policies/{a1.pk}"
    assert_matrix(
        url=url,
        method="patch",
        data={"visit_cadence_days": 14},
        api=True,
        allowed=[users["admin"]],
        denied=[users["director"], users["am"], users["customer"]],
        state=lambda: TierPolicy.objects.get(grade="A1").visit_cadence_days,
    )
    assert TierPolicy.objects.get(grade="A1").visit_cadence_days == 14
    r = send(api_client(users["admin"]), "patch", url, {"visit_cadence_days": 0})
    assert r.status_code == 422
    r = send(api_client(users["admin"]), "post", f"{API}/tier-policies", {"grade": "S", "label": "S 特级", "rank": 0})
    assert r.status_code == 201
    assert api_client(users["customer"]).get(f"{API}/tier-policies").json() == []


def test_grade_change_requests(users: dict[str, Any], customers: dict[str, Any]) -> None:
    hq = customers["hq"]
    r = send(
        api_client(users["am"]),
        "post",
        f"{API}/grade-change-requests",
        {"customer_id": hq.pk, "to_grade": "B1", "reason": "收入下降"},
    )
    assert r.status_code == 201, r.content
    req_id = r.json()["id"]
    r = send(
        api_client(users["am"]),
        "post",
        f"{API}/grade-change-requests",
        {"customer_id": hq.pk, "to_grade": "B2", "reason": "再降"},
    )
    assert (r.status_code, r.json()["code"]) == (409, "grade_change_pending")
    assert api_client(users["director"]).get(f"{API}/grade-change-requests", {"status": "pending"}).json()["count"] == 1
    assert api_client(users["director_hn"]).get(f"{API}/grade-change-requests").json()["count"] == 0

    def state() -> Any:
        return (
            list(GradeChangeRequest.objects.values_list("status", flat=True)),
            Customer.objects.get(pk=hq.pk).value_grade,
        )

    assert_matrix(
        url=f"{API}/grade-change-requests/{req_id}/approve",
        method="post",
        data={"note": "同意"},
        api=True,
        allowed=[users["director"]],
        denied=[users["am"], users["engineer"], users["director_hn"], users["customer"], users["noc"]],
        state=state,
    )
    assert state() == (["approved"], "B1")
    r = send(api_client(users["director"]), "post", f"{API}/grade-change-requests/{req_id}/reject", {})
    assert (r.status_code, r.json()["code"]) == (409, "grade_change_decided")


def test_permission_matrix(users: dict[str, Any], customers: dict[str, Any]) -> None:
    hq = customers["hq"]
    outsiders = [users["am_other"], users["director_hn"], users["customer_other"]]
    readers = [users["am"], users["engineer"], users["director"], users["noc"], users["finance"], users["customer"]]
    for suffix in ("", "/tree", "/rollups", "/team", "/sites"):
        assert_matrix(
            url=f"{API}/customers/{hq.pk}{suffix}", api=True, allowed=[*readers, users["admin"]], denied=outsiders
        )
    assert_matrix(
        url=f"{API}/customers/{hq.pk}",
        method="patch",
        data={"address": "改"},
        api=True,
        allowed=[users["am"], users["director"], users["admin"]],
        denied=[*outsiders, users["engineer"], users["noc"], users["finance"], users["customer"]],
        state=customer_state,
    )
    assert_matrix(
        url=f"{API}/customers/{customers['branch'].pk}/move",
        method="post",
        data={"parent_id": None},
        api=True,
        allowed=[users["admin"]],
        denied=[*outsiders, users["engineer"], users["noc"], users["customer"]],
        state=customer_state,
    )
    team = [{"user_id": users["am"].pk, "role": "lead_am", "credit_share": 100}]
    assert_matrix(
        url=f"{API}/customers/{hq.pk}/team",
        method="put",
        data={"members": team},
        api=True,
        allowed=[users["am"]],
        denied=[*outsiders, users["engineer"], users["noc"], users["customer"]],
        state=lambda: list(AccountTeamMember.objects.order_by("pk").values_list("user_id", "role")),
    )
    assert_matrix(
        url=f"{API}/customers",
        method="post",
        data={"name": "新公司", "region_id": "440100"},
        api=True,
        allowed=[users["director"]],
        denied=[],
        allowed_status=(201,),
    )
    for user in (users["noc"], users["engineer"], users["customer"], users["finance"]):
        r = send(api_client(user), "post", f"{API}/customers", {"name": f"{user.username}公司", "region_id": "440100"})
        assert r.status_code == 403
    assert not Customer.objects.filter(name__endswith="公司", name__startswith="noc").exists()
