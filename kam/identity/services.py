from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.errors import Conflict, ValidationFailed
from kam.identity.choices import Role
from kam.identity.models import ApiToken, OrgUnit, User, hash_token


@transaction.atomic
def create_user(
    *,
    username: str,
    role: str,
    password: str | None = None,
    org_unit: OrgUnit | None = None,
    customer: Any = None,
    display_name: str = "",
    email: str = "",
    check_password: bool = True,
) -> User:
    """Create a login. Raises ``ValidationFailed`` with field errors and creates nothing on bad input."""
    fields: dict[str, list[str]] = {}
    if role not in Role.values:
        fields["role"] = [_("Unknown role %(role)s; choose one of %(roles)s.") % {
            "role": role, "roles": ", ".join(Role.values)}]
    if User.objects.filter(username=username).exists():
        raise Conflict(_("A user named %(name)s already exists.") % {"name": username}, code="user_exists")
    user = User(
        username=username, role=role, org_unit=org_unit, customer=customer, display_name=display_name, email=email
    )
    if password:
        if check_password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                fields["password"] = list(exc.messages)
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            fields.setdefault(name, []).extend(messages)
    if fields:
        raise ValidationFailed(next(iter(fields.values()))[0], fields=fields)
    user.save()
    return user


@transaction.atomic
def issue_token(*, user: User, name: str, expires_at: Any = None) -> tuple[ApiToken, str]:
    """A new API token for ``user``; the raw token is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("A token needs a name."), fields={"name": [_("This field is required.")]})
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:12], key_hash=hash_token(raw),
                                    expires_at=expires_at)
    return token, raw


@transaction.atomic
def revoke_token(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is not None:
        raise Conflict(_("This token is already revoked."), code="token_revoked")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    from kam.identity.auth import forget_token

    forget_token(token.key_hash)
    return token


@transaction.atomic
def set_language(*, user: User, language: str) -> User:
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(_("Unknown language."), fields={"language": [_("Unknown language.")]})
    user.language = language
    user.save(update_fields=["language"])
    return user
