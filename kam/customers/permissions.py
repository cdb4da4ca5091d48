"""Who sees which key accounts (DESIGN.md "Permissions").

- account managers and engineers: customers whose account team they are on, and those customers'
  children in the group tree; AMs (lead or local) may change them;
- directors: every customer in their org unit's region; they may change and approve (grade changes);
- NOC and finance: every customer in their org unit's region, read only (NOC: service side only —
  field-level hiding of prices is done by ``user.sees_commercial``);
- customer users: their own customer and its children, read only (and export).

``prefix`` lets models that hang off a customer reuse the same rule (``prefix="customer__"``).
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from kam.core.models.reference import region_prefix
from kam.core.permissions import APPROVE, EXPORT, VIEW

_READ_ACTIONS = {VIEW, EXPORT}

_REGION_ROLES_READ = {"noc", "finance"}


def _paths(user: Any, editing_only: bool) -> list[str]:
    from kam.customers.choices import EDITING_TEAM_ROLES
    from kam.customers.models import Customer

    qs = Customer.objects.filter(team_members__user=user)
    if editing_only:
        qs = qs.filter(team_members__role__in=list(EDITING_TEAM_ROLES))
    paths = sorted(set(qs.values_list("path", flat=True)))
    # a path inside another path adds nothing
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def subtree_q(path: str, prefix: str = "") -> Q:
    """Rows of the subtree rooted at ``path`` (the customer itself included)."""
    if connection.vendor == "sqlite":
        # a range on the indexed path column: every path of a subtree sorts between "/1/" and "/1/~"
        return Q(**{f"{prefix}path__gte": path, f"{prefix}path__lt": path + "~"})
    return Q(**{f"{prefix}path__startswith": path})


def region_q(code_prefix: str, prefix: str = "") -> Q:
    """Rows whose region code starts with ``code_prefix`` ("4401"), as an index range where that works."""
    if connection.vendor == "sqlite":
        return Q(**{f"{prefix}region__code__gte": code_prefix, f"{prefix}region__code__lt": code_prefix + "~"})
    return Q(**{f"{prefix}region__code__startswith": code_prefix})


def _path_q(paths: list[str], prefix: str) -> Q | bool:
    if not paths:
        return False
    return reduce(or_, (subtree_q(p, prefix) for p in paths))


def _subtree_range(outer: str, inner: str) -> str:
    if connection.vendor == "postgresql":
        return (
            f'{outer}.path COLLATE "C" >= {inner}.path COLLATE "C" '
            f'AND {outer}.path COLLATE "C" < ({inner}.path || \'~\') COLLATE "C"'
        )
    return f"{outer}.path >= {inner}.path AND {outer}.path < {inner}.path || '~'"


def _team_q(user: Any, editing_only: bool, prefix: str) -> Q:
    """Customers in the subtrees of the customers whose team the user is on, as one subquery.

    One range scan on the path index per team membership, instead of one ``LIKE`` per membership and row.
    """
    from kam.customers.choices import EDITING_TEAM_ROLES

    params: list[Any] = [user.pk]
    roles = ""
    if editing_only:
        editing = sorted(str(r) for r in EDITING_TEAM_ROLES)
        roles = " AND t.role IN (" + ", ".join(["%s"] * len(editing)) + ")"
        params += editing
    sql = (
        "SELECT c.id FROM customers_accountteammember t "
        "JOIN customers_customer r ON r.id = t.customer_id "
        f"JOIN customers_customer c ON {_subtree_range('c', 'r')} "
        f"WHERE t.user_id = %s{roles}"
    )
    return Q(**{f"{prefix}id__in": RawSQL(sql, params)})


def customer_scope(user: Any, action: str, prefix: str = "") -> Q | bool:
    role = getattr(user, "role", None)
    if role == "customer":
        if action not in _READ_ACTIONS or not user.customer_id:
            return False
        from kam.customers.models import Customer

        own_path = Customer.objects.filter(pk=user.customer_id).values_list("path", flat=True).first() or ""
        return _path_q([own_path], prefix) if own_path else False
    if role == "director":
        unit = user.org_unit
        if unit is None:
            return False
        return region_q(region_prefix(unit.region_id), prefix)
    if role in _REGION_ROLES_READ:
        if action not in _READ_ACTIONS or user.org_unit is None:
            return False
        return region_q(region_prefix(user.org_unit.region_id), prefix)
    if role in ("account_manager", "engineer"):
        if action in _READ_ACTIONS:
            return _team_q(user, editing_only=False, prefix=prefix)
        if role == "account_manager" and action != APPROVE:
            return _team_q(user, editing_only=True, prefix=prefix)
        return False
    return False
