"""AidData Global Chinese Development Finance (GCDF 3.0 extracts) -> ``tracker_projects``.

Accepts the full GCDF layout (``AidData Record ID, Recipient, Commitment Year, Title, Status,
Sector Name, Flow Type Simplified, Adjusted Amount (Constant USD 2021) …``) and the geospatial
input layout with R-style dotted names (``AidData.Record.ID, Amount.(Constant.USD.2021),
Recipient.ISO-3 …``). Amounts are constant 2021 US$; empty amounts stay NULL. Regional
recipients (``Africa, regional``, ``Multi-Region`` …) have no ISO3 and are kept with iso3 NULL
(counted in the notes). Importing GCDF replaces only the ``gcdf`` rows of ``tracker_projects``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from silkhub.data.importers.base import (
    CsvTable,
    ImportContext,
    Output,
    Problems,
    check_header,
    empty_to_none,
    read_csv_checked,
    settle,
    to_number,
)
from silkhub.data.importers.countries import CountryMatcher
from silkhub.data.importers.trackers import finish, record_json

VERSION = "1.0"
SOURCE = "gcdf"
TITLE = "AidData Global Chinese Development Finance Dataset 3.0"
SOURCE_URL = (
    "https://www.aiddata.org/data/aiddatas-global-chinese-development-finance-dataset-version-3-0"
)
SOURCE_VERSION = "GCDF 3.0 (extracts staged from gasoto04/china-development@3416a9b)"
LICENCE = "ODC-By 1.0 (AidData); OSM-derived geometry ODbL"
DATASETS = ("tracker_projects",)
PART = "gcdf"

#: canonical -> normalised column names (lower case, dots and spaces unified)
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("aiddata record id",),
    "recipient": ("recipient",),
    "iso3": ("recipient iso-3", "recipient iso3"),
    "year": ("commitment year",),
    "title": ("title",),
    "status": ("status",),
    "sector": ("sector name",),
    "amount": ("adjusted amount (constant usd 2021)", "amount (constant usd 2021)"),
    "type": ("flow type simplified", "flow type", "flow class"),
    "region": ("recipient region",),
    "investor": ("funding agencies", "funding agencies type"),
    "counterparty": ("implementing agencies", "implementing agencies type"),
    "subsector": ("infrastructure",),
}
REGIONAL = re.compile(r"regional|multi-region", re.I)


def collect(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(path.glob("gcdf*.csv"))


def _norm(c: str) -> str:
    return re.sub(r"\s+", " ", c.replace(".", " ")).strip().lower()


def _columns(t: CsvTable) -> dict[str, str]:
    by_norm = {_norm(c): c for c in t.frame.columns}
    out = {}
    for key, names in FIELDS.items():
        for n in names:
            if n in by_norm:
                out[key] = by_norm[n]
                break
    missing = [FIELDS[k][0] for k in ("id", "recipient", "year") if k not in out]
    if missing:
        check_header(
            t.file, list(t.frame.columns), ["AidData Record ID", "Recipient", "Commitment Year"]
        )
    return out


def run(ctx: ImportContext) -> list[Output]:
    problems = Problems()
    matcher = CountryMatcher()
    frames, notes = [], []
    for p in ctx.paths:
        t = read_csv_checked(p, (), encoding=ctx.encoding, sep=ctx.sep)
        col = _columns(t)
        f = t.frame

        def text(key: str, f: pd.DataFrame = f, col: dict[str, str] = col) -> pd.Series:
            return empty_to_none(f[col[key]]) if key in col else pd.Series(None, index=f.index)

        recipient = f[col["recipient"]].str.strip()
        regional = recipient.str.contains(REGIONAL)
        codes = f[col["iso3"]].str.strip() if "iso3" in col else recipient
        iso = matcher.column(
            codes.where(~regional, ""),
            file=t.file,
            column=col.get("iso3", col["recipient"]),
            rows=t.rows,
            problems=problems,
            fallback=recipient,
            allow_empty=True,
        )
        if regional.any():
            notes.append(f"{p.name}: {int(regional.sum())} regional projects kept with iso3 NULL")
        year = to_number(t, col["year"], problems, integer=True)
        amount = (
            to_number(t, col["amount"], problems)
            if "amount" in col
            else pd.Series(float("nan"), index=f.index)
        )
        ids = f[col["id"]].str.strip()
        dup = ids.duplicated()
        for i in dup[dup].index:
            problems.add(t.file, int(t.rows[i]), col["id"], f"duplicate record id {ids.iloc[i]!r}")
        out = pd.DataFrame(
            {
                "source": "gcdf",
                "source_id": "gcdf-" + ids,
                "year": year,
                "month": float("nan"),
                "iso3": iso,
                "country_name": recipient,
                "sector": text("sector"),
                "subsector": None,
                "amount_usd": amount,
                "investor": text("investor"),
                "counterparty": text("counterparty"),
                "project_type": text("type"),
                "status": text("status"),
                "title": text("title"),
                "bri": None,
                "region_name": text("region"),
                "record_json": record_json(f),
            }
        )
        frames.append(settle(problems, ctx, "GCDF import rejected", out, t.file, t.rows))
    frame = pd.concat(frames, ignore_index=True).drop_duplicates("source_id", keep="last")
    return [Output("tracker_projects", frame=finish(frame), part=PART, notes=notes)]
