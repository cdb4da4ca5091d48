"""Inventory and services: points of presence, devices, interfaces, dedicated lines and their endpoints."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kam.core.models import KamModel, Region, ScopedQuerySet
from kam.core.models.reference import region_prefix
from kam.core.permissions import CHANGE, DELETE, EXPORT, VIEW
from kam.customers.permissions import customer_scope
from kam.lines.choices import (
    DeviceRole,
    DeviceStatus,
    DiscoveryStatus,
    End,
    EndpointRole,
    IfStatus,
    LineStatus,
    LineType,
    LocationKind,
    PopKind,
    Product,
    ProposalStatus,
    ProtectionLevel,
    SnmpAuthProtocol,
    SnmpPrivProtocol,
    SnmpVersion,
    Vendor,
)
from kam.lines.crypto import EncryptedTextField

_READ = {VIEW, EXPORT}
SERVICE_ROLES = ("noc", "engineer")
# Staff roles that maintain the network inventory of their region.
INVENTORY_EDIT_ROLES = ("noc", "engineer", "director")


def _role(user: Any) -> str | None:
    return getattr(user, "role", None)


def _region_q(user: Any, field: str) -> Q | None:
    unit = getattr(user, "org_unit", None)
    if unit is None:
        return None
    return Q(**{f"{field}__code__startswith": region_prefix(unit.region_id)})


def _or(*parts: Q | bool | None) -> Q | bool:
    result: Q | None = None
    for part in parts:
        if part is True:
            return True
        if part is None or part is False:
            continue
        result = part if result is None else result | part
    return result if result is not None else False


# ---------------------------------------------------------------------------------------------------------
# Points of presence


class PointOfPresenceQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        role = _role(user)
        if role == "customer" or role is None:
            return False
        if action in _READ:
            return _or(
                _region_q(user, "region"),
                Q(pk__in=Device.objects.visible_to(user).filter(pop__isnull=False).values("pop_id")),
            )
        if role in INVENTORY_EDIT_ROLES and action in (CHANGE, DELETE):
            return _or(_region_q(user, "region"))
        return False


class PointOfPresence(KamModel):
    """Our own site: a PoP, a central office (局站) or a data centre where network equipment stands."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=PopKind.choices, default=PopKind.CENTRAL_OFFICE)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=300, blank=True)

    objects = PointOfPresenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("point of presence")
        verbose_name_plural = _("points of presence")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("lines:pop-detail", kwargs={"pk": self.pk})


# ---------------------------------------------------------------------------------------------------------
# Devices


class DeviceQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        role = _role(user)
        if role is None:
            return False
        carrying = Q(
            pk__in=Interface.objects.filter(endpoints__line__in=Line.objects.restrict(user, VIEW).values("pk")).values(
                "device_id"
            )
        )
        if role == "customer":
            return carrying if action == VIEW else False
        if action in _READ:
            return _or(_region_q(user, "region"), carrying)
        if role in INVENTORY_EDIT_ROLES and action in (CHANGE, DELETE):
            return _or(_region_q(user, "region"))
        return False

    def cpe(self) -> DeviceQuerySet:
        return self.filter(site__isnull=False)

    def central_office(self) -> DeviceQuerySet:
        return self.filter(pop__isnull=False)


