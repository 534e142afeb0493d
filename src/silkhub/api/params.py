"""Strict ISO 8601 types for query parameters.

pydantic's lax mode reads a number as a date (``0`` is 1970-01-01, ``1700000000`` a day in
2023) and a date-time without seconds or offset; the OpenAPI document says ``format: date`` /
``format: date-time`` (RFC 3339), so the API accepts exactly that:

* :data:`IsoDate`: ``YYYY-MM-DD`` (RFC 3339 ``full-date``);
* :data:`IsoDateTime`: ``YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`` (RFC 3339 ``date-time``:
  the offset is required, so the instant is unambiguous).

Anything else answers 422 with the parameter named in ``errors[].field``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _iso_date(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_parsing", "an ISO 8601 date (YYYY-MM-DD)")


def _iso_datetime(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATETIME.fullmatch(value):
        return value
    raise PydanticCustomError(
        "datetime_parsing", "an ISO 8601 date-time with offset (YYYY-MM-DDTHH:MM:SSZ)"
    )


#: a date parameter: ``YYYY-MM-DD`` only (no numbers, no date-times)
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
#: a date-time parameter: RFC 3339 with seconds and an offset (``Z`` or ``±HH:MM``)
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]
