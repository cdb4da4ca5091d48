from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

# Fields only commercial roles see (NOC and engineers get null) and that customer users never see.
COMMERCIAL_FIELDS = ("credit_status", "payment_terms", "lifecycle")
INTERNAL_FIELDS = ("value_grade", "uscc_override", "owner_id", "org_unit_id")


def _user(context: Any) -> Any:
    request = (context or {}).get("request")
    return getattr(request, "user", None)


def sees_commercial(user: Any) -> bool:
    return bool(getattr(user, "sees_commercial", False))


def sees_internal(user: Any) -> bool:
    return user is not None and getattr(user, "role", None) != "customer"


class CustomerOut(Schema):
    id: int
    name: str
    short_name: str
    uscc: str
    uscc_override: str | None = None
    customer_type: str
    value_grade: str | None = None
    service_level: str
    industry_id: str | None
    industry_section_id: str | None
    industry_line_id: str | None
    region_id: str
    address: str
    lifecycle: str | None = None
    credit_status: str | None = None
    payment_terms: str | None = None
    parent_id: int | None
    depth: int
    org_unit_id: int | None = None
    owner_id: int | None = None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_uscc_override(obj: Any, context: Any) -> str | None:
        return obj.uscc_override if sees_internal(_user(context)) else None

    @staticmethod
    def resolve_value_grade(obj: Any, context: Any) -> str | None:
        return obj.value_grade if sees_internal(_user(context)) else None

    @staticmethod
    def resolve_org_unit_id(obj: Any, context: Any) -> int | None:
        return obj.org_unit_id if sees_internal(_user(context)) else None

    @staticmethod
    def resolve_owner_id(obj: Any, context: Any) -> int | None:
        return obj.owner_id if sees_internal(_user(context)) else None

    @staticmethod
    def resolve_lifecycle(obj: Any, context: Any) -> str | None:
        return obj.lifecycle if sees_commercial(_user(context)) else None

    @staticmethod
    def resolve_credit_status(obj: Any, context: Any) -> str | None:
        return obj.credit_status if sees_commercial(_user(context)) else None

    @staticmethod
    def resolve_payment_terms(obj: Any, context: Any) -> str | None:
        return obj.payment_terms if sees_commercial(_user(context)) else None


class CustomerCreate(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    short_name: str = Field("", max_length=100)
    uscc: str = Field("", max_length=40)
    uscc_override: str = Field("", max_length=300, description="Required when the code fails its check digit.")
    customer_type: str = "economic"
    value_grade: str = "C"
    service_level: str | None = Field(None, description="Defaults to the grade's tier policy.")
    industry_id: str | None = None
    industry_line_id: str | None = None
    region_id: str = Field(..., max_length=6)
    address: str = Field("", max_length=300)
    lifecycle: str = "active"
    credit_status: str = "normal"
    payment_terms: str = "monthly"
    parent_id: int | None = None
    org_unit_id: int | None = None
    owner_id: int | None = None
    allow_duplicate_name: bool = False


class CustomerUpdate(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    short_name: str | None = Field(None, max_length=100)
    uscc: str | None = Field(None, max_length=40)
    uscc_override: str | None = Field(None, max_length=300)
    customer_type: str | None = None
    value_grade: str | None = None
    service_level: str | None = None
    industry_id: str | None = None
    industry_line_id: str | None = None
    region_id: str | None = Field(None, max_length=6)
    address: str | None = Field(None, max_length=300)
    lifecycle: str | None = None
    credit_status: str | None = None
    payment_terms: str | None = None
    parent_id: int | None = None
    org_unit_id: int | None = None
    owner_id: int | None = None
    allow_duplicate_name: bool = False


class MoveIn(Schema):
    parent_id: int | None = Field(None, description="The new parent; null makes the customer a group HQ.")


class TreeNodeOut(Schema):
    id: int
    name: str
    short_name: str
    value_grade: str | None
    region_id: str
    depth: int
    rollup: dict[str, int]
    children: list[TreeNodeOut]


TreeNodeOut.model_rebuild()


class RollupOut(Schema):
    customer_id: int
    values: dict[str, int]
    labels: dict[str, str]


class TeamMemberIn(Schema):
    user_id: int
    role: str
    region_id: str | None = None
    credit_share: Decimal | None = Field(None, ge=0, le=100)


class TeamIn(Schema):
    members: list[TeamMemberIn]


class TeamMemberOut(Schema):
    id: int
    user_id: int
    user_name: str
    role: str
    region_id: str | None
    credit_share: Decimal

    @staticmethod
    def resolve_user_name(obj: Any) -> str:
        return str(obj.user)


class SiteIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: str = "premises"
    address: str = Field(..., min_length=1, max_length=300)
    region_id: str = Field(..., max_length=6)
    phone: str = Field("", max_length=32)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


class SiteCreate(SiteIn):
    customer_id: int


class SiteUpdate(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: str | None = None
    address: str | None = Field(None, min_length=1, max_length=300)
    region_id: str | None = Field(None, max_length=6)
    phone: str | None = Field(None, max_length=32)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


class SiteOut(Schema):
    id: int
    customer_id: int
    name: str
    kind: str
    address: str
    region_id: str
    phone: str
    latitude: Decimal | None
    longitude: Decimal | None


class TierPolicyOut(Schema):
    id: int
    grade: str
    label: str
    rank: int
    visit_cadence_days: int
    default_service_level: str
    report_granularity: str
    ack_minutes: int
    update_interval_minutes: int
    written_report_hours: int
    discount_authority_pct: Decimal
    notes: str


class TierPolicyIn(Schema):
    grade: str = Field(..., min_length=1, max_length=8)
    label: str = Field(..., min_length=1, max_length=100)
    rank: int = Field(0, ge=0, le=32767)
    visit_cadence_days: int = Field(90, ge=1, le=3650)
    default_service_level: str = "standard"
    report_granularity: Literal["daily", "weekly", "monthly"] = "monthly"
    ack_minutes: int = Field(120, ge=0, le=100000)
    update_interval_minutes: int = Field(240, ge=0, le=100000)
    written_report_hours: int = Field(72, ge=0, le=100000)
    discount_authority_pct: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)
    notes: str = ""


class TierPolicyUpdate(Schema):
    label: str | None = Field(None, min_length=1, max_length=100)
    rank: int | None = Field(None, ge=0, le=32767)
    visit_cadence_days: int | None = Field(None, ge=1, le=3650)
    default_service_level: str | None = None
    report_granularity: Literal["daily", "weekly", "monthly"] | None = None
    ack_minutes: int | None = Field(None, ge=0, le=100000)
    update_interval_minutes: int | None = Field(None, ge=0, le=100000)
    written_report_hours: int | None = Field(None, ge=0, le=100000)
    discount_authority_pct: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    notes: str | None = None


class GradeChangeIn(Schema):
    customer_id: int
    to_grade: str = Field(..., min_length=1, max_length=8)
    reason: str = Field(..., max_length=2000)


class DecisionIn(Schema):
    note: str = Field("", max_length=2000)


class GradeChangeOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    from_grade: str
    to_grade: str
    reason: str
    requested_by_id: int | None
    status: str
    decided_by_id: int | None
    decided_at: datetime | None
    decision_note: str
    created_at: datetime

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return obj.customer.name


class ImportResult(Schema):
    kind: str
    rows: int
