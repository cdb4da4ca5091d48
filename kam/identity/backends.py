"""Authentication with lockout after repeated failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from kam.identity.models import User


class LockoutModelBackend(ModelBackend):
    """Django's model backend, refusing a locked user and counting failures.

    After ``KAM_LOCKOUT_THRESHOLD`` consecutive failures the user is locked for ``KAM_LOCKOUT_SECONDS``;
    a success resets the count. A locked user is refused even with the right password.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check, so timing does not reveal names
            return None
        now = timezone.now()
        if user.is_locked(now):
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            return user
        failures = user.failed_logins + 1
        if failures >= settings.KAM_LOCKOUT_THRESHOLD:
            User.objects.filter(pk=user.pk).update(
                failed_logins=0, locked_until=now + timedelta(seconds=settings.KAM_LOCKOUT_SECONDS)
            )
        else:
            User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        return None
