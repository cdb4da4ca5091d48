from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import translation

from kam.core.tables import ImportFailed, read_table, write_csv, xlsx_bytes
from kam.core.testing import api_client
from kam.customers import exchange
from kam.customers.models import Customer, Site

pytestmark = pytest.mark.django_db

HEADERS = ["name", "short_name", "uscc", "uscc_override", "value_grade", "region", "parent"]
GOOD = [
    ["深圳湾科技集团有限公司", "深圳湾", "91110000600037341L", "", "A2", "440300", ""],
    ["深圳湾科技集团有限公司广州分公司", "深圳湾广州", "", "", "B1", "440100", "91110000600037341L"],
    ["福建试点有限公司", "", "91350100M0001TGQXM", "原件核对无误", "C", "440100", ""],
]


def csv_bytes(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    out = io.StringIO()
    write_csv(out, headers, rows)
    return out.getvalue().encode("utf-8")


def test_import_csv_creates_all(users: dict[str, Any]) -> None:
    count = exchange.import_file(kind="customers", data=csv_bytes(GOOD), filename="c.csv", actor=users["admin"])
    assert count == 3
    child = Customer.objects.get(short_name="深圳湾广州")
    assert (child.parent.short_name, child.depth, child.value_grade) == ("深圳湾", 1, "B1")
    assert Customer.objects.get(name="福建试点有限公司").uscc_override == "原件核对无误"


def test_import_all_or_nothing_with_row_errors(users: dict[str, Any], customers: dict[str, Any]) -> None:
    before = Customer.objects.count()
    bad = [
        *GOOD,
        ["福建另一家有限公司", "", "91350100M0001TGQXM", "", "C", "440100", ""],  # duplicate code and no override
        ["校验失败公司", "", "91350100M000100Y4Z", "", "C", "440100", ""],  # check digit, no override
        ["未知地区公司", "", "", "", "Z", "999999", ""],  # unknown grade and region
        ["孤儿分公司", "", "", "", "C", "440100", "不存在的集团"],  # unknown parent
        ["深圳湾科技集团股份有限公司", "", "", "", "C", "440300", ""],  # duplicate name inside the file
        ["广州示例集团（集团）有限公司", "", "", "", "C", "440100", ""],  # duplicate of a customer in the DB
    ]
    with translation.override("en"), pytest.raises(ImportFailed) as err:
        exchange.import_file(kind="customers", data=csv_bytes(bad), filename="c.csv", actor=users["admin"])
    got = [(e.row, e.field) for e in err.value.errors]
    assert got == [
        (5, "uscc"),
        (6, "uscc"),
        (7, "value_grade"),
        (7, "region"),
        (8, "parent"),
        (9, "name"),
        (10, "name"),
    ]
    assert "should be 3" in err.value.errors[1].message
    assert "广州示例集团有限公司" in err.value.errors[-1].message
    assert Customer.objects.count() == before


def test_import_xlsx_and_api(users: dict[str, Any]) -> None:
    data = xlsx_bytes(HEADERS, GOOD[:1])
    client = api_client(users["director"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post("/api/v1/customers/import", {"file": SimpleUploadedFile("c.xlsx", data)})
    assert r.status_code == 200, r.content
    assert r.json() == {"kind": "customers", "rows": 1}
    bad = xlsx_bytes(HEADERS, [["坏公司", "", "", "", "C", "000000", ""]])
    r = client.post("/api/v1/customers/import", {"file": SimpleUploadedFile("c.xlsx", bad)})
    assert r.status_code == 422
    assert r.json()["code"] == "import_failed"
    assert list(r.json()["fields"]) == ["row 2"]
    assert not Customer.objects.filter(name="坏公司").exists()
    r = api_client(users["noc"]).post("/api/v1/customers/import", {"file": SimpleUploadedFile("c.xlsx", data)})
    assert r.status_code == 422  # a NOC user may not create customers: reported per row, nothing written


def test_sites_import_and_export(users: dict[str, Any], customers: dict[str, Any]) -> None:
    rows = [
        ["91110000710925462X", "天河机房", "data_centre", "天河路1号", "440106", "020-88886666"],
        [str(customers["other"].pk), "长沙办公室", "premises", "五一大道", "430100", ""],
    ]
    headers = ["customer", "name", "kind", "address", "region", "phone"]
    with pytest.raises(ImportFailed) as err:  # the AM does not see the Changsha customer
        exchange.import_file(kind="sites", data=csv_bytes(rows, headers), filename="s.csv", actor=users["am"])
    assert [(e.row, e.field) for e in err.value.errors] == [(3, "customer")]
    assert not Site.objects.exists()
    assert (
        exchange.import_file(kind="sites", data=csv_bytes(rows[:1], headers), filename="s.csv", actor=users["am"]) == 1
    )
    exported = list(exchange.export_sites(users["am"]))
    assert [r[3] for r in exported] == ["天河机房"]
    assert list(exchange.export_sites(users["am_other"])) == []


def test_export_scoped_and_fields_hidden(users: dict[str, Any], customers: dict[str, Any]) -> None:
    names = {role: [r[1] for r in exchange.export_customers(users[role])] for role in ("admin", "am", "am_other")}
    assert names["admin"] == ["广州示例集团有限公司", "广州示例集团有限公司深圳分公司", "长沙其他有限公司"]
    assert names["am"] == ["广州示例集团有限公司", "广州示例集团有限公司深圳分公司"]
    assert names["am_other"] == ["长沙其他有限公司"]
    h = exchange.CUSTOMER_HEADERS
    noc_row = next(iter(exchange.export_customers(users["noc"])))
    assert (noc_row[h.index("credit_status")], noc_row[h.index("value_grade")]) == ("", "A1")
    cust_row = next(iter(exchange.export_customers(users["customer"])))
    assert (cust_row[1], cust_row[h.index("value_grade")], cust_row[h.index("uscc_override")]) == (
        "广州示例集团有限公司",
        "",
        "",
    )
    # round trip: what is exported reads back with the same headers
    table = read_table(xlsx_bytes(h, exchange.export_customers(users["admin"])))
    assert [r["name"] for r in table] == names["admin"]
