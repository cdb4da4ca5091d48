from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.lines import services
from kam.lines.choices import End, EndpointRole
from kam.lines.models import Device, Interface, Line, PointOfPresence


def _f(form: forms.BaseForm, name: str) -> Any:
    """A form field, typed loosely (model choice fields have ``queryset``, choice fields ``choices``)."""
    return form.fields[name]


class PopForm(forms.ModelForm):
    class Meta:
        model = PointOfPresence
        fields = ["code", "name", "kind", "region", "address"]


class DeviceForm(forms.ModelForm):
    """SNMP secrets are write-only: the inputs are always empty; leaving one empty keeps the stored value."""

    secret_help = _("Stored encrypted and never shown; leave empty to keep the current value.")

    class Meta:
        model = Device
        fields = [
            "name",
            "role",
            "vendor",
            "model",
            "mgmt_address",
            "sys_name",
            "site",
            "pop",
            "parent",
            "region",
            "status",
            "snmp_version",
            "snmp_port",
            "snmp_community",
            "snmp_v3_user",
            "snmp_auth_protocol",
            "snmp_auth_key",
            "snmp_priv_protocol",
            "snmp_priv_key",
        ]

    discover = forms.BooleanField(label=_("Discover by SNMP after saving"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        _f(self, "site").queryset = services.sites_for(user).select_related("customer")
        _f(self, "pop").queryset = PointOfPresence.objects.visible_to(user)
        parents = Device.objects.visible_to(user).exclude(role="cpe")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        _f(self, "parent").queryset = parents
        self.fields["region"].required = False
        self.fields["region"].help_text = _("Defaults to the region of the site or PoP.")
        for name in Device.SECRET_FIELDS:
            self.fields[name] = forms.CharField(
                label=self.fields[name].label,
                required=False,
                widget=forms.PasswordInput(render_value=False),
                help_text=self.secret_help,
            )
            self.initial[name] = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("region"):
            place = data.get("site") or data.get("pop")
            if place is not None:
                data["region"] = place.region
                self.instance.region = place.region
        return data

    def _post_clean(self) -> None:
        # keep the stored secrets on the instance when the inputs are left empty
        stored = {name: getattr(self.instance, name) for name in Device.SECRET_FIELDS}
        super()._post_clean()  # type: ignore[misc]
        for name, value in stored.items():
            if not self.cleaned_data.get(name):
                setattr(self.instance, name, value)

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k in services.DEVICE_FIELDS}
        for name in Device.SECRET_FIELDS:
            if not data.get(name):
                data.pop(name, None)
        return data


class LineForm(forms.ModelForm):
    class Meta:
        model = Line
        fields = [
            "circuit_id",
            "customer",
            "product",
            "line_type",
            "bandwidth_kbps",
            "protection_level",
            "status",
            "monthly_fee",
            "contract_ref",
            "test_address",
            "a_site",
            "z_site",
            "region",
            "notes",
        ]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.fields.pop("customer")
            self.fields.pop("status")
        else:
            _f(self, "customer").queryset = services.customers_for_lines(user)
            _f(self, "status").choices = [c for c in _f(self, "status").choices if c[0] in ("planned", "provisioning")]
        sites = services.sites_for(user).select_related("customer")
        _f(self, "a_site").queryset = sites
        _f(self, "z_site").queryset = sites
        self.fields["region"].required = False
        self.fields["line_type"].required = False
        if not getattr(user, "sees_commercial", False):
            self.fields.pop("monthly_fee")
            self.fields.pop("contract_ref")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        customer = data.get("customer") or (self.instance.customer if self.instance.customer_id else None)
        if not data.get("region") and customer is not None:
            data["region"] = customer.region
            self.instance.region = customer.region
        if not data.get("line_type") and data.get("product"):
            from kam.lines.choices import PRODUCT_LINE_TYPE

            data["line_type"] = PRODUCT_LINE_TYPE.get(data["product"], "")
            self.instance.line_type = data["line_type"]
        return data

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in services.LINE_FIELDS}


class EndpointForm(forms.Form):
    end = forms.ChoiceField(label=_("End"), choices=End.choices)
    role = forms.ChoiceField(label=_("Role"), choices=EndpointRole.choices, initial=EndpointRole.PRIMARY)
    interface = forms.ModelChoiceField(label=_("Port"), queryset=Interface.objects.none(), required=False)
    vlan = forms.IntegerField(label=_("VLAN"), min_value=1, max_value=4094, required=False)

    def __init__(self, *args: Any, user: Any = None, line: Line | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = Interface.objects.visible_to(user).select_related("device")
        if line is not None:
            # the ports a line can end on: its customer's CPEs and our equipment in its city
            from django.db.models import Q

            from kam.core.models.reference import region_prefix

            city = region_prefix(line.region_id[:4] + "00")
            qs = qs.filter(
                Q(device__site__customer_id=line.customer_id) | Q(device__pop__region__code__startswith=city)
            )
        _f(self, "interface").queryset = qs.order_by("device__name", "if_index")


class ProposalConfirmForm(forms.Form):
    line = forms.ModelChoiceField(label=_("Line"), queryset=Line.objects.none(), required=False)
    end = forms.ChoiceField(label=_("End"), choices=[("", "—"), *End.choices], required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _f(self, "line").queryset = Line.objects.visible_to(user)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[
            ("pops", _("Points of presence")),
            ("devices", _("Devices")),
            ("interfaces", _("Interfaces")),
            ("lines", _("Lines")),
        ],
    )
    file = forms.FileField(label=_("CSV or XLSX file"))
