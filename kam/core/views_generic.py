"""Generic list, detail and form pages shared by every app.

``ModelListView`` serves one URL for the full page and, for HTMX requests, the table partial; it sorts by
whitelisted columns only, filters, searches, paginates, remembers the user's column choice per view and
exports what the user may see as CSV or XLSX. ``ModelDetailView`` shows tabs plus a History tab from the
audit log. ``ModelFormView`` creates or edits one object, turning domain errors into form errors (422).

Every queryset goes through ``visible_to`` / ``get_for``: nothing is fetched by bare primary key.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partialmethod
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kam.core.errors import DomainError, Forbidden, NotFound
from kam.core.permissions import CHANGE, VIEW, can, get_for, is_admin_user
from kam.core.tables import XLSX_MIME, write_csv, xlsx_bytes

EXPORT_FORMATS = ("csv", "xlsx")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


# --- declarations ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A table column.

    ``attr`` is a dotted path on the object (``region.name``, ``get_role_display``) or the name of a
    method on the view taking the object. ``sort`` is the ``order_by`` key: ``None`` derives it from a
    field path (dots become ``__``), ``""`` makes the column unsortable.
    """

    attr: str
    label: Any
    sort: str | None = None
    link: bool = False
    default: bool = True
    format: Callable[[Any], Any] | None = None
    template: str | None = None

    @property
    def key(self) -> str:
        return self.attr


@dataclass(frozen=True)
class Filter:
    """A query-string filter: a select when ``choices`` is given, a yes/no select when ``boolean``, else text."""

    name: str
    label: Any
    lookup: str | None = None
    choices: Sequence[tuple[Any, Any]] | Callable[[HttpRequest], Sequence[tuple[Any, Any]]] | None = None
    boolean: bool = False

    def options(self, request: HttpRequest) -> list[tuple[str, str]]:
        if self.boolean:
            return [("1", _("Yes")), ("0", _("No"))]
        if self.choices is None:
            return []
        choices = self.choices(request) if callable(self.choices) else self.choices
        return [(force_str(k), force_str(v)) for k, v in choices]


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Cell:
    column: Column
    value: Any
    url: str = ""

    @property
    def is_bool(self) -> bool:
        return isinstance(self.value, bool)

    @property
    def is_empty(self) -> bool:
        return self.value is None or self.value == ""

    @property
    def html(self) -> str:
        """The cell as ``core/list.html`` shows it when the column has no template (one call, not a dozen
        template lookups per cell)."""
        from django.utils.formats import localize
        from django.utils.html import conditional_escape, format_html
        from django.utils.safestring import mark_safe
        from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

        from kam.core.templatetags.kam import display

        if self.is_bool:
            if self.value:
                return format_html('<i class="ti ti-check text-success" title="{}"></i>', _("Yes"))
            return format_html('<i class="ti ti-minus text-secondary" title="{}"></i>', _("No"))
        if self.is_empty:
            return mark_safe("—")
        value = localize(template_localtime(display(self.value)))
        text = conditional_escape(value if isinstance(value, str) else str(value))
        if self.url:
            return format_html('<a href="{}" class="fw-medium">{}</a>', self.url, text)
        return text


@dataclass(frozen=True)
class Row:
    obj: Any
    cells: list[Cell]

    @property
    def html(self) -> str:
        """The row's cells as ``core/list.html`` shows them, built in one go; ``""`` when a column has its own
        template (the list template renders such rows cell by cell)."""
        from django.utils.html import format_html_join

        if any(cell.column.template for cell in self.cells):
            return ""
        return format_html_join(
            "", "<td{}>{}</td>", ((' class="kam-empty"' if c.is_empty else "", c.html) for c in self.cells)
        )


@dataclass(frozen=True)
class BoundFilter:
    filter: Filter
    value: str
    options: list[tuple[str, str]]

    @property
    def name(self) -> str:
        return self.filter.name

    @property
    def label(self) -> Any:
        return self.filter.label

    @property
    def is_select(self) -> bool:
        return bool(self.options) or self.filter.boolean or self.filter.choices is not None


