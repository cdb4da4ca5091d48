"""REST routes: ``/api/v1/work-orders`` (+ actions), ``/work-order-templates``, ``/time-limit-policies``.

Routes are thin: they resolve ids to objects the caller may see (404 otherwise, never leaking existence) and
call :mod:`kam.orders.services`, which checks the action and raises domain errors (403, 409, 422).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kam.core.api import Page, fetch, responses
from kam.core.errors import Forbidden, NotFound, ValidationFailed
from kam.core.permissions import VIEW
from kam.orders import queries, services
from kam.orders.choices import Jeopardy, Stage, WorkOrderKind, WorkOrderStatus
from kam.orders.models import ExtensionRequest, TimeLimitPolicy, WorkOrder, WorkOrderTemplate
from kam.orders.schemas import (
    AdvanceIn,
    CancelIn,
    CompleteIn,
    DecisionIn,
    DispatchIn,
    ExtensionIn,
    ExtensionOut,
    PauseIn,
    PolicyIn,
    PolicyOut,
    PolicyUpdate,
    SplitIn,
    TemplateIn,
    TemplateOut,
    TemplateUpdate,
    TestLinkOut,
    TimelinessOut,
    WorkOrderCreate,
    WorkOrderDetailOut,
    WorkOrderOut,
    WorkOrderUpdate,
)

orders_router = Router(tags=["work orders"])
templates_router = Router(tags=["work orders"])
policies_router = Router(tags=["work orders"])


def _orders() -> QuerySet[WorkOrder]:
    return WorkOrder.objects.select_related("calendar").prefetch_related("children", "test_links")


def _detail(pk: int) -> WorkOrder:
    return _orders().get(pk=pk)


def _staff(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) == "customer":
        raise Forbidden(_("You are not allowed to do this."))


# --- lookups --------------------------------------------------------------------------------------------


def _one(model: Any, pk: int | None, field: str, qs: Any = None) -> Any:
    if pk is None:
        return None
    obj = (qs if qs is not None else model.objects.all()).filter(pk=pk).first()
    if obj is None:
        msg = _("Not found.")
        raise ValidationFailed(msg, fields={field: [msg]})
    return obj


def _user(pk: int | None, field: str) -> Any:
    from kam.identity.models import User

    return _one(User, pk, field, User.objects.filter(is_active=True).exclude(role="customer"))


def _requirement(request: HttpRequest, payload: Any) -> dict[str, Any]:
    from kam.customers.models import Contact, Site
    from kam.lines.models import Line

    raw = payload.dict(exclude_unset=True)
    data: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("customer_id", "template_id"):
            continue
        if key == "line_id":
            data["line"] = _one(Line, value, key, Line.objects.visible_to(request.user))
        elif key in ("a_site_id", "z_site_id"):
            data[key[:-3]] = _one(Site, value, key)
        elif key == "contact_id":
            data["contact"] = _one(Contact, value, key)
        elif key == "account_manager_id":
            data["account_manager"] = _user(value, key)
        elif hasattr(value, "value"):
            data[key] = value.value
        else:
            data[key] = value
    return data


# --- work orders ----------------------------------------------------------------------------------------


class OrderFilter(Schema):
    q: str | None = None
    status: WorkOrderStatus | None = None
    stage: Stage | None = None
    kind: WorkOrderKind | None = None
    customer_id: int | None = None
    jeopardy: Jeopardy | None = None
    region: str | None = None
    late: bool | None = None
    parent_id: int | None = None


@orders_router.get("", response=responses(200, list[WorkOrderOut]))
@paginate(Page)
def list_orders(request: HttpRequest, filters: Query[OrderFilter]) -> Any:
    qs: Any = _orders().filter(pk__in=WorkOrder.objects.visible_to(request.user).values("pk")).order_by("-pk")
    if filters.q:
        qs = qs.filter(
            Q(number__icontains=filters.q)
            | Q(customer__name__icontains=filters.q)
            | Q(line__circuit_id__icontains=filters.q)
        )
    if filters.status:
        qs = qs.filter(status=filters.status.value)
    if filters.stage:
        qs = qs.filter(stage=filters.stage.value)
    if filters.kind:
        qs = qs.filter(kind=filters.kind.value)
    if filters.customer_id is not None:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.jeopardy:
        qs = qs.filter(jeopardy=filters.jeopardy.value)
    if filters.region:
        from kam.core.models.reference import region_prefix

        qs = qs.filter(region__code__startswith=region_prefix(filters.region.strip()[:12]))
    if filters.late is True:
        qs = qs.late()
    elif filters.late is False:
        qs = qs.exclude(pk__in=WorkOrder.objects.late().values("pk"))
    if filters.parent_id is not None:
        qs = qs.filter(parent_id=filters.parent_id)
    return qs


@orders_router.get("/timeliness", response=responses(200, TimelinessOut))
def timeliness(
    request: HttpRequest,
    group_by: str = "month",
    product: str = "",
    region: str = "",
    grade: str = "",
    kind: str = "",
    date_from: str = "",
    date_to: str = "",
) -> Any:
    """On-time activation rate and average activation time (working days) by product, region, customer grade
    or month; each row links to its late orders."""
    _staff(request)
    from kam.orders.views import filter_from

    if group_by not in queries.GROUPS:
        raise ValidationFailed(_("Unknown grouping."), fields={"group_by": [", ".join(queries.GROUPS)]})
    params = {
        "product": product,
        "region": region,
        "grade": grade,
        "kind": kind,
        "date_from": date_from,
        "date_to": date_to,
    }
    flt = filter_from(params)
    rows = queries.timeliness(request.user, group_by, flt)
    base = {
        k: v
        for k, v in {"product": flt.product, "region": flt.region, "grade": flt.grade, "kind": flt.kind}.items()
        if v
    }
    list_url = reverse("orders:list")

    def out(row: queries.TimelinessRow) -> dict[str, Any]:
        link = {
            **base,
            **{k: v for k, v in row.filters.items() if v},
            "status": "completed",
            "late": "1",
            "leaves": "1",
        }
        return {
            "key": row.key,
            "label": row.label,
            "total": row.total,
            "on_time": row.on_time,
            "late": row.late,
            "on_time_rate": row.on_time_rate,
            "average_days": row.average_days,
            "late_orders_url": f"{list_url}?{urlencode(link)}",
        }

    total = queries.totals(rows)
    total.label = _("Total")
    return {"group_by": group_by, "rows": [out(r) for r in rows], "total": out(total)}


@orders_router.post("", response=responses(201, WorkOrderDetailOut))
def create_order(request: HttpRequest, payload: WorkOrderCreate) -> Any:
    from kam.customers.models import Customer

    _staff(request)
    customer = Customer.objects.visible_to(request.user).filter(pk=payload.customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    template = None
    if payload.template_id is not None:
        template = _one(
            WorkOrderTemplate, payload.template_id, "template_id", WorkOrderTemplate.objects.filter(active=True)
        )
    data = _requirement(request, payload)
    data["customer"] = customer
    if template is not None:
        data = {k: v for k, v in data.items() if v not in (None, "")}
    order = services.create_work_order(actor=request.user, data=data, template=template)
    return Status(201, _detail(order.pk))


@orders_router.get("/{order_id}", response=responses(200, WorkOrderDetailOut))
def get_order(request: HttpRequest, order_id: int) -> Any:
    return fetch(request, _orders(), VIEW, pk=order_id)


@orders_router.patch("/{order_id}", response=responses(200, WorkOrderDetailOut))
def update_order(request: HttpRequest, order_id: int, payload: WorkOrderUpdate) -> Any:
    order: Any = fetch(request, WorkOrder.objects.all(), VIEW, pk=order_id)
    services.update_work_order(order=order, actor=request.user, data=_requirement(request, payload))
    return _detail(order.pk)


def _order(request: HttpRequest, order_id: int) -> Any:
    """The order if visible (404 otherwise); the service decides whether the caller may act (403)."""
    return fetch(request, WorkOrder.objects.all(), VIEW, pk=order_id)


@orders_router.post("/{order_id}/dispatch", response=responses(200, WorkOrderDetailOut))
def dispatch_order(request: HttpRequest, order_id: int, payload: DispatchIn) -> Any:
    order = _order(request, order_id)
    specs = [
        services.AssignmentSpec(
            stage=a.stage.value,
            team_name=a.team_name,
            user=_user(a.user_id, f"assignments.{i}.user_id"),
            lead=_user(a.lead_id, f"assignments.{i}.lead_id"),
        )
        for i, a in enumerate(payload.assignments)
    ]
    services.dispatch_work_order(order=order, assignments=specs, actor=request.user)
    return _detail(order.pk)


@orders_router.post("/{order_id}/advance", response=responses(200, WorkOrderDetailOut))
def advance_order(request: HttpRequest, order_id: int, payload: AdvanceIn) -> Any:
    order = _order(request, order_id)
    services.advance_stage(order=order, actor=request.user, note=payload.note)
    return _detail(order.pk)


@orders_router.post("/{order_id}/pause", response=responses(200, WorkOrderDetailOut))
def pause_order(request: HttpRequest, order_id: int, payload: PauseIn) -> Any:
    order = _order(request, order_id)
    services.pause_work_order(
        order=order, reason=payload.reason, customer_caused=payload.customer_caused, actor=request.user
    )
    return _detail(order.pk)


@orders_router.post("/{order_id}/resume", response=responses(200, WorkOrderDetailOut))
def resume_order(request: HttpRequest, order_id: int) -> Any:
    order = _order(request, order_id)
    services.resume_work_order(order=order, actor=request.user)
    return _detail(order.pk)


@orders_router.get("/{order_id}/extensions", response=responses(200, list[ExtensionOut]))
def list_extensions(request: HttpRequest, order_id: int) -> Any:
    order = _order(request, order_id)
    return list(order.extensions.select_related("stage"))


@orders_router.post("/{order_id}/extensions", response=responses(201, ExtensionOut))
def request_extension(request: HttpRequest, order_id: int, payload: ExtensionIn) -> Any:
    order = _order(request, order_id)
    ext = services.request_extension(
        order=order,
        stage=payload.stage.value if payload.stage else None,
        reason=payload.reason,
        extra_hours=payload.extra_hours,
        new_deadline=payload.new_deadline,
        actor=request.user,
    )
    return Status(201, ExtensionRequest.objects.select_related("stage").get(pk=ext.pk))


def _extension(request: HttpRequest, order_id: int, extension_id: int) -> ExtensionRequest:
    order = _order(request, order_id)
    ext = ExtensionRequest.objects.select_related("stage").filter(order=order, pk=extension_id).first()
    if ext is None:
        raise NotFound(_("Extension request not found."))
    return ext


@orders_router.post("/{order_id}/extensions/{extension_id}/approve", response=responses(200, ExtensionOut))
def approve_extension(request: HttpRequest, order_id: int, extension_id: int, payload: DecisionIn) -> Any:
    ext = _extension(request, order_id, extension_id)
    services.decide_extension(request=ext, approve=True, actor=request.user, note=payload.note)
    return ExtensionRequest.objects.select_related("stage").get(pk=ext.pk)


@orders_router.post("/{order_id}/extensions/{extension_id}/reject", response=responses(200, ExtensionOut))
def reject_extension(request: HttpRequest, order_id: int, extension_id: int, payload: DecisionIn) -> Any:
    ext = _extension(request, order_id, extension_id)
    services.decide_extension(request=ext, approve=False, actor=request.user, note=payload.note)
    return ExtensionRequest.objects.select_related("stage").get(pk=ext.pk)


@orders_router.post("/{order_id}/tests", response=responses(201, TestLinkOut))
def run_test(request: HttpRequest, order_id: int) -> Any:
    """Run the activation test of the order's line now (ports up, reachability, round-trip time)."""
    order = _order(request, order_id)
    link = services.run_order_test(order=order, actor=request.user)
    return Status(201, type(link).objects.select_related("test").get(pk=link.pk))


