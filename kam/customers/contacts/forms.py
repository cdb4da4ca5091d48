"""Forms of contacts: create/edit, assess attitude, record departure, move in the decision tree."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.core.permissions import CHANGE
from kam.customers.contacts.choices import Attitude, AttitudeSource
from kam.customers.models import Contact, Customer
from kam.customers.models.contacts import group_root_id


class ContactForm(forms.ModelForm):
    """Create or edit a contact. ``user`` limits the choices to what they may see and change."""

    class Meta:
        model = Contact
        fields = [
            "customer",
            "name",
            "title",
            "department",
            "phone",
            "mobile",
            "email",
            "reports_to",
            "buying_role",
            "key_person",
            "left_company",
            "left_at",
            "relationship_owner",
            "private_notes",
        ]
        widgets = {
            "left_at": forms.DateInput(attrs={"type": "date"}),
            "private_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any, customer: Customer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kam.identity.models import User

        self.user = user
        instance: Contact | None = self.instance if self.instance.pk else None
        if instance is not None:
            customer = instance.customer
            del self.fields["customer"]
        else:
            customer_field = cast(forms.ModelChoiceField, self.fields["customer"])
            customer_field.queryset = Customer.objects.restrict(user, CHANGE).order_by("name")
            if customer is not None:
                self.fields["customer"].initial = customer.pk
        managers = Contact.objects.visible_to(user).select_related("customer")
        current = instance.reports_to_id if instance is not None else None
        managers = (
            managers.filter(Q(left_company=False) | Q(pk=current)) if current else managers.filter(left_company=False)
        )
        if customer is not None:
            root = group_root_id(customer)
            managers = managers.filter(customer__path__startswith=f"/{root}/")
        if instance is not None:
            managers = managers.exclude(pk=instance.pk)
        cast(forms.ModelChoiceField, self.fields["reports_to"]).queryset = managers.order_by("name")
        cast(forms.ModelChoiceField, self.fields["relationship_owner"]).queryset = (
            User.objects.visible_to(user).filter(is_active=True).exclude(role="customer").order_by("username")
        )
        if not getattr(user, "sees_commercial", False):
            del self.fields["private_notes"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("left_company") and not data.get("left_at"):
            data["left_at"] = timezone.localdate()
        if not data.get("left_company"):
            data["left_at"] = None
        return data

    def _post_clean(self) -> None:
        # The services validate the tree and the rest; keep ModelForm from running model.clean() on a
        # half-built instance (it would hit reports_to before the customer is known).
        pass

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("customer", None)
        data["email"] = data.get("email") or ""
        return data


class AttitudeForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Attitude"), choices=Attitude.choices, coerce=int)
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    source = forms.ChoiceField(label=_("Source"), choices=AttitudeSource.choices, initial=AttitudeSource.OTHER)
    assessed_at = forms.DateTimeField(
        label=_("Assessed at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )


class DepartureForm(forms.Form):
    left_at = forms.DateField(label=_("Left on"), widget=forms.DateInput(attrs={"type": "date"}), required=False)


class ReportsToForm(forms.Form):
    reports_to = forms.IntegerField(label=_("Reports to"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"), help_text=_("The first row names the columns."))
