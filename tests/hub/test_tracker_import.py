import json
from datetime import date

import pandas as pd
import pytest

from silkhub.errors import DataMissingError
from silkhub.hub import lifecycle, tracker_import
from silkhub.hub import projects as pj
from tests.hub.conftest import SYSTEM


def _frame(rows):
    cols = ["source", "source_id", "year", "month", "iso3", "country_name", "sector", "subsector",
            "amount_usd", "investor", "counterparty", "project_type", "status", "title", "bri",
            "region_name", "record_json"]  # fmt: skip
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows])


GCDF = [
    {"source": "gcdf", "source_id": "gcdf-1", "year": 2015, "iso3": "KEN",
     "sector": "TRANSPORT AND STORAGE",
     "amount_usd": 3.2e9, "project_type": "Loan", "status": "Completion", "title": "Railway",
     "record_json": json.dumps({"Commitment.Date.(MM/DD/YYYY)": "2014-05-11",
                                "Actual.Implementation.Start.Date.(MM/DD/YYYY)": "2014-10-01",
                                "Actual.Completion.Date.(MM/DD/YYYY)": "2017-05-31"})},
    {"source": "gcdf", "source_id": "gcdf-2", "year": 2019, "iso3": None, "sector": "ENERGY",
     "amount_usd": None, "status": "Pipeline: Commitment", "title": "Regional grid",
     "record_json": "{}"},
]  # fmt: skip
CGIT = [
    {"source": "cgit", "source_id": "cgit-a", "year": 2018, "month": 3, "iso3": "PAK",
     "sector": "Energy", "subsector": "Hydro", "amount_usd": 1.74e9, "project_type": "greenfield",
     "title": "China Three Gorges – (Pakistan)", "record_json": json.dumps({"Year": "2018"})},
]  # fmt: skip


def test_stage_history_mapping():
    rec = json.loads(GCDF[0]["record_json"])
    assert tracker_import.stage_history("gcdf", GCDF[0], rec) == [
        ("signed", date(2014, 5, 11)),
        ("under_construction", date(2014, 10, 1)),
        ("operational", date(2017, 5, 31)),
    ]
    assert tracker_import.stage_history("cgit", CGIT[0], {}) == [("signed", date(2018, 3, 1))]


@pytest.mark.parametrize(
    ("label", "isic"),
    [
        ("Energy / Hydro", "35"),
        ("TRANSPORT AND STORAGE", "H"),
        ("Real estate", "68"),
        ("Misc", None),
    ],
)
def test_sector_mapping(label, isic):
    assert tracker_import.sector_to_isic(label) == isic


def test_import_is_idempotent_and_keeps_the_record(session):
    s1 = tracker_import.import_tracker(session, SYSTEM, _frame(GCDF), "gcdf")
    assert (s1.created, s1.without_country) == (2, 1)
    s2 = tracker_import.import_tracker(session, SYSTEM, _frame(GCDF), "gcdf")
    assert (s2.created, s2.updated, s2.unchanged) == (0, 0, 2)
    tracker_import.import_tracker(session, SYSTEM, _frame(CGIT), "cgit")
    page = pj.list_projects(session, SYSTEM, pj.ProjectFilters(source="gcdf"), sort="id")
    rail = page.items[0]
    assert (rail.stage, rail.visibility, rail.value_currency, rail.value_year) == (
        "operational",
        "public",
        "USD",
        2021,
    )
    assert rail.record_json["Actual.Completion.Date.(MM/DD/YYYY)"] == "2017-05-31"
    assert rail.source_dataset == "tracker_projects" and rail.source_row == "gcdf-1"
    # 2014-05-11 → 2017-05-31: 1116 days
    assert lifecycle.time_between(session, "signed", "operational").by_project == {rail.id: 1116}
    assert len(lifecycle.reached(session, "signed", year=2018)) == 1  # the CGIT deal


def test_missing_tracker_data_says_how_to_get_it(tmp_path):
    with pytest.raises(DataMissingError) as exc:
        tracker_import.read_tracker("cgit", store_root=tmp_path)
    assert "silkhub data import cgit" in exc.value.message


def test_real_cgit_file_imports(session, shared_data):
    frame = tracker_import.read_tracker("cgit", path=shared_data / "bri_projects" / "chitfull.csv")
    s = tracker_import.import_tracker(session, SYSTEM, frame, "cgit")
    assert s.created == 3335
