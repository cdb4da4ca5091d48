"""Domain errors with stable codes, shared by services, views and the API.

A service raises one of these; the API turns it into ``{"code", "message", "fields"}`` with the status
below, and UI views show the message (and field errors on the form).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.encoding import force_str


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: Any = "",
        *,
        code: str | None = None,
        fields: Mapping[str, Sequence[Any]] | None = None,
    ) -> None:
        super().__init__(force_str(message))
        self.message = force_str(message)
        if code:
            self.code = code
        self.fields: dict[str, list[str]] = {k: [force_str(v) for v in vs] for k, vs in (fields or {}).items()}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class ValidationFailed(DomainError):
    status = 422
    code = "invalid"

    @classmethod
    def from_django(cls, exc: DjangoValidationError, message: Any = "") -> ValidationFailed:
        fields: dict[str, list[str]] = {}
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                key = "__all__" if name == "__all__" else name
                fields[key] = [force_str(m) for e in errors for m in e.messages]
        else:
            fields["__all__"] = [force_str(m) for m in exc.messages]
        first = next((msgs[0] for msgs in fields.values() if msgs), "")
        return cls(message or first, fields=fields)


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"
