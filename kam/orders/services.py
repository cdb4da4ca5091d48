"""Every change to work orders: requirement, dispatch, stage clocks, pauses, extensions, escalation,
completion (which activates or changes the line in the same transaction), cancellation and child orders.

Keyword-only, one transaction each, raising domain errors with stable codes (409 on an illegal transition).
``now`` defaults to the current time and is there so that clocks can be tested at exact moments.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.calendars import CalendarSpec, add_working_time, working_seconds_between
from kam.core.errors import Conflict, Forbidden, ValidationFailed
from kam.core.permissions import APPROVE, CHANGE, is_admin_user
from kam.orders.choices import (
    STAGE_ORDER,
    EscalationRung,
    ExtensionStatus,
    Jeopardy,
    ResourceAvailability,
    Stage,
    WorkOrderKind,
    WorkOrderStatus,
)
from kam.orders.models import (
    Escalation,
    ExtensionRequest,
    TimeLimitPolicy,
    WorkOrder,
    WorkOrderAssignment,
    WorkOrderPause,
    WorkOrderStage,
    WorkOrderTemplate,
    WorkOrderTest,
    same_group,
)

ASSIGNED_KIND = "orders.assigned"
ESCALATED_KIND = "orders.escalated"
EXTENSION_REQUESTED_KIND = "orders.extension_requested"
EXTENSION_DECIDED_KIND = "orders.extension_decided"

REQUIREMENT_FIELDS = (
    "kind",
    "customer",
    "line",
    "product",
    "bandwidth_kbps",
    "protection_level",
    "a_address",
    "z_address",
    "a_site",
    "z_site",
    "desired_date",
    "contact",
    "resource_availability",
    "requirement",
    "region",
    "account_manager",
    "template",
)
_TEXT_FIELDS = ("product", "protection_level", "a_address", "z_address", "requirement")
_JEOPARDY_RANK = {Jeopardy.ON_TRACK: 0, Jeopardy.AT_RISK: 1, Jeopardy.LATE: 2}


# --- calendars and policies -------------------------------------------------------------------------------

_spec_cache: dict[tuple[int, Any], CalendarSpec] = {}


def default_calendar() -> Any:
    from kam.core.models import WorkingCalendar

    calendar = (
        WorkingCalendar.objects.filter(code="cn-office").first() or WorkingCalendar.objects.filter(code="24x7").first()
    )
    if calendar is None:  # pragma: no cover - the core migration ships both
        raise Conflict(_("No working calendar is configured."), code="no_calendar")
    return calendar


def calendar_spec(calendar: Any) -> CalendarSpec:
    """The calendar's spec, cached per row version (rebuilding it costs two queries)."""
    key = (calendar.pk, getattr(calendar, "updated_at", None))
    spec = _spec_cache.get(key)
    if spec is None:
        if len(_spec_cache) > 64:
            _spec_cache.clear()
        spec = _spec_cache[key] = calendar.spec()
    return spec


def order_spec(order: WorkOrder) -> CalendarSpec:
    return calendar_spec(order.calendar if order.calendar_id else default_calendar())


def working_day_seconds(spec: CalendarSpec) -> float:
    """Seconds of an average working day of a calendar (7.5 h for cn-office, 24 h for 24x7)."""
    if spec.always:
        return 86_400.0
    days = sum(1 for intervals in spec.weekly.values() if intervals)
    return spec.weekly_working_time.total_seconds() / days if days else 86_400.0


def policy_for(*, product: str, protection_level: str, resource_availability: str) -> TimeLimitPolicy | None:
    """The most specific active policy matching the order (blank policy fields match anything)."""
    candidates = TimeLimitPolicy.objects.filter(
        Q(product="") | Q(product=product or ""),
        Q(protection_level="") | Q(protection_level=protection_level or ""),
        Q(resource_availability="") | Q(resource_availability=resource_availability or ""),
        active=True,
    ).order_by("pk")
    best: TimeLimitPolicy | None = None
    for policy in candidates:
        if best is None or policy.specificity > best.specificity:
            best = policy
    return best


def _hours_to_seconds(hours: Decimal | float | int) -> int:
    return round(Decimal(str(hours)) * 3600)


# --- helpers ----------------------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def may_change(actor: Any, order: WorkOrder) -> bool:
    if actor is None or is_admin_user(actor):
        return True
    return WorkOrder.objects.restrict(actor, CHANGE).filter(pk=order.pk).exists()


def may_approve(actor: Any, order: WorkOrder) -> bool:
    if actor is None or is_admin_user(actor):
        return True
    return WorkOrder.objects.restrict(actor, APPROVE).filter(pk=order.pk).exists()


def is_stage_worker(actor: Any, order: WorkOrder, stage: str | None = None) -> bool:
    """The actor is the assignee or team lead of the stage (the current one by default)."""
    if actor is None or getattr(actor, "pk", None) is None:
        return False
    stage = stage or order.stage
    if WorkOrderStage.objects.filter(order=order, stage=stage, assignee=actor).exists():
        return True
    return WorkOrderAssignment.objects.filter(order=order, stage=stage).filter(Q(user=actor) | Q(lead=actor)).exists()


def may_work(actor: Any, order: WorkOrder, stage: str | None = None) -> bool:
    return may_change(actor, order) or is_stage_worker(actor, order, stage)


def _require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden(_("You are not allowed to do this."))


def _lock(order: WorkOrder) -> WorkOrder:
    return (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("calendar", "customer", "line")
        .get(pk=order.pk)
    )


def _current_stage(order: WorkOrder) -> WorkOrderStage | None:
    return WorkOrderStage.objects.filter(order=order, stage=order.stage).first()


def _not_running(order: WorkOrder) -> Conflict:
    if order.status == WorkOrderStatus.PAUSED:
        return Conflict(_("The order is paused; resume it first."), code="order_paused")
    if order.status == WorkOrderStatus.DRAFT:
        return Conflict(_("The order has not been dispatched yet."), code="order_not_dispatched")
    return Conflict(
        _("The order is %(status)s; nothing can change any more.") % {"status": order.get_status_display()},
        code="order_closed",
    )


