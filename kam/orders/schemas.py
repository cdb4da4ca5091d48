"""API schemas of work orders, templates and time-limit policies (field names are the models' own)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from kam.lines.choices import Product, ProtectionLevel
from kam.orders.choices import ResourceAvailability, Stage, WorkOrderKind


class AssignmentOut(Schema):
    stage: str
    team_name: str
    user_id: int | None
    lead_id: int | None


class StageOut(Schema):
    stage: str
    seq: int
    skipped: bool
    allotted_seconds: int
    extension_seconds: int
    paused_seconds: int
    started_at: datetime | None
    deadline: datetime | None
    finished_at: datetime | None
    late: bool
    jeopardy: str
    escalation_rung: int | None
    assignee_id: int | None
    team_name: str


class PauseOut(Schema):
    id: int
    stage: str
    reason: str
    customer_caused: bool
    started_at: datetime
    ended_at: datetime | None
    working_seconds: int


class ExtensionOut(Schema):
    id: int
    order_id: int
    stage: str
    reason: str
    extra_seconds: int
    old_deadline: datetime
    new_deadline: datetime
    requested_at: datetime
    requested_by_id: int | None
    status: str
    decided_by_id: int | None
    decided_at: datetime | None
    decision_note: str

    @staticmethod
    def resolve_stage(obj: Any) -> str:
        return str(obj.stage.stage)


class EscalationOut(Schema):
    stage: str
    rung: int
    jeopardy: str
    reached_at: datetime
    recipient_ids: list[int]

    @staticmethod
    def resolve_recipient_ids(obj: Any) -> list[int]:
        return sorted(u.pk for u in obj.recipients.all())


class WorkOrderOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    stage: str
    customer_id: int
    line_id: int | None
    product: str
    bandwidth_kbps: int | None
    protection_level: str
    a_address: str
    z_address: str
    a_site_id: int | None
    z_site_id: int | None
    desired_date: date | None
    contact_id: int | None
    resource_availability: str
    requirement: str
    region_code: str = Field(..., alias="region_id")
    account_manager_id: int | None
    created_by_id: int | None
    parent_id: int | None
    template_id: int | None
    policy_id: int | None
    calendar_code: str | None
    started_at: datetime | None
    due_at: datetime | None
    allotted_seconds: int
    paused_seconds: int
    jeopardy: str
    escalation_rung: int | None
    counted_late: bool
    completed_at: datetime | None
    acceptance_contact_id: int | None
    accepted_at: datetime | None
    acceptance_note: str
    test_override_reason: str
    working_seconds_used: int | None
    on_time: bool | None
    cancelled_at: datetime | None
    cancel_reason: str
    child_ids: list[int]
    test_ids: list[int]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_calendar_code(obj: Any) -> str | None:
        return obj.calendar.code if obj.calendar_id else None

    @staticmethod
    def resolve_child_ids(obj: Any) -> list[int]:
        return sorted(c.pk for c in obj.children.all())

    @staticmethod
    def resolve_test_ids(obj: Any) -> list[int]:
        return sorted(link.test_id for link in obj.test_links.all())


class WorkOrderDetailOut(WorkOrderOut):
    assignments: list[AssignmentOut]
    stages: list[StageOut]
    pauses: list[PauseOut]
    extensions: list[ExtensionOut]
    escalations: list[EscalationOut]

    @staticmethod
    def resolve_assignments(obj: Any) -> list[Any]:
        return list(obj.assignments.all())

    @staticmethod
    def resolve_stages(obj: Any) -> list[Any]:
        return list(obj.stages.order_by("seq"))

    @staticmethod
    def resolve_pauses(obj: Any) -> list[Any]:
        return list(obj.pauses.all())

    @staticmethod
    def resolve_extensions(obj: Any) -> list[Any]:
        return list(obj.extensions.select_related("stage"))

    @staticmethod
    def resolve_escalations(obj: Any) -> list[Any]:
        return list(obj.escalations.prefetch_related("recipients"))


class WorkOrderCreate(Schema):
    """The requirement form (需求单). A template prefills kind, product, bandwidth, protection and teams."""

    customer_id: int
    kind: WorkOrderKind = WorkOrderKind.NEW
    template_id: int | None = None
    line_id: int | None = None
    product: Product | None = None
    bandwidth_kbps: int | None = Field(None, ge=1, le=10**12)
    protection_level: ProtectionLevel | None = None
    a_address: str = Field("", max_length=300)
    z_address: str = Field("", max_length=300)
    a_site_id: int | None = None
    z_site_id: int | None = None
    desired_date: date | None = None
    contact_id: int | None = None
    resource_availability: ResourceAvailability | None = None
    requirement: str = Field("", max_length=5000)
    account_manager_id: int | None = None


class WorkOrderUpdate(Schema):
    kind: WorkOrderKind | None = None
    line_id: int | None = None
    product: Product | None = None
    bandwidth_kbps: int | None = Field(None, ge=1, le=10**12)
    protection_level: ProtectionLevel | None = None
    a_address: str | None = Field(None, max_length=300)
    z_address: str | None = Field(None, max_length=300)
    a_site_id: int | None = None
    z_site_id: int | None = None
    desired_date: date | None = None
    contact_id: int | None = None
    resource_availability: ResourceAvailability | None = None
    requirement: str | None = Field(None, max_length=5000)
    account_manager_id: int | None = None


class AssignmentIn(Schema):
    stage: Stage
    team_name: str = Field("", max_length=100)
    user_id: int | None = None
    lead_id: int | None = None


class DispatchIn(Schema):
    """The dispatch form (调度单): a team and/or a person per stage."""

    assignments: list[AssignmentIn] = Field(default_factory=list, max_length=20)


class AdvanceIn(Schema):
    note: str = Field("", max_length=2000)


class PauseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)
    customer_caused: bool = True


class ExtensionIn(Schema):
    """Either ``extra_hours`` (working hours) or ``new_deadline``; only before the stage's deadline."""

    stage: Stage | None = None
    extra_hours: Decimal | None = Field(None, gt=0, le=1000)
    new_deadline: datetime | None = None
    reason: str = Field(..., min_length=1, max_length=2000)


