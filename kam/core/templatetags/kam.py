"""Template helpers shared by every app: ``{% load kam %}``."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kam.core.views_generic import resolve

register = template.Library()

GRADE_COLOURS = {
    "A1": "red",
    "A2": "orange",
    "B1": "blue",
    "B2": "azure",
    "C": "teal",
    "D": "secondary",
    "gold": "yellow",
    "silver": "secondary",
    "bronze": "orange",
    "standard": "secondary",
}
SEVERITY_COLOURS = {
    "critical": "red",
    "major": "orange",
    "minor": "yellow",
    "warning": "azure",
    "info": "blue",
    "indeterminate": "secondary",
    "cleared": "green",
    "normal": "green",
}
STATUS_COLOURS = {
    "active": "green",
    "prospect": "blue",
    "at_risk": "orange",
    "churned": "secondary",
    "open": "blue",
    "closed": "secondary",
    "done": "green",
    "pending": "yellow",
    "approved": "green",
    "rejected": "red",
    "watch": "orange",
    "blacklisted": "red",
    "yes": "green",
    "no": "secondary",
}


@register.filter
def attr(obj: Any, path: str) -> Any:
    """``{{ obj|attr:"region.name" }}``: a dotted path, calling callables, using choice labels."""
    return resolve(obj, str(path))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag(takes_context=True)
def query_update(context: template.Context, **changes: Any) -> str:
    """The current query string with ``changes`` applied (``None`` or ``""`` removes a key), with ``?``.

    ``{% query_update sort="-name" page=None %}``.
    """
    request = context.get("request")
    params: QueryDict = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        elif isinstance(value, list | tuple):
            params.setlist(key, [str(v) for v in value])
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _badge(text: Any, colour: str, extra: str = "") -> SafeString:
    return format_html('<span class="badge bg-{}-lt {}">{}</span>', colour, extra, text)


@register.filter
def grade_badge(value: Any, label: Any = None) -> SafeString | str:
    """A coloured badge for a value grade (A1 … D) or service level (gold, silver, …)."""
    if value in (None, ""):
        return "—"
    return _badge(label or value, GRADE_COLOURS.get(str(value), "secondary"), "kam-grade")


@register.filter
def severity_badge(value: Any, label: Any = None) -> SafeString | str:
    if value in (None, ""):
        return "—"
    return _badge(label or value, SEVERITY_COLOURS.get(str(value).lower(), "secondary"))


@register.filter
def status_badge(value: Any, label: Any = None) -> SafeString | str:
    if value in (None, ""):
        return "—"
    return _badge(label or value, STATUS_COLOURS.get(str(value).lower(), "secondary"))


@register.simple_tag
def badge(value: Any, kind: str = "status", label: Any = None) -> SafeString | str:
    """``{% badge obj.value_grade "grade" obj.get_value_grade_display %}``; kinds: grade, severity, status."""
    return {"grade": grade_badge, "severity": severity_badge}.get(kind, status_badge)(value, label)


@register.filter
def duration(seconds: Any) -> str:
    """Seconds as a short human duration: ``3 d 4 h``, ``2 h 5 min``, ``45 s``."""
    try:
        total = round(float(seconds))
    except (TypeError, ValueError):
        return "—"
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts: list[str] = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    if not parts:
        parts.append(ngettext("%(n)d second", "%(n)d seconds", secs) % {"n": secs})
    return sign + " ".join(parts[:2])


@register.filter
def initials(user: Any) -> str:
    name = str(user or "").strip()
    if not name:
        return "?"
    if any("\u4e00" <= ch <= "\u9fff" for ch in name):
        return name[-2:] if len(name) > 2 else name  # Chinese given name
    words = name.replace(".", " ").replace("_", " ").split()
    return "".join(w[0] for w in words[:2]).upper() or name[:2].upper()


@register.filter
def audit_value(value: Any) -> str:
    if value is None or value == "":
        return "∅"
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


@register.filter
def audit_changes(changes: Any, labels: Any = None) -> list[tuple[str, Any, Any]]:
    """``[(label, before, after), …]`` from an audit entry's ``changes`` (``{"field": [before, after]}``)."""
    rows = []
    labels = labels or {}
    for key, pair in (changes or {}).items():
        before, after = ([*pair, None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append((labels.get(key) or key, before, after))
    return rows


# --- forms ----------------------------------------------------------------------------------------------


def widget_kind(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "choices"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "select"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


@register.filter
def field_kind(bound_field: forms.BoundField) -> str:
    return widget_kind(bound_field.field.widget)


@register.filter
def styled(bound_field: forms.BoundField) -> SafeString:
    """Render a form field's widget with Tabler classes, HTML5 date inputs and the invalid state."""
    widget = bound_field.field.widget
    kind = widget_kind(widget)
    css = {"checkbox": "form-check-input", "select": "form-select", "choices": "form-check-input"}.get(
        kind, "form-control"
    )
    if isinstance(widget, forms.DateTimeInput) and not isinstance(widget, forms.HiddenInput):
        widget.input_type = "datetime-local"
        widget.format = "%Y-%m-%dT%H:%M"
    elif isinstance(widget, forms.DateInput):
        widget.input_type = "date"
        widget.format = "%Y-%m-%d"
    elif isinstance(widget, forms.TimeInput):
        widget.input_type = "time"
        widget.format = "%H:%M"
    attrs: dict[str, Any] = {"class": " ".join(filter(None, [widget.attrs.get("class", ""), css]))}
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
    if bound_field.help_text:
        attrs["aria-describedby"] = f"{bound_field.auto_id}_help"
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def object_fields(obj: Any, exclude: str = "") -> list[tuple[str, Any]]:
    """``{% object_fields object "path,depth" as fields %}``: (label, display value) of the editable fields."""
    from django.utils.text import capfirst

    skip = {name.strip() for name in exclude.split(",") if name.strip()}
    hidden = set(getattr(obj, "audit_exclude", ()))
    rows = []
    for field in obj._meta.concrete_fields:
        if field.primary_key or not field.editable or field.name in skip or field.name in hidden:
            continue
        rows.append((capfirst(str(field.verbose_name)), resolve(obj, field.name)))
    return rows


@register.simple_tag(takes_context=True)
def render_panel(context: template.Context, panel: Any, extra: dict[str, Any] | None = None) -> SafeString:
    """Render a registry ``Panel``'s template with its own context on top of the page's:
    ``{% render_panel panel panel_context %}``."""
    tmpl = context.template.engine.get_template(panel.template)  # type: ignore[union-attr]
    with context.push(panel=panel, **(extra or {})):
        return tmpl.render(context)


@register.filter
def display(value: Any) -> Any:
    """A cell value as shown in tables: local ``Y-m-d H:i`` times, ``Y-m-d`` dates, grouped money."""
    from datetime import date, datetime
    from decimal import Decimal

    from django.utils import timezone
    from django.utils.formats import number_format

    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, Decimal):
        return number_format(value, decimal_pos=2, force_grouping=True)
    return value
