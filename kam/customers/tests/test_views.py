from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kam.core.testing import assert_matrix, ui_client
from kam.customers import services
from kam.customers.models import AccountTeamMember, Customer, GradeChangeRequest, Site, TierPolicy

pytestmark = pytest.mark.django_db


def customer_state() -> list[tuple[Any, ...]]:
    return list(Customer.objects.order_by("pk").values_list("pk", "name", "address", "value_grade", "parent_id"))


def test_list_page_scope_filters_and_export(users: dict[str, Any], customers: dict[str, Any]) -> None:
    assert_matrix(url="/customers/", allowed=list(users.values()), denied=[])
    body = ui_client(users["am_other"]).get("/customers/").content.decode()
    assert "长沙其他有限公司" in body and "广州示例集团有限公司" not in body
    client = ui_client(users["admin"])
    body = client.get("/customers/", {"region": "440300"}).content.decode()
    assert "广州示例集团有限公司深圳分公司" in body and "长沙其他有限公司" not in body
    body = client.get("/customers/", {"q": "szsl"}).content.decode()  # no such initials
    assert "广州示例集团有限公司" not in body
    body = client.get("/customers/", {"q": "gzsljt"}).content.decode()  # 广州示例集团 initials
    assert "广州示例集团有限公司" in body
    r = client.get("/customers/", {"export": "csv", "root_only": "1"})
    text = r.content.decode("utf-8-sig")
    assert r.status_code == 200
    assert "广州示例集团有限公司" in text and "深圳分公司" not in text
    noc = ui_client(users["noc"]).get("/customers/", {"export": "csv"}).content.decode("utf-8-sig")
    header = noc.splitlines()[0]
    with translation.override("zh-hans"):
        pass
    assert "Credit" not in header and "信用" not in header


def test_detail_page_panels_and_matrix(users: dict[str, Any], customers: dict[str, Any]) -> None:
    hq = customers["hq"]
    url = f"/customers/{hq.pk}/"
    allowed = [users[r] for r in ("admin", "am", "engineer", "director", "noc", "finance", "customer")]
    denied = [users[r] for r in ("am_other", "director_hn", "customer_other")]
    assert_matrix(url=url, allowed=allowed, denied=denied, denied_status=(404,))
    body = ui_client(users["am"]).get(url).content.decode()
    for key in ("profile", "hierarchy", "team", "sites", "grades"):
        assert f'data-panel="{key}"' in body
    hq.credit_status, hq.payment_terms = "blacklisted", "prepaid"
    hq.save()
    assert 'id="credit-warning"' in ui_client(users["am"]).get(url).content.decode()
    noc = ui_client(users["noc"]).get(url).content.decode()
    assert 'id="credit-warning"' not in noc
    cust = ui_client(users["customer"]).get(url).content.decode()
    assert 'data-panel="grades"' not in cust and 'id="credit-warning"' not in cust


def test_tree_and_move(users: dict[str, Any], customers: dict[str, Any]) -> None:
    hq, branch = customers["hq"], customers["branch"]
    assert_matrix(
        url=f"/customers/{branch.pk}/tree/", allowed=[users["am"], users["customer"]], denied=[users["am_other"]]
    )
    body = ui_client(users["am"]).get(f"/customers/{branch.pk}/tree/").content.decode()
    assert f'data-node="{hq.pk}"' in body and f'data-node="{branch.pk}"' in body
    assert_matrix(
        url=f"/customers/{hq.pk}/move/",
        method="post",
        data={"parent": str(branch.pk)},
        allowed=[users["admin"]],
        allowed_status=(422,),
        denied=[users["am_other"], users["engineer"], users["customer"]],
        state=customer_state,
    )
    r = ui_client(users["admin"]).post(f"/customers/{branch.pk}/move/", {"parent": ""})
    assert r.status_code == 302
    branch.refresh_from_db()
    assert (branch.parent_id, branch.depth) == (None, 0)


def test_create_with_uscc_override_flow(users: dict[str, Any]) -> None:
    client = ui_client(users["am"])
    assert client.get("/customers/new/").status_code == 200
    data = {
        "name": "福建试点有限公司",
        "uscc": "91350100M0001TGQXM",
        "customer_type": "economic",
        "value_grade": "C",
        "region": "440100",
        "lifecycle": "active",
        "credit_status": "normal",
        "payment_terms": "monthly",
    }
    r = client.post("/customers/new/", data)
    assert r.status_code == 422
    body = r.content.decode()
    assert 'id="uscc-warning"' in body and 'name="uscc_override"' in body
    assert not Customer.objects.filter(name="福建试点有限公司").exists()
    r = client.post("/customers/new/", {**data, "uscc_override": "营业执照核对"})
    assert r.status_code == 302
    c = Customer.objects.get(name="福建试点有限公司")
    assert (c.uscc_override, r["Location"]) == ("营业执照核对", f"/customers/{c.pk}/")
    for user in (users["noc"], users["engineer"], users["customer"]):
        assert ui_client(user).get("/customers/new/").status_code == 403


def test_edit_matrix(users: dict[str, Any], customers: dict[str, Any]) -> None:
    hq = customers["hq"]
    data = {
        "name": hq.name,
        "customer_type": "group",
        "value_grade": "A1",
        "region": "440100",
        "address": "新地址",
        "lifecycle": "active",
        "credit_status": "normal",
        "payment_terms": "monthly",
        "uscc": hq.uscc,
    }
    assert_matrix(
        url=f"/customers/{hq.pk}/edit/",
        method="post",
        data=data,
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=[users["am_other"], users["engineer"], users["noc"], users["customer"]],
        state=customer_state,
    )
    assert Customer.objects.get(pk=hq.pk).address == "新地址"


