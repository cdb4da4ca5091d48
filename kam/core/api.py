"""What every API router shares: the error shape, the error responses, pagination, object lookup."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import ninja.signature.details
import ninja.signature.utils
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Schema
from ninja.pagination import LimitOffsetPagination

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


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


# Every route documents these, so that clients (and schemathesis) know the error shape.
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def responses(status: int, schema: Any) -> dict[int, Any]:
    """``response=responses(200, CustomerOut)``: the success schema plus the documented errors."""
    return {status: schema, **ERRORS}


class Page(LimitOffsetPagination):
    """``?limit=&offset=``; the response carries ``items`` and the total ``count``."""


def fetch(request: HttpRequest, queryset: QuerySet[Any], action: str = VIEW, **lookup: Any) -> Model:
    """The object the caller may see (404 otherwise) and act on (403 otherwise)."""
    return get_for(queryset, request.user, action, **lookup)
