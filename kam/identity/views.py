from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.core.errors import DomainError
from kam.core.permissions import CHANGE, get_for
from kam.identity import services
from kam.identity.forms import LoginForm
from kam.identity.models import ApiToken


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
    tokens = ApiToken.objects.visible_to(request.user)
    return render(request, "identity/profile.html", {"tokens": tokens})


@login_required
@require_POST
def tokens(request: HttpRequest) -> HttpResponse:
    try:
        _token, raw = services.issue_token(user=request.user, name=request.POST.get("name", ""))  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("identity:profile")
    return render(request, "identity/token_issued.html", {"raw_token": raw})


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
    return redirect("identity:profile")


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
