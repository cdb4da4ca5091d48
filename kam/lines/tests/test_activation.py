from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from kam.core.testing import api_client, assert_matrix
from kam.lines.activation import run_activation_test
from kam.lines.discovery import discover_device
from kam.lines.models import ActivationTest, Interface, LineEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that accepts connections (the line's test address answers)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield int(server.getsockname()[1])
    server.close()


@pytest.fixture
def discovered(sim_devices: dict[str, Any], settings: Any, listener: int) -> dict[str, Any]:
    settings.KAM_ACTIVATION_PROBE = "tcp"
    settings.KAM_ACTIVATION_TCP_PORT = listener
    discover_device(device=sim_devices["cpe_hq"])
    discover_device(device=sim_devices["pe_gz"])
    return sim_devices


def test_activation_test_passes_on_up_ports_and_a_reachable_address(discovered: dict[str, Any], users: Any) -> None:
    test = run_activation_test(line=discovered["l1"], actor=users["engineer"])
    assert test.passed is True
    assert sorted(test.results) == ["oper_status_a_primary", "oper_status_z_primary", "reachability", "rtt"]
    assert test.results["oper_status_a_primary"] == {
        "passed": True,
        "detail": "gz-hq-cpe-01 GigabitEthernet0/0/1 is up.",
        "value": "up",
    }
    assert test.results["oper_status_z_primary"]["detail"] == "gz-th-pe-01 GigabitEthernet1/0/1 is up."
    assert test.results["reachability"]["passed"] is True
    assert test.results["reachability"]["value"].startswith("tcp/")
    assert 0 <= test.results["rtt"]["value"] <= 100
    assert test.run_by == users["engineer"] and test.finished_at >= test.started_at


def test_activation_test_fails_on_a_down_port_and_an_unbound_end(
    discovered: dict[str, Any], users: Any, settings: Any
) -> None:
    down = Interface.objects.get(device=discovered["cpe_hq"], if_index=3)  # oper down in the simulator
    LineEndpoint.objects.filter(line=discovered["l1"], end="A").update(interface=down)
    LineEndpoint.objects.filter(line=discovered["l1"], end="Z").update(interface=None)
    settings.KAM_ACTIVATION_TCP_PORT = 9  # nothing listens: refused, yet the address answers
    test = run_activation_test(line=discovered["l1"], actor=users["noc"])
    assert test.passed is False
    assert test.results["oper_status_a_primary"] == {
        "passed": False,
        "detail": "gz-hq-cpe-01 GigabitEthernet0/0/3 is not up (ifOperStatus 2).",
        "value": "down",
    }
    assert test.results["oper_status_z_primary"] == {
        "passed": False,
        "detail": "No port is bound to this end.",
        "value": None,
    }
    assert test.results["reachability"]["passed"] is True
    assert test.results["reachability"]["value"] == "tcp/9 refused"


def test_activation_test_without_a_test_address(discovered: dict[str, Any], users: Any) -> None:
    line = discovered["l1"]
    line.test_address = None
    line.save()
    test = run_activation_test(line=line, actor=users["engineer"])
    assert test.passed is False
    assert test.results["reachability"] == {"passed": False, "detail": "The line has no test address.", "value": None}
    assert "rtt" not in test.results


def test_activation_test_api_and_matrix(discovered: dict[str, Any], users: Any) -> None:
    line = discovered["l1"]
    url = f"/api/v1/lines/{line.pk}/activation-tests"
    assert_matrix(
        url=url,
        api=True,
        method="post",
        allowed=[users["noc"]],
        allowed_status=(201,),
        denied=[users["customer_other"], users["am_other"], users["customer"], users["finance"]],
        denied_status=(403, 404),
        state=lambda: ActivationTest.objects.count(),
    )
    before = ActivationTest.objects.count()
    response = api_client(users["engineer"]).post(url, "{}", content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["passed"] is True and body["line_id"] == line.pk
    assert ActivationTest.objects.count() == before + 1
    listed = api_client(users["customer"]).get(url).json()
    assert listed["count"] == before + 1
    # denied callers created nothing
    assert (
        ActivationTest.objects.filter(run_by__in=[users["customer"], users["finance"], users["am_other"]]).count() == 0
    )


def test_discovery_api(sim_devices: dict[str, Any], users: Any, snmpsim: Any) -> None:
    cpe = sim_devices["cpe_hq"]
    client = api_client(users["engineer"])
    r = client.post(f"/api/v1/devices/{cpe.pk}/discover?wait=true", "{}", content_type="application/json")
    assert r.status_code == 202, r.content
    assert {k: r.json()[k] for k in ("status", "interfaces_found", "endpoints_bound", "proposals_made")} == {
        "status": "succeeded",
        "interfaces_found": 4,
        "endpoints_bound": 2,
        "proposals_made": 2,
    }
    proposals = client.get("/api/v1/discovery-proposals", {"device_id": cpe.pk}).json()["items"]
    assert [(p["if_index"], p["circuit_id"]) for p in proposals] == [(3, "GZ-DIA-000123"), (4, "GZ-DIA-000123")]
    confirmed = client.post(
        f"/api/v1/discovery-proposals/{proposals[0]['id']}/confirm",
        json.dumps({"end": "Z"}),
        content_type="application/json",
    )
    assert confirmed.status_code == 200, confirmed.content
    assert (confirmed.json()["end"], confirmed.json()["if_index"]) == ("Z", 3)
    dismissed = client.post(
        f"/api/v1/discovery-proposals/{proposals[1]['id']}/dismiss", "{}", content_type="application/json"
    )
    assert dismissed.json()["status"] == "dismissed"
    again = client.post(
        f"/api/v1/discovery-proposals/{proposals[1]['id']}/dismiss", "{}", content_type="application/json"
    )
    assert (again.status_code, again.json()["code"]) == (409, "proposal_decided")
    assert client.get("/api/v1/discovery-proposals", {"device_id": cpe.pk}).json()["count"] == 0
    denied = api_client(users["customer"]).post(
        f"/api/v1/discovery-proposals/{proposals[1]['id']}/confirm", "{}", content_type="application/json"
    )
    assert denied.status_code == 404
    added = client.post(
        "/api/v1/devices/discover",
        json.dumps({"address": "127.0.0.5", "community": "newcpe", "port": snmpsim.port}),
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    assert added.json()["interfaces_found"] == 1


def test_queued_discovery_runs_after_commit(
    sim_devices: dict[str, Any], users: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            r = api_client(users["engineer"]).post(
                f"/api/v1/devices/{sim_devices['pe_gz'].pk}/discover", "{}", content_type="application/json"
            )
        assert r.status_code == 202 and r.json()["status"] == "running"
    finally:
        HUEY.immediate = False
    from kam.lines.models import DiscoveryRun

    run = DiscoveryRun.objects.get(pk=r.json()["id"])
    assert (run.status, run.interfaces_found, run.endpoints_bound) == ("succeeded", 2, 1)
