"""Read rules spanning rows: visit cadence and overdue customers, feedback turnaround."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from kam.engagement.choices import DEFAULT_VISIT_CADENCE_DAYS, FeedbackKind, FeedbackStatus, VisitStatus
from kam.engagement.permissions import NON_COMMERCIAL_ROLES

# --- visit cadence --------------------------------------------------------------------------------------


def cadence_by_grade() -> dict[str, int]:
    """Visit cadence in days per value grade: the tier policy's, else the defaults of DOMAIN.md."""
    cadence = dict(DEFAULT_VISIT_CADENCE_DAYS)
    try:
        from kam.customers.models import TierPolicy
    except ImportError:  # pragma: no cover - the tier policy is part of the customers app
        return cadence
    for grade, days in TierPolicy.objects.values_list("grade", "visit_cadence_days"):
        if days:
            cadence[grade] = int(days)
    return cadence


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def overdue_customers(customers: QuerySet[Any], today: date | None = None) -> QuerySet[Any]:
    """Customers whose last visit that took place is more than their grade's cadence ago (in days), or none.

    With a cadence of 30 days, a customer last visited 30 days ago (by local date) is due today, not
    overdue; 31 days ago is overdue. Churned customers are not counted. Each row carries ``last_visit_at``.
    """
    today = today or timezone.localdate()
    cadence = cadence_by_grade()
    conditions = [
        Q(value_grade=grade)
        & (Q(last_visit_at__isnull=True) | Q(last_visit_at__lt=_local_midnight(today - timedelta(days=days))))
        for grade, days in cadence.items()
    ]
    return (
        customers.exclude(lifecycle="churned")
        .annotate(last_visit_at=Max("visits__occurred_at", filter=Q(visits__status=VisitStatus.DONE)))
        .filter(reduce(or_, conditions))
    )


@dataclass(frozen=True)
class OverdueRow:
    customer: Any
    last_visit_at: datetime | None
    cadence_days: int
    days_since: int | None  # None: never visited

    @property
    def days_overdue(self) -> int | None:
        return None if self.days_since is None else self.days_since - self.cadence_days


def customers_overdue_for_visit(user: Any, today: date | None = None) -> QuerySet[Any]:
    """The overdue customers ``user`` may see (their portfolio), longest-unvisited first."""
    from kam.customers.models import Customer

    if getattr(user, "role", None) in NON_COMMERCIAL_ROLES:
        return Customer.objects.none()
    qs = overdue_customers(Customer.objects.visible_to(user), today)
    return qs.order_by(models_nulls_first("last_visit_at"), "name", "pk")


def models_nulls_first(field: str) -> Any:
    from django.db.models import F

    return F(field).asc(nulls_first=True)


def overdue_rows(customers: Sequence[Any], today: date | None = None) -> list[OverdueRow]:
    today = today or timezone.localdate()
    cadence = cadence_by_grade()
    rows = []
    for customer in customers:
        last = getattr(customer, "last_visit_at", None)
        rows.append(
            OverdueRow(
                customer=customer,
                last_visit_at=last,
                cadence_days=cadence.get(customer.value_grade, 0),
                days_since=(today - timezone.localdate(last)).days if last else None,
            )
        )
    return rows


# --- feedback turnaround --------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0–100) with linear interpolation between closest ranks (NumPy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class TurnaroundRow:
    kind: str
    label: Any
    collected: int
    decided: int
    closed: int
    decided_median_s: float | None
    decided_p90_s: float | None
    closed_median_s: float | None
    closed_p90_s: float | None
    open: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": str(self.label),
            "collected": self.collected,
            "decided": self.decided,
            "closed": self.closed,
            "open": self.open,
            "decided_median_s": self.decided_median_s,
            "decided_p90_s": self.decided_p90_s,
            "closed_median_s": self.closed_median_s,
            "closed_p90_s": self.closed_p90_s,
        }


def feedback_turnaround(user: Any, date_from: date | None = None, date_to: date | None = None) -> list[TurnaroundRow]:
    """Median and 90th percentile of collected→decided and collected→closed, in seconds, by kind.

    Counts feedback collected from ``date_from`` to ``date_to`` (local dates, both included; default the
    last 365 days) over what ``user`` may see. The last row (kind ``all``) covers every kind.
    """
    from kam.engagement.models import Feedback

    date_to = date_to or timezone.localdate()
    date_from = date_from or (date_to - timedelta(days=364))
    qs = Feedback.objects.visible_to(user).filter(
        collected_at__gte=_local_midnight(date_from), collected_at__lt=_local_midnight(date_to + timedelta(days=1))
    )
    rows = list(qs.values_list("kind", "status", "collected_at", "decided_at", "closed_at"))
    result = []
    kinds: list[tuple[str, Any]] = [(k.value, k.label) for k in FeedbackKind]
    from django.utils.translation import gettext_lazy as _

    kinds.append(("all", _("All kinds")))
    for kind, label in kinds:
        mine = [r for r in rows if kind == "all" or r[0] == kind]
        decided = [(r[3] - r[2]).total_seconds() for r in mine if r[3] is not None]
        closed = [(r[4] - r[2]).total_seconds() for r in mine if r[4] is not None]
        result.append(
            TurnaroundRow(
                kind=kind,
                label=label,
                collected=len(mine),
                decided=len(decided),
                closed=len(closed),
                open=sum(1 for r in mine if r[1] != FeedbackStatus.CLOSED),
                decided_median_s=percentile(decided, 50),
                decided_p90_s=percentile(decided, 90),
                closed_median_s=percentile(closed, 50),
                closed_p90_s=percentile(closed, 90),
            )
        )
    return result
