"""Pages of the engagement app: visits, overdue list, account plans, competitors, feedback and turnaround.

Lists, details and forms use :mod:`kam.core.views_generic`; workflow buttons post to small views that call
the services. Domain errors become 404/403 pages or a message on the page the user came from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kam.core.errors import DomainError, Forbidden, NotFound
from kam.core.permissions import APPROVE, CHANGE, VIEW, can, get_for, is_admin_user
from kam.core.views_generic import (
    Column,
    Filter,
    ModelDetailView,
    ModelFormView,
    ModelListView,
    Tab,
    add_domain_error,
)
from kam.engagement import queries, services
from kam.engagement.choices import (
    ActionStatus,
    FeedbackKind,
    FeedbackStatus,
    PlanStage,
    PlanStatus,
    SwotKind,
    VisitChannel,
    VisitStatus,
)
from kam.engagement.forms import (
    AccountPlanForm,
    ActionForm,
    CompetitorForm,
    DecideForm,
    FeedbackForm,
    PeriodForm,
    PresenceForm,
    ReturnForm,
    ReviewForm,
    RouteForm,
    SwotForm,
    VisitEditForm,
    VisitForm,
)
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
from kam.engagement.permissions import NON_COMMERCIAL_ROLES

WRITER_ROLES = frozenset({"admin", "director", "account_manager"})


def _get(qs: QuerySet[Any], user: Any, action: str, **lookup: Any) -> Any:
    try:
        return get_for(qs, user, action, **lookup)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc


def _run(request: HttpRequest, func: Callable[[], Any], done: str, back: str) -> HttpResponse:
    """Call a service for a workflow button: 404/403 as pages, conflicts and invalid input as a message."""
    try:
        func()
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(back)
    messages.success(request, done)
    return HttpResponseRedirect(back)


def _customer_from_query(request: HttpRequest) -> Any:
    from kam.customers.models import Customer

    raw = request.GET.get("customer", "")
    if not raw.isdigit():
        return None
    return Customer.objects.restrict(request.user, CHANGE).filter(pk=int(raw)).first()


def _is_writer(user: Any) -> bool:
    return is_admin_user(user) or getattr(user, "role", None) in WRITER_ROLES


# --- visits ---------------------------------------------------------------------------------------------


class VisitListView(ModelListView):
    model = Visit
    title = gettext_lazy("Visits")
    columns = [
        Column(
            "when", gettext_lazy("Date"), sort="occurred_at", link=True, format=lambda v: v and timezone.localtime(v)
        ),
        Column("customer", gettext_lazy("Customer"), sort="customer__name"),
        Column("channel", gettext_lazy("Channel")),
        Column("status", gettext_lazy("Status")),
        Column("purpose", gettext_lazy("Purpose")),
        Column("next_step", gettext_lazy("Next step")),
        Column("next_step_due", gettext_lazy("Due")),
        Column("next_step_owner", gettext_lazy("Owner"), sort="next_step_owner__username", default=False),
        Column("summary", gettext_lazy("Summary"), default=False),
    ]
    filters = [
        Filter("status", gettext_lazy("Status"), choices=VisitStatus.choices),
        Filter("channel", gettext_lazy("Channel"), choices=VisitChannel.choices),
        Filter("customer", gettext_lazy("Customer"), lookup="customer_id"),
    ]
    search_fields = ["purpose", "summary", "customer__name", "customer__short_name"]
    default_sort = ("-occurred_at", "-planned_at")
    export_name = "visits"
    create_url_name = "engagement:visit-create"

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("customer", "next_step_owner")


def _visit_overview(request: HttpRequest, visit: Visit) -> dict[str, Any]:
    from kam.customers.models import AttitudeAssessment

    return {
        "our_participants": list(visit.our_participants.all()),
        "their_participants": list(visit.their_participants.select_related("customer")),
        "sightings": list(visit.sightings.select_related("competitor")),
        "attitudes": list(
            AttitudeAssessment.objects.visible_to(request.user).filter(visit_id=visit.pk).select_related("contact")
        ),
    }


class VisitDetailView(ModelDetailView):
    model = Visit
    tabs = [Tab("overview", gettext_lazy("Overview"), "engagement/visit_overview.html", _visit_overview)]
    edit_url_name = "engagement:visit-edit"

    def get_actions(self, obj: Any) -> list[dict[str, Any]]:
        if obj.status != VisitStatus.PLANNED or not can(self.request.user, CHANGE, obj):
            return []
        return [
            {
                "label": _("Record outcome"),
                "url": reverse("engagement:visit-record", kwargs={"pk": obj.pk}),
                "icon": "checkbox",
                "style": "btn-success",
            },
            {
                "label": _("Cancel visit"),
                "url": reverse("engagement:visit-cancel", kwargs={"pk": obj.pk}),
                "icon": "x",
                "post": True,
                "confirm": _("Cancel this visit?"),
            },
        ]

    def get_edit_url(self, obj: Any) -> str | None:
        return None if obj.status == VisitStatus.CANCELLED else super().get_edit_url(obj)


class VisitFormView(ModelFormView):
    """A new visit (planned or took place), or the outcome of a planned one (``pk``)."""

    model = Visit
    form_class = VisitForm
    template_name = "engagement/visit_form.html"

    def can_create(self, user: Any) -> bool:
        return _is_writer(user)

    def get_title(self) -> Any:
        return _("Record visit outcome") if self.object is not None else _("New visit")

    def get_initial(self) -> dict[str, Any]:
        if self.object is not None:
            v = self.object
            return {
                "channel": v.channel,
                "purpose": v.purpose,
                "planned_at": v.planned_at,
                "occurred_at": v.planned_at,
                "our_participants": list(v.our_participants.all()),
                "contacts": list(v.their_participants.all()),
                "customer": v.customer_id,
            }
        customer = _customer_from_query(self.request)
        initial: dict[str, Any] = {
            "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
            "our_participants": [self.request.user],
        }
        if customer is not None:
            initial["customer"] = customer
        return initial

    def get_form(self) -> Any:
        kwargs = self.get_form_kwargs()
        customer = None if self.request.method == "POST" else _customer_from_query(self.request)
        return VisitForm(user=self.request.user, customer=customer, visit=self.object, **kwargs)

    def get_object(self) -> Any:
        visit = super().get_object()
        if visit.status != VisitStatus.PLANNED:
            raise Http404(_("Only a planned visit can be recorded."))
        return visit

    def save(self, form: Any) -> Any:
        data = form.cleaned_data
        customer = self.object.customer if self.object is not None else data["customer"]
        if self.object is None and data["status"] == "planned":
            return services.plan_visit(
                customer=customer,
                channel=data["channel"],
                planned_at=data["planned_at"],
                purpose=data["purpose"],
                our_participants=data["our_participants"],
                contacts=data["contacts"],
                actor=self.request.user,
            )
        return services.record_visit(
            visit=self.object,
            customer=customer,
            channel=data["channel"],
            occurred_at=data["occurred_at"],
            purpose=data["purpose"],
            summary=data["summary"],
            outcomes=data["outcomes"],
            next_step=data["next_step"],
            next_step_due=data["next_step_due"],
            next_step_owner=data["next_step_owner"],
            our_participants=data["our_participants"],
            contacts=data["contacts"],
            attitude_updates=form.attitude_updates(),
            competitor_sightings=form.competitor_sightings(),
            actor=self.request.user,
        )


class VisitEditView(ModelFormView):
    model = Visit
    form_class = VisitEditForm

    def get_form(self) -> Any:
        return VisitEditForm(visit=self.object, **self.get_form_kwargs())

    def save(self, form: Any) -> Any:
        data = dict(form.cleaned_data)
        users = data.pop("our_participants")
        contacts = data.pop("contacts")
        return services.update_visit(
            visit=self.object, actor=self.request.user, our_participants=users, contacts=contacts, **data
        )


@login_required
@require_POST
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _get(Visit.objects.all(), request.user, VIEW, pk=pk)
    return _run(
        request,
        lambda: services.cancel_visit(visit=visit, actor=request.user),
        _("Visit cancelled."),
        visit.get_absolute_url(),
    )


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    qs = queries.customers_overdue_for_visit(request.user, today).select_related("region")
    grade = request.GET.get("grade", "")
    if grade:
        qs = qs.filter(value_grade=grade)
    from django.core.paginator import Paginator

    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = queries.overdue_rows(list(page.object_list), today)
    return render(
        request,
        "engagement/overdue.html",
        {
            "title": _("Customers overdue for a visit"),
            "rows": rows,
            "page": page,
            "grade": grade,
            "grades": sorted(queries.cadence_by_grade().items()),
            "today": today,
        },
    )


# --- account plans --------------------------------------------------------------------------------------


class PlanListView(ModelListView):
    model = AccountPlan
    title = gettext_lazy("Account plans")
    columns = [
        Column("customer", gettext_lazy("Customer"), sort="customer__name", link=True),
        Column("year", gettext_lazy("Year")),
        Column("stage", gettext_lazy("Lifecycle stage")),
        Column("status", gettext_lazy("Status")),
        Column("revenue_goal", gettext_lazy("Revenue goal (yuan)")),
        Column("share_of_wallet_goal", gettext_lazy("Share-of-wallet goal (%)")),
        Column("submitted_at", gettext_lazy("Submitted"), default=False),
        Column("decided_at", gettext_lazy("Decided"), default=False),
    ]
    filters = [
        Filter("status", gettext_lazy("Status"), choices=PlanStatus.choices),
        Filter("stage", gettext_lazy("Lifecycle stage"), choices=PlanStage.choices),
        Filter("year", gettext_lazy("Year")),
    ]
    search_fields = ["customer__name", "customer__short_name", "strategy"]
    default_sort = ("-year", "customer__name")
    export_name = "account-plans"
    create_url_name = "engagement:plan-create"

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("customer")


def _plan_overview(request: HttpRequest, plan: AccountPlan) -> dict[str, Any]:
    items = list(plan.swot.all())
    editable = plan.is_editable and can(request.user, CHANGE, plan)
    may_change = can(request.user, CHANGE, plan)
    return {
        "swot": [(kind, label, [i for i in items if i.kind == kind]) for kind, label in SwotKind.choices],
        "plan_actions": list(plan.actions.select_related("owner")),
        "reviews": list(plan.reviews.all()),
        "editable": editable,
        "may_change": may_change,
        "swot_form": SwotForm(),
        "action_form": ActionForm(),
        "review_form": ReviewForm(initial={"date": timezone.localdate()}),
        "action_statuses": ActionStatus.choices,
    }


class PlanDetailView(ModelDetailView):
    model = AccountPlan
    tabs = [Tab("overview", gettext_lazy("Overview"), "engagement/plan_overview.html", _plan_overview)]
    edit_url_name = "engagement:plan-edit"

    def get_edit_url(self, obj: Any) -> str | None:
        return super().get_edit_url(obj) if obj.is_editable else None

    def get_actions(self, obj: Any) -> list[dict[str, Any]]:
        user = self.request.user
        actions = []
        if obj.can_move_to(PlanStatus.SUBMITTED) and can(user, CHANGE, obj):
            actions.append(
                {
                    "label": _("Submit for approval"),
                    "icon": "send",
                    "style": "btn-primary",
                    "post": True,
                    "url": reverse("engagement:plan-submit", kwargs={"pk": obj.pk}),
                }
            )
        if obj.status == PlanStatus.SUBMITTED and can(user, APPROVE, obj):
            actions.append(
                {
                    "label": _("Approve"),
                    "icon": "check",
                    "style": "btn-success",
                    "post": True,
                    "url": reverse("engagement:plan-approve", kwargs={"pk": obj.pk}),
                }
            )
            actions.append(
                {
                    "label": _("Return"),
                    "icon": "arrow-back-up",
                    "style": "btn-warning",
                    "url": reverse("engagement:plan-return", kwargs={"pk": obj.pk}),
                }
            )
        return actions


class PlanFormView(ModelFormView):
    model = AccountPlan
    form_class = AccountPlanForm

    def can_create(self, user: Any) -> bool:
        return _is_writer(user)

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"year": timezone.localdate().year}
        customer = _customer_from_query(self.request)
        if customer is not None:
            initial["customer"] = customer
        return initial

    def get_form(self) -> Any:
        return AccountPlanForm(user=self.request.user, **self.get_form_kwargs())

    def get_object(self) -> Any:
        plan = super().get_object()
        if not plan.is_editable:
            raise PermissionDenied(_("The plan can be changed only as a draft or after it was returned."))
        return plan

    def save(self, form: Any) -> Any:
        data = form.cleaned_data
        fields = {k: data[k] for k in ("stage", "revenue_goal", "share_of_wallet_goal", "strategy")}
        if self.object is None:
            return services.create_plan(customer=data["customer"], year=data["year"], actor=self.request.user, **fields)
        return services.update_plan(plan=self.object, actor=self.request.user, **fields)


def _plan_back(plan: AccountPlan) -> str:
    return plan.get_absolute_url()


@login_required
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(AccountPlan.objects.all(), request.user, VIEW, pk=pk)
    return _run(
        request, lambda: services.submit_plan(plan=plan, actor=request.user), _("Plan submitted."), _plan_back(plan)
    )


@login_required
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(AccountPlan.objects.all(), request.user, VIEW, pk=pk)
    return _run(
        request, lambda: services.approve_plan(plan=plan, actor=request.user), _("Plan approved."), _plan_back(plan)
    )


@login_required
def plan_return(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(AccountPlan.objects.all(), request.user, APPROVE, pk=pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_plan(plan=plan, note=form.cleaned_data["note"], actor=request.user)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Plan returned."))
            return HttpResponseRedirect(_plan_back(plan))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": _("Return the plan"),
            "model_meta": AccountPlan._meta,
            "cancel_url": _plan_back(plan),
            "object": plan,
        },
        status=status,
    )


PART_FORMS: dict[str, tuple[Any, Callable[..., Any]]] = {
    "swot": (SwotForm, services.add_swot_item),
    "action": (ActionForm, services.add_action),
    "review": (ReviewForm, services.add_review),
}


@login_required
@require_POST
def plan_add_part(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    plan = _get(AccountPlan.objects.all(), request.user, VIEW, pk=pk)
    if part not in PART_FORMS:
        raise Http404
    form_class, add = PART_FORMS[part]
    form = form_class(request.POST)
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[k].label if k in form.fields else ''}: {', '.join(v)}" for k, v in form.errors.items()
        )
        messages.error(request, errors)
        return HttpResponseRedirect(_plan_back(plan))
    return _run(request, lambda: add(plan=plan, actor=request.user, **form.cleaned_data), _("Saved."), _plan_back(plan))


PART_MODELS: dict[str, tuple[Any, Callable[..., Any], str]] = {
    "swot": (SwotItem, services.delete_swot_item, "item"),
    "action": (PlanAction, services.delete_action, "action"),
    "review": (PlanReview, services.delete_review, "review"),
}


@login_required
@require_POST
def plan_delete_part(request: HttpRequest, pk: int, part: str, part_pk: int) -> HttpResponse:
    plan = _get(AccountPlan.objects.all(), request.user, VIEW, pk=pk)
    if part not in PART_MODELS:
        raise Http404
    model, delete, arg = PART_MODELS[part]
    obj = model.objects.filter(plan=plan, pk=part_pk).first()
    if obj is None:
        raise Http404
    return _run(request, lambda: delete(actor=request.user, **{arg: obj}), _("Deleted."), _plan_back(plan))


@login_required
@require_POST
def plan_action_status(request: HttpRequest, pk: int, part_pk: int) -> HttpResponse:
    plan = _get(AccountPlan.objects.all(), request.user, VIEW, pk=pk)
    action = PlanAction.objects.filter(plan=plan, pk=part_pk).first()
    if action is None:
        raise Http404
    status = request.POST.get("status", "")
    return _run(
        request,
        lambda: services.update_action(action=action, actor=request.user, status=status),
        _("Saved."),
        _plan_back(plan),
    )


# --- competitors ----------------------------------------------------------------------------------------


class CompetitorListView(ModelListView):
    model = Competitor
    title = gettext_lazy("Competitors")
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("presence_count", gettext_lazy("Customers"), sort="presence_count"),
        Column("notes", gettext_lazy("Notes")),
    ]
    search_fields = ["name", "notes"]
    default_sort = "name"
    export_name = "competitors"
    create_url_name = "engagement:competitor-create"

    def get_queryset(self) -> QuerySet[Any]:
        from django.db.models import Count, Q

        visible = CompetitorPresence.objects.visible_to(self.request.user).values("pk")
        return super().get_queryset().annotate(presence_count=Count("presences", filter=Q(presences__in=visible)))


def _competitor_presences(request: HttpRequest, competitor: Competitor) -> dict[str, Any]:
    return {
        "presences": list(
            CompetitorPresence.objects.visible_to(request.user)
            .filter(competitor=competitor)
            .select_related("customer")
            .order_by("-last_seen")[:200]
        )
    }


class CompetitorDetailView(ModelDetailView):
    model = Competitor
    tabs = [Tab("overview", gettext_lazy("Customers"), "engagement/competitor_overview.html", _competitor_presences)]
    edit_url_name = "engagement:competitor-edit"


class CompetitorFormView(ModelFormView):
    model = Competitor
    form_class = CompetitorForm
    success_url = None

    def can_create(self, user: Any) -> bool:
        return _is_writer(user)

    def save(self, form: Any) -> Any:
        data = form.cleaned_data
        if self.object is None:
            return services.create_competitor(name=data["name"], notes=data["notes"], actor=self.request.user)
        return services.update_competitor(competitor=self.object, actor=self.request.user, **data)


class PresenceListView(ModelListView):
    model = CompetitorPresence
    title = gettext_lazy("Competitor presences")
    columns = [
        Column("competitor", gettext_lazy("Competitor"), sort="competitor__name", link=True),
        Column("customer", gettext_lazy("Customer"), sort="customer__name"),
        Column("products", gettext_lazy("Products")),
        Column("estimated_annual_spend", gettext_lazy("Estimated annual spend (yuan)")),
        Column("contract_end", gettext_lazy("Contract ends")),
        Column("strength", gettext_lazy("Strength")),
        Column("last_seen", gettext_lazy("Last seen")),
        Column("source", gettext_lazy("Source"), default=False),
    ]
    filters = [
        Filter(
            "competitor",
            gettext_lazy("Competitor"),
            choices=lambda request: [(str(c.pk), c.name) for c in Competitor.objects.visible_to(request.user)],
            lookup="competitor_id",
        ),
        Filter("customer", gettext_lazy("Customer"), lookup="customer_id"),
    ]
    search_fields = ["products", "notes", "competitor__name", "customer__name", "customer__short_name"]
    default_sort = ("-last_seen",)
    export_name = "competitor-presences"
    create_url_name = "engagement:presence-create"

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("customer", "competitor")


def _presence_overview(request: HttpRequest, presence: CompetitorPresence) -> dict[str, Any]:
    return {
        "sightings": list(
            presence.competitor.sightings.filter(visit__customer=presence.customer)
            .select_related("visit")
            .order_by("-visit__occurred_at")[:50]
        )
    }


class PresenceDetailView(ModelDetailView):
    model = CompetitorPresence
    tabs = [Tab("overview", gettext_lazy("Overview"), "engagement/presence_overview.html", _presence_overview)]
    edit_url_name = "engagement:presence-edit"


class PresenceFormView(ModelFormView):
    model = CompetitorPresence
    form_class = PresenceForm

    def can_create(self, user: Any) -> bool:
        return _is_writer(user)

    def get_initial(self) -> dict[str, Any]:
        customer = _customer_from_query(self.request)
        return {"customer": customer, "last_seen": timezone.localdate()} if customer else {}

    def get_form(self) -> Any:
        return PresenceForm(user=self.request.user, **self.get_form_kwargs())

    def save(self, form: Any) -> Any:
        data = dict(form.cleaned_data)
        if self.object is None:
            customer = data.pop("customer")
            competitor = data.pop("competitor")
            return services.create_presence(customer=customer, competitor=competitor, actor=self.request.user, **data)
        return services.update_presence(presence=self.object, actor=self.request.user, **data)


@login_required
@require_POST
def presence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    presence = _get(CompetitorPresence.objects.all(), request.user, VIEW, pk=pk)
    try:
        services.delete_presence(presence=presence, actor=request.user)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, _("Deleted."))
    return HttpResponseRedirect(reverse("engagement:presence-list"))


# --- feedback -------------------------------------------------------------------------------------------


class FeedbackListView(ModelListView):
    model = Feedback
    title = gettext_lazy("Customer feedback")
    columns = [
        Column("title", gettext_lazy("Title"), link=True),
        Column("customer", gettext_lazy("Customer"), sort="customer__name"),
        Column("kind", gettext_lazy("Kind")),
        Column("status", gettext_lazy("Status")),
        Column("responsible", gettext_lazy("Responsible"), sort="responsible__username"),
        Column("collected_at", gettext_lazy("Collected")),
        Column("decided_at", gettext_lazy("Decided"), default=False),
        Column("closed_at", gettext_lazy("Closed"), default=False),
    ]
    filters = [
        Filter("kind", gettext_lazy("Kind"), choices=FeedbackKind.choices),
        Filter("status", gettext_lazy("Status"), choices=FeedbackStatus.choices),
        Filter("customer", gettext_lazy("Customer"), lookup="customer_id"),
    ]
    search_fields = ["title", "description", "customer__name", "customer__short_name"]
    default_sort = ("-collected_at",)
    export_name = "feedback"
    create_url_name = "engagement:feedback-create"

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("customer", "responsible")


def _feedback_overview(request: HttpRequest, feedback: Feedback) -> dict[str, Any]:
    user = request.user
    may_change = can(user, CHANGE, feedback)
    return {
        "route_form": RouteForm(initial={"responsible": feedback.responsible_id})
        if may_change and feedback.can_move_to(FeedbackStatus.ROUTED)
        else None,
        "decide_form": DecideForm()
        if feedback.can_move_to(FeedbackStatus.DECIDED) and (may_change or feedback.responsible_id == user.pk)
        else None,
        "may_close": may_change and feedback.can_move_to(FeedbackStatus.CLOSED),
        "steps": [
            (_("Collected"), feedback.collected_at),
            (_("Routed"), feedback.routed_at),
            (_("Decided"), feedback.decided_at),
            (_("Closed"), feedback.closed_at),
        ],
    }


class FeedbackDetailView(ModelDetailView):
    model = Feedback
    tabs = [Tab("overview", gettext_lazy("Overview"), "engagement/feedback_overview.html", _feedback_overview)]
    edit_url_name = "engagement:feedback-edit"

    def get_edit_url(self, obj: Any) -> str | None:
        return None if obj.status == FeedbackStatus.CLOSED else super().get_edit_url(obj)


class FeedbackFormView(ModelFormView):
    model = Feedback
    form_class = FeedbackForm

    def can_create(self, user: Any) -> bool:
        return _is_writer(user)

    def get_initial(self) -> dict[str, Any]:
        if self.object is not None:
            f = self.object
            return {"kind": f.kind, "title": f.title, "description": f.description, "contact": f.contact_id}
        customer = _customer_from_query(self.request)
        return {"customer": customer} if customer else {}

    def get_form(self) -> Any:
        customer = None if self.request.method == "POST" else _customer_from_query(self.request)
        return FeedbackForm(user=self.request.user, customer=customer, feedback=self.object, **self.get_form_kwargs())

    def save(self, form: Any) -> Any:
        data = dict(form.cleaned_data)
        if self.object is None:
            return services.collect_feedback(actor=self.request.user, **data)
        return services.update_feedback(feedback=self.object, actor=self.request.user, **data)


@login_required
@require_POST
def feedback_route(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _get(Feedback.objects.all(), request.user, VIEW, pk=pk)
    form = RouteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the user responsible."))
        return HttpResponseRedirect(feedback.get_absolute_url())
    return _run(
        request,
        lambda: services.route_feedback(
            feedback=feedback, responsible=form.cleaned_data["responsible"], actor=request.user
        ),
        _("Feedback routed."),
        feedback.get_absolute_url(),
    )


@login_required
@require_POST
def feedback_decide(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _get(Feedback.objects.all(), request.user, VIEW, pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the decision."))
        return HttpResponseRedirect(feedback.get_absolute_url())
    return _run(
        request,
        lambda: services.decide_feedback(feedback=feedback, decision=form.cleaned_data["decision"], actor=request.user),
        _("Decision recorded."),
        feedback.get_absolute_url(),
    )


@login_required
@require_POST
def feedback_close(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _get(Feedback.objects.all(), request.user, VIEW, pk=pk)
    return _run(
        request,
        lambda: services.close_feedback(feedback=feedback, actor=request.user),
        _("Feedback closed."),
        feedback.get_absolute_url(),
    )


@login_required
def turnaround(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", None) == "customer":
        raise PermissionDenied
    form = PeriodForm(request.GET or None)
    date_to = timezone.localdate()
    date_from = None
    if form.is_valid():
        date_to = form.cleaned_data.get("date_to") or date_to
        date_from = form.cleaned_data.get("date_from")
    rows = queries.feedback_turnaround(request.user, date_from, date_to)
    return render(
        request,
        "engagement/turnaround.html",
        {
            "title": _("Feedback turnaround"),
            "rows": rows,
            "form": form,
            "date_to": date_to,
            "date_from": date_from or (date_to - timedelta(days=364)),
        },
    )


def sees_engagement(user: Any) -> bool:
    return getattr(user, "role", None) not in NON_COMMERCIAL_ROLES
