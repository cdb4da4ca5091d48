"""REST routes: ``/api/v1/visits``, ``account-plans``, ``competitors``, ``competitor-presences``, ``feedback``.

Routes are thin: they resolve ids to objects the caller may see (404 otherwise, never leaking existence) and
call :mod:`kam.engagement.services`, which checks the action and raises domain errors (403, 409, 422).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kam.core.api import Page, fetch, responses
from kam.core.errors import NotFound, ValidationFailed
from kam.core.permissions import CHANGE, DELETE, VIEW
from kam.engagement import queries, services
from kam.engagement.models import (
    AccountPlan,
    Competitor,
    CompetitorPresence,
    Feedback,
    PlanAction,
    PlanReview,
    SwotItem,
    Visit,
)
from kam.engagement.schemas import (
    AccountPlanCreate,
    AccountPlanOut,
    AccountPlanUpdate,
    ActionIn,
    ActionOut,
    ActionUpdate,
    CompetitorCreate,
    CompetitorOut,
    CompetitorUpdate,
    DecideIn,
    FeedbackCreate,
    FeedbackOut,
    FeedbackUpdate,
    OverdueOut,
    PresenceCreate,
    PresenceOut,
    PresenceUpdate,
    ReturnIn,
    ReviewIn,
    ReviewOut,
    ReviewUpdate,
    RouteIn,
    SwotIn,
    SwotOut,
    SwotUpdate,
    TurnaroundOut,
    VisitCreate,
    VisitOut,
    VisitRecord,
    VisitUpdate,
)

visits_router = Router(tags=["visits"])
plans_router = Router(tags=["account plans"])
competitors_router = Router(tags=["competitors"])
presences_router = Router(tags=["competitors"])
feedback_router = Router(tags=["feedback"])


# --- lookups --------------------------------------------------------------------------------------------


def _customer(customer_id: int) -> Any:
    """The customer named in a body; the service decides whether the caller may act on it (404/403)."""
    from kam.customers.models import Customer

    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer


def _users(ids: Iterable[int] | None, field: str) -> list[Any] | None:
    if ids is None:
        return None
    from kam.identity.models import User

    wanted = set(ids)
    users = list(User.objects.filter(pk__in=wanted, is_active=True).exclude(role="customer"))
    if len(users) != len(wanted):
        raise ValidationFailed(_("Unknown or inactive user."), fields={field: [_("Unknown or inactive user.")]})
    return users


def _user(user_id: int | None, field: str) -> Any:
    if user_id is None:
        return None
    users = _users([user_id], field)
    return users[0] if users else None


def _contacts(ids: Iterable[int] | None, field: str = "contact_ids") -> list[Any] | None:
    if ids is None:
        return None
    from kam.customers.models import Contact

    wanted = set(ids)
    contacts = list(Contact.objects.filter(pk__in=wanted).select_related("customer"))
    if len(contacts) != len(wanted):
        raise ValidationFailed(_("Unknown contact."), fields={field: [_("Unknown contact.")]})
    return contacts


def _competitor(competitor_id: int, field: str = "competitor_id") -> Competitor:
    competitor = Competitor.objects.filter(pk=competitor_id).first()
    if competitor is None:
        raise ValidationFailed(_("Unknown competitor."), fields={field: [_("Unknown competitor.")]})
    return competitor


def _attitudes(updates: list[Any]) -> list[tuple[Any, int, str]]:
    contacts = {c.pk: c for c in _contacts([u.contact_id for u in updates], "attitude_updates") or []}
    return [(contacts[u.contact_id], u.score, u.evidence) for u in updates]


def _sightings(items: list[Any]) -> list[tuple[Any, str]]:
    return [(_competitor(s.competitor_id, "competitor_sightings"), s.note) for s in items]


def _not_null(data: dict[str, Any], names: Iterable[str]) -> None:
    for name in names:
        if name in data and data[name] is None:
            raise ValidationFailed(_("The request is not valid."), fields={name: [_("This field cannot be null.")]})


def _blank_none(data: dict[str, Any], names: Iterable[str]) -> None:
    for name in names:
        if name in data and data[name] is None:
            data[name] = ""


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Enum members from the schemas become their plain values."""
    return {k: (v.value if hasattr(v, "value") else v) for k, v in data.items()}


