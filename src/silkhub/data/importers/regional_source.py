"""``silkhub data import regional``: the sub-national template -> ``regional``.

Reading and validation live in :mod:`silkhub.data.importers.regional` (owned by the index
feature); this module adapts it to the importer protocol (provenance, atomic publishing,
error CSV). Region names are resolved to region ids when the CLI passes a database session
(``options["session"]``).
"""

from __future__ import annotations

import csv
import importlib
from pathlib import Path
from typing import Any

import pandas as pd

from silkhub.data.importers.base import ImportContext, Output
from silkhub.errors import DataImportError, DataMissingError

VERSION = "1.0"
SOURCE = "regional"
TITLE = "Sub-national statistics (city/province yearbooks, regional template)"
SOURCE_URL = None
LICENCE = "as stated by the user's sources (statistical yearbooks, communiqués)"
DATASETS = ("regional",)
COLUMNS = ["region_id", "year", "indicator", "value", "unit", "source"]


def _impl() -> Any:
    try:
        return importlib.import_module("silkhub.data.importers.regional")
    except ModuleNotFoundError as exc:  # pragma: no cover - the index feature ships it
        raise DataMissingError(
            "the regional template reader is not installed (silkhub.data.importers.regional)"
        ) from exc


def collect(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted([*path.glob("*.csv"), *path.glob("*.xlsx")])


def write_template(path: Path) -> Path:
    """Write an empty template with instructions in zh and en (CSV or XLSX)."""
    return Path(_impl().write_template(path))


def run(ctx: ImportContext) -> list[Output]:
    impl = _impl()
    frames = []
    for p in ctx.paths:
        try:
            frames.append(impl.read_regional(p, session=ctx.options.get("session")))
        except DataImportError as exc:
            if ctx.error_file is not None and exc.errors:
                ctx.error_file.parent.mkdir(parents=True, exist_ok=True)
                with ctx.error_file.open("w", newline="", encoding="utf-8") as fh:
                    w = csv.writer(fh)
                    w.writerow(["problem"])
                    w.writerows([e] for e in exc.errors)
                raise DataImportError(
                    exc.message + f"\nall problems: {ctx.error_file}",
                    errors=exc.errors,
                    error_file=str(ctx.error_file),
                ) from None
            raise
    data = pd.concat(frames, ignore_index=True)
    out = data[COLUMNS].copy()
    out["year"] = out["year"].astype("int32")
    out["value"] = out["value"].astype("float64")
    # a yearbook extract brings some regions, indicators and years: those are replaced
    return [
        Output(
            "regional",
            frame=out.reset_index(drop=True),
            merge_keys=("region_id", "indicator", "year"),
            merge_label="indicator",
        )
    ]