def _notify(
    recipients: Iterable[Any], kind: str, title: str, body: str, order: WorkOrder, dedupe_key: str = ""
) -> None:
    users = [u for u in recipients if u is not None]
    if not users:
        return
    from kam.core.notifications import notify

    notify(recipients=users, kind=kind, title=title, body=body, url=order.get_absolute_url(), dedupe_key=dedupe_key)


def directors_for(order: WorkOrder) -> list[Any]:
    from kam.customers.models import Customer
    from kam.identity.models import User

    found = []
    for user in User.objects.filter(role="director", is_active=True).select_related("org_unit"):
        if Customer.objects.restrict(user, APPROVE).filter(pk=order.customer_id).exists():
            found.append(user)
    return found


def _lead_am(customer: Any) -> Any:
    from kam.customers.models import AccountTeamMember

    member = (
        AccountTeamMember.objects.filter(customer=customer, role__in=["lead_am", "local_am"], user__is_active=True)
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    return member.user if member else None


# --- numbers ----------------------------------------------------------------------------------------------


def _next_number(year: int) -> str:
    prefix = f"WO-{year}-"
    last = (
        WorkOrder.objects.filter(number__startswith=prefix, parent__isnull=True)
        .exclude(number__contains="/")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last[len(prefix) : len(prefix) + 6]) + 1 if last and last[len(prefix) : len(prefix) + 6].isdigit() else 1
    return f"{prefix}{seq:06d}"


def _save_new(order: WorkOrder, number: str | None = None, now: datetime | None = None) -> None:
    year = timezone.localtime(now).year if now is not None else timezone.localdate().year
    for _attempt in range(5):
        order.number = number or _next_number(year)
        try:
            with transaction.atomic():
                order.save()
            return
        except IntegrityError:
            if number:
                raise Conflict(_("The order number is taken."), code="number_taken") from None
            order.pk = None
    raise Conflict(_("No free order number; try again."), code="number_taken")  # pragma: no cover


# --- requirement (需求单) ---------------------------------------------------------------------------------


def _apply(order: WorkOrder, data: Mapping[str, Any]) -> None:
    unknown = sorted(set(data) - set(REQUIREMENT_FIELDS))
    if unknown:
        msg = _("Unknown field.")
        raise ValidationFailed(msg, fields={name: [msg] for name in unknown})
    for name, value in data.items():
        if value is None and name in _TEXT_FIELDS:
            value = ""
        setattr(order, name, value)


def _check_requirement(order: WorkOrder, actor: Any) -> None:
    from kam.customers.models import Customer

    if order.customer_id is None:
        raise _invalid("customer", _("Choose the customer."))
    if (
        actor is not None
        and not is_admin_user(actor)
        and not Customer.objects.restrict(actor, CHANGE).filter(pk=order.customer_id).exists()
    ):
        raise Forbidden(_("You may not order for this customer."))
    if order.line_id is not None:
        from kam.lines.models import Line

        if actor is not None and not Line.objects.visible_to(actor).filter(pk=order.line_id).exists():
            raise _invalid("line", _("Line not found."))
        line: Any = order.line
        if order.kind != WorkOrderKind.NEW:
            order.product = order.product or line.product
            order.protection_level = order.protection_level or line.protection_level
    if order.kind == WorkOrderKind.NEW and order.line_id is not None and order.pk is None:
        raise _invalid("line", _("A new-line order creates its line; leave the line empty."))
    if not order.region_id:
        linked: Any = order.line
        order.region_id = linked.region_id if linked is not None else order.customer.region_id
    if order.account_manager_id is None:
        order.account_manager = _lead_am(order.customer) or (
            actor if getattr(actor, "role", None) == "account_manager" else None
        )
    if order.resource_availability not in ResourceAvailability.values:
        raise _invalid("resource_availability", _("Choose whether resources are available."))
    if (
        order.kind == WorkOrderKind.UPGRADE
        and order.line_id
        and order.bandwidth_kbps
        and order.bandwidth_kbps <= getattr(order.line, "bandwidth_kbps", 0)
    ):
        raise _invalid("bandwidth_kbps", _("An upgrade needs more bandwidth than the line has now."))
    _full_clean(order, exclude=["number"])


@transaction.atomic
def create_work_order(
    *, actor: Any, data: Mapping[str, Any], template: WorkOrderTemplate | None = None, now: datetime | None = None
) -> WorkOrder:
    """A new order in ``draft`` (the requirement form); a template prefills what the data leaves out."""
    data = dict(data)
    template = template or data.pop("template", None)
    order = WorkOrder(created_by=actor if getattr(actor, "pk", None) else None)
    if template is not None:
        order.template = template
        order.kind = template.kind
        order.product = template.product
        order.bandwidth_kbps = template.bandwidth_kbps
        order.protection_level = template.protection_level
        if template.resource_availability:
            order.resource_availability = template.resource_availability
    _apply(order, {k: v for k, v in data.items() if not (template is not None and v in (None, ""))})
    _check_requirement(order, actor)
    _save_new(order, now=now)
    if template is not None:
        _template_assignments(order, template)
    return order


def _template_assignments(order: WorkOrder, template: WorkOrderTemplate) -> None:
    from kam.identity.models import User

    for row in template.default_assignments or []:
        stage = row.get("stage")
        if stage not in STAGE_ORDER:
            continue
        user = User.objects.filter(pk=row.get("user_id"), is_active=True).exclude(role="customer").first()
        lead = User.objects.filter(pk=row.get("lead_id"), is_active=True).exclude(role="customer").first()
        WorkOrderAssignment.objects.update_or_create(
            order=order,
            stage=stage,
            defaults={"team_name": str(row.get("team_name") or "")[:100], "user": user, "lead": lead},
        )


@transaction.atomic
def update_work_order(*, order: WorkOrder, actor: Any, data: Mapping[str, Any]) -> WorkOrder:
    """Change the requirement; only while the order is a draft."""
    _require(may_change(actor, order))
    order = _lock(order)
    if order.status != WorkOrderStatus.DRAFT:
        raise Conflict(_("Only a draft order can be edited."), code="order_not_draft")
    data = {k: v for k, v in data.items() if k != "template"}
    if "customer" in data and data["customer"] is not None and data["customer"].pk != order.customer_id:
        raise _invalid("customer_id", _("The customer of an order cannot change."))
    _apply(order, data)
    _check_requirement(order, actor)
    order.save()
    return order


# --- dispatch (调度单) -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentSpec:
    stage: str
    team_name: str = ""
    user: Any = None
    lead: Any = None


def _check_assignments(assignments: Sequence[AssignmentSpec]) -> None:
    seen: set[str] = set()
    for index, spec in enumerate(assignments):
        key = f"assignments.{index}"
        if spec.stage not in STAGE_ORDER:
            raise _invalid(f"{key}.stage", _("Unknown stage: %(stages)s.") % {"stages": spec.stage})
        if spec.stage in seen:
            raise _invalid(f"{key}.stage", _("Each stage is assigned once."))
        seen.add(spec.stage)
        if not (spec.team_name or "").strip() and spec.user is None:
            raise _invalid(f"{key}.team_name", _("Give a team or a person."))
        for who, field in ((spec.user, "user_id"), (spec.lead, "lead_id")):
            if who is not None and (getattr(who, "role", None) == "customer" or not who.is_active):
                raise _invalid(f"{key}.{field}", _("Unknown or inactive user."))


def _start_clocks(order: WorkOrder, now: datetime) -> None:
    policy = policy_for(
        product=order.product,
        protection_level=order.protection_level,
        resource_availability=order.resource_availability,
    )
    from kam.orders.defaults import AVAILABLE_HOURS, CONSTRUCTION_HOURS

    fallback = AVAILABLE_HOURS if order.skips_construction else CONSTRUCTION_HOURS
    calendar = policy.calendar if policy is not None and policy.calendar_id else default_calendar()
    order.policy = policy
    order.calendar = calendar
    spec = calendar_spec(calendar)
    if policy is not None:
        order.at_risk_ratio = policy.at_risk_ratio
        order.escalation_step_seconds = _hours_to_seconds(policy.escalation_step_hours)
        total = policy.order_hours(order.skips_construction)
    else:
        total = sum(
            (v for k, v in fallback.items() if not (order.skips_construction and k == Stage.CONSTRUCTION)), Decimal(0)
        )
    order.allotted_seconds = _hours_to_seconds(total)
    order.started_at = now
    order.due_at = add_working_time(now, order.allotted_seconds, spec)
    order.status = WorkOrderStatus.IN_PROGRESS
    order.stage = order.stage_sequence()[0]
    order.jeopardy = Jeopardy.ON_TRACK
    assignments = {a.stage: a for a in WorkOrderAssignment.objects.filter(order=order)}
    rows = []
    for seq, stage in enumerate(STAGE_ORDER, start=1):
        hours = policy.hours_for(stage) if policy is not None else fallback.get(stage, Decimal(0))
        skipped = order.skips_construction and stage == Stage.CONSTRUCTION
        assignment = assignments.get(stage)
        rows.append(
            WorkOrderStage(
                order=order,
                stage=stage,
                seq=seq,
                skipped=skipped,
                allotted_seconds=0 if skipped else _hours_to_seconds(hours),
                assignee=assignment.user if assignment else None,
                team_name=assignment.team_name if assignment else "",
            )
        )
    WorkOrderStage.objects.filter(order=order).delete()
    for row in rows:
        row.save()
    first = next(r for r in rows if r.stage == order.stage)
    _start_stage(order, first, now, spec)


def _start_stage(order: WorkOrder, row: WorkOrderStage, now: datetime, spec: CalendarSpec) -> None:
    row.started_at = now
    row.deadline = add_working_time(now, row.budget_seconds, spec)
    row.jeopardy = Jeopardy.ON_TRACK
    row.save()
    if row.stage in (Stage.CONFIGURATION, Stage.TESTING) and order.kind == WorkOrderKind.NEW and order.line_id is None:
        ensure_line(order)


@transaction.atomic
def dispatch_work_order(
    *, order: WorkOrder, assignments: Sequence[AssignmentSpec], actor: Any, now: datetime | None = None
) -> WorkOrder:
    """Assign teams and people per stage (the dispatch form). A draft starts: the clocks run from ``now``.
    A running order can be re-dispatched: stages not finished get the new assignees, clocks keep running."""
    _require(may_change(actor, order))
    order = _lock(order)
    if order.status not in (WorkOrderStatus.DRAFT, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.PAUSED):
        raise _not_running(order)
    _check_assignments(assignments)
    now = _now(now)
    for spec in assignments:
        WorkOrderAssignment.objects.update_or_create(
            order=order,
            stage=spec.stage,
            defaults={"team_name": (spec.team_name or "").strip()[:100], "user": spec.user, "lead": spec.lead},
        )
    if order.status == WorkOrderStatus.DRAFT:
        _start_clocks(order, now)
        order.save()
    else:
        for spec in assignments:
            WorkOrderStage.objects.filter(order=order, stage=spec.stage, finished_at__isnull=True).update(
                assignee=spec.user, team_name=(spec.team_name or "").strip()[:100]
            )
    notified = [s.user for s in assignments if s.user is not None and s.user != actor]
    _notify(
        notified,
        ASSIGNED_KIND,
        _("Work order %(number)s assigned to you") % {"number": order.number},
        _("%(customer)s: %(kind)s") % {"customer": order.customer, "kind": order.get_kind_display()},
        order,
    )
    return order


# --- stages -----------------------------------------------------------------------------------------------


@transaction.atomic
def advance_stage(*, order: WorkOrder, actor: Any, note: str = "", now: datetime | None = None) -> WorkOrder:
    """Finish the current stage and start the next one (construction is skipped when resources are there)."""
    order = _lock(order)
    _require(may_work(actor, order))
    if order.status != WorkOrderStatus.IN_PROGRESS:
        raise _not_running(order)
    if order.children.exists():
        raise Conflict(_("A split order advances through its child orders."), code="order_has_children")
    if order.stage == Stage.COMPLETION:
        raise Conflict(_("The last stage ends with the completion form (customer acceptance)."), code="use_completion")
    target = order.next_stage()
    if target is None or not order.can_move_to(target):
        raise Conflict(_("The order cannot move to that stage."), code="illegal_transition")
    now = _now(now)
    spec = order_spec(order)
    current = _current_stage(order)
    if current is not None:
        if current.started_at and now < current.started_at:
            raise _invalid("now", _("A stage cannot end before it started."))
        current.finished_at = now
        current.finished_by = actor if getattr(actor, "pk", None) else None
        current.late = current.late or bool(current.deadline and now > current.deadline)
        current.jeopardy = Jeopardy.LATE if current.late else Jeopardy.ON_TRACK
        current.note = (note or "").strip()
        current.save()
    order.stage = target
    order.jeopardy = Jeopardy.ON_TRACK
    order.escalation_rung = None
    order.save()
    row = WorkOrderStage.objects.get(order=order, stage=target)
    _start_stage(order, row, now, spec)
    return order


def ensure_line(order: WorkOrder) -> Any:
    """The line a new-line order provisions, created (planned, with empty A/Z endpoints) on first need."""
    if order.line_id is not None:
        return order.line
    if order.kind != WorkOrderKind.NEW:
        raise Conflict(_("This order has no line."), code="no_line")
    from kam.lines.services import create_line

    circuit = f"{(order.product or 'line').upper()}-{order.number.removeprefix('WO-')}"
    line = create_line(
        actor=None,
        data={
            "circuit_id": circuit,
            "customer": order.customer,
            "product": order.product,
            "bandwidth_kbps": order.bandwidth_kbps or 1,
            "protection_level": order.protection_level or "normal",
            "status": "provisioning",
            "region": order.region,
            "a_site": order.a_site,
            "z_site": order.z_site,
            "notes": order.number,
        },
    )
    order.line = line
    WorkOrder.objects.filter(pk=order.pk).update(line=line)
    return line


# --- pauses -----------------------------------------------------------------------------------------------


@transaction.atomic
def pause_work_order(
    *, order: WorkOrder, reason: str, customer_caused: bool, actor: Any, now: datetime | None = None
) -> WorkOrderPause:
    """Stop the clocks; when the customer caused it, the paused working time is given back on resume."""
    order = _lock(order)
    _require(may_work(actor, order))
    if order.status != WorkOrderStatus.IN_PROGRESS:
        raise _not_running(order)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Say why the order is paused."))
    now = _now(now)
    pause = WorkOrderPause.objects.create(
        order=order,
        stage=order.stage,
        reason=reason[:300],
        customer_caused=bool(customer_caused),
        started_at=now,
        paused_by=actor if getattr(actor, "pk", None) else None,
    )
    order.status = WorkOrderStatus.PAUSED
    order.save()
    return pause


@transaction.atomic
def resume_work_order(*, order: WorkOrder, actor: Any, now: datetime | None = None) -> WorkOrder:
    """Restart the clocks. A customer-caused pause moves the stage deadline and the order's due time by
    exactly the working time it lasted."""
    order = _lock(order)
    _require(may_work(actor, order))
    if order.status != WorkOrderStatus.PAUSED:
        raise Conflict(_("The order is not paused."), code="order_not_paused")
    pause = WorkOrderPause.objects.filter(order=order, ended_at__isnull=True).first()
    now = _now(now)
    order.status = WorkOrderStatus.IN_PROGRESS
    if pause is not None:
        if now < pause.started_at:
            raise _invalid("now", _("An order cannot resume before it was paused."))
        spec = order_spec(order)
        seconds = round(working_seconds_between(pause.started_at, now, spec))
        pause.ended_at = now
        pause.working_seconds = seconds
        pause.resumed_by = actor if getattr(actor, "pk", None) else None
        pause.save()
        if pause.customer_caused and seconds > 0:
            row = _current_stage(order)
            if row is not None and row.deadline is not None:
                row.paused_seconds += seconds
                row.deadline = add_working_time(row.deadline, seconds, spec)
                row.save()
            order.paused_seconds += seconds
            if order.due_at is not None:
                order.due_at = add_working_time(order.due_at, seconds, spec)
    order.save()
    return order


# --- extensions -------------------------------------------------------------------------------------------


class _TooLate(Exception):
    def __init__(self, stage: WorkOrderStage) -> None:
        self.stage = stage


def request_extension(
    *,
    order: WorkOrder,
    reason: str,
    actor: Any,
    stage: WorkOrderStage | str | None = None,
    new_deadline: datetime | None = None,
    extra_hours: Decimal | float | None = None,
    now: datetime | None = None,
) -> ExtensionRequest:
    """Ask for more time for the running stage. Only before its deadline: a request after it is refused
    (409 ``extension_too_late``) and the order counts as late."""
    try:
        with transaction.atomic():
            return _request_extension(
                order=order,
                reason=reason,
                actor=actor,
                stage=stage,
                new_deadline=new_deadline,
                extra_hours=extra_hours,
                now=_now(now),
            )
    except _TooLate as exc:
        # recorded outside the refused request's transaction: the order stays counted late
        WorkOrderStage.objects.filter(pk=exc.stage.pk).update(late=True, jeopardy=Jeopardy.LATE)
        WorkOrder.objects.filter(pk=order.pk).update(counted_late=True, jeopardy=Jeopardy.LATE)
        raise Conflict(
            _("The deadline has passed; an extension must be asked for before it. The order counts as late."),
            code="extension_too_late",
        ) from None


def _request_extension(
    *,
    order: WorkOrder,
    reason: str,
    actor: Any,
    stage: WorkOrderStage | str | None,
    new_deadline: datetime | None,
    extra_hours: Decimal | float | None,
    now: datetime,
) -> ExtensionRequest:
    order = _lock(order)
    code = stage.stage if isinstance(stage, WorkOrderStage) else (stage or order.stage)
    _require(may_work(actor, order, code))
    if order.status not in (WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.PAUSED):
        raise _not_running(order)
    row = WorkOrderStage.objects.filter(order=order, stage=code).first()
    if row is None or not row.is_current or row.deadline is None:
        raise Conflict(_("Only the running stage can be extended."), code="stage_not_running")
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Say why more time is needed."))
    if (new_deadline is None) == (extra_hours is None):
        raise _invalid("extra_hours", _("Give either a new deadline or extra working hours."))
    if now >= row.deadline:
        raise _TooLate(row)
    if ExtensionRequest.objects.filter(stage=row, status=ExtensionStatus.PENDING).exists():
        raise Conflict(_("An extension of this stage is already waiting for a decision."), code="extension_pending")
    spec = order_spec(order)
    if extra_hours is not None:
        try:
            hours = Decimal(str(extra_hours))
        except Exception:
            hours = Decimal(-1)
        if not hours.is_finite() or hours <= 0 or hours > 1000:
            raise _invalid("extra_hours", _("Extra working hours must be more than 0 and at most 1000."))
        extra = _hours_to_seconds(hours)
        target = add_working_time(row.deadline, extra, spec)
    else:
        assert new_deadline is not None
        if timezone.is_naive(new_deadline):
            new_deadline = timezone.make_aware(new_deadline)
        if new_deadline <= row.deadline:
            raise _invalid("new_deadline", _("The new deadline must be after the current one."))
        extra = round(working_seconds_between(row.deadline, new_deadline, spec))
        if extra <= 0:
            raise _invalid("new_deadline", _("The new deadline adds no working time."))
        target = new_deadline
    request = ExtensionRequest.objects.create(
        order=order,
        stage=row,
        reason=reason,
        extra_seconds=extra,
        old_deadline=row.deadline,
        new_deadline=target,
        requested_at=now,
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    _notify(
        directors_for(order),
        EXTENSION_REQUESTED_KIND,
        _("Extension requested for %(number)s") % {"number": order.number},
        reason,
        order,
    )
    return request


@transaction.atomic
def decide_extension(
    *, request: ExtensionRequest, approve: bool, actor: Any, note: str = "", now: datetime | None = None
) -> ExtensionRequest:
    """Approve (the stage deadline and the order's due time move by the extra working time) or reject."""
    request = ExtensionRequest.objects.select_for_update().select_related("order", "stage").get(pk=request.pk)
    order = _lock(request.order)
    _require(may_approve(actor, order))
    if request.status != ExtensionStatus.PENDING:
        raise Conflict(_("This extension was already decided."), code="extension_decided")
    now = _now(now)
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    request.decided_by = actor if getattr(actor, "pk", None) else None
    request.decided_at = now
    request.decision_note = (note or "").strip()[:300]
    request.save()
    if approve:
        spec = order_spec(order)
        row = request.stage
        row.extension_seconds += request.extra_seconds
        if row.deadline is not None and row.finished_at is None:
            row.deadline = add_working_time(row.deadline, request.extra_seconds, spec)
            if row.deadline > now and not order.counted_late:
                row.jeopardy = Jeopardy.ON_TRACK
        row.save()
        if order.due_at is not None:
            order.due_at = add_working_time(order.due_at, request.extra_seconds, spec)
        order.save()
    _notify(
        [request.requested_by],
        EXTENSION_DECIDED_KIND,
        (_("Extension approved for %(number)s") if approve else _("Extension rejected for %(number)s"))
        % {"number": order.number},
        request.decision_note,
        order,
    )
    return request


# --- completion (竣工单) -----------------------------------------------------------------------------------


def _apply_to_line(order: WorkOrder, at: datetime) -> None:
    """Activate, change or end the order's line (its services run inside our transaction; ``actor=None``
    because the caller's right to complete the order was checked)."""
    from kam.lines import services as lines

    if order.kind == WorkOrderKind.NEW:
        line = ensure_line(order)
        lines.activate_line(line=line, activated_at=at, bandwidth_kbps=order.bandwidth_kbps, actor=None)
        return
    line = order.line
    if line is None:
        raise Conflict(_("This order has no line."), code="no_line")
    if order.kind == WorkOrderKind.TERMINATE:
        lines.terminate_line(line=line, at=at, actor=None)
        return
    if order.bandwidth_kbps and order.bandwidth_kbps != line.bandwidth_kbps:
        line = lines.change_line(line=line, bandwidth_kbps=order.bandwidth_kbps, actor=None)
    changes: dict[str, Any] = {}
    if order.protection_level and order.protection_level != line.protection_level:
        changes["protection_level"] = order.protection_level
    if order.kind == WorkOrderKind.RELOCATE:
        if order.a_site_id and order.a_site_id != line.a_site_id:
            changes["a_site"] = order.a_site
        if order.z_site_id and order.z_site_id != line.z_site_id:
            changes["z_site"] = order.z_site
    if changes:
        lines.update_line(line=line, actor=None, data=changes)


def _used_seconds(order: WorkOrder, end: datetime) -> int:
    if order.started_at is None:
        return 0
    spec = order_spec(order)
    return max(0, round(working_seconds_between(order.started_at, end, spec)) - order.paused_seconds)


@transaction.atomic
def complete_work_order(
    *,
    order: WorkOrder,
    acceptance_contact: Any,
    accepted_at: datetime | None,
    test_ids: Sequence[int],
    actor: Any,
    override_reason: str = "",
    note: str = "",
    now: datetime | None = None,
) -> WorkOrder:
    """The completion form: the customer's named contact accepted the line on ``accepted_at``; at least one
    passed activation test of the line (or an override reason). Activates or changes the line in the same
    transaction, and completes the parent order when this was its last open child."""
    order = _lock(order)
    _require(may_work(actor, order, Stage.COMPLETION))
    if order.children.exists():
        raise Conflict(_("A split order completes when all its child orders do."), code="order_has_children")
    if order.status != WorkOrderStatus.IN_PROGRESS:
        raise _not_running(order)
    if order.stage != Stage.COMPLETION:
        raise Conflict(_("Finish the stages up to completion and acceptance first."), code="stage_not_completion")
    now = _now(now)
    accepted_at = accepted_at or now
    if acceptance_contact is None:
        raise _invalid("acceptance_contact_id", _("Name the customer's contact who accepted the line."))
    if not same_group(acceptance_contact.customer, order.customer) or acceptance_contact.left_company:
        raise _invalid("acceptance_contact_id", _("The contact must work for the customer."))
    if order.started_at and accepted_at < order.started_at:
        raise _invalid("accepted_at", _("Acceptance cannot be before the order started."))
    if accepted_at > now + timedelta(minutes=5):
        raise _invalid("accepted_at", _("Acceptance cannot be in the future."))
    from kam.lines.models import ActivationTest

    ids = sorted({int(i) for i in test_ids or []})
    tests = list(ActivationTest.objects.filter(pk__in=ids, line_id=order.line_id)) if order.line_id else []
    if len(tests) != len(ids):
        raise _invalid("test_ids", _("Choose activation tests of this order's line."))
    override_reason = (override_reason or "").strip()
    needs_test = order.kind != WorkOrderKind.TERMINATE
    if needs_test and not any(t.passed for t in tests) and not override_reason:
        raise Conflict(
            _("Completion needs a passed activation test, or a reason for going without one."),
            code="test_not_passed",
        )
    for test in tests:
        WorkOrderTest.objects.get_or_create(order=order, test=test, defaults={"stage": Stage.TESTING})
    _apply_to_line(order, accepted_at)
    row = _current_stage(order)
    if row is not None:
        row.finished_at = now
        row.finished_by = actor if getattr(actor, "pk", None) else None
        row.late = row.late or bool(row.deadline and now > row.deadline)
        row.note = (note or "").strip()
        row.save()
    order.status = WorkOrderStatus.COMPLETED
    order.completed_at = now
    order.acceptance_contact = acceptance_contact
    order.accepted_at = accepted_at
    order.acceptance_note = (note or "").strip()
    order.test_override_reason = override_reason[:300]
    order.working_seconds_used = _used_seconds(order, now)
    order.on_time = bool(order.due_at and now <= order.due_at and not order.counted_late)
    order.jeopardy = Jeopardy.LATE if not order.on_time else Jeopardy.ON_TRACK
    order.save()
    if order.parent_id:
        _maybe_finish_parent(order.parent_id, now)
    return order


def _maybe_finish_parent(parent_id: int, now: datetime) -> None:
    parent = WorkOrder.objects.select_for_update().get(pk=parent_id)
    children = list(parent.children.all())
    if not children or any(c.is_open for c in children):
        return
    done = [c for c in children if c.status == WorkOrderStatus.COMPLETED]
    if not done:
        return
    end = max(c.completed_at for c in done if c.completed_at)
    WorkOrderStage.objects.filter(order=parent, finished_at__isnull=True, started_at__isnull=False).update(
        finished_at=end
    )
    parent.status = WorkOrderStatus.COMPLETED
    parent.stage = Stage.COMPLETION
    parent.completed_at = end
    parent.accepted_at = max(c.accepted_at or end for c in done)
    parent.working_seconds_used = _used_seconds(parent, end)
    parent.on_time = all(c.on_time for c in done) and not parent.counted_late
    parent.jeopardy = Jeopardy.ON_TRACK if parent.on_time else Jeopardy.LATE
    parent.save()


@transaction.atomic
def cancel_work_order(*, order: WorkOrder, reason: str, actor: Any, now: datetime | None = None) -> WorkOrder:
    """Cancel an open order (and its open children)."""
    _require(may_change(actor, order))
    order = _lock(order)
    if not order.is_open:
        raise _not_running(order)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Say why the order is cancelled."))
    now = _now(now)
    for child in order.children.filter(
        status__in=[WorkOrderStatus.DRAFT, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.PAUSED]
    ):
        _cancel(child, reason, now)
    _cancel(order, reason, now)
    if order.parent_id:
        _maybe_finish_parent(order.parent_id, now)
    return order


def _cancel(order: WorkOrder, reason: str, now: datetime) -> None:
    WorkOrderPause.objects.filter(order=order, ended_at__isnull=True).update(ended_at=now)
    order.status = WorkOrderStatus.CANCELLED
    order.cancelled_at = now
    order.cancel_reason = reason[:300]
    order.save()


# --- child orders -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildSpec:
    region: Any
    team_name: str = ""
    user: Any = None
    lead: Any = None
    customer: Any = None
    a_address: str = ""
    z_address: str = ""


def _branch_in(order: WorkOrder, region: Any) -> Any:
    """The group member serving ``region`` (a branch there), else the ordering customer."""
    from kam.core.models.reference import region_prefix
    from kam.customers.models import Customer

    root = order.customer.path.split("/")[1] if order.customer.path else ""
    if root:
        match = (
            Customer.objects.filter(path__startswith=f"/{root}/", region__code__startswith=region_prefix(region.code))
            .order_by("depth", "pk")
            .first()
        )
        if match is not None:
            return match
    return order.customer


@transaction.atomic
def split_into_children(
    *, order: WorkOrder, regions_with_teams: Sequence[ChildSpec], actor: Any, now: datetime | None = None
) -> list[WorkOrder]:
    """One-point intake, many-point delivery: a chain customer's order becomes one child per region, each
    dispatched to its local team (every stage after intake). The parent completes when all children do."""
    _require(may_change(actor, order))
    order = _lock(order)
    if not order.is_open:
        raise _not_running(order)
    if order.parent_id:
        raise Conflict(_("A child order cannot be split again."), code="child_cannot_split")
    if order.children.exists():
        raise Conflict(_("The order is already split."), code="already_split")
    if order.kind != WorkOrderKind.NEW or order.line_id:
        raise Conflict(_("Only a new-line order without a line can be split."), code="not_splittable")
    if not regions_with_teams:
        raise _invalid("children", _("Give at least one region with its team."))
    seen: set[str] = set()
    for index, spec in enumerate(regions_with_teams):
        if spec.region is None:
            raise _invalid(f"children.{index}.region", _("Choose the region."))
        if spec.region.code in seen:
            raise _invalid(f"children.{index}.region", _("Each region once."))
        seen.add(spec.region.code)
        if spec.customer is not None and not same_group(spec.customer, order.customer):
            raise _invalid(f"children.{index}.customer_id", _("The customer must belong to the same group."))
        _check_assignments(
            [AssignmentSpec(stage=Stage.SURVEY, team_name=spec.team_name, user=spec.user, lead=spec.lead)]
        )
    now = _now(now)
    if order.status == WorkOrderStatus.DRAFT:
        _start_clocks(order, now)
        order.save()
    children = []
    for index, spec in enumerate(regions_with_teams, start=1):
        child = WorkOrder(
            kind=order.kind,
            customer=spec.customer or _branch_in(order, spec.region),
            product=order.product,
            bandwidth_kbps=order.bandwidth_kbps,
            protection_level=order.protection_level,
            a_address=spec.a_address or order.a_address,
            z_address=spec.z_address or order.z_address,
            desired_date=order.desired_date,
            contact=order.contact,
            resource_availability=order.resource_availability,
            requirement=order.requirement,
            region=spec.region,
            account_manager=_lead_am(spec.customer) if spec.customer else None,
            created_by=actor if getattr(actor, "pk", None) else None,
            parent=order,
            template=order.template,
        )
        if child.account_manager is None:
            child.account_manager = _lead_am(child.customer) or order.account_manager
        _full_clean(child, exclude=["number"])
        _save_new(child, number=f"{order.number}-{index:02d}")
        for stage in STAGE_ORDER:
            if stage == Stage.INTAKE:
                continue
            WorkOrderAssignment.objects.create(
                order=child, stage=stage, team_name=(spec.team_name or "").strip()[:100], user=spec.user, lead=spec.lead
            )
        _start_clocks(child, now)
        # intake happened at the parent: the child starts at the survey
        intake = WorkOrderStage.objects.get(order=child, stage=Stage.INTAKE)
        intake.finished_at = now
        intake.note = order.number
        intake.save()
        child.stage = child.stage_sequence()[1]
        child.save()
        _start_stage(child, WorkOrderStage.objects.get(order=child, stage=child.stage), now, order_spec(child))
        children.append(child)
    _notify(
        [s.user for s in regions_with_teams if s.user is not None],
        ASSIGNED_KIND,
        _("Work order %(number)s assigned to you") % {"number": order.number},
        _("%(customer)s: %(kind)s") % {"customer": order.customer, "kind": order.get_kind_display()},
        order,
    )
    return children


# --- activation test from an order ------------------------------------------------------------------------


def run_order_test(*, order: WorkOrder, actor: Any) -> WorkOrderTest:
    """Run the lines app's activation test on the order's line and keep the result with the order."""
    if not (may_work(actor, order, Stage.TESTING) or _region_engineer(actor, order)):
        raise Forbidden(_("You are not allowed to do this."))
    if order.status != WorkOrderStatus.IN_PROGRESS or order.stage not in (
        Stage.TESTING,
        Stage.ACTIVATION,
        Stage.COMPLETION,
    ):
        raise Conflict(_("Activation tests run from the testing stage on."), code="stage_not_testing")
    with transaction.atomic():
        line = ensure_line(_lock(order))
    from kam.lines.activation import run_activation_test

    test = run_activation_test(line=line, actor=None)
    if getattr(actor, "pk", None):
        type(test).objects.filter(pk=test.pk).update(run_by=actor)
    link, _created = WorkOrderTest.objects.get_or_create(order=order, test=test, defaults={"stage": order.stage})
    return link


def _region_engineer(actor: Any, order: WorkOrder) -> bool:
    from kam.core.models.reference import region_prefix

    unit = getattr(actor, "org_unit", None)
    return bool(
        getattr(actor, "role", None) == "engineer"
        and unit is not None
        and str(order.region.code).startswith(region_prefix(unit.region_id))
    )


# --- jeopardy and escalation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageClock:
    level: str
    rung: int  # 0 = no escalation yet
    used_seconds: int
    budget_seconds: int
    at_risk_at: datetime | None


def stage_clock(order: WorkOrder, row: WorkOrderStage, now: datetime, spec: CalendarSpec | None = None) -> StageClock:
    """Where a running stage stands at ``now``: at risk once ``at_risk_ratio`` of its working time is used,
    late past its deadline; the ladder climbs one rung per ``escalation_step`` of working time after the
    stage became at risk (rung 1 at that moment)."""
    spec = spec or order_spec(order)
    budget = row.budget_seconds
    if row.deadline is None or row.started_at is None:
        return StageClock(Jeopardy.ON_TRACK, 0, 0, budget, None)
    remaining = working_seconds_between(now, row.deadline, spec)
    used = round(budget - remaining)
    ratio = Decimal(order.at_risk_ratio)
    at_risk_at = add_working_time(row.deadline, -float(budget * (1 - ratio)), spec)
    if now >= row.deadline:
        level = Jeopardy.LATE
    elif now >= at_risk_at:
        level = Jeopardy.AT_RISK
    else:
        level = Jeopardy.ON_TRACK
    rung = 0
    if now >= at_risk_at:
        step = max(1, order.escalation_step_seconds)
        rung = min(int(EscalationRung.DIRECTOR), 1 + math.floor(working_seconds_between(at_risk_at, now, spec) / step))
    return StageClock(level, rung, used, budget, at_risk_at)


def _rung_recipients(order: WorkOrder, row: WorkOrderStage, rung: int) -> list[Any]:
    assignment = WorkOrderAssignment.objects.filter(order=order, stage=row.stage).select_related("user", "lead").first()
    if rung == EscalationRung.ASSIGNEE:
        return [row.assignee or (assignment.user if assignment else None)]
    if rung == EscalationRung.TEAM_LEAD:
        return [assignment.lead if assignment else None]
    if rung == EscalationRung.ACCOUNT_MANAGER:
        return [order.account_manager]
    return directors_for(order)


def _rung_title(rung: int, order: WorkOrder, stage_label: str) -> str:
    texts = {
        1: _("Work order %(number)s is at risk: %(stage)s"),
        2: _("Work order %(number)s escalated to the team lead: %(stage)s"),
        3: _("Work order %(number)s escalated to the account manager: %(stage)s"),
        4: _("Work order %(number)s escalated to the director: %(stage)s"),
    }
    return texts[rung] % {"number": order.number, "stage": stage_label}


def escalate(order: WorkOrder, row: WorkOrderStage, clock: StageClock, now: datetime) -> list[Escalation]:
    """Record and notify every rung reached and not yet recorded (once per order × stage × rung)."""
    made = []
    done = set(Escalation.objects.filter(order=order, stage=row.stage).values_list("rung", flat=True))
    for rung in range(1, clock.rung + 1):
        if rung in done:
            continue
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    order=order, stage=row.stage, rung=rung, jeopardy=clock.level, reached_at=now
                )
        except IntegrityError:
            continue
        recipients = [u for u in _rung_recipients(order, row, rung) if u is not None]
        escalation.recipients.set(recipients)
        deadline = timezone.localtime(row.deadline).strftime("%Y-%m-%d %H:%M") if row.deadline else ""
        _notify(
            recipients,
            ESCALATED_KIND,
            _rung_title(rung, order, str(row.get_stage_display())),
            _("%(customer)s · deadline %(deadline)s · %(level)s")
            % {"customer": order.customer, "deadline": deadline, "level": Jeopardy(clock.level).label},
            order,
            dedupe_key=f"orders:{order.pk}:{row.stage}:{rung}",
        )
        made.append(escalation)
    return made


@dataclass
class JeopardyRun:
    evaluated: int = 0
    at_risk: int = 0
    late: int = 0
    escalations: int = 0


def evaluate_jeopardy(*, now: datetime | None = None, orders: Iterable[WorkOrder] | None = None) -> JeopardyRun:
    """Recompute the jeopardy of every running stage and climb the escalation ladder (the periodic task).

    Orders paused by the customer are frozen; a pause on our side lets the clock run. A split parent takes
    the worst level of its children and does not escalate itself.
    """
    now = _now(now)
    result = JeopardyRun()
    qs = (
        WorkOrder.objects.filter(status__in=[WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.PAUSED])
        .select_related("calendar", "customer", "account_manager", "region")
        .order_by("pk")
    )
    if orders is not None:
        qs = qs.filter(pk__in=[o.pk for o in orders])
    frozen = set(
        WorkOrderPause.objects.filter(ended_at__isnull=True, customer_caused=True).values_list("order_id", flat=True)
    )
    parents: list[WorkOrder] = []
    for order in qs.iterator(chunk_size=500):
        if order.children.exists():
            parents.append(order)
            continue
        if order.pk in frozen:
            continue
        row = _current_stage(order)
        if row is None or not row.is_current:
            continue
        with transaction.atomic():
            clock = stage_clock(order, row, now)
            level = Jeopardy.LATE if row.late and clock.level != Jeopardy.LATE and order.counted_late else clock.level
            result.evaluated += 1
            result.at_risk += level == Jeopardy.AT_RISK
            result.late += level == Jeopardy.LATE
            made = escalate(order, row, clock, now)
            result.escalations += len(made)
            rung = max(clock.rung, row.escalation_rung or 0) or None
            if row.jeopardy != level or row.escalation_rung != rung:
                WorkOrderStage.objects.filter(pk=row.pk).update(jeopardy=level, escalation_rung=rung)
            if order.jeopardy != level or order.escalation_rung != rung:
                WorkOrder.objects.filter(pk=order.pk).update(jeopardy=level, escalation_rung=rung)
    for parent in parents:
        levels = list(
            parent.children.filter(status__in=[WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.PAUSED]).values_list(
                "jeopardy", flat=True
            )
        )
        worst = max(levels, key=lambda lv: _JEOPARDY_RANK.get(lv, 0), default=Jeopardy.ON_TRACK)
        if parent.jeopardy != worst:
            WorkOrder.objects.filter(pk=parent.pk).update(jeopardy=worst)
    return result


# --- templates and policies -------------------------------------------------------------------------------

TEMPLATE_FIELDS = (
    "name",
    "kind",
    "product",
    "bandwidth_kbps",
    "protection_level",
    "resource_availability",
    "default_assignments",
    "description",
    "active",
)
POLICY_FIELDS = (
    "name",
    "product",
    "protection_level",
    "resource_availability",
    "calendar",
    "stage_hours",
    "total_hours",
    "at_risk_ratio",
    "escalation_step_hours",
    "active",
)


def _require_admin(actor: Any) -> None:
    if not is_admin_user(actor):
        raise Forbidden(_("Only administrators change this."))


def _set_fields(obj: Any, data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        msg = _("Unknown field.")
        raise ValidationFailed(msg, fields={name: [msg] for name in unknown})
    for name, value in data.items():
        if value is None and name in ("product", "protection_level", "resource_availability", "description"):
            value = ""
        setattr(obj, name, value)


@transaction.atomic
def save_template(*, template: WorkOrderTemplate | None, data: Mapping[str, Any], actor: Any) -> WorkOrderTemplate:
    _require_admin(actor)
    obj = template or WorkOrderTemplate()
    _set_fields(obj, data, TEMPLATE_FIELDS)
    _full_clean(obj)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise Conflict(_("A template with this name exists."), code="template_exists") from exc
    return obj


@transaction.atomic
def delete_template(*, template: WorkOrderTemplate, actor: Any) -> None:
    _require_admin(actor)
    template.delete()


@transaction.atomic
def save_policy(*, policy: TimeLimitPolicy | None, data: Mapping[str, Any], actor: Any) -> TimeLimitPolicy:
    _require_admin(actor)
    obj = policy or TimeLimitPolicy()
    data = dict(data)
    if isinstance(data.get("stage_hours"), dict):
        data["stage_hours"] = {k: str(v) for k, v in data["stage_hours"].items()}
    _set_fields(obj, data, POLICY_FIELDS)
    _full_clean(obj)
    obj.save()
    return obj


def desired_date_warning(order: WorkOrder) -> str | None:
    """A hint when the due time is after the date the customer wants."""
    if order.desired_date and order.due_at and timezone.localtime(order.due_at).date() > order.desired_date:
        return _("The time limit ends after the customer's desired date (%(date)s).") % {
            "date": order.desired_date.isoformat()
        }
    return None


def credit_warning_for(order: WorkOrder) -> str | None:
    from kam.customers.services import credit_warning

    return credit_warning(order.customer)


__all__ = [
    "AssignmentSpec",
    "ChildSpec",
    "advance_stage",
    "cancel_work_order",
    "complete_work_order",
    "create_work_order",
    "decide_extension",
    "dispatch_work_order",
    "evaluate_jeopardy",
    "pause_work_order",
    "request_extension",
    "resume_work_order",
    "split_into_children",
    "update_work_order",
]
