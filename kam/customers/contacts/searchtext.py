"""The lower-case search text of a contact: name, full pinyin, pinyin initials, phones and e-mail."""

from __future__ import annotations

import re
from functools import lru_cache

_NON_DIGIT = re.compile(r"\D+")


@lru_cache(maxsize=65536)
def pinyin_forms(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of ``text``: ``张三丰`` → (``zhangsanfeng``, ``zsf``)."""
    from pypinyin import Style, lazy_pinyin

    syllables = [s for s in lazy_pinyin(text, errors="ignore") if s.strip()]
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore") if s).lower()
    return full, initials


def build_search_text(name: str, *phones: str, email: str = "") -> str:
    name = (name or "").strip()
    parts = [name.lower()]
    if name:
        full, initials = pinyin_forms(name)
        parts += [full, initials]
    for phone in phones:
        digits = _NON_DIGIT.sub("", phone or "")
        if digits:
            parts.append(digits)
    if email:
        parts.append(email.strip().lower())
    return " ".join(p for p in dict.fromkeys(parts) if p)[:500]


def normalise_query(q: str) -> str:
    """What to look for in ``search_text``: lower-case; a phone number without separators; pinyin without spaces."""
    q = (q or "").strip().lower()
    compact = re.sub(r"[\s+\-()]", "", q)
    if compact.isdigit():
        return compact
    return q.replace(" ", "") if q.isascii() else q
