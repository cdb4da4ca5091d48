"""Pages of contacts: list, detail (overview, attitude history, history), forms, org chart, hostile list."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kam.core.errors import DomainError, NotFound
from kam.core.permissions import CHANGE, DELETE, VIEW, can, get_for
from kam.core.views_generic import (
    Column,
    Filter,
    ModelDetailView,
    ModelFormView,
    ModelListView,
    Tab,
    add_domain_error,
)
from kam.customers.contacts import queries, services
from kam.customers.contacts.choices import HOSTILE_AT, Attitude, BuyingRole, attitude_colour
from kam.customers.contacts.forms import AttitudeForm, ContactForm, DepartureForm, ImportForm
from kam.customers.contacts.schemas import sees_attitudes, sees_private_notes
from kam.customers.models import Contact, Customer

ATTITUDE_CELL = "customers/contacts/_attitude_cell.html"


def _get(qs: QuerySet[Any], user: Any, action: str, **lookup: Any) -> Any:
    try:
        return get_for(qs, user, action, **lookup)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc


# --- list -----------------------------------------------------------------------------------------------


class ContactListView(ModelListView):
    model = Contact
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("customer", gettext_lazy("Customer"), sort="customer__name"),
        Column("title", gettext_lazy("Job title")),
        Column("department", gettext_lazy("Department"), default=False),
        Column("buying_role", gettext_lazy("Buying role")),
        Column("attitude", gettext_lazy("Attitude"), sort="current_attitude", template=ATTITUDE_CELL),
        Column("key_person", gettext_lazy("Key person")),
        Column("left_company", gettext_lazy("Left"), default=False),
        Column("mobile", gettext_lazy("Mobile")),
        Column("email", gettext_lazy("E-mail"), default=False),
        Column("relationship_owner", gettext_lazy("Relationship owner"), sort="relationship_owner__username"),
    ]
    base_filters = [
        Filter("buying_role", gettext_lazy("Buying role"), choices=BuyingRole.choices),
        Filter("key_person", gettext_lazy("Key person"), boolean=True),
        Filter("left_company", gettext_lazy("Left the company"), boolean=True),
    ]
    attitude_filters = [
        Filter(
            "attitude",
            gettext_lazy("Attitude"),
            choices=[(str(v), f"{v:+d} {label}") for v, label in Attitude.choices],
            lookup="current_attitude",
        ),
        Filter("hostile", gettext_lazy("Hostile (-3 or below)"), boolean=True, lookup="hostile_flag"),
    ]
    default_sort = ("customer__name", "name")
    export_name = "contacts"
    title = gettext_lazy("Contacts")
    create_url_name: ClassVar[str | None] = "contacts:create"

    @property
    def template_name(self) -> str:  # type: ignore[override]
        # the table partial lives in core/list.html; the full page adds the import and hostile buttons
        htmx = getattr(self.request, "htmx", None)
        partial = (
            bool(htmx) and not getattr(htmx, "boosted", False) and not getattr(htmx, "history_restore_request", False)
        )
        return "core/list.html" if partial else "customers/contacts/list.html"

    @property
    def show_hostile_link(self) -> bool:
        return sees_private_notes(self.request.user)

    @property
    def filters(self) -> list[Filter]:  # type: ignore[override]
        user = self.request.user
        customer_filter = Filter("customer", gettext_lazy("Customer"), choices=self.customer_choices)
        extra = self.attitude_filters if sees_attitudes(user) else []
        return [customer_filter, *self.base_filters, *extra]

    def customer_choices(self, request: HttpRequest) -> list[tuple[str, str]]:
        ids = Contact.objects.visible_to(request.user).values("customer_id")
        qs = Customer.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name")[:500]
        return [(str(pk), name) for pk, name in qs]

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset().select_related("customer", "relationship_owner")
        return qs.annotate(
            hostile_flag=Case(
                When(current_attitude__lte=HOSTILE_AT, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )

    def search(self, qs: QuerySet[Any], q: str) -> QuerySet[Any]:
        return qs.search(q)  # type: ignore[attr-defined, no-any-return]

    def attitude(self, obj: Contact) -> Any:
        if not sees_attitudes(self.request.user) or obj.current_attitude is None:
            return None
        return f"{obj.current_attitude:+d} {obj.get_current_attitude_display()}"

    def get_create_url(self) -> str | None:
        if Customer.objects.restrict(self.request.user, CHANGE).exists():
            return super().get_create_url()
        return None

    def get_extra_context(self) -> dict[str, Any]:
        return {"can_import": self.get_create_url() is not None}


class HostileDecisionMakersView(ContactListView):
    """Decision makers at -3 or below across the portfolio the user sees (directors, AMs)."""

    title = gettext_lazy("Hostile decision makers")
    export_name = "hostile-decision-makers"
    create_url_name = None

    @property
    def show_hostile_link(self) -> bool:
        return False

    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("customer", gettext_lazy("Customer"), sort="customer__name"),
        Column("title", gettext_lazy("Job title")),
        Column("attitude", gettext_lazy("Attitude"), sort="current_attitude", template=ATTITUDE_CELL),
        Column("current_attitude_at", gettext_lazy("Assessed at")),
        Column("key_person", gettext_lazy("Key person")),
        Column("relationship_owner", gettext_lazy("Relationship owner"), sort="relationship_owner__username"),
    ]
    default_sort = ("current_attitude", "-current_attitude_at")

    @property
    def filters(self) -> list[Filter]:  # type: ignore[override]
        return [Filter("customer", gettext_lazy("Customer"), choices=self.customer_choices)]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not sees_private_notes(request.user):
            raise PermissionDenied(_("You are not allowed to do this."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return queries.hostile_decision_makers(self.request.user)

    def get_create_url(self) -> str | None:
        return None


# --- detail ---------------------------------------------------------------------------------------------


def _overview_context(request: HttpRequest, contact: Contact) -> dict[str, Any]:
    return {
        "show_private_notes": sees_private_notes(request.user),
        "show_attitude": sees_attitudes(request.user),
        "attitude_colour": attitude_colour(contact.current_attitude),
        "reports": Contact.objects.visible_to(request.user).filter(reports_to=contact).order_by("name"),
        "can_change": can(request.user, CHANGE, contact),
    }


def _attitude_context(request: HttpRequest, contact: Contact) -> dict[str, Any]:
    from kam.customers.models import AttitudeAssessment

    return {
        "series": queries.attitude_series(contact, request.user),
        "assessments": AttitudeAssessment.objects.visible_to(request.user)
        .filter(contact=contact)
        .select_related("assessed_by")
        .latest_first()[:200],
        "scale": [{"score": int(v), "label": str(label)} for v, label in Attitude.choices],
        "can_change": can(request.user, CHANGE, contact),
        "assess_form": AttitudeForm(),
        "assess_url": reverse("contacts:assess", kwargs={"pk": contact.pk}),
    }


class ContactDetailView(ModelDetailView):
    model = Contact
    edit_url_name = "contacts:edit"
    template_name = "customers/contacts/detail.html"

    def get_object(self) -> Any:
        obj = super().get_object()
        return obj

    def get_tabs(self, obj: Any) -> list[Tab]:
        tabs = [Tab("overview", gettext_lazy("Overview"), "customers/contacts/_overview.html", _overview_context)]
        if sees_attitudes(self.request.user):
            tabs.append(
                Tab(
                    "attitudes",
                    gettext_lazy("Attitude history"),
                    "customers/contacts/_attitudes.html",
                    _attitude_context,
                )
            )
        if self.show_history(obj):
            from kam.core.views_generic import HISTORY_TAB

            tabs.append(HISTORY_TAB)
        return tabs

    def get_actions(self, obj: Any) -> list[dict[str, Any]]:
        user = self.request.user
        actions: list[dict[str, Any]] = [
            {
                "label": _("Org chart"),
                "url": reverse("contacts:org-chart", kwargs={"customer_pk": obj.customer_id}),
                "icon": "hierarchy-2",
            }
        ]
        if can(user, CHANGE, obj):
            actions.append(
                {
                    "label": _("Assess attitude"),
                    "url": reverse("contacts:assess", kwargs={"pk": obj.pk}),
                    "icon": "mood-search",
                }
            )
            if not obj.left_company:
                actions.append(
                    {
                        "label": _("Left the company"),
                        "url": reverse("contacts:departure", kwargs={"pk": obj.pk}),
                        "icon": "door-exit",
                        "post": True,
                        "confirm": _("Record that %(name)s left the company today?") % {"name": obj.name},
                    }
                )
        if can(user, DELETE, obj):
            actions.append(
                {
                    "label": _("Delete"),
                    "url": reverse("contacts:delete", kwargs={"pk": obj.pk}),
                    "icon": "trash",
                    "style": "btn-outline-danger",
                    "post": True,
                    "confirm": _("Delete %(name)s? Recording that they left is usually better.") % {"name": obj.name},
                }
            )
        return actions

    def get_extra_context(self, obj: Any) -> dict[str, Any]:
        return {"pretitle_customer": obj.customer}


# --- forms ----------------------------------------------------------------------------------------------


class ContactFormView(ModelFormView):
    model = Contact
    form_class = ContactForm

    def can_create(self, user: Any) -> bool:
        return bool(Customer.objects.restrict(user, CHANGE).exists())

    def get_customer(self) -> Customer | None:
        raw = self.request.GET.get("customer") or self.request.POST.get("customer")
        if not raw or not str(raw).isdigit():
            return None
        return Customer.objects.restrict(self.request.user, CHANGE).filter(pk=raw).first()

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        if self.is_create:
            kwargs["customer"] = self.get_customer()
        return kwargs

    def save(self, form: Any) -> Any:
        data = form.service_kwargs()
        if self.is_create:
            customer = form.cleaned_data["customer"]
            reports_to = data.pop("reports_to", None)
            return services.create_contact(customer=customer, actor=self.request.user, reports_to=reports_to, **data)
        return services.update_contact(contact=self.object, actor=self.request.user, **data)


def _assess_template(request: HttpRequest) -> str:
    htmx = getattr(request, "htmx", None)
    return "customers/contacts/assess.html#assess-form" if htmx else "customers/contacts/assess.html"


@login_required
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an attitude assessment (a page, or a form swapped in place by HTMX)."""
    contact = _get(Contact.objects.select_related("customer"), request.user, CHANGE, pk=pk)
    form = AttitudeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.assess_attitude(
                    contact=contact,
                    score=form.cleaned_data["score"],
                    evidence=form.cleaned_data["evidence"],
                    source=form.cleaned_data["source"],
                    assessed_at=form.cleaned_data["assessed_at"],
                    actor=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Attitude recorded."))
                target = reverse("contacts:detail", kwargs={"pk": contact.pk}) + "?tab=attitudes"
                if getattr(request, "htmx", None):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return HttpResponseRedirect(target)
        status = 422
    context = {
        "form": form,
        "object": contact,
        "title": _("Assess attitude of %(name)s") % {"name": contact.name},
        "cancel_url": contact.get_absolute_url(),
        "model_meta": Contact._meta,
    }
    return render(request, _assess_template(request), context, status=status)


@login_required
@require_POST
def departure(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _get(Contact.objects.select_related("customer"), request.user, CHANGE, pk=pk)
    form = DepartureForm(request.POST)
    left_at = form.cleaned_data.get("left_at") if form.is_valid() else None
    try:
        services.record_departure(contact=contact, actor=request.user, left_at=left_at)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s is recorded as having left.") % {"name": contact.name})
    return HttpResponseRedirect(contact.get_absolute_url())


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _get(Contact.objects.select_related("customer"), request.user, DELETE, pk=pk)
    name = contact.name
    services.delete_contact(contact=contact, actor=request.user)
    messages.success(request, _("%(name)s was deleted.") % {"name": name})
    return HttpResponseRedirect(reverse("contacts:list"))


@login_required
def import_contacts(request: HttpRequest) -> HttpResponse:
    """Upload contacts as CSV or XLSX: all rows or none, with the row errors listed."""
    from kam.core.errors import ValidationFailed
    from kam.core.tables import ImportFailed, read_table, write_csv
    from kam.customers.contacts.exchange import HEADERS, import_rows

    if not Customer.objects.restrict(request.user, CHANGE).exists():
        raise PermissionDenied(_("You are not allowed to do this."))
    if request.GET.get("template") == "csv":
        import io

        buffer = io.StringIO()
        buffer.write("\ufeff")
        write_csv(buffer, HEADERS, [])
        response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="contacts-template.csv"'
        return response
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[Any] = []
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                count = import_rows(read_table(upload.read(), upload.name), request.user)
            except ImportFailed as exc:
                row_errors = exc.errors
                form.add_error(None, exc.message)
            except ValidationFailed as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Imported %(count)s rows.") % {"count": count})
                return HttpResponseRedirect(reverse("contacts:list"))
    context = {"form": form, "row_errors": row_errors, "headers": HEADERS, "title": _("Import contacts")}
    return render(request, "customers/contacts/import.html", context, status=status)


# --- org chart ------------------------------------------------------------------------------------------


def org_chart_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    """What ``customers/contacts/_org_chart_widget.html`` needs (the org chart page and the 360 panel)."""
    data = queries.org_chart(customer, request.user)
    chart_id = f"org-chart-{customer.pk}"
    return {
        "customer": customer,
        "chart": data,
        "chart_id": chart_id,
        "data_id": f"{chart_id}-data",
        "texts_id": f"{chart_id}-texts",
        "texts": {
            "role": _("Buying role"),
            "attitude": _("Attitude"),
            "key": _("Key person"),
            "left": _("Left the company"),
            "moved": _("Moved."),
            "failed": _("The change could not be saved."),
            "confirm": _("Make %(contact)s report to %(manager)s?"),
        },
        "api_url": reverse("api:org_chart") + f"?customer_id={customer.pk}",
        "reports_to_url": reverse("api:set_reports_to", kwargs={"contact_id": 0}),
        "create_url": reverse("contacts:create") + f"?customer={customer.pk}" if data["editable"] else "",
        "list_url": reverse("contacts:list") + f"?customer={customer.pk}",
    }


@login_required
def org_chart(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = _get(Customer.objects.all(), request.user, VIEW, pk=customer_pk)
    context = org_chart_context(request, customer)
    context["title"] = _("Org chart of %(customer)s") % {"customer": customer.name}
    return render(request, "customers/contacts/org_chart.html", context)
