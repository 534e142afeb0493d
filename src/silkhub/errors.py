"""The one error hierarchy of silkhub.

Every expected failure is a :class:`SilkhubError`. Each subclass carries an HTTP status, a
machine-readable ``code`` and a human message. The edges map it exactly once each:

* API: RFC 9457 problem+json (``silkhub.api.problems``),
* web: a translated error page,
* CLI: one line on stderr and exit code 1 (usage errors: 2).

Message keys: every error may carry a catalog ``key`` (``project.start_in_future``) and its
``params`` (``{"date": "2026-12-03"}``). Each interface renders the key in the user's language
with :func:`silkhub.i18n.error_text`; the English catalog entry is the default ``message`` when a
raise site gives only a key. Field errors (``ValidationError.errors``) carry ``key``/``params``
too, so a web form can attach a translated message to the field. Nobody parses ``message``.

This module imports nothing from silkhub at import time (the English default text of a key is
looked up lazily in :mod:`silkhub.i18n`, a leaf module).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class SilkhubError(Exception):
    """Base of every expected, user-facing error."""

    status: int = 400
    code: str = "silkhub-error"
    title: str = "Bad request"

    def __init__(
        self,
        message: str | None = None,
        *,
        key: str | None = None,
        params: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.key: str = key or f"error.{self.code}"
        self.params: dict[str, Any] = dict(params or {})
        if message is None:
            message = english(self.key, self.params) if key else self.title
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}

    def to_problem(self) -> dict[str, Any]:
        """Return an RFC 9457 problem document (without ``instance``).

        ``key`` and ``params`` let a client show the message in its own language.
        """
        body: dict[str, Any] = {
            "type": f"https://silkhub.dev/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.message,
            "code": self.code,
            "key": self.key,
            "params": {k: _jsonable(v) for k, v in self.params.items()},
        }
        body.update(self.details)
        return body


def english(key: str, params: dict[str, Any] | None = None) -> str:
    """The English catalog text of ``key`` with ``params`` filled in (the key if unknown)."""
    from silkhub import i18n  # leaf module; imported late so errors.py stays import-free

    return i18n.gettext(key, "en", **(params or {}))


def field_error(field: str | None, key: str, **params: Any) -> dict[str, Any]:
    """One entry of ``ValidationError.errors``: field, message key, params and English text."""
    return {
        "field": field,
        "key": key,
        "params": {k: _jsonable(v) for k, v in params.items()},
        "message": english(key, params),
    }


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return str(v)


class ValidationError(SilkhubError):
    """Input that is well-formed but not acceptable (bad value, bad date ...)."""

    status = 422
    code = "validation-error"
    title = "Invalid input"

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        errors: Sequence[dict[str, Any]] | None = None,
        key: str | None = None,
        params: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, key=key, params=params, details=dict(details or {}))
        if errors is None and field is not None:
            errors = [
                {
                    "field": field,
                    "key": self.key,
                    "params": {k: _jsonable(v) for k, v in self.params.items()},
                    "message": self.message,
                }
            ]
        if errors is not None:
            self.details["errors"] = list(errors)
        self.field = field


class NotFoundError(SilkhubError):
    """A named thing does not exist (or is not visible to the caller)."""

    status = 404
    code = "not-found"
    title = "Not found"


class UnknownChoiceError(ValidationError):
    """A value outside a closed list; the message lists the valid choices."""

    code = "unknown-choice"

    def __init__(self, what: str, value: str, choices: Sequence[str], *, field: str | None = None):
        shown = ", ".join(choices[:40]) + (" …" if len(choices) > 40 else "")
        super().__init__(
            f"unknown {what} {value!r}; valid choices: {shown}",
            field=field or what,
            details={"valid_choices": list(choices)},
        )
        self.value = value
        self.choices = list(choices)


class UnknownCountryError(NotFoundError):
    """An ISO3 code or country name that silkhub does not know."""

    code = "unknown-country"

    def __init__(self, value: str, suggestions: Sequence[str] = ()) -> None:
        msg = f"unknown country {value!r}"
        if suggestions:
            msg += f"; did you mean: {', '.join(suggestions)}?"
        else:
            msg += "; use an ISO 3166 alpha-3 code such as CHN, DEU or KAZ"
        super().__init__(msg, details={"suggestions": list(suggestions)})


class ConflictError(SilkhubError):
    """The request conflicts with the current state (duplicate id, illegal transition ...)."""

    status = 409
    code = "conflict"
    title = "Conflict"


class AuthenticationError(SilkhubError):
    status = 401
    code = "unauthenticated"
    title = "Authentication required"


class PermissionDeniedError(SilkhubError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class RateLimitedError(SilkhubError):
    status = 429
    code = "rate-limited"
    title = "Too many requests"


class ConfigurationError(SilkhubError):
    """Bad settings: a corrupt database URL, a missing directory ..."""

    status = 500
    code = "configuration-error"
    title = "Configuration error"


class DataImportError(SilkhubError):
    """An import was rejected; ``errors`` lists ``file:row:column: reason`` lines."""

    status = 422
    code = "import-error"
    title = "Import rejected"

    def __init__(self, message: str, *, errors: Sequence[str] = (), error_file: str | None = None):
        super().__init__(message, details={"errors": list(errors)[:50], "error_file": error_file})
        self.errors = list(errors)
        self.error_file = error_file


class DataMissingError(SilkhubError):
    """The data a question needs has not been imported yet; the message says how to get it."""

    status = 404
    code = "data-missing"
    title = "Data not available"
