from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kam.core.models import AuditEntry
from kam.core.testing import api_client, assert_matrix
from kam.identity.models import ApiToken
from kam.identity.services import issue_token, revoke_token


@pytest.mark.django_db
def test_bearer_token_authenticates_and_is_stamped(users: dict[str, Any]) -> None:
    token, raw = issue_token(user=users["am"], name="ci")
    assert token.key_hash != raw and raw.startswith("kam_")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "am"
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_revoked_and_wrong_tokens_get_401(users: dict[str, Any]) -> None:
    token, raw = issue_token(user=users["am"], name="ci")
    revoke_token(token=token)
    for header in (f"Bearer {raw}", "Bearer kam_nonsense", "Basic abc"):
        response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/me")
        assert response.status_code == 401
        assert response.json() == {"code": "unauthenticated", "message": response.json()["message"], "fields": {}}


@pytest.mark.django_db
def test_customer_detail_matrix(users: dict[str, Any], customers: dict[str, Any]) -> None:
    url = f"/api/v1/customers/{customers['hq'].pk}"
    assert_matrix(
        url=url,
        api=True,
        allowed=[users["admin"], users["am"], users["director"], users["noc"], users["customer"]],
        denied=[users["am_other"], users["director_hn"], users["customer_other"]],
        denied_status=(404,),
    )


@pytest.mark.django_db
def test_token_revoke_by_other_user_changes_nothing(users: dict[str, Any]) -> None:
    token, _raw = issue_token(user=users["am"], name="mine")
    response = api_client(users["am_other"]).delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    response = api_client(users["am"]).delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    entry = AuditEntry.objects.filter(model="apitoken", object_pk=str(token.pk), action="update").first()
    assert entry is not None and entry.actor_id == users["am"].pk and entry.source == "api"
    assert "revoked_at" in entry.changes


@pytest.mark.django_db
def test_revocation_takes_effect_at_once_despite_the_token_cache(users: dict[str, Any]) -> None:
    token, raw = issue_token(user=users["am"], name="cached")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me").status_code == 200  # served from the cache
    revoke_token(token=token)
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_cached_token_user_is_a_copy_per_request(users: dict[str, Any], settings: Any) -> None:
    from kam.identity.auth import _lookup

    _token, raw = issue_token(user=users["am"], name="copy")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get("/api/v1/me")
    from kam.identity.models import hash_token

    cached = _lookup(hash_token(raw))
    assert cached is not None
    cached[1].__dict__["_kam_marker"] = True
    response = client.get("/api/v1/me")
    assert response.status_code == 200 and response.wsgi_request.user is not cached[1]
