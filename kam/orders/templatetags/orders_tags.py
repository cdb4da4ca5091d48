"""Template helpers of the orders pages: jeopardy badges and working-hour figures."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kam.orders.choices import Jeopardy

register = template.Library()

COLOURS = {Jeopardy.ON_TRACK: "green", Jeopardy.AT_RISK: "yellow", Jeopardy.LATE: "red"}


@register.filter
def jeopardy_badge(value: Any) -> SafeString | str:
    if value in (None, ""):
        return "—"
    try:
        label = Jeopardy(value).label
    except ValueError:
        return str(value)
    return format_html(
        '<span class="badge bg-{}-lt kam-jeopardy" data-jeopardy="{}">{}</span>', COLOURS[value], value, label
    )


@register.filter
def hours(seconds: Any) -> str:
    """Working seconds as hours with at most two decimals: ``27000`` → ``7.5``."""
    if seconds in (None, ""):
        return "—"
    value = round(float(seconds) / 3600, 2)
    return f"{value:g}"


@register.filter
def percent_of(used: Any, budget: Any) -> int:
    try:
        return max(0, min(100, round(100 * float(used) / float(budget)))) if budget else 0
    except (TypeError, ValueError):
        return 0


@register.filter
def url_of(obj: Any) -> str:
    """``obj.get_absolute_url()``, or "" when the object has no page (yet)."""
    get = getattr(obj, "get_absolute_url", None)
    if get is None:
        return ""
    try:
        return str(get())
    except Exception:
        return ""
