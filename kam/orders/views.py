"""Pages of the orders app: the list, the order page with its stage timeline and actions, the three forms,
templates and time-limit policies, and the activation timeliness report.

Action buttons post (with HTMX, swapping the order's main block) to small views that call the services;
domain errors become 404/403 pages or a message on the order page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
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
from kam.core.permissions import CHANGE, VIEW, get_for, is_admin_user
from kam.core.views_generic import (
    Column,
    Filter,
    ModelDetailView,
    ModelFormView,
    ModelListView,
    Tab,
    add_domain_error,
)
from kam.lines.choices import Product
from kam.orders import queries, services
from kam.orders.choices import Jeopardy, Stage, WorkOrderKind, WorkOrderStatus
from kam.orders.forms import (
    CompletionForm,
    DispatchForm,
    ExtensionForm,
    NoteForm,
    PauseForm,
    PolicyForm,
    ReasonForm,
    RequirementForm,
    SplitForm,
    TemplateForm,
)
from kam.orders.models import ExtensionRequest, TimeLimitPolicy, WorkOrder, WorkOrderStage, WorkOrderTemplate

JEOPARDY_COLOURS = {Jeopardy.ON_TRACK: "green", Jeopardy.AT_RISK: "yellow", Jeopardy.LATE: "red"}


def _get(user: Any, pk: int, action: str = VIEW) -> WorkOrder:
    try:
        return get_for(WorkOrder.objects.select_related("customer", "line", "region"), user, action, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc


def _run(request: HttpRequest, order: WorkOrder, func: Callable[[], Any], done: str) -> HttpResponse:
    back = order.get_absolute_url()
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


def _may_create(user: Any) -> bool:
    return is_admin_user(user) or getattr(user, "role", None) in ("account_manager", "director")


# --- list -----------------------------------------------------------------------------------------------


class WorkOrderListView(ModelListView):
    model = WorkOrder
    title = gettext_lazy("Work orders")
    columns = [
        Column("number", gettext_lazy("Number"), link=True),
        Column("customer", gettext_lazy("Customer"), sort="customer__name"),
        Column("kind", gettext_lazy("Kind")),
        Column("status", gettext_lazy("Status")),
        Column("stage", gettext_lazy("Stage")),
        Column("stage_deadline", gettext_lazy("Stage deadline"), sort=""),
        Column("due_at", gettext_lazy("Due"), format=lambda v: v and timezone.localtime(v)),
        Column("jeopardy_badge", gettext_lazy("Jeopardy"), sort="jeopardy", template="orders/_jeopardy_cell.html"),
        Column("region.name", gettext_lazy("Region"), sort="region__code"),
        Column("product", gettext_lazy("Product"), default=False),
        Column("line", gettext_lazy("Line"), sort="line__circuit_id", default=False),
        Column("account_manager", gettext_lazy("Account manager"), sort="account_manager__username", default=False),
        Column("completed_at", gettext_lazy("Completed"), default=False, format=lambda v: v and timezone.localtime(v)),
    ]
    filters = [
        Filter("status", gettext_lazy("Status"), choices=WorkOrderStatus.choices),
        Filter("stage", gettext_lazy("Stage"), choices=Stage.choices),
        Filter("kind", gettext_lazy("Kind"), choices=WorkOrderKind.choices),
        Filter("jeopardy", gettext_lazy("Jeopardy"), choices=Jeopardy.choices),
        Filter("product", gettext_lazy("Product"), choices=Product.choices),
        Filter("customer", gettext_lazy("Customer"), lookup="customer_id"),
        Filter("region", gettext_lazy("Region"), lookup="region__code__startswith"),
        Filter("grade", gettext_lazy("Grade"), lookup="customer__value_grade"),
    ]
    search_fields = ["number", "customer__name", "customer__short_name", "line__circuit_id", "a_address"]
    default_sort = "-pk"
    export_name = "work-orders"
    create_url_name = "orders:create"

    def get_queryset(self) -> QuerySet[Any]:
        qs: Any = super().get_queryset().select_related("customer", "region", "line", "account_manager")
        raw_late = self.request.GET.get("late", "").strip().lower()
        if raw_late in ("1", "true", "yes"):
            qs = qs.late()
        month = self.request.GET.get("month", "").strip()
        bounds = queries.month_bounds(month) if month else None
        if bounds:
            qs = qs.filter(completed_at__date__gte=bounds[0], completed_at__date__lte=bounds[1])
        if self.request.GET.get("leaves") == "1":
            qs = qs.leaves()
        return qs

    def get_create_url(self) -> str | None:
        return reverse("orders:create") if _may_create(self.request.user) else None

    def stage_deadline(self, obj: WorkOrder) -> Any:
        if not obj.is_open:
            return None
        row = WorkOrderStage.objects.filter(order=obj, stage=obj.stage).values_list("deadline", flat=True).first()
        return timezone.localtime(row) if row else None

    def jeopardy_badge(self, obj: WorkOrder) -> Any:
        return obj


# --- detail ---------------------------------------------------------------------------------------------


def _clock_rows(order: WorkOrder, now: Any) -> list[dict[str, Any]]:
    spec = services.order_spec(order) if order.started_at else None
    rows = []
    for row in order.stages.select_related("assignee").order_by("seq"):
        clock = None
        if spec is not None and row.is_current and order.status == WorkOrderStatus.IN_PROGRESS:
            clock = services.stage_clock(order, row, now, spec)
        rows.append({"row": row, "clock": clock})
    return rows


def _overview(request: HttpRequest, order: WorkOrder) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    may_change = services.may_change(user, order)
    may_work = services.may_work(user, order)
    context: dict[str, Any] = {
        "order": order,
        "stages": _clock_rows(order, now),
        "assignments": list(order.assignments.select_related("user", "lead")),
        "credit_warning": services.credit_warning_for(order),
        "desired_warning": services.desired_date_warning(order),
        "may_change": may_change,
        "may_work": may_work,
        "may_approve": services.may_approve(user, order),
        "may_test": order.status == WorkOrderStatus.IN_PROGRESS
        and order.stage in (Stage.TESTING, Stage.ACTIVATION, Stage.COMPLETION)
        and (may_work or services._region_engineer(user, order)),
        "pause_form": PauseForm(),
        "extension_form": ExtensionForm(),
        "reason_form": ReasonForm(),
        "note_form": NoteForm(),
        "open_pause": order.pauses.filter(ended_at__isnull=True).first(),
        "pending_extensions": list(order.extensions.filter(status="pending").select_related("stage", "requested_by")),
        "has_children": order.children.exists(),
    }
    if order.status == WorkOrderStatus.IN_PROGRESS and order.stage == Stage.COMPLETION and not context["has_children"]:
        context["completion_form"] = CompletionForm(
            order=order, initial={"accepted_at": timezone.localtime(now).strftime("%Y-%m-%dT%H:%M")}
        )
    if order.status == WorkOrderStatus.DRAFT or (order.is_open and may_change):
        context["dispatch_form"] = DispatchForm(order=order)
    if order.is_open and may_change and not order.parent_id and order.kind == WorkOrderKind.NEW and not order.line_id:
        context["split_form"] = SplitForm()
    return context


def _clocks(request: HttpRequest, order: WorkOrder) -> dict[str, Any]:
    return {
        "order": order,
        "pauses": list(order.pauses.select_related("paused_by", "resumed_by")),
        "extensions": list(order.extensions.select_related("stage", "requested_by", "decided_by")),
        "escalations": list(order.escalations.prefetch_related("recipients")),
        "may_approve": services.may_approve(request.user, order),
    }


def _children(request: HttpRequest, order: WorkOrder) -> dict[str, Any]:
    return {
        "order": order,
        "children": list(
            WorkOrder.objects.visible_to(request.user).filter(parent=order).select_related("region", "customer")
        ),
    }


def _tests(request: HttpRequest, order: WorkOrder) -> dict[str, Any]:
    return {"order": order, "links": list(order.test_links.select_related("test", "test__run_by"))}


class WorkOrderDetailView(ModelDetailView):
    model = WorkOrder
    template_name = "orders/detail.html"
    tabs = [
        Tab("overview", gettext_lazy("Overview"), "orders/_overview.html", _overview),
        Tab("clocks", gettext_lazy("Pauses, extensions, escalations"), "orders/_clocks.html", _clocks),
        Tab("children", gettext_lazy("Child orders"), "orders/_children.html", _children),
        Tab("tests", gettext_lazy("Activation tests"), "orders/_tests.html", _tests),
    ]
    edit_url_name = "orders:edit"

    def get_object(self) -> Any:
        return _get(self.request.user, self.kwargs["pk"])

    def get_edit_url(self, obj: Any) -> str | None:
        return super().get_edit_url(obj) if obj.status == WorkOrderStatus.DRAFT else None

    def get_title(self, obj: Any) -> Any:
        return f"{obj.number} · {obj.customer}"


class RequirementFormView(ModelFormView):
    model = WorkOrder
    form_class = RequirementForm
    template_name = "orders/requirement_form.html"

    def can_create(self, user: Any) -> bool:
        return _may_create(user)

    def get_object(self) -> Any:
        return _get(self.request.user, self.kwargs["pk"], CHANGE)

    def get_title(self) -> Any:
        return _("Requirement form") if self.is_create else _("Edit requirement")

    def get_initial(self) -> dict[str, Any]:
        if self.object is not None:
            o = self.object
            return {
                "kind": o.kind,
                "customer": o.customer_id,
                "line": o.line_id,
                "product": o.product,
                "bandwidth_kbps": o.bandwidth_kbps,
                "protection_level": o.protection_level,
                "resource_availability": o.resource_availability,
                "a_address": o.a_address,
                "z_address": o.z_address,
                "desired_date": o.desired_date,
                "contact": o.contact_id,
                "requirement": o.requirement,
            }
        initial: dict[str, Any] = {}
        for key in ("customer", "line", "template", "kind"):
            value = self.request.GET.get(key, "")
            if value:
                initial[key] = value
        return initial

    def get_form(self) -> Any:
        return self.form_class(**self.get_form_kwargs(), user=self.request.user, order=self.object)

    def save(self, form: Any) -> Any:
        data = {k: v for k, v in form.cleaned_data.items() if k != "template"}
        if self.object is not None:
            data.pop("customer", None)
            return services.update_work_order(order=self.object, actor=self.request.user, data=data)
        template = form.cleaned_data.get("template")
        if template is not None:
            data = {k: v for k, v in data.items() if v not in (None, "")}
        return services.create_work_order(actor=self.request.user, data=data, template=template)

    def get_extra_context(self) -> dict[str, Any]:
        from kam.customers.models import Customer
        from kam.customers.services import credit_warning

        raw = self.request.GET.get("customer", "")
        customer = (
            self.object.customer
            if self.object
            else (Customer.objects.visible_to(self.request.user).filter(pk=int(raw)).first() if raw.isdigit() else None)
        )
        return {"credit_warning": credit_warning(customer) if customer else None}


# --- actions --------------------------------------------------------------------------------------------


@login_required
def dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get(request.user, pk)
    if not services.may_change(request.user, order):
        raise PermissionDenied(_("You are not allowed to do this."))
    form = DispatchForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            services.dispatch_work_order(order=order, assignments=form.specs(), actor=request.user)
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Dispatched."))
            return HttpResponseRedirect(order.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "orders/dispatch_form.html",
        {
            "title": _("Dispatch form"),
            "order": order,
            "form": form,
            "credit_warning": services.credit_warning_for(order),
        },
        status=status,
    )


@login_required
@require_POST
def advance(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get(request.user, pk)
    note = request.POST.get("note", "")
    return _run(
        request, order, lambda: services.advance_stage(order=order, actor=request.user, note=note), _("Stage finished.")
    )


@login_required
@require_POST
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get(request.user, pk)
    form = PauseForm(request.POST)
    reason = form.data.get("reason", "")
    customer_caused = form.data.get("customer_caused") in ("on", "1", "true", "True")
    return _run(
        request,
        order,
        lambda: services.pause_work_order(
            order=order, reason=reason, customer_caused=customer_caused, actor=request.user
        ),
        _("Order paused."),
    )


@login_required
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get(request.user, pk)
    return _run(
        request, order, lambda: services.resume_work_order(order=order, actor=request.user), _("Order resumed.")
    )


@login_required
@require_POST
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get(request.user, pk)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return HttpResponseRedirect(order.get_absolute_url())
    deadline = form.cleaned_data.get("new_deadline")
    hours = form.cleaned_data.get("extra_hours")
    return _run(
        request,
        order,
        lambda: services.request_extension(
            order=order,
            reason=form.cleaned_data["reason"],
            actor=request.user,
            new_deadline=deadline,
            extra_hours=hours,
        ),
        _("Extension requested."),
    )


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int, ext_pk: int, decision: str) -> HttpResponse:
    order = _get(request.user, pk)
    if decision not in ("approve", "reject"):
        raise Http404
    ext = ExtensionRequest.objects.filter(order=order, pk=ext_pk).first()
    if ext is None:
        raise Http404
    note = request.POST.get("note", "")
    return _run(
        request,
        order,
        lambda: services.decide_extension(request=ext, approve=decision == "approve", actor=request.user, note=note),
        _("Extension approved.") if decision == "approve" else _("Extension rejected."),
    )


@login_required
@require_POST
def run_test(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get(request.user, pk)
    return _run(
        request, order, lambda: services.run_order_test(order=order, actor=request.user), _("Activation test run.")
    )


@login_required
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get(request.user, pk)
    if not services.may_work(request.user, order, Stage.COMPLETION):
        raise PermissionDenied(_("You are not allowed to do this."))
    form = CompletionForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_work_order(
                order=order,
                acceptance_contact=form.cleaned_data["acceptance_contact"],
                accepted_at=form.cleaned_data["accepted_at"],
                test_ids=[t.pk for t in form.cleaned_data.get("tests") or []],
                override_reason=form.cleaned_data.get("override_reason") or "",
                note=form.cleaned_data.get("note") or "",
                actor=request.user,
            )
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Order completed."))
            return HttpResponseRedirect(order.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "orders/completion_form.html",
        {"title": _("Completion form"), "order": order, "form": form},
        status=status,
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get(request.user, pk)
    reason = request.POST.get("reason", "")
    return _run(
        request,
        order,
        lambda: services.cancel_work_order(order=order, reason=reason, actor=request.user),
        _("Order cancelled."),
    )


@login_required
@require_POST
def split(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get(request.user, pk)
    form = SplitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the regions and teams."))
        return HttpResponseRedirect(order.get_absolute_url())
    specs = form.specs()
    return _run(
        request,
        order,
        lambda: services.split_into_children(order=order, regions_with_teams=specs, actor=request.user),
        _("Child orders created."),
    )


# --- templates and policies -----------------------------------------------------------------------------


class TemplateListView(ModelListView):
    model = WorkOrderTemplate
    title = gettext_lazy("Work-order templates")
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("kind", gettext_lazy("Kind")),
        Column("product", gettext_lazy("Product")),
        Column("bandwidth_kbps", gettext_lazy("Bandwidth (kbit/s)")),
        Column("protection_level", gettext_lazy("Protection level")),
        Column("active", gettext_lazy("Active")),
    ]
    search_fields = ["name", "description"]
    default_sort = "name"
    create_url_name = "orders:template-create"

    def object_url(self, obj: Any) -> str:
        return reverse("orders:template-edit", kwargs={"pk": obj.pk}) if is_admin_user(self.request.user) else ""

    def get_create_url(self) -> str | None:
        return super().get_create_url() if is_admin_user(self.request.user) else None


class TemplateFormView(ModelFormView):
    model = WorkOrderTemplate
    form_class = TemplateForm

    def get_object(self) -> Any:
        if not is_admin_user(self.request.user):
            raise PermissionDenied(_("Only administrators change this."))
        return super().get_object()

    def save(self, form: Any) -> Any:
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        return services.save_template(template=self.object, data=data, actor=self.request.user)

    def get_success_url(self, obj: Any) -> str:
        return reverse("orders:template-list")


class PolicyListView(ModelListView):
    model = TimeLimitPolicy
    title = gettext_lazy("Time-limit policies")
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("product", gettext_lazy("Product")),
        Column("protection_level", gettext_lazy("Protection level")),
        Column("resource_availability", gettext_lazy("Resource availability")),
        Column("working_days", gettext_lazy("Working days (with construction as configured)"), sort=""),
        Column("calendar", gettext_lazy("Working calendar"), sort="calendar__code"),
        Column("active", gettext_lazy("Active")),
    ]
    search_fields = ["name"]
    default_sort = ("product", "protection_level", "resource_availability")
    create_url_name = "orders:policy-create"

    def working_days(self, obj: TimeLimitPolicy) -> Any:
        skip = obj.resource_availability == "available"
        hours = obj.order_hours(skip)
        return round(float(hours) / 7.5, 1)

    def object_url(self, obj: Any) -> str:
        return reverse("orders:policy-edit", kwargs={"pk": obj.pk}) if is_admin_user(self.request.user) else ""

    def get_create_url(self) -> str | None:
        return super().get_create_url() if is_admin_user(self.request.user) else None


class PolicyFormView(ModelFormView):
    model = TimeLimitPolicy
    form_class = PolicyForm

    def get_object(self) -> Any:
        if not is_admin_user(self.request.user):
            raise PermissionDenied(_("Only administrators change this."))
        return super().get_object()

    def save(self, form: Any) -> Any:
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        data["stage_hours"] = form.stage_hours()
        return services.save_policy(policy=self.object, data=data, actor=self.request.user)

    def get_success_url(self, obj: Any) -> str:
        return reverse("orders:policy-list")


# --- timeliness -----------------------------------------------------------------------------------------


def _parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def filter_from(params: Any) -> queries.TimelinessFilter:
    return queries.TimelinessFilter(
        product=params.get("product", "") if params.get("product", "") in Product.values else "",
        region=params.get("region", "").strip()[:12] if params.get("region", "").strip().isdigit() else "",
        grade=params.get("grade", "").strip()[:8],
        kind=params.get("kind", "") if params.get("kind", "") in WorkOrderKind.values else "",
        date_from=_parse_date(params.get("date_from", "")),
        date_to=_parse_date(params.get("date_to", "")),
    )


@login_required
def timeliness(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", None) == "customer":
        raise PermissionDenied(_("You are not allowed to do this."))
    group_by = request.GET.get("group_by", "month")
    if group_by not in queries.GROUPS:
        group_by = "month"
    flt = filter_from(request.GET)
    rows = queries.timeliness(request.user, group_by, flt)
    base = {
        k: v
        for k, v in {"product": flt.product, "region": flt.region, "grade": flt.grade, "kind": flt.kind}.items()
        if v
    }
    from urllib.parse import urlencode

    list_url = reverse("orders:list")
    table = []
    for row in rows:
        params = {
            **base,
            **{k: v for k, v in row.filters.items() if v},
            "status": "completed",
            "late": "1",
            "leaves": "1",
        }
        table.append({"row": row, "late_url": f"{list_url}?{urlencode(params)}"})
    chart = {
        "labels": [r.label for r in rows],
        "rate": [r.on_time_rate for r in rows],
        "days": [r.average_days for r in rows],
        "rate_name": _("On-time rate (%)"),
        "days_name": _("Average working days"),
    }
    context = {
        "title": _("Activation timeliness"),
        "group_by": group_by,
        "groups": [
            ("month", _("Month")),
            ("product", _("Product")),
            ("region", _("Region")),
            ("grade", _("Customer grade")),
        ],
        "flt": flt,
        "products": Product.choices,
        "kinds": WorkOrderKind.choices,
        "table": table,
        "total": queries.totals(rows),
        "chart_json": json.dumps(chart, ensure_ascii=False),
        "all_late_url": f"{list_url}?{urlencode({**base, 'status': 'completed', 'late': '1', 'leaves': '1'})}",
    }
    template = "orders/timeliness.html#report" if getattr(request, "htmx", False) else "orders/timeliness.html"
    return render(request, template, context)
