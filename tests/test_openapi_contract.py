"""The API keeps its published contract for any input: property-based runs of every operation.

Schemathesis generates valid and invalid requests for every operation in the OpenAPI schema and sends
them in process to the WSGI application, once as an administrator and once as an account manager. Each
response must not be a server error, must use a documented status code and content type, and must match
the documented schema (the error shape included).

The default run fuzzes every operation with a small, fixed number of examples so that it stays a unit
test. ``KAM_CONTRACT_DEEP=1`` adds schemathesis' coverage phase (boundary values, every enum member,
missing and malformed parameters) and more examples: run it after changing API code.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kam.config.api import api
from kam.config.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
DEEP = os.environ.get("KAM_CONTRACT_DEEP", "") not in ("", "0")
MAX_EXAMPLES = 60 if DEEP else 12

#: Operations that reach out to a caller-given network address (an SNMP walk of any host): fuzzing them
#: would probe the network and wait for timeouts. Their own tests run them against simulated agents.
NETWORK_PROBES = [("POST", "/api/v1/devices/discover")]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
for _method, _path in NETWORK_PROBES:
    schema = schema.exclude(method=_method, path=_path)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=MAX_EXAMPLES,
    deterministic=True,
)
schema.config.phases.coverage.enabled = DEEP

CONTRACT_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """Requests go to the real WSGI application, whose request signals would close the database
    connection that holds the test's transaction (PostgreSQL); Django's test client detaches them too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _bearer(user: Any) -> dict[str, str]:
    from kam.identity.services import issue_token

    _token, raw = issue_token(user=user, name="contract")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def admin_headers(users: dict[str, Any]) -> dict[str, str]:
    return _bearer(users["admin"])


@pytest.fixture
def am_headers(users: dict[str, Any]) -> dict[str, str]:
    return _bearer(users["am"])


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@CONTRACT_SETTINGS
def test_contract_as_admin(case: Any, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(app=application, headers=admin_headers, checks=CHECKS)


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@CONTRACT_SETTINGS
def test_contract_as_account_manager(case: Any, am_headers: dict[str, str]) -> None:
    case.call_and_validate(app=application, headers=am_headers, checks=CHECKS)


# --- the inputs the property-based runs found, as plain regression tests -----------------------------------


@pytest.mark.django_db
def test_nul_in_a_query_string_is_a_422(client: Any, admin_headers: dict[str, str]) -> None:
    response = client.get("/api/v1/customers", {"q": "a\x00b"}, headers=admin_headers)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["q"]


@pytest.mark.django_db
def test_nul_in_a_json_body_is_a_422(client: Any, admin_headers: dict[str, str]) -> None:
    from kam.identity.models import ApiToken

    before = ApiToken.objects.count()
    response = client.post(
        "/api/v1/tokens", {"name": "a\x00b"}, content_type="application/json", headers=admin_headers
    )
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["name"]
    assert ApiToken.objects.count() == before


@pytest.mark.django_db
def test_an_id_beyond_64_bits_is_not_a_server_error(client: Any, admin_headers: dict[str, str]) -> None:
    response = client.get(f"/api/v1/customers/{2**70}", headers=admin_headers)
    assert response.status_code in (404, 422)
    assert response.json()["code"] in ("not_found", "invalid")


@pytest.mark.django_db
def test_an_offset_beyond_64_bits_is_a_422(client: Any, admin_headers: dict[str, str]) -> None:
    response = client.get("/api/v1/regions", {"offset": str(2**64)}, headers=admin_headers)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["offset"]


@pytest.mark.django_db
def test_a_large_offset_within_range_is_an_empty_page(client: Any, admin_headers: dict[str, str]) -> None:
    response = client.get("/api/v1/regions", {"offset": str(2**63 - 1)}, headers=admin_headers)
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_a_database_refusing_nul_is_a_422_and_other_data_errors_are_not_hidden(rf: Any) -> None:
    from django.db import DataError

    from kam.config.api import data_error

    response = data_error(rf.get("/api/v1/x"), DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"))
    assert response.status_code == 422
    assert json.loads(response.content)["code"] == "invalid"
    response = data_error(rf.get("/api/v1/x"), DataError('time zone displacement out of range: "6596-09-30"'))
    assert response.status_code == 422
    with pytest.raises(DataError):
        data_error(rf.get("/api/v1/x"), DataError("division by zero"))
