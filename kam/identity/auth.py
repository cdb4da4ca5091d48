from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from kam.core import audit
from kam.identity.models import ApiToken, hash_token


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer kam_…``: a hashed, revocable token; its last use is stamped."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token or len(token) > 200:
            return None
        api_token = ApiToken.objects.active().select_related("user", "user__org_unit").filter(
            key_hash=hash_token(token)
        ).first()
        if api_token is None or not api_token.user.is_active:
            return None
        api_token.touch()
        request.user = api_token.user
        audit.set_actor(api_token.user)
        return api_token.user
