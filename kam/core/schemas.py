from __future__ import annotations

from datetime import datetime

from ninja import Schema


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_id: str | None


class IndustryOut(Schema):
    code: str
    name: str
    level: str
    section_id: str | None
    line_id: str | None


class IndustryLineOut(Schema):
    code: str
    name: str


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    source: str
    request_id: str
    action: str
    app_label: str
    model: str
    object_pk: str
    object_repr: str
    changes: dict[str, list[object]]
    note: str


class SearchHitOut(Schema):
    kind: str
    title: str
    subtitle: str
    url: str
