from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from kam.core.api import Page, fetch, responses
from kam.core.permissions import CHANGE
from kam.identity import services
from kam.identity.models import ApiToken, OrgUnit, User
from kam.identity.schemas import LanguageIn, MeOut, OrgUnitOut, TokenIn, TokenIssued, TokenOut, UserOut

router = Router(tags=["identity"])


@router.get("/me", response=responses(200, MeOut))
def me(request: HttpRequest) -> Any:
    return request.user


@router.put("/me/language", response=responses(200, MeOut))
def set_my_language(request: HttpRequest, payload: LanguageIn) -> Any:
    return services.set_language(user=request.user, language=payload.language)  # type: ignore[arg-type]


@router.get("/tokens", response=responses(200, list[TokenOut]))
def list_tokens(request: HttpRequest) -> Any:
    return ApiToken.objects.visible_to(request.user)


@router.post("/tokens", response=responses(201, TokenIssued))
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    token, raw = services.issue_token(user=request.user, name=payload.name, expires_at=payload.expires_at)  # type: ignore[arg-type]
    return 201, {**TokenOut.from_orm(token).dict(), "token": raw}


@router.delete("/tokens/{token_id}", response=responses(200, TokenOut))
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    token = fetch(request, ApiToken.objects.all(), CHANGE, pk=token_id)
    return services.revoke_token(token=token)  # type: ignore[arg-type]


@router.get("/org-units", response=responses(200, list[OrgUnitOut]))
@paginate(Page)
def list_org_units(request: HttpRequest) -> Any:
    return OrgUnit.objects.visible_to(request.user)


@router.get("/users", response=responses(200, list[UserOut]))
@paginate(Page)
def list_users(request: HttpRequest, role: str | None = None, q: str | None = None) -> Any:
    qs = User.objects.visible_to(request.user)
    if role:
        qs = qs.filter(role=role)
    if q:
        qs = qs.filter(username__icontains=q) | qs.filter(display_name__icontains=q)
    return qs
