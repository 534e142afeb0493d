"""Helpers shared by the talent pages: list fields, languages, names, errors -> form fields."""

from __future__ import annotations

from typing import Any

import pydantic

from silkhub.errors import SilkhubError, UnknownChoiceError
from silkhub.hub.talent.schemas import LanguageIn
from silkhub.i18n import gettext, has
from silkhub.web.forms import Form

#: talent score parts (core.talent_matching.TALENT_PARTS) -> i18n key
TALENT_PART_KEYS = {
    "expertise": "tpart.expertise",
    "language": "tpart.language",
    "country": "tpart.country",
    "availability": "tpart.availability",
    "location": "tpart.location",
    "text": "tpart.text",
}
#: form fields that name a region (an unknown one gets ``form.unknown_region``)
_REGION_FIELDS = ("region", "based_in", "location", "preferred_regions")
#: pydantic error type -> form message key
_PYDANTIC_KEYS = {
    "string_too_long": "form.too_long",
    "literal_error": "form.choice",
    "date_parsing": "form.date",
    "date_from_datetime_parsing": "form.date",
    "int_parsing": "form.integer",
    "missing": "form.required",
    "greater_than_equal": "form.positive",
}


def items(value: str) -> list[str]:
    """Comma/semicolon/、-separated items of a text field."""
    for sep in (";", "，", "、", "；"):
        value = value.replace(sep, ",")
    return [v.strip() for v in value.split(",") if v.strip()]


def languages_text(entries: list[dict] | None) -> str:
    """Languages as typed in the form: ``ru:C1, en:native``."""
    return ", ".join(f"{x['code']}:{x['level']}" for x in entries or [])


def languages_label(entries: list[dict] | None, lang: str) -> str:
    """Languages for reading: ``俄语 C1、英语（母语）`` / ``Russian C1, English (native)``."""
    from silkhub.hub.matching.reasons import LIST_SEPARATOR, language_name

    out = []
    for x in entries or []:
        name = language_name(str(x["code"]), lang)
        level = str(x["level"])
        if level.lower() == "native":
            out.append(gettext("talent.language_native", lang, language=name))
        else:
            out.append(f"{name} {level}")
    return LIST_SEPARATOR["zh" if lang == "zh" else "en"].join(out)


def parse_languages(form: Form, name: str) -> list[LanguageIn]:
    """``ru:C1, en:B2, zh`` -> LanguageIn items (level B2 when omitted); a malformed entry is
    a field error (``talent.bad_languages``)."""
    out = []
    for item in items(form.value(name)):
        code, _, level = item.partition(":")
        try:
            out.append(LanguageIn(code=code.strip(), level=level.strip() or "B2"))
        except pydantic.ValidationError:
            form.error(name, "talent.bad_languages")
    return out


def field_of(exc: SilkhubError, default: str) -> str:
    """The form field a service error names (``languages[1].code`` -> ``languages``)."""
    field = getattr(exc, "field", None)
    if not field:
        errs = (exc.details or {}).get("errors") or [{}]
        field = errs[0].get("field")
    return str(field or default).split("[", 1)[0].split(".", 1)[0]


def absorb(form: Form, exc: Exception, default: str, fields: tuple[str, ...] = ()) -> None:
    """Attach a model or service error to its form field, as a message key with params."""
    known = set(fields) | set(form.data)
    if isinstance(exc, pydantic.ValidationError):
        for e in exc.errors():
            loc = str(e["loc"][0]) if e["loc"] else default
            ctx: dict[str, Any] = dict(e.get("ctx") or {})
            key = _PYDANTIC_KEYS.get(str(e["type"]), "talent.invalid_value")
            params: dict[str, Any] = {}
            if key == "form.too_long":
                params["max"] = ctx.get("max_length", "")
            if key == "form.choice":
                params["choices"] = str(ctx.get("expected", "")).replace("'", "")
            form.error(loc if loc in known else default, key, **params)
        return
    assert isinstance(exc, SilkhubError)
    if exc.status in (401, 403):
        raise exc
    entries = (exc.details or {}).get("errors") or []
    if len(entries) > 1:
        for e in entries:
            _one(form, exc, _base(e.get("field"), default, known), e.get("key"), e.get("params"))
        return
    _one(form, exc, _base(field_of(exc, default), default, known), exc.key, exc.params)


def _base(field: object, default: str, known: set[str]) -> str:
    name = str(field or default).split("[", 1)[0].split(".", 1)[0]
    return name if name in known else default


def _one(form: Form, exc: SilkhubError, field: str, key: object, params: object) -> None:
    if key and has(str(key), "en"):
        form.error(field, str(key), **dict(params or {}))  # type: ignore[call-overload]
    elif isinstance(exc, UnknownChoiceError) and field in _REGION_FIELDS:
        form.error(field, "form.unknown_region", value=exc.value)
    elif isinstance(exc, UnknownChoiceError):
        form.error(field, "form.choice", choices=", ".join(exc.choices[:20]))
    else:
        form.error(field, "form.service", message=exc.message)
