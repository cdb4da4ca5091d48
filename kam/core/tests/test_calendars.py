"""Working-time arithmetic: exact examples, DST, guards and properties (no database needed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kam.core.calendars import (
    CALENDAR_24X7,
    CalendarSpec,
    add_working_time,
    china_office_calendar,
    is_working_time,
    next_working_moment,
    working_seconds_between,
    working_time_between,
)

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
HOUR = 3600
OFFICE = china_office_calendar()


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SH)


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def every_day(*intervals: tuple[time, time], tz: ZoneInfo = NY) -> CalendarSpec:
    return CalendarSpec(tz=tz, weekly={d: intervals for d in range(7)})


# -- exact examples: the mainland office calendar ----------------------------------------------


def test_office_hours_shape() -> None:
    assert OFFICE.weekly[0] == ((time(9), time(12)), (time(13, 30), time(18)))
    assert OFFICE.weekly[5] == () and OFFICE.weekly[6] == ()
    assert OFFICE.weekly_working_time == timedelta(hours=37.5)
    assert OFFICE.tz == SH


def test_friday_evening_plus_two_hours_lands_monday_morning() -> None:
    # 2025-03-14 is a plain Friday: 17:00-18:00 counts one hour, Monday 09:00-10:00 the other.
    assert add_working_time(sh(2025, 3, 14, 17), 2 * HOUR, OFFICE) == sh(2025, 3, 17, 10)
    assert add_working_time(sh(2025, 3, 14, 17, 30), 2 * HOUR, OFFICE) == sh(2025, 3, 17, 10, 30)
    assert working_seconds_between(sh(2025, 3, 14, 17, 30), sh(2025, 3, 17, 10, 30), OFFICE) == 2 * HOUR


def test_intervals_across_lunch() -> None:
    assert add_working_time(sh(2025, 3, 12, 11), 2 * HOUR, OFFICE) == sh(2025, 3, 12, 14, 30)
    assert working_seconds_between(sh(2025, 3, 12, 11), sh(2025, 3, 12, 14), OFFICE) == 1.5 * HOUR
    # Earliest moment: one hour from 11:00 ends at 12:00, not at 13:30.
    assert add_working_time(sh(2025, 3, 12, 11), HOUR, OFFICE) == sh(2025, 3, 12, 12)
    assert not is_working_time(sh(2025, 3, 12, 12), OFFICE)
    assert is_working_time(sh(2025, 3, 12, 11, 59, 59), OFFICE)
    assert is_working_time(sh(2025, 3, 12, 13, 30), OFFICE)
    assert next_working_moment(sh(2025, 3, 12, 12, 15), OFFICE) == sh(2025, 3, 12, 13, 30)
    assert next_working_moment(sh(2025, 3, 12, 10), OFFICE) == sh(2025, 3, 12, 10)
    assert working_seconds_between(sh(2025, 3, 12, 0), sh(2025, 3, 13, 0), OFFICE) == 7.5 * HOUR


def test_national_day_2025_is_off() -> None:
    assert not is_working_time(sh(2025, 10, 1, 10), OFFICE)
    assert not is_working_time(sh(2025, 10, 8, 10), OFFICE)  # a Wednesday inside the 8-day break
    assert working_seconds_between(sh(2025, 9, 30, 18), sh(2025, 10, 9, 9), OFFICE) == 0
    assert add_working_time(sh(2025, 9, 30, 17), 2 * HOUR, OFFICE) == sh(2025, 10, 9, 10)
    assert next_working_moment(sh(2025, 10, 1, 8), OFFICE) == sh(2025, 10, 9, 9)


def test_make_up_sunday_counts() -> None:
    # 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are 调休 working days with Monday's hours.
    assert is_working_time(sh(2025, 9, 28, 10), OFFICE)
    assert is_working_time(sh(2025, 10, 11, 14), OFFICE)
    assert not is_working_time(sh(2025, 9, 27, 10), OFFICE)
    assert add_working_time(sh(2025, 9, 26, 17), 2 * HOUR, OFFICE) == sh(2025, 9, 28, 10)
    assert working_seconds_between(sh(2025, 9, 27), sh(2025, 9, 29), OFFICE) == 7.5 * HOUR


def test_spring_festival_2026() -> None:
    # 2026-02-15 to 02-23 off, 02-14 (Saturday) and 02-28 (Saturday) worked.
    assert working_seconds_between(sh(2026, 2, 15), sh(2026, 2, 24), OFFICE) == 0
    assert is_working_time(sh(2026, 2, 14, 9), OFFICE)
    assert is_working_time(sh(2026, 2, 28, 9), OFFICE)


def test_without_holidays() -> None:
    plain = china_office_calendar(with_holidays=False)
    assert is_working_time(sh(2025, 10, 1, 10), plain)
    assert not is_working_time(sh(2025, 9, 28, 10), plain)


def test_provisional_years_can_be_left_out() -> None:
    assert not is_working_time(sh(2027, 10, 4, 10), OFFICE)  # provisional 2027 National Day
    published_only = china_office_calendar(include_provisional=False)
    assert is_working_time(sh(2027, 10, 4, 10), published_only)
    assert not is_working_time(sh(2026, 10, 5, 10), published_only)


def test_results_are_in_the_calendar_time_zone() -> None:
    start = datetime(2025, 3, 14, 9, tzinfo=UTC)  # 17:00 in Shanghai
    result = add_working_time(start, 2 * HOUR, OFFICE)
    assert result.tzinfo == SH and result == sh(2025, 3, 17, 10)
    assert next_working_moment(start, OFFICE).tzinfo == SH


def test_negative_amounts_go_backwards() -> None:
    assert add_working_time(sh(2025, 3, 17, 10), -2 * HOUR, OFFICE) == sh(2025, 3, 14, 17)
    # Latest moment: going back one hour from 14:30 stops at 13:30, not at 12:00.
    assert add_working_time(sh(2025, 3, 12, 14, 30), -HOUR, OFFICE) == sh(2025, 3, 12, 13, 30)
    assert working_seconds_between(sh(2025, 3, 17, 10), sh(2025, 3, 14, 17), OFFICE) == -2 * HOUR


def test_fractional_seconds_and_timedelta_result() -> None:
    result = add_working_time(sh(2025, 3, 12, 11, 59, 59), 1.5, OFFICE)
    assert result == sh(2025, 3, 12, 13, 30) + timedelta(seconds=0.5)
    assert working_time_between(sh(2025, 3, 12, 11), result, OFFICE) == timedelta(seconds=3600.5)


# -- 7×24 --------------------------------------------------------------------------------------


def test_24x7_adds_plainly() -> None:
    start = sh(2025, 10, 1, 3, 4, 5)
    assert add_working_time(start, 90_061, CALENDAR_24X7) == start + timedelta(seconds=90_061)
    assert add_working_time(start, -60, CALENDAR_24X7) == start - timedelta(minutes=1)
    assert working_seconds_between(start, start + timedelta(days=400), CALENDAR_24X7) == 400 * 86_400
    assert is_working_time(start, CALENDAR_24X7)
    assert next_working_moment(start, CALENDAR_24X7) == start


# -- interval conventions, guards, HasSpec ------------------------------------------------------


def test_midnight_end_means_24_00() -> None:
    shifts = CalendarSpec(tz=SH, weekly={0: ((time(22), time(0)),), 1: ((time(0), time(6)),)})
    assert shifts.weekly[0] == ((time(22), time(0)),)
    monday = sh(2025, 3, 10, 23)
    assert add_working_time(monday, 2 * HOUR, shifts) == sh(2025, 3, 11, 1)
    assert working_seconds_between(sh(2025, 3, 10), sh(2025, 3, 12), shifts) == 8 * HOUR
    full = CalendarSpec(tz=SH, weekly={d: ((time(0), time(0)),) for d in range(7)})
    start = sh(2025, 3, 10, 5)
    assert add_working_time(start, 10 * 86_400 + 7, full) == start + timedelta(days=10, seconds=7)


def test_touching_intervals_merge_and_bad_ones_fail() -> None:
    spec = CalendarSpec(tz=SH, weekly={0: ((time(13), time(18)), (time(9), time(12)), (time(12), time(13)))})
    assert spec.weekly[0] == ((time(9), time(18)),)
    with pytest.raises(ValueError, match="overlap"):
        CalendarSpec(tz=SH, weekly={0: ((time(9), time(12)), (time(11), time(13)))})
    with pytest.raises(ValueError, match="empty or reversed"):
        CalendarSpec(tz=SH, weekly={0: ((time(22), time(6)),)})
    with pytest.raises(ValueError, match="empty or reversed"):
        CalendarSpec(tz=SH, weekly={0: ((time(9), time(9)),)})
    with pytest.raises(ValueError, match="weekday"):
        CalendarSpec(tz=SH, weekly={7: ((time(9), time(10)),)})
    with pytest.raises(ValueError, match="both a holiday"):
        CalendarSpec(tz=SH, weekly={}, holidays=frozenset({date(2025, 1, 1)}), workdays=frozenset({date(2025, 1, 1)}))
    with pytest.raises(ValueError, match="workday_pattern"):
        CalendarSpec(tz=SH, weekly={}, workday_pattern=7)


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2025, 3, 14, 17)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_time(naive, 60, OFFICE)
    with pytest.raises(ValueError, match="timezone-aware"):
        working_seconds_between(naive, sh(2025, 3, 15), OFFICE)
    with pytest.raises(ValueError, match="timezone-aware"):
        is_working_time(naive, OFFICE)
    with pytest.raises(ValueError, match="timezone-aware"):
        next_working_moment(naive, OFFICE)
    with pytest.raises(ValueError, match="finite"):
        add_working_time(sh(2025, 3, 14), float("nan"), OFFICE)


def test_calendar_without_working_time_does_not_loop() -> None:
    empty = CalendarSpec(tz=SH, weekly={}, workdays=frozenset({date(2025, 3, 15)}))
    assert not empty.has_working_time
    with pytest.raises(ValueError, match="no working time"):
        add_working_time(sh(2025, 3, 14), 1, empty)
    with pytest.raises(ValueError, match="no working time"):
        add_working_time(sh(2025, 3, 14), -1, empty)
    with pytest.raises(ValueError, match="no working time"):
        next_working_moment(sh(2025, 3, 14), empty)
    assert working_seconds_between(sh(2025, 3, 14), sh(2035, 3, 14), empty) == 0
    assert not is_working_time(sh(2025, 3, 14, 10), empty)
    assert add_working_time(sh(2025, 3, 14), 0, empty) == sh(2025, 3, 14)


def test_objects_with_spec_method_are_accepted() -> None:
    @dataclass
    class Model:
        def spec(self) -> CalendarSpec:
            return OFFICE

    assert add_working_time(sh(2025, 3, 14, 17), 2 * HOUR, Model()) == sh(2025, 3, 17, 10)
    with pytest.raises(TypeError):
        add_working_time(sh(2025, 3, 14, 17), 2 * HOUR, object())  # type: ignore[arg-type]


def test_specs_compare_and_hash_by_value() -> None:
    a = CalendarSpec(tz=SH, weekly={0: [(time(9), time(12))]})  # type: ignore[dict-item]
    b = CalendarSpec(tz=SH, weekly={0: ((time(9), time(12)),), 3: ()})
    assert a == b and hash(a) == hash(b)
    assert {a: 1}[b] == 1


# -- daylight-saving time ----------------------------------------------------------------------


def test_dst_day_lengths_in_new_york() -> None:
    full = every_day((time(0), time(0)))
    assert working_seconds_between(ny(2025, 3, 9), ny(2025, 3, 10), full) == 23 * HOUR
    assert working_seconds_between(ny(2025, 11, 2), ny(2025, 11, 3), full) == 25 * HOUR
    assert working_seconds_between(ny(2025, 3, 1), ny(2025, 4, 1), full) == 31 * 24 * HOUR - HOUR
    start = ny(2025, 3, 8, 12)
    assert add_working_time(start, 24 * HOUR, full) == start.astimezone(UTC) + timedelta(hours=24)  # real time
    assert add_working_time(start, 24 * HOUR, full) == ny(2025, 3, 9, 13)


def test_office_hours_across_dst_in_new_york() -> None:
    office = CalendarSpec(tz=NY, weekly={d: ((time(9), time(17)),) for d in range(5)})
    # Friday 16:00 EST + 2 working hours = Monday 10:00 EDT.
    assert add_working_time(ny(2025, 3, 7, 16), 2 * HOUR, office) == ny(2025, 3, 10, 10)
    assert working_seconds_between(ny(2025, 3, 7, 9), ny(2025, 3, 10, 17), office) == 16 * HOUR
    assert working_seconds_between(ny(2025, 10, 31, 9), ny(2025, 11, 3, 17), office) == 16 * HOUR
    # A year of office time is 261 weekdays × 8 hours whatever the clock changes.
    assert working_seconds_between(ny(2025, 1, 1), ny(2026, 1, 1), office) == 261 * 8 * HOUR
    assert add_working_time(ny(2025, 1, 1), 261 * 8 * HOUR, office) == ny(2025, 12, 31, 17)


def test_wall_times_skipped_by_the_clock() -> None:
    night = every_day((time(2), time(3)))
    assert night.day_intervals(date(2025, 3, 9)) == ()  # 02:00-03:00 does not exist that night
    assert working_seconds_between(ny(2025, 3, 9), ny(2025, 3, 10), night) == 0
    # 02:30 does not exist: the interval starts when the clock jumps to 03:00.
    late = every_day((time(2, 30), time(4)))
    assert working_seconds_between(ny(2025, 3, 9), ny(2025, 3, 10), late) == HOUR
    # The repeated hour of the autumn change counts twice.
    early = every_day((time(1), time(2)))
    assert working_seconds_between(ny(2025, 11, 2), ny(2025, 11, 3), early) == 2 * HOUR


def test_midnight_skipped_by_the_clock() -> None:
    santiago = ZoneInfo("America/Santiago")  # 2025-09-07 00:00 does not exist: clocks go 24:00 → 01:00
    full = every_day((time(0), time(0)), tz=santiago)
    day_start = datetime(2025, 9, 6, tzinfo=santiago)
    assert working_seconds_between(day_start, day_start + timedelta(days=2), full) == 47 * HOUR
    assert is_working_time(datetime(2025, 9, 7, 1, 30, tzinfo=santiago), full)


# -- speed -------------------------------------------------------------------------------------


@pytest.mark.parametrize("sign", [1, -1])
def test_thirty_years_round_trip(sign: int) -> None:
    """Thirty years of office time forwards and backwards (speed is shown by bench/calendars_bench.py)."""
    thirty_years = sign * 30 * 261 * 7.5 * HOUR
    start = sh(2025, 3, 14, 17)
    calendar = china_office_calendar()
    end = add_working_time(start, thirty_years, calendar)
    assert working_seconds_between(start, end, calendar) == thirty_years


def test_500_working_days_on_office_calendar() -> None:
    start = sh(2025, 1, 2, 9)
    end = add_working_time(start, 500 * 7.5 * HOUR, OFFICE)
    assert working_seconds_between(start, end, OFFICE) == 500 * 7.5 * HOUR
    assert end.time() == time(18)  # whole days end at closing time (earliest moment)


# -- properties --------------------------------------------------------------------------------

ZONES = [ZoneInfo(z) for z in ("Asia/Shanghai", "UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe")]
LOW, HIGH = datetime(2023, 6, 1), datetime(2028, 6, 1)


@st.composite
def day_intervals(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    """0-3 intervals on a quarter-hour grid; 96 quarters = 24:00, written time(0)."""
    count = draw(st.integers(0, 3))
    points = sorted(draw(st.sets(st.integers(0, 96), min_size=2 * count, max_size=2 * count)))

    def at(q: int) -> time:
        return time(0) if q == 96 else time(q // 4, q % 4 * 15)

    return tuple((at(points[i]), at(points[i + 1])) for i in range(0, len(points), 2))


@st.composite
def calendars(draw: st.DrawFn) -> CalendarSpec:
    weekly = {d: draw(day_intervals()) for d in range(7)}
    assume(any(weekly.values()))
    dates = st.dates(min_value=date(2023, 6, 1), max_value=date(2028, 6, 1))
    holidays = draw(st.frozensets(dates, max_size=25))
    workdays = draw(st.frozensets(dates, max_size=10)) - holidays
    return CalendarSpec(
        tz=draw(st.sampled_from(ZONES)),
        weekly=weekly,
        holidays=holidays,
        workdays=workdays,
        workday_pattern=draw(st.integers(0, 6)),
    )


# Python compares two datetimes sharing a tzinfo by wall clock, so nonexistent times (02:00 on a spring-forward
# night equals 02:30 in real time) would confuse plain comparisons: the properties compare in UTC.
moments = st.datetimes(min_value=LOW, max_value=HIGH, timezones=st.sampled_from(ZONES)).map(
    lambda moment: moment.astimezone(UTC)
)
amounts = st.one_of(st.integers(0, 3 * 86_400), st.integers(0, 30 * 86_400))


def add_utc(start: datetime, seconds: float, cal: CalendarSpec) -> datetime:
    return add_working_time(start, seconds, cal).astimezone(UTC)


PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(calendars(), moments, amounts)
def test_add_then_between_is_identity(cal: CalendarSpec, start: datetime, seconds: int) -> None:
    end = add_working_time(start, seconds, cal).astimezone(UTC)
    assert end >= start
    assert working_seconds_between(start, end, cal) == seconds
    assert working_seconds_between(end, start, cal) == -seconds
    # Earliest moment: a microsecond earlier is not enough.
    if seconds > 0:
        assert working_time_between(start, end - timedelta(microseconds=1), cal) < timedelta(seconds=seconds)


@PROPS
@given(calendars(), moments, amounts)
def test_subtract_then_between_is_identity(cal: CalendarSpec, start: datetime, seconds: int) -> None:
    begin = add_working_time(start, -seconds, cal).astimezone(UTC)
    assert begin <= start
    assert working_seconds_between(begin, start, cal) == seconds
    if seconds > 0:
        assert working_time_between(begin + timedelta(microseconds=1), start, cal) < timedelta(seconds=seconds)


@PROPS
@given(calendars(), moments, moments)
def test_between_then_add_reaches_no_further(cal: CalendarSpec, a: datetime, b: datetime) -> None:
    a, b = min(a, b), max(a, b)
    seconds = working_time_between(a, b, cal)
    reached = add_working_time(a, seconds.total_seconds(), cal).astimezone(UTC)
    assert reached <= b
    assert working_time_between(reached, b, cal) == timedelta(0)
    assert seconds <= b - a


@PROPS
@given(calendars(), moments, amounts, amounts)
def test_add_is_additive(cal: CalendarSpec, start: datetime, x: int, y: int) -> None:
    assert add_utc(add_utc(start, x, cal), y, cal) == add_utc(start, x + y, cal)
    assert add_utc(add_utc(start, -x, cal), -y, cal) == add_utc(start, -x - y, cal)


@PROPS
@given(calendars(), moments, moments, amounts, amounts)
def test_add_is_monotonic(cal: CalendarSpec, s1: datetime, s2: datetime, x: int, y: int) -> None:
    s1, s2 = min(s1, s2), max(s1, s2)
    x, y = min(x, y), max(x, y)
    assert add_utc(s1, x, cal) <= add_utc(s2, x, cal)
    assert add_utc(s1, x, cal) <= add_utc(s1, y, cal)
    assert add_utc(s1, -x, cal) <= add_utc(s2, -x, cal)
    assert add_utc(s1, -y, cal) <= add_utc(s1, -x, cal)


@PROPS
@given(calendars(), moments, moments, moments)
def test_between_is_additive_monotonic_and_bounded(cal: CalendarSpec, a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    ab, bc, ac = (working_time_between(x, y, cal) for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == ac
    assert timedelta(0) <= ab <= ac and bc <= ac
    assert ac <= c - a


@PROPS
@given(calendars(), moments)
def test_working_moments_are_consistent(cal: CalendarSpec, moment: datetime) -> None:
    tick = timedelta(microseconds=1)
    working = is_working_time(moment, cal)
    assert working == (working_time_between(moment, moment + tick, cal) == tick)
    following = next_working_moment(moment, cal).astimezone(UTC)
    assert following >= moment
    assert (following == moment) == working
    assert is_working_time(following, cal)
    assert working_time_between(moment, following, cal) == timedelta(0)


@settings(max_examples=60, deadline=None)
@given(calendars(), st.integers(0, 14 * 24 * 4), st.integers(0, 5 * 24 * 4))
def test_between_matches_a_quarter_hour_count_in_fixed_zones(cal: CalendarSpec, offset: int, length: int) -> None:
    """Independent oracle: walk quarter hours and look each one up in the calendar's rules."""
    tz = ZoneInfo("Asia/Shanghai")
    spec = CalendarSpec(
        tz=tz, weekly=cal.weekly, holidays=cal.holidays, workdays=cal.workdays, workday_pattern=cal.workday_pattern
    )
    start = datetime(2025, 9, 20, tzinfo=tz) + timedelta(minutes=15 * offset)
    quarters = 0
    for k in range(length):
        moment = start + timedelta(minutes=15 * k)
        day = moment.date()
        if day in spec.holidays:
            continue
        pattern = spec.weekly[spec.workday_pattern if day in spec.workdays else day.weekday()]
        clock = moment.time()
        if any(s <= clock and (e == time(0) or clock < e) for s, e in pattern):
            quarters += 1
    end = start + timedelta(minutes=15 * length)
    assert working_seconds_between(start, end, spec) == quarters * 900
