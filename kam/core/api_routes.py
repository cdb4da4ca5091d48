"""Reference data, notifications, global search and the audit log."""


from datetime import UTC, datetime
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_str
from ninja import Query, Router
from ninja.pagination import paginate

from kam.core.api import Page, responses
from kam.core.errors import Forbidden, NotFound
from kam.core.models import AuditEntry, Industry, IndustryLine, Notification, Region
from kam.core.permissions import is_admin_user
from kam.core.registry import registry
from kam.core.schemas import (
    AuditEntryOut,
    IndustryLineOut,
    IndustryOut,
    NotificationOut,
    RegionOut,
    SearchHitOut,
)

router = Router(tags=["reference"])


@router.get("/regions", response=responses(200, list[RegionOut]))
@paginate(Page)
def list_regions(
    request: HttpRequest, parent: str | None = None, level: int | None = None, q: str | None = None
) -> Any:
    qs = Region.objects.all()
    if parent:
        qs = qs.filter(parent_id=parent)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    return qs


@router.get("/industries", response=responses(200, list[IndustryOut]))
@paginate(Page)
def list_industries(request: HttpRequest, level: str | None = None, section: str | None = None) -> Any:
    qs = Industry.objects.all()
    if level:
        qs = qs.filter(level=level)
    if section:
        qs = qs.filter(section_id=section)
    return qs


@router.get("/industry-lines", response=responses(200, list[IndustryLineOut]))
def list_industry_lines(request: HttpRequest) -> Any:
    return IndustryLine.objects.all()


@router.get("/notifications", response=responses(200, list[NotificationOut]), tags=["notifications"])
@paginate(Page)
def list_notifications(request: HttpRequest, unread: bool = False) -> Any:
    qs = Notification.objects.for_user(request.user)
    return qs.unread() if unread else qs


@router.post("/notifications/{notification_id}/read", response=responses(200, NotificationOut),
             tags=["notifications"])
def mark_read(request: HttpRequest, notification_id: int) -> Any:
    note = Notification.objects.for_user(request.user).filter(pk=notification_id).first()
    if note is None:
        raise NotFound(force_str(Notification._meta.verbose_name))
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return note


@router.get("/search", response=responses(200, list[SearchHitOut]), tags=["search"])
def search(request: HttpRequest, q: str, limit: int = Query(8, ge=1, le=50)) -> Any:  # type: ignore[type-arg]
    hits: list[dict[str, str]] = []
    for _provider, provider_hits in registry.run_search(request.user, q.strip(), limit):
        hits.extend(
            {"kind": force_str(h.kind), "title": h.title, "subtitle": h.subtitle, "url": h.url} for h in provider_hits
        )
    return hits


@router.get("/audit", response=responses(200, list[AuditEntryOut]), tags=["audit"])
@paginate(Page)
def list_audit(
    request: HttpRequest,
    model: str | None = None,
    object_pk: str | None = None,
    actor_id: int | None = None,
    request_id: str | None = None,
    since: datetime | None = None,
) -> Any:
    if not is_admin_user(request.user):
        raise Forbidden()
    qs = AuditEntry.objects.all()
    if model:
        app, _, name = model.partition(".")
        qs = qs.filter(app_label=app, model=name) if name else qs.filter(model=app)
    if object_pk:
        qs = qs.filter(object_pk=object_pk)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if request_id:
        qs = qs.filter(request_id=request_id)
    if since:
        # PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows; the instant is what matters
        qs = qs.filter(at__gte=since.astimezone(UTC) if since.tzinfo else since)
    return qs
