"""Customer pages: list, 360 page (a panel registry), tree, forms, team editor, sites, grades, tiers, import."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kam.core.errors import DomainError, Forbidden, NotFound
from kam.core.models import IndustryLine, Region
from kam.core.permissions import APPROVE, CHANGE, VIEW, can, can_on, get_for, is_admin_user
from kam.core.registry import registry
from kam.core.views_generic import Column, Filter, ModelDetailView, ModelFormView, ModelListView, Tab, add_domain_error
from kam.customers import services
from kam.customers.choices import CustomerType, GradeChangeStatus, Lifecycle, ServiceLevel, TeamRole
from kam.customers.forms import (
    CustomerForm,
    GradeChangeForm,
    ImportForm,
    MoveForm,
    SiteForm,
    TierPolicyForm,
    grade_choices,
)
from kam.customers.models import AccountTeamMember, Customer, GradeChangeRequest, Site, TierPolicy
from kam.customers.queries import customer_rollups, group_tree
from kam.customers.search import search_filter

EDITOR_ROLES = frozenset({"admin", "director", "account_manager"})


def _get(qs: Any, user: Any, action: str = VIEW, **lookup: Any) -> Any:
    try:
        return get_for(qs, user, action, **lookup)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc


def _industry_lines(request: HttpRequest) -> list[tuple[str, str]]:
    return [(line.code, line.name) for line in IndustryLine.objects.all()]


def _grades(request: HttpRequest) -> list[tuple[str, str]]:
    return grade_choices()


# --- list ------------------------------------------------------------------------------------------------

COMMERCIAL_COLUMNS = {"get_lifecycle_display", "get_credit_status_display"}


class CustomerListView(ModelListView):
    model = Customer
    title = gettext_lazy("Customers")
    base_columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("short_name", gettext_lazy("Short name"), default=False),
        Column("uscc", gettext_lazy("USCC"), default=False),
        Column("value_grade", gettext_lazy("Grade")),
        Column("get_service_level_display", gettext_lazy("Service level"), sort="service_level"),
        Column("get_customer_type_display", gettext_lazy("Type"), sort="customer_type"),
        Column("region.name", gettext_lazy("Region"), sort="region_id"),
        Column("industry_line.name", gettext_lazy("Industry line"), sort="industry_line_id", default=False),
        Column("parent.name", gettext_lazy("Group"), sort="", default=False),
        Column("get_lifecycle_display", gettext_lazy("Lifecycle"), sort="lifecycle"),
        Column("get_credit_status_display", gettext_lazy("Credit"), sort="credit_status", default=False),
    ]
    filters = [
        Filter("value_grade", gettext_lazy("Grade"), choices=_grades),
        Filter("service_level", gettext_lazy("Service level"), choices=ServiceLevel.choices),
        Filter("customer_type", gettext_lazy("Type"), choices=CustomerType.choices),
        Filter("industry_line", gettext_lazy("Industry line"), lookup="industry_line_id", choices=_industry_lines),
        Filter("region", gettext_lazy("Region code"), lookup="region__code__startswith"),  # see apply_filters
        Filter("lifecycle", gettext_lazy("Lifecycle"), choices=Lifecycle.choices),
        Filter("root_only", gettext_lazy("Group HQs only"), lookup="parent__isnull", boolean=True),
    ]
    default_sort = "name"
    export_name = "customers"
    create_url_name = "customers:create"
    count_cap = 10_000

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        user = request.user
        hidden: set[str] = set()
        if not getattr(user, "sees_commercial", False):
            hidden |= COMMERCIAL_COLUMNS
        if getattr(user, "role", None) == "customer":
            hidden |= {"value_grade"}
        self.columns = [c for c in self.base_columns if c.attr not in hidden]  # type: ignore[misc]
        if getattr(user, "role", None) == "customer":  # a portal user never learns the internal grade
            self.filters = [f for f in type(self).filters if f.name not in ("value_grade", "lifecycle")]  # type: ignore[misc]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("region", "parent", "industry_line")

    def apply_filters(self, qs: Any) -> Any:
        from kam.core.models.reference import region_prefix
        from kam.customers.permissions import region_q

        raw = self.request.GET.get("region", "").strip()
        if raw.isdigit() and len(raw) <= 6:
            code = region_prefix(raw) if len(raw) == 6 else raw
            get = self.request.GET.copy()
            get.pop("region")
            self.request.GET = get  # type: ignore[assignment]
            qs, active = super().apply_filters(qs.filter(region_q(code)))
            get = self.request.GET.copy()
            get["region"] = raw
            self.request.GET = get  # type: ignore[assignment]
            return qs, {**active, "region": raw}
        return super().apply_filters(qs)

    def search(self, qs: Any, q: str) -> Any:
        return qs.filter(search_filter(q))

    def get_create_url(self) -> str | None:
        return (
            reverse("customers:create")
            if getattr(self.request.user, "role", None) in EDITOR_ROLES or is_admin_user(self.request.user)
            else None
        )


# --- 360 page --------------------------------------------------------------------------------------------


def _panels_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    panels = [
        (panel, panel.context(request, customer))
        for panel in registry.panels_for("customer", request.user, customer)
        if _template_exists(panel.template)
    ]
    return {"panels": panels, "customer": customer}


def _template_exists(name: str) -> bool:
    """A panel whose template is missing (an app half deployed) is left out rather than breaking the page."""
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    try:
        get_template(name)
    except TemplateDoesNotExist:
        import logging

        logging.getLogger(__name__).error("customer panel template %s is missing", name)
        return False
    return True


class CustomerDetailView(ModelDetailView):
    model = Customer
    template_name = "customers/detail.html"
    edit_url_name = "customers:edit"
    tabs = [Tab("overview", gettext_lazy("Overview"), "customers/_panels.html", _panels_context)]

    def get_object(self) -> Any:
        from django.core.exceptions import ValidationError

        qs = Customer.objects.select_related("region", "parent", "industry", "industry_line", "org_unit", "owner")
        try:
            obj = get_for(qs, self.request.user, VIEW, pk=self.kwargs["pk"])
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except (ValueError, ValidationError) as exc:
            raise Http404 from exc
        # the panels may ask again whether the user sees the customer: they do (get_for just checked it)
        self.request.__dict__.setdefault("_kam_can", {})[(VIEW, obj._meta.label, obj.pk)] = True
        return obj

    def get_title(self, obj: Any) -> Any:
        return obj.name

    def get_actions(self, obj: Any) -> list[dict[str, Any]]:
        actions = [{"label": _("Group tree"), "url": reverse("customers:tree", args=[obj.pk]), "icon": "sitemap"}]
        if can_on(self.request, CHANGE, obj):
            actions += [
                {"label": _("Team"), "url": reverse("customers:team", args=[obj.pk]), "icon": "users"},
                {
                    "label": _("Change grade"),
                    "url": reverse("customers:grade-request", args=[obj.pk]),
                    "icon": "arrows-sort",
                },
                {"label": _("Move"), "url": reverse("customers:move", args=[obj.pk]), "icon": "arrows-move"},
            ]
        return actions

    def get_edit_url(self, obj: Any) -> str | None:
        return reverse("customers:edit", kwargs={"pk": obj.pk}) if can_on(self.request, CHANGE, obj) else None

    def get_extra_context(self, obj: Any) -> dict[str, Any]:
        warning = services.credit_warning(obj) if getattr(self.request.user, "sees_commercial", False) else None
        return {"credit_warning": warning, "customer": obj}


# panels contributed by this app


def profile_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    user = request.user
    return {
        "sees_commercial": getattr(user, "sees_commercial", False),
        "sees_internal": getattr(user, "role", None) != "customer",
        "policy": TierPolicy.objects.filter(grade=customer.value_grade).first(),
    }


def hierarchy_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    ancestors_ids = [int(p) for p in customer.path.strip("/").split("/")[:-1]]
    ancestors = list(Customer.objects.visible_to(request.user).filter(pk__in=ancestors_ids).order_by("depth"))
    children_qs = Customer.objects.filter(parent=customer)
    if getattr(request.user, "role", None) not in SUBTREE_ROLES:  # region-scoped roles may not see every branch
        children_qs = children_qs.filter(pk__in=Customer.objects.visible_to(request.user).values("pk"))
    children = list(children_qs.order_by("name")[:20])
    return {"ancestors": ancestors, "children": children, "rollups": customer_rollups(customer)}


# roles that see a customer's whole subtree once they see the customer (DESIGN.md "Permissions")
SUBTREE_ROLES = frozenset({"account_manager", "engineer", "customer"})


def team_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    members = customer.team_members.select_related("user", "region").order_by("role", "user__username")
    return {"members": list(members), "can_edit": can_on(request, CHANGE, customer)}


def sites_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    # the page checked the customer; its sites share its visibility
    sites = Site.objects.filter(customer=customer).select_related("region").order_by("name")
    return {"sites": list(sites[:50]), "can_edit": can_on(request, CHANGE, customer)}


def grades_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    # the page checked the customer; the panel is hidden from customer users (who may not see requests)
    rows = GradeChangeRequest.objects.filter(customer=customer).select_related("requested_by", "decided_by")
    return {"grade_changes": list(rows[:20]), "can_approve": can_on(request, APPROVE, customer)}


def _staff(user: Any, customer: Any) -> bool:
    return getattr(user, "role", None) != "customer"


# --- forms -----------------------------------------------------------------------------------------------


class CustomerFormView(ModelFormView):
    model = Customer
    form_class = CustomerForm
    template_name = "customers/form.html"

    def can_create(self, user: Any) -> bool:
        return is_admin_user(user) or getattr(user, "role", None) in EDITOR_ROLES

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        kwargs["user"] = self.request.user
        return kwargs

    def save(self, form: Any) -> Any:
        try:
            data = form.service_data()
        except forms.ValidationError as exc:
            from kam.core.errors import ValidationFailed

            raise ValidationFailed(str(exc.message), fields={"parent": [str(exc.message)]}) from exc
        allow = form.cleaned_data.get("allow_duplicate_name", False)
        try:
            if self.object is None:
                return services.create_customer(actor=self.request.user, data=data, allow_duplicate_name=allow)
            return services.update_customer(
                customer=self.object, actor=self.request.user, data=data, allow_duplicate_name=allow
            )
        except DomainError as exc:
            if exc.code == "uscc_check_digit":
                form.show_override = True
                form.fields["uscc_override"].widget = forms.TextInput()
            raise


@login_required
def tree(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _get(Customer.objects.all(), request.user, pk=pk)
    root = group_tree(customer, request.user)
    return render(
        request,
        "customers/tree.html",
        {
            "customer": customer,
            "root": root,
            "title": _("Group tree"),
            "show_grade": getattr(request.user, "role", None) != "customer",
        },
    )


@login_required
def move(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _get(Customer.objects.all(), request.user, CHANGE, pk=pk)
    form = MoveForm(request.POST or None, initial={"parent": customer.parent_id or ""})
    status = 200
    if request.method == "POST" and form.is_valid():
        ref = form.cleaned_data["parent"].strip()
        from kam.customers.exchange import _find_customer

        parent = _find_customer(ref, request.user) if ref else None
        if ref and parent is None:
            form.add_error("parent", _("Unknown parent customer."))
        else:
            try:
                with transaction.atomic():
                    services.move_customer(customer=customer, new_parent=parent, actor=request.user)
                messages.success(request, _("Moved."))
                return HttpResponseRedirect(reverse("customers:tree", args=[customer.pk]))
            except DomainError as exc:
                _raise_http(exc)
                add_domain_error(form, exc)
        status = 422
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": _("Move %(name)s") % {"name": customer.name},
            "object": customer,
            "cancel_url": customer.get_absolute_url(),
        },
        status=status,
    )


def _raise_http(exc: DomainError) -> None:
    if exc.status == 404:
        raise Http404(exc.message) from exc
    if exc.status == 403:
        raise PermissionDenied(exc.message) from exc


@login_required
def team(request: HttpRequest, pk: int) -> HttpResponse:
    """The team editor: the whole team is validated and saved at once."""
    from kam.identity.models import User

    customer = _get(Customer.objects.all(), request.user, VIEW, pk=pk)
    can_edit = can(request.user, CHANGE, customer)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("You are not allowed to do this."))
    members = list(customer.team_members.select_related("user", "region").order_by("role", "user__username"))
    rows = [{"user": m.user_id, "role": m.role, "region": m.region_id or "", "share": m.credit_share} for m in members]
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        rows = []
        specs = []
        count = int(request.POST.get("rows", "0") or 0)
        users = {u.pk: u for u in User.objects.exclude(role="customer")}
        for i in range(min(count, 50)):
            user_id = request.POST.get(f"user_{i}", "").strip()
            role = request.POST.get(f"role_{i}", "").strip()
            region_id = request.POST.get(f"region_{i}", "").strip()
            share_raw = request.POST.get(f"share_{i}", "").strip()
            if not user_id:
                continue
            rows.append(
                {
                    "user": int(user_id) if user_id.isdigit() else user_id,
                    "role": role,
                    "region": region_id,
                    "share": share_raw,
                }
            )
            user = users.get(int(user_id)) if user_id.isdigit() else None
            if user is None:
                errors.append(_("Unknown user %(value)s.") % {"value": user_id})
                continue
            region = Region.objects.filter(pk=region_id).first() if region_id else None
            try:
                share = Decimal(share_raw) if share_raw else None
            except InvalidOperation:
                errors.append(_("Not a number: %(value)s") % {"value": share_raw})
                continue
            specs.append(services.TeamMemberSpec(user=user, role=role, region=region, credit_share=share))
        if not errors:
            try:
                with transaction.atomic():
                    services.set_team(customer=customer, members=specs, actor=request.user)
                messages.success(request, _("The account team was saved."))
                return HttpResponseRedirect(customer.get_absolute_url())
            except DomainError as exc:
                _raise_http(exc)
                errors.extend(m for msgs in exc.fields.values() for m in msgs) if exc.fields else errors.append(
                    exc.message
                )
        status = 422
    rows += [{"user": "", "role": "", "region": "", "share": ""} for _i in range(3)]
    staff = User.objects.filter(is_active=True).exclude(role="customer").order_by("username")
    return render(
        request,
        "customers/team.html",
        {
            "customer": customer,
            "object": customer,
            "title": _("Account team of %(name)s") % {"name": customer.name},
            "rows": rows,
            "staff": staff,
            "roles": TeamRole.choices,
            "regions": Region.objects.filter(level__lte=2).order_by("code"),
            "errors": errors,
            "can_edit": can_edit,
        },
        status=status,
    )


@login_required
def site_form(request: HttpRequest, pk: int | None = None, customer_pk: int | None = None) -> HttpResponse:
    if pk is not None:
        site = _get(Site.objects.select_related("customer"), request.user, CHANGE, pk=pk)
        customer = site.customer
    else:
        site = None
        customer = _get(Customer.objects.all(), request.user, CHANGE, pk=customer_pk)
    form = SiteForm(request.POST or None, instance=site or Site(customer=customer))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in form.Meta.fields}
            try:
                with transaction.atomic():
                    services.save_site(site=site, customer=customer, actor=request.user, data=data)
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(customer.get_absolute_url())
            except DomainError as exc:
                _raise_http(exc)
                add_domain_error(form, exc)
    title = (
        _("New site of %(name)s") % {"name": customer.name}
        if site is None
        else _("Edit site %(name)s") % {"name": site.name}
    )
    return render(
        request,
        "core/form.html",
        {"form": form, "title": title, "object": customer, "cancel_url": customer.get_absolute_url()},
        status=status,
    )


@login_required
@require_POST
def site_delete(request: HttpRequest, pk: int) -> HttpResponse:
    site = _get(Site.objects.select_related("customer"), request.user, CHANGE, pk=pk)
    customer = site.customer
    services.delete_site(site=site, actor=request.user)
    messages.success(request, _("Deleted."))
    return HttpResponseRedirect(customer.get_absolute_url())


# --- grades ----------------------------------------------------------------------------------------------


@login_required
def grade_request(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _get(Customer.objects.all(), request.user, CHANGE, pk=pk)
    form = GradeChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.request_grade_change(
                        customer=customer,
                        actor=request.user,
                        to_grade=form.cleaned_data["to_grade"],
                        reason=form.cleaned_data["reason"],
                    )
                messages.success(request, _("The grade change was sent for approval."))
                return HttpResponseRedirect(customer.get_absolute_url())
            except DomainError as exc:
                _raise_http(exc)
                add_domain_error(form, exc)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": _("Change the grade of %(name)s (now %(grade)s)")
            % {"name": customer.name, "grade": customer.value_grade},
            "object": customer,
            "cancel_url": customer.get_absolute_url(),
        },
        status=status,
    )


class GradeChangeListView(ModelListView):
    model = GradeChangeRequest
    title = gettext_lazy("Grade changes")
    columns = [
        Column("customer.name", gettext_lazy("Customer"), sort="customer__name", link=True),
        Column("from_grade", gettext_lazy("From")),
        Column("to_grade", gettext_lazy("To")),
        Column("reason", gettext_lazy("Reason"), sort=""),
        Column("requested_by", gettext_lazy("Requested by"), sort=""),
        Column("created_at", gettext_lazy("Requested at")),
        Column("get_status_display", gettext_lazy("Status"), sort="status"),
        Column("decided_by", gettext_lazy("Decided by"), sort=""),
        Column("decision_note", gettext_lazy("Decision note"), sort="", default=False),
        Column("actions", gettext_lazy("Decision"), sort="", template="customers/_grade_actions.html"),
    ]
    filters = [Filter("status", gettext_lazy("Status"), choices=GradeChangeStatus.choices)]
    default_sort = ["-created_at"]
    export_name = "grade-changes"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("customer", "requested_by", "decided_by")

    def actions(self, obj: GradeChangeRequest) -> Any:
        if obj.status != GradeChangeStatus.PENDING:
            return ""
        if not Customer.objects.restrict(self.request.user, APPROVE).filter(pk=obj.customer_id).exists():
            return ""
        return obj

    def object_url(self, obj: Any) -> str:
        return obj.customer.get_absolute_url()


@login_required
@require_POST
def grade_decide(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _get(GradeChangeRequest.objects.all(), request.user, APPROVE, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        with transaction.atomic():
            services.decide_grade_change(
                request=obj, approve=approve, actor=request.user, note=request.POST.get("note", "")
            )
        messages.success(request, _("Approved.") if approve else _("Rejected."))
    except DomainError as exc:
        _raise_http(exc)
        messages.error(request, exc.message)
    return HttpResponseRedirect(request.POST.get("next") or reverse("customers:grade-changes"))


# --- tier policies ---------------------------------------------------------------------------------------


class TierPolicyListView(ModelListView):
    model = TierPolicy
    title = gettext_lazy("Tier policies")
    columns = [
        Column("grade", gettext_lazy("Grade"), link=True),
        Column("label", gettext_lazy("Label")),
        Column("visit_cadence_days", gettext_lazy("Visit cadence (days)")),
        Column("get_default_service_level_display", gettext_lazy("Service level"), sort="default_service_level"),
        Column("get_report_granularity_display", gettext_lazy("Reports"), sort="report_granularity"),
        Column("ack_minutes", gettext_lazy("Acknowledge (min)")),
        Column("update_interval_minutes", gettext_lazy("Updates every (min)")),
        Column("written_report_hours", gettext_lazy("Written report (h)")),
        Column("discount_authority_pct", gettext_lazy("Discount authority (%)")),
    ]
    default_sort = ["rank", "grade"]
    export_name = "tier-policies"

    def object_url(self, obj: Any) -> str:
        return reverse("customers:tier-edit", args=[obj.pk]) if is_admin_user(self.request.user) else ""

    def get_create_url(self) -> str | None:
        return reverse("customers:tier-create") if is_admin_user(self.request.user) else None


class TierPolicyFormView(ModelFormView):
    model = TierPolicy
    form_class = TierPolicyForm

    def get_object(self) -> Any:
        obj = super().get_object()
        if not is_admin_user(self.request.user):
            raise PermissionDenied(_("Only administrators change tier policies."))
        return obj

    def save(self, form: Any) -> Any:
        data = {k: v for k, v in form.cleaned_data.items() if not (k == "grade" and self.object is not None)}
        return services.save_tier_policy(policy=self.object, data=data, actor=self.request.user)

    def get_success_url(self, obj: Any) -> str:
        return reverse("customers:tiers")


# --- import ----------------------------------------------------------------------------------------------


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    if not (is_admin_user(request.user) or getattr(request.user, "role", None) in EDITOR_ROLES):
        raise PermissionDenied(_("You are not allowed to do this."))
    from kam.core.tables import ImportFailed
    from kam.customers.exchange import CUSTOMER_HEADERS, SITE_HEADERS, import_file

    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[Any] = []
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                count = import_file(
                    kind=form.cleaned_data["kind"], data=upload.read(), filename=upload.name, actor=request.user
                )
                messages.success(request, _("Imported %(count)s rows.") % {"count": count})
                return HttpResponseRedirect(reverse("customers:list"))
            except ImportFailed as exc:
                row_errors = exc.errors
                form.add_error(None, exc.message)
            except DomainError as exc:
                add_domain_error(form, exc)
    return render(
        request,
        "customers/import.html",
        {
            "form": form,
            "row_errors": row_errors,
            "title": _("Import customers or sites"),
            "customer_headers": CUSTOMER_HEADERS[1:],
            "site_headers": SITE_HEADERS[1:],
        },
        status=status,
    )


__all__ = ["AccountTeamMember", "CustomerDetailView", "CustomerListView"]
