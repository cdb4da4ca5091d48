"""Fixtures of the lines tests: a small network around the shared customers, and an SNMP simulator."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kam.lines.testing import SimInterface, SnmpSimulator, snmprec

CPE_AGENT = snmprec(
    "gz-hq-cpe-01",
    [
        SimInterface(1, "GigabitEthernet0/0/1", "GZ-DIA-000123"),
        SimInterface(2, "GigabitEthernet0/0/2", "to 粤穗-MSTP-000007 backup", speed_mbps=100),
        SimInterface(3, "GigabitEthernet0/0/3", "uplink to agg", oper_status=2),
        SimInterface(4, "GigabitEthernet0/0/4", "", speed_mbps=10000),
    ],
)
PE_AGENT = snmprec(
    "gz-th-pe-01",
    [
        SimInterface(1, "GigabitEthernet1/0/1", "GZ-DIA-000123", speed_mbps=10000),
        SimInterface(2, "GigabitEthernet1/0/2", "spare", oper_status=2),
    ],
)
UNKNOWN_AGENT = snmprec("gz-branch-cpe-09", [SimInterface(1, "GE0/0/1", "GZ-MPLS-000300 main office")])


@pytest.fixture(scope="session")
def snmpsim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpSimulator]:
    data_dir: Path = tmp_path_factory.mktemp("snmpsim")
    sim = SnmpSimulator(data_dir, {"cpe1": CPE_AGENT, "pe1": PE_AGENT, "newcpe": UNKNOWN_AGENT})
    sim.start("cpe1")
    yield sim
    sim.stop()


@pytest.fixture
def net(customers: dict[str, Any], regions: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    from kam.customers.models import Site
    from kam.lines.models import Device, Interface, Line, LineEndpoint, PointOfPresence

    pop_gz = PointOfPresence.objects.create(code="GZ-TH-01", name="天河局", kind="central_office", region=regions["gz"])
    pop_cs = PointOfPresence.objects.create(code="CS-01", name="长沙局", kind="pop", region=regions["cs"])
    hq_site = Site.objects.create(customer=customers["hq"], name="天河总部", address="天河路1号", region=regions["gz"])
    branch_site = Site.objects.create(
        customer=customers["branch"], name="南山", address="南山路2号", region=regions["sz"]
    )
    other_site = Site.objects.create(
        customer=customers["other"], name="岳麓", address="岳麓路3号", region=regions["cs"]
    )

    def dev(name: str, role: str, **kw: Any) -> Device:
        region = kw.pop("region", None) or (kw["site"].region if kw.get("site") else kw["pop"].region)
        return Device.objects.create(name=name, role=role, region=region, vendor="huawei", **kw)

    pe_gz = dev("gz-th-pe-01", "pe", pop=pop_gz, mgmt_address="127.0.0.1", snmp_community="pe1")
    agg_gz = dev("gz-th-agg-01", "aggregation", pop=pop_gz, parent=pe_gz, mgmt_address="10.0.0.2")
    acc_gz = dev("gz-th-acc-01", "access", pop=pop_gz, parent=agg_gz, mgmt_address="10.0.0.3")
    cpe_hq = dev("gz-hq-cpe-01", "cpe", site=hq_site, parent=acc_gz, mgmt_address="127.0.0.2", snmp_community="cpe1")
    cpe_branch = dev("sz-ns-cpe-01", "cpe", site=branch_site, parent=pe_gz, mgmt_address="10.1.0.1")
    pe_cs = dev("cs-pe-01", "pe", pop=pop_cs, mgmt_address="10.2.0.1", snmp_community="cs-secret-community")
    cpe_other = dev("cs-yl-cpe-01", "cpe", site=other_site, parent=pe_cs, mgmt_address="10.2.0.2")

    if_other = Interface.objects.create(device=cpe_other, if_index=1, if_name="GE0/0/1", if_alias="CS-DIA-000001")
    if_pe_cs = Interface.objects.create(device=pe_cs, if_index=7, if_name="xgei-1/1/7", if_alias="CS-DIA-000001")
    if_branch = Interface.objects.create(device=cpe_branch, if_index=1, if_name="GE0/0/1", if_alias="")

    l1 = Line.objects.create(
        circuit_id="GZ-DIA-000123",
        customer=customers["hq"],
        product="dia",
        line_type="dia",
        bandwidth_kbps=100_000,
        protection_level="aaa",
        status="active",
        monthly_fee=Decimal("3000.00"),
        contract_ref="HT-2026-001",
        a_site=hq_site,
        test_address="127.0.0.1",
        region=regions["gz"],
    )
    l2 = Line.objects.create(
        circuit_id="粤穗-MSTP-000007",
        customer=customers["branch"],
        product="sdh",
        line_type="sdh",
        bandwidth_kbps=10_000,
        protection_level="a",
        status="active",
        monthly_fee=Decimal("800.00"),
        region=regions["sz"],
    )
    l3 = Line.objects.create(
        circuit_id="CS-DIA-000001",
        customer=customers["other"],
        product="dia",
        line_type="dia",
        bandwidth_kbps=50_000,
        protection_level="normal",
        status="active",
        monthly_fee=Decimal("1200.00"),
        a_site=other_site,
        region=regions["cs"],
    )
    for line in (l1, l2):
        LineEndpoint.objects.create(line=line, end="A", role="primary")
        LineEndpoint.objects.create(line=line, end="Z", role="primary")
    LineEndpoint.objects.create(line=l3, end="A", role="primary", interface=if_other, vlan=100)
    LineEndpoint.objects.create(line=l3, end="Z", role="primary", interface=if_pe_cs, vlan=100)
    return {
        "pop_gz": pop_gz,
        "pop_cs": pop_cs,
        "hq_site": hq_site,
        "branch_site": branch_site,
        "other_site": other_site,
        "pe_gz": pe_gz,
        "agg_gz": agg_gz,
        "acc_gz": acc_gz,
        "cpe_hq": cpe_hq,
        "cpe_branch": cpe_branch,
        "pe_cs": pe_cs,
        "cpe_other": cpe_other,
        "if_other": if_other,
        "if_pe_cs": if_pe_cs,
        "if_branch": if_branch,
        "l1": l1,
        "l2": l2,
        "l3": l3,
    }


@pytest.fixture
def sim_devices(net: dict[str, Any], snmpsim: SnmpSimulator) -> dict[str, Any]:
    """Point the two simulated devices at the simulator's port."""
    from kam.lines.models import Device

    Device.objects.filter(pk__in=[net["pe_gz"].pk, net["cpe_hq"].pk]).update(snmp_port=snmpsim.port)
    for key in ("pe_gz", "cpe_hq"):
        net[key].refresh_from_db()
    return net


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Services called directly speak English in these tests (pages and the API follow the request)."""
    from django.utils import translation

    with translation.override("en"):
        yield
