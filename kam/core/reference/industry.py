"""GB/T 4754-2017 code helpers and the operator industry line (行业条线) of an industry code."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from kam.core.reference.loaders import read_json

# Division ranges of the 20 sections (GB/T 4754-2017).
SECTION_RANGES: dict[str, tuple[int, int]] = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}


def section_of(division: int | str) -> str:
    """The section letter of a division number (1-97), e.g. ``section_of("64") == "I"``."""
    number = int(division)
    for section, (low, high) in SECTION_RANGES.items():
        if low <= number <= high:
            return section
    raise ValueError(f"not a GB/T 4754-2017 division: {division!r}")


def parse_industry_code(code: str) -> tuple[str, str | None]:
    """Split an industry code into ``(section, division or None)``.

    Accepts a section letter (``"I"``), a division (``"64"``), a group or class (``"641"``, ``"6410"``,
    which resolve to their division) and the combined form (``"I64"``, ``"I6410"``); case and surrounding
    spaces are ignored. Raises ValueError for anything else, including a letter that contradicts the
    digits (``"J64"``).
    """
    text = str(code).strip().upper()
    letter = text[:1] if text[:1].isalpha() else ""
    digits = text[len(letter) :]
    if letter and letter not in SECTION_RANGES:
        raise ValueError(f"not a GB/T 4754-2017 section: {code!r}")
    if not digits:
        if not letter:
            raise ValueError("empty industry code")
        return letter, None
    if not digits.isdigit() or not 2 <= len(digits) <= 4:
        raise ValueError(f"not a GB/T 4754-2017 code: {code!r}")
    division = digits[:2]
    section = section_of(division)
    if letter and letter != section:
        raise ValueError(f"division {division} belongs to section {section}, not {letter}: {code!r}")
    return section, division


@lru_cache(maxsize=1)
def _line_mapping() -> tuple[dict[str, str], dict[str, str], str]:
    data: dict[str, Any] = read_json("industry_lines.json")
    return dict(data["sections"]), dict(data["divisions"]), str(data["default"])


def industry_line_for(code: str) -> str:
    """The operator industry line code (``"gov"``, ``"finance"``, …, ``"other"``) of an industry code.

    A division takes its own override if it has one, else its section's line; a section alone takes its
    section's line (I → ``internet``, Q → ``health``: their dominant divisions). Unmapped → ``other``.
    """
    section, division = parse_industry_code(code)
    sections, divisions, default = _line_mapping()
    if division is not None and division in divisions:
        return divisions[division]
    return sections.get(section, default)
