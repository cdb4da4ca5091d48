"""Import and export of contacts: all rows or none, row errors, scope, private notes; the demo step."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from kam.core.demo import DemoContext
from kam.core.tables import ImportFailed, exchanges, read_table, xlsx_bytes
from kam.customers.contacts.testing import make_contacts
from kam.customers.models import AttitudeAssessment, Contact

HEADER = (
    "customer_id,customer_uscc,name,title,reports_to,buying_role,key_person,left_company,left_at,mobile,private_notes"
)


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def contacts(customers: dict[str, Any], users: dict[str, Any]) -> dict[str, Contact]:
    return make_contacts(customers)


def importer() -> Any:
    function = exchanges["contacts"].import_rows
    assert function is not None
    return function


def exporter() -> Any:
    function = exchanges["contacts"].export_rows
    assert function is not None
    return function


def rows(text: str) -> list[dict[str, str]]:
    return read_table(text.encode("utf-8"), "contacts.csv")


def state() -> list[Any]:
    return list(Contact.objects.order_by("pk").values_list("pk", "name", "title", "reports_to_id", "private_notes"))


@pytest.mark.django_db
def test_import_creates_updates_and_links(
    contacts: dict[str, Contact], users: dict[str, Any], customers: dict[str, Any]
) -> None:
    hq, branch = customers["hq"], customers["branch"]
    data = rows(
        f"{HEADER}\n"
        f",91110000710925462X,孙丽,信息部经理,王强,技术评估者,1,0,,13711112222,新任\n"
        f"{hq.pk},,周明,网络工程师,孙丽,user,0,0,,,\n"
        f",91110000710925462X,张伟,董事长,,decision_maker,yes,no,,13800138000,\n"
        f"{branch.pk},,吴芳,采购员,赵磊,Procurement,0,1,2026-10-01,,\n"
    )
    count = importer()(data, users["am"])
    assert count == 4
    sun = Contact.objects.get(name="孙丽")
    assert (sun.customer_id, sun.reports_to_id, sun.buying_role, sun.key_person, sun.private_notes) == (
        hq.pk,
        contacts["it_head"].pk,
        "technical_evaluator",
        True,
        "新任",
    )
    zhou = Contact.objects.get(name="周明")
    assert (zhou.reports_to_id, zhou.buying_role) == (sun.pk, "user")
    gm = Contact.objects.get(pk=contacts["gm"].pk)
    assert (gm.title, gm.reports_to_id, gm.private_notes) == ("董事长", None, "")
    wu = Contact.objects.get(name="吴芳")
    assert (wu.customer_id, wu.reports_to_id, wu.left_company, str(wu.left_at)) == (
        branch.pk,
        contacts["branch_head"].pk,
        True,
        "2026-10-01",
    )
    assert Contact.objects.count() == 10


@pytest.mark.django_db
def test_import_is_all_or_nothing_with_row_errors(
    contacts: dict[str, Contact], users: dict[str, Any], customers: dict[str, Any]
) -> None:
    hq, other = customers["hq"], customers["other"]
    before = state()
    data = rows(
        f"{HEADER}\n"
        f"{hq.pk},,孙丽,信息部经理,王强,user,1,0,,,\n"
        f"{hq.pk},,,经理,,boss,maybe,0,yesterday,,\n"
        f"{other.pk},,钱七,经理,,user,0,0,,,\n"
        f"{hq.pk},,甲,经理,乙,user,0,0,,,\n"
        f"{hq.pk},,乙,经理,甲,user,0,0,,,\n"
        f"{hq.pk},,丙,经理,不存在,user,0,0,,,\n"
        f",99999999999999999X,丁,经理,,user,0,0,,,\n"
        f"{hq.pk},,孙丽,经理,,user,0,0,,,\n"
    )
    with pytest.raises(ImportFailed) as info:
        importer()(data, users["am"])
    assert [(e.row, e.field, e.message) for e in info.value.errors] == [
        (3, "buying_role", "Unknown buying role boss."),
        (3, "key_person", "Use 1 or 0 (yes or no)."),
        (3, "left_at", "Not a date (YYYY-MM-DD)."),
        (3, "name", "Required."),
        (4, "customer_id", f"No customer {other.pk} that you may change."),
        (7, "reports_to", "No contact named 不存在 at this customer group."),
        (8, "customer_uscc", "No customer 99999999999999999X that you may change."),
        (9, "name", "Same contact as row 2."),
    ]
    assert state() == before
    # the cycle is found once the rest is clean
    with pytest.raises(ImportFailed) as info:
        importer()(
            rows(
                f"{HEADER}\n"
                + "\n".join(
                    data_line
                    for data_line in [
                        f"{hq.pk},,甲,经理,乙,user,0,0,,,",
                        f"{hq.pk},,乙,经理,甲,user,0,0,,,",
                        f"{hq.pk},,张伟,总经理,王强,decision_maker,1,0,,,",
                    ]
                )
            ),
            users["am"],
        )
    assert [(e.row, e.field, e.message) for e in info.value.errors] == [
        (2, "reports_to", "This would make a reporting cycle."),
        (3, "reports_to", "This would make a reporting cycle."),
        (4, "reports_to", "This would make a reporting cycle."),
    ]
    assert state() == before
    # non-commercial roles cannot write anything (no customer they may change) nor private notes
    with pytest.raises(ImportFailed) as info:
        importer()(rows(f"{HEADER}\n{hq.pk},,新人,,,user,0,0,,,秘密\n"), users["noc"])
    assert [(e.row, e.field) for e in info.value.errors] == [(2, "customer_id"), (2, "private_notes")]
    assert state() == before


@pytest.mark.django_db
def test_export_scoped_and_private_notes(contacts: dict[str, Contact], users: dict[str, Any]) -> None:
    exchange = exchanges["contacts"]
    assert list(exchange.headers)[:4] == ["customer_id", "customer_uscc", "customer_name", "name"]
    notes_at = list(exchange.headers).index("private_notes")
    by_user = {role: list(exporter()(users[role])) for role in ("am", "noc", "am_other", "customer")}
    assert [r[3] for r in by_user["am_other"]] == ["周杰"]
    assert len(by_user["am"]) == 6 and len(by_user["noc"]) == 6 and len(by_user["customer"]) == 6
    gm_row = next(r for r in by_user["am"] if r[3] == "张伟")
    assert gm_row[notes_at] == "喜欢喝茶"
    assert all(r[notes_at] == "" for role in ("noc", "customer") for r in by_user[role])
    cio_row = next(r for r in by_user["am"] if r[3] == "李娜")
    assert cio_row[9:14] == ["张伟", "decision_maker", 0, 0, ""]


@pytest.mark.django_db
def test_xlsx_round_trip_and_command(contacts: dict[str, Contact], users: dict[str, Any], tmp_path: Any) -> None:
    exchange = exchanges["contacts"]
    data = xlsx_bytes(exchange.headers, exporter()(users["admin"]))
    before = state()
    assert importer()(read_table(data, "contacts.xlsx"), users["admin"]) == 7
    assert state() == before
    path = tmp_path / "contacts.csv"
    path.write_text(f"{HEADER}\n,91110000710925462X,孙丽,信息部经理,王强,user,0,0,,,\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_data", "contacts", str(path), stdout=out)
    assert Contact.objects.get(name="孙丽").reports_to_id == contacts["it_head"].pk


@pytest.mark.django_db
def test_demo_step_builds_org_charts(customers: dict[str, Any], users: dict[str, Any]) -> None:
    from kam.core.demo import steps

    def run() -> list[Any]:
        ctx = DemoContext(scale="small", seed=7, log=lambda _msg: None)
        steps["contacts"].run(ctx)
        assert ctx.data["contacts_count"] == Contact.objects.count()
        return list(
            Contact.objects.order_by("pk").values_list(
                "name", "title", "buying_role", "mobile", "current_attitude", "left_company"
            )
        )

    first = run()
    per_customer = {c: Contact.objects.filter(customer=customers[c]).count() for c in ("hq", "branch", "other")}
    assert all(8 <= n <= 12 for n in per_customer.values())
    gm = Contact.objects.filter(customer=customers["hq"], title="总经理").get()
    assert gm.reports_to_id is None and gm.buying_role == "decision_maker" and gm.key_person
    cio = Contact.objects.get(customer=customers["hq"], title="分管信息化副总经理")
    assert cio.reports_to_id == gm.pk
    chief = Contact.objects.get(customer=customers["hq"], title="网络科科长")
    head = Contact.objects.get(reports__pk=chief.pk)
    assert head.title == "信息中心主任" and head.reports_to_id == cio.pk
    assert all(len(m) == 11 and m.startswith("1") for m in Contact.objects.values_list("mobile", flat=True))
    for contact in Contact.objects.all():
        latest = AttitudeAssessment.objects.filter(contact=contact).latest_first().first()
        assert latest is not None and contact.current_attitude == latest.score
        assert 1 <= AttitudeAssessment.objects.filter(contact=contact).count() <= 6
    Contact.objects.all().delete()
    assert run() == [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in first]  # deterministic for a seed