@dataclass(frozen=True)
class BoundColumn:
    column: Column
    sort_key: str | None
    visible: bool
    sorted: str  # "", "asc" or "desc"

    @property
    def key(self) -> str:
        return self.column.key

    @property
    def label(self) -> Any:
        return self.column.label

    @property
    def sortable(self) -> bool:
        return bool(self.sort_key)

    @property
    def next_sort(self) -> str:
        return f"-{self.key}" if self.sorted == "asc" else self.key


# --- helpers --------------------------------------------------------------------------------------------


def field_path(model: type[models.Model], attr: str) -> list[Any] | None:
    """The model fields along a dotted path, or ``None`` when the path is not made of fields."""
    fields = []
    current: Any = model
    for part in attr.split("."):
        if current is None:
            return None
        try:
            field = current._meta.get_field(part)
        except (FieldDoesNotExist, AttributeError):
            return None
        fields.append(field)
        current = field.related_model if field.is_relation else None
    return fields


def resolve(obj: Any, attr: str, labels: dict[Any, Any] | None = None) -> Any:
    """``obj.a.b.c``, calling callables on the way and using choice labels for fields with choices.

    ``labels`` remembers choice labels between calls (one list page shows the same few labels many times).
    """
    value = obj
    for part in attr.split("."):
        if value is None:
            return None
        if isinstance(value, models.Model):
            name = part
            if labels is not None and part.startswith("get_") and part.endswith("_display"):
                generated = labels.get((type(value), part))
                if generated is None:  # Django's own get_FOO_display, not one a model wrote itself
                    generated = isinstance(inspect.getattr_static(type(value), part, None), partialmethod)
                    labels[(type(value), part)] = generated
                if generated:
                    name = part[4:-8]
            try:
                field = value._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            if field is not None and getattr(field, "choices", None) and not field.is_relation:
                if labels is None:
                    value = getattr(value, f"get_{field.name}_display")()
                    continue
                raw = getattr(value, field.attname)  # type: ignore[union-attr]
                try:
                    key = (field, raw)
                    if key not in labels:
                        labels[key] = getattr(value, f"get_{field.name}_display")()
                    value = labels[key]
                except TypeError:  # an unhashable value
                    value = getattr(value, f"get_{field.name}_display")()
                continue
        if isinstance(value, dict):
            value = value.get(part)
            continue
        value = getattr(value, part, None)
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    return value


def _absolute_url(obj: Any) -> str:
    get_url = getattr(obj, "get_absolute_url", None)
    if get_url is None:
        return ""
    try:
        return str(get_url())
    except Exception:  # a half-configured URL must not break a whole list
        return ""


def _export_value(value: Any) -> Any:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, models.Model):
        return force_str(value)
    if value is not None and not isinstance(value, int | float | str | date | datetime):
        from decimal import Decimal

        if isinstance(value, Decimal):
            return value
        return force_str(value)
    return value


