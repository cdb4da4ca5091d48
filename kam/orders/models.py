"""Work orders (需求单 → 调度单 → 竣工单): stages with deadlines on a working calendar, pauses, extensions,
escalations, child orders per region, templates and time-limit policies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kam.core.models import KamModel, Region, ScopedQuerySet
from kam.core.models.reference import region_prefix
from kam.core.permissions import APPROVE, CHANGE, EXPORT, VIEW
from kam.customers.permissions import customer_scope
from kam.lines.choices import Product, ProtectionLevel
from kam.orders.choices import (
    KINDS_WITH_PRODUCT,
    RUNNING_STATUSES,
    STAGE_ORDER,
    EscalationRung,
    ExtensionStatus,
    Jeopardy,
    ResourceAvailability,
    Stage,
    WorkOrderKind,
    WorkOrderStatus,
)
from kam.orders.defaults import DEFAULT_AT_RISK_RATIO, DEFAULT_ESCALATION_STEP_HOURS

_READ = {VIEW, EXPORT}
REGION_READ_ROLES = ("engineer", "noc")


def _role(user: Any) -> str | None:
    return getattr(user, "role", None)


def _or(*parts: Q | bool | None) -> Q | bool:
    result: Q | None = None
    for part in parts:
        if part is True:
            return True
        if part is None or part is False:
            continue
        result = part if result is None else result | part
    return result if result is not None else False


def staff_only(user: Any) -> bool:
    return _role(user) not in (None, "customer")


# ---------------------------------------------------------------------------------------------------------
# Policies and templates


class StaffReadQuerySet(ScopedQuerySet):
    """Reference data every staff member reads and only administrators change."""

    def scope(self, user: Any, action: str) -> Q | bool:
        return action in _READ and staff_only(user)


class TimeLimitPolicy(KamModel):
    """Working hours per stage and in total for product × protection level × resource availability.

    A blank product, protection level or availability matches any; the most specific active policy wins.
    """

    name = models.CharField(_("name"), max_length=200)
    product = models.CharField(_("product"), max_length=32, choices=Product.choices, blank=True)
    protection_level = models.CharField(
        _("protection level"), max_length=8, choices=ProtectionLevel.choices, blank=True
    )
    resource_availability = models.CharField(
        _("resource availability"), max_length=20, choices=ResourceAvailability.choices, blank=True
    )
    calendar = models.ForeignKey(
        "core.WorkingCalendar",
        verbose_name=_("working calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the mainland office calendar (cn-office). Choose 24x7 for round-the-clock clocks."),
    )
    stage_hours = models.JSONField(_("working hours per stage"), default=dict)
    total_hours = models.DecimalField(
        _("total working hours"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Empty: the sum of the stages."),
    )
    at_risk_ratio = models.DecimalField(
        _("at risk from (share of the stage's time used)"),
        max_digits=4,
        decimal_places=2,
        default=DEFAULT_AT_RISK_RATIO,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
    )
    escalation_step_hours = models.DecimalField(
        _("escalation step (working hours)"),
        max_digits=6,
        decimal_places=2,
        default=DEFAULT_ESCALATION_STEP_HOURS,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    active = models.BooleanField(_("active"), default=True)

    objects = StaffReadQuerySet.as_manager()

    class Meta:
        verbose_name = _("time-limit policy")
        verbose_name_plural = _("time-limit policies")
        ordering = ["product", "protection_level", "resource_availability", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        return sum(1 for v in (self.product, self.protection_level, self.resource_availability) if v)

    def hours_for(self, stage: str) -> Decimal:
        return Decimal(str(self.stage_hours.get(stage, 0) or 0))

    def order_hours(self, skip_construction: bool) -> Decimal:
        if self.total_hours is not None:
            return Decimal(self.total_hours)
        return sum(
            (self.hours_for(s) for s in STAGE_ORDER if not (skip_construction and s == Stage.CONSTRUCTION)),
            Decimal("0"),
        )

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        hours = self.stage_hours if isinstance(self.stage_hours, dict) else None
        if hours is None:
            errors["stage_hours"] = _("Give the working hours of each stage.")
        else:
            unknown = sorted(set(hours) - set(STAGE_ORDER))
            if unknown:
                errors["stage_hours"] = _("Unknown stage: %(stages)s.") % {"stages": ", ".join(unknown)}
            else:
                for stage, value in hours.items():
                    try:
                        number = Decimal(str(value))
                    except Exception:
                        number = Decimal("-1")
                    if not number.is_finite() or number < 0 or number > 10000:
                        errors["stage_hours"] = _("Hours of %(stage)s must be a number from 0 to 10000.") % {
                            "stage": stage
                        }
                        break
        if errors:
            raise ValidationError(errors)


class WorkOrderTemplate(KamModel):
    """Prefills a common order: product, bandwidth, protection and the default team per stage."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=WorkOrderKind.choices, default=WorkOrderKind.NEW)
    product = models.CharField(_("product"), max_length=32, choices=Product.choices, blank=True)
    bandwidth_kbps = models.PositiveBigIntegerField(
        _("bandwidth (kbit/s)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    protection_level = models.CharField(
        _("protection level"), max_length=8, choices=ProtectionLevel.choices, blank=True
    )
    resource_availability = models.CharField(
        _("resource availability"), max_length=20, choices=ResourceAvailability.choices, blank=True
    )
    # [{"stage": "survey", "team_name": "...", "user_id": 3, "lead_id": 4}, ...]
    default_assignments = models.JSONField(_("default assignments"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = StaffReadQuerySet.as_manager()

    class Meta:
        verbose_name = _("work-order template")
        verbose_name_plural = _("work-order templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        rows = self.default_assignments
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValidationError({"default_assignments": _("A list of assignments per stage.")})
        for row in rows:
            if row.get("stage") not in STAGE_ORDER:
                raise ValidationError(
                    {"default_assignments": _("Unknown stage: %(stages)s.") % {"stages": row.get("stage")}}
                )


# ---------------------------------------------------------------------------------------------------------
# Work orders


class WorkOrderQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        role = _role(user)
        if role in (None, "customer"):
            return False
        if action in _READ:
            region = None
            unit = getattr(user, "org_unit", None)
            if role in REGION_READ_ROLES and unit is not None:
                region = Q(region__code__startswith=region_prefix(unit.region_id))
            assigned = Q(stages__assignee=user) | Q(assignments__user=user) | Q(assignments__lead=user)
            ids = WorkOrder.objects.filter(assigned).values("pk")
            return _or(customer_scope(user, action, prefix="customer__"), region, Q(pk__in=ids))
        if action == CHANGE:
            return customer_scope(user, CHANGE, prefix="customer__")
        if action == APPROVE:
            return customer_scope(user, APPROVE, prefix="customer__") if role == "director" else False
        return False

    def open(self) -> WorkOrderQuerySet:
        return self.filter(status__in=[WorkOrderStatus.DRAFT, *RUNNING_STATUSES])

    def running(self) -> WorkOrderQuerySet:
        return self.filter(status__in=RUNNING_STATUSES)

    def late(self) -> WorkOrderQuerySet:
        return self.filter(Q(jeopardy=Jeopardy.LATE) | Q(on_time=False) | Q(counted_late=True))

    def leaves(self) -> WorkOrderQuerySet:
        """Orders without children: what the timeliness report counts (a split parent is its children)."""
        return self.filter(children__isnull=True)


class WorkOrder(KamModel):
    """An order for a line: new, change, relocation, upgrade or termination."""

    number = models.CharField(_("number"), max_length=32, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=WorkOrderKind.choices, default=WorkOrderKind.NEW)
    status = models.CharField(
        _("status"), max_length=16, choices=WorkOrderStatus.choices, default=WorkOrderStatus.DRAFT, db_index=True
    )
    stage = models.CharField(_("current stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="work_orders"
    )
    line = models.ForeignKey(
        "lines.Line",
        verbose_name=_("line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    # 需求单 (requirement form)
    product = models.CharField(_("product"), max_length=32, choices=Product.choices, blank=True)
    bandwidth_kbps = models.PositiveBigIntegerField(
        _("bandwidth (kbit/s)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    protection_level = models.CharField(
        _("protection level"), max_length=8, choices=ProtectionLevel.choices, blank=True
    )
    a_address = models.CharField(_("A-end address"), max_length=300, blank=True)
    z_address = models.CharField(_("Z-end address"), max_length=300, blank=True)
    a_site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("A-end site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    z_site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("Z-end site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    desired_date = models.DateField(_("desired date"), null=True, blank=True)
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("customer contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resource_availability = models.CharField(
        _("resource availability"),
        max_length=20,
        choices=ResourceAvailability.choices,
        default=ResourceAvailability.AVAILABLE,
    )
    requirement = models.TextField(_("requirement"), blank=True)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    template = models.ForeignKey(
        WorkOrderTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # clocks
    policy = models.ForeignKey(
        TimeLimitPolicy,
        verbose_name=_("time-limit policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    calendar = models.ForeignKey(
        "core.WorkingCalendar",
        verbose_name=_("working calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at_risk_ratio = models.DecimalField(
        _("at risk from"), max_digits=4, decimal_places=2, default=DEFAULT_AT_RISK_RATIO
    )
    escalation_step_seconds = models.PositiveIntegerField(
        _("escalation step (seconds)"), default=int(DEFAULT_ESCALATION_STEP_HOURS * 3600)
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    allotted_seconds = models.PositiveIntegerField(_("allotted working time (seconds)"), default=0)
    paused_seconds = models.PositiveIntegerField(_("customer-paused working time (seconds)"), default=0)
    jeopardy = models.CharField(
        _("jeopardy"), max_length=10, choices=Jeopardy.choices, default=Jeopardy.ON_TRACK, db_index=True
    )
    escalation_rung = models.PositiveSmallIntegerField(
        _("escalation"), choices=EscalationRung.choices, null=True, blank=True
    )
    counted_late = models.BooleanField(
        _("counted late"), default=False, help_text=_("Set when an extension was asked for after the deadline.")
    )
    # 竣工单 (completion form)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, db_index=True)
    acceptance_contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    acceptance_note = models.TextField(_("acceptance note"), blank=True)
    test_override_reason = models.CharField(_("test override reason"), max_length=300, blank=True)
    working_seconds_used = models.PositiveIntegerField(_("working time used (seconds)"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    activation_tests: Any = models.ManyToManyField(
        "lines.ActivationTest",
        verbose_name=_("activation tests"),
        through="WorkOrderTest",
        related_name="work_orders",
        blank=True,
    )

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bandwidth_kbps__isnull=True) | Q(bandwidth_kbps__gte=1),
                name="work_order_bandwidth_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "stage"]),
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["region", "status"]),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("orders:detail", kwargs={"pk": self.pk})

    # -- state predicates --

    @property
    def is_open(self) -> bool:
        return self.status in (WorkOrderStatus.DRAFT, *RUNNING_STATUSES)

    @property
    def skips_construction(self) -> bool:
        return self.resource_availability == ResourceAvailability.AVAILABLE

    def stage_sequence(self) -> list[str]:
        return [s for s in STAGE_ORDER if not (self.skips_construction and s == Stage.CONSTRUCTION)]

    def next_stage(self) -> str | None:
        seq = self.stage_sequence()
        if self.stage not in seq:
            return seq[0] if seq else None
        index = seq.index(self.stage)
        return seq[index + 1] if index + 1 < len(seq) else None

    def can_move_to(self, stage: str) -> bool:
        """Only forward, one stage at a time (construction skipped when resources are available), and only
        while the order runs; completion is a separate step (``complete_work_order``)."""
        if self.status != WorkOrderStatus.IN_PROGRESS:
            return False
        return stage == self.next_stage()

    @property
    def can_edit_requirement(self) -> bool:
        return self.status == WorkOrderStatus.DRAFT

    @property
    def needs_product(self) -> bool:
        return self.kind in KINDS_WITH_PRODUCT

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.kind != WorkOrderKind.NEW and not self.line_id and not self.parent_id and not self.pk:
            errors["line"] = _("Choose the line this order changes.")
        if self.kind in KINDS_WITH_PRODUCT:
            if not self.product:
                errors["product"] = _("Choose the product.")
            if not self.bandwidth_kbps:
                errors["bandwidth_kbps"] = _("Give the bandwidth.")
        line: Any = self.line
        if line is not None and self.customer_id and line.customer_id != self.customer_id:
            errors["line"] = _("The line belongs to another customer.")
        for field in ("a_site", "z_site"):
            site = getattr(self, field)
            if site is not None and self.customer_id and not _same_group(site.customer, self.customer):
                errors[field] = _("The site belongs to another customer.")
        contact: Any = self.contact
        if contact is not None and self.customer_id and not _same_group(contact.customer, self.customer):
            errors["contact"] = _("The contact works for another customer group.")
        if errors:
            raise ValidationError(errors)


def _root_path(customer: Any) -> str:
    path = customer.path or ""
    parts = [p for p in path.split("/") if p]
    return f"/{parts[0]}/" if parts else ""


def _same_group(a: Any, b: Any) -> bool:
    """Both customers are in the same group tree (a contact at the HQ may accept a branch's order)."""
    return bool(a is not None and b is not None and _root_path(a) and _root_path(a) == _root_path(b))


def same_group(a: Any, b: Any) -> bool:
    return _same_group(a, b)


class _ByOrderQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        if not staff_only(user):
            return False
        return Q(order__in=WorkOrder.objects.restrict(user, action).values("pk"))


class WorkOrderAssignment(KamModel):
    """The dispatch form (调度单): who does a stage — a team and/or a person, and the team's lead."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="assignments"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    team_name = models.CharField(_("team"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = _ByOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["order", "stage"], name="one_assignment_per_stage")]

    def __str__(self) -> str:
        return f"{self.order} {self.get_stage_display()}: {self.team_name or self.user or '—'}"


class WorkOrderStage(KamModel):
    """One stage's clock: when it started, its deadline on the working calendar, when it finished."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    seq = models.PositiveSmallIntegerField(_("sequence"))
    skipped = models.BooleanField(_("skipped"), default=False)
    allotted_seconds = models.PositiveIntegerField(_("allotted working time (seconds)"), default=0)
    extension_seconds = models.PositiveIntegerField(_("extension (seconds)"), default=0)
    paused_seconds = models.PositiveIntegerField(_("customer-paused working time (seconds)"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    jeopardy = models.CharField(_("jeopardy"), max_length=10, choices=Jeopardy.choices, default=Jeopardy.ON_TRACK)
    escalation_rung = models.PositiveSmallIntegerField(
        _("escalation"), choices=EscalationRung.choices, null=True, blank=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team_name = models.CharField(_("team"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = _ByOrderQuerySet.as_manager()
    audit_ignore = ("jeopardy",)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["order", "seq"]
        constraints = [models.UniqueConstraint(fields=["order", "stage"], name="one_row_per_stage")]

    def __str__(self) -> str:
        return f"{self.order} {self.get_stage_display()}"

    @property
    def budget_seconds(self) -> int:
        return int(self.allotted_seconds + self.extension_seconds)

    @property
    def is_current(self) -> bool:
        return self.started_at is not None and self.finished_at is None and not self.skipped


class WorkOrderPause(KamModel):
    """A stop of the clocks; only customer-caused time is taken off (deadlines move by it)."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="pauses")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    reason = models.CharField(_("reason"), max_length=300)
    customer_caused = models.BooleanField(_("caused by the customer"), default=True)
    started_at = models.DateTimeField(_("paused at"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    working_seconds = models.PositiveIntegerField(_("paused working time (seconds)"), default=0)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paused by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resumed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = _ByOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["order", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(ended_at__isnull=True), name="one_open_pause_per_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.reason}"


class ExtensionRequest(KamModel):
    """More time for a stage, asked for before its deadline and decided by a director."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="extensions"
    )
    stage = models.ForeignKey(
        WorkOrderStage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="extensions"
    )
    reason = models.TextField(_("reason"))
    extra_seconds = models.PositiveIntegerField(_("extra working time (seconds)"))
    old_deadline = models.DateTimeField(_("deadline when asked"))
    new_deadline = models.DateTimeField(_("requested deadline"))
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    objects = _ByOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["order", "requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order} {self.stage.get_stage_display()} +{self.extra_seconds}s"


class Escalation(KamModel):
    """One rung of the escalation ladder reached by a stage, with whom it notified (once per rung)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="escalations"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    rung = models.PositiveSmallIntegerField(_("rung"), choices=EscalationRung.choices)
    jeopardy = models.CharField(_("jeopardy"), max_length=10, choices=Jeopardy.choices)
    reached_at = models.DateTimeField(_("reached at"))
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("notified"), related_name="+", blank=True
    )

    objects = _ByOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["order", "reached_at", "rung"]
        constraints = [models.UniqueConstraint(fields=["order", "stage", "rung"], name="one_escalation_per_rung")]

    def __str__(self) -> str:
        return f"{self.order} {self.get_stage_display()} {self.get_rung_display()}"


class WorkOrderTest(KamModel):
    """An activation test of the order's line, kept with the order (the completion form's test results)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="test_links"
    )
    test = models.ForeignKey(
        "lines.ActivationTest", verbose_name=_("activation test"), on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.TESTING)

    objects = _ByOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order test")
        verbose_name_plural = _("order tests")
        ordering = ["order", "-test__started_at"]
        constraints = [models.UniqueConstraint(fields=["order", "test"], name="one_link_per_test")]

    def __str__(self) -> str:
        return f"{self.order} {self.test}"
