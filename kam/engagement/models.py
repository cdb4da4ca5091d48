"""Visits, account plans, competitors and feedback (DESIGN.md "Domain model")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kam.core.models import KamModel, ScopedQuerySet
from kam.engagement.choices import (
    EDITABLE_PLAN_STATUSES,
    FEEDBACK_TRANSITIONS,
    ActionStatus,
    FeedbackKind,
    FeedbackStatus,
    PlanStage,
    PlanStatus,
    PresenceSource,
    SwotKind,
    VisitChannel,
    VisitStatus,
)
from kam.engagement.permissions import commercial_scope, competitor_scope, feedback_scope

USER = settings.AUTH_USER_MODEL


class CommercialQuerySet(ScopedQuerySet):
    """Rows hanging off a customer, seen by the customer's commercial scope."""

    customer_prefix = "customer__"

    def scope(self, user: Any, action: str) -> Q | bool:
        return commercial_scope(user, action, prefix=self.customer_prefix)


# --- Visits ---------------------------------------------------------------------------------------------


class VisitQuerySet(CommercialQuerySet):
    def done(self) -> VisitQuerySet:
        return self.filter(status=VisitStatus.DONE)

    def planned(self) -> VisitQuerySet:
        return self.filter(status=VisitStatus.PLANNED)

    def with_open_next_step(self) -> VisitQuerySet:
        return self.exclude(next_step="").filter(next_step_done=False)


class Visit(KamModel):
    """A contact with a customer: planned, then done (with its outcome) or cancelled."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="visits"
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=VisitChannel.choices, default=VisitChannel.FACE_TO_FACE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=VisitStatus.choices, default=VisitStatus.PLANNED, db_index=True
    )
    planned_at = models.DateTimeField(_("planned for"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("took place"), null=True, blank=True, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_due = models.DateField(_("next step due"), null=True, blank=True)
    next_step_owner = models.ForeignKey(
        USER,
        verbose_name=_("next step owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit_next_steps",
    )
    next_step_done = models.BooleanField(_("next step done"), default=False)
    our_participants: Any = models.ManyToManyField(
        USER, verbose_name=_("our participants"), blank=True, related_name="visits"
    )
    their_participants: Any = models.ManyToManyField(
        "customers.Contact", verbose_name=_("their participants"), blank=True, related_name="visits"
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-occurred_at", "-planned_at", "-id"]
        indexes = [models.Index(fields=["customer", "status", "occurred_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(occurred_at__isnull=False), name="visit_done_has_time"
            ),
            models.CheckConstraint(
                condition=Q(occurred_at__isnull=False) | Q(planned_at__isnull=False), name="visit_has_a_time"
            ),
        ]

    def __str__(self) -> str:
        when = self.occurred_at or self.planned_at
        return f"{self.customer} · {when:%Y-%m-%d} · {self.purpose}" if when else f"{self.customer} · {self.purpose}"

    def get_absolute_url(self) -> str:
        return reverse("engagement:visit-detail", kwargs={"pk": self.pk})

    @property
    def when(self) -> Any:
        return self.occurred_at or self.planned_at

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.status == VisitStatus.DONE and self.occurred_at is None:
            errors["occurred_at"] = _("A visit that took place needs its date and time.")
        if self.occurred_at is None and self.planned_at is None:
            errors["planned_at"] = _("Give the planned or the actual date and time.")
        if self.next_step_due and not self.next_step:
            errors["next_step"] = _("Describe the next step that has a due date.")
        if errors:
            raise ValidationError(errors)


class CompetitorSighting(models.Model):
    """A competitor noticed during a visit; it also refreshes the competitor's presence at the customer."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="sightings")
    competitor = models.ForeignKey("engagement.Competitor", on_delete=models.PROTECT, related_name="sightings")
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("competitor sighting")
        verbose_name_plural = _("competitor sightings")
        constraints = [models.UniqueConstraint(fields=["visit", "competitor"], name="sighting_unique")]

    def __str__(self) -> str:
        return f"{self.competitor} @ {self.visit_id}"


# --- Competitors ----------------------------------------------------------------------------------------


class CompetitorQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        return competitor_scope(user, action)