class CappedPaginator(Paginator):
    """A paginator that counts at most ``cap + 1`` rows: a list page need not count 100,000 rows to say
    "10,000+". ``cap=None`` counts everything."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int | None = None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        if self.cap is None or not isinstance(self.object_list, QuerySet):
            return int(super().count)
        return int(self.object_list.order_by()[: self.cap + 1].count())

    @property
    def capped(self) -> bool:
        return self.cap is not None and self.count > self.cap

    @property
    def count_display(self) -> int | str:
        return f"{self.cap:,}+" if self.capped else self.count


def is_htmx_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not getattr(htmx, "boosted", False) and not getattr(htmx, "history_restore_request", False)


# --- list -----------------------------------------------------------------------------------------------


class ModelListView(LoginRequiredMixin, View):
    model: ClassVar[type[models.Model]]
    columns: ClassVar[Sequence[Column]] = ()
    filters: ClassVar[Sequence[Filter]] = ()
    search_fields: ClassVar[Sequence[str]] = ()
    default_sort: ClassVar[str | Sequence[str]] = "pk"
    paginate_by: ClassVar[int] = 50
    count_cap: ClassVar[int | None] = None  # count at most this many rows ("10,000+"); None: count them all
    export_name: ClassVar[str | None] = None
    title: ClassVar[Any] = None
    create_url_name: ClassVar[str | None] = None
    template_name: ClassVar[str] = "core/list.html"
    active_filters: dict[str, str]

    # -- queryset --

    def get_queryset(self) -> QuerySet[Any]:
        manager: Any = self.model.objects  # type: ignore[attr-defined]
        return manager.visible_to(self.request.user)

    def search(self, qs: QuerySet[Any], q: str) -> QuerySet[Any]:
        if not self.search_fields:
            return qs
        cond = Q()
        for name in self.search_fields:
            cond |= Q(**{f"{name}__icontains": q})
        return qs.filter(cond)

    def apply_filters(self, qs: QuerySet[Any]) -> tuple[QuerySet[Any], dict[str, str]]:
        """Apply the query-string filters; a value the field cannot take yields no rows, not an error."""
        active: dict[str, str] = {}
        for flt in self.filters:
            raw = self.request.GET.get(flt.name, "").strip()
            if not raw:
                continue
            lookup = flt.lookup or flt.name
            value: Any = raw
            if flt.boolean:
                if raw.lower() in _TRUE:
                    value = True
                elif raw.lower() in _FALSE:
                    value = False
                else:
                    continue
            elif flt.choices is not None:
                allowed = {k for k, _label in flt.options(self.request)}
                if raw not in allowed:
                    continue
            active[flt.name] = raw
            try:
                qs = qs.filter(**{lookup: value})
            except (ValueError, TypeError, ValidationError):
                qs = qs.none()
        return qs, active

    def sort_key(self, column: Column) -> str | None:
        if column.sort is not None:
            return column.sort or None
        if callable(getattr(self, column.attr, None)):
            return None
        fields = field_path(self.model, column.attr)
        if fields is None:
            return None
        if fields[-1].is_relation and fields[-1].many_to_many:
            return None
        return column.attr.replace(".", "__")

    def current_sort(self) -> tuple[Column | None, bool]:
        raw = self.request.GET.get("sort", "").strip()
        desc = raw.startswith("-")
        name = raw.lstrip("-")
        if not name:
            return None, False
        for column in self.columns:
            key = self.sort_key(column)
            if key and name in (column.key, key):
                return column, desc
        return None, False

    def apply_sort(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        column, desc = self.current_sort()
        if column is not None:
            key = self.sort_key(column) or "pk"
            order = key[1:] if key.startswith("-") else key
            if desc != key.startswith("-"):
                order = f"-{order}"
            return qs.order_by(order, "-pk" if desc else "pk")
        default = [self.default_sort] if isinstance(self.default_sort, str) else list(self.default_sort)
        if "pk" not in default and "-pk" not in default:
            default.append("pk")
        return qs.order_by(*default)

    def get_filtered_queryset(self) -> QuerySet[Any]:
        qs = self.get_queryset()
        qs, self.active_filters = self.apply_filters(qs)
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = self.search(qs, q)
        return self.apply_sort(qs)

    # -- columns --

    @property
    def session_key(self) -> str:
        return f"kam:cols:{type(self).__module__}.{type(self).__qualname__}"

    def chosen_columns(self) -> list[Column]:
        by_key = {c.key: c for c in self.columns}
        session = self.request.session
        if "cols" in self.request.GET:
            keys = [k.strip() for raw in self.request.GET.getlist("cols") for k in raw.split(",") if k.strip()]
            keys = [k for k in dict.fromkeys(keys) if k in by_key]
            if keys:
                session[self.session_key] = keys
            else:
                session.pop(self.session_key, None)
        keys = [k for k in session.get(self.session_key, []) if k in by_key]
        if keys:
            return [c for c in self.columns if c.key in keys]
        return [c for c in self.columns if c.default]

    def cell_value(self, column: Column, obj: Any, labels: dict[Any, Any] | None = None) -> Any:
        method = getattr(self, column.attr, None) if "." not in column.attr else None
        value = method(obj) if callable(method) else resolve(obj, column.attr, labels)
        if column.format is not None:
            value = column.format(value)
        return value

    def object_url(self, obj: Any) -> str:
        """Where ``link`` columns point: ``obj.get_absolute_url()`` unless a view says otherwise."""
        return _absolute_url(obj)

    def make_rows(self, objects: Iterable[Any], columns: Sequence[Column]) -> list[Row]:
        rows = []
        labels: dict[Any, Any] = {}
        for obj in objects:
            url = ""
            cells = []
            for column in columns:
                if column.link and not url:
                    url = self.object_url(obj)
                cells.append(Cell(column, self.cell_value(column, obj, labels), url if column.link else ""))
            rows.append(Row(obj, cells))
        return rows

    # -- export --

    def export_filename(self, fmt: str) -> str:
        return f"{self.export_name}-{timezone.localdate():%Y%m%d}.{fmt}"

    def export_rows(self, qs: QuerySet[Any], columns: Sequence[Column]) -> Iterable[list[Any]]:
        for obj in qs.iterator(chunk_size=2000):
            yield [_export_value(self.cell_value(c, obj)) for c in columns]

    def export(self, fmt: str, qs: QuerySet[Any], columns: Sequence[Column]) -> HttpResponse:
        headers = [force_str(c.label) for c in columns]
        filename = self.export_filename(fmt)
        if fmt == "xlsx":
            data = xlsx_bytes(headers, self.export_rows(qs, columns), title=str(self.export_name))
            response = HttpResponse(data, content_type=XLSX_MIME)
        else:
            buffer = io.StringIO()
            buffer.write("\ufeff")  # so that Excel opens UTF-8 with Chinese text correctly
            write_csv(buffer, headers, self.export_rows(qs, columns))
            response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    # -- page --

    def get_title(self) -> Any:
        if self.title:
            return self.title
        return capfirst(self.model._meta.verbose_name_plural)

    def get_create_url(self) -> str | None:
        return reverse(self.create_url_name) if self.create_url_name else None

    def get_extra_context(self) -> dict[str, Any]:
        return {}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.active_filters = {}
        qs = self.get_filtered_queryset()
        columns = self.chosen_columns()
        fmt = request.GET.get("export", "")
        if fmt in EXPORT_FORMATS and self.export_name:
            return self.export(fmt, qs, columns)
        paginator = CappedPaginator(qs, self.paginate_by, cap=self.count_cap)
        page: Page = paginator.get_page(request.GET.get("page"))
        sort_column, desc = self.current_sort()
        chosen = {c.key for c in columns}
        bound_columns = [
            BoundColumn(
                column=c,
                sort_key=self.sort_key(c),
                visible=c.key in chosen,
                sorted=("desc" if desc else "asc") if sort_column is not None and c.key == sort_column.key else "",
            )
            for c in self.columns
        ]
        context = {
            "view": self,
            "title": self.get_title(),
            "model_meta": self.model._meta,
            "columns": [bc for bc in bound_columns if bc.visible],
            "all_columns": bound_columns,
            "rows": self.make_rows(page.object_list, columns),
            "page": page,
            "paginator": paginator,
            "elided_pages": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            "filters": [BoundFilter(f, request.GET.get(f.name, "").strip(), f.options(request)) for f in self.filters],
            "active_filters": self.active_filters,
            "searchable": bool(self.search_fields) or type(self).search is not ModelListView.search,
            "q": request.GET.get("q", "").strip(),
            "sort": request.GET.get("sort", ""),
            "export_formats": EXPORT_FORMATS if self.export_name else (),
            "create_url": self.get_create_url(),
        }
        context.update(self.get_extra_context())
        template = f"{self.template_name}#table" if is_htmx_partial(request) else self.template_name
        return render(request, template, context)


# --- detail ---------------------------------------------------------------------------------------------

HISTORY_TAB = Tab("history", gettext_lazy("History"), "core/_history.html")


class ModelDetailView(LoginRequiredMixin, View):
    model: ClassVar[type[models.Model]]
    tabs: ClassVar[Sequence[Tab]] = ()
    title_attr: ClassVar[str] = "__str__"
    template_name: ClassVar[str] = "core/detail.html"
    edit_url_name: ClassVar[str | None] = None  # reversed with pk=obj.pk; shown when the user may change
    history: ClassVar[bool] = True
    history_limit: ClassVar[int] = 200

    def get_object(self) -> Any:
        try:
            return get_for(self.model.objects.all(), self.request.user, VIEW, pk=self.kwargs["pk"])  # type: ignore[attr-defined]
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except (ValueError, ValidationError) as exc:
            raise Http404 from exc

    def get_tabs(self, obj: Any) -> list[Tab]:
        tabs = list(self.tabs)
        if self.show_history(obj):
            tabs.append(HISTORY_TAB)
        return tabs

    def show_history(self, obj: Any) -> bool:
        return self.history and getattr(self.request.user, "role", None) != "customer"

    def get_title(self, obj: Any) -> Any:
        if self.title_attr == "__str__":
            return str(obj)
        return resolve(obj, self.title_attr)

    def get_edit_url(self, obj: Any) -> str | None:
        if self.edit_url_name and can(self.request.user, CHANGE, obj):
            return reverse(self.edit_url_name, kwargs={"pk": obj.pk})
        return None

    def get_actions(self, obj: Any) -> list[dict[str, Any]]:
        """Extra header buttons: dicts with ``label``, ``url`` and optionally ``icon``, ``style``, ``post``."""
        return []

    def get_extra_context(self, obj: Any) -> dict[str, Any]:
        return {}

    def history_context(self, obj: Any) -> dict[str, Any]:
        from kam.core.models import AuditEntry

        entries = list(AuditEntry.objects.for_object(obj).select_related("actor")[: self.history_limit])
        describe_changes(entries, self.request.user)
        return {"entries": entries, "field_labels": field_labels(type(obj))}

    def tab_context(self, tab: Tab, obj: Any) -> dict[str, Any]:
        if tab.key == HISTORY_TAB.key and tab.template == HISTORY_TAB.template:
            return self.history_context(obj)
        return tab.context(self.request, obj) if tab.context else {}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        tabs = self.get_tabs(obj)
        key = request.GET.get("tab", "")
        tab = next((t for t in tabs if t.key == key), tabs[0] if tabs else None)
        context: dict[str, Any] = {
            "view": self,
            "object": obj,
            "title": self.get_title(obj),
            "model_meta": self.model._meta,
            "tabs": tabs,
            "tab": tab,
            "edit_url": self.get_edit_url(obj),
            "actions": self.get_actions(obj),
        }
        if tab is not None:
            context.update(self.tab_context(tab, obj))
        context.update(self.get_extra_context(obj))
        template = f"{self.template_name}#tab" if is_htmx_partial(request) else self.template_name
        return render(request, template, context)


def _audit_display(field: Any, value: Any, names: dict[str, str]) -> str:
    from django.utils.dateparse import parse_date, parse_datetime

    if value == "***":
        return "***"
    if value is None or value == "":
        return "∅"
    if field is not None:
        if field.is_relation:
            return names.get(str(value), f"#{value}")
        if field.choices:
            return force_str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is not None:
                if timezone.is_aware(parsed):
                    parsed = timezone.localtime(parsed)
                return parsed.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(field, models.DateField) and isinstance(value, str):
            parsed_date = parse_date(value)
            if parsed_date is not None:
                return parsed_date.strftime("%Y-%m-%d")
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return force_str(value)


def describe_changes(entries: Sequence[Any], user: Any = None) -> None:
    """Give each audit entry ``rows``: ``[(label, before, after), …]`` ready to show.

    Field names become verbose names, choice values their labels, related ids the related object's name
    (only for objects ``user`` may see; otherwise ``#id``), times local. A creation lists only the fields
    that were set.
    """
    from collections import defaultdict

    from django.apps import apps

    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for entry in entries:
        groups[(entry.app_label, entry.model)].append(entry)
    for (app_label, model_name), group in groups.items():
        try:
            model: Any = apps.get_model(app_label, model_name)
        except LookupError:
            model = None
        fields: dict[str, Any] = {}
        if model is not None:
            for f in model._meta.concrete_fields:
                fields[f.attname] = f
                fields[f.name] = f
        wanted: dict[str, set[Any]] = defaultdict(set)
        for entry in group:
            for key, pair in (entry.changes or {}).items():
                field = fields.get(key)
                if field is not None and field.is_relation and isinstance(pair, list):
                    wanted[key].update(v for v in pair[:2] if v not in (None, "", "***"))
        names: dict[str, dict[str, str]] = {}
        for key, values in wanted.items():
            qs: Any = fields[key].related_model._default_manager.all()
            if user is not None and hasattr(qs, "visible_to"):
                qs = qs.visible_to(user)
            try:
                names[key] = {str(o.pk): str(o) for o in qs.filter(pk__in=list(values))}
            except (ValueError, TypeError, ValidationError):
                names[key] = {}
        for entry in group:
            rows = []
            for key, pair in (entry.changes or {}).items():
                before, after = ([*pair, None, None][:2]) if isinstance(pair, list) else (None, pair)
                field = fields.get(key)
                if field is not None and field.primary_key:
                    continue
                if entry.action == "create" and after in (None, ""):
                    continue
                label = capfirst(force_str(field.verbose_name)) if field is not None else key
                shown = names.get(key, {})
                rows.append((label, _audit_display(field, before, shown), _audit_display(field, after, shown)))
            entry.rows = rows


def field_labels(model: type[models.Model]) -> dict[str, str]:
    """Audit keys (field attnames) → capitalised verbose names."""
    labels = {}
    for field in model._meta.concrete_fields:
        labels[field.attname] = capfirst(force_str(field.verbose_name))
        labels[field.name] = labels[field.attname]
    return labels


# --- form -----------------------------------------------------------------------------------------------


class ModelFormView(LoginRequiredMixin, View):
    model: ClassVar[type[models.Model]]
    form_class: ClassVar[type[forms.BaseForm]]
    template_name: ClassVar[str] = "core/form.html"
    success_url: ClassVar[str | None] = None
    title: ClassVar[Any] = None
    success_message: ClassVar[Any] = gettext_lazy("Saved.")

    object: Any = None

    @property
    def is_create(self) -> bool:
        return "pk" not in self.kwargs

    def can_create(self, user: Any) -> bool:
        return is_admin_user(user)

    def get_object(self) -> Any:
        try:
            return get_for(self.model.objects.all(), self.request.user, CHANGE, pk=self.kwargs["pk"])  # type: ignore[attr-defined]
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except (ValueError, ValidationError) as exc:
            raise Http404 from exc

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"initial": self.get_initial()}
        if issubclass(self.form_class, forms.BaseModelForm):
            kwargs["instance"] = self.object
        if self.request.method == "POST":
            kwargs["data"] = self.request.POST
            kwargs["files"] = self.request.FILES
        return kwargs

    def get_form(self) -> forms.BaseForm:
        return self.form_class(**self.get_form_kwargs())

    def save(self, form: forms.BaseForm) -> Any:
        return form.save()  # type: ignore[attr-defined]

    def get_title(self) -> Any:
        if self.title:
            return self.title
        name = self.model._meta.verbose_name
        if self.is_create:
            return _("New %(name)s") % {"name": name}
        return _("Edit %(name)s") % {"name": name}

    def get_success_url(self, obj: Any) -> str:
        if self.success_url:
            return str(self.success_url)
        return _absolute_url(obj) or "/"

    def get_cancel_url(self) -> str:
        if self.object is not None:
            return _absolute_url(self.object)
        return ""

    def get_success_message(self, obj: Any) -> str:
        return force_str(self.success_message)

    def get_extra_context(self) -> dict[str, Any]:
        return {}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.is_create:
            if not self.can_create(request.user):
                raise PermissionDenied(_("You are not allowed to do this."))
            self.object = None
        else:
            self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form: forms.BaseForm, status: int = 200) -> HttpResponse:
        context = {
            "view": self,
            "form": form,
            "object": self.object,
            "title": self.get_title(),
            "model_meta": self.model._meta,
            "cancel_url": self.get_cancel_url(),
            "is_create": self.is_create,
        }
        context.update(self.get_extra_context())
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(self.get_form())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        if not form.is_valid():
            return self.render_form(form, status=422)
        try:
            with transaction.atomic():
                obj = self.save(form)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from exc
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            add_domain_error(form, exc)
            return self.render_form(form, status=422)
        messages.success(request, self.get_success_message(obj))
        return HttpResponseRedirect(self.get_success_url(obj))


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Put a domain error's field messages on the form's fields, the rest as non-field errors."""
    placed = False
    for name, msgs in exc.fields.items():
        target = name if name in form.fields else None
        for msg in msgs:
            text = msg if target or name == "__all__" else f"{name}: {msg}"
            form.add_error(target, text)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
