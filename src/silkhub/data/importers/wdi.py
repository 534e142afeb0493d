"""World Bank World Development Indicators -> ``wdi(iso3, indicator, year, value)``.

Accepted inputs (a file, or a folder whose top-level ``*.csv`` files are all read):

* **wide** bulk / per-indicator files: ``Country Name, Country Code, Indicator Name,
  Indicator Code, 1960, 1961, …`` (WDIData.csv, the ``*_WDI.csv`` files, the API download
  ``API_<code>_DS2_…csv`` with its four preamble lines);
* **long** files: ``Country Name, Country Code, Year, Value`` (datasets.io ``gdp.csv`` /
  ``population.csv``); the indicator comes from ``--indicator`` or the file name.

World Bank aggregates (``WLD``, ``EAS``, ``HIC`` …) go to their own dataset
``wdi_aggregates(code, name, kind, indicator, year, value)`` with the World Bank's codes and
names (``kind``: world, region, income, lending, other), so that ``wdi`` holds countries only and
group shares can use the World Bank's own world total; any other code that is not a country is a
problem (``file:row:Country Code: unknown country``). Empty cells are missing values and produce
no row.

Both datasets are keyed: an import replaces the (country or aggregate, indicator, year) values
it brings and keeps the others, so indicators can be imported one file at a time
(``--replace-all`` for a whole new version).

The live path (:func:`fetch`) calls ``wbgapi.data.fetch`` and parses its rows with
:func:`parse_wbgapi_rows`.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from silkhub.data.importers.base import (
    CsvTable,
    ImportContext,
    Output,
    Problems,
    check_encoding,
    head_lines,
    iter_csv_checked,
    to_number,
)
from silkhub.data.importers.countries import NON_ISO_ECONOMIES, WB_AGGREGATES, CountryMatcher
from silkhub.data.importers.schemas import WDI_SCHEMA, validate
from silkhub.errors import DataImportError, ValidationError

logger = logging.getLogger(__name__)

VERSION = "1.0"
SOURCE = "wdi"
TITLE = "World Bank World Development Indicators"
SOURCE_URL = "https://datacatalog.worldbank.org/dataset/world-development-indicators"
LICENCE = "CC BY 4.0 (World Bank)"
DATASETS = ("wdi",)
#: ``--name X`` writes ``X`` and ``X_aggregates``
RENAME_FIRST = True
#: the keys an import replaces (see :func:`silkhub.data.importers.runner.run_import`)
MERGE_KEYS = ("iso3", "indicator", "year")
AGGREGATE_KEYS = ("code", "indicator", "year")
PATTERNS = ("*.csv",)

#: older WB aggregate codes seen in pre-2015 WDI vintages
_OLD_AGGREGATES = frozenset(["CAA", "CEA", "CEU", "CLA", "CME", "CSA", "NOC", "OEC", "INX"])

#: indicator codes of the long files, by file name stem
LONG_FILE_INDICATORS = {"gdp": "NY.GDP.MKTP.CD", "population": "SP.POP.TOTL"}

_WIDE = ("Country Name", "Country Code", "Indicator Name", "Indicator Code")
_LONG = ("Country Name", "Country Code", "Year", "Value")
_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(\.[A-Z0-9]+)+$")


def collect(path: Path) -> list[Path]:
    """The files of an import: the file itself, or a folder's top-level CSVs (metadata skipped)."""
    if path.is_file():
        return [path]
    files = sorted(p for p in path.glob("*.csv") if not _is_metadata(p))
    return files


def _is_metadata(p: Path) -> bool:
    n = p.name.lower()
    return "series" in n or "metadata" in n or n.startswith("wdicountry") or "footnote" in n


def _preamble(path: Path, encoding: str) -> int:
    """Lines before the header (the WB API download starts with "Data Source" lines)."""
    head = head_lines(path, encoding, 0, n=6)
    for i, line in enumerate(head):
        if line.lstrip('"\ufeff').startswith("Country Name"):
            return i
    return 0


#: wide files are read this many rows at a time (the full WDI bulk CSV has ~400,000 rows)
CHUNK_ROWS = 20_000


