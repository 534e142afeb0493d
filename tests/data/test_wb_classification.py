"""World Bank region and income classification (FY2026) shipped as reference data."""

from __future__ import annotations

import csv
from collections import Counter
from importlib import resources

from silkhub.data.importers.countries import known_iso3
from silkhub.data.reference.queries import get_country


def _rows() -> list[dict[str, str]]:
    text = resources.files("silkhub.data.reference").joinpath("wb_classification.csv")
    return list(csv.DictReader(text.read_text("utf-8").splitlines()))


def test_every_wb_economy_with_an_iso_code() -> None:
    rows = _rows()
    # 218 WB economies minus the Channel Islands (no ISO 3166 code)
    assert len(rows) == 217
    assert all(r["iso3"] in known_iso3() for r in rows)
    # FY2026 counts: 26 low, 50 lower-middle, 54 upper-middle, 87 high (incl. Channel Islands),
    # Venezuela unclassified
    assert Counter(r["income"] for r in rows) == {
        "Low income": 26,
        "Lower middle income": 50,
        "Upper middle income": 54,
        "High income": 86,
        "": 1,
    }


def test_loaded_into_the_country_table(sqlite_runtime) -> None:  # type: ignore[no-untyped-def]
    with sqlite_runtime.session() as s:
        chn = get_country(s, "CHN")
        assert (chn.wb_region, chn.wb_income) == ("East Asia & Pacific", "Upper middle income")
        assert get_country(s, "CRI").wb_income == "High income"  # reclassified July 2025
        assert get_country(s, "KAZ").wb_region == "Europe & Central Asia"
