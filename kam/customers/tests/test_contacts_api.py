"""``/api/v1/contacts``: CRUD, attitudes, reports-to, departure, org chart, private notes, the permission matrix."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import translation

from kam.core.testing import api_client, assert_matrix
from kam.customers.contacts import services
from kam.customers.contacts.testing import make_contacts
from kam.customers.models import AttitudeAssessment, Contact

API = "/api/v1/contacts"
READERS = ("admin", "am", "engineer", "director", "noc", "finance", "customer")
WRITERS = ("admin", "am", "director")
OUTSIDERS = ("am_other", "director_hn", "customer_other")
VISIBLE_READ_ONLY = ("engineer", "noc", "finance", "customer")


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def contacts(customers: dict[str, Any], users: dict[str, Any]) -> dict[str, Contact]:
    return make_contacts(customers)


def en_client(user: Any) -> Any:
    client = api_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def pick(users: dict[str, Any], names: tuple[str, ...]) -> list[Any]:
    return [users[n] for n in names]


def snapshot() -> list[tuple[Any, ...]]:
    return [
        *list(
            Contact.objects.order_by("pk").values_list(
                "pk", "name", "title", "reports_to_id", "left_company", "private_notes", "current_attitude"
            )
        ),
        ("attitudes", AttitudeAssessment.objects.count()),
    ]


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client: Any, url: str, data: Any) -> Any:
    return client.patch(url, json.dumps(data), content_type="application/json")


@pytest.mark.django_db
def test_read_matrix(contacts: dict[str, Contact], users: dict[str, Any], customers: dict[str, Any]) -> None:
    gm = contacts["gm"].pk
    for url in (f"{API}/{gm}", f"{API}/org-chart?customer_id={customers['hq'].pk}"):
        assert_matrix(
            url=url, api=True, allowed=pick(users, READERS), denied=pick(users, OUTSIDERS), denied_status=(404,)
        )
    assert_matrix(
        url=f"{API}/{gm}/attitudes",
        api=True,
        allowed=pick(users, ("admin", "am", "engineer", "director", "noc", "finance")),
        denied=pick(users, ("customer", *OUTSIDERS)),
        denied_status=(403, 404),
    )
    assert_matrix(url=API, api=True, allowed=list(users.values()), denied=[])


@pytest.mark.django_db
def test_write_matrix(contacts: dict[str, Contact], users: dict[str, Any], customers: dict[str, Any]) -> None:
    cio = contacts["cio"].pk
    denied = pick(users, (*VISIBLE_READ_ONLY, *OUTSIDERS))
    cases = [
        ("patch", f"{API}/{cio}", {"title": "副总经理"}, (200,)),
        ("post", f"{API}/{cio}/attitudes", {"score": 2, "evidence": "lunch"}, (201,)),
        ("post", f"{API}/{cio}/reports-to", {"reports_to_id": contacts["buyer"].pk}, (200,)),
        ("post", f"{API}/{cio}/departure", {"left_at": "2026-10-01"}, (200,)),
    ]
    for method, url, data, ok in cases:
        assert_matrix(
            url=url,
            method=method,
            data=data,
            api=True,
            allowed=pick(users, WRITERS),
            denied=denied,
            allowed_status=ok,
            state=snapshot,
        )
    assert_matrix(
        url=API,
        method="post",
        api=True,
        allowed=pick(users, WRITERS),
        data={"customer_id": customers["hq"].pk, "name": "新人"},
        denied=denied,
        denied_status=(403, 404, 422),
        allowed_status=(201,),
        state=snapshot,
    )
    assert Contact.objects.filter(name="新人").count() == 3
    assert_matrix(
        url=f"{API}/{contacts['buyer'].pk}",
        method="delete",
        api=True,
        allowed=[users["am"]],
        denied=denied,
        allowed_status=(204,),
        state=snapshot,
    )
    assert not Contact.objects.filter(pk=contacts["buyer"].pk).exists()
    assert_matrix(
        url=f"{API}/{contacts['engineer'].pk}",
        method="delete",
        api=True,
        allowed=[users["director"]],
        denied=denied,
        allowed_status=(204,),
        state=snapshot,
    )


@pytest.mark.django_db
def test_private_notes_and_attitudes_hidden_by_role(contacts: dict[str, Contact], users: dict[str, Any]) -> None:
    services.assess_attitude(contact=contacts["gm"], score=4, evidence="", actor=users["am"])
    url = f"{API}/{contacts['gm'].pk}"
    seen = {}
    for role in READERS:
        body = api_client(users[role]).get(url).json()
        seen[role] = (body["private_notes"], body["current_attitude"])
    assert seen == {
        "admin": ("喜欢喝茶", 4),
        "am": ("喜欢喝茶", 4),
        "director": ("喜欢喝茶", 4),
        "finance": ("喜欢喝茶", 4),
        "engineer": (None, 4),
        "noc": (None, 4),
        "customer": (None, None),
    }
    for role in ("noc", "customer", "engineer"):
        items = api_client(users[role]).get(API).json()["items"]
        assert items and all(item["private_notes"] is None for item in items)
    assert api_client(users["customer"]).get(f"{API}?hostile=true").json()["count"] == 6  # filter ignored


@pytest.mark.django_db
def test_list_filters_and_scope(contacts: dict[str, Contact], users: dict[str, Any], customers: dict[str, Any]) -> None:
    services.assess_attitude(contact=contacts["cio"], score=-5, evidence="", actor=users["am"])
    services.record_departure(contact=contacts["engineer"], actor=users["am"])
    client = api_client(users["am"])

    def names(query: str = "") -> list[str]:
        body = client.get(f"{API}{query}").json()
        assert body["count"] == len(body["items"])
        return [item["name"] for item in body["items"]]

    assert names() == ["刘洋", "张伟", "李娜", "王强", "陈静", "赵磊"]
    assert names(f"?customer_id={customers['branch'].pk}") == ["赵磊"]
    assert names("?buying_role=decision_maker") == ["张伟", "李娜"]
    assert names("?key_person=true") == ["张伟", "王强"]
    assert names("?left_company=true") == ["刘洋"]
    assert names("?left_company=false&hostile=false") == ["张伟", "王强", "陈静", "赵磊"]
    assert names("?hostile=true") == ["李娜"]
    assert names("?q=lina") == ["李娜"]
    assert names("?q=zw") == ["张伟"]
    assert names("?q=13900139000") == ["李娜"]
    assert names(f"?customer_id={customers['other'].pk}") == []
    body = client.get(f"{API}?limit=2&offset=1").json()
    assert body["count"] == 6 and [i["name"] for i in body["items"]] == ["张伟", "李娜"]
    assert [i["name"] for i in api_client(users["am_other"]).get(API).json()["items"]] == ["周杰"]
    assert api_client(users["director_hn"]).get(API).json()["count"] == 1


@pytest.mark.django_db
def test_create_update_and_errors(
    contacts: dict[str, Contact], users: dict[str, Any], customers: dict[str, Any]
) -> None:
    client = en_client(users["am"])
    response = post(
        client,
        API,
        {
            "customer_id": customers["branch"].pk,
            "name": "孙丽",
            "title": "信息部经理",
            "mobile": "13711112222",
            "email": "sunli@example.cn",
            "reports_to_id": contacts["branch_head"].pk,
            "buying_role": "technical_evaluator",
            "key_person": True,
            "relationship_owner_id": users["am"].pk,
            "private_notes": "新任",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    created = Contact.objects.get(pk=body["id"])
    assert {
        k: body[k]
        for k in (
            "customer_id",
            "name",
            "reports_to_id",
            "buying_role",
            "key_person",
            "relationship_owner_id",
            "private_notes",
            "current_attitude",
            "left_company",
        )
    } == {
        "customer_id": customers["branch"].pk,
        "name": "孙丽",
        "reports_to_id": contacts["branch_head"].pk,
        "buying_role": "technical_evaluator",
        "key_person": True,
        "relationship_owner_id": users["am"].pk,
        "private_notes": "新任",
        "current_attitude": None,
        "left_company": False,
    }
    assert created.search_text == "孙丽 sunli sl 13711112222 sunli@example.cn"

    response = patch(client, f"{API}/{created.pk}", {"title": "信息部总经理", "email": None})
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["email"], response.json()["name"]) == ("信息部总经理", "", "孙丽")

    errors = [
        (post, API, {"customer_id": customers["hq"].pk, "name": "x", "email": "not-an-email"}, 422, "email"),
        (post, API, {"customer_id": customers["hq"].pk, "name": "x", "buying_role": "boss"}, 422, "buying_role"),
        (post, API, {"customer_id": customers["hq"].pk, "name": ""}, 422, "name"),
        (post, API, {"customer_id": customers["other"].pk, "name": "x"}, 422, "customer_id"),
        (post, API, {"customer_id": 999999, "name": "x"}, 422, "customer_id"),
        (
            post,
            API,
            {"customer_id": customers["hq"].pk, "name": "x", "reports_to_id": contacts["other_gm"].pk},
            422,
            "reports_to_id",
        ),
        (patch, f"{API}/{contacts['gm'].pk}", {"reports_to_id": contacts["engineer"].pk}, 422, "reports_to"),
        (patch, f"{API}/{contacts['gm'].pk}", {"name": None}, 422, "name"),
        (
            patch,
            f"{API}/{contacts['gm'].pk}",
            {"relationship_owner_id": users["customer"].pk},
            422,
            "relationship_owner_id",
        ),
        (post, f"{API}/{contacts['gm'].pk}/reports-to", {"reports_to_id": contacts["gm"].pk}, 422, "reports_to"),
        (post, f"{API}/{contacts['gm'].pk}/attitudes", {"score": 0}, 422, "score"),
        (post, f"{API}/{contacts['gm'].pk}/attitudes", {"score": 3, "source": "fax"}, 422, "source"),
        (post, f"{API}/{contacts['gm'].pk}/departure", {"left_at": "2999-01-01"}, 422, "left_at"),
    ]
    before = snapshot()
    for send, url, data, status, field in errors:
        response = send(client, url, data)
        assert response.status_code == status, (url, data, response.content)
        body = response.json()
        assert set(body) == {"code", "message", "fields"} and field in body["fields"], (data, body)
    assert snapshot() == before
    response = post(client, f"{API}/{contacts['gm'].pk}/reports-to", {"reports_to_id": contacts["engineer"].pk})
    assert response.json()["fields"] == {
        "reports_to": ["刘洋 already reports, directly or indirectly, to 张伟: that would be a cycle."]
    }
    assert client.get(f"{API}/999999").status_code == 404


@pytest.mark.django_db
def test_attitudes_endpoint(contacts: dict[str, Contact], users: dict[str, Any]) -> None:
    client = en_client(users["am"])
    url = f"{API}/{contacts['cio'].pk}/attitudes"
    first = post(
        client,
        url,
        {
            "score": 3,
            "evidence": "workshop",
            "assessed_at": "2026-10-01T10:00:00+08:00",
            "source": "visit",
            "visit_id": 42,
        },
    )
    assert first.status_code == 201
    assert {k: v for k, v in first.json().items() if k != "id"} == {
        "contact_id": contacts["cio"].pk,
        "score": 3,
        "label": "Supportive",
        "assessed_by_id": users["am"].pk,
        "assessed_by_name": "am",
        "assessed_at": "2026-10-01T10:00:00+08:00",
        "evidence": "workshop",
        "source": "visit",
        "visit_id": 42,
    }
    post(client, url, {"score": -3, "evidence": "rival", "assessed_at": "2026-10-20T10:00:00+08:00"})
    body = client.get(url).json()
    assert body["count"] == 2 and [i["score"] for i in body["items"]] == [-3, 3]
    detail = client.get(f"{API}/{contacts['cio'].pk}").json()
    assert (detail["current_attitude"], detail["current_attitude_at"]) == (-3, "2026-10-20T02:00:00Z")


@pytest.mark.django_db
def test_org_chart_endpoint(contacts: dict[str, Contact], users: dict[str, Any], customers: dict[str, Any]) -> None:
    body = api_client(users["noc"]).get(f"{API}/org-chart?customer_id={customers['hq'].pk}").json()
    assert set(body) == {"customer_id", "customer_name", "editable", "count", "legend", "buying_roles", "roots"}
    assert (body["count"], body["editable"], len(body["legend"])) == (5, False, 11)
    root = body["roots"][0]
    assert (root["name"], [c["name"] for c in root["children"]]) == ("张伟", ["李娜", "陈静"])
    assert api_client(users["am"]).get(f"{API}/org-chart?customer_id={customers['hq'].pk}").json()["editable"] is True
    left = api_client(users["am"]).get(f"{API}/org-chart?customer_id={customers['hq'].pk}&include_left=false")
    assert left.json()["count"] == 5
    assert api_client(users["am"]).get(f"{API}/org-chart").status_code == 422
