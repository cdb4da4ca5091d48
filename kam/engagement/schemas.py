"""API schemas: ``XCreate``, ``XUpdate``, ``XOut`` per resource (field names are the models' own)."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from kam.engagement.choices import (
    ActionStatus,
    FeedbackKind,
    PlanStage,
    PresenceSource,
    SwotKind,
    VisitChannel,
)

# --- visits ---------------------------------------------------------------------------------------------


class SightingOut(Schema):
    competitor_id: int
    competitor_name: str = Field(..., alias="competitor.name")
    note: str


class VisitOut(Schema):
    id: int
    customer_id: int
    channel: str
    status: str
    planned_at: datetime | None
    occurred_at: datetime | None
    purpose: str
    summary: str
    outcomes: str
    next_step: str
    next_step_due: date | None
    next_step_owner_id: int | None
    next_step_done: bool
    our_participant_ids: list[int]
    contact_ids: list[int]
    sightings: list[SightingOut]
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_our_participant_ids(obj: Any) -> list[int]:
        return sorted(u.pk for u in obj.our_participants.all())

    @staticmethod
    def resolve_contact_ids(obj: Any) -> list[int]:
        return sorted(c.pk for c in obj.their_participants.all())

    @staticmethod
    def resolve_sightings(obj: Any) -> list[Any]:
        return list(obj.sightings.all())


class AttitudeUpdateIn(Schema):
    contact_id: int
    score: int
    evidence: str = Field("", max_length=2000)


class SightingIn(Schema):
    competitor_id: int
    note: str = Field("", max_length=500)


class VisitCreate(Schema):
    """A planned visit (``status="planned"``, needs ``planned_at``) or one that took place (``"done"``)."""

    customer_id: int
    status: str = Field("planned", pattern="^(planned|done)$")
    channel: VisitChannel = VisitChannel.FACE_TO_FACE
    planned_at: datetime | None = None
    occurred_at: datetime | None = None
    purpose: str = Field(..., min_length=1, max_length=300)
    summary: str = ""
    outcomes: str = ""
    next_step: str = Field("", max_length=300)
    next_step_due: date | None = None
    next_step_owner_id: int | None = None
    our_participant_ids: list[int] = []
    contact_ids: list[int] = []
    attitude_updates: list[AttitudeUpdateIn] = []
    competitor_sightings: list[SightingIn] = []


class VisitRecord(Schema):
    """The outcome of a planned visit."""

    channel: VisitChannel | None = None
    occurred_at: datetime
    purpose: str | None = Field(None, min_length=1, max_length=300)
    summary: str = ""
    outcomes: str = ""
    next_step: str = Field("", max_length=300)
    next_step_due: date | None = None
    next_step_owner_id: int | None = None
    our_participant_ids: list[int] | None = None
    contact_ids: list[int] | None = None
    attitude_updates: list[AttitudeUpdateIn] = []
    competitor_sightings: list[SightingIn] = []


class VisitUpdate(Schema):
    channel: VisitChannel | None = None
    planned_at: datetime | None = None
    occurred_at: datetime | None = None
    purpose: str | None = Field(None, min_length=1, max_length=300)
    summary: str | None = None
    outcomes: str | None = None
    next_step: str | None = Field(None, max_length=300)
    next_step_due: date | None = None
    next_step_owner_id: int | None = None
    next_step_done: bool | None = None
    our_participant_ids: list[int] | None = None
    contact_ids: list[int] | None = None


class OverdueOut(Schema):
    customer_id: int = Field(..., alias="pk")
    name: str
    short_name: str
    value_grade: str
    last_visit_at: datetime | None
    cadence_days: int
    days_since_last_visit: int | None


# --- competitors ----------------------------------------------------------------------------------------


class CompetitorOut(Schema):
    id: int
    name: str
    notes: str
    created_at: datetime
    updated_at: datetime


class CompetitorCreate(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    notes: str = ""


class CompetitorUpdate(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    notes: str | None = None


class PresenceOut(Schema):
    id: int
    customer_id: int
    competitor_id: int
    competitor_name: str = Field(..., alias="competitor.name")
    products: str
    estimated_annual_spend: Decimal | None
    contract_end: date | None
    strength: int
    last_seen: date | None
    source: str
    notes: str
    created_at: datetime
    updated_at: datetime


class PresenceCreate(Schema):
    customer_id: int
    competitor_id: int
    products: str = Field("", max_length=300)
    estimated_annual_spend: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    contract_end: date | None = None
    strength: int = Field(3, ge=1, le=5)
    last_seen: date | None = None
    source: PresenceSource = PresenceSource.OTHER
    notes: str = ""


class PresenceUpdate(Schema):
    products: str | None = Field(None, max_length=300)
    estimated_annual_spend: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    contract_end: date | None = None
    strength: int | None = Field(None, ge=1, le=5)
    last_seen: date | None = None
    source: PresenceSource | None = None
    notes: str | None = None


# --- account plans --------------------------------------------------------------------------------------


class SwotOut(Schema):
    id: int
    kind: str
    text: str
    position: int


class SwotIn(Schema):
    kind: SwotKind
    text: str = Field(..., min_length=1, max_length=500)
    position: int = Field(0, ge=0, le=32767)


class SwotUpdate(Schema):
    kind: SwotKind | None = None
    text: str | None = Field(None, min_length=1, max_length=500)
    position: int | None = Field(None, ge=0, le=32767)


class ActionOut(Schema):
    id: int
    text: str
    owner_id: int | None
    due_date: date | None
    status: str


class ActionIn(Schema):
    text: str = Field(..., min_length=1, max_length=500)
    owner_id: int | None = None
    due_date: date | None = None


class ActionUpdate(Schema):
    text: str | None = Field(None, min_length=1, max_length=500)
    owner_id: int | None = None
    due_date: date | None = None
    status: ActionStatus | None = None


class ReviewOut(Schema):
    id: int
    date: dt.date
    event: str
    what_happened: str
    lessons: str


class ReviewIn(Schema):
    date: dt.date
    event: str = Field(..., min_length=1, max_length=300)
    what_happened: str = ""
    lessons: str = ""


class ReviewUpdate(Schema):
    date: dt.date | None = None
    event: str | None = Field(None, min_length=1, max_length=300)
    what_happened: str | None = None
    lessons: str | None = None


class AccountPlanOut(Schema):
    id: int
    customer_id: int
    year: int
    stage: str
    revenue_goal: Decimal
    share_of_wallet_goal: Decimal
    strategy: str
    status: str
    submitted_at: datetime | None
    submitted_by_id: int | None
    decided_at: datetime | None
    decided_by_id: int | None
    return_note: str
    swot: list[SwotOut]
    actions: list[ActionOut]
    reviews: list[ReviewOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_swot(obj: Any) -> list[Any]:
        return list(obj.swot.all())

    @staticmethod
    def resolve_actions(obj: Any) -> list[Any]:
        return list(obj.actions.all())

    @staticmethod
    def resolve_reviews(obj: Any) -> list[Any]:
        return list(obj.reviews.all())


class AccountPlanCreate(Schema):
    customer_id: int
    year: int = Field(..., ge=2000, le=2100)
    stage: PlanStage = PlanStage.START
    revenue_goal: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    share_of_wallet_goal: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)
    strategy: str = ""


class AccountPlanUpdate(Schema):
    stage: PlanStage | None = None
    revenue_goal: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    share_of_wallet_goal: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    strategy: str | None = None


class ReturnIn(Schema):
    note: str = Field(..., min_length=1, max_length=2000)


# --- feedback -------------------------------------------------------------------------------------------


class FeedbackOut(Schema):
    id: int
    customer_id: int
    kind: str
    title: str
    description: str
    contact_id: int | None
    status: str
    collected_at: datetime
    collected_by_id: int | None
    responsible_id: int | None
    routed_at: datetime | None
    decision: str
    decided_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class FeedbackCreate(Schema):
    customer_id: int
    kind: FeedbackKind
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    contact_id: int | None = None
    collected_at: datetime | None = None


class FeedbackUpdate(Schema):
    kind: FeedbackKind | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    contact_id: int | None = None


class RouteIn(Schema):
    responsible_id: int


class DecideIn(Schema):
    decision: str = Field(..., min_length=1, max_length=5000)


class TurnaroundRowOut(Schema):
    kind: str
    label: str
    collected: int
    decided: int
    closed: int
    open: int
    decided_median_s: float | None
    decided_p90_s: float | None
    closed_median_s: float | None
    closed_p90_s: float | None


class TurnaroundOut(Schema):
    date_from: date
    date_to: date
    rows: list[TurnaroundRowOut]
