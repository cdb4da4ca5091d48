from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kam.core.models import KamModel, Region, ScopedQuerySet
from kam.customers.choices import SiteKind
from kam.customers.permissions import customer_scope


class SiteQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        return customer_scope(user, action, prefix="customer__")


class Site(KamModel):
    """A customer's premises: an office, a branch, a data centre where lines end."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="sites"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=SiteKind.choices, default=SiteKind.PREMISES)
    address = models.CharField(_("address"), max_length=300)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("contact phone"), max_length=32, blank=True, db_index=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["customer", "name"]
        constraints = [models.UniqueConstraint(fields=["customer", "name"], name="site_name_unique_per_customer")]

    def __str__(self) -> str:
        return self.name