def _read_one(
    path: Path, ctx: ImportContext, problems: Problems, matcher: CountryMatcher
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Country rows (``iso3, indicator, year, value, _row``) and aggregate rows (``code, name``
    instead of ``iso3``) of one file."""
    enc = check_encoding(path, ctx.encoding)
    skip = _preamble(path, enc)
    head = head_lines(path, enc, skip, n=1)
    is_long = bool(head) and "Year" in head[0] and "Indicator Code" not in head[0]
    indicator = None
    if is_long:
        indicator = ctx.options.get("indicator") or LONG_FILE_INDICATORS.get(path.stem.lower())
        if not indicator:
            raise ValidationError(
                f"{path.name}: a long file (Country Name, Country Code, Year, Value) needs "
                "--indicator CODE, e.g. --indicator NY.GDP.MKTP.CD",
                field="indicator",
            )
    outs, aggs = [], []
    tables = iter_csv_checked(
        path,
        _LONG if is_long else _WIDE,
        encoding=ctx.encoding,
        sep=ctx.sep,
        skiprows=skip,
        chunksize=None if is_long else CHUNK_ROWS,
    )
    for table in tables:
        frame = table.frame
        codes = frame["Country Code"].fillna("").str.strip()
        agg = codes.isin(WB_AGGREGATES | _OLD_AGGREGATES | set(NON_ISO_ECONOMIES))
        iso3 = matcher.column(
            codes,
            file=table.file,
            column="Country Code",
            rows=table.rows,
            problems=problems,
            fallback=frame["Country Name"],
            ignore=set(codes[agg]),
        )
        iso3 = iso3.where(~agg, None)
        if is_long:
            year = to_number(table, "Year", problems, integer=True, required=True)
            value = to_number(table, "Value", problems)
            out = pd.DataFrame(
                {"iso3": iso3, "indicator": indicator, "year": year, "value": value,
                 "_row": table.rows}
            )  # fmt: skip
        else:
            out = _melt_wide(table, iso3, problems)
        out = out[out["value"].notna()]
        outs.append(out)
        wb_agg = codes.isin(WB_AGGREGATES | _OLD_AGGREGATES).to_numpy()
        if wb_agg.any():
            code_of = pd.Series(codes.to_numpy()[wb_agg], index=table.rows[wb_agg])
            name_of = pd.Series(
                frame["Country Name"].fillna("").str.strip().to_numpy()[wb_agg],
                index=table.rows[wb_agg],
            )
            a = out[out["_row"].isin(code_of.index)]
            if not a.empty:
                a = a.assign(code=a["_row"].map(code_of), name=a["_row"].map(name_of))
                aggs.append(a.drop(columns=["iso3"]))
    empty = pd.DataFrame(columns=["code", "name", "indicator", "year", "value", "_row"])
    return pd.concat(outs, ignore_index=True), (
        pd.concat(aggs, ignore_index=True) if aggs else empty
    )


def _melt_wide(table: CsvTable, iso3: pd.Series, problems: Problems) -> pd.DataFrame:
    frame = table.frame
    year_cols = [c for c in frame.columns if re.fullmatch(r"\d{4}( \[YR\d{4}\])?", c)]
    if not year_cols:
        problems.add(table.file, 1, None, "no year columns (1960, 1961, …) in the header")
        return pd.DataFrame(columns=["iso3", "indicator", "year", "value", "_row"])
    codes = frame["Indicator Code"].fillna("").str.strip()
    for i in np.flatnonzero(~codes.str.match(_CODE_RE).to_numpy()):
        problems.add(
            table.file, int(table.rows[i]), "Indicator Code", f"{codes.iloc[i]!r} is not a WDI code"
        )
    parts = []
    for col in year_cols:
        vals = to_number(table, col, problems)
        parts.append(
            pd.DataFrame(
                {
                    "iso3": iso3,
                    "indicator": codes,
                    "year": int(col[:4]),
                    "value": vals,
                    "_row": table.rows,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def run(ctx: ImportContext) -> list[Output]:
    """Read every file, check it, and return the ``wdi`` table (and ``wdi_aggregates``)."""
    problems = Problems()
    matcher = CountryMatcher()
    frames, agg_frames = [], []
    task = ctx.progress.task("reading WDI files", len(ctx.paths))
    for p in ctx.paths:
        df, agg = _read_one(p, ctx, problems, matcher)
        df["_file"] = p.name
        agg["_file"] = p.name
        frames.append(df)
        agg_frames.append(agg)
        task.advance(1)
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    aggs = pd.concat(agg_frames, ignore_index=True) if agg_frames else pd.DataFrame()
    if data.empty and not problems:
        raise DataImportError("no WDI values found in " + ", ".join(p.name for p in ctx.paths))
    dup = data.duplicated(["iso3", "indicator", "year"], keep="first") & data["iso3"].notna()
    if dup.any():
        first = data[~dup].set_index(["iso3", "indicator", "year"])[["_file", "_row"]]
        for _, r in data[dup].head(1000).iterrows():
            f, row = first.loc[(r["iso3"], r["indicator"], r["year"])]
            problems.add(
                r["_file"],
                int(r["_row"]),
                "Country Code",
                f"duplicate {r['iso3']} {r['indicator']} {int(r['year'])} (first in {f} row {row})",
            )
    if problems:
        if not ctx.skip_invalid:
            problems.raise_if_any("WDI import rejected", ctx.error_file)
        bad = problems.rows()
        keep = [(f, int(r)) not in bad for f, r in zip(data["_file"], data["_row"], strict=True)]
        ctx.notes.append(f"{len(bad)} rows skipped with problems")
        if ctx.error_file is not None:
            problems.write_csv(ctx.error_file)
        data = data[keep]
        if not aggs.empty:
            keep_a = [
                (f, int(r)) not in bad for f, r in zip(aggs["_file"], aggs["_row"], strict=True)
            ]
            aggs = aggs[keep_a]
    data = data[data["iso3"].notna()]
    out = pd.DataFrame(
        {
            "iso3": data["iso3"].astype(str),
            "indicator": data["indicator"].astype(str),
            "year": data["year"].astype("int32"),
            "value": data["value"].astype("float64"),
        }
    ).sort_values(["indicator", "iso3", "year"], ignore_index=True)
    validate(WDI_SCHEMA, out)
    outputs = [Output("wdi", frame=out, merge_keys=MERGE_KEYS, merge_label="indicator")]
    if not aggs.empty:
        agg_out = aggregates_frame(aggs)
        n_codes = agg_out["code"].nunique()
        outputs[0].notes.append(
            f"{len(agg_out):,} values of {n_codes} World Bank aggregates (WLD, regions, income "
            "groups …) kept apart in wdi_aggregates"
        )
        outputs.append(
            Output(
                "wdi_aggregates",
                frame=agg_out,
                merge_keys=AGGREGATE_KEYS,
                merge_label="indicator",
            )
        )
    return outputs


@lru_cache
def aggregate_table() -> dict[str, tuple[str, str]]:
    """World Bank aggregate code -> (name, kind) shipped in ``reference/wb_aggregates.csv``."""
    text = resources.files("silkhub.data.reference").joinpath("wb_aggregates.csv")
    rows = csv.DictReader(text.read_text("utf-8").splitlines())
    return {r["code"]: (r["name"], r["kind"]) for r in rows}


def aggregates_frame(aggs: pd.DataFrame) -> pd.DataFrame:
    """Typed ``wdi_aggregates`` rows: code, name (the file's, else the shipped one), kind."""
    table = aggregate_table()
    names = aggs["name"] if "name" in aggs.columns else pd.Series("", index=aggs.index)
    names = names.fillna("").astype(str)
    shipped = aggs["code"].map(lambda c: table.get(c, ("", ""))[0])
    out = pd.DataFrame(
        {
            "code": aggs["code"].astype(str),
            "name": names.where(names != "", shipped).astype(str),
            "kind": aggs["code"].map(lambda c: table.get(c, ("", "other"))[1]).astype(str),
            "indicator": aggs["indicator"].astype(str),
            "year": aggs["year"].astype("int32"),
            "value": aggs["value"].astype("float64"),
        }
    )
    out = out.drop_duplicates(["code", "indicator", "year"], keep="first")
    return out.sort_values(["indicator", "code", "year"], ignore_index=True)


# -- live client ---------------------------------------------------------------------------
def parse_wbgapi_rows(
    rows: Iterable[Mapping[str, Any]], *, file: str = "wbgapi"
) -> tuple[pd.DataFrame, Problems]:
    """Turn rows yielded by ``wbgapi.data.fetch`` into ``(iso3, indicator, year, value)``.

    Each row looks like ``{"value": 1.4e13, "series": "NY.GDP.MKTP.CD", "economy": "CHN",
    "aggregate": False, "time": "YR2019"}``; aggregates and empty values are skipped.
    Problems are reported as ``wbgapi:<n>:<field>: reason`` (n = 1-based row of the response).
    """
    problems = Problems()
    matcher = CountryMatcher()
    out: list[tuple[str, str, int, float]] = []
    for n, r in enumerate(rows, start=1):
        if r.get("aggregate") or r.get("value") is None:
            continue
        eco = str(r.get("economy", ""))
        if eco in WB_AGGREGATES:
            continue
        iso3 = matcher.one(eco)
        if iso3 is None:
            problems.add(file, n, "economy", f"unknown country {eco!r}")
            continue
        t = str(r.get("time", ""))
        m = re.fullmatch(r"(?:YR)?(\d{4})", t)
        if not m:
            problems.add(file, n, "time", f"{t!r} is not a year (YRyyyy)")
            continue
        try:
            value = float(r["value"])
        except (TypeError, ValueError):
            problems.add(file, n, "value", f"{r['value']!r} is not a number")
            continue
        out.append((iso3, str(r.get("series", "")), int(m.group(1)), value))
    frame = pd.DataFrame(out, columns=["iso3", "indicator", "year", "value"])
    frame["year"] = frame["year"].astype("int32")
    return frame, problems


def parse_wbgapi_aggregates(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The aggregate rows (``WLD``, ``EAS`` …) of a wbgapi response as ``wdi_aggregates``."""
    out = []
    for r in rows:
        eco = str(r.get("economy", ""))
        if r.get("value") is None or not (r.get("aggregate") or eco in WB_AGGREGATES):
            continue
        m = re.fullmatch(r"(?:YR)?(\d{4})", str(r.get("time", "")))
        try:
            value = float(r["value"])
        except (TypeError, ValueError):
            continue
        if m:
            out.append((eco, "", str(r.get("series", "")), int(m.group(1)), value))
    frame = pd.DataFrame(out, columns=["code", "name", "indicator", "year", "value"])
    return aggregates_frame(frame)


def fetch(
    indicators: Sequence[str],
    *,
    economies: Sequence[str] | str = "all",
    years: range | None = None,
    fetcher: Callable[..., Iterable[Mapping[str, Any]]] | None = None,
) -> pd.DataFrame:
    """Download indicators from the World Bank API (wbgapi) and return the ``wdi`` columns."""
    return fetch_with_aggregates(indicators, economies=economies, years=years, fetcher=fetcher)[0]


def fetch_with_aggregates(
    indicators: Sequence[str],
    *,
    economies: Sequence[str] | str = "all",
    years: range | None = None,
    fetcher: Callable[..., Iterable[Mapping[str, Any]]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Like :func:`fetch`, plus the aggregates of the response (``wdi_aggregates`` columns)."""
    if not indicators:
        raise ValidationError(
            "give at least one --indicator, e.g. NY.GDP.MKTP.CD", field="indicator"
        )
    bad = [i for i in indicators if not _CODE_RE.match(i)]
    if bad:
        raise ValidationError(f"not a WDI indicator code: {', '.join(bad)}", field="indicator")
    if fetcher is None:
        import wbgapi

        fetcher = wbgapi.data.fetch
    try:
        rows = list(
            fetcher(list(indicators), economy=economies, time=years or "all", skipBlanks=True)
        )
    except Exception as exc:  # network, HTTP or API errors
        raise DataImportError(f"World Bank API request failed: {exc}") from None
    frame, problems = parse_wbgapi_rows(rows)
    problems.raise_if_any("World Bank API response rejected")
    validate(WDI_SCHEMA, frame)
    return frame, parse_wbgapi_aggregates(rows)
