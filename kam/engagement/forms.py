"""Forms of the engagement pages; saving always goes through :mod:`kam.engagement.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kam.core.permissions import CHANGE
from kam.engagement.choices import FeedbackKind, VisitChannel
from kam.engagement.models import (
    AccountPlan,
    Competitor,
    CompetitorPresence,
    PlanAction,
    PlanReview,
    SwotItem,
)

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def staff_users() -> QuerySet[Any]:
    from kam.identity.models import User

    return User.objects.filter(is_active=True).exclude(role="customer").order_by("username")


def changeable_customers(user: Any) -> QuerySet[Any]:
    from kam.customers.models import Customer

    return Customer.objects.restrict(user, CHANGE).order_by("name")


def group_contacts(customer: Any) -> QuerySet[Any]:
    """Contacts of the whole customer group (HQ and branches) of ``customer``."""
    from kam.customers.models import Contact

    if customer is None:
        return Contact.objects.none()
    root = (customer.path or f"/{customer.pk}/").strip("/").split("/")[0]
    return Contact.objects.filter(customer__path__startswith=f"/{root}/").select_related("customer").order_by("name")


def attitude_choices() -> list[tuple[str, str]]:
    from kam.customers.contacts.choices import Attitude

    return [("", "—")] + [(str(v), f"{v:+d} {label}") for v, label in Attitude.choices]


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.title} · {obj.customer}" if obj.title else f"{obj.name} · {obj.customer}"


class ContactsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return ContactChoiceField.label_from_instance(self, obj)  # type: ignore[arg-type]


class AttitudeRowForm(forms.Form):
    contact = ContactChoiceField(label=_("Contact"), queryset=None, required=False)
    score = forms.TypedChoiceField(label=_("Attitude"), choices=(), coerce=int, required=False, empty_value=None)
    evidence = forms.CharField(label=_("Evidence"), required=False, max_length=2000)

    def __init__(self, *args: Any, contacts: QuerySet[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts if contacts is not None else group_contacts(None)  # type: ignore[attr-defined]
        self.fields["score"].choices = attitude_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("contact") and data.get("score") is None:
            self.add_error("score", _("Give the attitude for this contact."))
        if data.get("score") is not None and not data.get("contact"):
            self.add_error("contact", _("Choose the contact assessed."))
        return data


class SightingRowForm(forms.Form):
    competitor = forms.ModelChoiceField(label=_("Competitor"), queryset=Competitor.objects.all(), required=False)
    note = forms.CharField(label=_("What was seen"), required=False, max_length=500)


AttitudeFormSet = forms.formset_factory(AttitudeRowForm, extra=3, max_num=50)
SightingFormSet = forms.formset_factory(SightingRowForm, extra=2, max_num=50)


class VisitForm(forms.Form):
    """A visit with, when it took place, inline attitude updates and competitor sightings."""

    customer: Any = forms.ModelChoiceField(label=_("Customer"), queryset=None)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("done", _("Took place")), ("planned", _("Planned"))], initial="done"
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=VisitChannel.choices, initial=VisitChannel.FACE_TO_FACE)
    planned_at = forms.DateTimeField(label=_("Planned for"), required=False, widget=DATETIME_INPUT)
    occurred_at = forms.DateTimeField(label=_("Took place"), required=False, widget=DATETIME_INPUT)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    our_participants: Any = forms.ModelMultipleChoiceField(label=_("Our participants"), queryset=None, required=False)
    contacts = ContactsChoiceField(label=_("Their participants"), queryset=None, required=False)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    outcomes = forms.CharField(label=_("Outcomes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=300)
    next_step_due = forms.DateField(label=_("Next step due"), required=False, widget=DATE_INPUT)
    next_step_owner: Any = forms.ModelChoiceField(label=_("Next step owner"), queryset=None, required=False)

    def __init__(self, *args: Any, user: Any, customer: Any = None, visit: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visit = visit
        customers = changeable_customers(user)
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]
        self.fields["customer"].widget.attrs.update(
            {
                "hx-get": "",
                "hx-trigger": "change",
                "hx-target": "#kam-form",
                "hx-select": "#kam-form",
                "hx-swap": "outerHTML",
            }
        )
        if self.is_bound and not customer:
            raw = self.data.get("customer")
            customer = customers.filter(pk=raw).first() if raw and str(raw).isdigit() else None
        if visit is not None:
            customer = visit.customer
            self.fields["customer"].disabled = True
            self.fields["status"].disabled = True
            self.fields["status"].initial = "done"
        self.customer = customer
        users = staff_users()
        self.fields["our_participants"].queryset = users  # type: ignore[attr-defined]
        self.fields["next_step_owner"].queryset = users  # type: ignore[attr-defined]
        contacts = group_contacts(customer)
        self.fields["contacts"].queryset = contacts  # type: ignore[attr-defined]
        data = self.data if self.is_bound else None
        self.attitudes = AttitudeFormSet(data, prefix="att", form_kwargs={"contacts": contacts})
        self.sightings = SightingFormSet(data, prefix="seen")

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return self.attitudes.is_valid() and self.sightings.is_valid() and valid

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status = "done" if self.visit is not None else data.get("status")
        if status == "done" and not data.get("occurred_at"):
            self.add_error("occurred_at", _("A visit that took place needs its date and time."))
        if status == "planned" and not data.get("planned_at"):
            self.add_error("planned_at", _("A planned visit needs its date and time."))
        return data

    def attitude_updates(self) -> list[tuple[Any, int, str]]:
        return [
            (f.cleaned_data["contact"], f.cleaned_data["score"], f.cleaned_data.get("evidence", ""))
            for f in self.attitudes.forms
            if f.cleaned_data.get("contact") and f.cleaned_data.get("score") is not None
        ]

    def competitor_sightings(self) -> list[tuple[Any, str]]:
        return [
            (f.cleaned_data["competitor"], f.cleaned_data.get("note", ""))
            for f in self.sightings.forms
            if f.cleaned_data.get("competitor")
        ]


class VisitEditForm(forms.Form):
    """Correcting a visit's details (status changes have their own buttons)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=VisitChannel.choices)
    planned_at = forms.DateTimeField(label=_("Planned for"), required=False, widget=DATETIME_INPUT)
    occurred_at = forms.DateTimeField(label=_("Took place"), required=False, widget=DATETIME_INPUT)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    our_participants: Any = forms.ModelMultipleChoiceField(label=_("Our participants"), queryset=None, required=False)
    contacts = ContactsChoiceField(label=_("Their participants"), queryset=None, required=False)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    outcomes = forms.CharField(label=_("Outcomes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=300)
    next_step_due = forms.DateField(label=_("Next step due"), required=False, widget=DATE_INPUT)
    next_step_owner: Any = forms.ModelChoiceField(label=_("Next step owner"), queryset=None, required=False)
    next_step_done = forms.BooleanField(label=_("Next step done"), required=False)

    def __init__(self, *args: Any, visit: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {
            **{
                name: getattr(visit, name)
                for name in (
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
            },
            "our_participants": list(visit.our_participants.all()),
            "contacts": list(visit.their_participants.all()),
            **kwargs["initial"],
        }
        super().__init__(*args, **kwargs)
        users = staff_users()
        self.fields["our_participants"].queryset = users  # type: ignore[attr-defined]
        self.fields["next_step_owner"].queryset = users  # type: ignore[attr-defined]
        self.fields["contacts"].queryset = group_contacts(visit.customer)  # type: ignore[attr-defined]


class AccountPlanForm(forms.ModelForm):
    class Meta:
        model = AccountPlan
        fields = ["customer", "year", "stage", "revenue_goal", "share_of_wallet_goal", "strategy"]
        widgets = {"strategy": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["customer"]
            del self.fields["year"]
        else:
            self.fields["customer"].queryset = changeable_customers(user)  # type: ignore[attr-defined]

    def validate_unique(self) -> None:  # the service reports a duplicate plan as a conflict
        return None


class _Placeholders:
    """Inline forms on the plan page show their labels as placeholders."""

    fields: dict[str, Any]

    def _placeholders(self) -> None:
        for field in self.fields.values():
            field.widget.attrs.setdefault("placeholder", str(field.label))
            field.widget.attrs.setdefault("aria-label", str(field.label))


class SwotForm(_Placeholders, forms.ModelForm):
    class Meta:
        model = SwotItem
        fields = ["kind", "text"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._placeholders()


class ActionForm(_Placeholders, forms.ModelForm):
    class Meta:
        model = PlanAction
        fields = ["text", "owner", "due_date"]
        widgets = {"due_date": DATE_INPUT}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()  # type: ignore[attr-defined]
        self._placeholders()


class ReviewForm(_Placeholders, forms.ModelForm):
    class Meta:
        model = PlanReview
        fields = ["date", "event", "what_happened", "lessons"]
        widgets = {
            "date": DATE_INPUT,
            "what_happened": forms.Textarea(attrs={"rows": 3}),
            "lessons": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._placeholders()


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("What should change"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CompetitorForm(forms.ModelForm):
    class Meta:
        model = Competitor
        fields = ["name", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def validate_unique(self) -> None:  # the service reports a duplicate name as a conflict
        return None


class PresenceForm(forms.ModelForm):
    class Meta:
        model = CompetitorPresence
        fields = [
            "customer",
            "competitor",
            "products",
            "estimated_annual_spend",
            "contract_end",
            "strength",
            "last_seen",
            "source",
            "notes",
        ]
        widgets = {"contract_end": DATE_INPUT, "last_seen": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["customer"]
            del self.fields["competitor"]
        else:
            self.fields["customer"].queryset = changeable_customers(user)  # type: ignore[attr-defined]

    def validate_unique(self) -> None:
        return None


class FeedbackForm(forms.Form):
    customer: Any = forms.ModelChoiceField(label=_("Customer"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=FeedbackKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    contact = ContactChoiceField(label=_("Contact"), queryset=None, required=False)
    collected_at = forms.DateTimeField(
        label=_("Collected"), required=False, widget=DATETIME_INPUT, help_text=_("Empty: now.")
    )

    def __init__(self, *args: Any, user: Any, customer: Any = None, feedback: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customers = changeable_customers(user)
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]
        self.fields["customer"].widget.attrs.update(
            {
                "hx-get": "",
                "hx-trigger": "change",
                "hx-target": "#kam-form",
                "hx-select": "#kam-form",
                "hx-swap": "outerHTML",
            }
        )
        if self.is_bound and not customer:
            raw = self.data.get("customer")
            customer = customers.filter(pk=raw).first() if raw and str(raw).isdigit() else None
        if feedback is not None:
            customer = feedback.customer
            del self.fields["customer"]
            del self.fields["collected_at"]
        self.fields["contact"].queryset = group_contacts(customer)  # type: ignore[attr-defined]


class RouteForm(forms.Form):
    responsible: Any = forms.ModelChoiceField(label=_("Responsible"), queryset=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = staff_users()  # type: ignore[attr-defined]


class DecideForm(forms.Form):
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
