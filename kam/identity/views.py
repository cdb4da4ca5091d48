from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from kam.core.errors import Conflict, DomainError, ValidationFailed
from kam.core.permissions import CHANGE, get_for, is_admin_user
from kam.core.views_generic import Column, Filter, ModelDetailView, ModelFormView, ModelListView, Tab
from kam.identity import services
from kam.identity.choices import OrgUnitLevel, Role
from kam.identity.forms import LoginForm, TokenForm, UserCreateForm, UserEditForm
from kam.identity.models import ApiToken, OrgUnit, User


class LoginView(auth_views.LoginView):
    template_name = "identity/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("identity:login")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.visible_to(request.user).order_by("-created_at")
    return render(
        request,
        "identity/profile.html",
        {"tokens": tokens, "token_form": TokenForm(), "title": _("Profile")},
    )


@login_required
@require_POST
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(reverse("identity:profile") + "#tokens")
    try:
        token, raw = services.issue_token(
            user=request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data.get("expires_at"),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("identity:profile") + "#tokens")
    return render(request, "identity/token_issued.html", {"raw_token": raw, "token": token, "title": _("API token")})


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = get_for(ApiToken.objects.all(), request.user, CHANGE, pk=token_id)
        services.revoke_token(token=token)
        messages.success(request, _("Token revoked."))
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(reverse("identity:profile") + "#tokens")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    from django.views.i18n import set_language as django_set_language

    language = request.POST.get("language", "")
    if request.user.is_authenticated:
        try:
            services.set_language(user=request.user, language=language)  # type: ignore[arg-type]
        except DomainError as exc:
            messages.error(request, exc.message)
    return django_set_language(request)


# --- administration -------------------------------------------------------------------------------------


class AdminOnlyMixin:
    """Only administrators; anonymous users are still sent to log in by the view's own mixin."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not is_admin_user(request.user):
            raise PermissionDenied(_("Only administrators may manage users and org units."))
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _org_unit_choices(request: HttpRequest) -> list[tuple[str, str]]:
    return [(u.code, f"{'· ' * (u.level - 1)}{u.name}") for u in OrgUnit.objects.visible_to(request.user)]


class UserListView(AdminOnlyMixin, ModelListView):
    model = User
    title = gettext_lazy("Users")
    columns = [
        Column("username", gettext_lazy("Username"), link=True),
        Column("display_name", gettext_lazy("Display name")),
        Column("role", gettext_lazy("Role")),
        Column("org_unit.name", gettext_lazy("Org unit"), sort="org_unit__path"),
        Column("customer.name", gettext_lazy("Customer"), default=False),
        Column("email", gettext_lazy("E-mail"), default=False),
        Column("phone", gettext_lazy("Phone"), default=False),
        Column("is_active", pgettext_lazy("account status", "Active")),
        Column("last_login", gettext_lazy("Last login")),
        Column("date_joined", gettext_lazy("Joined"), default=False),
    ]
    filters = [
        Filter("role", gettext_lazy("Role"), choices=Role.choices),
        Filter("org_unit", gettext_lazy("Org unit"), lookup="org_unit__code", choices=_org_unit_choices),
        Filter("active", pgettext_lazy("account status", "Active"), lookup="is_active", boolean=True),
    ]
    search_fields = ["username", "display_name", "email", "phone"]
    default_sort = "username"
    export_name = "users"
    create_url_name = "identity:user-create"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("org_unit", "customer")

    def object_url(self, obj: Any) -> str:
        return reverse("identity:user-detail", kwargs={"pk": obj.pk})


def _user_tokens(request: HttpRequest, obj: Any) -> dict[str, Any]:
    return {"tokens": ApiToken.objects.visible_to(request.user).filter(user=obj).order_by("-created_at")}


class UserDetailView(AdminOnlyMixin, ModelDetailView):
    model = User
    tabs = [
        Tab("overview", gettext_lazy("Overview"), "identity/_user_overview.html"),
        Tab("tokens", gettext_lazy("API tokens"), "identity/_user_tokens.html", context=_user_tokens),
    ]
    edit_url_name = "identity:user-edit"


class UserCreateView(AdminOnlyMixin, ModelFormView):
    model = User
    form_class = UserCreateForm
    title = gettext_lazy("New user")
    success_message = gettext_lazy("User created.")

    def save(self, form: Any) -> Any:
        data = form.cleaned_data
        try:
            return services.create_user(
                username=data["username"],
                role=data["role"],
                password=data["password"] or None,
                org_unit=data["org_unit"],
                customer=data["customer"],
                display_name=data["display_name"],
                email=data["email"],
            )
        except Conflict as exc:
            raise ValidationFailed(exc.message, fields={"username": [exc.message]}) from exc

    def get_success_url(self, obj: Any) -> str:
        return reverse("identity:user-detail", kwargs={"pk": obj.pk})

    def get_cancel_url(self) -> str:
        return reverse("identity:users")


class UserEditView(AdminOnlyMixin, ModelFormView):
    model = User
    form_class = UserEditForm
    success_message = gettext_lazy("User saved.")

    def get_success_url(self, obj: Any) -> str:
        return reverse("identity:user-detail", kwargs={"pk": obj.pk})

    def get_cancel_url(self) -> str:
        return reverse("identity:user-detail", kwargs={"pk": self.object.pk})


class OrgUnitListView(AdminOnlyMixin, ModelListView):
    model = OrgUnit
    title = gettext_lazy("Org units")
    template_name = "identity/org_units.html"
    columns = [
        Column("name", gettext_lazy("Name"), sort="path", template="identity/_org_unit_name.html"),
        Column("code", gettext_lazy("Code")),
        Column("level", gettext_lazy("Level")),
        Column("region.name", gettext_lazy("Region"), sort="region__code"),
        Column("user_count", gettext_lazy("Users"), sort=""),
    ]
    filters = [Filter("level", gettext_lazy("Level"), choices=[(str(v), str(lbl)) for v, lbl in OrgUnitLevel.choices])]
    search_fields = ["name", "code"]
    default_sort = "path"
    paginate_by = 200
    export_name = "org-units"

    def get_queryset(self) -> Any:
        from django.db.models import Count

        return super().get_queryset().select_related("region").annotate(users_total=Count("users"))

    def user_count(self, obj: Any) -> int:
        return int(obj.users_total)
