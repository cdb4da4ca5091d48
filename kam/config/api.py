"""The NinjaAPI: authentication, the error shape, and every app's router."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from kam.core.api import KamParser
from kam.core.errors import DomainError, ValidationFailed
from kam.identity.auth import BearerTokenAuth

api = NinjaAPI(
    title="KAM API",
    version="1",
    description="Key-account management: customers, lines, alarms, tickets, SLA. "
    "Authenticate with `Authorization: Bearer <token>` (issue one with `kam token issue NAME`) "
    "or the browser session.",
    auth=[BearerTokenAuth(), SessionAuth()],
    parser=KamParser(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def _error(request: HttpRequest, status: int, code: str, message: str, fields: Any = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "fields": fields or {}}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload", "form")]
        # ninja nests the body under the parameter name; keep the field path after it
        key = ".".join(loc[1:] if len(loc) > 1 and err.get("loc", ("",))[0] == "body" else loc) or "__all__"
        fields.setdefault(key, []).append(force_str(err.get("msg", "")))
    return _error(request, 422, "invalid", _("The request is not valid."), fields)


@api.exception_handler(DjangoValidationError)
def django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return domain_error(request, ValidationFailed.from_django(exc))


@api.exception_handler(DataError)
def data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # the parser refuses NUL in queries and bodies; this catches it anywhere else (a path, a header)
    if "NUL" in str(exc):
        return _error(request, 422, "invalid", _("NUL characters are not allowed."))
    # a value the column type cannot hold (PostgreSQL: integer, numeric, date or time zone out of range)
    if "out of range" in str(exc) or "overflow" in str(exc):
        return _error(request, 422, "invalid", _("A value in the request is out of range."))
    raise exc


@api.exception_handler(OverflowError)
def overflow_error(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # a number beyond what the database stores (SQLite: 64-bit integers) cannot match anything
    return _error(request, 422, "invalid", _("A number in the request is out of range."))


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("Authentication required."))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", _("You are not allowed to do this."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, NinjaValidationError):
        # ninja reports any parser error as "cannot parse the body"; ours name the field (NUL characters)
        return validation_error(request, exc.__cause__)
    code = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict"}
    return _error(request, exc.status_code, code.get(exc.status_code, "error"), force_str(exc.message))


def _register_routers() -> None:
    from kam.core.api_notifications import router as notifications_router
    from kam.core.api_routes import router as core_router
    from kam.customers import api as customers_api
    from kam.customers.api import router as customers_router
    from kam.customers.contacts.api import router as contacts_router
    from kam.engagement import api as engagement_api
    from kam.identity.api import router as identity_router
    from kam.lines import api as lines_api
    from kam.orders import api as orders_api

    api.add_router("/", core_router)
    api.add_router("/", notifications_router)
    api.add_router("/", identity_router)
    api.add_router("/customers", customers_router)
    api.add_router("/sites", customers_api.sites_router)
    api.add_router("/tier-policies", customers_api.tiers_router)
    api.add_router("/grade-change-requests", customers_api.grades_router)
    api.add_router("/visits", engagement_api.visits_router)
    api.add_router("/account-plans", engagement_api.plans_router)
    api.add_router("/competitors", engagement_api.competitors_router)
    api.add_router("/competitor-presences", engagement_api.presences_router)
    api.add_router("/feedback", engagement_api.feedback_router)
    api.add_router("/contacts", contacts_router)
    api.add_router("/pops", lines_api.pops_router)
    api.add_router("/devices", lines_api.devices_router)
    api.add_router("/interfaces", lines_api.interfaces_router)
    api.add_router("/lines", lines_api.lines_router)
    api.add_router("/discovery-proposals", lines_api.proposals_router)
    api.add_router("/work-orders", orders_api.orders_router)
    api.add_router("/work-order-templates", orders_api.templates_router)
    api.add_router("/time-limit-policies", orders_api.policies_router)


_register_routers()
