from __future__ import annotations

import subprocess
from typing import Any

import pytest

from kam.lines.discovery import alias_tokens, discover_address, discover_device
from kam.lines.models import Device, DiscoveryProposal, Interface, LineEndpoint

pytestmark = pytest.mark.django_db


def test_the_simulator_answers_an_independent_client(snmpsim: Any) -> None:
    out = subprocess.run(
        ["snmpget", "-v2c", "-c", "cpe1", "-On", f"127.0.0.1:{snmpsim.port}", "1.3.6.1.2.1.1.5.0"],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    ).stdout
    assert out.strip() == '.1.3.6.1.2.1.1.5.0 = STRING: "gz-hq-cpe-01"'
    walk = subprocess.run(
        ["snmpwalk", "-v2c", "-c", "pe1", "-On", "-Oq", f"127.0.0.1:{snmpsim.port}", "1.3.6.1.2.1.31.1.1.1.18"],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    ).stdout
    assert walk.splitlines()[:2] == [
        '.1.3.6.1.2.1.31.1.1.1.18.1 "GZ-DIA-000123"',
        '.1.3.6.1.2.1.31.1.1.1.18.2 "spare"',
    ]


def test_alias_tokens() -> None:
    assert alias_tokens(" to 粤穗-MSTP-000007 backup ") == [
        "to 粤穗-MSTP-000007 backup",
        "to",
        "粤穗-MSTP-000007",
        "backup",
    ]
    assert alias_tokens("") == []
    assert alias_tokens("[GZ-DIA-000123]") == ["[GZ-DIA-000123]", "GZ-DIA-000123"]


def test_discovery_binds_by_circuit_id_and_proposes_the_rest(sim_devices: dict[str, Any], users: Any) -> None:
    net = sim_devices
    run = discover_device(device=net["cpe_hq"], actor=users["engineer"])
    assert (run.status, run.interfaces_found, run.endpoints_bound, run.proposals_made, run.error) == (
        "succeeded",
        4,
        2,
        2,
        "",
    )
    cpe = Device.objects.get(pk=net["cpe_hq"].pk)
    assert cpe.sys_name == "gz-hq-cpe-01"
    assert cpe.last_discovered_at is not None
    rows = list(
        Interface.objects.filter(device=cpe)
        .order_by("if_index")
        .values_list("if_index", "if_name", "if_alias", "speed_kbps", "oper_status", "admin_status")
    )
    assert rows == [
        (1, "GigabitEthernet0/0/1", "GZ-DIA-000123", 1_000_000, "up", "up"),
        (2, "GigabitEthernet0/0/2", "to 粤穗-MSTP-000007 backup", 100_000, "up", "up"),
        (3, "GigabitEthernet0/0/3", "uplink to agg", 1_000_000, "down", "up"),
        (4, "GigabitEthernet0/0/4", "", 10_000_000, "up", "up"),
    ]
    bound = sorted(
        LineEndpoint.objects.filter(interface__device=cpe).values_list("line__circuit_id", "end", "interface__if_index")
    )
    # the A end of GZ-DIA-000123 is at the CPE's site; the MSTP line has no sites, so its first free end
    assert bound == [("GZ-DIA-000123", "A", 1), ("粤穗-MSTP-000007", "A", 2)]
    proposals = list(
        DiscoveryProposal.objects.filter(device=cpe)
        .order_by("interface__if_index")
        .values_list("interface__if_index", "line__circuit_id", "status")
    )
    # a line ending at this site still has a free end (Z of GZ-DIA-000123): suggested for review
    assert proposals == [(3, "GZ-DIA-000123", "pending"), (4, "GZ-DIA-000123", "pending")]

    again = discover_device(device=cpe, actor=users["engineer"])
    assert (again.endpoints_bound, again.proposals_made) == (0, 0)

    pe_run = discover_device(device=net["pe_gz"], actor=None)
    assert (pe_run.endpoints_bound, pe_run.proposals_made) == (1, 1)
    ends = list(
        net["l1"].endpoints.order_by("end").values_list("end", "interface__device__name", "interface__if_index")
    )
    assert ends == [("A", "gz-hq-cpe-01", 1), ("Z", "gz-th-pe-01", 1)]
    assert list(DiscoveryProposal.objects.filter(device=net["pe_gz"]).values_list("interface__if_index", "line")) == [
        (2, None)
    ]


def test_discovery_of_an_unreachable_device_fails_cleanly(net: dict[str, Any], snmpsim: Any, users: Any) -> None:
    device = net["cpe_hq"]
    Device.objects.filter(pk=device.pk).update(snmp_port=snmpsim.port, snmp_community="wrong")
    device.refresh_from_db()
    run = discover_device(device=device, actor=users["engineer"], timeout=0.3, retries=0)
    assert run.status == "failed"
    assert "No SNMP response" in run.error or "timeout" in run.error.lower()
    device.refresh_from_db()
    assert device.status == "unreachable"
    assert Interface.objects.filter(device=device).count() == 0


def test_discover_unknown_address_places_a_cpe_at_its_lines_site(net: dict[str, Any], snmpsim: Any) -> None:
    from kam.lines.services import create_line

    line = create_line(
        actor=None,
        data={
            "circuit_id": "GZ-MPLS-000300",
            "customer": net["hq_site"].customer,
            "product": "mpls_vpn",
            "bandwidth_kbps": 20_000,
            "z_site": net["hq_site"],
            "region": net["hq_site"].region,
        },
    )
    # the site already has a CPE; the new one is placed at the line's site anyway only when it has none
    Device.objects.filter(site=net["hq_site"]).delete()
    run = discover_address("127.0.0.4", community="newcpe", port=snmpsim.port)
    device = run.device
    assert (device.name, device.role, device.site_id, device.status, device.sys_name) == (
        "gz-branch-cpe-09",
        "cpe",
        net["hq_site"].pk,
        "active",
        "gz-branch-cpe-09",
    )
    assert device.snmp_community == "newcpe"
    # the only free end at the CPE's site is Z
    assert list(line.endpoints.values_list("end", "interface__if_name")) == [("A", None), ("Z", "GE0/0/1")]


def test_discover_unknown_address_without_lines_goes_to_the_holding_pop(net: dict[str, Any], snmpsim: Any) -> None:
    run = discover_address("127.0.0.5", community="newcpe", port=snmpsim.port)
    assert (run.device.pop.code, run.device.role, run.proposals_made) == ("UNPLACED", "access", 1)
