from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kam.core.models import Industry, IndustryLine, Region
from kam.core.permissions import is_admin_user
from kam.customers import uscc as uscc_mod
from kam.customers.choices import CreditStatus, CustomerType, Lifecycle, PaymentTerms, ServiceLevel, SiteKind, TeamRole
from kam.customers.models import Customer, Site, TierPolicy


def grade_choices() -> list[tuple[str, str]]:
    return [(p.grade, p.label) for p in TierPolicy.objects.order_by("rank", "grade")]


def region_queryset(current: str | None = None) -> Any:
    cond = Q(level__lte=2)
    if current:
        cond |= Q(pk=current)
    return Region.objects.filter(cond).order_by("code")


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=100, required=False)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        required=False,
        help_text=_("18 characters; spaces and hyphens are ignored."),
    )
    uscc_override = forms.CharField(
        label=_("Check-digit override reason"),
        max_length=300,
        required=False,
        help_text=_(
            "The code fails its check digit. If it is real (some early pilot codes are), say how you verified it."
        ),
    )
    customer_type = forms.ChoiceField(label=_("Customer type"), choices=CustomerType.choices)
    value_grade = forms.ChoiceField(label=_("Value grade"), choices=())
    service_level = forms.ChoiceField(
        label=_("Service level"), choices=[("", _("Default of the grade")), *ServiceLevel.choices], required=False
    )
    industry = forms.ModelChoiceField(label=_("Industry"), queryset=Industry.objects.order_by("code"), required=False)
    industry_line = forms.ModelChoiceField(
        label=_("Industry line"),
        queryset=IndustryLine.objects.all(),
        required=False,
        help_text=_("Filled from the industry when left empty."),
    )
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none())
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    lifecycle = forms.ChoiceField(label=_("Lifecycle status"), choices=Lifecycle.choices, initial=Lifecycle.ACTIVE)
    credit_status = forms.ChoiceField(
        label=_("Credit status"), choices=CreditStatus.choices, initial=CreditStatus.NORMAL
    )
    payment_terms = forms.ChoiceField(
        label=_("Payment terms"), choices=PaymentTerms.choices, initial=PaymentTerms.MONTHLY
    )
    parent = forms.CharField(
        label=_("Parent (group HQ)"),
        required=False,
        help_text=_("Id, unified social credit code or exact name of the parent customer."),
    )
    allow_duplicate_name = forms.BooleanField(
        label=_("Another customer has the same name and this one is different"), required=False
    )

    def __init__(self, *args: Any, instance: Customer | None = None, user: Any = None, **kwargs: Any) -> None:
        self.instance = instance
        self.user = user
        if instance is not None:
            kwargs.setdefault("initial", {}).update(
                {
                    "name": instance.name,
                    "short_name": instance.short_name,
                    "uscc": instance.uscc,
                    "uscc_override": instance.uscc_override,
                    "customer_type": instance.customer_type,
                    "value_grade": instance.value_grade,
                    "service_level": instance.service_level,
                    "industry": instance.industry_id,
                    "industry_line": instance.industry_line_id,
                    "region": instance.region_id,
                    "address": instance.address,
                    "lifecycle": instance.lifecycle,
                    "credit_status": instance.credit_status,
                    "payment_terms": instance.payment_terms,
                    "parent": instance.parent_id or "",
                }
            )
        super().__init__(*args, **kwargs)
        self.fields["value_grade"].choices = grade_choices()  # type: ignore[attr-defined]
        self.fields["region"].queryset = region_queryset(  # type: ignore[attr-defined]
            instance.region_id if instance else None
        )
        if instance is not None:
            del self.fields["parent"]  # moved with the move page (cycles are checked there)
            if not is_admin_user(user):
                self.fields["value_grade"].disabled = True
                self.fields["value_grade"].help_text = _("Changed through a grade change request.")
        self.show_override = self._needs_override()
        if not self.show_override:
            self.fields["uscc_override"].widget = forms.HiddenInput()

    def _needs_override(self) -> bool:
        raw = self.data.get("uscc") if self.is_bound else self.initial.get("uscc")
        result = uscc_mod.check(raw or "")
        return bool(raw) and result.well_formed and not result.check_digit_ok

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("allow_duplicate_name", None)
        if not data.get("service_level"):
            data.pop("service_level", None)
        if self.instance is not None and "value_grade" in self.fields and self.fields["value_grade"].disabled:
            data.pop("value_grade", None)
        parent_ref = (data.pop("parent", "") or "").strip()
        if parent_ref:
            from kam.customers.exchange import _find_customer

            parent = _find_customer(parent_ref, self.user)
            if parent is None:
                self.add_error("parent", _("Unknown parent customer."))
                raise forms.ValidationError(_("Unknown parent customer."))
            data["parent"] = parent
        return data


class MoveForm(forms.Form):
    parent = forms.CharField(
        label=_("New parent"),
        required=False,
        help_text=_("Id, unified social credit code or exact name; empty makes it a group HQ."),
    )


class GradeChangeForm(forms.Form):
    to_grade = forms.ChoiceField(label=_("New grade"), choices=())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_grade"].choices = grade_choices()  # type: ignore[attr-defined]


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "kind", "address", "region", "phone", "latitude", "longitude"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.order_by("code")  # type: ignore[attr-defined]
        self.fields["kind"].choices = SiteKind.choices  # type: ignore[attr-defined]

    def validate_unique(self) -> None:  # the service checks the whole row, including the customer
        return None


class TierPolicyForm(forms.ModelForm):
    class Meta:
        model = TierPolicy
        fields = [
            "grade",
            "label",
            "rank",
            "visit_cadence_days",
            "default_service_level",
            "report_granularity",
            "ack_minutes",
            "update_interval_minutes",
            "written_report_hours",
            "discount_authority_pct",
            "notes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.fields["grade"].disabled = True  # customers refer to it


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=[("customers", _("Customers")), ("sites", _("Sites"))])
    file = forms.FileField(label=_("CSV or XLSX file"))


TEAM_ROLE_CHOICES = TeamRole.choices
