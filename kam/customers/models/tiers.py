from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kam.core.models import KamModel, ScopedQuerySet
from kam.core.permissions import VIEW
from kam.customers.choices import GradeChangeStatus, ReportGranularity, ServiceLevel
from kam.customers.permissions import customer_scope


class TierPolicyQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        # every staff user reads the policy; only administrators change it
        return action == VIEW and getattr(user, "role", None) != "customer"


class TierPolicy(KamModel):
    """What a value grade (A1 … D) commits us to: visit cadence, service level, response times."""

    grade = models.CharField(_("value grade"), max_length=8, unique=True)
    label = models.CharField(_("label"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0, help_text=_("1 is the most valuable grade."))
    visit_cadence_days = models.PositiveIntegerField(
        _("visit cadence (days)"), default=90, validators=[MinValueValidator(1)]
    )
    default_service_level = models.CharField(
        _("default service level"), max_length=16, choices=ServiceLevel.choices, default=ServiceLevel.STANDARD
    )
    report_granularity = models.CharField(
        _("report granularity"), max_length=16, choices=ReportGranularity.choices, default=ReportGranularity.MONTHLY
    )
    ack_minutes = models.PositiveIntegerField(_("fault acknowledgement (minutes)"), default=120)
    update_interval_minutes = models.PositiveIntegerField(_("update interval during a fault (minutes)"), default=240)
    written_report_hours = models.PositiveIntegerField(_("written fault report within (hours)"), default=72)
    discount_authority_pct = models.DecimalField(
        _("discount authority (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = TierPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("tier policy")
        verbose_name_plural = _("tier policies")
        ordering = ["rank", "grade"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_authority_pct__gte=0) & Q(discount_authority_pct__lte=100),
                name="tier_discount_range",
            ),
            models.CheckConstraint(condition=Q(visit_cadence_days__gte=1), name="tier_cadence_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.grade} {self.label}"


class GradeChangeRequestQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        if getattr(user, "role", None) == "customer":
            return False
        return customer_scope(user, action, prefix="customer__")

    def pending(self) -> GradeChangeRequestQuerySet:
        return self.filter(status=GradeChangeStatus.PENDING)


class GradeChangeRequest(KamModel):
    """A request to change a customer's value grade; a director of its region approves or rejects it."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="grade_changes"
    )
    from_grade = models.CharField(_("from grade"), max_length=8)
    to_grade = models.CharField(_("to grade"), max_length=8)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=GradeChangeStatus.choices, default=GradeChangeStatus.PENDING, db_index=True
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
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = GradeChangeRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("grade change request")
        verbose_name_plural = _("grade change requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="pending"), name="one_pending_grade_change"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.from_grade} → {self.to_grade}"
