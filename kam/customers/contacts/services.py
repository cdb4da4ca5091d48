"""Every change to contacts and attitudes: typed, keyword-only, atomic, raising domain errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.errors import Forbidden, ValidationFailed
from kam.customers.contacts.choices import ATTITUDE_VALUES, HOSTILE_AT, AttitudeSource, BuyingRole
from kam.customers.models import AttitudeAssessment, Contact, Customer
from kam.customers.models.contacts import check_reports_to

KIND_HOSTILE = "contact.hostile_decision_maker"
KIND_LEFT = "contact.key_person_left"

# fields a caller may set on create/update (besides customer and reports_to, handled apart)
EDITABLE_FIELDS = (
    "name",
    "title",
    "department",
    "phone",
    "mobile",
    "email",
    "buying_role",
    "key_person",
    "left_company",
    "left_at",
    "relationship_owner",
    "private_notes",
)


def register_notification_kinds() -> None:
    from django.utils.translation import gettext_lazy

    from kam.core.notifications import register_kind

    register_kind(
        KIND_HOSTILE,
        gettext_lazy("Hostile decision maker"),
        description=gettext_lazy("A decision maker at one of my customers was assessed at -3 or below."),
    )
    register_kind(
        KIND_LEFT,
        gettext_lazy("Key person left"),
        description=gettext_lazy("A key person at one of my customers left the company."),
    )


# --- helpers --------------------------------------------------------------------------------------------


def _full_clean(contact: Contact) -> None:
    try:
        contact.full_clean(exclude=["customer", "relationship_owner", "reports_to"])
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc


def _check_private_notes(actor: Any, changes: dict[str, Any]) -> None:
    if "private_notes" in changes and not getattr(actor, "sees_commercial", False):
        raise Forbidden(
            _("You may not see or change private notes."),
            code="private_notes_forbidden",
            fields={"private_notes": [_("Only commercial roles may edit private notes.")]},
        )


def team_users(customer: Customer) -> list[Any]:
    """The account team of ``customer`` and of the group customers above it, active users only."""
    from kam.customers.models import AccountTeamMember

    ids = [int(part) for part in (customer.path or "").strip("/").split("/") if part.isdigit()] or [customer.pk]
    members = AccountTeamMember.objects.filter(customer_id__in=ids, user__is_active=True).select_related("user")
    unique: dict[int, Any] = {}
    for member in members:
        unique.setdefault(member.user_id, member.user)
    return list(unique.values())


def _notify_team(contact: Contact, *, kind: str, title: Callable[[], str], body: Callable[[], str]) -> None:
    """Notify the account team once per contact per day, each member in their own language."""
    from django.conf import settings
    from django.utils import translation

    from kam.core.notifications import notify

    day = timezone.localdate().isoformat()
    by_language: dict[str, list[Any]] = {}
    for user in team_users(contact.customer):
        by_language.setdefault(getattr(user, "language", "") or settings.LANGUAGE_CODE, []).append(user)
    for language, recipients in sorted(by_language.items()):
        with translation.override(language):
            notify(
                recipients=recipients,
                kind=kind,
                title=title(),
                body=body(),
                url=reverse("contacts:detail", kwargs={"pk": contact.pk}),
                dedupe_key=f"{kind}:{contact.pk}:{day}",
            )


def _maybe_notify_hostile(contact: Contact) -> None:
    if (
        contact.buying_role == BuyingRole.DECISION_MAKER
        and not contact.left_company
        and contact.current_attitude is not None
        and contact.current_attitude <= HOSTILE_AT
    ):
        _notify_team(
            contact,
            kind=KIND_HOSTILE,
            title=lambda: (
                _("Decision maker %(name)s at %(customer)s is hostile (%(score)+d)")
                % {"name": contact.name, "customer": contact.customer, "score": contact.current_attitude}
            ),
            body=lambda: (
                _("The latest attitude assessment of %(name)s (%(title)s) is %(label)s.")
                % {"name": contact.name, "title": contact.title or "-", "label": contact.get_current_attitude_display()}
            ),
        )


def _maybe_notify_left(contact: Contact) -> None:
    if contact.key_person and contact.left_company:
        _notify_team(
            contact,
            kind=KIND_LEFT,
            title=lambda: (
                _("Key person %(name)s left %(customer)s") % {"name": contact.name, "customer": contact.customer}
            ),
            body=lambda: (
                _("%(name)s (%(title)s) left the company on %(date)s.")
                % {"name": contact.name, "title": contact.title or "-", "date": contact.left_at or "-"}
            ),
        )


def _resolve_manager(contact: Contact, manager: Contact | None) -> Contact | None:
    try:
        check_reports_to(contact, manager)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    return manager


# --- contacts -------------------------------------------------------------------------------------------


@transaction.atomic
def create_contact(*, customer: Customer, actor: Any, reports_to: Contact | None = None, **fields: Any) -> Contact:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields={name: [_("Unknown field.")] for name in sorted(unknown)})
    _check_private_notes(actor, {k: v for k, v in fields.items() if v})
    contact = Contact(customer=customer, **fields)
    if contact.left_company and contact.left_at is None:
        contact.left_at = timezone.localdate()
    _full_clean(contact)
    _resolve_manager(contact, reports_to)
    contact.reports_to = reports_to
    contact.save()
    _maybe_notify_left(contact)
    return contact


@transaction.atomic
def update_contact(*, contact: Contact, actor: Any, **changes: Any) -> Contact:
    """Change fields of a contact; ``reports_to`` goes through :func:`set_reports_to`'s checks; leaving
    the company goes through :func:`record_departure`'s notification."""
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"reports_to"}
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields={name: [_("Unknown field.")] for name in sorted(unknown)})
    _check_private_notes(actor, changes)
    was_left = contact.left_company
    was_key = contact.key_person
    was_role = contact.buying_role
    manager_given = "reports_to" in changes
    manager = changes.pop("reports_to", None)
    for name, value in changes.items():
        setattr(contact, name, value)
    if contact.left_company and contact.left_at is None:
        contact.left_at = timezone.localdate()
    if not contact.left_company:
        contact.left_at = None
    _full_clean(contact)
    if manager_given:
        contact.reports_to = _resolve_manager(contact, manager)
    contact.save()
    if contact.left_company and contact.key_person and not (was_left and was_key):
        _maybe_notify_left(contact)
    if contact.buying_role != was_role:
        _maybe_notify_hostile(contact)
    return contact