# --- visits ---------------------------------------------------------------------------------------------


def _visits() -> Any:
    return Visit.objects.select_related("customer").prefetch_related(
        "our_participants", "their_participants", "sightings__competitor"
    )


class OverdueRows:
    """The overdue customers as a lazily sliced sequence, so pagination computes one page of rows only."""

    def __init__(self, queryset: QuerySet[Any], today: date) -> None:
        self.queryset = queryset
        self.today = today
        self.cadence = queries.cadence_by_grade()

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [
            {
                "pk": c.pk,
                "name": c.name,
                "short_name": c.short_name,
                "value_grade": c.value_grade,
                "last_visit_at": c.last_visit_at,
                "cadence_days": self.cadence.get(c.value_grade, 0),
                "days_since_last_visit": (self.today - timezone.localdate(c.last_visit_at)).days
                if c.last_visit_at
                else None,
            }
            for c in self.queryset[index]
        ]


@visits_router.get("/overdue", response=responses(200, list[OverdueOut]))
@paginate(Page)
def overdue_visits(request: HttpRequest, q: str | None = None, value_grade: str | None = None) -> Any:
    """Customers in the caller's portfolio whose last visit is older than their grade's cadence."""
    today = timezone.localdate()
    qs = queries.customers_overdue_for_visit(request.user, today)
    if value_grade:
        qs = qs.filter(value_grade=value_grade)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    return OverdueRows(qs, today)


@visits_router.get("", response=responses(200, list[VisitOut]))
@paginate(Page)
def list_visits(
    request: HttpRequest,
    customer_id: int | None = None,
    status: str | None = None,
    channel: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    participant_id: int | None = None,
    next_step_open: bool | None = None,
    q: str | None = None,
) -> Any:
    qs = _visits().visible_to(request.user).annotate(at=Coalesce("occurred_at", "planned_at"))
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    if participant_id is not None:
        qs = qs.filter(our_participants=participant_id)
    if next_step_open is not None:
        open_q = ~Q(next_step="") & Q(next_step_done=False)
        qs = qs.filter(open_q) if next_step_open else qs.exclude(open_q)
    if q:
        qs = qs.filter(
            Q(purpose__icontains=q)
            | Q(summary__icontains=q)
            | Q(customer__name__icontains=q)
            | Q(customer__short_name__icontains=q)
        )
    return qs.order_by("-at", "-pk")


@visits_router.post("", response=responses(201, VisitOut))
def create_visit(request: HttpRequest, payload: VisitCreate) -> Any:
    customer = _customer(payload.customer_id)
    users = _users(payload.our_participant_ids, "our_participant_ids") or []
    contacts = _contacts(payload.contact_ids) or []
    if payload.status == "planned":
        if payload.attitude_updates or payload.competitor_sightings:
            raise ValidationFailed(
                _("Attitudes and competitors are recorded with a visit that took place."),
                fields={"status": [_("Use status done to record attitudes and competitors.")]},
            )
        visit = services.plan_visit(
            customer=customer,
            channel=payload.channel.value,
            planned_at=payload.planned_at,  # type: ignore[arg-type]
            purpose=payload.purpose,
            our_participants=users,
            contacts=contacts,
            actor=request.user,
        )
    else:
        visit = services.record_visit(
            visit=None,
            customer=customer,
            channel=payload.channel.value,
            occurred_at=payload.occurred_at,  # type: ignore[arg-type]
            purpose=payload.purpose,
            summary=payload.summary,
            outcomes=payload.outcomes,
            next_step=payload.next_step,
            next_step_due=payload.next_step_due,
            next_step_owner=_user(payload.next_step_owner_id, "next_step_owner_id"),
            our_participants=users,
            contacts=contacts,
            attitude_updates=_attitudes(payload.attitude_updates),
            competitor_sightings=_sightings(payload.competitor_sightings),
            actor=request.user,
        )
    return Status(201, _visits().get(pk=visit.pk))


