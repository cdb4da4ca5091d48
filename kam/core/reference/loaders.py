"""Readers for the offline reference data shipped in ``kam/core/reference/data`` (no Django needed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: int
    parent: str | None
    type: str


@dataclass(frozen=True)
class IndustryRow:
    code: str
    name_zh: str
    name_en: str
    level: Literal["section", "division"]
    section: str | None


@dataclass(frozen=True)
class IndustryLineRow:
    code: str
    name_zh: str
    name_en: str
    sort_order: int


@dataclass(frozen=True)
class HolidayRow:
    date: date
    kind: Literal["holiday", "workday"]
    name_zh: str
    name_en: str
    provisional: bool


def read_json(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@lru_cache(maxsize=1)
def load_regions() -> tuple[RegionRow, ...]:
    """GB/T 2260 regions sorted by code (parents before children)."""
    return tuple(
        RegionRow(code=r["code"], name=r["name"], level=r["level"], parent=r["parent"], type=r["type"])
        for r in read_json("regions.json")["regions"]
    )


@lru_cache(maxsize=1)
def load_industries() -> tuple[IndustryRow, ...]:
    """GB/T 4754-2017 sections and divisions, each section followed by its divisions."""
    return tuple(
        IndustryRow(
            code=r["code"], name_zh=r["name_zh"], name_en=r["name_en"], level=r["level"], section=r.get("section")
        )
        for r in read_json("industries.json")["industries"]
    )


@lru_cache(maxsize=1)
def load_industry_lines() -> tuple[IndustryLineRow, ...]:
    return tuple(
        IndustryLineRow(code=r["code"], name_zh=r["name_zh"], name_en=r["name_en"], sort_order=r["sort_order"])
        for r in read_json("industry_lines.json")["lines"]
    )


@lru_cache(maxsize=1)
def load_holidays() -> tuple[HolidayRow, ...]:
    """Mainland public holidays and make-up workdays, sorted by date."""
    return tuple(
        HolidayRow(
            date=date.fromisoformat(r["date"]),
            kind=r["kind"],
            name_zh=r["name_zh"],
            name_en=r["name_en"],
            provisional=bool(r.get("provisional", False)),
        )
        for r in read_json("holidays_cn.json")["days"]
    )