class Competitor(KamModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = CompetitorQuerySet.as_manager()

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("engagement:competitor-detail", kwargs={"pk": self.pk})


class CompetitorPresenceQuerySet(CommercialQuerySet):
    pass


class CompetitorPresence(KamModel):
    """What a competitor sells to one of our customers, as far as we know."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="competitor_presences",
    )
    competitor = models.ForeignKey(
        Competitor, verbose_name=_("competitor"), on_delete=models.PROTECT, related_name="presences"
    )
    products = models.CharField(_("products"), max_length=300, blank=True)
    estimated_annual_spend = models.DecimalField(
        _("estimated annual spend (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    contract_end = models.DateField(_("contract ends"), null=True, blank=True)
    strength = models.PositiveSmallIntegerField(
        _("strength (1–5)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    last_seen = models.DateField(_("last seen"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=PresenceSource.choices, default=PresenceSource.VISIT)
    notes = models.TextField(_("notes"), blank=True)

    objects = CompetitorPresenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("competitor presence")
        verbose_name_plural = _("competitor presences")
        ordering = ["-last_seen", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "competitor"], name="presence_unique"),
            models.CheckConstraint(condition=Q(strength__gte=1) & Q(strength__lte=5), name="presence_strength"),
            models.CheckConstraint(
                condition=Q(estimated_annual_spend__isnull=True) | Q(estimated_annual_spend__gte=0),
                name="presence_spend_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competitor} @ {self.customer}"

    def get_absolute_url(self) -> str:
        return reverse("engagement:presence-detail", kwargs={"pk": self.pk})


# --- Account plans --------------------------------------------------------------------------------------


class AccountPlanQuerySet(CommercialQuerySet):
    def for_year(self, year: int) -> AccountPlanQuerySet:
        return self.filter(year=year)


class AccountPlan(KamModel):
    """The plan for one customer for one year: stage, goals, strategy, SWOT, actions and reviews."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="account_plans"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    stage = models.CharField(_("lifecycle stage"), max_length=16, choices=PlanStage.choices, default=PlanStage.START)
    revenue_goal = models.DecimalField(
        _("revenue goal (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    share_of_wallet_goal = models.DecimalField(
        _("share-of-wallet goal (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    strategy = models.TextField(_("strategy"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("submitted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_note = models.TextField(_("return note"), blank=True)

    objects = AccountPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        ordering = ["-year", "customer__name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "year"], name="account_plan_one_per_year"),
            models.CheckConstraint(
                condition=Q(share_of_wallet_goal__gte=0) & Q(share_of_wallet_goal__lte=100),
                name="account_plan_sow_range",
            ),
            models.CheckConstraint(condition=Q(revenue_goal__gte=0), name="account_plan_revenue_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("engagement:plan-detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_PLAN_STATUSES

    def can_move_to(self, status: str) -> bool:
        allowed = {
            PlanStatus.DRAFT: {PlanStatus.SUBMITTED},
            PlanStatus.RETURNED: {PlanStatus.SUBMITTED},
            PlanStatus.SUBMITTED: {PlanStatus.APPROVED, PlanStatus.RETURNED},
            PlanStatus.APPROVED: set(),
        }
        return status in allowed.get(PlanStatus(self.status), set())


class PlanPartQuerySet(CommercialQuerySet):
    customer_prefix = "plan__customer__"


class SwotItem(KamModel):
    plan = models.ForeignKey(AccountPlan, verbose_name=_("account plan"), on_delete=models.CASCADE, related_name="swot")
    kind = models.CharField(_("kind"), max_length=1, choices=SwotKind.choices)
    text = models.CharField(_("text"), max_length=500)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = PlanPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("SWOT item")
        verbose_name_plural = _("SWOT items")
        ordering = ["kind", "position", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


class PlanAction(KamModel):
    plan = models.ForeignKey(
        AccountPlan, verbose_name=_("account plan"), on_delete=models.CASCADE, related_name="actions"
    )
    text = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_actions"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)

    objects = PlanPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.text


class PlanReview(KamModel):
    """A review (复盘) of a key event during the plan year."""

    plan = models.ForeignKey(
        AccountPlan, verbose_name=_("account plan"), on_delete=models.CASCADE, related_name="reviews"
    )
    date = models.DateField(_("date"))
    event = models.CharField(_("event"), max_length=300)
    what_happened = models.TextField(_("what happened"), blank=True)
    lessons = models.TextField(_("lessons"), blank=True)

    objects = PlanPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date}: {self.event}"


# --- Feedback -------------------------------------------------------------------------------------------


class FeedbackQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        return feedback_scope(user, action)

    def open(self) -> FeedbackQuerySet:
        return self.exclude(status=FeedbackStatus.CLOSED)


class Feedback(KamModel):
    """A requirement, complaint, suggestion or praise from a customer, and how fast we answered it."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="feedback"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FeedbackKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.COLLECTED, db_index=True
    )
    collected_at = models.DateTimeField(_("collected"), db_index=True)
    collected_by = models.ForeignKey(
        USER, verbose_name=_("collected by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responsible = models.ForeignKey(
        USER,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_responsible",
    )
    routed_at = models.DateTimeField(_("routed"), null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-collected_at", "-id"]
        indexes = [models.Index(fields=["customer", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("engagement:feedback-detail", kwargs={"pk": self.pk})

    def can_move_to(self, status: str) -> bool:
        return status in FEEDBACK_TRANSITIONS.get(self.status, frozenset())
