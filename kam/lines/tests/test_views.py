from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from kam.core.testing import assert_matrix, ui_client
from kam.lines.models import Device, Line, LineEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def bound(net: dict[str, Any]) -> dict[str, Any]:
    """GZ-DIA-000123 from the HQ CPE (A) to the Guangzhou PE (Z); the MSTP line from the Shenzhen CPE."""
    cpe_if = net["cpe_hq"].interfaces.create(
        if_index=1, if_name="GigabitEthernet0/0/1", if_alias="GZ-DIA-000123", oper_status="up"
    )
    pe_if = net["pe_gz"].interfaces.create(if_index=1, if_name="GigabitEthernet1/0/1", if_alias="GZ-DIA-000123")
    LineEndpoint.objects.filter(line=net["l1"], end="A").update(interface=cpe_if, vlan=200)
    LineEndpoint.objects.filter(line=net["l1"], end="Z").update(interface=pe_if, vlan=200)
    LineEndpoint.objects.filter(line=net["l2"], end="A").update(interface=net["if_branch"])
    return {**net, "cpe_if": cpe_if, "pe_if": pe_if}


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"#?]+)', html))


def test_customer_to_lines_to_devices_and_back(bound: dict[str, Any], users: dict[str, Any]) -> None:
    client = ui_client(users["am"])
    hq = bound["l1"].customer
    page = client.get(hq.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="panel-lines"' in html
    # the group's panel lists its own line and its branch's line, each leading to the devices they use
    assert bound["l1"].get_absolute_url() in html and bound["l2"].get_absolute_url() in html
    assert bound["cpe_hq"].get_absolute_url() in html and bound["pe_gz"].get_absolute_url() in html
    line_page = client.get(bound["l1"].get_absolute_url()).content.decode()
    assert {bound["cpe_hq"].get_absolute_url(), bound["pe_gz"].get_absolute_url(), hq.get_absolute_url()} <= _links(
        line_page
    )
    # the path from the CPE up to the core, through the access and aggregation switches
    assert "gz-th-acc-01" in line_page and "gz-th-agg-01" in line_page
    assert 'data-location="customer_premises"' in line_page and 'data-location="central_office"' in line_page
    assert 'id="line-fee" class="col-7"' not in line_page and ">3000.00<" in line_page
    device_page = client.get(bound["pe_gz"].get_absolute_url() + "?tab=interfaces").content.decode()
    assert bound["l1"].get_absolute_url() in device_page
    impact = client.get(bound["pe_gz"].get_absolute_url() + "?tab=impact").content.decode()
    # customers affected, by grade: A1 group before its A2 branch
    order = re.findall(r'class="impact-customer" data-customer="(\d+)"', impact)
    assert order == [str(hq.pk), str(bound["l2"].customer_id)]
    assert hq.get_absolute_url() in _links(impact)


def test_noc_sees_no_prices_anywhere(bound: dict[str, Any], users: dict[str, Any]) -> None:
    client = ui_client(users["noc"])
    Line.objects.filter(pk=bound["l1"].pk).update(monthly_fee="3456.78")
    from kam.lines.services import update_line

    update_line(line=Line.objects.get(pk=bound["l1"].pk), actor=users["admin"], data={"monthly_fee": "4567.89"})
    for url in (
        bound["l1"].get_absolute_url(),
        bound["l1"].get_absolute_url() + "?tab=history",
        "/lines/",
        "/lines/?export=csv",
        "/lines/?cols=circuit_id,monthly_fee",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for amount in ("3456.78", "3,456.78", "4567.89", "4,567.89", "HT-2026-001"):
            assert amount not in text, (url, amount)
    director = ui_client(users["director"]).get(bound["l1"].get_absolute_url() + "?tab=history").content.decode()
    assert "4567.89" in director or "4,567.89" in director


def test_device_list_distinguishes_cpe(bound: dict[str, Any], users: dict[str, Any]) -> None:
    html = ui_client(users["noc"]).get("/lines/devices/").content.decode()
    assert html.count('data-location="customer_premises"') == 2
    assert html.count('data-location="central_office"') == 3
    cpe_only = ui_client(users["noc"]).get("/lines/devices/?cpe=1").content.decode()
    assert cpe_only.count('data-location="customer_premises"') == 2
    assert cpe_only.count('data-location="central_office"') == 0


def test_view_matrix(bound: dict[str, Any], users: dict[str, Any]) -> None:
    l1, pe, pop = bound["l1"], bound["pe_gz"], bound["pop_gz"]
    assert_matrix(url="/lines/", allowed=[users["noc"], users["customer"], users["am"]], denied=[])
    assert_matrix(
        url=l1.get_absolute_url(),
        allowed=[users["am"], users["noc"], users["customer"], users["engineer"]],
        denied=[users["customer_other"], users["am_other"], users["director_hn"]],
    )
    for tab in ("tests", "history"):
        assert_matrix(url=l1.get_absolute_url() + f"?tab={tab}", allowed=[users["noc"]], denied=[users["am_other"]])
    for tab in ("overview", "interfaces", "impact", "discovery"):
        assert_matrix(
            url=pe.get_absolute_url() + f"?tab={tab}",
            allowed=[users["noc"], users["engineer"]],
            denied=[users["customer_other"], users["director_hn"]],
        )
    assert_matrix(url=pop.get_absolute_url(), allowed=[users["noc"]], denied=[users["customer"], users["director_hn"]])
    assert_matrix(url="/lines/devices/", allowed=[users["noc"], users["customer"]], denied=[])
    assert_matrix(url="/lines/pops/", allowed=[users["noc"]], denied=[])
    assert_matrix(url="/lines/proposals/", allowed=[users["noc"]], denied=[users["customer"]])
    assert_matrix(url="/lines/import/", allowed=[users["engineer"]], denied=[users["customer"], users["finance"]])
    assert_matrix(
        url=f"/lines/{l1.pk}/edit/",
        allowed=[users["am"], users["engineer"]],
        denied=[users["noc"], users["customer"], users["am_other"]],
    )
    assert_matrix(
        url=f"/lines/devices/{pe.pk}/edit/",
        allowed=[users["noc"]],
        denied=[users["am"], users["customer"], users["director_hn"]],
    )
    assert_matrix(url="/lines/devices/new/", allowed=[users["noc"]], denied=[users["am"], users["customer"]])
    assert_matrix(url="/lines/new/", allowed=[users["am"]], denied=[users["noc"], users["customer"]])
    state = lambda: list(Device.objects.values_list("name", "model").order_by("pk"))  # noqa: E731
    assert_matrix(
        url=f"/lines/devices/{pe.pk}/edit/",
        method="post",
        state=state,
        data={
            "name": "renamed",
            "role": "pe",
            "vendor": "huawei",
            "pop": pop.pk,
            "status": "active",
            "snmp_version": "v2c",
            "snmp_port": 161,
            "mgmt_address": "127.0.0.1",
        },
        allowed=[users["noc"]],
        allowed_status=(302,),
        denied=[users["am"], users["customer"], users["director_hn"]],
    )
    pe.refresh_from_db()
    assert (pe.name, pe.snmp_community) == ("renamed", "pe1")  # an empty secret input keeps the stored one
    line_state = lambda: list(Line.objects.values_list("circuit_id", "bandwidth_kbps").order_by("pk"))  # noqa: E731
    assert_matrix(
        url=f"/lines/{l1.pk}/edit/",
        method="post",
        state=line_state,
        data={
            "circuit_id": "GZ-DIA-000123",
            "product": "dia",
            "line_type": "dia",
            "bandwidth_kbps": 1_000_000,
            "protection_level": "aaa",
            "region": "440100",
            "test_address": "127.0.0.1",
            "monthly_fee": "3000.00",
            "contract_ref": "HT-2026-001",
        },
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=[users["noc"], users["customer"], users["am_other"]],
    )
    assert Line.objects.get(pk=l1.pk).bandwidth_kbps == 1_000_000
    assert_matrix(
        url=f"/lines/devices/{pe.pk}/discover/",
        method="post",
        allowed=[],
        state=state,
        denied=[users["am"], users["customer"], users["director_hn"]],
    )
    assert_matrix(
        url=f"/lines/{l1.pk}/activation-test/",
        method="post",
        allowed=[],
        state=lambda: l1.activation_tests.count(),
        denied=[users["customer_other"], users["am_other"], users["customer"], users["finance"]],
    )


def test_anonymous_is_sent_to_login() -> None:
    response = Client().get("/lines/")
    assert response.status_code == 302 and "/login/" in response["Location"]
