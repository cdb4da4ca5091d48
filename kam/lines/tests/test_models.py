from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kam.core.errors import Conflict, Forbidden, ValidationFailed
from kam.lines import services
from kam.lines.crypto import decrypt, encrypt
from kam.lines.models import Device, Line, LineEndpoint
from kam.lines.queries import grade_ranks

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_device_is_at_a_site_or_a_pop_never_both(net: dict[str, Any]) -> None:
    both = Device(name="x", role="access", site=net["hq_site"], pop=net["pop_gz"], region=net["pop_gz"].region)
    with pytest.raises(ValidationError) as info:
        both.full_clean()
    assert "site" in info.value.message_dict
    neither = Device(name="y", role="access", region=net["pop_gz"].region)
    with pytest.raises(ValidationError):
        neither.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.create(name="z", role="access", region=net["pop_gz"].region)
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.create(
            name="z", role="access", region=net["pop_gz"].region, site=net["hq_site"], pop=net["pop_gz"]
        )
    assert (net["cpe_hq"].location_kind, net["pe_gz"].location_kind) == ("customer_premises", "central_office")
    assert (net["cpe_hq"].is_cpe, net["pe_gz"].is_cpe) == (True, False)


def test_topology_cycles_are_rejected(net: dict[str, Any], users: Any) -> None:
    pe, agg, acc, cpe = net["pe_gz"], net["agg_gz"], net["acc_gz"], net["cpe_hq"]
    assert [d.name for d in cpe.uplink_path()] == ["gz-hq-cpe-01", "gz-th-acc-01", "gz-th-agg-01", "gz-th-pe-01"]
    with pytest.raises(ValidationFailed) as info:
        services.update_device(device=pe, actor=users["admin"], data={"parent": cpe})
    assert info.value.code == "topology_cycle"
    with pytest.raises(ValidationFailed):
        services.update_device(device=agg, actor=users["admin"], data={"parent": agg})
    pe.refresh_from_db()
    assert pe.parent_id is None
    services.update_device(device=acc, actor=users["admin"], data={"parent": pe})
    assert [d.name for d in Device.objects.get(pk=cpe.pk).uplink_path()] == [
        "gz-hq-cpe-01",
        "gz-th-acc-01",
        "gz-th-pe-01",
    ]


def test_circuit_id_is_unique_and_services_change_state(net: dict[str, Any], users: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.create(
            circuit_id="GZ-DIA-000123", customer=net["l1"].customer, bandwidth_kbps=1, region=net["l1"].region
        )
    with pytest.raises(ValidationFailed) as info:
        services.create_line(
            actor=users["am"],
            data={"circuit_id": "GZ-DIA-000123", "customer": net["l1"].customer, "bandwidth_kbps": 10_000},
        )
    assert "circuit_id" in info.value.fields
    line = services.create_line(
        actor=users["am"],
        data={
            "circuit_id": "GZ-OTN-000001",
            "customer": net["l1"].customer,
            "product": "otn",
            "bandwidth_kbps": 1_000_000,
            "a_site": net["hq_site"],
        },
    )
    assert (line.line_type, line.status, line.region_id) == ("otn", "planned", "440100")
    at = datetime(2026, 11, 3, 10, 0, tzinfo=SH)
    line = services.activate_line(line=line, activated_at=at, bandwidth_kbps=10_000_000, actor=users["am"])
    assert (line.status, line.activated_at, line.bandwidth_kbps) == ("active", at, 10_000_000)
    with pytest.raises(Conflict):
        services.activate_line(line=line, activated_at=at, actor=users["am"])
    line = services.change_line(line=line, bandwidth_kbps=2_000_000, actor=users["am"])
    assert line.bandwidth_kbps == 2_000_000
    end = datetime(2026, 12, 31, 23, 0, tzinfo=SH)
    line = services.terminate_line(line=line, at=end, actor=users["am"])
    assert (line.status, line.terminated_at) == ("terminated", end)
    with pytest.raises(Conflict):
        services.change_line(line=line, bandwidth_kbps=1, actor=users["am"])
    with pytest.raises(Forbidden):
        services.change_line(line=net["l3"], bandwidth_kbps=1, actor=users["am"])
    # a site of another customer cannot be an end
    with pytest.raises(ValidationFailed) as info:
        services.update_line(line=net["l3"], actor=users["admin"], data={"a_site": net["hq_site"]})
    assert "a_site" in info.value.fields


def test_endpoint_rules(net: dict[str, Any], users: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LineEndpoint.objects.create(line=net["l1"], end="A", role="primary")
    with pytest.raises(ValidationFailed) as info:
        services.bind_endpoint(line=net["l1"], end="A", interface=None, vlan=4095, actor=users["admin"])
    assert "vlan" in info.value.fields
    backup = services.bind_endpoint(
        line=net["l1"], end="Z", role="backup", interface=net["if_branch"], vlan=7, actor=users["admin"]
    )
    assert (backup.end, backup.role, backup.vlan) == ("Z", "backup", 7)
    assert list(net["l1"].endpoints.values_list("end", "role")) == [("A", "primary"), ("Z", "backup"), ("Z", "primary")]


def test_secrets_are_encrypted_at_rest() -> None:
    token = encrypt("public-ro")
    assert token.startswith("fernet:") and "public-ro" not in token
    assert decrypt(token) == "public-ro"
    assert encrypt("") == "" and decrypt("") == ""
    assert decrypt("fernet:not-a-token") == ""


def test_grade_ranks_default_and_policy(db: Any) -> None:
    from kam.customers.models import TierPolicy

    ranks = grade_ranks()
    assert sorted(["D", "B1", "A2", "C", "A1", "B2"], key=ranks.__getitem__) == ["A1", "A2", "B1", "B2", "C", "D"]
    TierPolicy.objects.update_or_create(grade="D", defaults={"label": "D", "rank": 1})
    TierPolicy.objects.filter(grade="A1").update(rank=9)
    assert grade_ranks()["D"] == 1 and grade_ranks()["A1"] == 9