@visits_router.get("/{visit_id}", response=responses(200, VisitOut))
def get_visit(request: HttpRequest, visit_id: int) -> Any:
    return fetch(request, _visits(), VIEW, pk=visit_id)


@visits_router.patch("/{visit_id}", response=responses(200, VisitOut))
def update_visit(request: HttpRequest, visit_id: int, payload: VisitUpdate) -> Any:
    visit: Any = fetch(request, Visit.objects.all(), CHANGE, pk=visit_id)
    data = _plain(payload.dict(exclude_unset=True))
    _not_null(data, ("channel", "purpose", "next_step_done"))
    _blank_none(data, ("summary", "outcomes", "next_step"))
    users = _users(data.pop("our_participant_ids", None), "our_participant_ids")
    contacts = _contacts(data.pop("contact_ids", None))
    if "next_step_owner_id" in data:
        data["next_step_owner"] = _user(data.pop("next_step_owner_id"), "next_step_owner_id")
    services.update_visit(visit=visit, actor=request.user, our_participants=users, contacts=contacts, **data)
    return _visits().get(pk=visit.pk)


@visits_router.post("/{visit_id}/record", response=responses(200, VisitOut))
def record_visit(request: HttpRequest, visit_id: int, payload: VisitRecord) -> Any:
    visit: Any = fetch(request, Visit.objects.select_related("customer"), CHANGE, pk=visit_id)
    services.record_visit(
        visit=visit,
        customer=visit.customer,
        channel=payload.channel.value if payload.channel else visit.channel,
        occurred_at=payload.occurred_at,
        purpose=payload.purpose or visit.purpose,
        summary=payload.summary,
        outcomes=payload.outcomes,
        next_step=payload.next_step,
        next_step_due=payload.next_step_due,
        next_step_owner=_user(payload.next_step_owner_id, "next_step_owner_id"),
        our_participants=_users(payload.our_participant_ids, "our_participant_ids"),
        contacts=_contacts(payload.contact_ids),
        attitude_updates=_attitudes(payload.attitude_updates),
        competitor_sightings=_sightings(payload.competitor_sightings),
        actor=request.user,
    )
    return _visits().get(pk=visit.pk)


@visits_router.post("/{visit_id}/cancel", response=responses(200, VisitOut))
def cancel_visit(request: HttpRequest, visit_id: int) -> Any:
    visit: Any = fetch(request, Visit.objects.all(), CHANGE, pk=visit_id)
    services.cancel_visit(visit=visit, actor=request.user)
    return _visits().get(pk=visit.pk)


@visits_router.delete("/{visit_id}", response=responses(204, None))
def delete_visit(request: HttpRequest, visit_id: int) -> Any:
    visit: Any = fetch(request, Visit.objects.all(), CHANGE, pk=visit_id)
    services.delete_visit(visit=visit, actor=request.user)
    return Status(204, None)


# --- competitors ----------------------------------------------------------------------------------------


@competitors_router.get("", response=responses(200, list[CompetitorOut]))
@paginate(Page)
def list_competitors(request: HttpRequest, q: str | None = None) -> Any:
    qs = Competitor.objects.visible_to(request.user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(notes__icontains=q))
    return qs.order_by("name", "pk")


@competitors_router.post("", response=responses(201, CompetitorOut))
def create_competitor(request: HttpRequest, payload: CompetitorCreate) -> Any:
    return Status(201, services.create_competitor(name=payload.name, notes=payload.notes, actor=request.user))


