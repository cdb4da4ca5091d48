from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kam.core.audit import audit_context, new_request_id
from kam.core.models.audit import AuditSource

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Every request carries an id (``X-Request-ID`` when the caller sends a sane one), echoed back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else new_request_id()  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


class AuditContextMiddleware:
    """Changes made while serving a request are recorded as the signed-in user, with the request id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        source = AuditSource.API if request.path.startswith("/api/") else AuditSource.UI
        with audit_context(actor=actor, source=source, request_id=getattr(request, "request_id", "")):
            return self.get_response(request)


class DomainErrorMiddleware:
    """A domain error escaping a UI view becomes the matching page: 404, 403, or 409/422 with its message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.core.exceptions import PermissionDenied
        from django.http import Http404
        from django.shortcuts import render

        from kam.core.errors import DomainError

        if not isinstance(exception, DomainError):
            return None
        if exception.status == 404:
            raise Http404(exception.message)
        if exception.status == 403:
            raise PermissionDenied(exception.message)
        return render(request, "core/error.html", {"error": exception}, status=exception.status)
