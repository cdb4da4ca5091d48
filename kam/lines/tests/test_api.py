from __future__ import annotations

import json
from typing import Any

import pytest

from kam.core.models import AuditEntry
from kam.core.testing import api_client, assert_matrix
from kam.lines.models import Device, Line, LineEndpoint, PointOfPresence

pytestmark = pytest.mark.django_db


def _get(user: Any, url: str, **params: Any) -> Any:
    response = api_client(user).get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_line_list_scoping_and_commercial_fields(net: dict[str, Any], users: dict[str, Any]) -> None:
    def circuits(user: Any) -> list[tuple[str, Any, Any]]:
        return [(i["circuit_id"], i["monthly_fee"], i["contract_ref"]) for i in _get(user, "/api/v1/lines")["items"]]

    assert circuits(users["am"]) == [
        ("GZ-DIA-000123", "3000.00", "HT-2026-001"),
        ("粤穗-MSTP-000007", "800.00", ""),
    ]
    # NOC (Guangdong) sees the service side of every line in its region, without prices
    assert circuits(users["noc"]) == [("GZ-DIA-000123", None, None), ("粤穗-MSTP-000007", None, None)]
    assert circuits(users["customer"]) == [("GZ-DIA-000123", None, None), ("粤穗-MSTP-000007", None, None)]
    assert circuits(users["customer_other"]) == [("CS-DIA-000001", None, None)]
    assert circuits(users["am_other"]) == [("CS-DIA-000001", "1200.00", "")]
    assert circuits(users["director"]) == [
        ("GZ-DIA-000123", "3000.00", "HT-2026-001"),
        ("粤穗-MSTP-000007", "800.00", ""),
    ]
    assert [i["circuit_id"] for i in _get(users["noc"], "/api/v1/lines", q="mstp")["items"]] == ["粤穗-MSTP-000007"]
    page = _get(users["admin"], "/api/v1/lines", limit=1, offset=1)
    assert (page["count"], [i["circuit_id"] for i in page["items"]]) == (3, ["GZ-DIA-000123"])


def test_device_scoping(net: dict[str, Any], users: dict[str, Any]) -> None:
    def names(user: Any, **params: Any) -> list[str]:
        return [i["name"] for i in _get(user, "/api/v1/devices", **params)["items"]]

    gd = ["gz-hq-cpe-01", "gz-th-acc-01", "gz-th-agg-01", "gz-th-pe-01", "sz-ns-cpe-01"]
    assert names(users["noc"]) == gd
    assert names(users["engineer"]) == ["gz-hq-cpe-01", "gz-th-acc-01", "gz-th-agg-01", "gz-th-pe-01"]
    # the Changsha customer's user sees the devices its line ends on, nothing else
    assert names(users["customer_other"]) == ["cs-pe-01", "cs-yl-cpe-01"]
    assert names(users["customer"]) == []
    assert names(users["noc"], location_kind="customer_premises") == ["gz-hq-cpe-01", "sz-ns-cpe-01"]
    assert names(users["noc"], role="pe") == ["gz-th-pe-01"]
    kinds = {i["name"]: i["location_kind"] for i in _get(users["admin"], "/api/v1/devices")["items"]}
    assert kinds["gz-hq-cpe-01"] == "customer_premises"
    assert kinds["gz-th-pe-01"] == "central_office"


