"""Every state change of the engagement app: visits, account plans, competitors, feedback.

Typed, keyword-only functions, each run in one transaction, checking the actor's rights on the object and
raising domain errors with stable codes (DESIGN.md "Where rules live"). UI views and API routes call these.
``actor=None`` is the system (demo data, periodic tasks): no permission check.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.audit import audit_context
from kam.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kam.core.permissions import APPROVE, CHANGE, DELETE, VIEW, can
from kam.engagement.choices import (
    ActionStatus,
    FeedbackStatus,
    PlanStatus,
    PresenceSource,
    VisitStatus,
)
from kam.engagement.models import (
    AccountPlan,
    Competitor,
    CompetitorPresence,
    CompetitorSighting,
    Feedback,
    PlanAction,
    PlanReview,
    SwotItem,
    Visit,
)

AttitudeUpdate = tuple[Any, int, str]  # (contact, score, evidence)
Sighting = tuple[Any, str]  # (competitor, note)


# --- helpers --------------------------------------------------------------------------------------------


def _require(actor: Any, action: str, obj: models.Model) -> None:
    """Raise 404 when ``actor`` cannot see ``obj`` and 403 when it may see but not act on it."""
    if actor is None:
        return
    manager: Any = type(obj)._default_manager
    if not manager.visible_to(actor).filter(pk=obj.pk).exists():
        from kam.core.permissions import _not_found_message

        raise NotFound(_not_found_message(type(obj)))
    if action != VIEW and not can(actor, action, obj):
        raise Forbidden(_("You are not allowed to do this."))


def _require_customer(actor: Any, customer: Any, action: str = CHANGE) -> None:
    """Engagement records of a customer are written by those who may change the customer's commercial data."""
    if actor is None:
        return
    from kam.customers.models import Customer
    from kam.engagement.permissions import NON_COMMERCIAL_ROLES

    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise NotFound(_("Customer not found."))
    if getattr(actor, "role", None) in NON_COMMERCIAL_ROLES or not can(actor, action, customer):
        raise Forbidden(_("You are not allowed to do this."))


