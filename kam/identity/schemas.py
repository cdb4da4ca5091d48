from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    role: str
    org_unit_id: int | None
    customer_id: int | None
    language: str


class LanguageIn(Schema):
    language: str = Field(max_length=10)


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenIssued(TokenOut):
    token: str


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    level: int
    parent_id: int | None
    region_id: str


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    org_unit_id: int | None
    is_active: bool