def test_snmp_secrets_never_come_back(net: dict[str, Any], users: dict[str, Any], client: Any) -> None:
    admin = api_client(users["admin"])
    payload = {
        "name": "gz-th-acc-99",
        "role": "access",
        "pop_id": net["pop_gz"].pk,
        "mgmt_address": "10.9.9.9",
        "snmp_version": "v3",
        "snmp_v3_user": "opsuser-x1",
        "snmp_auth_protocol": "sha",
        "snmp_auth_key": "auth-key-s3cr3t",
        "snmp_priv_protocol": "aes",
        "snmp_priv_key": "priv-key-s3cr3t",
        "snmp_community": "community-s3cr3t",
    }
    created = admin.post("/api/v1/devices", json.dumps(payload), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["has_snmp_credentials"] is True
    device = Device.objects.get(pk=body["id"])
    assert (device.snmp_auth_key, device.snmp_community) == ("auth-key-s3cr3t", "community-s3cr3t")
    # stored encrypted
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT snmp_community, snmp_auth_key FROM lines_device WHERE id = %s", [device.pk])
        raw = cursor.fetchone()
    assert raw[0].startswith("fernet:") and "s3cr3t" not in raw[0] and "s3cr3t" not in raw[1]
    # an update without secrets keeps them; with one replaces it
    patched = admin.patch(
        f"/api/v1/devices/{device.pk}",
        json.dumps({"model": "S5735", "snmp_community": "new-s3cr3t"}),
        content_type="application/json",
    )
    assert patched.status_code == 200
    device.refresh_from_db()
    assert (device.model, device.snmp_community, device.snmp_auth_key) == ("S5735", "new-s3cr3t", "auth-key-s3cr3t")
    secrets = ("s3cr3t", "opsuser-x1", "cs-secret-community")
    texts = [
        created.content.decode(),
        patched.content.decode(),
        admin.get("/api/v1/devices").content.decode(),
        admin.get(f"/api/v1/devices/{device.pk}").content.decode(),
        admin.get(f"/api/v1/devices/{net['pe_cs'].pk}").content.decode(),
        admin.get("/api/v1/devices?export=csv").content.decode(),
    ]
    client.force_login(users["admin"])
    for url in (
        f"/lines/devices/{device.pk}/",
        f"/lines/devices/{device.pk}/?tab=history",
        "/lines/devices/",
        f"/lines/devices/{device.pk}/edit/",
        "/lines/devices/?export=csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
    for entry in AuditEntry.objects.all():
        texts.append(json.dumps(entry.changes, default=str, ensure_ascii=False))
    for text in texts:
        for secret in secrets:
            assert secret not in text
    # the change of a secret is recorded, its values are not
    changed = [e.changes for e in AuditEntry.objects.filter(model="device", object_pk=str(device.pk))]
    assert any("snmp_community" in c for c in changed)


def test_pop_crud_and_matrix(net: dict[str, Any], users: dict[str, Any]) -> None:
    url = f"/api/v1/pops/{net['pop_gz'].pk}"
    assert_matrix(
        url=url,
        api=True,
        allowed=[users["noc"], users["engineer"], users["admin"]],
        denied=[users["customer"], users["director_hn"]],
    )
    state = lambda: list(PointOfPresence.objects.values_list("code", "name").order_by("code"))  # noqa: E731
    assert_matrix(
        url=url,
        api=True,
        method="patch",
        data={"name": "天河新局"},
        state=state,
        allowed=[users["engineer"]],
        denied=[users["customer"], users["am"], users["director_hn"]],
    )
    assert PointOfPresence.objects.get(pk=net["pop_gz"].pk).name == "天河新局"
    assert_matrix(
        url="/api/v1/pops",
        api=True,
        method="post",
        state=state,
        data={"code": "GZ-PY-01", "name": "番禺局", "region_id": "440100"},
        allowed=[users["noc"]],
        allowed_status=(201,),
        denied=[users["customer"], users["am"]],
        denied_status=(403,),
    )
    conflict = api_client(users["admin"]).delete(url)
    assert (conflict.status_code, conflict.json()["code"]) == (409, "pop_in_use")


def test_device_matrix(net: dict[str, Any], users: dict[str, Any]) -> None:
    pe = net["pe_gz"]
    state = lambda: list(Device.objects.values_list("name", "model", "parent_id").order_by("pk"))  # noqa: E731
    assert_matrix(
        url=f"/api/v1/devices/{pe.pk}",
        api=True,
        allowed=[users["noc"], users["engineer"]],
        denied=[users["customer"], users["customer_other"], users["am_other"], users["director_hn"]],
    )
    assert_matrix(
        url=f"/api/v1/devices/{pe.pk}",
        api=True,
        method="patch",
        data={"model": "NE40E-X8"},
        state=state,
        allowed=[users["engineer"]],
        denied=[users["customer"], users["am"], users["finance"], users["director_hn"]],
    )
    assert_matrix(
        url=f"/api/v1/devices/{pe.pk}/impact",
        api=True,
        allowed=[users["noc"]],
        denied=[users["customer_other"], users["director_hn"]],
    )
    assert_matrix(
        url=f"/api/v1/devices/{pe.pk}/neighbourhood", api=True, allowed=[users["noc"]], denied=[users["customer_other"]]
    )
    assert_matrix(
        url=f"/api/v1/devices/{pe.pk}/discover",
        api=True,
        method="post",
        state=state,
        allowed=[],
        denied=[users["customer"], users["am"], users["director_hn"], users["finance"]],
    )
    assert_matrix(
        url=f"/api/v1/devices/{pe.pk}",
        api=True,
        method="delete",
        state=state,
        allowed=[users["admin"]],
        allowed_status=(204,),
        denied=[users["customer"], users["am"], users["director_hn"]],
    )


def test_device_rules_via_api(net: dict[str, Any], users: dict[str, Any]) -> None:
    admin = api_client(users["admin"])

    def post(data: dict[str, Any]) -> Any:
        return admin.post("/api/v1/devices", json.dumps(data), content_type="application/json")

    both = post({"name": "x", "pop_id": net["pop_gz"].pk, "site_id": net["hq_site"].pk})
    assert both.status_code == 422 and "site" in both.json()["fields"]
    neither = post({"name": "x", "region_id": "440100"})
    assert neither.status_code == 422 and "site" in neither.json()["fields"]
    dup = post({"name": "x", "pop_id": net["pop_gz"].pk, "mgmt_address": "10.0.0.2"})
    assert dup.status_code == 422 and "mgmt_address" in dup.json()["fields"]
    cycle = admin.patch(
        f"/api/v1/devices/{net['pe_gz'].pk}",
        json.dumps({"parent_id": net["cpe_hq"].pk}),
        content_type="application/json",
    )
    assert (cycle.status_code, cycle.json()["code"]) == (422, "topology_cycle")
    bad_ip = post({"name": "x", "pop_id": net["pop_gz"].pk, "mgmt_address": "not-an-ip"})
    assert bad_ip.status_code == 422


def test_line_crud_and_matrix(net: dict[str, Any], users: dict[str, Any]) -> None:
    l1 = net["l1"]
    state = lambda: list(Line.objects.values_list("circuit_id", "bandwidth_kbps", "monthly_fee").order_by("pk"))  # noqa: E731
    assert_matrix(
        url=f"/api/v1/lines/{l1.pk}",
        api=True,
        allowed=[users["am"], users["noc"], users["customer"], users["engineer"], users["director"]],
        denied=[users["customer_other"], users["am_other"], users["director_hn"]],
    )
    assert_matrix(
        url=f"/api/v1/lines/{l1.pk}",
        api=True,
        method="patch",
        data={"bandwidth_kbps": 200_000},
        state=state,
        allowed=[users["am"]],
        denied=[users["customer"], users["noc"], users["am_other"], users["finance"], users["director_hn"]],
    )
    assert Line.objects.get(pk=l1.pk).bandwidth_kbps == 200_000
    # an engineer (service side) may change the line but not its price
    eng = api_client(users["engineer"])
    r = eng.patch(f"/api/v1/lines/{l1.pk}", json.dumps({"monthly_fee": "1.00"}), content_type="application/json")
    assert r.status_code == 403
    r = eng.patch(f"/api/v1/lines/{l1.pk}", json.dumps({"protection_level": "aa"}), content_type="application/json")
    assert r.status_code == 200 and r.json()["monthly_fee"] is None
    assert Line.objects.get(pk=l1.pk).monthly_fee == 3000
    new = {
        "circuit_id": "GZ-DIA-000999",
        "customer_id": net["hq_site"].customer_id,
        "product": "mpls_vpn",
        "bandwidth_kbps": 20_000,
        "monthly_fee": "1500.00",
    }
    assert_matrix(
        url="/api/v1/lines",
        api=True,
        method="post",
        data=new,
        state=state,
        allowed=[users["am"]],
        allowed_status=(201,),
        denied=[users["customer"], users["am_other"], users["noc"]],
        denied_status=(403, 422),
    )
    created = Line.objects.get(circuit_id="GZ-DIA-000999")
    assert (created.line_type, created.region_id, created.status) == ("mpls_vpn", "440100", "planned")
    assert list(created.endpoints.values_list("end", "role", "interface")) == [
        ("A", "primary", None),
        ("Z", "primary", None),
    ]
    dup = api_client(users["am"]).post("/api/v1/lines", json.dumps(new), content_type="application/json")
    assert dup.status_code == 422 and "circuit_id" in dup.json()["fields"]


def test_endpoints_path_and_impact(net: dict[str, Any], users: dict[str, Any]) -> None:
    l3 = net["l3"]
    eps = _get(users["customer_other"], f"/api/v1/lines/{l3.pk}/endpoints")
    assert [(e["end"], e["device_name"], e["if_name"], e["vlan"], e["location_kind"]) for e in eps] == [
        ("A", "cs-yl-cpe-01", "GE0/0/1", 100, "customer_premises"),
        ("Z", "cs-pe-01", "xgei-1/1/7", 100, "central_office"),
    ]
    path = _get(users["admin"], f"/api/v1/lines/{l3.pk}/path")
    assert [(e["end"], [d["name"] for d in e["devices"]]) for e in path["ends"]] == [
        ("A", ["cs-yl-cpe-01", "cs-pe-01"]),
        ("Z", ["cs-pe-01"]),
    ]
    # bind the hq line's A end on the CPE and its Z end on the PE: path up to the core from each end
    cpe_if = net["cpe_hq"].interfaces.create(if_index=1, if_name="GigabitEthernet0/0/1")
    pe_if = net["pe_gz"].interfaces.create(if_index=1, if_name="GigabitEthernet1/0/1")
    am = api_client(users["engineer"])
    for end, iface in (("A", cpe_if), ("Z", pe_if)):
        r = am.post(
            f"/api/v1/lines/{net['l1'].pk}/endpoints",
            json.dumps({"end": end, "interface_id": iface.pk, "vlan": 200}),
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
    path = _get(users["noc"], f"/api/v1/lines/{net['l1'].pk}/path")
    assert [(e["end"], [d["name"] for d in e["devices"]]) for e in path["ends"]] == [
        ("A", ["gz-hq-cpe-01", "gz-th-acc-01", "gz-th-agg-01", "gz-th-pe-01"]),
        ("Z", ["gz-th-pe-01"]),
    ]
    assert {(link["source"], link["target"], link["kind"]) for link in path["graph"]["links"]} == {
        (str(net["cpe_hq"].pk), str(net["acc_gz"].pk), "uplink"),
        (str(net["acc_gz"].pk), str(net["agg_gz"].pk), "uplink"),
        (str(net["agg_gz"].pk), str(net["pe_gz"].pk), "uplink"),
        (str(net["cpe_hq"].pk), str(net["pe_gz"].pk), "line"),
    }
    # the branch (A2) line also rides the Guangzhou PE: impact ordered by grade, A1 before A2
    branch_if = net["cpe_branch"].interfaces.get(if_index=1)
    LineEndpoint.objects.filter(line=net["l2"], end="A").update(interface=branch_if)
    impact = _get(users["noc"], f"/api/v1/devices/{net['pe_gz'].pk}/impact")
    assert [(c["name"], c["value_grade"], c["grade_rank"]) for c in impact["customers"]] == [
        ("广州示例集团有限公司", "A1", 1),
        ("广州示例集团有限公司深圳分公司", "A2", 2),
    ]
    assert [line["circuit_id"] for line in impact["lines"]] == ["GZ-DIA-000123", "粤穗-MSTP-000007"]
    assert impact["devices_below"] == 4
    hood = _get(users["noc"], f"/api/v1/devices/{net['agg_gz'].pk}/neighbourhood")
    assert (hood["parent_id"], hood["children"], hood["peers"]) == (
        net["pe_gz"].pk,
        [net["acc_gz"].pk],
        [net["cpe_branch"].pk],
    )
    assert_matrix(
        url=f"/api/v1/lines/{l3.pk}/endpoints",
        api=True,
        method="post",
        data={"end": "A", "interface_id": None},
        state=lambda: list(LineEndpoint.objects.values_list("interface_id").order_by("pk")),
        allowed=[users["am_other"]],
        denied=[users["customer_other"], users["noc"], users["am"]],
    )
    assert LineEndpoint.objects.get(line=l3, end="A").interface_id is None


def test_interfaces_api(net: dict[str, Any], users: dict[str, Any]) -> None:
    # another customer's port on the shared PE is not shown to this customer's users
    net["pe_cs"].interfaces.create(if_index=8, if_name="xgei-1/1/8", if_alias="CS-DIA-999999")
    rows = _get(users["customer_other"], "/api/v1/interfaces")["items"]
    assert [(r["if_index"], r["if_name"], r["if_alias"]) for r in rows] == [
        (7, "xgei-1/1/7", "CS-DIA-000001"),
        (1, "GE0/0/1", "CS-DIA-000001"),
    ] or [(r["if_index"], r["if_name"], r["if_alias"]) for r in rows] == [
        (1, "GE0/0/1", "CS-DIA-000001"),
        (7, "xgei-1/1/7", "CS-DIA-000001"),
    ]
    noc = api_client(users["noc"])
    r = noc.post(
        "/api/v1/interfaces",
        json.dumps({"device_id": net["pe_gz"].pk, "if_index": 5, "if_name": "GE1/0/5"}),
        content_type="application/json",
    )
    assert r.status_code == 201
    r2 = noc.post(
        "/api/v1/interfaces", json.dumps({"device_id": net["pe_gz"].pk, "if_index": 5}), content_type="application/json"
    )
    assert r2.status_code == 422
    assert_matrix(
        url=f"/api/v1/interfaces/{net['if_other'].pk}",
        api=True,
        method="patch",
        data={"if_alias": "changed"},
        allowed=[users["admin"]],
        state=lambda: list(net["if_other"].device.interfaces.values_list("if_alias")),
        denied=[users["customer_other"], users["noc"], users["am_other"]],
    )


def test_bad_addresses_are_422_not_500(net: dict[str, Any], users: dict[str, Any]) -> None:
    client = api_client(users["admin"])
    response = client.get("/api/v1/devices", {"mgmt_address": "not-an-ip"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["fields"] == {"mgmt_address": ["Enter a valid IPv4 or IPv6 address."]}
    before = Device.objects.count()
    payload = json.dumps({"address": "no.such.host.invalid"})
    response = client.post(
        "/api/v1/devices/discover", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"address": ["请输入有效的 IPv4 或 IPv6 管理地址。"]}
    assert Device.objects.count() == before


def test_discovering_a_silent_address_is_a_clear_error(net: dict[str, Any], users: dict[str, Any]) -> None:
    from kam.core.errors import ValidationFailed
    from kam.lines.discovery import discover_address

    before = Device.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        discover_address("127.0.0.53", port=9, timeout=0.2, retries=0)
    assert caught.value.code == "agent_unreachable"
    assert caught.value.message.startswith("No SNMP agent answered at 127.0.0.53")
    assert Device.objects.count() == before
