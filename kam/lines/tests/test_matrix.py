"""The permission matrix for the endpoints and pages not covered next to their behaviour tests."""

from __future__ import annotations

from typing import Any

import pytest

from kam.core.testing import assert_matrix
from kam.lines.models import Device, DiscoveryProposal, Interface, Line, PointOfPresence

pytestmark = pytest.mark.django_db


def test_read_endpoints(net: dict[str, Any], users: dict[str, Any]) -> None:
    l3, pe_cs, pop_cs = net["l3"], net["pe_cs"], net["pop_cs"]
    proposal = DiscoveryProposal.objects.create(device=pe_cs, interface=net["if_pe_cs"], reason="x")
    outsiders = [users["customer"], users["am"], users["director"], users["noc"]]
    for url in (
        f"/api/v1/lines/{l3.pk}/endpoints",
        f"/api/v1/lines/{l3.pk}/path",
        f"/api/v1/lines/{l3.pk}/activation-tests",
        f"/api/v1/devices/{pe_cs.pk}/interfaces",
        f"/api/v1/interfaces/{net['if_pe_cs'].pk}",
    ):
        assert_matrix(
            url=url, api=True, allowed=[users["customer_other"], users["am_other"], users["admin"]], denied=outsiders
        )
    for url in (f"/api/v1/pops/{pop_cs.pk}", f"/api/v1/devices/{pe_cs.pk}/discovery-runs"):
        assert_matrix(
            url=url,
            api=True,
            allowed=[users["director_hn"], users["admin"]],
            denied=[users["customer"], users["customer_other"], users["noc"], users["director"]],
        )
    for url in (
        "/api/v1/pops",
        "/api/v1/devices",
        "/api/v1/interfaces",
        "/api/v1/lines",
        "/api/v1/discovery-proposals",
    ):
        assert_matrix(url=url, api=True, allowed=[users["noc"], users["customer"], users["finance"]], denied=[])
    # lists only hold what the caller may see
    from kam.core.testing import api_client

    assert api_client(users["noc"]).get("/api/v1/discovery-proposals").json()["count"] == 0
    assert api_client(users["director_hn"]).get("/api/v1/discovery-proposals").json()["items"][0]["id"] == proposal.pk
    assert api_client(users["customer_other"]).get("/api/v1/discovery-proposals").json()["count"] == 0


def test_write_endpoints(net: dict[str, Any], users: dict[str, Any]) -> None:
    def state() -> Any:
        return (
            list(Line.objects.values_list("pk", "status").order_by("pk")),
            list(Device.objects.values_list("pk", "name").order_by("pk")),
            list(PointOfPresence.objects.values_list("pk", "name").order_by("pk")),
            list(Interface.objects.values_list("pk", "if_alias").order_by("pk")),
        )

    planned = Line.objects.create(
        circuit_id="CS-DIA-000002", customer=net["l3"].customer, bandwidth_kbps=1000, region=net["l3"].region
    )
    assert_matrix(
        url=f"/api/v1/lines/{planned.pk}",
        api=True,
        method="delete",
        state=state,
        allowed=[users["am_other"]],
        allowed_status=(204,),
        denied=[users["customer_other"], users["am"], users["noc"], users["finance"]],
    )
    assert not Line.objects.filter(pk=planned.pk).exists()
    spare = PointOfPresence.objects.create(code="CS-02", name="岳麓局", region=net["pop_cs"].region)
    assert_matrix(
        url=f"/api/v1/pops/{spare.pk}",
        api=True,
        method="delete",
        state=state,
        allowed=[users["director_hn"]],
        allowed_status=(204,),
        denied=[users["customer_other"], users["am_other"], users["director"], users["noc"]],
    )
    assert_matrix(
        url="/api/v1/interfaces",
        api=True,
        method="post",
        state=state,
        data={"device_id": net["pe_cs"].pk, "if_index": 20, "if_name": "xgei-1/1/20"},
        allowed=[users["director_hn"]],
        allowed_status=(201,),
        denied=[users["customer_other"], users["am_other"], users["noc"]],
        denied_status=(403, 422),
    )
    assert_matrix(
        url="/api/v1/devices",
        api=True,
        method="post",
        state=state,
        data={"name": "cs-acc-09", "role": "access", "pop_id": net["pop_cs"].pk, "mgmt_address": "10.2.9.9"},
        allowed=[users["director_hn"]],
        allowed_status=(201,),
        denied=[users["customer_other"], users["am_other"], users["noc"], users["director"]],
        denied_status=(403, 422),
    )
    assert_matrix(
        url="/api/v1/devices/discover",
        api=True,
        method="post",
        state=state,
        data={"address": "10.2.0.1", "community": "x"},
        allowed=[],
        denied=[users["customer_other"], users["am_other"], users["finance"], users["director"]],
        denied_status=(403, 404),
    )
    assert_matrix(
        url="/api/v1/lines/import?kind=lines",
        api=True,
        method="post",
        state=state,
        allowed=[],
        denied=[],
        denied_status=(403,),
    )


def test_pages(net: dict[str, Any], users: dict[str, Any]) -> None:
    pop = net["pop_cs"]
    assert_matrix(
        url=f"/lines/pops/{pop.pk}/edit/",
        allowed=[users["director_hn"]],
        denied=[users["noc"], users["customer_other"], users["am_other"]],
    )
    assert_matrix(url="/lines/pops/new/", allowed=[users["noc"]], denied=[users["am"], users["customer"]])
    state = lambda: list(PointOfPresence.objects.values_list("code", "name").order_by("pk"))  # noqa: E731
    assert_matrix(
        url=f"/lines/pops/{pop.pk}/edit/",
        method="post",
        state=state,
        data={"code": "CS-01", "name": "长沙新局", "kind": "pop", "region": "430100", "address": ""},
        allowed=[users["director_hn"]],
        allowed_status=(302,),
        denied=[users["noc"], users["customer_other"], users["am_other"]],
    )
    assert PointOfPresence.objects.get(pk=pop.pk).name == "长沙新局"
    proposal = DiscoveryProposal.objects.create(device=net["pe_cs"], interface=net["if_pe_cs"], reason="x")
    pstate = lambda: list(DiscoveryProposal.objects.values_list("status", flat=True))  # noqa: E731
    assert_matrix(
        url=f"/lines/proposals/{proposal.pk}/dismiss/",
        method="post",
        state=pstate,
        allowed=[users["director_hn"]],
        allowed_status=(302,),
        denied=[users["noc"], users["customer_other"], users["am_other"]],
    )
    assert pstate() == ["dismissed"]
