"""AEI/Heritage China Global Investment Tracker (``chitfull.csv``) -> ``tracker_projects``.

Five preamble lines precede the header ``Year, Month, Chinese Entity, Quantity in Millions,
Share size, Transaction Party, Sector, Subsector, Country, Region, BRI, Greenfield``.
``Quantity in Millions`` looks like ``" $\\t1.740 "``: ``$``, a tab, spaces and ``.`` as the
thousands separator (US$ millions; stored ×1e6 as ``amount_usd``). ``BRI`` is 1/0/empty,
``Greenfield`` ``G`` or empty (-> ``project_type`` ``greenfield``). The file has no project id:
``source_id`` is a hash of year, month, entity, amount, party, sector and country.
Importing CGIT replaces only the ``cgit`` rows of ``tracker_projects``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from silkhub.data.importers.base import (
    ImportContext,
    Output,
    Problems,
    empty_to_none,
    read_csv_checked,
    settle,
    to_number,
)
from silkhub.data.importers.countries import CountryMatcher
from silkhub.data.importers.trackers import MONTHS, finish, record_json, stable_ids

VERSION = "1.0"
SOURCE = "cgit"
TITLE = "China Global Investment Tracker (AEI & Heritage Foundation)"
SOURCE_URL = "https://www.aei.org/china-global-investment-tracker/"
SOURCE_VERSION = "Dataset 1+2 combined, Feb 2020 (uni-sabia/china_bri@6bf17d1 chitfull.csv)"
LICENCE = "© AEI and The Heritage Foundation, all rights reserved; research use with attribution"
DATASETS = ("tracker_projects",)
PART = "cgit"

REQUIRED = (
    "Year", "Month", "Chinese Entity", "Quantity in Millions", "Transaction Party",
    "Sector", "Subsector", "Country", "Region", "BRI", "Greenfield",
)  # fmt: skip


def collect(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(path.glob("chit*.csv"))


def _preamble(path: Path, encoding: str | None) -> int:
    with path.open(encoding=encoding or "utf-8", errors="replace") as fh:
        for i, line in enumerate(fh):
            if line.startswith("Year,") or line.startswith('"Year"'):
                return i
            if i > 20:
                break
    return 0


def _clean_amount(s: pd.Series) -> pd.Series:
    return (
        s.str.replace(r"[\s$]", "", regex=True)
        .str.replace(".", "", regex=False)
        .str.replace(",", ".", regex=False)
    )


def run(ctx: ImportContext) -> list[Output]:
    problems = Problems()
    matcher = CountryMatcher()
    frames = []
    for p in ctx.paths:
        t = read_csv_checked(
            p, REQUIRED, encoding=ctx.encoding, sep=ctx.sep, skiprows=_preamble(p, ctx.encoding)
        )
        f = t.frame
        year = to_number(t, "Year", problems, integer=True, required=True)
        amount = to_number(t, "Quantity in Millions", problems, clean=_clean_amount, required=True)
        month = f["Month"].str.strip().str.lower().map(MONTHS)
        for i in (month.isna() & (f["Month"].str.strip() != "")).to_numpy().nonzero()[0]:
            problems.add(t.file, int(t.rows[i]), "Month", f"{f['Month'].iloc[i]!r} is not a month")
        bri_txt = f["BRI"].str.strip()
        for i in (~bri_txt.isin(["", "0", "1"])).to_numpy().nonzero()[0]:
            problems.add(t.file, int(t.rows[i]), "BRI", f"{bri_txt.iloc[i]!r} is not 1, 0 or empty")
        iso = matcher.column(
            f["Country"], file=t.file, column="Country", rows=t.rows, problems=problems
        )
        entity, party = empty_to_none(f["Chinese Entity"]), empty_to_none(f["Transaction Party"])
        sector = empty_to_none(f["Sector"])
        out = pd.DataFrame(
            {
                "source": "cgit",
                "source_id": stable_ids(
                    "cgit",
                    f[
                        [  # the identifying fields
                            "Year",
                            "Month",
                            "Chinese Entity",
                            "Quantity in Millions",
                            "Transaction Party",
                            "Sector",
                            "Country",
                        ]
                    ],
                ),
                "year": year,
                "month": month,
                "iso3": iso,
                "country_name": empty_to_none(f["Country"]),
                "sector": sector,
                "subsector": empty_to_none(f["Subsector"]),
                "amount_usd": amount * 1e6,
                "investor": entity,
                "counterparty": party,
                "project_type": f["Greenfield"].str.strip().map({"G": "greenfield"}),
                "status": None,
                "title": [
                    f"{e or '?'} – {c or s or ''} ({k})"
                    for e, c, s, k in zip(entity, party, sector, f["Country"], strict=True)
                ],
                "bri": bri_txt.map({"1": True, "0": False}),
                "region_name": empty_to_none(f["Region"]),
                "record_json": record_json(f),
            }
        )
        frames.append(settle(problems, ctx, "CGIT import rejected", out, t.file, t.rows))
    frame = finish(pd.concat(frames, ignore_index=True))
    return [Output("tracker_projects", frame=frame, part=PART)]
