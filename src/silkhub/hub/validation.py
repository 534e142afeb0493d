"""Validation helpers shared by the hub services: one way to turn untrusted input into a
resource's create/update model, with field errors that carry message keys.

:func:`parse` validates a plain dict (a web form, CLI options) with the same pydantic model
the API uses for its request body, and raises silkhub's
:class:`~silkhub.errors.ValidationError` whose ``errors`` name each field with a catalog key
(``validation.required``, ``validation.too_long`` ...) and its parameters, so that every
interface renders the same rule in its own language.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from silkhub.errors import UnknownChoiceError, ValidationError, field_error

M = TypeVar("M", bound=BaseModel)

#: pydantic error type -> (catalog key, names of the ``ctx`` values passed as params)
_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "missing": ("validation.required", ()),
    "string_too_long": ("validation.too_long", ("max_length",)),
    "string_too_short": ("validation.too_short", ("min_length",)),
    "too_long": ("validation.too_many", ("max_length",)),
    "too_short": ("validation.too_few", ("min_length",)),
    "greater_than_equal": ("validation.at_least", ("ge",)),
    "greater_than": ("validation.above", ("gt",)),
    "less_than_equal": ("validation.at_most", ("le",)),
    "less_than": ("validation.below", ("lt",)),
    "int_parsing": ("validation.integer", ()),
    "int_from_float": ("validation.integer", ()),
    "int_type": ("validation.integer", ()),
    "float_parsing": ("validation.number", ()),
    "float_type": ("validation.number", ()),
    "decimal_parsing": ("validation.number", ()),
    "decimal_type": ("validation.number", ()),
    "finite_number": ("validation.number", ()),
    "date_parsing": ("validation.date", ()),
    "date_from_datetime_parsing": ("validation.date", ()),
    "date_type": ("validation.date", ()),
    "datetime_parsing": ("validation.datetime", ()),
    "datetime_from_date_parsing": ("validation.datetime", ()),
    "datetime_type": ("validation.datetime", ()),
    "bool_parsing": ("validation.boolean", ()),
    "extra_forbidden": ("validation.unexpected", ()),
}
#: ctx value name -> param name in the catalog text
_PARAM = {
    "max_length": "max",
    "min_length": "min",
    "ge": "min",
    "gt": "min",
    "le": "max",
    "lt": "max",
}


def errors_of(exc: PydanticValidationError) -> list[dict[str, Any]]:
    """silkhub field errors (field, key, params, English message) of a pydantic error."""
    out = []
    for e in exc.errors():
        loc = [str(x) for x in e.get("loc", ())]
        field = ".".join(loc) or None
        key, names = _KEYS.get(e["type"], ("validation.invalid", ()))
        ctx = e.get("ctx") or {}
        params = {_PARAM[n]: ctx[n] for n in names if n in ctx}
        entry = field_error(field, key, **params)
        if key == "validation.invalid":
            entry["message"] = f"{field}: {e['msg']}" if field else e["msg"]
        out.append(entry)
    return out


def parse(model: type[M], raw: dict[str, Any], *, keep_blank: bool = False) -> M:
    """Validate ``raw`` with ``model``; bad values raise ValidationError naming each field.

    Blank strings are taken as "not given" (a web form sends ``""`` for an empty field);
    with ``keep_blank`` they become ``None`` and stay set (an update form clears the value).
    """
    data = {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in raw.items()}
    if not keep_blank:
        data = {k: v for k, v in data.items() if v is not None}
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        errors = errors_of(exc)
        first = errors[0]
        raise ValidationError(
            first["message"],
            key=first["key"],
            params=first["params"],
            field=first["field"],
            errors=errors,
        ) from None


def choice_error(
    exc: UnknownChoiceError, key: str = "validation.choice", **params: Any
) -> UnknownChoiceError:
    """Give an :class:`UnknownChoiceError` a message key (the English text stays)."""
    exc.key = key
    exc.params = {"value": exc.value, "choices": ", ".join(exc.choices[:20]), **params}
    entry = field_error(exc.field, key, **exc.params)
    entry["message"] = exc.message
    exc.details["errors"] = [entry]
    return exc


def keyed(exc: ValidationError, key: str, field: str | None = None, **params: Any):  # type: ignore[no-untyped-def]
    """Re-key a ValidationError raised by a shared helper (keeps the English text)."""
    exc.key = key
    exc.params = dict(params)
    field = field or exc.field
    exc.field = field
    entry = field_error(field, key, **params)
    entry["message"] = exc.message
    exc.details["errors"] = [entry]
    return exc


# -- closed lists and places with message keys (shared by the hub services) -----------------


def choice(value, choices, what: str, field: str, *, required: bool = False):  # type: ignore[no-untyped-def]
    """:func:`silkhub.hub.common.check_choice` with the keys ``validation.choice`` /
    ``validation.required``."""
    from silkhub.hub.common import check_choice

    try:
        return check_choice(value, choices, what, field, required=required)
    except UnknownChoiceError as exc:
        raise choice_error(exc) from None
    except ValidationError as exc:
        raise keyed(exc, "validation.required", field) from None


def country(session, value: str | None, field: str = "iso3") -> str | None:  # type: ignore[no-untyped-def]
    """ISO3 code of a country code or name; unknown: ``project.unknown_country {value}``."""
    from silkhub.errors import UnknownCountryError
    from silkhub.hub.common import resolve_country

    try:
        return resolve_country(session, value, field=field)
    except UnknownCountryError as exc:
        raise keyed(exc, "project.unknown_country", field, value=str(value).strip()) from None


def region(session, value: str | None, field: str = "region_id") -> tuple:  # type: ignore[no-untyped-def]
    """(region_id, iso3) of a region id or name; an unknown one is the short keyed error
    ``project.unknown_region {value}`` on ``field`` (the valid names stay in
    ``details['valid_choices']`` for API clients, not in the message)."""
    from silkhub.hub.common import resolve_region

    try:
        return resolve_region(session, value)
    except UnknownChoiceError as exc:
        raise ValidationError(
            key="project.unknown_region",
            params={"value": str(value).strip()},
            field=field,
            details={"valid_choices": exc.choices},
        ) from None
