"""Who sees and changes engagement records.

Engagement records are commercial: they follow the customer's scope
(:func:`kam.customers.permissions.customer_scope`), but NOC engineers and customer users never see visits,
plans or competitor intelligence. Feedback is the exception that matters to the service side: NOC sees it
in its region, and whoever a feedback item is routed to sees it and may decide on it (routing, editing and
closing stay with the customer's team). Approving an account plan
is for the directors of the customer's region (and admins).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from kam.core.permissions import APPROVE, DELETE, VIEW
from kam.customers.permissions import customer_scope

# Roles that never see the commercial engagement records.
NON_COMMERCIAL_ROLES = frozenset({"noc", "customer"})


def commercial_scope(user: Any, action: str, prefix: str = "customer__") -> Q | bool:
    role = getattr(user, "role", None)
    if role in NON_COMMERCIAL_ROLES:
        return False
    if action == APPROVE and role != "director":
        return False
    return customer_scope(user, action, prefix=prefix)


def feedback_scope(user: Any, action: str, prefix: str = "customer__") -> Q | bool:
    role = getattr(user, "role", None)
    if role == "customer":
        return False
    base = customer_scope(user, action, prefix=prefix)
    if action == VIEW:
        mine = Q(responsible=user)
        if base is True:
            return True
        return mine if base is False else (base | mine)
    return base


def competitor_scope(user: Any, action: str) -> Q | bool:
    """The competitor catalogue is shared: every staff member reads it; AMs and directors add to it."""
    role = getattr(user, "role", None)
    if role == "customer":
        return False
    if action == VIEW:
        return True
    return role in ("director", "account_manager") and action != DELETE
