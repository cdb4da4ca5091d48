"""The shell's own pages: home, global search, notification inbox, audit log."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kam.core import notifications as notes
from kam.core.context_processors import nav_sections
from kam.core.errors import DomainError
from kam.core.models import AuditEntry, Notification
from kam.core.models.audit import AuditAction, AuditSource
from kam.core.permissions import is_admin_user
from kam.core.registry import registry
from kam.core.views_generic import describe_changes, is_htmx_partial


def _greeting() -> str:
    hour = timezone.localtime().hour
    if hour < 5:
        return _("Good evening")
    if hour < 12:
        return _("Good morning")
    if hour < 18:
        return _("Good afternoon")
    return _("Good evening")


def _audit_activity(days: int = 14) -> dict[str, Any]:
    """ECharts options: changes recorded per day over the last ``days`` days (admins' home page)."""
    from datetime import timedelta

    from django.db.models import Count
    from django.db.models.functions import TruncDate

    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    since = datetime.combine(start, time.min, tzinfo=timezone.get_current_timezone())
    counts = dict(
        AuditEntry.objects.filter(at__gte=since)
        .order_by()
        .annotate(day=TruncDate("at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    dates = [start + timedelta(days=i) for i in range(days)]
    return {
        "grid": {"left": 36, "right": 12, "top": 16, "bottom": 24},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [d.strftime("%m-%d") for d in dates]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "bar", "name": str(_("Changes")), "data": [counts.get(d, 0) for d in dates]}],
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    panels = registry.panels_for("home", user, None)
    panel_blocks = [(panel, panel.context(request, None)) for panel in panels]
    shortcuts = [
        link
        for section in nav_sections(request, registry.nav_for(user))
        for link in section.links
        if link.key not in ("home", "search")
    ][:8]
    context: dict[str, Any] = {
        "greeting": _("%(greeting)s, %(name)s") % {"greeting": _greeting(), "name": user},
        "shortcuts": shortcuts,
        "panels": panel_blocks,
        "recent_notifications": list(Notification.objects.for_user(user).unread()[:6]),
        "recent_audit": list(AuditEntry.objects.select_related("actor")[:8]) if is_admin_user(user) else [],
        "audit_activity": _audit_activity() if is_admin_user(user) else None,
        "today": timezone.localdate(),
    }
    return render(request, "core/home.html", context)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    partial = is_htmx_partial(request)
    limit = 6 if partial else 25
    results = registry.run_search(request.user, query, limit) if query else []
    template = "core/search.html#results" if partial else "core/search.html"
    return render(
        request,
        template,
        {"query": query, "results": results, "title": _("Search"), "hit_count": sum(len(h) for _p, h in results)},
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.GET.get("part") == "bell":  # the topbar bell refreshes itself with this
        return render(request, "core/base.html#bell", {})
    qs = Notification.objects.for_user(request.user)
    show = request.GET.get("show", "all")
    if show == "unread":
        qs = qs.unread()
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": show,
        "title": _("Notifications"),
        "matrix": notes.preference_matrix(request.user),
        "channels": notes.channels(),
        "kind_labels": {k.code: k.label for k in notes.kinds()},
    }
    template = "core/notifications.html#inbox" if is_htmx_partial(request) else "core/notifications.html"
    return render(request, template, context)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    note = get_object_or_404(Notification.objects.for_user(request.user), pk=notification_id)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    inbox = _url("core:notifications")
    if request.POST.get("stay"):
        return redirect(_safe_next(request, inbox))
    target = note.url if note.url and url_has_allowed_host_and_scheme(note.url, {request.get_host()}) else inbox
    return redirect(target)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notes.mark_all_read(user=request.user)
    if count:
        messages.success(request, _("Marked %(count)s notifications as read.") % {"count": count})
    return redirect("core:notifications")


@login_required
@require_POST
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Save the kind × channel matrix: a checked box is on, an unchecked one off."""
    try:
        for row in notes.preference_matrix(request.user):
            for channel in row.channels:
                wanted = request.POST.get(f"pref:{row.kind.code}:{channel}") == "on"
                if wanted != row.channels[channel]:
                    notes.set_preference(user=request.user, kind=row.kind.code, channel=channel, enabled=wanted)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Notification settings saved."))
    return redirect(f"{_url('core:notifications')}#preferences")


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


class AuditFilterForm(forms.Form):
    model = forms.CharField(label=gettext_lazy("Model"), required=False)
    object_pk = forms.CharField(label=gettext_lazy("Object id"), required=False)
    actor = forms.CharField(label=gettext_lazy("Actor"), required=False)
    request_id = forms.CharField(label=gettext_lazy("Request id"), required=False)
    action = forms.ChoiceField(
        label=gettext_lazy("Action"), required=False, choices=[("", gettext_lazy("Any action")), *AuditAction.choices]
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source"), required=False, choices=[("", gettext_lazy("Any source")), *AuditSource.choices]
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not is_admin_user(request.user):
        raise PermissionDenied(_("Only administrators may read the audit log."))
    form = AuditFilterForm(request.GET or None)
    qs = AuditEntry.objects.select_related("actor")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["model"]:
            model = data["model"].strip().lower()
            if "." in model:
                app_label, _sep, name = model.partition(".")
                qs = qs.filter(app_label=app_label, model=name)
            else:
                qs = qs.filter(model=model)
        for key in ("object_pk", "request_id", "action", "source"):
            if data[key]:
                qs = qs.filter(**{key: data[key].strip()})
        if data["actor"]:
            actor = data["actor"].strip()
            qs = qs.filter(actor__username=actor) | qs.filter(actor__display_name=actor)
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            qs = qs.filter(at__gte=datetime.combine(data["date_from"], time.min, tzinfo=tz))
        if data["date_to"]:
            qs = qs.filter(at__lte=datetime.combine(data["date_to"], time.max, tzinfo=tz))
    elif form.is_bound:
        qs = qs.none()
    page = Paginator(qs.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    describe_changes(entries, request.user)
    context = {
        "page": page,
        "entries": entries,
        "form": form,
        "title": _("Audit log"),
        "filtered": any(request.GET.get(name) for name in form.fields),
    }
    template = "core/audit.html#entries" if is_htmx_partial(request) else "core/audit.html"
    return render(request, template, context)
