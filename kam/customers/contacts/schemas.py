"""API schemas of contacts, attitude assessments and the org chart."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from kam.customers.contacts.choices import BuyingRole


def _request_user(context: Any) -> Any:
    request = (context or {}).get("request")
    return getattr(request, "user", None)


def sees_private_notes(user: Any) -> bool:
    return bool(getattr(user, "sees_commercial", False))


def sees_attitudes(user: Any) -> bool:
    return user is not None and getattr(user, "role", None) != "customer"


class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    title: str
    department: str
    phone: str
    mobile: str
    email: str
    reports_to_id: int | None
    buying_role: str
    key_person: bool
    left_company: bool
    left_at: date | None
    relationship_owner_id: int | None
    private_notes: str | None = Field(None, description="null for callers who may not see private notes")
    current_attitude: int | None = Field(None, description="the latest assessment's score; null for customer users")
    current_attitude_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_private_notes(obj: Any, context: Any) -> str | None:
        return obj.private_notes if sees_private_notes(_request_user(context)) else None

    @staticmethod
    def resolve_current_attitude(obj: Any, context: Any) -> int | None:
        return obj.current_attitude if sees_attitudes(_request_user(context)) else None

    @staticmethod
    def resolve_current_attitude_at(obj: Any, context: Any) -> datetime | None:
        return obj.current_attitude_at if sees_attitudes(_request_user(context)) else None


class ContactCreate(Schema):
    customer_id: int
    name: str = Field(..., min_length=1, max_length=100)
    title: str = Field("", max_length=100)
    department: str = Field("", max_length=100)
    phone: str = Field("", max_length=32)
    mobile: str = Field("", max_length=32)
    email: str | None = Field(None, max_length=254)
    reports_to_id: int | None = None
    buying_role: BuyingRole = BuyingRole.USER
    key_person: bool = False
    left_company: bool = False
    left_at: date | None = None
    relationship_owner_id: int | None = None
    private_notes: str = ""


class ContactUpdate(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    title: str | None = Field(None, max_length=100)
    department: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=32)
    mobile: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    reports_to_id: int | None = None
    buying_role: BuyingRole | None = None
    key_person: bool | None = None
    left_company: bool | None = None
    left_at: date | None = None
    relationship_owner_id: int | None = None
    private_notes: str | None = None


class ReportsToIn(Schema):
    reports_to_id: int | None = Field(None, description="the new manager; null makes the contact a root")


class DepartureIn(Schema):
    left_at: date | None = Field(None, description="defaults to today")


class AttitudeIn(Schema):
    score: int = Field(..., description="one of 5, 4, 3, 2, 1, -1, -2, -3, -5, -10")
    evidence: str = Field("", max_length=5000)
    assessed_at: datetime | None = None
    source: str = Field("other", description="visit, call or other")
    visit_id: int | None = Field(None, ge=1)


class AttitudeOut(Schema):
    id: int
    contact_id: int
    score: int
    label: str
    assessed_by_id: int | None
    assessed_by_name: str
    assessed_at: datetime
    evidence: str
    source: str
    visit_id: int | None

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(obj.get_score_display())

    @staticmethod
    def resolve_assessed_by_name(obj: Any) -> str:
        return str(obj.assessed_by) if obj.assessed_by_id else ""


class OrgChartNode(Schema):
    id: int
    name: str
    title: str
    department: str
    customer_id: int
    buying_role: str
    buying_role_label: str
    key_person: bool
    left_company: bool
    attitude: int | None
    attitude_label: str
    colour: str
    reports_to_id: int | None
    url: str
    children: list[OrgChartNode] = []


class LegendItem(Schema):
    score: int | None
    label: str
    colour: str


class ChoiceOut(Schema):
    value: str
    label: str


class OrgChartOut(Schema):
    customer_id: int
    customer_name: str
    editable: bool
    count: int
    legend: list[LegendItem]
    buying_roles: list[ChoiceOut]
    roots: list[OrgChartNode]


OrgChartNode.model_rebuild()
