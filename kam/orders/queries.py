"""Read models of the orders app: activation timeliness (on-time rate and average working days)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kam.core.models.reference import region_prefix
from kam.orders.choices import WorkOrderStatus
from kam.orders.models import WorkOrder

GROUPS = ("product", "region", "grade", "month")


@dataclass
class TimelinessRow:
    key: str
    label: str
    total: int = 0
    on_time: int = 0
    late: int = 0
    days: list[float] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        return round(100.0 * self.on_time / self.total, 1) if self.total else None

    @property
    def average_days(self) -> float | None:
        return round(sum(self.days) / len(self.days), 2) if self.days else None


@dataclass(frozen=True)
class TimelinessFilter:
    product: str = ""
    region: str = ""  # a region code; children included
    grade: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


def completed_orders(user: Any, flt: TimelinessFilter) -> QuerySet[WorkOrder]:
    """Completed orders the user sees that the report counts (split parents are counted by their children)."""
    qs = WorkOrder.objects.visible_to(user).filter(status=WorkOrderStatus.COMPLETED).leaves()
    if flt.product:
        qs = qs.filter(product=flt.product)
    if flt.region:
        qs = qs.filter(region__code__startswith=region_prefix(flt.region))
    if flt.grade:
        qs = qs.filter(customer__value_grade=flt.grade)
    if flt.kind:
        qs = qs.filter(kind=flt.kind)
    if flt.date_from:
        qs = qs.filter(completed_at__date__gte=flt.date_from)
    if flt.date_to:
        qs = qs.filter(completed_at__date__lte=flt.date_to)
    return qs


def _day_seconds(calendar_ids: set[int | None]) -> dict[int | None, float]:
    from kam.core.models import WorkingCalendar
    from kam.orders.services import calendar_spec, default_calendar, working_day_seconds

    result: dict[int | None, float] = {}
    rows = {c.pk: c for c in WorkingCalendar.objects.filter(pk__in=[i for i in calendar_ids if i])}
    for cid in calendar_ids:
        calendar = rows.get(cid) if cid else default_calendar()
        result[cid] = working_day_seconds(calendar_spec(calendar or default_calendar()))
    return result


def timeliness(user: Any, group_by: str = "month", flt: TimelinessFilter | None = None) -> list[TimelinessRow]:
    """On-time rate and average activation time in working days, grouped by product, region, customer grade
    or month of completion. Activation time is the working time from dispatch to completion less the time
    the customer held the order up; "on time" means completed by the due time (which moves with customer
    pauses and approved extensions) and no extension was asked for too late."""
    from kam.lines.choices import Product

    if group_by not in GROUPS:
        group_by = "month"
    flt = flt or TimelinessFilter()
    rows = list(
        completed_orders(user, flt).values_list(
            "product",
            "region__code",
            "region__name",
            "customer__value_grade",
            "completed_at",
            "working_seconds_used",
            "on_time",
            "calendar_id",
        )
    )
    day_seconds = _day_seconds({r[7] for r in rows})
    groups: dict[str, TimelinessRow] = {}
    products = dict(Product.choices)
    for product, region_code, region_name, grade, completed_at, used, on_time, calendar_id in rows:
        month = timezone.localtime(completed_at).strftime("%Y-%m") if completed_at else ""
        if group_by == "product":
            key, label, filters = product or "-", str(products.get(product, product or "—")), {"product": product}
        elif group_by == "region":
            key, label, filters = region_code, region_name, {"region": region_code}
        elif group_by == "grade":
            key, label, filters = grade or "-", grade or "—", {"grade": grade}
        else:
            key, label, filters = month, month, {"month": month}
        row = groups.get(key)
        if row is None:
            row = groups[key] = TimelinessRow(key=key, label=label, filters=filters)
        row.total += 1
        if on_time:
            row.on_time += 1
        else:
            row.late += 1
        if used is not None:
            row.days.append(used / day_seconds.get(calendar_id, 27_000.0))
    return [groups[k] for k in sorted(groups)]


def totals(rows: list[TimelinessRow]) -> TimelinessRow:
    total = TimelinessRow(key="total", label="")
    for row in rows:
        total.total += row.total
        total.on_time += row.on_time
        total.late += row.late
        total.days.extend(row.days)
    return total


def month_bounds(month: str) -> tuple[date, date] | None:
    """``"2026-10"`` → first and last day (for the late-order link of a month)."""
    try:
        year, mon = (int(p) for p in month.split("-"))
        first = date(year, mon, 1)
    except (ValueError, TypeError):
        return None
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    return first, date.fromordinal(nxt.toordinal() - 1)


def by_stage_counts(user: Any) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for stage in WorkOrder.objects.visible_to(user).running().values_list("stage", flat=True):
        counts[stage] += 1
    return dict(counts)