@orders_router.get("/{order_id}/tests", response=responses(200, list[TestLinkOut]))
def list_tests(request: HttpRequest, order_id: int) -> Any:
    order = _order(request, order_id)
    return list(order.test_links.select_related("test"))


@orders_router.post("/{order_id}/complete", response=responses(200, WorkOrderDetailOut))
def complete_order(request: HttpRequest, order_id: int, payload: CompleteIn) -> Any:
    from kam.customers.models import Contact

    order = _order(request, order_id)
    contact = _one(Contact, payload.acceptance_contact_id, "acceptance_contact_id")
    services.complete_work_order(
        order=order,
        acceptance_contact=contact,
        accepted_at=payload.accepted_at,
        test_ids=payload.test_ids,
        override_reason=payload.override_reason,
        note=payload.note,
        actor=request.user,
    )
    return _detail(order.pk)


@orders_router.post("/{order_id}/cancel", response=responses(200, WorkOrderDetailOut))
def cancel_order(request: HttpRequest, order_id: int, payload: CancelIn) -> Any:
    order = _order(request, order_id)
    services.cancel_work_order(order=order, reason=payload.reason, actor=request.user)
    return _detail(order.pk)


@orders_router.get("/{order_id}/children", response=responses(200, list[WorkOrderOut]))
def list_children(request: HttpRequest, order_id: int) -> Any:
    order = _order(request, order_id)
    return list(
        _orders()
        .filter(parent=order, pk__in=WorkOrder.objects.visible_to(request.user).values("pk"))
        .order_by("number")
    )


