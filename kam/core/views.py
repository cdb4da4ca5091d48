from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kam.core.models import AuditEntry, Notification
from kam.core.permissions import is_admin_user
from kam.core.registry import registry


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    results = registry.run_search(request.user, query, 8) if query else []
    template = "core/search.html#results" if request.htmx else "core/search.html"  # type: ignore[attr-defined]
    return render(request, template, {"query": query, "results": results})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(Notification.objects.for_user(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    note = get_object_or_404(Notification.objects.for_user(request.user), pk=notification_id)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return redirect(note.url or "core:notifications")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not is_admin_user(request.user):
        return HttpResponseForbidden()
    qs = AuditEntry.objects.select_related("actor")
    for key in ("model", "object_pk", "request_id", "action", "source"):
        value = request.GET.get(key)
        if value:
            qs = qs.filter(**{key: value})
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"page": page})
