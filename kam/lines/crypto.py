"""Field encryption for secrets kept in the database (SNMP communities and keys).

The key comes from ``KAM_FIELD_KEY`` (a Fernet key, or any string from which one is derived) or, by default,
from ``SECRET_KEY`` through HKDF-SHA256. Values are Fernet tokens; reading one that cannot be decrypted
(a rotated key) gives an empty string rather than an error page.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

_PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(material: str) -> Fernet:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"kam-field-encryption", info=b"kam.lines.secret")
    return Fernet(base64.urlsafe_b64encode(hkdf.derive(material.encode())))


def fernet() -> Fernet:
    return _fernet(os.environ.get("KAM_FIELD_KEY") or settings.SECRET_KEY)


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(value: str | None) -> str:
    if not value:
        return ""
    if not value.startswith(_PREFIX):
        return value
    try:
        return fernet().decrypt(value[len(_PREFIX) :].encode()).decode()
    except InvalidToken:
        return ""


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token; Python code sees the plain text."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        return decrypt(value)

    def to_python(self, value: Any) -> str:
        if value is None:
            return ""
        return decrypt(str(value))

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value or "")
