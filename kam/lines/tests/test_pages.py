from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kam.core.testing import ui_client
from kam.lines.models import Device, DiscoveryProposal, DiscoveryRun, Line, LineEndpoint
from kam.lines.queries import match_device, match_interface

pytestmark = pytest.mark.django_db


def test_create_a_device_by_address_queues_discovery(
    net: dict[str, Any], users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = ui_client(users["noc"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/lines/devices/new/",
            {
                "name": "gz-th-acc-02",
                "role": "access",
                "vendor": "h3c",
                "mgmt_address": "10.0.0.9",
                "pop": net["pop_gz"].pk,
                "parent": net["agg_gz"].pk,
                "status": "active",
                "snmp_version": "v2c",
                "snmp_port": 161,
                "snmp_community": "ro-s3cret",
                "discover": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    device = Device.objects.get(mgmt_address="10.0.0.9")
    assert (device.region_id, device.parent_id, device.snmp_community) == ("440100", net["agg_gz"].pk, "ro-s3cret")
    assert response["Location"] == device.get_absolute_url()
    assert len(callbacks) == 1  # the discovery task, queued after the commit
    assert DiscoveryRun.objects.filter(device=device, status="running").count() == 1
    page = client.get(device.get_absolute_url() + "edit/").content.decode()
    assert "ro-s3cret" not in page


def test_line_form_hides_prices_from_engineers(net: dict[str, Any], users: Any) -> None:
    eng = ui_client(users["engineer"])
    form = eng.get("/lines/new/").content.decode()
    assert 'name="monthly_fee"' not in form and 'name="circuit_id"' in form
    response = eng.post(
        "/lines/new/",
        {
            "circuit_id": "GZ-PTN-000001",
            "customer": net["l1"].customer_id,
            "product": "ptn",
            "bandwidth_kbps": 50000,
            "protection_level": "a",
            "status": "planned",
            "monthly_fee": "1.00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    line = Line.objects.get(circuit_id="GZ-PTN-000001")
    assert (line.monthly_fee, line.line_type, line.region_id) == (None, "mpls_vpn", "440100")
    am_form = ui_client(users["am"]).get("/lines/new/").content.decode()
    assert 'name="monthly_fee"' in am_form


def test_proposals_confirm_and_dismiss(net: dict[str, Any], users: Any) -> None:
    cpe = net["cpe_hq"]
    i3 = cpe.interfaces.create(if_index=3, if_name="GE0/0/3", if_alias="uplink")
    i4 = cpe.interfaces.create(if_index=4, if_name="GE0/0/4")
    p3 = DiscoveryProposal.objects.create(device=cpe, interface=i3, line=net["l1"], reason="x")
    p4 = DiscoveryProposal.objects.create(device=cpe, interface=i4, reason="y")
    client = ui_client(users["engineer"])
    page = client.get("/lines/proposals/").content.decode()
    assert f'data-proposal="{p3.pk}"' in page and f'data-proposal="{p4.pk}"' in page
    denied = ui_client(users["customer"]).post(f"/lines/proposals/{p3.pk}/confirm/", {"end": "Z"})
    assert denied.status_code == 404
    ok = client.post(f"/lines/proposals/{p3.pk}/confirm/", {"end": "Z", "line": ""})
    assert ok.status_code == 302
    assert LineEndpoint.objects.get(line=net["l1"], end="Z").interface_id == i3.pk
    client.post(f"/lines/proposals/{p4.pk}/dismiss/", {"next": cpe.get_absolute_url() + "?tab=discovery"})
    assert list(DiscoveryProposal.objects.order_by("pk").values_list("status", flat=True)) == ["confirmed", "dismissed"]


def test_import_page(net: dict[str, Any], users: Any) -> None:
    client = ui_client(users["engineer"])
    good = SimpleUploadedFile("i.csv", b"device,if_index,if_name\ngz-th-pe-01,9,GE1/0/9\n")
    assert client.post("/lines/import/", {"kind": "interfaces", "file": good}).status_code == 302
    bad = SimpleUploadedFile("i.csv", b"device,if_index,if_name\ngz-th-pe-01,10,GE1/0/10\nnowhere,1,x\n")
    response = client.post("/lines/import/", {"kind": "interfaces", "file": bad})
    assert response.status_code == 422
    assert 'id="row-errors"' in response.content.decode()
    assert not net["pe_gz"].interfaces.filter(if_index=10).exists()


def test_activation_button_and_endpoint_form(net: dict[str, Any], users: Any, settings: Any) -> None:
    settings.KAM_ACTIVATION_PROBE = "tcp"
    settings.KAM_ACTIVATION_TCP_PORT = 9
    client = ui_client(users["engineer"])
    port = net["cpe_hq"].interfaces.create(if_index=1, if_name="GE0/0/1")
    # a port outside the engineer's region is not offered
    client.post(f"/lines/{net['l1'].pk}/endpoints/", {"end": "A", "role": "primary", "interface": net["if_branch"].pk})
    assert LineEndpoint.objects.get(line=net["l1"], end="A", role="primary").interface_id is None
    r = client.post(
        f"/lines/{net['l1'].pk}/endpoints/", {"end": "A", "role": "primary", "interface": port.pk, "vlan": 12}
    )
    assert r.status_code == 302
    assert LineEndpoint.objects.get(line=net["l1"], end="A", role="primary").vlan == 12
    r = client.post(f"/lines/{net['l1'].pk}/activation-test/")
    assert r.status_code == 302 and r["Location"].endswith("?tab=tests")
    test = net["l1"].activation_tests.get()
    assert test.passed is False and test.results["reachability"]["passed"] is True
    page = client.get(f"/lines/{net['l1'].pk}/?tab=tests").content.decode()
    assert f'data-test="{test.pk}"' in page


def test_matching_events_to_the_inventory(net: dict[str, Any]) -> None:
    pe = net["pe_cs"]
    assert match_device(address="10.2.0.1") == pe
    assert match_device(address="10.9.9.9", sys_name="cs-pe-01") == pe
    assert match_device(address="10.9.9.9") is None
    assert match_interface(pe, if_index=7) == net["if_pe_cs"]
    assert match_interface(pe, if_index=99, if_name="xgei-1/1/7") == net["if_pe_cs"]
    assert match_interface(pe, if_index=99, if_alias="CS-DIA-000001") == net["if_pe_cs"]
    assert match_interface(pe, if_index=99) is None
