"""Render rows for the terminal or a file: ``--format table|csv|json|parquet`` and ``--out``."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from silkhub.errors import ValidationError

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


def _plain(v: Any) -> Any:
    if isinstance(v, date | datetime):
        return v.isoformat()
    if isinstance(v, float) and v != v:  # NaN
        return None
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        try:
            return v.item()
        except (ValueError, AttributeError):
            return v
    return v


def to_dicts(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Dataclasses, mappings or pydantic models -> plain dicts."""
    out = []
    for r in rows:
        if is_dataclass(r) and not isinstance(r, type):
            d = asdict(r)
        elif hasattr(r, "model_dump"):
            d = r.model_dump()
        else:
            d = dict(r)
        out.append({k: _plain(v) for k, v in d.items()})
    return out


#: money columns of terminal tables by name suffix -> currency (silkhub.i18n.format.fmt_money)
MONEY_SUFFIXES = {"_usd": "USD", "_cny": "CNY"}


def cell_text(column: str, value: Any, lang: str = "en") -> str:
    """A terminal-table cell: money columns (``*_usd``, ``*_cny``) scaled per locale
    (``448.0 bn USD``, ``4,480.5亿美元``), whole numbers from 10,000 on with thousands
    separators (years, ids and ranks as they are); csv/json output keeps the raw values."""
    from silkhub.i18n.format import fmt_money, fmt_number

    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    for suffix, currency in MONEY_SUFFIXES.items():
        if column.endswith(suffix):
            return fmt_money(value, currency, lang)
    is_code = column in ("id", "year", "rank") or column.endswith(("_id", "_year", "_code"))
    if not is_code and abs(value) >= 1e4 and float(value).is_integer():
        return fmt_number(value, lang)  # counts and amounts: 1,497,000; years and ids as they are
    return str(value)


def emit(
    rows: Sequence[Any] | Any,
    fmt: Format = Format.table,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    out: Path | None = None,
    lang: str = "en",
) -> None:
    """Write rows (list of dicts/dataclasses, or a pandas DataFrame) in the chosen format.

    ``lang`` formats the numbers of a terminal table (:func:`cell_text`)."""
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):
        records = [{k: _plain(v) for k, v in r.items()} for r in rows.to_dict("records")]
        cols = list(columns or rows.columns)
    else:
        records = to_dicts(rows)
        cols = list(columns or (records[0].keys() if records else []))
    records = [{c: r.get(c) for c in cols} for r in records]
    if fmt is Format.parquet:
        if out is None:
            raise ValidationError("--format parquet needs --out FILE", field="out")
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(records) if records else pa.table({}), out)
        err_console.print(f"wrote {len(records)} rows to {out}")
        return
    if fmt is Format.table and out is None:
        table = Table(title=title, show_lines=False)
        for c in cols:
            table.add_column(c)
        for r in records:
            table.add_row(*(cell_text(c, r[c], lang) for c in cols))
        console.print(table)
        return
    buf = io.StringIO()
    if fmt is Format.json:
        json.dump(records, buf, ensure_ascii=False, indent=2)
        buf.write("\n")
    else:  # csv (also table written to a file)
        w = csv.DictWriter(buf, cols, lineterminator="\n")
        w.writeheader()
        w.writerows(records)
    if out is None:
        sys.stdout.write(buf.getvalue())
    else:
        out.write_text(buf.getvalue(), encoding="utf-8")
        err_console.print(f"wrote {len(records)} rows to {out}")