@competitors_router.get("/{competitor_id}", response=responses(200, CompetitorOut))
def get_competitor(request: HttpRequest, competitor_id: int) -> Any:
    return fetch(request, Competitor.objects.all(), VIEW, pk=competitor_id)


@competitors_router.patch("/{competitor_id}", response=responses(200, CompetitorOut))
def update_competitor(request: HttpRequest, competitor_id: int, payload: CompetitorUpdate) -> Any:
    competitor: Any = fetch(request, Competitor.objects.all(), CHANGE, pk=competitor_id)
    data = payload.dict(exclude_unset=True)
    _not_null(data, ("name",))
    _blank_none(data, ("notes",))
    return services.update_competitor(competitor=competitor, actor=request.user, **data)


@competitors_router.delete("/{competitor_id}", response=responses(204, None))
def delete_competitor(request: HttpRequest, competitor_id: int) -> Any:
    competitor: Any = fetch(request, Competitor.objects.all(), DELETE, pk=competitor_id)
    services.delete_competitor(competitor=competitor, actor=request.user)
    return Status(204, None)


# --- competitor presences -------------------------------------------------------------------------------


def _presences() -> Any:
    return CompetitorPresence.objects.select_related("competitor", "customer")


@presences_router.get("", response=responses(200, list[PresenceOut]))
@paginate(Page)
def list_presences(
    request: HttpRequest,
    customer_id: int | None = None,
    competitor_id: int | None = None,
    min_strength: int | None = None,
    contract_end_before: date | None = None,
    q: str | None = None,
) -> Any:
    qs = _presences().visible_to(request.user)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if competitor_id is not None:
        qs = qs.filter(competitor_id=competitor_id)
    if min_strength is not None:
        qs = qs.filter(strength__gte=min_strength)
    if contract_end_before is not None:
        qs = qs.filter(contract_end__lt=contract_end_before)
    if q:
        qs = qs.filter(
            Q(products__icontains=q)
            | Q(notes__icontains=q)
            | Q(competitor__name__icontains=q)
            | Q(customer__name__icontains=q)
        )
    return qs.order_by("customer_id", "competitor__name", "pk")


@presences_router.post("", response=responses(201, PresenceOut))
def create_presence(request: HttpRequest, payload: PresenceCreate) -> Any:
    customer = _customer(payload.customer_id)
    data = _plain(payload.dict(exclude={"customer_id", "competitor_id"}))
    presence = services.create_presence(
        customer=customer, competitor=_competitor(payload.competitor_id), actor=request.user, **data
    )
    return Status(201, _presences().get(pk=presence.pk))


@presences_router.get("/{presence_id}", response=responses(200, PresenceOut))
def get_presence(request: HttpRequest, presence_id: int) -> Any:
    return fetch(request, _presences(), VIEW, pk=presence_id)


@presences_router.patch("/{presence_id}", response=responses(200, PresenceOut))
def update_presence(request: HttpRequest, presence_id: int, payload: PresenceUpdate) -> Any:
    presence: Any = fetch(request, _presences(), CHANGE, pk=presence_id)
    data = _plain(payload.dict(exclude_unset=True))
    _not_null(data, ("strength", "source"))
    _blank_none(data, ("products", "notes"))
    services.update_presence(presence=presence, actor=request.user, **data)
    return _presences().get(pk=presence.pk)


@presences_router.delete("/{presence_id}", response=responses(204, None))
def delete_presence(request: HttpRequest, presence_id: int) -> Any:
    presence: Any = fetch(request, _presences(), CHANGE, pk=presence_id)
    services.delete_presence(presence=presence, actor=request.user)
    return Status(204, None)


# --- account plans --------------------------------------------------------------------------------------


def _plans() -> Any:
    return AccountPlan.objects.select_related("customer").prefetch_related("swot", "actions", "reviews")


def _plan(request: HttpRequest, plan_id: int, action: str = VIEW) -> Any:
    return fetch(request, _plans(), action, pk=plan_id)