@orders_router.post("/{order_id}/children", response=responses(201, list[WorkOrderOut]))
def split_order(request: HttpRequest, order_id: int, payload: SplitIn) -> Any:
    from kam.core.models import Region
    from kam.customers.models import Customer

    order = _order(request, order_id)
    specs = []
    for i, child in enumerate(payload.children):
        region = _one(Region, child.region_code, f"children.{i}.region_code")  # type: ignore[arg-type]
        customer = _one(Customer, child.customer_id, f"children.{i}.customer_id")
        specs.append(
            services.ChildSpec(
                region=region,
                team_name=child.team_name,
                user=_user(child.user_id, f"children.{i}.user_id"),
                lead=_user(child.lead_id, f"children.{i}.lead_id"),
                customer=customer,
            )
        )
    children = services.split_into_children(order=order, regions_with_teams=specs, actor=request.user)
    return Status(201, list(_orders().filter(pk__in=[c.pk for c in children]).order_by("number")))


# --- templates ------------------------------------------------------------------------------------------


def _template_data(payload: Any, partial: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=partial)
    for key, value in list(data.items()):
        if hasattr(value, "value"):
            data[key] = value.value
    if data.get("default_assignments") is not None:
        rows = []
        for i, row in enumerate(data["default_assignments"]):
            stage = row["stage"].value if hasattr(row["stage"], "value") else row["stage"]
            for key in ("user_id", "lead_id"):
                _user(row.get(key), f"default_assignments.{i}.{key}")
            rows.append(
                {
                    "stage": stage,
                    "team_name": row.get("team_name", ""),
                    "user_id": row.get("user_id"),
                    "lead_id": row.get("lead_id"),
                }
            )
        data["default_assignments"] = rows
    elif "default_assignments" in data:
        data["default_assignments"] = []
    return data


