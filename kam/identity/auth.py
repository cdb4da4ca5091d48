from __future__ import annotations

import copy
import threading
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from kam.core import audit
from kam.identity.models import ApiToken, hash_token

# key hash -> (valid until (monotonic), token, user). A token is looked up in the database at most once per
# KAM_TOKEN_CACHE_SECONDS per process; revocation through this process takes effect at once, through
# another within that time.
_cache: dict[str, tuple[float, ApiToken, Any]] = {}
_lock = threading.Lock()


def forget_token(key_hash: str) -> None:
    with _lock:
        _cache.pop(key_hash, None)


def _lookup(key_hash: str) -> tuple[ApiToken, Any] | None:
    ttl = getattr(settings, "KAM_TOKEN_CACHE_SECONDS", 5)
    now = time.monotonic()
    hit = _cache.get(key_hash)
    if hit is not None and hit[0] > now:
        return hit[1], hit[2]
    found = list(
        ApiToken.objects.active().select_related("user", "user__org_unit").filter(key_hash=key_hash).order_by()[:1]
    )
    if not found or not found[0].user.is_active:
        forget_token(key_hash)
        return None
    token = found[0]
    if ttl > 0:
        with _lock:
            if len(_cache) > 10_000:
                _cache.clear()
            _cache[key_hash] = (now + ttl, token, token.user)
    return token, token.user


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer kam_…``: a hashed, revocable token; its last use is stamped."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token or len(token) > 200:
            return None
        found = _lookup(hash_token(token))
        if found is None:
            return None
        api_token, cached_user = found
        if api_token.expires_at is not None and not api_token.is_active:
            forget_token(api_token.key_hash)
            return None
        api_token.touch()
        user = copy.copy(cached_user)  # per-request memo attributes must not leak between requests
        request.user = user
        audit.set_actor(user)
        return user