@plans_router.get("", response=responses(200, list[AccountPlanOut]))
@paginate(Page)
def list_plans(
    request: HttpRequest,
    customer_id: int | None = None,
    year: int | None = None,
    status: str | None = None,
    stage: str | None = None,
    q: str | None = None,
) -> Any:
    qs = _plans().visible_to(request.user)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if year is not None:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    if stage:
        qs = qs.filter(stage=stage)
    if q:
        qs = qs.filter(Q(customer__name__icontains=q) | Q(customer__short_name__icontains=q) | Q(strategy__icontains=q))
    return qs.order_by("-year", "customer_id", "pk")


@plans_router.post("", response=responses(201, AccountPlanOut))
def create_plan(request: HttpRequest, payload: AccountPlanCreate) -> Any:
    data = _plain(payload.dict(exclude={"customer_id"}))
    plan = services.create_plan(customer=_customer(payload.customer_id), actor=request.user, **data)
    return Status(201, _plans().get(pk=plan.pk))


@plans_router.get("/{plan_id}", response=responses(200, AccountPlanOut))
def get_plan(request: HttpRequest, plan_id: int) -> Any:
    return _plan(request, plan_id)


@plans_router.patch("/{plan_id}", response=responses(200, AccountPlanOut))
def update_plan(request: HttpRequest, plan_id: int, payload: AccountPlanUpdate) -> Any:
    plan = _plan(request, plan_id, CHANGE)
    data = _plain(payload.dict(exclude_unset=True))
    _not_null(data, ("stage", "revenue_goal", "share_of_wallet_goal"))
    _blank_none(data, ("strategy",))
    services.update_plan(plan=plan, actor=request.user, **data)
    return _plans().get(pk=plan.pk)


@plans_router.delete("/{plan_id}", response=responses(204, None))
def delete_plan(request: HttpRequest, plan_id: int) -> Any:
    services.delete_plan(plan=_plan(request, plan_id, CHANGE), actor=request.user)
    return Status(204, None)


@plans_router.post("/{plan_id}/submit", response=responses(200, AccountPlanOut))
def submit_plan(request: HttpRequest, plan_id: int) -> Any:
    plan = services.submit_plan(plan=_plan(request, plan_id), actor=request.user)
    return _plans().get(pk=plan.pk)


@plans_router.post("/{plan_id}/approve", response=responses(200, AccountPlanOut))
def approve_plan(request: HttpRequest, plan_id: int) -> Any:
    plan = services.approve_plan(plan=_plan(request, plan_id), actor=request.user)
    return _plans().get(pk=plan.pk)


@plans_router.post("/{plan_id}/return", response=responses(200, AccountPlanOut))
def return_plan(request: HttpRequest, plan_id: int, payload: ReturnIn) -> Any:
    plan = services.return_plan(plan=_plan(request, plan_id), note=payload.note, actor=request.user)
    return _plans().get(pk=plan.pk)


# nested: SWOT items, actions, reviews


def _part(request: HttpRequest, model: Any, plan_id: int, part_id: int) -> Any:
    plan = _plan(request, plan_id)
    part = model.objects.filter(plan=plan, pk=part_id).select_related("plan__customer").first()
    if part is None:
        raise NotFound(_("%(name)s not found.") % {"name": model._meta.verbose_name})
    return part


@plans_router.get("/{plan_id}/swot", response=responses(200, list[SwotOut]))
@paginate(Page)
def list_swot(request: HttpRequest, plan_id: int, kind: str | None = None) -> Any:
    qs = _plan(request, plan_id).swot.all()
    return qs.filter(kind=kind) if kind else qs


@plans_router.post("/{plan_id}/swot", response=responses(201, SwotOut))
def add_swot(request: HttpRequest, plan_id: int, payload: SwotIn) -> Any:
    data = _plain(payload.dict())
    return Status(201, services.add_swot_item(plan=_plan(request, plan_id), actor=request.user, **data))


