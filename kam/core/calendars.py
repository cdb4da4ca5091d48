"""Working-time arithmetic on working calendars (pure Python, no Django at import time).

A calendar says, for every local date in its time zone, which wall-clock intervals are working time:

* ``weekly`` gives the intervals of each weekday (0 = Monday … 6 = Sunday), several per day if needed
  (09:00-12:00 and 13:30-18:00). An interval is ``(start, end)`` in local wall-clock time; ``end`` equal
  to ``time(0)`` means midnight at the *end* of the day (24:00), so ``(time(0), time(0))`` is the whole
  day. Intervals over midnight are split across two days (22:00-24:00 and the next day's 00:00-06:00).
* ``holidays`` are days off even on a weekday; ``workdays`` are make-up working days (调休上班) even on a
  weekend, and use the intervals of ``workday_pattern`` (Monday by default).
* ``always`` makes it a 7×24 calendar: every second counts and the other fields are ignored.

Daylight-saving time: an interval of a date is the stretch of real time during which the wall clock of
``tz`` goes from ``start`` to ``end`` on that date (first occurrence of an ambiguous time; a time skipped
by a clock change starts at the moment of the change). So 00:00-24:00 lasts 23 or 25 hours on
transition days and 09:00-17:00 is always eight hours.

Semantics of the operations (all intervals are half-open, ``[start, end)``):

* ``working_seconds_between(a, b)`` is the working time in ``[a, b)``, negative when ``b < a``.
* ``add_working_time(start, s)`` for ``s >= 0`` returns the *earliest* moment ``m >= start`` with
  ``working_seconds_between(start, m) == s``. Finishing exactly at the end of an interval therefore
  returns that end (12:00), not the start of the next interval (13:30); ``s == 0`` returns ``start``.
  For ``s < 0`` it returns the *latest* moment ``m <= start`` with ``working_seconds_between(m, start)
  == -s``. Consequences: ``between(a, add(a, s)) == s``, ``add(add(a, x), y) == add(a, x + y)`` for
  ``x, y >= 0``, and both are monotonic. Durations are exact to the microsecond.
* ``is_working_time(m)`` is true inside an interval (start included, end excluded).
* ``next_working_moment(m)`` is ``m`` itself during working time, else the start of the next interval.

Every function accepts a :class:`CalendarSpec` or any object with a ``spec()`` method returning one (the
``WorkingCalendar`` model). Datetimes must be aware; results are in the calendar's time zone. Long spans
are skipped a week at a time where no holiday, make-up day or UTC-offset change interferes, so even
decades cost milliseconds.
"""

from __future__ import annotations

import bisect
import math
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "CALENDAR_24X7",
    "OFFICE_HOURS",
    "CalendarSpec",
    "HasSpec",
    "add_working_time",
    "china_office_calendar",
    "is_working_time",
    "next_working_moment",
    "spec_from_model",
    "working_seconds_between",
    "working_time_between",
]

MIDNIGHT = time(0)
SHANGHAI = "Asia/Shanghai"
OFFICE_HOURS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13, 30), time(18)))

_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_ZERO = timedelta(0)
_SECONDS_PER_DAY = 86_400
_MAX_CACHE = 50_000

Interval = tuple[time, time]
# An interval in wall-clock seconds after local midnight, end up to 86 400 (24:00) included.
_WallInterval = tuple[int, int]
_AbsInterval = tuple[datetime, datetime]


@runtime_checkable
class HasSpec(Protocol):
    def spec(self) -> CalendarSpec: ...


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _wall_time(seconds: int, micro: int) -> time:
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)


