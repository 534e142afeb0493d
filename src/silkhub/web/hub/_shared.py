"""Helpers of the hub pages: a submitted form validated through the resource's create/update
model (the API's request body), options of selects, and comma-separated inputs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel

from silkhub.errors import SilkhubError
from silkhub.hub.validation import parse

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], raw: dict[str, Any], *, keep_blank: bool = False) -> M:
    """``raw`` validated by ``model`` (silkhub ValidationError with keyed field errors).

    ``keep_blank``: an empty field becomes ``None`` and stays set (an update form clears the
    value); otherwise it counts as "not given" (the model's default applies).
    """
    return parse(model, raw, keep_blank=keep_blank)


def page_error(exc: SilkhubError) -> bool:
    """Whether ``exc`` is about the page itself (sign in, not allowed, record not found) rather
    than about a field: a missing record is :func:`silkhub.hub.policy.not_found` (it names an
    ``entity``); an unknown country typed into a field is a field error."""
    if exc.status in (401, 403):
        return True
    return exc.status == 404 and "entity" in exc.details


def absorb(form: Any, exc: Exception, default: str, fields: dict[str, str] | None = None) -> None:
    """``form.absorb`` for a service error; a closed-list error that already carries its key
    (``validation.choice``) is shown as such, not as Form's "unknown country/region" hint."""
    if getattr(exc, "key", None) == "validation.choice":
        exc.value = None  # type: ignore[attr-defined]
    form.absorb(exc, default, fields=fields)


def keep_fields(form: Any, names: Iterable[str]) -> None:
    """Make every field of the form known (a browser sends empty fields; a script may not), so
    that an error on a field not sent is still shown next to it."""
    for name in names:
        form.data.setdefault(name, "")


def split_list(value: str | None) -> list[str]:
    """``"CHN, KAZ；RUS"`` → ``["CHN", "KAZ", "RUS"]`` (commas, Chinese commas, semicolons)."""
    text = (value or "").replace("，", ",").replace("；", ",").replace(";", ",").replace("、", ",")
    return [x.strip() for x in text.split(",") if x.strip()]


def options(
    values: Iterable[str], prefix: str, t: Any, *, blank: str | None = None
) -> list[tuple[str, str]]:
    """(value, label) options of a select, labels from the catalog ``prefix.value``."""
    out = [("", blank)] if blank is not None else []
    return out + [(v, t(f"{prefix}.{v}")) for v in values]
