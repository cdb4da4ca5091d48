"""What every API router shares: the error shape, the error responses, pagination, object lookup."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Schema
from ninja.pagination import LimitOffsetPagination

from kam.core.permissions import VIEW, get_for


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