@templates_router.get("", response=responses(200, list[TemplateOut]))
@paginate(Page)
def list_templates(request: HttpRequest, q: str | None = None, active: bool | None = None) -> Any:
    qs = WorkOrderTemplate.objects.visible_to(request.user)
    if q:
        qs = qs.filter(name__icontains=q)
    if active is not None:
        qs = qs.filter(active=active)
    return qs


@templates_router.post("", response=responses(201, TemplateOut))
def create_template(request: HttpRequest, payload: TemplateIn) -> Any:
    return Status(201, services.save_template(template=None, data=_template_data(payload, False), actor=request.user))


@templates_router.get("/{template_id}", response=responses(200, TemplateOut))
def get_template(request: HttpRequest, template_id: int) -> Any:
    return fetch(request, WorkOrderTemplate.objects.all(), VIEW, pk=template_id)


@templates_router.patch("/{template_id}", response=responses(200, TemplateOut))
def update_template(request: HttpRequest, template_id: int, payload: TemplateUpdate) -> Any:
    template: Any = fetch(request, WorkOrderTemplate.objects.all(), VIEW, pk=template_id)
    return services.save_template(template=template, data=_template_data(payload, True), actor=request.user)


@templates_router.delete("/{template_id}", response=responses(204, None))
def delete_template(request: HttpRequest, template_id: int) -> Any:
    template: Any = fetch(request, WorkOrderTemplate.objects.all(), VIEW, pk=template_id)
    services.delete_template(template=template, actor=request.user)
    return Status(204, None)


# --- time-limit policies --------------------------------------------------------------------------------


def _policy_data(payload: Any, partial: bool) -> dict[str, Any]:
    from kam.core.models import WorkingCalendar

    data = payload.dict(exclude_unset=partial)
    for key, value in list(data.items()):
        if hasattr(value, "value"):
            data[key] = value.value
    if "calendar_code" in data:
        code = data.pop("calendar_code")
        data["calendar"] = None
        if code is not None:
            calendar = WorkingCalendar.objects.filter(code=code).first()
            if calendar is None:
                raise ValidationFailed(
                    _("Unknown working calendar."), fields={"calendar_code": [_("Unknown working calendar.")]}
                )
            data["calendar"] = calendar
    if data.get("stage_hours") is not None:
        data["stage_hours"] = {(k.value if hasattr(k, "value") else k): v for k, v in data["stage_hours"].items()}
    elif "stage_hours" in data:
        data.pop("stage_hours")
    return data


@policies_router.get("", response=responses(200, list[PolicyOut]))
@paginate(Page)
def list_policies(request: HttpRequest, q: str | None = None) -> Any:
    qs = TimeLimitPolicy.objects.visible_to(request.user).select_related("calendar")
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


@policies_router.post("", response=responses(201, PolicyOut))
def create_policy(request: HttpRequest, payload: PolicyIn) -> Any:
    return Status(201, services.save_policy(policy=None, data=_policy_data(payload, False), actor=request.user))


@policies_router.get("/{policy_id}", response=responses(200, PolicyOut))
def get_policy(request: HttpRequest, policy_id: int) -> Any:
    return fetch(request, TimeLimitPolicy.objects.select_related("calendar"), VIEW, pk=policy_id)


@policies_router.patch("/{policy_id}", response=responses(200, PolicyOut))
def update_policy(request: HttpRequest, policy_id: int, payload: PolicyUpdate) -> Any:
    policy: Any = fetch(request, TimeLimitPolicy.objects.all(), VIEW, pk=policy_id)
    return services.save_policy(policy=policy, data=_policy_data(payload, True), actor=request.user)
