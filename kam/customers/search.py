"""Customer search: by name, short name, USCC, site phone, full pinyin and pinyin initials.

``Customer.search_text`` holds ``name short_name pinyin initials uscc`` in lower case, maintained by
``Customer.save`` (and computed in Python by bulk writers). It is indexed by a pg_trgm GIN index on
PostgreSQL and by an FTS5 trigram table kept in sync by triggers on SQLite (migration 0004). Queries of
one or two characters cannot use trigrams and fall back to a prefix match on the indexed name columns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

_NAME_NOISE = ("有限责任公司", "股份有限公司", "有限公司", "(集团)", "股份", "公司")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
FTS_TABLE = "customers_customer_fts"


def name_key(name: str) -> str:
    """The normalised name used to detect duplicates.

    Full-width → half-width, lower case, legal-form words (有限公司, 股份, (集团) …), spaces and punctuation
    removed: ``"华为技术有限公司"``, ``"华为 技术（集团）股份有限公司"`` → ``"华为技术"``.
    """
    text = unicodedata.normalize("NFKC", name or "").lower()
    for word in _NAME_NOISE:
        text = text.replace(word, "")
    return _PUNCT.sub("", text)[:200]


@lru_cache(maxsize=65536)
def _pinyin(text: str) -> tuple[str, str]:
    from pypinyin import Style, lazy_pinyin

    syllables = [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="default") if s.strip()]
    full = "".join(_PUNCT.sub("", s) for s in syllables)
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    initials = "".join(_PUNCT.sub("", s.lower()) for s in letters)
    return full, initials


def pinyin_of(text: str) -> tuple[str, str]:
    """``("huaweijishu", "hwjs")`` for ``"华为技术"``."""
    return _pinyin(text or "")


def customer_search_text(name: str, short_name: str = "", uscc: str = "", phones: Iterable[str] = ()) -> str:
    parts = [name, short_name]
    for text in dict.fromkeys(t for t in (name, short_name) if t):
        parts.extend(pinyin_of(text))
    parts.append(uscc)
    parts.extend(phone_forms(phones))
    return join_search_text(parts)


def phone_forms(phones: Iterable[str]) -> list[str]:
    """Each phone as written and as digits only, so both ``0755-2677`` and ``26770000`` find it."""
    out: list[str] = []
    for phone in phones:
        phone = (phone or "").strip()
        digits = re.sub(r"\D", "", phone)
        out.extend(dict.fromkeys(p for p in (phone.replace(" ", ""), digits) if p))
    return out


def join_search_text(parts: Iterable[str]) -> str:
    return " ".join(p.lower() for p in parts if p)[:1000]


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _escape_fts(query: str) -> str:
    return '"' + query.replace('"', '""') + '"'


def search_filter(query: str) -> Q:
    """A ``Q`` on ``Customer`` matching ``query`` (already stripped, non-empty).

    Three characters or more: a trigram match on ``search_text`` (names, pinyin, initials, code, site
    phones). One or two characters: a prefix of the name or short name (a prefix of the code when ASCII).
    """
    raw = query.strip()
    q = raw.lower()
    compact = _PUNCT.sub("", q)
    if len(q) < 3:
        if _is_postgres():  # byte-wise ranges need the C collation there; LIKE 'x%' is right everywhere
            if raw.isascii():
                return Q(uscc__startswith=raw.upper())
            return Q(name__startswith=raw) | Q(short_name__startswith=raw)
        if raw.isascii():
            return Q(uscc__gte=raw.upper(), uscc__lt=raw.upper() + "~")
        return Q(name__gte=raw, name__lt=raw + "\uffff") | Q(short_name__gte=raw, short_name__lt=raw + "\uffff")
    if _is_postgres():
        cond = Q(search_text__contains=q)
        if compact and compact != q:
            cond |= Q(search_text__contains=compact)
        return cond
    term = _escape_fts(q)
    if compact and compact != q and len(compact) >= 3:
        term = f"{term} OR {_escape_fts(compact)}"
    return Q(id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (term,)))


def search_customers(user: Any, query: str, limit: int = 20) -> list[Any]:
    from kam.customers.models import Customer

    query = (query or "").strip()
    if not query:
        return []
    qs = Customer.objects.visible_to(user).filter(search_filter(query)).select_related("region")
    return list(qs.order_by("depth", "name")[:limit])


def search_hits(user: Any, query: str, limit: int) -> Iterable[Any]:
    from django.urls import reverse

    from kam.core.registry import SearchHit

    for customer in search_customers(user, query, limit):
        yield SearchHit(
            title=customer.name,
            url=reverse("customers:detail", args=[customer.pk]),
            kind=customer._meta.verbose_name,
            subtitle=" · ".join(x for x in (customer.short_name, customer.region.name, customer.uscc) if x),
        )
