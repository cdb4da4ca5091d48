from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kam.core.models import Industry, IndustryLine, KamModel, Region, ScopedQuerySet
from kam.customers.choices import (
    CreditStatus,
    CustomerType,
    Lifecycle,
    PaymentTerms,
    ServiceLevel,
    TeamRole,
)
from kam.customers.permissions import customer_scope, subtree_q


class CustomerQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        return customer_scope(user, action)

    def roots(self) -> CustomerQuerySet:
        return self.filter(parent__isnull=True)

    def subtree_of(self, customer: Customer) -> CustomerQuerySet:
        return self.filter(subtree_q(customer.path))


class Customer(KamModel):
    """A key account (大客户): a company, an agency or a group HQ with its branches."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)
    uscc_override = models.CharField(
        _("check-digit override reason"),
        max_length=300,
        blank=True,
        help_text=_("Required when the code fails its check digit but is known to be real."),
    )
    customer_type = models.CharField(
        _("customer type"), max_length=16, choices=CustomerType.choices, default=CustomerType.ECONOMIC
    )
    value_grade = models.CharField(_("value grade"), max_length=8, default="C", db_index=True)
    service_level = models.CharField(
        _("service level"), max_length=16, choices=ServiceLevel.choices, default=ServiceLevel.STANDARD
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    industry_section = models.ForeignKey(
        Industry,
        verbose_name=_("industry section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    industry_line = models.ForeignKey(
        IndustryLine,
        verbose_name=_("industry line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=300, blank=True)
    lifecycle = models.CharField(
        _("lifecycle status"), max_length=16, choices=Lifecycle.choices, default=Lifecycle.ACTIVE, db_index=True
    )
    credit_status = models.CharField(
        _("credit status"), max_length=16, choices=CreditStatus.choices, default=CreditStatus.NORMAL
    )
    payment_terms = models.CharField(
        _("payment terms"), max_length=16, choices=PaymentTerms.choices, default=PaymentTerms.MONTHLY
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    org_unit = models.ForeignKey(
        "identity.OrgUnit",
        verbose_name=_("serving branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )

    # Denormalised, maintained by the services (and the bulk demo): the normalised name for duplicate
    # detection, and name + short name + pinyin + initials for search.
    name_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    search_text = models.CharField(max_length=1000, editable=False, default="")

    objects = CustomerQuerySet.as_manager()
    audit_ignore = ("search_text", "name_key", "path", "depth")

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["region", "value_grade"]),
            models.Index(fields=["value_grade", "name"]),
            models.Index(fields=["parent", "name"]),
            models.Index(fields=["short_name"]),
            models.Index(fields=["name"]),
            models.Index(fields=["value_grade", "region"]),
            # list counts of a region's customers (directors, NOC, finance) read these indexes only
            models.Index(fields=["parent", "region"]),
            models.Index(fields=["lifecycle", "region"]),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("customers:detail", kwargs={"pk": self.pk})

    @property
    def is_blacklisted(self) -> bool:
        return self.credit_status == CreditStatus.BLACKLISTED

    def save(self, *args: Any, **kwargs: Any) -> None:
        from kam.customers.search import customer_search_text, name_key

        self.name_key = name_key(self.name)
        phones = list(self.sites.values_list("phone", flat=True)) if self.pk else []
        self.search_text = customer_search_text(self.name, self.short_name, self.uscc, phones)
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent_id and self.parent else '/'}{self.pk}/"
        if path != self.path:
            self.path = path
            self.depth = path.count("/") - 2
            Customer.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)


class AccountTeamMemberQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        return customer_scope(user, action, prefix="customer__")


class AccountTeamMember(KamModel):
    """A member of a customer's account team; virtual teams span regions."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="team_members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(_("team role"), max_length=32, choices=TeamRole.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    credit_share = models.DecimalField(
        _("KPI credit share (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    objects = AccountTeamMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("account team member")
        verbose_name_plural = _("account team members")
        ordering = ["customer", "role"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "user", "role"], name="team_member_unique"),
            models.UniqueConstraint(fields=["customer"], condition=Q(role="lead_am"), name="one_lead_am_per_customer"),
            models.CheckConstraint(
                condition=Q(credit_share__gte=0) & Q(credit_share__lte=100), name="team_share_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.credit_share is not None and not (Decimal("0") <= self.credit_share <= Decimal("100")):
            raise ValidationError({"credit_share": _("A share is between 0 and 100%.")})
