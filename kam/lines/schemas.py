"""API schemas of the lines app. SNMP secrets are write-only: no output schema has a field for them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

SnmpVersionIn = Literal["v1", "v2c", "v3"]


def _user(context: Any) -> Any:
    request = (context or {}).get("request")
    return getattr(request, "user", None)


def sees_commercial(user: Any) -> bool:
    return bool(getattr(user, "sees_commercial", False))


# --- points of presence -----------------------------------------------------------------------------------


class PopOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    region_id: str
    address: str


class PopCreate(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=200)
    kind: Literal["pop", "central_office", "data_centre"] = "central_office"
    region_id: str = Field(..., max_length=6)
    address: str = Field("", max_length=300)


class PopUpdate(Schema):
    code: str | None = Field(None, min_length=1, max_length=32)
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: Literal["pop", "central_office", "data_centre"] | None = None
    region_id: str | None = Field(None, max_length=6)
    address: str | None = Field(None, max_length=300)


# --- devices ----------------------------------------------------------------------------------------------


class DeviceOut(Schema):
    id: int
    name: str
    role: str
    vendor: str
    model: str
    mgmt_address: str | None
    sys_name: str
    location_kind: str
    site_id: int | None
    pop_id: int | None
    parent_id: int | None
    region_id: str
    status: str
    snmp_version: str
    snmp_port: int
    has_snmp_credentials: bool
    last_discovered_at: datetime | None
    created_at: datetime
    updated_at: datetime


_DEVICE_ROLE = Literal["pe", "aggregation", "access", "cpe"]
_VENDOR = Literal["huawei", "h3c", "zte", "cisco", "raisecom", "juniper", "other"]
_DEVICE_STATUS = Literal["planned", "active", "unreachable", "retired"]
_AUTH = Literal["", "md5", "sha", "sha256"]
_PRIV = Literal["", "des", "aes", "aes256"]


class DeviceSecretsIn(Schema):
    snmp_community: str | None = Field(None, max_length=200, description="Write-only; never returned.")
    snmp_v3_user: str | None = Field(None, max_length=200, description="Write-only; never returned.")
    snmp_auth_protocol: _AUTH | None = None
    snmp_auth_key: str | None = Field(None, max_length=200, description="Write-only; never returned.")
    snmp_priv_protocol: _PRIV | None = None
    snmp_priv_key: str | None = Field(None, max_length=200, description="Write-only; never returned.")


class DeviceCreate(DeviceSecretsIn):
    name: str = Field(..., min_length=1, max_length=100)
    role: _DEVICE_ROLE = "access"
    vendor: _VENDOR = "huawei"
    model: str = Field("", max_length=100)
    mgmt_address: str | None = Field(None, max_length=45)
    sys_name: str = Field("", max_length=255)
    site_id: int | None = Field(None, description="A customer site (CPE); exactly one of site_id and pop_id.")
    pop_id: int | None = Field(None, description="One of our points of presence.")
    parent_id: int | None = None
    region_id: str | None = Field(None, max_length=6, description="Defaults to the site's or PoP's region.")
    status: _DEVICE_STATUS = "active"
    snmp_version: SnmpVersionIn = "v2c"
    snmp_port: int = Field(161, ge=1, le=65535)
    discover: bool = Field(False, description="Queue an SNMP discovery once the device is saved.")


class DeviceUpdate(DeviceSecretsIn):
    name: str | None = Field(None, min_length=1, max_length=100)
    role: _DEVICE_ROLE | None = None
    vendor: _VENDOR | None = None
    model: str | None = Field(None, max_length=100)
    mgmt_address: str | None = Field(None, max_length=45)
    sys_name: str | None = Field(None, max_length=255)
    site_id: int | None = None
    pop_id: int | None = None
    parent_id: int | None = None
    region_id: str | None = Field(None, max_length=6)
    status: _DEVICE_STATUS | None = None
    snmp_version: SnmpVersionIn | None = None
    snmp_port: int | None = Field(None, ge=1, le=65535)


class DiscoverAddressIn(Schema):
    address: str = Field(..., max_length=45)
    community: str = Field("public", max_length=200, description="Write-only; stored encrypted.")
    version: Literal["v1", "v2c"] = "v2c"
    port: int = Field(161, ge=1, le=65535)


class DiscoveryRunOut(Schema):
    id: int
    device_id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    interfaces_found: int
    endpoints_bound: int
    proposals_made: int
    error: str


class ProposalOut(Schema):
    id: int
    device_id: int
    interface_id: int
    if_index: int
    if_name: str
    if_alias: str
    line_id: int | None
    circuit_id: str | None
    end: str
    reason: str
    status: str
    decided_at: datetime | None

    @staticmethod
    def resolve_if_index(obj: Any) -> int:
        return int(obj.interface.if_index)

    @staticmethod
    def resolve_if_name(obj: Any) -> str:
        return str(obj.interface.if_name)

    @staticmethod
    def resolve_if_alias(obj: Any) -> str:
        return str(obj.interface.if_alias)

    @staticmethod
    def resolve_circuit_id(obj: Any) -> str | None:
        return obj.line.circuit_id if obj.line_id else None


class ProposalConfirmIn(Schema):
    line_id: int | None = Field(None, description="The line the port carries; defaults to the suggestion.")
    end: Literal["A", "Z"] | None = None


# --- interfaces -------------------------------------------------------------------------------------------

_IF_STATUS = Literal["up", "down", "testing", "unknown", "dormant", "not_present", "lower_layer_down"]


class InterfaceOut(Schema):
    id: int
    device_id: int
    if_index: int
    if_name: str
    if_alias: str
    speed_kbps: int | None
    admin_status: str
    oper_status: str
    last_change: datetime | None


class InterfaceCreate(Schema):
    device_id: int
    if_index: int = Field(..., ge=1, le=2_147_483_647)
    if_name: str = Field("", max_length=255)
    if_alias: str = Field("", max_length=255)
    speed_kbps: int | None = Field(None, ge=0, le=9_000_000_000_000)
    admin_status: _IF_STATUS = "unknown"
    oper_status: _IF_STATUS = "unknown"


class InterfaceUpdate(Schema):
    if_name: str | None = Field(None, max_length=255)
    if_alias: str | None = Field(None, max_length=255)
    speed_kbps: int | None = Field(None, ge=0, le=9_000_000_000_000)
    admin_status: _IF_STATUS | None = None
    oper_status: _IF_STATUS | None = None


# --- lines ------------------------------------------------------------------------------------------------

_PRODUCT = Literal["dia", "mpls_vpn", "sdh", "otn", "ptn", "voice_pri", "voice_sip"]
_LINE_TYPE = Literal["dia", "mpls_vpn", "sdh", "otn", "voice"]
_PROTECTION = Literal["aaa", "aa", "a", "normal"]
_LINE_STATUS = Literal["planned", "provisioning", "active", "suspended", "terminated"]


class LineOut(Schema):
    id: int
    circuit_id: str
    customer_id: int
    customer_name: str
    product: str
    line_type: str
    bandwidth_kbps: int
    protection_level: str
    status: str
    monthly_fee: Decimal | None = Field(None, description="Null for callers who do not see commercial data.")
    contract_ref: str | None = Field(None, description="Null for callers who do not see commercial data.")
    activated_at: datetime | None
    terminated_at: datetime | None
    test_address: str | None
    a_site_id: int | None
    z_site_id: int | None
    region_id: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return str(obj.customer.name)

    @staticmethod
    def resolve_monthly_fee(obj: Any, context: Any) -> Decimal | None:
        return obj.monthly_fee if sees_commercial(_user(context)) else None

    @staticmethod
    def resolve_contract_ref(obj: Any, context: Any) -> str | None:
        return obj.contract_ref if sees_commercial(_user(context)) else None


class LineCreate(Schema):
    circuit_id: str = Field(..., min_length=1, max_length=64)
    customer_id: int
    product: _PRODUCT = "dia"
    line_type: _LINE_TYPE | None = Field(None, description="Defaults to the product's type.")
    bandwidth_kbps: int = Field(..., ge=1, le=9_000_000_000)
    protection_level: _PROTECTION = "normal"
    status: Literal["planned", "provisioning"] = "planned"
    monthly_fee: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    contract_ref: str = Field("", max_length=64)
    test_address: str | None = Field(None, max_length=45)
    a_site_id: int | None = None
    z_site_id: int | None = None
    region_id: str | None = Field(None, max_length=6, description="Defaults to the customer's region.")
    notes: str = Field("", max_length=4000)


class LineUpdate(Schema):
    circuit_id: str | None = Field(None, min_length=1, max_length=64)
    product: _PRODUCT | None = None
    line_type: _LINE_TYPE | None = None
    bandwidth_kbps: int | None = Field(None, ge=1, le=9_000_000_000)
    protection_level: _PROTECTION | None = None
    monthly_fee: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    contract_ref: str | None = Field(None, max_length=64)
    test_address: str | None = Field(None, max_length=45)
    a_site_id: int | None = None
    z_site_id: int | None = None
    region_id: str | None = Field(None, max_length=6)
    notes: str | None = Field(None, max_length=4000)


class EndpointOut(Schema):
    id: int
    line_id: int
    end: str
    role: str
    vlan: int | None
    interface_id: int | None
    if_index: int | None
    if_name: str | None
    device_id: int | None
    device_name: str | None
    location_kind: str | None

    @staticmethod
    def resolve_if_index(obj: Any) -> int | None:
        return obj.interface.if_index if obj.interface_id else None

    @staticmethod
    def resolve_if_name(obj: Any) -> str | None:
        return obj.interface.if_name if obj.interface_id else None

    @staticmethod
    def resolve_device_id(obj: Any) -> int | None:
        return obj.interface.device_id if obj.interface_id else None

    @staticmethod
    def resolve_device_name(obj: Any) -> str | None:
        return obj.interface.device.name if obj.interface_id else None

    @staticmethod
    def resolve_location_kind(obj: Any) -> str | None:
        return str(obj.interface.device.location_kind) if obj.interface_id else None


class EndpointIn(Schema):
    end: Literal["A", "Z"]
    role: Literal["primary", "backup"] = "primary"
    interface_id: int | None = Field(None, description="Null takes the end off its port.")
    vlan: int | None = Field(None, ge=1, le=4094)


class PathDeviceOut(Schema):
    id: int
    name: str
    role: str
    location_kind: str
    mgmt_address: str | None
    status: str


class PathEndOut(Schema):
    end: str
    role: str
    vlan: int | None
    interface_id: int | None
    if_name: str | None
    devices: list[PathDeviceOut]


class GraphOut(Schema):
    nodes: list[dict[str, Any]]
    links: list[dict[str, Any]]


class PathOut(Schema):
    line_id: int
    circuit_id: str
    ends: list[PathEndOut]
    graph: GraphOut


class ImpactLineOut(Schema):
    id: int
    circuit_id: str
    customer_id: int
    product: str
    bandwidth_kbps: int
    protection_level: str
    status: str


class ImpactCustomerOut(Schema):
    id: int
    name: str
    value_grade: str | None
    grade_rank: int
    line_ids: list[int]


class ImpactOut(Schema):
    device_id: int
    devices_below: int
    lines: list[ImpactLineOut]
    customers: list[ImpactCustomerOut]


class NeighbourhoodOut(Schema):
    device_id: int
    parent_id: int | None
    children: list[int]
    peers: list[int]
    graph: GraphOut


class CheckOut(Schema):
    passed: bool
    detail: str
    value: Any = None


class ActivationTestOut(Schema):
    id: int
    line_id: int
    started_at: datetime
    finished_at: datetime | None
    passed: bool | None
    results: dict[str, CheckOut]
    run_by_id: int | None


class ImportOut(Schema):
    kind: str
    rows: int