@dataclass(frozen=True)
class CalendarSpec:
    """An immutable working calendar; see the module docstring for the meaning of each field.

    ``weekly`` is normalised on construction: every weekday 0-6 is present, intervals are sorted and
    touching intervals merged. Overlapping, empty or reversed intervals raise :class:`ValueError`, as
    does a date that is both a holiday and a make-up workday.
    """

    tz: tzinfo
    weekly: Mapping[int, tuple[Interval, ...]]
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    workday_pattern: int = 0
    always: bool = False

    # Derived, filled in by __post_init__.
    _wall: tuple[tuple[tuple[_WallInterval, tuple[int, int]], ...], ...] = field(init=False, repr=False, compare=False)
    _week: timedelta = field(init=False, repr=False, compare=False)
    _exceptions: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _days: dict[date, tuple[_AbsInterval, ...]] = field(init=False, repr=False, compare=False)
    _starts: dict[date, datetime] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.tz, tzinfo):
            raise ValueError(f"tz must be a tzinfo such as zoneinfo.ZoneInfo('Asia/Shanghai'), not {self.tz!r}")
        if self.workday_pattern not in range(7):
            raise ValueError(f"workday_pattern must be a weekday 0 (Monday) to 6 (Sunday), not {self.workday_pattern}")
        holidays = frozenset(self.holidays)
        workdays = frozenset(self.workdays)
        both = holidays & workdays
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"dates cannot be both a holiday and a make-up workday: {listed}")
        unknown = set(self.weekly) - set(range(7))
        if unknown:
            raise ValueError(f"weekly keys must be weekdays 0 (Monday) to 6 (Sunday), got {sorted(unknown)}")

        normalised: dict[int, tuple[Interval, ...]] = {}
        wall: list[tuple[tuple[_WallInterval, tuple[int, int]], ...]] = []
        week = _ZERO
        for weekday in range(7):
            merged = _normalise_intervals(self.weekly.get(weekday, ()), weekday)
            normalised[weekday] = tuple(
                (_wall_time(s, sm), MIDNIGHT if e == _SECONDS_PER_DAY else _wall_time(e, em))
                for (s, e), (sm, em) in merged
            )
            wall.append(merged)
            for (s, e), (sm, em) in merged:
                week += timedelta(seconds=e - s, microseconds=em - sm)
        setter = object.__setattr__
        setter(self, "holidays", holidays)
        setter(self, "workdays", workdays)
        setter(self, "weekly", MappingProxyType(normalised))
        setter(self, "_wall", tuple(wall))
        setter(self, "_week", week)
        setter(self, "_exceptions", tuple(sorted(holidays | workdays)))
        setter(self, "_days", {})
        setter(self, "_starts", {})

    def __hash__(self) -> int:
        return hash(
            (str(self.tz), tuple(self.weekly.items()), self.holidays, self.workdays, self.workday_pattern, self.always)
        )

    def spec(self) -> CalendarSpec:
        return self

    @property
    def weekly_working_time(self) -> timedelta:
        """Working time of a normal week (no holidays, no make-up days, no clock change)."""
        return timedelta(days=7) if self.always else self._week

    @property
    def has_working_time(self) -> bool:
        return self.always or self._week > _ZERO

    # -- per-day data -------------------------------------------------------------------------

    def day_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working intervals of a local date as UTC datetimes, sorted, disjoint, non-empty."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        if self.always:
            result: tuple[_AbsInterval, ...] = ((self._day_start(day), self._day_start(day + _DAY)),)
        else:
            if day in self.holidays:
                pattern: tuple[tuple[_WallInterval, tuple[int, int]], ...] = ()
            elif day in self.workdays:
                pattern = self._wall[self.workday_pattern]
            else:
                pattern = self._wall[day.weekday()]
            out: list[_AbsInterval] = []
            for (s, e), (sm, em) in pattern:
                start = _earliest(self.tz, day, _wall_time(s, sm))
                if e == _SECONDS_PER_DAY:
                    end = self._day_start(day + _DAY)
                else:
                    end = _earliest(self.tz, day, _wall_time(e, em))
                if end <= start:  # swallowed by a clock change
                    continue
                if out and out[-1][1] >= start:
                    out[-1] = (out[-1][0], max(end, out[-1][1]))
                else:
                    out.append((start, end))
            result = tuple(out)
        if len(self._days) > _MAX_CACHE:
            self._days.clear()
        self._days[day] = result
        return result

    def _day_start(self, day: date) -> datetime:
        cached = self._starts.get(day)
        if cached is None:
            if len(self._starts) > _MAX_CACHE:
                self._starts.clear()
            cached = self._starts[day] = _earliest(self.tz, day, MIDNIGHT)
        return cached

    def _plain_week(self, first: date) -> bool:
        """True when the seven days from ``first`` hold exactly ``weekly_working_time``."""
        exceptions = self._exceptions
        i = bisect.bisect_left(exceptions, first)
        if i < len(exceptions) and exceptions[i] < first + _WEEK:
            return False
        tz = self.tz
        offset = tz.utcoffset(datetime.combine(first, MIDNIGHT))
        return all(tz.utcoffset(datetime.combine(first + timedelta(days=k), MIDNIGHT)) == offset for k in range(1, 8))


