from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from kam.core.tables import ImportFailed
from kam.core.testing import api_client
from kam.lines.exchange import export_lines, import_file
from kam.lines.models import Device, Interface, Line, PointOfPresence

pytestmark = pytest.mark.django_db


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_import_network_and_lines(net: dict[str, Any], users: Any) -> None:
    admin = users["admin"]
    assert (
        import_file(
            kind="pops",
            filename="p.csv",
            actor=admin,
            data=_csv(
                [
                    ["code", "name", "kind", "region", "address"],
                    ["GZ-PY-01", "番禺局", "central_office", "440100", "番禺大道1号"],
                    ["GZ-TH-01", "天河局（改）", "central_office", "440100", ""],
                ]
            ),
        )
        == 2
    )
    assert PointOfPresence.objects.get(code="GZ-TH-01").name == "天河局（改）"
    assert (
        import_file(
            kind="devices",
            filename="d.csv",
            actor=admin,
            data=_csv(
                [
                    [
                        "name",
                        "role",
                        "vendor",
                        "model",
                        "mgmt_address",
                        "pop",
                        "customer",
                        "site",
                        "parent",
                        "snmp_community",
                    ],
                    ["gz-py-pe-01", "pe", "zte", "M6000", "10.5.0.1", "GZ-PY-01", "", "", "", "s3cret"],
                    ["gz-py-acc-01", "access", "h3c", "S5130", "10.5.0.2", "GZ-PY-01", "", "", "10.5.0.1", ""],
                    [
                        "gz-hq-cpe-02",
                        "cpe",
                        "huawei",
                        "AR651",
                        "10.5.0.3",
                        "",
                        "91110000710925462X",
                        "天河总部",
                        "gz-py-acc-01",
                        "",
                    ],
                ]
            ),
        )
        == 3
    )
    cpe2 = Device.objects.get(mgmt_address="10.5.0.3")
    assert (cpe2.site_id, cpe2.parent.name, cpe2.region_id, cpe2.location_kind) == (
        net["hq_site"].pk,
        "gz-py-acc-01",
        "440100",
        "customer_premises",
    )
    assert Device.objects.get(mgmt_address="10.5.0.1").snmp_community == "s3cret"
    assert (
        import_file(
            kind="interfaces",
            filename="i.csv",
            actor=admin,
            data=_csv(
                [
                    ["device", "if_index", "if_name", "if_alias", "speed_kbps", "oper_status"],
                    ["10.5.0.3", "1", "GigabitEthernet0/0/1", "GZ-DIA-000777", "1000000", "up"],
                    ["gz-py-pe-01", "3", "xgei-1/1/3", "GZ-DIA-000777", "10000000", "up"],
                ]
            ),
        )
        == 2
    )
    assert (
        import_file(
            kind="lines",
            filename="l.csv",
            actor=admin,
            data=_csv(
                [
                    [
                        "circuit_id",
                        "customer",
                        "product",
                        "bandwidth_kbps",
                        "protection_level",
                        "status",
                        "monthly_fee",
                        "a_site",
                        "a_device",
                        "a_if_name",
                        "z_device",
                        "z_if_name",
                        "vlan",
                        "activated_at",
                    ],
                    [
                        "GZ-DIA-000777",
                        "91110000710925462X",
                        "dia",
                        "100000",
                        "aa",
                        "active",
                        "2500",
                        "天河总部",
                        "10.5.0.3",
                        "GigabitEthernet0/0/1",
                        "gz-py-pe-01",
                        "xgei-1/1/3",
                        "300",
                        "2026-10-01 09:30",
                    ],
                    [
                        "GZ-DIA-000123",
                        str(net["l1"].customer_id),
                        "dia",
                        "200000",
                        "aaa",
                        "active",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ],
                ]
            ),
        )
        == 2
    )
    line = Line.objects.get(circuit_id="GZ-DIA-000777")
    assert (line.bandwidth_kbps, line.protection_level, str(line.monthly_fee), line.line_type) == (
        100_000,
        "aa",
        "2500.00",
        "dia",
    )
    assert list(line.endpoints.order_by("end").values_list("end", "interface__if_name", "vlan")) == [
        ("A", "GigabitEthernet0/0/1", 300),
        ("Z", "xgei-1/1/3", 300),
    ]
    assert Line.objects.get(circuit_id="GZ-DIA-000123").bandwidth_kbps == 200_000
    rows = list(export_lines(users["noc"]))
    exported = {r[0]: r for r in rows}
    assert exported["GZ-DIA-000777"][7:9] == ["", ""]  # no prices for the NOC
    assert exported["GZ-DIA-000777"][14:] == ["10.5.0.3", "GigabitEthernet0/0/1", "10.5.0.1", "xgei-1/1/3", 300]


def test_import_is_all_or_nothing_with_row_errors(net: dict[str, Any], users: Any) -> None:
    before = (Line.objects.count(), Device.objects.count(), Interface.objects.count())
    with pytest.raises(ImportFailed) as info:
        import_file(
            kind="lines",
            filename="l.csv",
            actor=users["admin"],
            data=_csv(
                [
                    ["circuit_id", "customer", "product", "bandwidth_kbps", "a_device", "a_if_name"],
                    ["GZ-DIA-000801", "91110000710925462X", "dia", "10000", "", ""],
                    ["GZ-DIA-000802", "nobody", "dia", "10000", "", ""],
                    ["GZ-DIA-000803", "91110000710925462X", "dia", "lots", "", ""],
                    ["GZ-DIA-000804", "91110000710925462X", "dia", "10000", "gz-th-pe-01", "GE9/9/9"],
                    ["GZ-DIA-000805", "91110000710925462X", "warp", "10000", "", ""],
                ]
            ),
        )
    assert [(e.row, e.field) for e in info.value.errors] == [
        (3, "customer"),
        (4, "bandwidth_kbps"),
        (5, "a_if_name"),
        (6, "product"),
    ]
    assert info.value.errors[2].message == "gz-th-pe-01 has no port GE9/9/9."
    assert (Line.objects.count(), Device.objects.count(), Interface.objects.count()) == before
    assert not Line.objects.filter(circuit_id="GZ-DIA-000801").exists()


def test_import_respects_scope_and_api(net: dict[str, Any], users: Any) -> None:
    # an AM of another customer cannot import lines for this one: the customer is not even visible
    with pytest.raises(ImportFailed) as info:
        import_file(
            kind="lines",
            filename="l.csv",
            actor=users["am_other"],
            data=_csv(
                [
                    ["circuit_id", "customer", "bandwidth_kbps"],
                    ["GZ-DIA-000901", "91110000710925462X", "10000"],
                ]
            ),
        )
    assert [(e.row, e.field) for e in info.value.errors] == [(2, "customer")]
    client = api_client(users["engineer"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("i.csv", _csv([["device", "if_index", "if_name"], ["gz-th-pe-01", "9", "GE1/0/9"]]))
    response = client.post("/api/v1/lines/import?kind=interfaces", {"file": upload})
    assert response.status_code == 200, response.content
    assert response.json() == {"kind": "interfaces", "rows": 1}
    bad = SimpleUploadedFile("i.csv", _csv([["device", "if_index"], ["cs-pe-01", "9"]]))
    failed = client.post("/api/v1/lines/import?kind=interfaces", {"file": bad})
    assert (failed.status_code, failed.json()["code"]) == (422, "import_failed")
    assert failed.json()["fields"] == {"row 2": ["device: 未知设备 cs-pe-01。"]}  # the API speaks Chinese by default