@transaction.atomic
def set_reports_to(*, contact: Contact, reports_to: Contact | None, actor: Any) -> Contact:
    """Move a contact in the decision tree; cycles and managers outside the customer group are rejected."""
    contact.reports_to = _resolve_manager(contact, reports_to)
    contact.save(update_fields=["reports_to", "updated_at"])
    return contact


@transaction.atomic
def record_departure(*, contact: Contact, actor: Any, left_at: date | None = None) -> Contact:
    """Mark a contact as having left; their reports move up to their manager; a key person's team is told."""
    left_at = left_at or timezone.localdate()
    if isinstance(left_at, datetime):
        left_at = timezone.localtime(left_at).date() if timezone.is_aware(left_at) else left_at.date()
    if left_at > timezone.localdate():
        raise ValidationFailed(
            _("The leaving date cannot be in the future."), fields={"left_at": [_("The date is in the future.")]}
        )
    already = contact.left_company
    contact.left_company = True
    contact.left_at = left_at
    contact.save(update_fields=["left_company", "left_at", "updated_at"])
    if not already:
        _maybe_notify_left(contact)
    return contact


@transaction.atomic
def delete_contact(*, contact: Contact, actor: Any) -> None:
    """Delete a contact (entered by mistake); their reports move up to their manager."""
    for report in Contact.objects.filter(reports_to=contact):
        report.reports_to_id = contact.reports_to_id
        report.save(update_fields=["reports_to", "updated_at"])
    contact.delete()


# --- attitudes ------------------------------------------------------------------------------------------


def _refresh_current_attitude(contact: Contact) -> None:
    latest = AttitudeAssessment.objects.filter(contact=contact).latest_first().values("score", "assessed_at").first()
    contact.current_attitude = latest["score"] if latest else None
    contact.current_attitude_at = latest["assessed_at"] if latest else None
    Contact.objects.filter(pk=contact.pk).update(
        current_attitude=contact.current_attitude, current_attitude_at=contact.current_attitude_at
    )


@transaction.atomic
def assess_attitude(
    *,
    contact: Contact,
    score: int,
    evidence: str,
    actor: Any,
    assessed_at: datetime | None = None,
    source: str = AttitudeSource.OTHER,
    visit_id: int | None = None,
) -> AttitudeAssessment:
    """Record an attitude; the contact's current attitude becomes the latest assessment by time.

    A decision maker whose current attitude is -3 or below raises a notification to the account team, at
    most once per contact per day.
    """
    errors: dict[str, list[str]] = {}
    if score not in ATTITUDE_VALUES:
        errors["score"] = [
            _("%(score)s is not on the attitude scale (%(values)s).")
            % {"score": score, "values": ", ".join(f"{v:+d}" for v in ATTITUDE_VALUES)}
        ]
    if source not in AttitudeSource.values:
        errors["source"] = [_("Unknown source.")]
    now = timezone.now()
    assessed_at = assessed_at or now
    if timezone.is_naive(assessed_at):
        assessed_at = timezone.make_aware(assessed_at)
    if assessed_at > now + timedelta(minutes=5):
        errors["assessed_at"] = [_("An assessment cannot be in the future.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    assessment = AttitudeAssessment.objects.create(
        contact=contact,
        score=score,
        evidence=(evidence or "").strip(),
        assessed_by=actor if getattr(actor, "pk", None) else None,
        assessed_at=assessed_at,
        source=source,
        visit_id=visit_id,
    )
    _refresh_current_attitude(contact)
    _maybe_notify_hostile(contact)
    return assessment
