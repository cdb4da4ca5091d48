"""Contact pages: the permission matrix of every view, private notes, forms, org chart, panels, export."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from kam.core.registry import registry
from kam.core.testing import assert_matrix, ui_client
from kam.customers.contacts import services
from kam.customers.contacts.testing import make_contacts
from kam.customers.models import AttitudeAssessment, Contact

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


def pick(users: dict[str, Any], names: tuple[str, ...]) -> list[Any]:
    return [users[n] for n in names]


def snapshot() -> list[Any]:
    return [
        *list(Contact.objects.order_by("pk").values_list("pk", "name", "title", "left_company", "current_attitude")),
        AttitudeAssessment.objects.count(),
    ]


def en(user: Any) -> Any:
    client = ui_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.mark.django_db
def test_read_pages_matrix(contacts: dict[str, Contact], users: dict[str, Any], customers: dict[str, Any]) -> None:
    gm = contacts["gm"].pk
    assert_matrix(url="/contacts/", allowed=list(users.values()), denied=[])
    for url in (
        f"/contacts/{gm}/",
        f"/contacts/{gm}/?tab=attitudes",
        f"/contacts/{gm}/?tab=history",
        f"/customers/{customers['hq'].pk}/org-chart/",
    ):
        assert_matrix(url=url, allowed=pick(users, READERS), denied=pick(users, OUTSIDERS), denied_status=(404,))
    assert_matrix(
        url="/contacts/hostile/",
        allowed=pick(users, ("admin", "director", "am", "finance")),
        denied=pick(users, ("engineer", "noc", "customer")),
        denied_status=(403,),
    )


@pytest.mark.django_db
def test_write_pages_matrix(contacts: dict[str, Contact], users: dict[str, Any], customers: dict[str, Any]) -> None:
    cio = contacts["cio"]
    denied = pick(users, (*VISIBLE_READ_ONLY, *OUTSIDERS))
    assert_matrix(url=f"/contacts/{cio.pk}/edit/", allowed=pick(users, WRITERS), denied=denied)
    assert_matrix(url=f"/contacts/{cio.pk}/assess/", allowed=pick(users, WRITERS), denied=denied)
    assert_matrix(
        url="/contacts/new/",
        allowed=pick(users, WRITERS),
        denied=pick(users, ("engineer", "noc", "finance", "customer", "customer_other")),
        denied_status=(403,),
    )
    assert_matrix(
        url=f"/contacts/{cio.pk}/edit/",
        method="post",
        allowed=pick(users, WRITERS),
        denied=denied,
        data={"name": "李娜", "title": "常务副总", "buying_role": "decision_maker", "reports_to": contacts["gm"].pk},
        allowed_status=(302,),
        state=snapshot,
    )
    assert Contact.objects.get(pk=cio.pk).title == "常务副总"
    assert_matrix(
        url=f"/contacts/{cio.pk}/assess/",
        method="post",
        allowed=pick(users, WRITERS),
        denied=denied,
        data={"score": "-3", "evidence": "rival lunch", "source": "visit"},
        allowed_status=(302,),
        state=snapshot,
    )
    assert AttitudeAssessment.objects.filter(contact=cio).count() == 3
    assert_matrix(
        url="/contacts/new/",
        method="post",
        allowed=pick(users, WRITERS),
        denied=pick(users, ("engineer", "noc", "finance", "customer", "customer_other")),
        denied_status=(403,),
        data={"customer": customers["hq"].pk, "name": "新人", "buying_role": "user"},
        allowed_status=(302,),
        state=snapshot,
    )
    assert Contact.objects.filter(name="新人").count() == 3
    assert_matrix(
        url=f"/contacts/{contacts['buyer'].pk}/departure/",
        method="post",
        allowed=[users["am"]],
        denied=denied,
        allowed_status=(302,),
        state=snapshot,
    )
    assert Contact.objects.get(pk=contacts["buyer"].pk).left_company is True
    assert_matrix(
        url=f"/contacts/{contacts['engineer'].pk}/delete/",
        method="post",
        allowed=[users["director"]],
        denied=denied,
        allowed_status=(302,),
        state=snapshot,
    )
    assert not Contact.objects.filter(pk=contacts["engineer"].pk).exists()


@pytest.mark.django_db
def test_private_notes_and_attitudes_in_pages(contacts: dict[str, Contact], users: dict[str, Any]) -> None:
    gm = contacts["gm"]
    services.assess_attitude(contact=gm, score=4, evidence="tea talk", actor=users["am"])
    services.update_contact(contact=gm, actor=users["am"], private_notes="女儿在读博士")
    for role in ("am", "director", "admin"):
        page = en(users[role]).get(f"/contacts/{gm.pk}/").content.decode()
        assert "女儿在读博士" in page and 'id="private-notes"' in page, role
    for role in ("noc", "engineer", "customer"):
        client = en(users[role])
        for tab in ("overview", "attitudes", "history"):
            page = client.get(f"/contacts/{gm.pk}/?tab={tab}").content.decode()
            assert "女儿在读博士" not in page and "喜欢喝茶" not in page, (role, tab)
        edit = client.get(f"/contacts/{gm.pk}/edit/")
        assert edit.status_code == 403
    customer_page = en(users["customer"]).get(f"/contacts/{gm.pk}/?tab=attitudes").content.decode()
    assert "tea talk" not in customer_page and 'id="current-attitude"' not in customer_page
    assert "Attitude history" not in customer_page
    noc_page = en(users["noc"]).get(f"/contacts/{gm.pk}/?tab=attitudes").content.decode()
    assert "tea talk" in noc_page and 'id="attitude-chart"' in noc_page
    # the list never shows attitudes to customer users, and ignores their attitude filters
    listing = en(users["customer"]).get("/contacts/?hostile=1").content.decode()
    assert "Enthusiastic advocate" not in listing and "张伟" in listing
    assert "Enthusiastic advocate" in en(users["am"]).get("/contacts/").content.decode()
    # the edit form offers private notes only to commercial roles
    assert 'name="private_notes"' in en(users["am"]).get(f"/contacts/{gm.pk}/edit/").content.decode()


@pytest.mark.django_db
def test_list_filters_search_and_export(contacts: dict[str, Contact], users: dict[str, Any]) -> None:
    services.assess_attitude(contact=contacts["cio"], score=-5, evidence="", actor=users["am"])
    client = en(users["am"])

    def names(query: str) -> list[str]:
        response = client.get(f"/contacts/{query}", HTTP_HX_REQUEST="true")
        return [row.obj.name for row in response.context["rows"]]

    assert names("") == ["刘洋", "张伟", "李娜", "王强", "陈静", "赵磊"]  # by customer, then name
    assert names("?hostile=1") == ["李娜"]
    assert names("?attitude=-5") == ["李娜"]
    assert names("?buying_role=decision_maker&sort=name") == ["张伟", "李娜"]
    assert names("?key_person=1") == ["张伟", "王强"]
    assert names("?q=wq") == ["王强"]
    export = client.get("/contacts/?export=csv").content.decode("utf-8-sig")
    header, *lines = export.strip().splitlines()
    assert header == "Name,Customer,Job title,Buying role,Attitude,Key person,Mobile,Relationship owner"
    assert lines[2] == "李娜,示例集团,分管信息化副总,Decision maker,-5 Strongly opposed,No,13900139000,"
    assert "喜欢喝茶" not in export


@pytest.mark.django_db
def test_assess_form_errors_and_htmx(contacts: dict[str, Contact], users: dict[str, Any]) -> None:
    client = en(users["am"])
    url = f"/contacts/{contacts['gm'].pk}/assess/"
    response = client.post(url, {"score": "0", "source": "visit"})
    assert response.status_code == 422 and "score" in response.context["form"].errors
    response = client.post(url, {"score": "5", "source": "call", "evidence": "ok"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/contacts/{contacts['gm'].pk}/?tab=attitudes"
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="assess-card"' in partial and "<html" not in partial
    # moving a contact under their own report by form is refused with the reason, nothing changes
    edit = client.post(
        f"/contacts/{contacts['gm'].pk}/edit/",
        {"name": "张伟", "buying_role": "decision_maker", "reports_to": contacts["engineer"].pk},
    )
    assert edit.status_code == 422
    assert "刘洋 already reports, directly or indirectly, to 张伟: that would be a cycle." in edit.content.decode()
    assert Contact.objects.get(pk=contacts["gm"].pk).reports_to_id is None


@pytest.mark.django_db
def test_panels(contacts: dict[str, Contact], users: dict[str, Any], customers: dict[str, Any]) -> None:
    services.assess_attitude(contact=contacts["cio"], score=-3, evidence="", actor=users["am"])
    request = RequestFactory().get("/")
    request.user = users["director"]
    home = {p.key: p for p in registry.panels_for("home", users["director"], None)}
    panel = home["hostile_decision_makers"]
    html = render_to_string(panel.template, panel.context(request, None))
    assert "李娜" in html and "示例集团" in html
    assert "hostile_decision_makers" not in {p.key for p in registry.panels_for("home", users["noc"], None)}
    chart_panel = next(p for p in registry.panels_for("customer", users["am"], customers["hq"]) if p.key == "org_chart")
    request.user = users["am"]
    context = chart_panel.context(request, customers["hq"])
    html = render_to_string(chart_panel.template, context)
    assert f'id="org-chart-{customers["hq"].pk}"' in html and "kam-org-chart-move" in html
    assert context["chart"]["count"] == 5
    home_page = en(users["director"]).get("/").content.decode()
    assert 'data-panel="hostile_decision_makers"' in home_page and "李娜" in home_page


@pytest.mark.django_db
def test_import_page(contacts: dict[str, Contact], users: dict[str, Any], customers: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert_matrix(
        url="/contacts/import/",
        allowed=pick(users, (*WRITERS, "am_other")),
        denied=pick(users, ("engineer", "noc", "finance", "customer", "customer_other")),
        denied_status=(403,),
    )
    client = en(users["am"])
    template = client.get("/contacts/import/?template=csv").content.decode("utf-8-sig")
    assert template.startswith("customer_id,customer_uscc,customer_name,name,title,")
    hq = customers["hq"].pk
    bad = SimpleUploadedFile("c.csv", f"customer_id,name,reports_to\n{hq},孙丽,王强\n{hq},钱七,无名氏\n".encode())
    before = snapshot()
    response = client.post("/contacts/import/", {"file": bad})
    assert response.status_code == 422
    assert [(e.row, e.field) for e in response.context["row_errors"]] == [(3, "reports_to")]
    assert "No contact named 无名氏 at this customer group." in response.content.decode()
    assert snapshot() == before
    good = SimpleUploadedFile("c.csv", f"customer_id,name,reports_to\n{hq},孙丽,王强\n{hq},钱七,孙丽\n".encode())
    response = client.post("/contacts/import/", {"file": good})
    assert response.status_code == 302
    assert Contact.objects.get(name="钱七").reports_to == Contact.objects.get(name="孙丽")
    denied = en(users["noc"]).post("/contacts/import/", {"file": SimpleUploadedFile("c.csv", b"customer_id,name\n")})
    assert denied.status_code == 403
    listing = client.get("/contacts/").content.decode()
    assert 'id="contacts-import"' in listing and "/contacts/hostile/" in listing
    assert 'id="contacts-import"' not in en(users["noc"]).get("/contacts/").content.decode()
