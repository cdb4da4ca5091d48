"""The audit context: who is acting, through which door, under which request id.

The web middleware, the API auth, the CLI wrapper and importers enter :func:`audit_context`; the model
receivers in :mod:`kam.core.signals` read it. Background work runs as ``system`` unless it says otherwise.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from django.db import models

from kam.core.models.audit import AuditAction, AuditEntry, AuditSource


@dataclass(frozen=True)
class AuditContext:
    actor_id: int | None = None
    source: str = AuditSource.SYSTEM
    request_id: str = ""
    note: str = ""


_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "kam_audit",
    default=AuditContext(),  # noqa: B039 - a frozen dataclass, immutable
)


def current() -> AuditContext:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def audit_context(
    *,
    actor: Any = None,
    source: str | None = None,
    request_id: str | None = None,
    note: str | None = None,
) -> Iterator[AuditContext]:
    """Run a block as ``actor`` through ``source``; unspecified parts are inherited."""
    base = _current.get()
    ctx = replace(
        base,
        actor_id=getattr(actor, "pk", actor) if actor is not None else base.actor_id,
        source=source or base.source,
        request_id=request_id if request_id is not None else (base.request_id or new_request_id()),
        note=note if note is not None else base.note,
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def set_actor(actor: Any) -> None:
    """Set the actor of the current context in place (used once authentication is known)."""
    _current.set(replace(_current.get(), actor_id=getattr(actor, "pk", actor)))


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any], hidden: tuple[str, ...] = ()) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            name = key[:-3] if key.endswith("_id") and key[:-3] in hidden else key
            if key in hidden or name in hidden:
                changes[key] = ["***", "***"]
            else:
                changes[key] = [_jsonable(old), _jsonable(new)]
    return changes


def record(
    obj: models.Model,
    action: str,
    changes: dict[str, list[Any]] | None = None,
    note: str = "",
) -> AuditEntry:
    ctx = current()
    return AuditEntry.objects.create(
        actor_id=ctx.actor_id,
        source=ctx.source,
        request_id=ctx.request_id,
        action=action,
        app_label=obj._meta.app_label,
        model=obj._meta.model_name or "",
        object_pk=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes or {},
        note=(note or ctx.note)[:500],
    )


def record_bulk(objs: list[models.Model], action: str = AuditAction.CREATE, note: str = "") -> None:
    """One audit row per object for bulk writes that bypass ``save()`` (imports)."""
    ctx = current()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor_id=ctx.actor_id,
                source=ctx.source,
                request_id=ctx.request_id,
                action=action,
                app_label=o._meta.app_label,
                model=o._meta.model_name or "",
                object_pk=str(o.pk),
                object_repr=str(o)[:255],
                changes=diff({}, o.audit_values(), getattr(o, "audit_exclude", ()))
                if action == AuditAction.CREATE and hasattr(o, "audit_values")
                else {},
                note=(note or ctx.note)[:500],
            )
            for o in objs
        ],
        batch_size=1000,
    )
