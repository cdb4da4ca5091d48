"""Base classes every domain model uses: scoped querysets and the audit snapshot."""

from __future__ import annotations

from typing import Any, Self

from django.db import models
from django.db.models import Q

from kam.core.permissions import VIEW, is_admin_user


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows who may see and change its rows.

    Subclasses implement :meth:`scope`, returning ``True`` (everything), ``False`` (nothing) or a ``Q``.
    Views, API routes, exports and the portal all go through :meth:`visible_to` / :meth:`restrict`;
    nothing fetches by bare primary key.
    """

    def scope(self, user: Any, action: str) -> Q | bool:
        return False

    def restrict(self, user: Any, action: str = VIEW) -> Self:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if is_admin_user(user):
            return self
        scope = self.scope(user, action)
        if scope is True:
            return self
        if scope is False:
            return self.none()
        return self.filter(scope)

    def visible_to(self, user: Any) -> Self:
        return self.restrict(user, VIEW)


class AuditedModel(models.Model):
    """Keeps a snapshot of the values loaded from the database so that saves can be diffed.

    The audit receivers in :mod:`kam.core.signals` write an :class:`AuditEntry` for every create, update
    and delete of a subclass. Fields named in ``audit_exclude`` are recorded as changed but never shown;
    fields in ``audit_ignore`` (bookkeeping such as last login) are not recorded at all.
    """

    audit_exclude: tuple[str, ...] = ()
    audit_ignore: tuple[str, ...] = ()
    _audit_snapshot: dict[str, Any]

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Self:
        instance = super().from_db(db, field_names, values)
        instance._audit_snapshot = instance.audit_values()
        return instance

    @classmethod
    def _audit_attnames(cls) -> tuple[str, ...]:
        """The attribute names a snapshot holds, worked out once per class (every loaded row takes one)."""
        names: tuple[str, ...] | None = cls.__dict__.get("_audit_attnames_cache")
        if names is None:
            names = tuple(
                field.attname
                for field in cls._meta.concrete_fields
                if not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
                and field.name not in cls.audit_ignore
            )
            cls._audit_attnames_cache = names  # type: ignore[attr-defined]
        return names

    def audit_values(self) -> dict[str, Any]:
        loaded = self.__dict__
        return {name: getattr(self, name) for name in self._audit_attnames() if name in loaded}


class KamModel(AuditedModel):
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True
