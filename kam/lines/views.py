"""Pages of the lines app: lines, devices, PoPs, discovery proposals, import; the customer 360 panel.

Three views lead into each other: customer → its lines → the devices and ports they use; device → its
interfaces → the lines on them → the customers affected (by grade); line → both ends, their devices and the
uplink path to the core. Every fetch goes through ``visible_to`` / ``get_for``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kam.core.errors import DomainError, Forbidden, NotFound
from kam.core.permissions import CHANGE, VIEW, can, get_for, is_admin_user
from kam.core.views_generic import Column, Filter, ModelDetailView, ModelFormView, ModelListView, Tab
from kam.lines import activation, discovery, queries, services
from kam.lines.choices import (
    DeviceRole,
    DeviceStatus,
    LineStatus,
    PopKind,
    Product,
    ProposalStatus,
    ProtectionLevel,
    Vendor,
)
from kam.lines.forms import DeviceForm, EndpointForm, ImportForm, LineForm, PopForm, ProposalConfirmForm
from kam.lines.models import (
    ActivationTest,
    Device,
    DiscoveryProposal,
    DiscoveryRun,
    Interface,
    Line,
    LineEndpoint,
    PointOfPresence,
)

INVENTORY_ROLES = frozenset({"noc", "engineer", "director"})
LINE_EDIT_ROLES = frozenset({"account_manager", "director", "engineer"})


def bandwidth(kbps: Any) -> str:
    """``100000`` → ``100M``; ``10000000`` → ``10G``; ``2048`` → ``2048k``."""
    if kbps in (None, ""):
        return "—"
    kbps = int(kbps)
    if kbps >= 1_000_000 and kbps % 1_000_000 == 0:
        return f"{kbps // 1_000_000}G"
    if kbps >= 1000 and kbps % 1000 == 0:
        return f"{kbps // 1000}M"
    return f"{kbps}k"


def _fetch(request: HttpRequest, qs: Any, action: str = VIEW, **lookup: Any) -> Any:
    try:
        return get_for(qs, request.user, action, **lookup)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc


def _fail(request: HttpRequest, exc: DomainError) -> None:
    if exc.status == 404:
        raise Http404(exc.message)
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    messages.error(request, exc.message)


def _customer_url(customer: Any) -> str:
    try:
        return str(customer.get_absolute_url())
    except Exception:
        return ""


# --- lines ------------------------------------------------------------------------------------------------


class LineListView(ModelListView):
    model = Line
    filters = [
        Filter("status", gettext_lazy("Status"), choices=LineStatus.choices),
        Filter("product", gettext_lazy("Product"), choices=Product.choices),
        Filter("protection_level", gettext_lazy("Protection level"), choices=ProtectionLevel.choices),
        Filter("customer", gettext_lazy("Customer"), lookup="customer_id"),
        Filter("region", gettext_lazy("Region"), lookup="region__code__startswith"),
        Filter("device", gettext_lazy("Device"), lookup="endpoints__interface__device_id"),
    ]
    search_fields = ["circuit_id", "customer__name", "customer__short_name"]
    default_sort = "circuit_id"
    export_name = "lines"
    create_url_name = "lines:line-create"

    @property
    def columns(self) -> list[Column]:  # type: ignore[override]
        cols = [
            Column("circuit_id", gettext_lazy("Circuit id"), link=True),
            Column("customer.name", gettext_lazy("Customer"), sort="customer__name"),
            Column("product", gettext_lazy("Product")),
            Column("bandwidth_kbps", gettext_lazy("Bandwidth"), format=bandwidth),
            Column("protection_level", gettext_lazy("Protection")),
            Column("status", gettext_lazy("Status"), template="lines/_status_cell.html"),
            Column("region.name", gettext_lazy("Region"), sort="region__code"),
            Column("activated_at", gettext_lazy("Activated"), default=False),
        ]
        if getattr(self.request.user, "sees_commercial", False):
            cols += [
                Column("monthly_fee", gettext_lazy("Monthly fee"), default=False),
                Column("contract_ref", gettext_lazy("Contract"), default=False),
            ]
        return cols

    def get_create_url(self) -> str | None:
        user = self.request.user
        if is_admin_user(user) or getattr(user, "role", None) in LINE_EDIT_ROLES:
            return super().get_create_url()
        return None

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("customer", "region").distinct()


def _line_overview(request: HttpRequest, line: Line) -> dict[str, Any]:
    path = queries.line_path(line, request.user)
    return {
        "ends": path["ends"],
        "graph": {"nodes": path["nodes"], "links": path["links"], "categories": path["categories"]},
        "sees_commercial": getattr(request.user, "sees_commercial", False),
        "customer_url": _customer_url(line.customer),
        "endpoint_form": EndpointForm(user=request.user, line=line) if can(request.user, CHANGE, line) else None,
        "bandwidth": bandwidth(line.bandwidth_kbps),
    }


def _line_tests(request: HttpRequest, line: Line) -> dict[str, Any]:
    return {
        "tests": list(ActivationTest.objects.visible_to(request.user).filter(line=line).select_related("run_by")[:50])
    }


class LineDetailView(ModelDetailView):
    model = Line
    edit_url_name = "lines:line-edit"
    tabs = [
        Tab("overview", gettext_lazy("Ends and path"), "lines/line_overview.html", _line_overview),
        Tab("tests", gettext_lazy("Activation tests"), "lines/line_tests.html", _line_tests),
    ]

    def get_actions(self, obj: Any) -> list[dict[str, Any]]:
        if activation.can_run(self.request.user, obj):
            return [
                {
                    "label": _("Run activation test"),
                    "url": reverse("lines:line-test", kwargs={"pk": obj.pk}),
                    "icon": "player-play",
                    "post": True,
                    "style": "btn-outline-primary",
                }
            ]
        return []

    def history_context(self, obj: Any) -> dict[str, Any]:
        context = super().history_context(obj)
        if not getattr(self.request.user, "sees_commercial", False):
            # prices are not shown to the service side, not even as history
            from kam.core import views_generic

            for entry in context["entries"]:
                entry.changes = {k: v for k, v in (entry.changes or {}).items() if k not in Line.COMMERCIAL_FIELDS}
            describe = getattr(views_generic, "describe_changes", None)
            if describe is not None:
                describe(context["entries"], self.request.user)
        return context


class LineFormView(ModelFormView):
    model = Line
    form_class = LineForm

    def can_create(self, user: Any) -> bool:
        return is_admin_user(user) or getattr(user, "role", None) in LINE_EDIT_ROLES

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        if self.request.GET.get("customer", "").isdigit():
            initial["customer"] = int(self.request.GET["customer"])
        return initial

    def save(self, form: Any) -> Any:
        data = form.service_data()
        if self.object is None:
            return services.create_line(actor=self.request.user, data=data)
        return services.update_line(line=self.object, actor=self.request.user, data=data)


@login_required
@require_POST
def line_test(request: HttpRequest, pk: int) -> HttpResponse:
    line = _fetch(request, Line.objects.all(), VIEW, pk=pk)
    try:
        test = activation.run_activation_test(line=line, actor=request.user)
    except DomainError as exc:
        _fail(request, exc)
    else:
        if test.passed:
            messages.success(request, _("Activation test passed."))
        else:
            messages.warning(request, _("Activation test failed; see the results."))
    return HttpResponseRedirect(reverse("lines:line-detail", kwargs={"pk": line.pk}) + "?tab=tests")


@login_required
@require_POST
def line_endpoint(request: HttpRequest, pk: int) -> HttpResponse:
    line = _fetch(request, Line.objects.all(), VIEW, pk=pk)
    form = EndpointForm(request.POST, user=request.user, line=line)
    if not form.is_valid():
        messages.error(request, _("The endpoint was not saved: %(errors)s") % {"errors": form.errors.as_text()})
    else:
        try:
            services.bind_endpoint(
                line=line,
                end=form.cleaned_data["end"],
                role=form.cleaned_data["role"],
                interface=form.cleaned_data["interface"],
                vlan=form.cleaned_data["vlan"],
                actor=request.user,
            )
            messages.success(request, _("Endpoint saved."))
        except DomainError as exc:
            _fail(request, exc)
    return HttpResponseRedirect(reverse("lines:line-detail", kwargs={"pk": line.pk}))


# --- devices ----------------------------------------------------------------------------------------------


class DeviceListView(ModelListView):
    model = Device
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("location_kind", gettext_lazy("Location"), sort="site", template="lines/_location_cell.html"),
        Column("role", gettext_lazy("Role")),
        Column("vendor", gettext_lazy("Vendor")),
        Column("model", gettext_lazy("Model")),
        Column("mgmt_address", gettext_lazy("Management address")),
        Column("sys_name", gettext_lazy("sysName"), default=False),
        Column("location", gettext_lazy("Site / PoP"), sort=""),
        Column("parent.name", gettext_lazy("Uplink"), sort="parent__name"),
        Column("region.name", gettext_lazy("Region"), sort="region__code", default=False),
        Column("status", gettext_lazy("Status"), template="lines/_status_cell.html"),
        Column("last_discovered_at", gettext_lazy("Last discovered"), default=False),
    ]
    filters = [
        Filter("role", gettext_lazy("Role"), choices=DeviceRole.choices),
        Filter("cpe", gettext_lazy("At customer premises (CPE)"), lookup="pop__isnull", boolean=True),
        Filter("vendor", gettext_lazy("Vendor"), choices=Vendor.choices),
        Filter("status", gettext_lazy("Status"), choices=DeviceStatus.choices),
        Filter("region", gettext_lazy("Region"), lookup="region__code__startswith"),
        Filter("pop", gettext_lazy("PoP"), lookup="pop_id"),
        Filter("site", gettext_lazy("Site"), lookup="site_id"),
    ]
    search_fields = ["name", "sys_name", "mgmt_address", "model"]
    default_sort = "name"
    export_name = "devices"
    create_url_name = "lines:device-create"

    def search(self, qs: Any, q: str) -> Any:
        from django.db.models import Q

        cond = Q(name__icontains=q) | Q(sys_name__icontains=q) | Q(model__icontains=q)
        if all(c in "0123456789abcdefABCDEF.:" for c in q):
            cond |= Q(mgmt_address__startswith=q)
        return qs.filter(cond)

    def get_create_url(self) -> str | None:
        user = self.request.user
        if is_admin_user(user) or getattr(user, "role", None) in INVENTORY_ROLES:
            return super().get_create_url()
        return None

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("site", "pop", "parent", "region")


def _device_overview(request: HttpRequest, device: Device) -> dict[str, Any]:
    hood = queries.neighbourhood(device, request.user)
    return {
        "hood": hood,
        "graph": {"nodes": hood["nodes"], "links": hood["links"], "categories": hood["categories"]},
        "customer_url": _customer_url(device.site.customer) if device.site is not None else "",
    }


def _device_interfaces(request: HttpRequest, device: Device) -> dict[str, Any]:
    interfaces = list(Interface.objects.visible_to(request.user).filter(device=device).order_by("if_index"))
    visible_lines = Line.objects.visible_to(request.user)
    endpoints = (
        LineEndpoint.objects.filter(interface__device=device, line__in=visible_lines)
        .select_related("line__customer")
        .order_by("line__circuit_id")
    )
    by_interface: dict[int, list[LineEndpoint]] = {}
    for e in endpoints:
        by_interface.setdefault(e.interface_id or 0, []).append(e)
    rows = [(i, by_interface.get(i.pk, []), bandwidth(i.speed_kbps)) for i in interfaces]
    return {"interface_rows": rows}


def _device_impact(request: HttpRequest, device: Device) -> dict[str, Any]:
    impact = queries.device_impact(device, request.user)
    return {"impact": impact, "internal": getattr(request.user, "role", None) != "customer"}


def _device_discovery(request: HttpRequest, device: Device) -> dict[str, Any]:
    return {
        "runs": list(DiscoveryRun.objects.visible_to(request.user).filter(device=device)[:20]),
        "proposals": list(
            DiscoveryProposal.objects.visible_to(request.user)
            .filter(device=device, status=ProposalStatus.PENDING)
            .select_related("interface", "line")
        ),
        "may_change": can(request.user, CHANGE, device),
    }


class DeviceDetailView(ModelDetailView):
    model = Device
    edit_url_name = "lines:device-edit"
    tabs = [
        Tab("overview", gettext_lazy("Overview"), "lines/device_overview.html", _device_overview),
        Tab("interfaces", gettext_lazy("Interfaces and lines"), "lines/device_interfaces.html", _device_interfaces),
        Tab("impact", gettext_lazy("Customers affected"), "lines/device_impact.html", _device_impact),
        Tab("discovery", gettext_lazy("Discovery"), "lines/device_discovery.html", _device_discovery),
    ]

    def get_tabs(self, obj: Any) -> list[Tab]:
        tabs = super().get_tabs(obj)
        if getattr(self.request.user, "role", None) == "customer":
            tabs = [t for t in tabs if t.key != "discovery"]
        return tabs

    def get_actions(self, obj: Any) -> list[dict[str, Any]]:
        if obj.mgmt_address and can(self.request.user, CHANGE, obj):
            return [
                {
                    "label": _("Discover now"),
                    "url": reverse("lines:device-discover", kwargs={"pk": obj.pk}),
                    "icon": "radar",
                    "post": True,
                    "style": "btn-outline-primary",
                }
            ]
        return []


class DeviceFormView(ModelFormView):
    model = Device
    form_class = DeviceForm

    def can_create(self, user: Any) -> bool:
        return is_admin_user(user) or getattr(user, "role", None) in INVENTORY_ROLES

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        for name in ("site", "pop", "parent"):
            if self.request.GET.get(name, "").isdigit():
                initial[name] = int(self.request.GET[name])
        return initial

    def save(self, form: Any) -> Any:
        data = form.service_data()
        if self.object is None:
            device = services.create_device(actor=self.request.user, data=data)
        else:
            device = services.update_device(device=self.object, actor=self.request.user, data=data)
        if form.cleaned_data.get("discover") and device.mgmt_address:
            discovery.queue_discovery(device=device, actor=self.request.user)
            messages.info(self.request, _("Discovery queued; refresh the Discovery tab in a moment."))
        return device


@login_required
@require_POST
def device_discover(request: HttpRequest, pk: int) -> HttpResponse:
    device = _fetch(request, Device.objects.all(), CHANGE, pk=pk)
    try:
        discovery.queue_discovery(device=device, actor=request.user)
        messages.info(request, _("Discovery queued; refresh the Discovery tab in a moment."))
    except DomainError as exc:
        _fail(request, exc)
    return HttpResponseRedirect(reverse("lines:device-detail", kwargs={"pk": device.pk}) + "?tab=discovery")


# --- points of presence -----------------------------------------------------------------------------------


class PopListView(ModelListView):
    model = PointOfPresence
    columns = [
        Column("code", gettext_lazy("Code"), link=True),
        Column("name", gettext_lazy("Name")),
        Column("kind", gettext_lazy("Kind")),
        Column("region.name", gettext_lazy("Region"), sort="region__code"),
        Column("address", gettext_lazy("Address"), default=False),
    ]
    filters = [
        Filter("kind", gettext_lazy("Kind"), choices=PopKind.choices),
        Filter("region", gettext_lazy("Region"), lookup="region__code__startswith"),
    ]
    search_fields = ["code", "name", "address"]
    default_sort = "code"
    export_name = "pops"
    create_url_name = "lines:pop-create"

    def get_create_url(self) -> str | None:
        user = self.request.user
        if is_admin_user(user) or getattr(user, "role", None) in INVENTORY_ROLES:
            return super().get_create_url()
        return None


def _pop_overview(request: HttpRequest, pop: PointOfPresence) -> dict[str, Any]:
    return {"devices": list(Device.objects.visible_to(request.user).filter(pop=pop).select_related("parent")[:500])}


class PopDetailView(ModelDetailView):
    model = PointOfPresence
    edit_url_name = "lines:pop-edit"
    tabs = [Tab("overview", gettext_lazy("Overview"), "lines/pop_overview.html", _pop_overview)]


class PopFormView(ModelFormView):
    model = PointOfPresence
    form_class = PopForm

    def can_create(self, user: Any) -> bool:
        return is_admin_user(user) or getattr(user, "role", None) in INVENTORY_ROLES

    def save(self, form: Any) -> Any:
        return services.save_pop(pop=self.object, actor=self.request.user, data=dict(form.cleaned_data))


# --- discovery proposals ----------------------------------------------------------------------------------


@login_required
def proposals(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", None) == "customer":
        raise PermissionDenied(_("You are not allowed to do this."))
    qs = (
        DiscoveryProposal.objects.visible_to(request.user)
        .filter(status=ProposalStatus.PENDING)
        .select_related("device", "interface", "line")
        .order_by("device__name", "interface__if_index")
    )
    return render(
        request,
        "lines/proposals.html",
        {
            "title": _("Ports waiting for review"),
            "proposals": list(qs[:500]),
            "form": ProposalConfirmForm(user=request.user),
        },
    )


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    proposal = _fetch(request, DiscoveryProposal.objects.all(), CHANGE, pk=pk)
    try:
        if decision == "confirm":
            form = ProposalConfirmForm(request.POST, user=request.user)
            form.is_valid()
            data = getattr(form, "cleaned_data", {})
            services.confirm_proposal(
                proposal=proposal, actor=request.user, line=data.get("line"), end=data.get("end") or None
            )
            messages.success(request, _("Port bound to the line."))
        else:
            services.dismiss_proposal(proposal=proposal, actor=request.user)
            messages.success(request, _("Proposal dismissed."))
    except DomainError as exc:
        _fail(request, exc)
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return HttpResponseRedirect(nxt)
    return HttpResponseRedirect(reverse("lines:proposals"))


# --- import -----------------------------------------------------------------------------------------------


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    from kam.core.tables import ImportFailed
    from kam.lines import exchange

    user = request.user
    if not (is_admin_user(user) or getattr(user, "role", None) in INVENTORY_ROLES | LINE_EDIT_ROLES):
        raise PermissionDenied(_("You are not allowed to do this."))
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[Any] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = exchange.import_file(
                kind=form.cleaned_data["kind"], data=upload.read(), filename=upload.name or "", actor=user
            )
        except ImportFailed as exc:
            row_errors = exc.errors
            form.add_error(None, exc.message)
            status = 422
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = 422
        else:
            messages.success(request, _("%(count)s rows imported.") % {"count": count})
            return HttpResponseRedirect(reverse("lines:import"))
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "lines/import.html",
        {
            "title": _("Import network inventory and lines"),
            "form": form,
            "row_errors": row_errors,
            "headers": exchange.HEADERS,
        },
        status=status,
    )


# --- the customer 360 panel -------------------------------------------------------------------------------


def customer_lines_panel(request: HttpRequest, customer: Any) -> dict[str, Any]:
    counts, active_kbps = queries.customer_line_totals(customer, request.user)
    total = sum(counts.values())
    return {
        "customer": customer,
        "lines": queries.customer_lines(customer, request.user, limit=50) if total else [],
        "total": total,
        "counts": counts,
        "total_kbps": active_kbps,
        "list_url": reverse("lines:line-list") + f"?customer={customer.pk}",
        "may_add": bool(services.customers_for_lines(request.user).filter(pk=customer.pk).exists())
        if getattr(request.user, "role", None) != "customer"
        else False,
    }
