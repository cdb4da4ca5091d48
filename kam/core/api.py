"""What every API router shares: the error shape, the error responses, pagination, object lookup."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import ninja.signature.details
import ninja.signature.utils
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser

from kam.core.permissions import VIEW, get_for


def _typed_signature(call: Callable[..., Any]) -> inspect.Signature:
    """ninja's signature reader, resolving string annotations in the module of the *wrapped* view.

    ninja evaluates a view's annotations in ``view.__globals__``; a view under ``@paginate`` is ninja's
    wrapper, so with ``from __future__ import annotations`` a parameter typed ``date`` (or any name not
    in ``ninja.pagination``) stayed unresolved and the route failed with "QueryParams is not fully
    defined" (django-ninja issues 1424 and 1717). Installed before any router is built.
    """
    signature = inspect.signature(call)
    globalns = getattr(inspect.unwrap(call), "__globals__", {})
    return inspect.Signature(
        [
            param.replace(annotation=ninja.signature.utils.get_typed_annotation(param, globalns))
            for param in signature.parameters.values()
        ]
    )


ninja.signature.details.get_typed_signature = _typed_signature  # type: ignore[attr-defined]


_M = TypeVar("_M", bound=Model)


class KamParser(Parser):
    """ninja's parser, refusing NUL characters (PostgreSQL cannot store them in text) with a 422."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        bad = sorted(_nul_paths(data, ()))
        if bad:
            raise ValidationError([{"loc": ("body", "payload", *path), "msg": _nul_message()} for path in bad])
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        bad = sorted({key for key, values in data.lists() if "\x00" in key or any(_has_nul(v) for v in values)})
        if bad:
            raise ValidationError([{"loc": ("query", key.replace("\x00", "")), "msg": _nul_message()} for key in bad])
        return super().parse_querydict(data, list_fields, request)


def _nul_message() -> str:
    return _("NUL characters are not allowed.")


def _has_nul(value: Any) -> bool:
    return isinstance(value, str) and "\x00" in value


def _nul_paths(value: Any, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            name = str(key).replace("\x00", "")
            found.extend([(*path, name)] if "\x00" in str(key) else _nul_paths(item, (*path, name)))
        return found
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _nul_paths(item, (*path, str(index)))]
    return []


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


# Every route documents these, so that clients (and schemathesis) know the error shape.
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def responses(status: int, schema: Any) -> dict[int, Any]:
    """``response=responses(200, CustomerOut)``: the success schema plus the documented errors."""
    return {status: schema, **ERRORS}


#: The largest offset a database accepts (SQLite and PostgreSQL take a signed 64-bit OFFSET).
MAX_OFFSET = 2**63 - 1


class Page(LimitOffsetPagination):
    """``?limit=&offset=``; the response carries ``items`` and the total ``count``."""

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


def fetch(request: HttpRequest, queryset: QuerySet[_M], action: str = VIEW, **lookup: Any) -> _M:
    """The object the caller may see (404 otherwise) and act on (403 otherwise)."""
    return get_for(queryset, request.user, action, **lookup)