def _normalise_intervals(
    intervals: Iterable[tuple[time, time]], weekday: int
) -> tuple[tuple[_WallInterval, tuple[int, int]], ...]:
    raw: list[tuple[int, int, int, int]] = []
    for item in intervals:
        try:
            start, end = item
        except (TypeError, ValueError) as exc:
            raise ValueError(f"weekday {weekday}: an interval is a (start, end) pair of times, got {item!r}") from exc
        if not isinstance(start, time) or not isinstance(end, time):
            raise ValueError(f"weekday {weekday}: interval bounds must be datetime.time, got {item!r}")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"weekday {weekday}: interval times are local wall-clock times, without tzinfo")
        s, sm = _seconds(start), start.microsecond
        if end == MIDNIGHT:
            e, em = _SECONDS_PER_DAY, 0
        else:
            e, em = _seconds(end), end.microsecond
        if (e, em) <= (s, sm):
            raise ValueError(
                f"weekday {weekday}: interval {start:%H:%M}-{end:%H:%M} is empty or reversed "
                "(use 00:00 as the end for midnight; split intervals over midnight across two days)"
            )
        raw.append((s, sm, e, em))
    raw.sort()
    merged: list[list[int]] = []
    for s, sm, e, em in raw:
        if merged and (s, sm) < (merged[-1][2], merged[-1][3]):
            raise ValueError(f"weekday {weekday}: working intervals overlap")
        if merged and (s, sm) == (merged[-1][2], merged[-1][3]):
            merged[-1][2], merged[-1][3] = e, em
        else:
            merged.append([s, sm, e, em])
    return tuple(((s, e), (sm, em)) for s, sm, e, em in merged)


def _earliest(tz: tzinfo, day: date, wall: time) -> datetime:
    """The first instant (UTC) at which the wall clock of ``tz`` reads at least ``wall`` on ``day``."""
    naive = datetime.combine(day, wall)
    moment = naive.replace(tzinfo=tz).astimezone(UTC)  # fold=0: first occurrence of an ambiguous time
    if moment.astimezone(tz).replace(tzinfo=None) == naive:
        return moment
    # The wall time does not exist (the clock jumps over it): return the moment of the jump.
    target = moment.astimezone(tz).utcoffset()
    other = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo = math.floor(min(other, moment).timestamp())
    hi = math.ceil(max(other, moment).timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, UTC).astimezone(tz).utcoffset() == target:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


# -- public API --------------------------------------------------------------------------------


def _resolve(calendar: CalendarSpec | HasSpec) -> CalendarSpec:
    if isinstance(calendar, CalendarSpec):
        return calendar
    spec = getattr(calendar, "spec", None)
    if callable(spec):
        result = spec()
        if isinstance(result, CalendarSpec):
            return result
    raise TypeError(f"expected a CalendarSpec or an object with a spec() method, got {type(calendar).__name__}")


