"""Forms of the work-order pages: requirement (需求单), dispatch (调度单), completion (竣工单) and actions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.core.permissions import CHANGE
from kam.lines.choices import Product, ProtectionLevel
from kam.orders.choices import STAGE_ORDER, ResourceAvailability, Stage, WorkOrderKind
from kam.orders.models import TimeLimitPolicy, WorkOrder, WorkOrderTemplate


def _staff_users() -> Any:
    from kam.identity.models import User

    return User.objects.filter(is_active=True).exclude(role="customer").order_by("username")


class RequirementForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Template"), queryset=WorkOrderTemplate.objects.filter(active=True), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkOrderKind.choices, initial=WorkOrderKind.NEW)
    customer: Any = forms.ModelChoiceField(label=_("Customer"), queryset=None)  # type: ignore[arg-type]
    line: Any = forms.ModelChoiceField(label=_("Line"), queryset=None, required=False)  # type: ignore[arg-type]
    product = forms.ChoiceField(label=_("Product"), choices=[("", "—"), *Product.choices], required=False)
    bandwidth_kbps = forms.IntegerField(label=_("Bandwidth (kbit/s)"), min_value=1, required=False)
    protection_level = forms.ChoiceField(
        label=_("Protection level"), choices=[("", "—"), *ProtectionLevel.choices], required=False
    )
    resource_availability = forms.ChoiceField(
        label=_("Resource availability"), choices=ResourceAvailability.choices, initial=ResourceAvailability.AVAILABLE
    )
    a_address = forms.CharField(label=_("A-end address"), max_length=300, required=False)
    z_address = forms.CharField(label=_("Z-end address"), max_length=300, required=False)
    desired_date = forms.DateField(
        label=_("Desired date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    contact: Any = forms.ModelChoiceField(label=_("Customer contact"), queryset=None, required=False)  # type: ignore[arg-type]
    requirement = forms.CharField(label=_("Requirement"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, user: Any, order: WorkOrder | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kam.customers.models import Contact, Customer
        from kam.lines.models import Line

        cast(Any, self.fields["customer"]).queryset = Customer.objects.restrict(user, CHANGE).order_by("name")
        cast(Any, self.fields["line"]).queryset = Line.objects.visible_to(user).order_by("circuit_id")
        cast(Any, self.fields["contact"]).queryset = (
            Contact.objects.visible_to(user).filter(left_company=False).order_by("name")
        )
        if order is not None:
            self.fields.pop("template")
            self.fields["customer"].disabled = True


class DispatchForm(forms.Form):
    """One row per stage: team, assignee, team lead."""

    def __init__(self, *args: Any, order: WorkOrder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        existing = {a.stage: a for a in order.assignments.all()}
        self.stage_rows: list[tuple[str, Any, str, str, str]] = []
        for stage in order.stage_sequence():
            a = existing.get(stage)
            self.fields[f"team_{stage}"] = forms.CharField(
                label=_("Team"), max_length=100, required=False, initial=a.team_name if a else ""
            )
            self.fields[f"user_{stage}"] = forms.ModelChoiceField(
                label=_("Assignee"), queryset=_staff_users(), required=False, initial=a.user_id if a else None
            )
            self.fields[f"lead_{stage}"] = forms.ModelChoiceField(
                label=_("Team lead"), queryset=_staff_users(), required=False, initial=a.lead_id if a else None
            )
            self.stage_rows.append((stage, Stage(stage).label, f"team_{stage}", f"user_{stage}", f"lead_{stage}"))

    def rows(self) -> list[tuple[Any, Any, Any, Any]]:
        return [(label, self[t], self[u], self[lead]) for _stage, label, t, u, lead in self.stage_rows]

    def specs(self) -> list[Any]:
        from kam.orders.services import AssignmentSpec

        specs = []
        for stage, _label, t, u, lead in self.stage_rows:
            team, user, lead_user = (
                self.cleaned_data.get(t) or "",
                self.cleaned_data.get(u),
                self.cleaned_data.get(lead),
            )
            if team.strip() or user is not None:
                specs.append(AssignmentSpec(stage=stage, team_name=team, user=user, lead=lead_user))
        return specs


class CompletionForm(forms.Form):
    acceptance_contact: Any = forms.ModelChoiceField(label=_("Accepted by (customer contact)"), queryset=None)  # type: ignore[arg-type]
    accepted_at = forms.DateTimeField(
        label=_("Accepted at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    tests: Any = forms.ModelMultipleChoiceField(
        label=_("Activation tests"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,  # type: ignore[arg-type]
    )
    override_reason = forms.CharField(
        label=_("Reason for completing without a passed test"), max_length=300, required=False
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, order: WorkOrder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kam.customers.models import Contact
        from kam.lines.models import ActivationTest

        root = (order.customer.path or "/").split("/")[1] if order.customer.path else ""
        cast(Any, self.fields["acceptance_contact"]).queryset = Contact.objects.filter(
            customer__path__startswith=f"/{root}/", left_company=False
        ).order_by("name")
        cast(Any, self.fields["tests"]).queryset = (
            ActivationTest.objects.filter(line_id=order.line_id).order_by("-started_at")
            if order.line_id
            else ActivationTest.objects.none()
        )


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    customer_caused = forms.BooleanField(label=_("Caused by the customer"), required=False, initial=True)


class ExtensionForm(forms.Form):
    extra_hours = forms.DecimalField(
        label=_("Extra working hours"), min_value=Decimal("0.1"), max_value=1000, required=False
    )
    new_deadline = forms.DateTimeField(
        label=_("or a new deadline"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class SplitForm(forms.Form):
    ROWS = 5

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kam.core.models import Region

        regions = Region.objects.filter(level__lte=2).order_by("code")
        for i in range(1, self.ROWS + 1):
            self.fields[f"region_{i}"] = forms.ModelChoiceField(label=_("Region"), queryset=regions, required=False)
            self.fields[f"team_{i}"] = forms.CharField(label=_("Local team"), max_length=100, required=False)
            self.fields[f"user_{i}"] = forms.ModelChoiceField(
                label=_("Assignee"), queryset=_staff_users(), required=False
            )
            self.fields[f"lead_{i}"] = forms.ModelChoiceField(
                label=_("Team lead"), queryset=_staff_users(), required=False
            )

    def rows(self) -> list[tuple[Any, Any, Any, Any]]:
        return [
            (self[f"region_{i}"], self[f"team_{i}"], self[f"user_{i}"], self[f"lead_{i}"])
            for i in range(1, self.ROWS + 1)
        ]

    def specs(self) -> list[Any]:
        from kam.orders.services import ChildSpec

        specs = []
        for i in range(1, self.ROWS + 1):
            region = self.cleaned_data.get(f"region_{i}")
            if region is None:
                continue
            specs.append(
                ChildSpec(
                    region=region,
                    team_name=self.cleaned_data.get(f"team_{i}") or "",
                    user=self.cleaned_data.get(f"user_{i}"),
                    lead=self.cleaned_data.get(f"lead_{i}"),
                )
            )
        return specs


class TemplateForm(forms.ModelForm):
    class Meta:
        model = WorkOrderTemplate
        fields = [
            "name",
            "kind",
            "product",
            "bandwidth_kbps",
            "protection_level",
            "resource_availability",
            "default_assignments",
            "description",
            "active",
        ]


class PolicyForm(forms.ModelForm):
    class Meta:
        model = TimeLimitPolicy
        fields = [
            "name",
            "product",
            "protection_level",
            "resource_availability",
            "calendar",
            "total_hours",
            "at_risk_ratio",
            "escalation_step_hours",
            "active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = self.instance.stage_hours if self.instance and self.instance.pk else {}
        for stage in STAGE_ORDER:
            self.fields[f"hours_{stage}"] = forms.DecimalField(
                label=_("%(stage)s (working hours)") % {"stage": Stage(stage).label},
                min_value=0,
                max_value=10000,
                decimal_places=2,
                initial=hours.get(stage, 0),
            )

    def stage_hours(self) -> dict[str, str]:
        return {stage: str(self.cleaned_data[f"hours_{stage}"]) for stage in STAGE_ORDER}