def _full_clean(obj: models.Model, exclude: Sequence[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc


def _set_fields(obj: models.Model, fields: dict[str, Any], allowed: Iterable[str]) -> list[str]:
    allowed = set(allowed)
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here."), fields={name: [_("Not editable.")] for name in unknown}
        )
    changed = []
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def group_root_id(customer: Any) -> int | None:
    path = (getattr(customer, "path", "") or "").strip("/")
    first = path.split("/")[0] if path else ""
    return int(first) if first.isdigit() else getattr(customer, "pk", None)


def _check_contacts(customer: Any, contacts: Iterable[Any], field: str = "contacts") -> list[Any]:
    """Contacts taking part in a visit work for the visit's customer group."""
    contacts = list(contacts)
    root = group_root_id(customer)
    foreign = [c for c in contacts if group_root_id(c.customer) != root]
    if foreign:
        names = ", ".join(str(c) for c in foreign)
        raise ValidationFailed(
            _("These contacts do not work for the customer's group: %(names)s.") % {"names": names},
            fields={field: [_("Only contacts of the same customer group can take part.")]},
        )
    return contacts


def _check_staff(users: Iterable[Any], field: str) -> list[Any]:
    users = [u for u in users if u is not None]
    bad = [u for u in users if getattr(u, "role", None) == "customer" or not u.is_active]
    if bad:
        raise ValidationFailed(
            _("Only active staff users can be named here."), fields={field: [_("Not an active staff user.")]}
        )
    return users


# --- visits ---------------------------------------------------------------------------------------------

VISIT_FIELDS = (
    "channel",
    "planned_at",
    "occurred_at",
    "purpose",
    "summary",
    "outcomes",
    "next_step",
    "next_step_due",
    "next_step_owner",
    "next_step_done",
)


@transaction.atomic
def plan_visit(
    *,
    customer: Any,
    channel: str,
    planned_at: datetime,
    purpose: str,
    our_participants: Iterable[Any] = (),
    contacts: Iterable[Any] = (),
    actor: Any,
) -> Visit:
    """Put a visit in the diary."""
    _require_customer(actor, customer)
    if planned_at is None:
        raise ValidationFailed(
            _("A planned visit needs its date and time."), fields={"planned_at": [_("This field is required.")]}
        )
    visit = Visit(
        customer=customer,
        channel=channel,
        status=VisitStatus.PLANNED,
        planned_at=planned_at,
        purpose=purpose,
        created_by=actor,
    )
    _full_clean(visit, exclude=["customer", "created_by", "next_step_owner"])
    visit.save()
    _set_participants(visit, our_participants, contacts, replace=True)
    return visit


def _set_participants(visit: Visit, users: Iterable[Any] | None, contacts: Iterable[Any] | None, replace: bool) -> None:
    if users is not None:
        staff = _check_staff(users, "our_participants")
        if replace:
            visit.our_participants.set(staff)
        else:
            visit.our_participants.add(*staff)
    if contacts is not None:
        people = _check_contacts(visit.customer, contacts)
        if replace:
            visit.their_participants.set(people)
        else:
            visit.their_participants.add(*people)


@transaction.atomic
def update_visit(
    *,
    visit: Visit,
    actor: Any,
    our_participants: Iterable[Any] | None = None,
    contacts: Iterable[Any] | None = None,
    **fields: Any,
) -> Visit:
    """Change a planned or done visit's details (not its status: use record or cancel)."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    _require(actor, CHANGE, visit)
    if visit.status == VisitStatus.CANCELLED:
        raise Conflict(_("A cancelled visit cannot be changed."), code="visit_cancelled")
    if fields.get("next_step_owner") is not None:
        _check_staff([fields["next_step_owner"]], "next_step_owner")
    changed = _set_fields(visit, fields, VISIT_FIELDS)
    _full_clean(visit, exclude=["customer", "created_by", "next_step_owner"])
    if changed:
        visit.save()
    _set_participants(visit, our_participants, contacts, replace=True)
    return visit


@transaction.atomic
def record_visit(
    *,
    visit: Visit | None,
    customer: Any,
    channel: str,
    occurred_at: datetime,
    purpose: str,
    summary: str = "",
    outcomes: str = "",
    next_step: str = "",
    next_step_due: date | None = None,
    next_step_owner: Any = None,
    our_participants: Iterable[Any] | None = None,
    contacts: Iterable[Any] | None = None,
    attitude_updates: Sequence[AttitudeUpdate] = (),
    competitor_sightings: Sequence[Sighting] = (),
    actor: Any,
) -> Visit:
    """Record a visit that took place — a new one, or a planned one (``visit``) — in one transaction.

    Attitude updates go through the contacts service (``source="visit"``, with the visit's id) and every
    competitor seen refreshes its presence at the customer (created when new, ``last_seen`` moved forward).
    Any failure rolls back the visit, the attitudes and the presences together.
    """
    if visit is not None:
        visit = Visit.objects.select_for_update().select_related("customer").get(pk=visit.pk)
        _require(actor, CHANGE, visit)
        if visit.customer_id != customer.pk:
            raise ValidationFailed(
                _("The visit belongs to another customer."), fields={"customer": [_("Does not match the visit.")]}
            )
        if visit.status == VisitStatus.CANCELLED:
            raise Conflict(_("A cancelled visit cannot be recorded."), code="visit_cancelled")
    else:
        _require_customer(actor, customer)
        visit = Visit(customer=customer, created_by=actor)
    if occurred_at is None:
        raise ValidationFailed(
            _("A visit that took place needs its date and time."),
            fields={"occurred_at": [_("This field is required.")]},
        )
    if next_step_owner is not None:
        _check_staff([next_step_owner], "next_step_owner")
    visit.status = VisitStatus.DONE
    visit.channel = channel
    visit.occurred_at = occurred_at
    visit.purpose = purpose
    visit.summary = summary
    visit.outcomes = outcomes
    visit.next_step = next_step
    visit.next_step_due = next_step_due
    visit.next_step_owner = next_step_owner
    _full_clean(visit, exclude=["customer", "created_by", "next_step_owner"])
    visit.save()
    assessed = [update[0] for update in attitude_updates]
    people = list(contacts) if contacts is not None else None
    if assessed:
        _check_contacts(customer, assessed, field="attitude_updates")
        people = list({c.pk: c for c in [*(people or []), *assessed]}.values())
        if contacts is None:
            _set_participants(visit, None, people, replace=False)
            people = None
    _set_participants(visit, our_participants, people, replace=True)
    if attitude_updates:
        from kam.customers.contacts.services import assess_attitude

        for contact, score, evidence in attitude_updates:
            assess_attitude(
                contact=contact,
                score=score,
                evidence=evidence,
                actor=actor,
                assessed_at=occurred_at,
                source="visit",
                visit_id=visit.pk,
            )
    seen_on = timezone.localdate(occurred_at)
    for competitor, note in competitor_sightings:
        note_competitor(visit=visit, competitor=competitor, note=note, seen_on=seen_on)
    return visit


def note_competitor(*, visit: Visit, competitor: Competitor, note: str, seen_on: date) -> CompetitorPresence:
    """A competitor seen in a visit: keep the sighting and refresh the presence at the visit's customer."""
    CompetitorSighting.objects.update_or_create(visit=visit, competitor=competitor, defaults={"note": note[:500]})
    presence = (
        CompetitorPresence.objects.select_for_update()
        .filter(customer_id=visit.customer_id, competitor=competitor)
        .first()
    )
    if presence is None:
        presence = CompetitorPresence(
            customer_id=visit.customer_id,
            competitor=competitor,
            last_seen=seen_on,
            source=PresenceSource.VISIT,
            notes=note,
        )
        presence.save()
        return presence
    if presence.last_seen is None or presence.last_seen < seen_on:
        presence.last_seen = seen_on
        if note:
            presence.notes = note
        presence.save()
    return presence


@transaction.atomic
def cancel_visit(*, visit: Visit, actor: Any) -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    _require(actor, CHANGE, visit)
    if visit.status != VisitStatus.PLANNED:
        raise Conflict(_("Only a planned visit can be cancelled."), code="visit_not_planned")
    visit.status = VisitStatus.CANCELLED
    visit.save()
    return visit


@transaction.atomic
def delete_visit(*, visit: Visit, actor: Any) -> None:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    _require(actor, CHANGE, visit)
    if visit.status == VisitStatus.DONE:
        raise Conflict(_("A visit that took place is kept; correct it instead."), code="visit_done")
    visit.delete()


# --- competitors ----------------------------------------------------------------------------------------


def _check_competitor_name(name: str, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("A competitor needs a name."), fields={"name": [_("This field is required.")]})
    qs = Competitor.objects.filter(name__iexact=name)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise Conflict(
            _("A competitor named %(name)s exists already.") % {"name": name},
            code="competitor_exists",
            fields={"name": [_("Already exists.")]},
        )
    return name


@transaction.atomic
def create_competitor(*, name: str, notes: str = "", actor: Any) -> Competitor:
    if actor is not None and not _may_add_competitor(actor):
        raise Forbidden(_("You are not allowed to do this."))
    competitor = Competitor(name=_check_competitor_name(name), notes=notes)
    _full_clean(competitor)
    competitor.save()
    return competitor


def _may_add_competitor(actor: Any) -> bool:
    from kam.core.permissions import is_admin_user
    from kam.engagement.permissions import competitor_scope

    return is_admin_user(actor) or competitor_scope(actor, CHANGE) is True


@transaction.atomic
def update_competitor(*, competitor: Competitor, actor: Any, **fields: Any) -> Competitor:
    competitor = Competitor.objects.select_for_update().get(pk=competitor.pk)
    _require(actor, CHANGE, competitor)
    if "name" in fields:
        fields["name"] = _check_competitor_name(fields["name"], exclude_pk=competitor.pk)
    if _set_fields(competitor, fields, ("name", "notes")):
        _full_clean(competitor, exclude=["name"])
        competitor.save()
    return competitor


@transaction.atomic
def delete_competitor(*, competitor: Competitor, actor: Any) -> None:
    _require(actor, DELETE, competitor)
    if competitor.presences.exists() or competitor.sightings.exists():
        raise Conflict(
            _("The competitor is recorded at customers; remove those records first."), code="competitor_in_use"
        )
    competitor.delete()


PRESENCE_FIELDS = ("products", "estimated_annual_spend", "contract_end", "strength", "last_seen", "source", "notes")


@transaction.atomic
def create_presence(*, customer: Any, competitor: Competitor, actor: Any, **fields: Any) -> CompetitorPresence:
    _require_customer(actor, customer)
    if CompetitorPresence.objects.filter(customer=customer, competitor=competitor).exists():
        raise Conflict(
            _("%(competitor)s is already recorded at this customer.") % {"competitor": competitor},
            code="presence_exists",
            fields={"competitor": [_("Already recorded at this customer.")]},
        )
    presence = CompetitorPresence(customer=customer, competitor=competitor)
    _set_fields(presence, fields, PRESENCE_FIELDS)
    _full_clean(presence, exclude=["customer", "competitor"])
    presence.save()
    return presence


@transaction.atomic
def update_presence(*, presence: CompetitorPresence, actor: Any, **fields: Any) -> CompetitorPresence:
    presence = CompetitorPresence.objects.select_for_update().get(pk=presence.pk)
    _require(actor, CHANGE, presence)
    if _set_fields(presence, fields, PRESENCE_FIELDS):
        _full_clean(presence, exclude=["customer", "competitor"])
        presence.save()
    return presence


@transaction.atomic
def delete_presence(*, presence: CompetitorPresence, actor: Any) -> None:
    _require(actor, CHANGE, presence)
    presence.delete()


# --- account plans --------------------------------------------------------------------------------------

PLAN_FIELDS = ("stage", "revenue_goal", "share_of_wallet_goal", "strategy")


def _require_editable(plan: AccountPlan) -> None:
    if not plan.is_editable:
        raise Conflict(
            _("The plan is %(status)s; it can be changed only as a draft or after it was returned.")
            % {"status": plan.get_status_display()},
            code="plan_not_editable",
        )


def _lock_plan(plan: AccountPlan) -> AccountPlan:
    return AccountPlan.objects.select_for_update().select_related("customer").get(pk=plan.pk)


@transaction.atomic
def create_plan(
    *,
    customer: Any,
    year: int,
    actor: Any,
    stage: str = "start",
    revenue_goal: Decimal = Decimal("0"),
    share_of_wallet_goal: Decimal = Decimal("0"),
    strategy: str = "",
) -> AccountPlan:
    _require_customer(actor, customer)
    plan = AccountPlan(
        customer=customer,
        year=year,
        stage=stage,
        revenue_goal=revenue_goal,
        share_of_wallet_goal=share_of_wallet_goal,
        strategy=strategy,
    )
    _full_clean(plan, exclude=["customer"])
    if AccountPlan.objects.filter(customer=customer, year=year).exists():
        raise Conflict(
            _("%(customer)s has a plan for %(year)s already.") % {"customer": customer, "year": year},
            code="plan_exists",
            fields={"year": [_("A plan for this year exists.")]},
        )
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:  # a concurrent create
        raise Conflict(_("A plan for this year exists."), code="plan_exists") from exc
    return plan


@transaction.atomic
def update_plan(*, plan: AccountPlan, actor: Any, **fields: Any) -> AccountPlan:
    plan = _lock_plan(plan)
    _require(actor, CHANGE, plan)
    _require_editable(plan)
    if _set_fields(plan, fields, PLAN_FIELDS):
        _full_clean(plan, exclude=["customer"])
        plan.save()
    return plan


@transaction.atomic
def delete_plan(*, plan: AccountPlan, actor: Any) -> None:
    plan = _lock_plan(plan)
    _require(actor, CHANGE, plan)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(_("Only a draft plan can be deleted."), code="plan_not_draft")
    plan.delete()


@transaction.atomic
def submit_plan(*, plan: AccountPlan, actor: Any) -> AccountPlan:
    """An account manager of the team submits the plan for approval."""
    plan = _lock_plan(plan)
    _require(actor, CHANGE, plan)
    if not plan.can_move_to(PlanStatus.SUBMITTED):
        raise Conflict(
            _("A %(status)s plan cannot be submitted.") % {"status": plan.get_status_display()},
            code="plan_not_submittable",
        )
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.submitted_by = actor
    with audit_context(note="submitted"):
        plan.save()
    return plan


@transaction.atomic
def approve_plan(*, plan: AccountPlan, actor: Any) -> AccountPlan:
    """A director of the customer's region (or an admin) approves a submitted plan."""
    plan = _lock_plan(plan)
    _require(actor, APPROVE, plan)
    if not plan.can_move_to(PlanStatus.APPROVED):
        raise Conflict(
            _("A %(status)s plan cannot be approved.") % {"status": plan.get_status_display()},
            code="plan_not_submitted",
        )
    plan.status = PlanStatus.APPROVED
    plan.decided_at = timezone.now()
    plan.decided_by = actor
    plan.return_note = ""
    with audit_context(note="approved"):
        plan.save()
    return plan


@transaction.atomic
def return_plan(*, plan: AccountPlan, note: str, actor: Any) -> AccountPlan:
    """Send a submitted plan back to the team with a note saying what to change."""
    plan = _lock_plan(plan)
    _require(actor, APPROVE, plan)
    if not (note or "").strip():
        raise ValidationFailed(_("Say why the plan is returned."), fields={"note": [_("This field is required.")]})
    if not plan.can_move_to(PlanStatus.RETURNED):
        raise Conflict(
            _("A %(status)s plan cannot be returned.") % {"status": plan.get_status_display()},
            code="plan_not_submitted",
        )
    plan.status = PlanStatus.RETURNED
    plan.decided_at = timezone.now()
    plan.decided_by = actor
    plan.return_note = note.strip()
    with audit_context(note=("returned: " + plan.return_note)[:500]):
        plan.save()
    return plan


def _plan_for_part(plan: AccountPlan, actor: Any, editable: bool = True) -> AccountPlan:
    plan = _lock_plan(plan)
    _require(actor, CHANGE, plan)
    if editable:
        _require_editable(plan)
    return plan


@transaction.atomic
def add_swot_item(*, plan: AccountPlan, kind: str, text: str, actor: Any, position: int = 0) -> SwotItem:
    plan = _plan_for_part(plan, actor)
    item = SwotItem(plan=plan, kind=kind, text=text, position=position)
    _full_clean(item, exclude=["plan"])
    item.save()
    return item


@transaction.atomic
def update_swot_item(*, item: SwotItem, actor: Any, **fields: Any) -> SwotItem:
    item = SwotItem.objects.select_for_update().get(pk=item.pk)
    _plan_for_part(item.plan, actor)
    if _set_fields(item, fields, ("kind", "text", "position")):
        _full_clean(item, exclude=["plan"])
        item.save()
    return item


@transaction.atomic
def delete_swot_item(*, item: SwotItem, actor: Any) -> None:
    _plan_for_part(item.plan, actor)
    item.delete()


@transaction.atomic
def add_action(
    *, plan: AccountPlan, text: str, actor: Any, owner: Any = None, due_date: date | None = None
) -> PlanAction:
    plan = _plan_for_part(plan, actor)
    if owner is not None:
        _check_staff([owner], "owner")
    action = PlanAction(plan=plan, text=text, owner=owner, due_date=due_date)
    _full_clean(action, exclude=["plan", "owner"])
    action.save()
    return action


@transaction.atomic
def update_action(*, action: PlanAction, actor: Any, **fields: Any) -> PlanAction:
    """Change an action. Once the plan is approved only the action's status moves (the plan is executed)."""
    action = PlanAction.objects.select_for_update().get(pk=action.pk)
    plan = _plan_for_part(action.plan, actor, editable=False)
    if not plan.is_editable and set(fields) - {"status"}:
        _require_editable(plan)
    if fields.get("owner") is not None:
        _check_staff([fields["owner"]], "owner")
    if "status" in fields and fields["status"] not in ActionStatus.values:
        raise ValidationFailed(_("Unknown status."), fields={"status": [_("Unknown status.")]})
    if _set_fields(action, fields, ("text", "owner", "due_date", "status")):
        _full_clean(action, exclude=["plan", "owner"])
        action.save()
    return action


@transaction.atomic
def delete_action(*, action: PlanAction, actor: Any) -> None:
    _plan_for_part(action.plan, actor)
    action.delete()


@transaction.atomic
def add_review(
    *, plan: AccountPlan, date: date, event: str, actor: Any, what_happened: str = "", lessons: str = ""
) -> PlanReview:
    """A review (复盘) of a key event; reviews are written while the plan runs, so any status accepts them."""
    plan = _plan_for_part(plan, actor, editable=False)
    review = PlanReview(plan=plan, date=date, event=event, what_happened=what_happened, lessons=lessons)
    _full_clean(review, exclude=["plan"])
    review.save()
    return review


@transaction.atomic
def update_review(*, review: PlanReview, actor: Any, **fields: Any) -> PlanReview:
    review = PlanReview.objects.select_for_update().get(pk=review.pk)
    _plan_for_part(review.plan, actor, editable=False)
    if _set_fields(review, fields, ("date", "event", "what_happened", "lessons")):
        _full_clean(review, exclude=["plan"])
        review.save()
    return review


@transaction.atomic
def delete_review(*, review: PlanReview, actor: Any) -> None:
    _plan_for_part(review.plan, actor, editable=False)
    review.delete()


# --- feedback -------------------------------------------------------------------------------------------

FEEDBACK_FIELDS = ("kind", "title", "description", "contact")


def _lock_feedback(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update().select_related("customer").get(pk=feedback.pk)


def _illegal(feedback: Feedback, target: str) -> Conflict:
    return Conflict(
        _("Feedback that is %(status)s cannot be %(target)s.")
        % {"status": feedback.get_status_display(), "target": FeedbackStatus(target).label.lower()},
        code="feedback_transition",
    )


def _check_feedback_contact(customer: Any, contact: Any) -> None:
    if contact is not None:
        _check_contacts(customer, [contact], field="contact")


@transaction.atomic
def collect_feedback(
    *,
    customer: Any,
    kind: str,
    title: str,
    actor: Any,
    description: str = "",
    contact: Any = None,
    collected_at: datetime | None = None,
) -> Feedback:
    _require_customer(actor, customer)
    _check_feedback_contact(customer, contact)
    feedback = Feedback(
        customer=customer,
        kind=kind,
        title=title,
        description=description,
        contact=contact,
        collected_at=collected_at or timezone.now(),
        collected_by=actor,
        status=FeedbackStatus.COLLECTED,
    )
    _full_clean(feedback, exclude=["customer", "contact", "collected_by", "responsible"])
    feedback.save()
    return feedback


@transaction.atomic
def update_feedback(*, feedback: Feedback, actor: Any, **fields: Any) -> Feedback:
    feedback = _lock_feedback(feedback)
    _require(actor, CHANGE, feedback)
    if feedback.status == FeedbackStatus.CLOSED:
        raise Conflict(_("Closed feedback cannot be changed."), code="feedback_closed")
    if "contact" in fields:
        _check_feedback_contact(feedback.customer, fields["contact"])
    if _set_fields(feedback, fields, FEEDBACK_FIELDS):
        _full_clean(feedback, exclude=["customer", "contact", "collected_by", "responsible"])
        feedback.save()
    return feedback


@transaction.atomic
def route_feedback(*, feedback: Feedback, responsible: Any, actor: Any, at: datetime | None = None) -> Feedback:
    """Hand the feedback to the user who must decide on it (again, to hand it on)."""
    feedback = _lock_feedback(feedback)
    _require(actor, CHANGE, feedback)
    if not feedback.can_move_to(FeedbackStatus.ROUTED):
        raise _illegal(feedback, FeedbackStatus.ROUTED)
    if responsible is None:
        raise ValidationFailed(_("Name the user responsible."), fields={"responsible": [_("This field is required.")]})
    _check_staff([responsible], "responsible")
    feedback.responsible = responsible
    if feedback.status == FeedbackStatus.COLLECTED:
        feedback.status = FeedbackStatus.ROUTED
        feedback.routed_at = _at(at, feedback.collected_at)
    feedback.save()
    return feedback


@transaction.atomic
def decide_feedback(*, feedback: Feedback, decision: str, actor: Any, at: datetime | None = None) -> Feedback:
    """The responsible user (or someone who may change the customer) records the decision."""
    feedback = _lock_feedback(feedback)
    if actor is not None and feedback.responsible_id != actor.pk:
        _require(actor, CHANGE, feedback)
    if not feedback.can_move_to(FeedbackStatus.DECIDED):
        raise _illegal(feedback, FeedbackStatus.DECIDED)
    if not (decision or "").strip():
        raise ValidationFailed(_("Write the decision."), fields={"decision": [_("This field is required.")]})
    feedback.status = FeedbackStatus.DECIDED
    feedback.decision = decision.strip()
    feedback.decided_at = _at(at, feedback.routed_at or feedback.collected_at)
    feedback.save()
    return feedback


@transaction.atomic
def close_feedback(*, feedback: Feedback, actor: Any, at: datetime | None = None) -> Feedback:
    """Close decided feedback once the customer has been answered."""
    feedback = _lock_feedback(feedback)
    _require(actor, CHANGE, feedback)
    if not feedback.can_move_to(FeedbackStatus.CLOSED):
        raise _illegal(feedback, FeedbackStatus.CLOSED)
    feedback.status = FeedbackStatus.CLOSED
    feedback.closed_at = _at(at, feedback.decided_at or feedback.collected_at)
    feedback.save()
    return feedback


def _at(at: datetime | None, not_before: datetime | None) -> datetime:
    moment = at or timezone.now()
    if not_before is not None and moment < not_before:
        raise ValidationFailed(
            _("A step cannot happen before the previous one."), fields={"at": [_("Earlier than the previous step.")]}
        )
    return moment


# --- reminders ------------------------------------------------------------------------------------------


def _lead_ams(customers: list[Any]) -> dict[int, Any]:
    """customer id → its lead AM, else the lead AM of the nearest group customer above it."""
    from kam.customers.models import AccountTeamMember

    ancestor_ids = {int(p) for c in customers for p in (c.path or "").strip("/").split("/") if p.isdigit()}
    leads = {
        m.customer_id: m.user
        for m in AccountTeamMember.objects.filter(
            customer_id__in=ancestor_ids | {c.pk for c in customers}, role="lead_am", user__is_active=True
        ).select_related("user")
    }
    result = {}
    for customer in customers:
        chain = [int(p) for p in (customer.path or "").strip("/").split("/") if p.isdigit()] or [customer.pk]
        for pk in reversed(chain):
            if pk in leads:
                result[customer.pk] = leads[pk]
                break
    return result


def notify_overdue_customers(*, today: date | None = None) -> int:
    """Remind each overdue customer's lead AM, once per customer per ISO week; returns how many were sent."""
    from django.urls import reverse

    from kam.core.models import Notification
    from kam.core.notifications import notify
    from kam.customers.models import Customer
    from kam.engagement.queries import overdue_customers

    today = today or timezone.localdate()
    year, week, _weekday = today.isocalendar()
    customers = list(overdue_customers(Customer.objects.all(), today).order_by("pk"))
    keys = {c.pk: f"visit.overdue:{c.pk}:{year}-W{week:02d}" for c in customers}
    already = set(
        Notification.objects.filter(kind="visit.overdue", dedupe_key__in=list(keys.values())).values_list(
            "recipient_id", "dedupe_key"
        )
    )
    leads = _lead_ams(customers)
    sent = 0
    for customer in customers:
        lead = leads.get(customer.pk)
        if lead is None or (lead.pk, keys[customer.pk]) in already:
            continue
        last = customer.last_visit_at
        if last:
            body = _("Last visit on %(date)s; the cadence for grade %(grade)s is exceeded.") % {
                "date": timezone.localdate(last).isoformat(),
                "grade": customer.value_grade,
            }
        else:
            body = _("No visit has been recorded yet.")
        stored = notify(
            recipients=[lead],
            kind="visit.overdue",
            title=_("%(customer)s is overdue for a visit") % {"customer": customer},
            body=body,
            url=reverse("engagement:overdue"),
            dedupe_key=keys[customer.pk],
        )
        sent += len(stored)
    return sent
