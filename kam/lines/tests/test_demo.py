from __future__ import annotations

from typing import Any

import pytest

from kam.core.demo import DemoContext
from kam.lines import demo
from kam.lines.models import Device, Interface, Line, LineEndpoint

pytestmark = pytest.mark.django_db


def _snapshot() -> list[Any]:
    return list(
        Line.objects.order_by("circuit_id").values_list(
            "circuit_id", "customer_id", "bandwidth_kbps", "protection_level", "status", "monthly_fee"
        )
    )


def test_demo_network_for_the_customers(customers: dict[str, Any]) -> None:
    ctx = DemoContext(scale="small", seed=7, log=lambda _msg: None)
    demo.build(ctx)
    # 2 cities with customers (Guangzhou, Shenzhen) + Changsha: 2 PEs, 4 aggregation, 12 access switches each
    assert Device.objects.filter(role="pe").count() == 6
    assert Device.objects.filter(role="aggregation").count() == 12
    assert Device.objects.filter(role="access").count() == 36
    assert Device.objects.filter(role="cpe").count() == Device.objects.filter(site__isnull=False).count() == 3
    assert ctx.data["lines_count"] == Line.objects.count() == 1500
    # every bound end sits on a port whose alias is the circuit id
    bound = LineEndpoint.objects.filter(interface__isnull=False).select_related("line", "interface")
    assert bound.count() >= 2 * Line.objects.exclude(status="planned").count()
    assert all(e.interface.if_alias == e.line.circuit_id for e in bound[:500])
    # every CPE hangs below an access switch, every access switch below an aggregation switch, below a PE
    for cpe in Device.objects.filter(role="cpe"):
        assert [d.role for d in cpe.uplink_path()] == ["cpe", "access", "aggregation", "pe"]
    assert Interface.objects.filter(if_name__startswith="GigabitEthernet").exists()
    assert Line.objects.filter(circuit_id__startswith="GZ-DIA-").exists()
    assert set(Line.objects.values_list("product", flat=True)) == {
        "dia",
        "mpls_vpn",
        "sdh",
        "otn",
        "ptn",
        "voice_pri",
        "voice_sip",
    }
    first = _snapshot()
    Line.objects.all().delete()
    Interface.objects.all().delete()
    Device.objects.filter(role="cpe").delete()
    Device.objects.filter(role="access").delete()
    Device.objects.filter(role="aggregation").delete()
    Device.objects.all().delete()
    from kam.lines.models import PointOfPresence

    PointOfPresence.objects.all().delete()
    demo.build(DemoContext(scale="small", seed=7, log=lambda _msg: None))
    ids = {c.pk: i for i, c in enumerate(sorted(customers.values(), key=lambda c: c.pk))}
    assert [(r[0], ids[r[1]], *r[2:]) for r in _snapshot()] == [(r[0], ids[r[1]], *r[2:]) for r in first]