class DecisionIn(Schema):
    note: str = Field("", max_length=300)


class CompleteIn(Schema):
    """The completion form (竣工单)."""

    acceptance_contact_id: int
    accepted_at: datetime | None = None
    test_ids: list[int] = Field(default_factory=list, max_length=50)
    override_reason: str = Field("", max_length=300)
    note: str = Field("", max_length=2000)


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class ChildIn(Schema):
    region_code: str = Field(..., min_length=2, max_length=12)
    team_name: str = Field("", max_length=100)
    user_id: int | None = None
    lead_id: int | None = None
    customer_id: int | None = None


class SplitIn(Schema):
    children: list[ChildIn] = Field(..., min_length=1, max_length=50)


class TestLinkOut(Schema):
    test_id: int
    stage: str
    passed: bool | None = Field(None, alias="test.passed")
    started_at: datetime = Field(..., alias="test.started_at")
    results: dict[str, Any] = Field(default_factory=dict, alias="test.results")


# --- templates and policies -----------------------------------------------------------------------------


class TemplateOut(Schema):
    id: int
    name: str
    kind: str
    product: str
    bandwidth_kbps: int | None
    protection_level: str
    resource_availability: str
    default_assignments: list[dict[str, Any]]
    description: str
    active: bool


class TemplateAssignmentIn(Schema):
    stage: Stage
    team_name: str = Field("", max_length=100)
    user_id: int | None = None
    lead_id: int | None = None


class TemplateIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: WorkOrderKind = WorkOrderKind.NEW
    product: Product | None = None
    bandwidth_kbps: int | None = Field(None, ge=1, le=10**12)
    protection_level: ProtectionLevel | None = None
    resource_availability: ResourceAvailability | None = None
    default_assignments: list[TemplateAssignmentIn] = Field(default_factory=list, max_length=20)
    description: str = Field("", max_length=2000)
    active: bool = True


class TemplateUpdate(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: WorkOrderKind | None = None
    product: Product | None = None
    bandwidth_kbps: int | None = Field(None, ge=1, le=10**12)
    protection_level: ProtectionLevel | None = None
    resource_availability: ResourceAvailability | None = None
    default_assignments: list[TemplateAssignmentIn] | None = Field(None, max_length=20)
    description: str | None = Field(None, max_length=2000)
    active: bool | None = None


class PolicyOut(Schema):
    id: int
    name: str
    product: str
    protection_level: str
    resource_availability: str
    calendar_code: str | None
    stage_hours: dict[str, Decimal]
    total_hours: Decimal | None
    at_risk_ratio: Decimal
    escalation_step_hours: Decimal
    active: bool

    @staticmethod
    def resolve_calendar_code(obj: Any) -> str | None:
        return obj.calendar.code if obj.calendar_id else None

    @staticmethod
    def resolve_stage_hours(obj: Any) -> dict[str, Decimal]:
        return {k: Decimal(str(v)) for k, v in (obj.stage_hours or {}).items()}


class PolicyIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    product: Product | None = None
    protection_level: ProtectionLevel | None = None
    resource_availability: ResourceAvailability | None = None
    calendar_code: str | None = Field(None, max_length=32)
    stage_hours: dict[Stage, Decimal] = Field(default_factory=dict)
    total_hours: Decimal | None = Field(None, ge=0, le=100000)
    at_risk_ratio: Decimal = Field(Decimal("0.75"), gt=0, le=1)
    escalation_step_hours: Decimal = Field(Decimal("4"), ge=Decimal("0.1"), le=10000)
    active: bool = True


class PolicyUpdate(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    product: Product | None = None
    protection_level: ProtectionLevel | None = None
    resource_availability: ResourceAvailability | None = None
    calendar_code: str | None = Field(None, max_length=32)
    stage_hours: dict[Stage, Decimal] | None = None
    total_hours: Decimal | None = Field(None, ge=0, le=100000)
    at_risk_ratio: Decimal | None = Field(None, gt=0, le=1)
    escalation_step_hours: Decimal | None = Field(None, ge=Decimal("0.1"), le=10000)
    active: bool | None = None


# --- timeliness -----------------------------------------------------------------------------------------


class TimelinessRowOut(Schema):
    key: str
    label: str
    total: int
    on_time: int
    late: int
    on_time_rate: float | None
    average_days: float | None
    late_orders_url: str


class TimelinessOut(Schema):
    group_by: str
    rows: list[TimelinessRowOut]
    total: TimelinessRowOut
