"""Signals feed the audit log, and nothing else (DESIGN.md: no business logic in signals)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kam.core import audit
from kam.core.models.audit import AuditAction
from kam.core.models.base import AuditedModel


@receiver(post_save)
def audit_save(sender: type, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not isinstance(instance, AuditedModel):
        return
    after = instance.audit_values()
    before = {} if created else getattr(instance, "_audit_snapshot", {})
    changes = audit.diff(before, after, instance.audit_exclude)
    if created or changes:
        audit.record(instance, AuditAction.CREATE if created else AuditAction.UPDATE, changes)
    instance._audit_snapshot = after  # type: ignore[attr-defined]


@receiver(post_delete)
def audit_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, AuditedModel):
        before = getattr(instance, "_audit_snapshot", None) or instance.audit_values()
        audit.record(instance, AuditAction.DELETE, audit.diff(before, {}, instance.audit_exclude))
