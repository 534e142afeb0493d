"""Shared CLI plumbing: the runtime, options and the one error-to-exit-code mapper."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from silkhub.bootstrap import Runtime, make_runtime, prepare
from silkhub.cli.output import Format
from silkhub.errors import ValidationError
from silkhub.settings import get_settings

FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, csv, json or parquet.")
]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")]

_runtime: Runtime | None = None


def runtime(*, reference: bool = True) -> Runtime:
    """The process runtime, migrated and with reference data (built on first use)."""
    global _runtime
    if _runtime is None:
        _runtime = make_runtime(get_settings())
        prepare(_runtime, reference=reference)
    return _runtime


def reset_runtime() -> None:
    """Forget the cached runtime (tests switch databases between invocations)."""
    global _runtime
    if _runtime is not None:
        _runtime.dispose()
    _runtime = None


def parse_date(value: str | None, field: str = "as-of") -> date | None:
    """Parse ``YYYY-MM-DD`` or raise a ValidationError naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"--{field}: {value!r} is not a date; use YYYY-MM-DD, e.g. 2020-01-01", field=field
        ) from None
