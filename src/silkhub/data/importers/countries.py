"""Country-name harmonisation for importers: names or codes -> ISO3, with problems reported.

Uses :func:`silkhub.data.reference.names.to_iso3` (ISO codes, the reviewed override table,
pycountry en/zh names, country_converter). An unmatched name is a problem on every row that
carries it, with the closest known names as suggestions; nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd

from silkhub.data.importers.base import Problems
from silkhub.data.reference.countries import country_records
from silkhub.data.reference.names import suggest, to_iso3

#: World Bank aggregate / non-economy codes found in WDI files (regions, income groups ...)
WB_AGGREGATES: frozenset[str] = frozenset(
    [
        "AFE",
        "AFW",
        "ARB",
        "CEB",
        "CSS",
        "EAP",
        "EAR",
        "EAS",
        "ECA",
        "ECS",
        "EMU",
        "EUU",
        "FCS",
        "HIC",
        "HPC",
        "IBD",
        "IBT",
        "IDA",
        "IDB",
        "IDX",
        "INX",
        "LAC",
        "LCN",
        "LDC",
        "LIC",
        "LMC",
        "LMY",
        "LTE",
        "MEA",
        "MIC",
        "MNA",
        "NAC",
        "OED",
        "OSS",
        "PRE",
        "PSS",
        "PST",
        "SAS",
        "SSA",
        "SSF",
        "SST",
        "TEA",
        "TEC",
        "TLA",
        "TMN",
        "TSA",
        "TSS",
        "UMC",
        "WLD",
    ]
)

#: WB economies with a code that is not an ISO 3166 country (kept out of country tables)
NON_ISO_ECONOMIES: dict[str, str] = {"CHI": "Channel Islands"}


#: dissolved countries that trade data still carries (kept under their old ISO3 code)
HISTORICAL_ISO3: frozenset[str] = frozenset({"ANT", "CSK", "DDR", "SUN", "YMD"})


@lru_cache
def known_iso3() -> frozenset[str]:
    """ISO3 codes silkhub accepts: the reference country list plus dissolved countries."""
    return frozenset(r.iso3 for r in country_records()) | HISTORICAL_ISO3


def iso3_of(name: str) -> str | None:
    """``to_iso3`` restricted to :func:`known_iso3` (country_converter may echo unknown codes)."""
    hit = to_iso3(name)
    return hit if hit in known_iso3() else None


class CountryMatcher:
    """Cache of name -> ISO3 lookups for one import."""

    def __init__(self) -> None:
        self._cache: dict[str, str | None] = {}

    def one(self, name: object) -> str | None:
        if name is None or (isinstance(name, float) and np.isnan(name)):
            return None
        key = str(name).strip()
        if key not in self._cache:
            self._cache[key] = iso3_of(key) if key else None
        return self._cache[key]

    def column(
        self,
        values: pd.Series,
        *,
        file: str,
        column: str,
        rows: np.ndarray,
        problems: Problems,
        fallback: pd.Series | None = None,
        allow_empty: bool = False,
        ignore: Iterable[str] = (),
    ) -> pd.Series:
        """Map a column to ISO3; unmatched values become problems (with suggestions).

        ``fallback`` (e.g. a name column next to a code column) is tried where ``values``
        does not match; values in ``ignore`` map to None without a problem.
        """
        skip = set(ignore)
        uniq = pd.unique(values.fillna("").astype(str))
        mapping = {u: self.one(u) for u in uniq}
        out = values.fillna("").astype(str).map(mapping)
        if fallback is not None:
            miss = out.isna()
            if miss.any():
                fb = fallback[miss].fillna("").astype(str)
                out.loc[miss] = fb.map({u: self.one(u) for u in pd.unique(fb)})
        text = values.fillna("").astype(str).str.strip()
        unmatched = out.isna() & ~text.isin(skip)
        if allow_empty:
            unmatched &= text != ""
        hints: dict[str, str] = {}
        for i in np.flatnonzero(unmatched.to_numpy()):
            v = text.iloc[i]
            if v not in hints:
                s = suggest(v) if v else []
                hints[v] = f"; did you mean: {', '.join(s)}?" if s else ""
            reason = "empty country" if not v else f"unknown country {v!r}{hints[v]}"
            problems.add(file, int(rows[i]), column, reason)
        return out.astype(object).where(out.notna(), None)
