"""Template helpers of the engagement pages: ``{% load engagement %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch

register = template.Library()


@register.filter
def url_of(obj: Any) -> str:
    """The object's page, or ``""`` when it has none (yet): links degrade to plain text."""
    get_url = getattr(obj, "get_absolute_url", None)
    if get_url is None:
        return ""
    try:
        return str(get_url())
    except NoReverseMatch:
        return ""