@plans_router.patch("/{plan_id}/swot/{item_id}", response=responses(200, SwotOut))
def update_swot(request: HttpRequest, plan_id: int, item_id: int, payload: SwotUpdate) -> Any:
    data = _plain(payload.dict(exclude_unset=True))
    _not_null(data, ("kind", "text", "position"))
    return services.update_swot_item(item=_part(request, SwotItem, plan_id, item_id), actor=request.user, **data)


@plans_router.delete("/{plan_id}/swot/{item_id}", response=responses(204, None))
def delete_swot(request: HttpRequest, plan_id: int, item_id: int) -> Any:
    services.delete_swot_item(item=_part(request, SwotItem, plan_id, item_id), actor=request.user)
    return Status(204, None)


@plans_router.get("/{plan_id}/actions", response=responses(200, list[ActionOut]))
@paginate(Page)
def list_actions(request: HttpRequest, plan_id: int, status: str | None = None) -> Any:
    qs = _plan(request, plan_id).actions.all()
    return qs.filter(status=status) if status else qs


@plans_router.post("/{plan_id}/actions", response=responses(201, ActionOut))
def add_action(request: HttpRequest, plan_id: int, payload: ActionIn) -> Any:
    return Status(
        201,
        services.add_action(
            plan=_plan(request, plan_id),
            text=payload.text,
            owner=_user(payload.owner_id, "owner_id"),
            due_date=payload.due_date,
            actor=request.user,
        ),
    )


@plans_router.patch("/{plan_id}/actions/{action_id}", response=responses(200, ActionOut))
def update_action(request: HttpRequest, plan_id: int, action_id: int, payload: ActionUpdate) -> Any:
    data = _plain(payload.dict(exclude_unset=True))
    _not_null(data, ("text", "status"))
    if "owner_id" in data:
        data["owner"] = _user(data.pop("owner_id"), "owner_id")
    return services.update_action(action=_part(request, PlanAction, plan_id, action_id), actor=request.user, **data)


@plans_router.delete("/{plan_id}/actions/{action_id}", response=responses(204, None))
def delete_action(request: HttpRequest, plan_id: int, action_id: int) -> Any:
    services.delete_action(action=_part(request, PlanAction, plan_id, action_id), actor=request.user)
    return Status(204, None)


@plans_router.get("/{plan_id}/reviews", response=responses(200, list[ReviewOut]))
@paginate(Page)
def list_reviews(request: HttpRequest, plan_id: int) -> Any:
    return _plan(request, plan_id).reviews.all()


@plans_router.post("/{plan_id}/reviews", response=responses(201, ReviewOut))
def add_review(request: HttpRequest, plan_id: int, payload: ReviewIn) -> Any:
    return Status(201, services.add_review(plan=_plan(request, plan_id), actor=request.user, **payload.dict()))


@plans_router.patch("/{plan_id}/reviews/{review_id}", response=responses(200, ReviewOut))
def update_review(request: HttpRequest, plan_id: int, review_id: int, payload: ReviewUpdate) -> Any:
    data = payload.dict(exclude_unset=True)
    _not_null(data, ("date", "event"))
    _blank_none(data, ("what_happened", "lessons"))
    return services.update_review(review=_part(request, PlanReview, plan_id, review_id), actor=request.user, **data)


@plans_router.delete("/{plan_id}/reviews/{review_id}", response=responses(204, None))
def delete_review(request: HttpRequest, plan_id: int, review_id: int) -> Any:
    services.delete_review(review=_part(request, PlanReview, plan_id, review_id), actor=request.user)
    return Status(204, None)


# --- feedback -------------------------------------------------------------------------------------------


def _feedback() -> Any:
    return Feedback.objects.select_related("customer")


class TurnaroundQuery(Schema):
    date_from: date | None = None
    date_to: date | None = None


