"""Actions and the small vocabulary of the object-level permission mechanism.

The mechanism itself lives in :class:`kam.core.models.base.ScopedQuerySet`; this module holds what views
and services need to ask it questions without importing any model.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from kam.core.errors import Forbidden, NotFound

VIEW = "view"
CHANGE = "change"
DELETE = "delete"
EXPORT = "export"
APPROVE = "approve"

_M = TypeVar("_M", bound=Model)


def is_admin_user(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", None) == "admin")


def get_for(queryset: QuerySet[_M], user: Any, action: str = VIEW, **lookup: Any) -> _M:
    """Fetch one object the user may see and act on.

    Raises :class:`NotFound` when the object is outside the user's view (never leaking existence) and
    :class:`Forbidden` when it is visible but the action is not allowed.
    """
    manager_qs: Any = queryset
    found = list(manager_qs.visible_to(user).filter(**lookup).order_by()[:1])
    obj = found[0] if found else None
    if obj is None:
        raise NotFound(_not_found_message(queryset.model))
    if action != VIEW and not can(user, action, obj):
        raise Forbidden(_forbidden_message())
    return obj


def can(user: Any, action: str, obj: Model) -> bool:
    qs: Any = type(obj)._default_manager.all()
    return bool(qs.restrict(user, action).filter(pk=obj.pk).exists())


def can_on(request: Any, action: str, obj: Model) -> bool:
    """``can()`` remembered for one request: the panels of a detail page ask the same question many times."""
    memo: dict[tuple[str, str, Any], bool] = request.__dict__.setdefault("_kam_can", {})
    key = (action, obj._meta.label, obj.pk)
    if key not in memo:
        memo[key] = can(request.user, action, obj)
    return memo[key]


def _not_found_message(model: type[Model]) -> str:
    from django.utils.translation import gettext

    return gettext("%(name)s not found.") % {"name": model._meta.verbose_name}


def _forbidden_message() -> str:
    from django.utils.translation import gettext

    return gettext("You are not allowed to do this.")
