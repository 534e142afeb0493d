"""CGIT and GCDF -> tracker_projects (one dataset, each source replaces only its own rows)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from silkhub.data.importers.runner import run_import
from silkhub.data.store import AnalyticsStore
from silkhub.errors import DataImportError


def test_cgit_fixture_messages_and_amounts(store: AnalyticsStore, fixtures: Path) -> None:
    with pytest.raises(DataImportError) as exc:
        run_import(store, "cgit", fixtures / "chit_small.csv")
    errors = exc.value.errors
    # row numbers count the 5 preamble lines: header = row 6, data from row 7
    assert errors[0] == "chit_small.csv:9:Month: 'Smarch' is not a month"
    assert errors[1] == "chit_small.csv:9:BRI: '2' is not 1, 0 or empty"
    assert errors[2].startswith("chit_small.csv:9:Country: unknown country 'Narnia'")
    run_import(store, "cgit", fixtures / "chit_small.csv", skip_invalid=True)
    df = store.read("tracker_projects").sort_values("year")
    # " $\t1.740 " = 1,740 million (dot = thousands separator) -> 1.74e9 US$
    assert df["amount_usd"].tolist() == [500e6, 1740e6]
    assert df["iso3"].tolist() == ["BRA", "KAZ"]
    assert df["bri"].tolist()[1] is True and df["project_type"].tolist()[0] == "greenfield"
    assert json.loads(df["record_json"].iloc[1])["Chinese Entity"] == "China Railway Construction"


@pytest.mark.shared_data
def test_real_trackers_share_one_dataset(store: AnalyticsStore, shared_data: Path) -> None:
    cgit = shared_data / "bri_projects" / "chitfull.csv"
    gcdf = shared_data / "aiddata_gcdf" / "gcdf_v3_geospatial_final_input.csv"
    assert run_import(store, "cgit", cgit)[0].rows == 3335
    [res] = run_import(store, "gcdf", gcdf)
    assert res.rows == 3335 + 9404
    con = store.connect()
    assert con.sql(
        "SELECT source, count(*) FROM tracker_projects GROUP BY 1 ORDER BY 1"
    ).fetchall() == [("cgit", 3335), ("gcdf", 9404)]
    # CGIT amounts are US$ millions ≥ 100 in the source
    assert con.sql(
        "SELECT min(amount_usd) FROM tracker_projects WHERE source = 'cgit'"
    ).fetchall() == [(100e6,)]
    # re-importing CGIT is a no-op even though the dataset's version changed for GCDF
    assert run_import(store, "cgit", cgit)[0].status == "unchanged"
    # the other GCDF extract replaces only the gcdf rows
    other = shared_data / "aiddata_gcdf" / "gcdf_v3_filtered_10m_oda_oof.csv"
    assert run_import(store, "gcdf", other)[0].rows == 3335 + 961
    assert con.sql("SELECT count(*) FROM tracker_projects").fetchall() == [(3335 + 9404,)]
    assert store.connect().sql("SELECT count(*) FROM tracker_projects").fetchall() == [
        (3335 + 961,)
    ]