@feedback_router.get("/turnaround", response=responses(200, TurnaroundOut))
def feedback_turnaround(request: HttpRequest, filters: Query[TurnaroundQuery]) -> Any:
    """Median and 90th percentile (seconds) of collected→decided and collected→closed by kind."""
    date_to = filters.date_to or timezone.localdate()
    date_from = filters.date_from or (date_to - timedelta(days=364))
    if date_from > date_to:
        raise ValidationFailed(
            _("The period starts after it ends."), fields={"date_from": [_("After the end of the period.")]}
        )
    rows = queries.feedback_turnaround(request.user, date_from, date_to)
    return {"date_from": date_from, "date_to": date_to, "rows": [r.as_dict() for r in rows]}


@feedback_router.get("", response=responses(200, list[FeedbackOut]))
@paginate(Page)
def list_feedback(
    request: HttpRequest,
    customer_id: int | None = None,
    kind: str | None = None,
    status: str | None = None,
    responsible_id: int | None = None,
    open: bool | None = None,
    q: str | None = None,
) -> Any:
    qs = _feedback().visible_to(request.user)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if responsible_id is not None:
        qs = qs.filter(responsible_id=responsible_id)
    if open is not None:
        qs = qs.exclude(status="closed") if open else qs.filter(status="closed")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q) | Q(customer__name__icontains=q))
    return qs.order_by("-collected_at", "-pk")


@feedback_router.post("", response=responses(201, FeedbackOut))
def create_feedback(request: HttpRequest, payload: FeedbackCreate) -> Any:
    contacts = _contacts([payload.contact_id] if payload.contact_id is not None else [], "contact_id") or []
    return Status(
        201,
        services.collect_feedback(
            customer=_customer(payload.customer_id),
            kind=payload.kind.value,
            title=payload.title,
            description=payload.description,
            contact=contacts[0] if contacts else None,
            collected_at=payload.collected_at,
            actor=request.user,
        ),
    )


@feedback_router.get("/{feedback_id}", response=responses(200, FeedbackOut))
def get_feedback(request: HttpRequest, feedback_id: int) -> Any:
    return fetch(request, _feedback(), VIEW, pk=feedback_id)


@feedback_router.patch("/{feedback_id}", response=responses(200, FeedbackOut))
def update_feedback(request: HttpRequest, feedback_id: int, payload: FeedbackUpdate) -> Any:
    feedback: Any = fetch(request, _feedback(), CHANGE, pk=feedback_id)
    data = _plain(payload.dict(exclude_unset=True))
    _not_null(data, ("kind", "title"))
    _blank_none(data, ("description",))
    if "contact_id" in data:
        contact_id = data.pop("contact_id")
        contacts = _contacts([contact_id], "contact_id") if contact_id is not None else None
        data["contact"] = contacts[0] if contacts else None
    return services.update_feedback(feedback=feedback, actor=request.user, **data)


@feedback_router.post("/{feedback_id}/route", response=responses(200, FeedbackOut))
def route_feedback(request: HttpRequest, feedback_id: int, payload: RouteIn) -> Any:
    feedback: Any = fetch(request, _feedback(), VIEW, pk=feedback_id)
    return services.route_feedback(
        feedback=feedback, responsible=_user(payload.responsible_id, "responsible_id"), actor=request.user
    )


@feedback_router.post("/{feedback_id}/decide", response=responses(200, FeedbackOut))
def decide_feedback(request: HttpRequest, feedback_id: int, payload: DecideIn) -> Any:
    feedback: Any = fetch(request, _feedback(), VIEW, pk=feedback_id)
    return services.decide_feedback(feedback=feedback, decision=payload.decision, actor=request.user)


@feedback_router.post("/{feedback_id}/close", response=responses(200, FeedbackOut))
def close_feedback(request: HttpRequest, feedback_id: int) -> Any:
    feedback: Any = fetch(request, _feedback(), VIEW, pk=feedback_id)
    return services.close_feedback(feedback=feedback, actor=request.user)
