"""Response models generated from the services' records (a record is declared once, beside its
service; the API only adds, drops or documents fields)."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from pydantic import BaseModel, Field, create_model


def model_of(
    dc: type,
    name: str,
    *,
    drop: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
    base: type[BaseModel] | None = None,
) -> type[BaseModel]:
    """A pydantic model with the fields of the dataclass ``dc``; ``extra`` adds or replaces
    fields as ``name=(type, default_or_Field)``."""
    hints = typing.get_type_hints(dc)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(dc):
        if f.name in drop:
            continue
        if f.default is not dataclasses.MISSING:
            fields[f.name] = (hints[f.name], f.default)
        elif f.default_factory is not dataclasses.MISSING:
            fields[f.name] = (hints[f.name], Field(default_factory=f.default_factory))
        else:
            fields[f.name] = (hints[f.name], ...)
    fields.update(extra or {})
    if base is not None:
        return create_model(name, __base__=base, **fields)
    return create_model(name, **fields)
