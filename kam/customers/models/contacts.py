"""Contacts at a key account (the decision tree) and their attitude assessments."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kam.core.models import KamModel, ScopedQuerySet
from kam.customers.contacts.choices import (
    HOSTILE_AT,
    LEFT_COLOUR,
    Attitude,
    AttitudeSource,
    BuyingRole,
    attitude_colour,
)
from kam.customers.contacts.searchtext import build_search_text, normalise_query
from kam.customers.permissions import customer_scope


def group_root_id(customer: Any) -> int | None:
    """The id of the group HQ (tree root) a customer belongs to, from its materialised path."""
    path = getattr(customer, "path", "") or ""
    first = path.strip("/").split("/")[0] if path.strip("/") else ""
    return int(first) if first.isdigit() else getattr(customer, "pk", None)


class ContactQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        return customer_scope(user, action, prefix="customer__")

    def current(self) -> ContactQuerySet:
        return self.filter(left_company=False)

    def hostile(self) -> ContactQuerySet:
        return self.filter(current_attitude__lte=HOSTILE_AT)

    def hostile_decision_makers(self) -> ContactQuerySet:
        return self.current().hostile().filter(buying_role=BuyingRole.DECISION_MAKER)

    def for_customer(self, customer: Any) -> ContactQuerySet:
        return self.filter(customer=customer)

    def search(self, q: str) -> ContactQuerySet:
        """Contacts whose name, pinyin, initials, phones or e-mail contain ``q``.

        Three characters or more use the trigram index on ``search_text`` (FTS5 on SQLite, pg_trgm on
        PostgreSQL, migration 0006); shorter queries match a name prefix (an index range) or scan.
        """
        needle = normalise_query(q)
        if not needle:
            return self
        return self.filter(contact_search_filter(q, needle))


def contact_search_filter(raw: str, needle: str) -> Q:
    from django.db import connection
    from django.db.models.expressions import RawSQL

    if len(needle) < 3:
        prefix = raw.strip()
        return Q(name__gte=prefix, name__lt=prefix + "\uffff") | Q(search_text__contains=needle)
    if connection.vendor == "sqlite":
        term = '"' + needle.replace('"', '""') + '"'
        return Q(id__in=RawSQL(f"SELECT rowid FROM {CONTACT_FTS} WHERE {CONTACT_FTS} MATCH %s", (term,)))
    return Q(search_text__contains=needle)


CONTACT_FTS = "customers_contact_fts"


class Contact(KamModel):
    """A person at a key account: their place in the decision tree, buying role and our relationship."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    phone = models.CharField(_("office phone"), max_length=32, blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    buying_role = models.CharField(
        _("buying role"), max_length=24, choices=BuyingRole.choices, default=BuyingRole.USER, db_index=True
    )
    key_person = models.BooleanField(_("key person"), default=False)
    left_company = models.BooleanField(_("left the company"), default=False)
    left_at = models.DateField(_("left on"), null=True, blank=True)
    relationship_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relationship owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_contacts",
    )
    private_notes = models.TextField(
        _("private notes"), blank=True, help_text=_("Seen only by commercial roles, never by NOC or the customer.")
    )
    current_attitude = models.SmallIntegerField(
        _("current attitude"), choices=Attitude.choices, null=True, blank=True, editable=False
    )
    current_attitude_at = models.DateTimeField(_("attitude assessed at"), null=True, blank=True, editable=False)
    search_text = models.CharField(max_length=500, blank=True, editable=False, default="")

    objects = ContactQuerySet.as_manager()

    audit_exclude = ("private_notes",)
    audit_ignore = ("search_text", "current_attitude", "current_attitude_at")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer", "name", "pk"]
        indexes = [
            models.Index(fields=["customer", "left_company"], name="contact_customer_left"),
            models.Index(fields=["current_attitude", "buying_role"], name="contact_attitude_role"),
            models.Index(fields=["name"], name="contact_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(reports_to=models.F("pk")), name="contact_not_own_manager"),
            models.CheckConstraint(
                condition=Q(current_attitude__isnull=True) | Q(current_attitude__in=[int(v) for v in Attitude.values]),
                name="contact_attitude_on_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contacts:detail", kwargs={"pk": self.pk})

    @property
    def attitude_colour(self) -> str:
        return LEFT_COLOUR if self.left_company else attitude_colour(self.current_attitude)

    @property
    def attitude_text_colour(self) -> str:
        score = self.current_attitude
        return "#ffffff" if score is not None and (score >= 4 or score <= -3) and not self.left_company else "#1f2937"

    @property
    def is_hostile(self) -> bool:
        return self.current_attitude is not None and self.current_attitude <= HOSTILE_AT

    def refresh_search_text(self) -> None:
        self.search_text = build_search_text(self.name, self.mobile, self.phone, email=self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.left_at and not self.left_company:
            errors["left_at"] = _("A leaving date needs the left-the-company flag.")
        if self.reports_to_id:
            try:
                check_reports_to(self, self.reports_to)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)


def check_reports_to(contact: Contact, manager: Contact | None) -> None:
    """A manager is a contact of the same customer group, and the chain never loops back to ``contact``."""
    if manager is None:
        return
    if contact.pk is not None and manager.pk == contact.pk:
        raise ValidationError({"reports_to": _("A contact cannot report to themselves.")})
    if contact.customer_id and group_root_id(manager.customer) != group_root_id(contact.customer):
        raise ValidationError({"reports_to": _("The manager must work for the same customer group.")})
    if contact.pk is None:
        return
    seen: set[int] = set()
    node_id: int | None = manager.pk
    while node_id is not None:
        if node_id == contact.pk:
            raise ValidationError(
                {
                    "reports_to": _(
                        "%(manager)s already reports, directly or indirectly, to %(contact)s: that would be a cycle."
                    )
                    % {"manager": manager.name, "contact": contact.name}
                }
            )
        if node_id in seen:
            break
        seen.add(node_id)
        node_id = Contact.objects.filter(pk=node_id).values_list("reports_to_id", flat=True).first()


class AttitudeAssessmentQuerySet(ScopedQuerySet):
    def scope(self, user: Any, action: str) -> Q | bool:
        if getattr(user, "role", None) == "customer":
            return False  # a customer never sees how we rate its people
        return customer_scope(user, action, prefix="contact__customer__")

    def latest_first(self) -> AttitudeAssessmentQuerySet:
        return self.order_by("-assessed_at", "-pk")


class AttitudeAssessment(KamModel):
    """One judgement of a contact's attitude towards us, with who made it, when and on what evidence."""

    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="attitudes")
    score = models.SmallIntegerField(_("attitude"), choices=Attitude.choices)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attitude_assessments",
    )
    assessed_at = models.DateTimeField(_("assessed at"))
    evidence = models.TextField(_("evidence"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=AttitudeSource.choices, default=AttitudeSource.OTHER)
    visit_id = models.PositiveBigIntegerField(_("visit"), null=True, blank=True, db_index=True)

    objects = AttitudeAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attitude assessment")
        verbose_name_plural = _("attitude assessments")
        ordering = ["-assessed_at", "-pk"]
        indexes = [models.Index(fields=["contact", "-assessed_at"], name="attitude_contact_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__in=[int(v) for v in Attitude.values]), name="attitude_score_on_scale"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} {self.score:+d}"
