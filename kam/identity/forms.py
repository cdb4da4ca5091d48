from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from kam.identity.choices import Role
from kam.identity.models import OrgUnit, User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong username or password, or the account is locked after repeated failures. "
            "Try again later or ask an administrator."
        ),
        "inactive": _("This account is inactive."),
    }
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


def _customer_queryset() -> Any:
    # identity sits below customers: reach the model through the app registry, not an import
    return apps.get_model("customers", "Customer")._default_manager.order_by("name")


class UserCreateForm(forms.Form):
    """Fields for ``kam.identity.services.create_user``, which validates the password and the role rules."""

    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    org_unit = forms.ModelChoiceField(
        label=_("Org unit"),
        queryset=OrgUnit.objects.all(),
        required=False,
        help_text=_("Required for staff users."),
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("For customer users: the key account whose group they see."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to create a user who cannot log in until a password is set."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = _customer_queryset()  # type: ignore[attr-defined]
        self.fields["password"].help_text = password_validators_help_text_html()


class UserEditForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "email", "phone", "role", "org_unit", "customer", "language", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = _customer_queryset()  # type: ignore[attr-defined]
        self.fields["is_active"].help_text = _("Inactive users cannot log in and their API tokens stop working.")


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    expires_at = forms.DateTimeField(label=_("Expires"), required=False, widget=forms.DateTimeInput())


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