class Device(KamModel):
    """A network element: a PE, aggregation or access switch at one of our PoPs, or a CPE at a customer."""

    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=16, choices=DeviceRole.choices, default=DeviceRole.ACCESS)
    vendor = models.CharField(_("vendor"), max_length=16, choices=Vendor.choices, default=Vendor.HUAWEI)
    model = models.CharField(_("model"), max_length=100, blank=True)
    mgmt_address = models.GenericIPAddressField(_("management address"), unique=True, null=True, blank=True)
    sys_name = models.CharField(_("sysName"), max_length=255, blank=True, db_index=True)
    site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("customer site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    pop = models.ForeignKey(
        PointOfPresence,
        verbose_name=_("point of presence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("uplink device"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.ACTIVE, db_index=True
    )
    snmp_version = models.CharField(
        _("SNMP version"), max_length=4, choices=SnmpVersion.choices, default=SnmpVersion.V2C
    )
    snmp_port = models.PositiveIntegerField(
        _("SNMP port"), default=161, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    snmp_community = EncryptedTextField(_("SNMP community"), blank=True, default="")
    snmp_v3_user = EncryptedTextField(_("SNMPv3 user"), blank=True, default="")
    snmp_auth_protocol = models.CharField(
        _("SNMPv3 authentication protocol"), max_length=8, choices=SnmpAuthProtocol.choices, blank=True, default=""
    )
    snmp_auth_key = EncryptedTextField(_("SNMPv3 authentication key"), blank=True, default="")
    snmp_priv_protocol = models.CharField(
        _("SNMPv3 privacy protocol"), max_length=8, choices=SnmpPrivProtocol.choices, blank=True, default=""
    )
    snmp_priv_key = EncryptedTextField(_("SNMPv3 privacy key"), blank=True, default="")
    last_discovered_at = models.DateTimeField(_("last discovered"), null=True, blank=True, editable=False)

    objects = DeviceQuerySet.as_manager()
    audit_exclude = ("snmp_community", "snmp_v3_user", "snmp_auth_key", "snmp_priv_key")
    audit_ignore = ("last_discovered_at",)

    SECRET_FIELDS = ("snmp_community", "snmp_v3_user", "snmp_auth_key", "snmp_priv_key")

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(site__isnull=False) & Q(pop__isnull=True)) | (Q(site__isnull=True) & Q(pop__isnull=False)),
                name="device_at_site_or_pop",
            ),
            models.CheckConstraint(condition=Q(snmp_port__gte=1) & Q(snmp_port__lte=65535), name="device_snmp_port"),
        ]
        indexes = [models.Index(fields=["region", "role"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("lines:device-detail", kwargs={"pk": self.pk})

    @property
    def location_kind(self) -> str:
        return LocationKind.CUSTOMER_PREMISES if self.site_id else LocationKind.CENTRAL_OFFICE

    @property
    def is_cpe(self) -> bool:
        return bool(self.site_id)

    def get_location_kind_display(self) -> str:
        return str(LocationKind(self.location_kind).label)

    @property
    def location(self) -> Any:
        return self.site if self.site_id else self.pop

    @property
    def has_snmp_credentials(self) -> bool:
        if self.snmp_version == SnmpVersion.V3:
            return bool(self.snmp_v3_user)
        return bool(self.snmp_community)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if bool(self.site_id) == bool(self.pop_id):
            errors["site"] = _("A device stands either at a customer site or at one of our points of presence.")
        if self.parent_id:
            if self.pk and self.parent_id == self.pk:
                errors["parent"] = _("A device cannot be its own uplink.")
            elif self.pk and self.creates_cycle(self.parent_id):
                errors["parent"] = _("This uplink would make a loop in the topology.")
        if errors:
            raise ValidationError(errors)

    def creates_cycle(self, parent_id: int | None) -> bool:
        """True if making ``parent_id`` the uplink of this device would close a loop."""
        seen: set[int] = set()
        node = parent_id
        while node is not None:
            if node == self.pk:
                return True
            if node in seen:
                return True
            seen.add(node)
            node = Device.objects.filter(pk=node).values_list("parent_id", flat=True).first()
        return False

    def uplink_path(self) -> list[Device]:
        """This device and its uplinks up to the core, in that order (guarded against loops)."""
        path = [self]
        seen = {self.pk}
        node = self.parent
        while node is not None and node.pk not in seen:
            path.append(node)
            seen.add(node.pk)
            node = node.parent
        return path


# ---------------------------------------------------------------------------------------------------------
# Interfaces


class InterfaceQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        role = _role(user)
        if role is None:
            return False
        if role == "customer":
            # only the ports their own lines end on; a shared device's other ports are not theirs to see
            if action != VIEW:
                return False
            return Q(
                pk__in=LineEndpoint.objects.filter(line__in=Line.objects.restrict(user, VIEW).values("pk"))
                .exclude(interface__isnull=True)
                .values("interface_id")
            )
        return Q(device__in=Device.objects.restrict(user, action).values("pk"))


class Interface(KamModel):
    """A port of a device as SNMP sees it (IF-MIB)."""

    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="interfaces")
    if_index = models.PositiveIntegerField(_("ifIndex"))
    if_name = models.CharField(_("ifName"), max_length=255, blank=True, db_index=True)
    if_alias = models.CharField(_("ifAlias"), max_length=255, blank=True, db_index=True)
    speed_kbps = models.PositiveBigIntegerField(_("speed (kbit/s)"), null=True, blank=True)
    admin_status = models.CharField(
        _("admin status"), max_length=20, choices=IfStatus.choices, default=IfStatus.UNKNOWN
    )
    oper_status = models.CharField(_("oper status"), max_length=20, choices=IfStatus.choices, default=IfStatus.UNKNOWN)
    last_change = models.DateTimeField(_("last change"), null=True, blank=True)

    objects = InterfaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("interface")
        verbose_name_plural = _("interfaces")
        ordering = ["device", "if_index"]
        constraints = [models.UniqueConstraint(fields=["device", "if_index"], name="interface_ifindex_unique")]

    def __str__(self) -> str:
        return f"{self.device.name} {self.if_name or self.if_index}"

    def get_absolute_url(self) -> str:
        return reverse("lines:device-detail", kwargs={"pk": self.device_id}) + f"?tab=interfaces#if-{self.pk}"


# ---------------------------------------------------------------------------------------------------------
# Lines


class LineQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        role = _role(user)
        base = customer_scope(user, action, prefix="customer__")
        if role in SERVICE_ROLES and action in _READ:
            return _or(base, _region_q(user, "region"))
        if role == "engineer" and action == CHANGE:
            # engineers provision and maintain the lines of their region (service side only)
            return _or(_region_q(user, "region"))
        return base

    def active(self) -> LineQuerySet:
        return self.filter(status=LineStatus.ACTIVE)

    def for_customer(self, customer: Any) -> LineQuerySet:
        return self.filter(customer=customer)


class Line(KamModel):
    """A dedicated line (专线): a service sold to a customer, running between an A and a Z end."""

    circuit_id = models.CharField(_("circuit id"), max_length=64, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="lines"
    )
    product = models.CharField(_("product"), max_length=32, choices=Product.choices, default=Product.DIA)
    line_type = models.CharField(_("line type"), max_length=16, choices=LineType.choices, default=LineType.DIA)
    bandwidth_kbps = models.PositiveBigIntegerField(_("bandwidth (kbit/s)"), validators=[MinValueValidator(1)])
    protection_level = models.CharField(
        _("protection level"), max_length=8, choices=ProtectionLevel.choices, default=ProtectionLevel.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=LineStatus.choices, default=LineStatus.PLANNED, db_index=True
    )
    monthly_fee = models.DecimalField(
        _("monthly fee (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    contract_ref = models.CharField(_("contract reference"), max_length=64, blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True)
    test_address = models.GenericIPAddressField(_("test address"), null=True, blank=True)
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
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"), blank=True)

    objects = LineQuerySet.as_manager()

    # Shown only to users who see commercial data (``user.sees_commercial``).
    COMMERCIAL_FIELDS = ("monthly_fee", "contract_ref")

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        ordering = ["circuit_id"]
        constraints = [
            models.CheckConstraint(condition=Q(bandwidth_kbps__gte=1), name="line_bandwidth_positive"),
            models.CheckConstraint(
                condition=Q(monthly_fee__isnull=True) | Q(monthly_fee__gte=0), name="line_fee_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["region", "status"]),
        ]

    def __str__(self) -> str:
        return self.circuit_id

    def get_absolute_url(self) -> str:
        return reverse("lines:line-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        for field in ("a_site", "z_site"):
            site = getattr(self, field)
            if site is not None and self.customer_id and site.customer_id != self.customer_id:
                errors[field] = _("The site belongs to another customer.")
        if self.activated_at and self.terminated_at and self.terminated_at < self.activated_at:
            errors["terminated_at"] = _("A line cannot end before it was activated.")
        if errors:
            raise ValidationError(errors)

    def site_for(self, end: str) -> Any:
        return self.a_site if end == End.A else self.z_site


class LineEndpointQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        if _role(user) is None:
            return False
        return Q(line__in=Line.objects.restrict(user, action).values("pk"))


class LineEndpoint(KamModel):
    """One end of a line on a device port (bound by hand, by import or by discovery), with its VLAN."""

    line = models.ForeignKey(Line, verbose_name=_("line"), on_delete=models.CASCADE, related_name="endpoints")
    end = models.CharField(_("end"), max_length=1, choices=End.choices)
    interface = models.ForeignKey(
        Interface,
        verbose_name=_("interface"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="endpoints",
    )
    vlan = models.PositiveSmallIntegerField(
        _("VLAN"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4094)]
    )
    role = models.CharField(_("role"), max_length=8, choices=EndpointRole.choices, default=EndpointRole.PRIMARY)

    objects = LineEndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("line endpoint")
        verbose_name_plural = _("line endpoints")
        ordering = ["line", "end", "role"]
        constraints = [
            models.UniqueConstraint(fields=["line", "end", "role"], name="endpoint_unique_per_line_end_role"),
            models.CheckConstraint(
                condition=Q(vlan__isnull=True) | (Q(vlan__gte=1) & Q(vlan__lte=4094)), name="endpoint_vlan_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line.circuit_id} {self.end} ({self.get_role_display()})"


# ---------------------------------------------------------------------------------------------------------
# Discovery and activation tests


class DiscoveryRunQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        if _role(user) in (None, "customer"):
            return False
        return Q(device__in=Device.objects.restrict(user, action).values("pk"))


class DiscoveryRun(KamModel):
    """One SNMP discovery of a device: what was found, bound and proposed."""

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="discovery_runs"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DiscoveryStatus.choices, default=DiscoveryStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    interfaces_found = models.PositiveIntegerField(_("interfaces found"), default=0)
    endpoints_bound = models.PositiveIntegerField(_("endpoints bound"), default=0)
    proposals_made = models.PositiveIntegerField(_("proposals made"), default=0)
    error = models.TextField(_("error"), blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DiscoveryRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("discovery run")
        verbose_name_plural = _("discovery runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.device} {self.started_at:%Y-%m-%d %H:%M}"


class DiscoveryProposalQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        if _role(user) in (None, "customer"):
            return False
        return Q(device__in=Device.objects.restrict(user, action).values("pk"))

    def pending(self) -> DiscoveryProposalQuerySet:
        return self.filter(status=ProposalStatus.PENDING)


class DiscoveryProposal(KamModel):
    """An interface discovery could not bind by itself, waiting for an engineer to confirm or dismiss it."""

    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="proposals")
    interface = models.ForeignKey(
        Interface, verbose_name=_("interface"), on_delete=models.CASCADE, related_name="proposals"
    )
    line = models.ForeignKey(
        Line, verbose_name=_("suggested line"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    end = models.CharField(_("end"), max_length=1, choices=End.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PENDING, db_index=True
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

    objects = DiscoveryProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("discovery proposal")
        verbose_name_plural = _("discovery proposals")
        ordering = ["device", "interface__if_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["interface"], condition=Q(status="pending"), name="one_pending_proposal_per_interface"
            )
        ]

    def __str__(self) -> str:
        return f"{self.interface} → {self.line or '—'}"


class ActivationTestQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        if _role(user) is None:
            return False
        return Q(line__in=Line.objects.restrict(user, action).values("pk"))


class ActivationTest(KamModel):
    """A real check of a line before handing it over: ports up, test address reachable, round-trip time."""

    line = models.ForeignKey(Line, verbose_name=_("line"), on_delete=models.CASCADE, related_name="activation_tests")
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True)
    # {"check_key": {"passed": bool, "detail": str, "value": number|str|None}, ...}
    results = models.JSONField(_("results"), default=dict, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ActivationTestQuerySet.as_manager()

    class Meta:
        verbose_name = _("activation test")
        verbose_name_plural = _("activation tests")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.line} {self.started_at:%Y-%m-%d %H:%M}"