def _utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def _no_working_time(spec: CalendarSpec) -> ValueError:
    return ValueError(f"the calendar has no working time at all (weekly intervals are empty): {spec!r}")


def add_working_time(start: datetime, seconds: float, calendar: CalendarSpec | HasSpec) -> datetime:
    """The moment ``seconds`` of working time after ``start`` (before it, if negative).

    Returns the earliest such moment for ``seconds >= 0`` and the latest for ``seconds < 0``; see the
    module docstring. Raises ValueError for a naive ``start``, a non-finite amount, or a calendar
    without any working time.
    """
    spec = _resolve(calendar)
    t = _utc(start, "start")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise TypeError(f"seconds must be a number, got {type(seconds).__name__}")
    if not math.isfinite(seconds):
        raise ValueError(f"seconds must be finite, got {seconds}")
    amount = timedelta(seconds=seconds)
    if spec.always or amount == _ZERO:
        return (t + amount).astimezone(spec.tz)
    if not spec.has_working_time:
        raise _no_working_time(spec)
    result = _forward(spec, t, amount) if amount > _ZERO else _backward(spec, t, -amount)
    return result.astimezone(spec.tz)


def _forward(spec: CalendarSpec, t: datetime, remaining: timedelta) -> datetime:
    week = spec._week
    day = t.astimezone(spec.tz).date() - _DAY
    past_start = False  # becomes true once whole days lie after t
    while True:
        if not past_start:
            past_start = spec._day_start(day) >= t
        if past_start and remaining > week and spec._plain_week(day):
            remaining -= week
            day += _WEEK
            continue
        for s, e in spec.day_intervals(day):
            if e <= t:
                continue
            if s < t:
                s = t
            available = e - s
            if remaining <= available:
                return s + remaining
            remaining -= available
        day += _DAY


def _backward(spec: CalendarSpec, t: datetime, remaining: timedelta) -> datetime:
    week = spec._week
    day = t.astimezone(spec.tz).date() + _DAY
    before_end = False  # becomes true once whole days lie before t
    while True:
        if not before_end:
            before_end = spec._day_start(day + _DAY) <= t
        if before_end and remaining > week and spec._plain_week(day - timedelta(days=6)):
            remaining -= week
            day -= _WEEK
            continue
        for s, e in reversed(spec.day_intervals(day)):
            if s >= t:
                continue
            if e > t:
                e = t
            available = e - s
            if remaining <= available:
                return e - remaining
            remaining -= available
        day -= _DAY


def working_seconds_between(a: datetime, b: datetime, calendar: CalendarSpec | HasSpec) -> float:
    """Working seconds in ``[a, b)``; negative when ``b`` is before ``a``."""
    spec = _resolve(calendar)
    ua, ub = _utc(a, "a"), _utc(b, "b")
    if ub < ua:
        return -_between(spec, ub, ua).total_seconds()
    return _between(spec, ua, ub).total_seconds()


def working_time_between(a: datetime, b: datetime, calendar: CalendarSpec | HasSpec) -> timedelta:
    """Like :func:`working_seconds_between`, as an exact timedelta."""
    spec = _resolve(calendar)
    ua, ub = _utc(a, "a"), _utc(b, "b")
    return -_between(spec, ub, ua) if ub < ua else _between(spec, ua, ub)


def _between(spec: CalendarSpec, a: datetime, b: datetime) -> timedelta:
    if spec.always:
        return b - a
    if a == b or not spec.has_working_time:
        return _ZERO
    tz = spec.tz
    week = spec._week
    day = a.astimezone(tz).date() - _DAY
    last = b.astimezone(tz).date() + _DAY
    total = _ZERO
    while day <= last:
        if spec._day_start(day) >= a and spec._day_start(day + _WEEK) <= b and spec._plain_week(day):
            total += week
            day += _WEEK
            continue
        for s, e in spec.day_intervals(day):
            lo = s if s > a else a
            hi = e if e < b else b
            if hi > lo:
                total += hi - lo
        day += _DAY
    return total


