from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.core.models import AuditedModel, KamModel, Region, ScopedQuerySet
from kam.core.models.reference import region_prefix
from kam.core.permissions import VIEW
from kam.identity.choices import COMMERCIAL_ROLES, OrgUnitLevel, Role


class OrgUnitQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        # the org chart of the operator is not a secret inside it
        return action == VIEW

    def subtree_of(self, unit: OrgUnit) -> OrgUnitQuerySet:
        return self.filter(path__startswith=unit.path)


class OrgUnit(KamModel):
    """A branch of the operator: province → city → county, each bound to a GB/T 2260 region."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=OrgUnitLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        node = self.parent
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("An org unit cannot be placed below itself.")})
            node = node.parent

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = f"{self.parent.path if self.parent else '/'}{self.code}/"
        super().save(*args, **kwargs)

    @property
    def region_prefix(self) -> str:
        return region_prefix(self.region_id)


class UserQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        if action == VIEW and user.role != Role.CUSTOMER:
            return Q(is_active=True) | Q(pk=user.pk)
        return Q(pk=user.pk)


class KamUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AuditedModel, AbstractUser):
    """A login. Customers are ``Customer``; an account is a login (DESIGN.md conventions)."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.ACCOUNT_MANAGER)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="portal_users",
        help_text=_("For customer users: the key account whose group they see."),
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects: ClassVar[KamUserManager] = KamUserManager()
    audit_exclude = ("password",)
    audit_ignore = ("last_login", "failed_logins", "locked_until")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="customer", customer__isnull=False) | ~Q(role="customer"),
                name="customer_user_has_customer",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.CUSTOMER and not self.customer_id:
            raise ValidationError({"customer": _("A customer user must be tied to a customer.")})
        if self.role not in (Role.ADMIN, Role.CUSTOMER) and not self.org_unit_id:
            raise ValidationError({"org_unit": _("Staff users belong to an org unit.")})

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def sees_commercial(self) -> bool:
        """Prices, revenue and contacts' private notes."""
        return self.is_superuser or self.role in COMMERCIAL_ROLES

    @property
    def is_customer_user(self) -> bool:
        return self.role == Role.CUSTOMER

    def is_locked(self, now: Any = None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))


class ApiTokenQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        return Q(user=user)

    def active(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


TOKEN_PREFIX = "kam_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(KamModel):
    """A bearer token for machines. Only its SHA-256 is stored; the token is shown once, at issue."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    audit_exclude = ("key_hash",)
    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    def touch(self) -> None:
        """Record use, at most once per ``KAM_TOKEN_TOUCH_SECONDS`` so that reads stay cheap."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > timedelta(
            seconds=settings.KAM_TOKEN_TOUCH_SECONDS
        ):
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
