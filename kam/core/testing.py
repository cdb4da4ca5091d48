"""Test support shared by every app: the permission matrix and API clients.

Each app's tests call :func:`assert_matrix` for every view and endpoint: anonymous is sent to log in
(UI) or gets 401 (API); an unrelated user gets 404 (or 403) and a denied write changes nothing; the
allowed user gets the expected status.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.test import Client

from kam.identity.services import issue_token


def api_client(user: Any) -> Client:
    """A client that authenticates with a freshly issued bearer token of ``user``."""
    _token, raw = issue_token(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def ui_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def call(client: Client, method: str, url: str, data: Any = None, api: bool = False) -> Any:
    method = method.lower()
    if method == "get":
        return client.get(url, data or {})
    if api:
        return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json")
    return getattr(client, method)(url, data or {})


def assert_matrix(
    *,
    url: str,
    allowed: Iterable[Any],
    denied: Iterable[Any],
    method: str = "get",
    data: Any = None,
    api: bool = False,
    allowed_status: Iterable[int] = (200,),
    denied_status: Iterable[int] = (403, 404),
    state: Callable[[], Any] | None = None,
) -> None:
    """Check one view or endpoint for anonymous, denied and allowed users.

    ``state`` returns a snapshot of whatever the call could change; for denied callers it must be the same
    after the call. Allowed users are checked last, so a write by them does not hide a denied write.
    """
    before = state() if state else None
    anon = call(Client(), method, url, data, api)
    if api:
        assert anon.status_code == 401, f"anonymous {method} {url}: {anon.status_code}"
        assert anon.json()["code"] == "unauthenticated"
    else:
        assert anon.status_code in (302, 403), f"anonymous {method} {url}: {anon.status_code}"
        if anon.status_code == 302:
            assert "/login/" in anon["Location"]
    if state:
        assert state() == before, f"anonymous {method} {url} changed state"
    for user in denied:
        client = api_client(user) if api else ui_client(user)
        response = call(client, method, url, data, api)
        assert response.status_code in tuple(denied_status), (
            f"{user} ({user.role}) {method} {url}: {response.status_code}, expected one of {tuple(denied_status)}"
        )
        if api:
            assert set(response.json()) >= {"code", "message"}
        if state:
            assert state() == before, f"denied {user} {method} {url} changed state"
    for user in allowed:
        client = api_client(user) if api else ui_client(user)
        response = call(client, method, url, data, api)
        assert response.status_code in tuple(allowed_status), (
            f"{user} ({user.role}) {method} {url}: {response.status_code} {response.content[:300]!r}"
        )
