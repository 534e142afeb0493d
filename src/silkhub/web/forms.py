"""Server-side form handling: field-level errors (translated), kept input, CSRF checks.

A :class:`Form` wraps the submitted values; validators record an i18n message key per field,
and templates render every field with its value and message (``templates/_macros.html``), so a
rejected form shows what the user typed with the reason next to the field.

CSRF: the signed double-submit tokens of :mod:`silkhub.security.csrf` (hidden field
``csrf_token``, checked on every POST by :meth:`Form.from_request`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from fastapi import Request
from starlette.responses import Response

from silkhub.security import csrf

CSRF_FIELD = csrf.CSRF_FIELD

T = TypeVar("T")


def csrf_token(request: Request) -> str:
    """The CSRF token to embed in forms of this response."""
    return csrf.csrf_token(request)


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Set the CSRF nonce cookie when this request created one."""
    csrf.set_csrf_cookie(request, response)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Reject a POST whose CSRF token is missing, forged or stale (403)."""
    csrf.verify_csrf(request, submitted)


class Form:
    """Submitted values plus field errors (i18n keys with parameters)."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = {k: v for k, v in (data or {}).items() if k != CSRF_FIELD}
        self.errors: dict[str, tuple[str, dict[str, Any]]] = {}

    @classmethod
    async def from_request(cls, request: Request) -> Form:
        """Read a urlencoded/multipart body and check its CSRF token."""
        raw = await request.form()
        check_csrf(request, raw.get(CSRF_FIELD))  # type: ignore[arg-type]
        data: dict[str, Any] = {}
        for key in raw:
            values = raw.getlist(key)
            data[key] = values if len(values) > 1 else values[0]
        return cls(data)

    # -- access ----------------------------------------------------------------------------
    def value(self, name: str, default: str = "") -> str:
        v = self.data.get(name, default)
        if isinstance(v, list):
            v = v[0] if v else default
        return str(v).strip() if v is not None else default

    def values(self, name: str) -> list[str]:
        v = self.data.get(name, [])
        return [str(x) for x in (v if isinstance(v, list) else [v]) if str(x).strip()]

    def error(self, name: str, key: str, **params: Any) -> None:
        """Record the first error of field ``name``."""
        self.errors.setdefault(name, (key, params))

    @property
    def ok(self) -> bool:
        return not self.errors

    def message(self, name: str, t) -> str:
        """The translated message of ``name`` ('' if none)."""
        if name not in self.errors:
            return ""
        key, params = self.errors[name]
        return t(key, **params)

    # -- validators (return the cleaned value or None) ---------------------------------------
    def text(
        self, name: str, *, required: bool = False, max_len: int = 500, min_len: int = 0
    ) -> str | None:
        v = self.value(name)
        if self._blank(name, v, required):
            return None
        if len(v) > max_len:
            self.error(name, "form.too_long", max=max_len)
        elif len(v) < min_len:
            self.error(name, "form.too_short", min=min_len)
        return v

    def choice(self, name: str, choices: Iterable[str], *, required: bool = False) -> str | None:
        v = self.value(name)
        allowed = list(choices)
        if self._blank(name, v, required):
            return None
        if v not in allowed:
            self.error(name, "form.choice", choices=", ".join(allowed))
            return None
        return v

    def _blank(self, name: str, v: str, required: bool) -> bool:
        """True when ``v`` is empty (recording ``form.required`` if the field is required)."""
        if v:
            return False
        if required:
            self.error(name, "form.required")
        return True

    def _parsed(self, name: str, parse: Callable[[str], T], key: str, required: bool) -> T | None:
        """``parse(value)``, or None with error ``key`` when it raises ``ValueError``."""
        v = self.value(name)
        if self._blank(name, v, required):
            return None
        try:
            return parse(v)
        except ValueError:
            self.error(name, key)
            return None

    def date(self, name: str, *, required: bool = False) -> date | None:
        return self._parsed(name, date.fromisoformat, "form.date", required)

    def amount(self, name: str, *, required: bool = False) -> Decimal | None:
        v = self.value(name).replace(",", "").replace(" ", "")
        if self._blank(name, v, required):
            return None
        try:
            d = Decimal(v)
        except InvalidOperation:
            self.error(name, "form.number")
            return None
        if d < 0 or not d.is_finite():
            self.error(name, "form.positive")
            return None
        return d

    def integer(self, name: str, *, required: bool = False) -> int | None:
        return self._parsed(name, int, "form.integer", required)

    def absorb(
        self,
        exc: Exception,
        default_field: str = "__all__",
        fields: dict[str, str] | None = None,
    ) -> None:
        """Turn a service's error into field errors shown next to the fields.

        Each entry keeps its message ``key`` and ``params`` (rendered in the page's language;
        the English text only when the catalog lacks the key). An unknown region or country
        gets the short "use a name or code" message instead of the list of every choice.
        ``fields`` renames the service's field names to this form's (``{"region": "unit"}``);
        a field the form does not have falls back to ``default_field``.
        """
        from silkhub.i18n import has

        rename = fields or {}

        def target(name: str | None) -> str:
            name = rename.get(name or "", name)
            if name and (name in self.data or name == "__all__"):
                return name
            return default_field

        what = getattr(exc, "details", {}) or {}
        value = getattr(exc, "value", None)
        if value is not None and "valid_choices" in what:
            kind = "region" if "region" in (getattr(exc, "field", "") or "") else "country"
            key = "form.unknown_region" if kind == "region" else "form.unknown_country"
            self.error(target(getattr(exc, "field", None)), key, value=value)
            return
        errors = what.get("errors") if isinstance(what, dict) else None
        if errors:
            for e in errors:
                key, params = e.get("key"), e.get("params") or {}
                if key and has(key, "en"):
                    self.error(target(e.get("field")), key, **params)
                else:
                    self.error(target(e.get("field")), "form.service", message=e.get("message"))
            return
        key = getattr(exc, "key", None)
        if key and has(key, "en"):
            self.error(
                target(getattr(exc, "field", None)), key, **(getattr(exc, "params", {}) or {})
            )
        else:
            self.error(
                target(getattr(exc, "field", None)),
                "form.service",
                message=getattr(exc, "message", str(exc)),
            )
