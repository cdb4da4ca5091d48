"""统一社会信用代码 (GB 32100-2015) and the embedded 组织机构代码 (GB 11714).

A code has 18 characters from ``ALPHABET``; the last is a check character computed from the first 17
with weights 3^(i-1) mod 31. Some early pilot codes are real but fail the check: callers warn and accept
them only with an explicit override reason (never silently, never a hard reject).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
LENGTH = 18

ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_STRIP = re.compile(r"[\s\-\u2010-\u2015\u3000]+")


def normalise(raw: str | None) -> str:
    """Strip spaces (also full-width) and hyphens, upper-case."""
    return _STRIP.sub("", raw or "").upper()


def check_char(body: str) -> str:
    """The check character of the first 17 characters."""
    if len(body) != LENGTH - 1 or any(ch not in VALUES for ch in body):
        raise ValueError(f"not a 17-character code body: {body!r}")
    total = sum(VALUES[ch] * w for ch, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check(body: str) -> str:
    """The check character of an 8-character 组织机构代码 body (digits, A=10 … Z=35)."""
    if len(body) != 8:
        raise ValueError(f"not an 8-character organisation code body: {body!r}")
    total = 0
    for ch, w in zip(body, ORG_WEIGHTS, strict=True):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        else:
            raise ValueError(f"not an organisation code character: {ch!r}")
        total += value * w
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


@dataclass(frozen=True)
class UsccCheck:
    code: str  # normalised
    well_formed: bool  # 18 characters of the alphabet
    check_digit_ok: bool
    org_code_ok: bool | None  # the embedded organisation code's own check (information only); None if unknown
    problem: str = ""  # "" | "length" | "alphabet" | "check_digit"

    @property
    def valid(self) -> bool:
        return self.well_formed and self.check_digit_ok

    @property
    def region_code(self) -> str:
        return self.code[2:8] if self.well_formed else ""

    @property
    def org_code(self) -> str:
        return self.code[8:17] if self.well_formed else ""


def check(raw: str | None) -> UsccCheck:
    code = normalise(raw)
    if len(code) != LENGTH:
        return UsccCheck(code, False, False, None, "length")
    # the body must use the alphabet; a last character outside it is just a wrong check character
    if any(ch not in VALUES for ch in code[:17]) or not code[17].isascii() or not code[17].isalnum():
        return UsccCheck(code, False, False, None, "alphabet")
    ok = check_char(code[:17]) == code[17]
    org: bool | None
    try:
        org = org_code_check(code[8:16]) == code[16]
    except ValueError:
        org = None
    return UsccCheck(code, True, ok, org, "" if ok else "check_digit")


def is_valid(raw: str | None) -> bool:
    return check(raw).valid


def make(body17: str) -> str:
    """A full code from a 17-character body (used by the demo generator and tests)."""
    return body17 + check_char(body17)