def test_team_editor(users: dict[str, Any], customers: dict[str, Any]) -> None:
    hq = customers["hq"]
    url = f"/customers/{hq.pk}/team/"
    good = {
        "rows": "2",
        "user_0": str(users["am"].pk),
        "role_0": "lead_am",
        "share_0": "80",
        "user_1": str(users["am_other"].pk),
        "role_1": "local_am",
        "region_1": "430100",
        "share_1": "20",
    }

    def state() -> Any:
        return list(
            AccountTeamMember.objects.order_by("pk").values_list("customer_id", "user_id", "role", "credit_share")
        )

    assert_matrix(
        url=url,
        method="post",
        data=good,
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=[users["am_other"], users["engineer"], users["customer"], users["noc"]],
        state=state,
    )
    assert sorted(AccountTeamMember.objects.filter(customer=hq).values_list("role", "credit_share")) == [
        ("lead_am", 80),
        ("local_am", 20),
    ]
    r = ui_client(users["am"]).post(url, {**good, "share_1": "30"})
    assert r.status_code == 422
    assert "110" in r.content.decode()


def test_sites_pages(users: dict[str, Any], customers: dict[str, Any]) -> None:
    hq = customers["hq"]
    data = {
        "name": "天河机房",
        "kind": "data_centre",
        "address": "天河路1号",
        "region": "440106",
        "phone": "02012345678",
    }
    assert_matrix(
        url=f"/customers/{hq.pk}/sites/new/",
        method="post",
        data=data,
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=[users["am_other"], users["noc"], users["customer"]],
        state=lambda: Site.objects.count(),
    )
    site = Site.objects.get()
    assert_matrix(
        url=f"/customers/sites/{site.pk}/delete/",
        method="post",
        allowed=[users["director"]],
        allowed_status=(302,),
        denied=[users["am_other"], users["engineer"], users["customer"]],
        state=lambda: Site.objects.count(),
    )
    assert not Site.objects.exists()


def test_grade_change_pages(users: dict[str, Any], customers: dict[str, Any]) -> None:
    hq = customers["hq"]
    assert_matrix(
        url=f"/customers/{hq.pk}/grade-change/",
        method="post",
        data={"to_grade": "B1", "reason": "下降"},
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=[users["am_other"], users["engineer"], users["customer"]],
        state=lambda: GradeChangeRequest.objects.count(),
    )
    req = GradeChangeRequest.objects.get()
    body = ui_client(users["director"]).get("/customers/grade-changes/", {"status": "pending"}).content.decode()
    assert f'data-grade-decide="{req.pk}"' in body
    assert (
        f'data-grade-decide="{req.pk}"' not in ui_client(users["am"]).get("/customers/grade-changes/").content.decode()
    )

    def state() -> Any:
        return (GradeChangeRequest.objects.get().status, Customer.objects.get(pk=hq.pk).value_grade)

    assert_matrix(
        url=f"/customers/grade-changes/{req.pk}/decide/",
        method="post",
        data={"decision": "approve", "note": "同意"},
        allowed=[users["director"]],
        allowed_status=(302,),
        denied=[users["am"], users["director_hn"], users["engineer"], users["customer"]],
        state=state,
    )
    assert state() == ("approved", "B1")


def test_tier_pages(users: dict[str, Any]) -> None:
    assert_matrix(url="/customers/tiers/", allowed=[users["noc"], users["admin"]], denied=[])
    a1 = TierPolicy.objects.get(grade="A1")
    data = {
        "grade": "A1",
        "label": "A1 战略",
        "rank": 1,
        "visit_cadence_days": 21,
        "default_service_level": "gold",
        "report_granularity": "daily",
        "ack_minutes": 30,
        "update_interval_minutes": 60,
        "written_report_hours": 24,
        "discount_authority_pct": "15",
        "notes": "",
    }
    assert_matrix(
        url=f"/customers/tiers/{a1.pk}/edit/",
        method="post",
        data=data,
        allowed=[users["admin"]],
        allowed_status=(302,),
        denied=[users["director"], users["am"]],
        state=lambda: TierPolicy.objects.get(grade="A1").visit_cadence_days,
    )
    assert TierPolicy.objects.get(grade="A1").visit_cadence_days == 21


def test_import_page(users: dict[str, Any]) -> None:
    assert_matrix(
        url="/customers/import/",
        allowed=[users["am"], users["admin"]],
        denied=[users["noc"], users["customer"]],
        denied_status=(403,),
    )
    client = ui_client(users["am"])
    bad = "name,region,uscc\n坏公司,440100,91350100M000100Y4Z\n".encode()
    r = client.post("/customers/import/", {"kind": "customers", "file": SimpleUploadedFile("c.csv", bad)})
    assert r.status_code == 422
    assert 'id="row-errors"' in r.content.decode()
    assert not Customer.objects.filter(name="坏公司").exists()
    good = "name,region\n好公司,440100\n".encode()
    r = client.post("/customers/import/", {"kind": "customers", "file": SimpleUploadedFile("c.csv", good)})
    assert r.status_code == 302
    assert services.find_duplicate(name="好公司", uscc="") is not None