def is_working_time(moment: datetime, calendar: CalendarSpec | HasSpec) -> bool:
    """True when ``moment`` lies inside a working interval (start included, end excluded)."""
    spec = _resolve(calendar)
    t = _utc(moment, "moment")
    if spec.always:
        return True
    day = t.astimezone(spec.tz).date()
    for d in (day - _DAY, day, day + _DAY):
        for s, e in spec.day_intervals(d):
            if s <= t < e:
                return True
    return False


def next_working_moment(moment: datetime, calendar: CalendarSpec | HasSpec) -> datetime:
    """``moment`` itself during working time, otherwise the start of the next working interval."""
    spec = _resolve(calendar)
    t = _utc(moment, "moment")
    if spec.always:
        return t.astimezone(spec.tz)
    if not spec.has_working_time:
        raise _no_working_time(spec)
    day = t.astimezone(spec.tz).date() - _DAY
    # Every plain week has working time, so the search ends after the exceptions plus a few weeks.
    for _ in range(len(spec._exceptions) + 400):
        for s, e in spec.day_intervals(day):
            if e > t:
                return (s if s > t else t).astimezone(spec.tz)
        day += _DAY
    raise ValueError(f"no working time found after {moment.isoformat()}")  # pragma: no cover


# -- built-in calendars ------------------------------------------------------------------------

CALENDAR_24X7 = CalendarSpec(tz=zoneinfo.ZoneInfo(SHANGHAI), weekly={}, always=True)


@lru_cache(maxsize=8)
def _china_days(include_provisional: bool) -> tuple[frozenset[date], frozenset[date]]:
    from kam.core.reference.loaders import load_holidays

    holidays: set[date] = set()
    workdays: set[date] = set()
    for entry in load_holidays():
        if entry.provisional and not include_provisional:
            continue
        (holidays if entry.kind == "holiday" else workdays).add(entry.date)
    return frozenset(holidays), frozenset(workdays)


def china_office_calendar(
    *,
    intervals: Iterable[tuple[time, time]] = OFFICE_HOURS,
    weekdays: Iterable[int] = (0, 1, 2, 3, 4),
    tz: str | tzinfo = SHANGHAI,
    with_holidays: bool = True,
    include_provisional: bool = True,
) -> CalendarSpec:
    """Mainland office hours: 09:00-12:00 and 13:30-18:00 Monday to Friday, Asia/Shanghai, with the public
    holidays and make-up workdays of ``holidays_cn.json`` (``include_provisional=False`` leaves out the
    derived, not yet published years)."""
    zone = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz
    day_intervals = tuple(intervals)
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    if with_holidays:
        holidays, workdays = _china_days(include_provisional)
    return CalendarSpec(
        tz=zone,
        weekly={weekday: day_intervals for weekday in weekdays},
        holidays=holidays,
        workdays=workdays,
    )


def spec_from_model(calendar: Any) -> CalendarSpec:
    """Build a CalendarSpec from a ``WorkingCalendar`` row (its ``intervals`` and ``days`` relations)."""
    weekly: dict[int, list[Interval]] = {}
    for interval in calendar.intervals.all():
        weekly.setdefault(int(interval.weekday), []).append((interval.start, interval.end))
    holidays: set[date] = set()
    workdays: set[date] = set()
    for day in calendar.days.all():
        (holidays if day.kind == "holiday" else workdays).add(day.date)
    return CalendarSpec(
        tz=zoneinfo.ZoneInfo(calendar.timezone),
        weekly={weekday: tuple(items) for weekday, items in weekly.items()},
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        workday_pattern=int(calendar.workday_pattern),
        always=bool(calendar.always),
    )
