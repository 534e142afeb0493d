"""One complementarity question, one answer: service, API, CLI, gravity target list (web
``/partners``) and the matchmaking trade part pick the same dataset and give the same TCI.

Before the registry the API/CLI took ``baci, comtrade, china_br65_trade, wits_2009`` (and failed
on ``china_br65_trade``, which holds all-goods totals only), the target list looked only at
``baci, comtrade`` (no complementarity at all here) and matchmaking took ``wits_2009`` at its
latest year. The store below has ``china_br65_trade`` and ``wits_2009`` for 2016.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from silkhub.analytics import partners
from silkhub.analytics.gravity_service import GravityService
from silkhub.analytics.match_trade import trade_fit
from silkhub.data.store import AnalyticsStore, NewVersion

# CHN exports p1 60, p2 40 (shares 0.6/0.4); KAZ imports p1 50, p2 50:
# TCI = 100 * (1 - (|0.5-0.6| + |0.5-0.4|) / 2) = 90
# RUS imports p1 20, p2 80: TCI = 100 * (1 - (0.4 + 0.4) / 2) = 60
PRODUCT_ROWS = [
    (2016, "CHN", "KAZ", "p1", 50.0),
    (2016, "CHN", "RUS", "p1", 10.0),
    (2016, "CHN", "RUS", "p2", 40.0),
    (2016, "VNM", "KAZ", "p2", 50.0),
    (2016, "VNM", "RUS", "p1", 10.0),
    (2016, "VNM", "RUS", "p2", 40.0),
]
TOTAL_ROWS = [
    (2016, "CHN", "KAZ", "TOTAL", 500.0),
    (2016, "KAZ", "CHN", "TOTAL", 70.0),
    (2016, "CHN", "RUS", "TOTAL", 900.0),
]
KAZ_TCI = 90.0


def _frame(rows: list[tuple[int, str, str, str, float]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["year", "exporter", "importer", "product", "value_usd"])
    df["year"] = df["year"].astype("int32")
    df["quantity"] = np.nan
    return df


def publish(root: Path) -> AnalyticsStore:
    store = AnalyticsStore(root)
    for name, rows in (("china_br65_trade", TOTAL_ROWS), ("wits_2009", PRODUCT_ROWS)):
        meta = NewVersion(
            source="test", sha256=f"{name:0<64}"[:64], importer="tests", importer_version="1"
        )
        store.publish_frame(name, _frame(rows), meta)
    return store


@pytest.fixture
def store_con(tmp_path: Path):
    store = publish(tmp_path)
    con = store.connect()
    yield tmp_path, con
    con.close()


def test_service_match_and_targets_agree(store_con, sqlite_runtime) -> None:
    root, con = store_con
    assert isinstance(con, duckdb.DuckDBPyConnection)
    with sqlite_runtime.session() as s:
        r = partners.complementarity(con, s, exporter="CHN", importer="KAZ", year=2016)
        fit = trade_fit(con, s, "CHN", ["KAZ", "RUS"])
    assert r["dataset"] == "wits_2009"
    assert r["tci"] == pytest.approx(KAZ_TCI)
    assert fit["CHN", "KAZ"] == pytest.approx(KAZ_TCI / 100)
    assert fit["CHN", "RUS"] == pytest.approx(0.60)
    scored, meta = GravityService(root / "gravity", shared=None, store_root=root).targets(
        "CHN", 2016, partners=["KAZ", "RUS"]
    )
    t = scored.set_index("partner")
    assert t.loc["KAZ", "complementarity"] == pytest.approx(KAZ_TCI)
    assert t.loc["RUS", "complementarity"] == pytest.approx(60.0)
    assert "wits_2009 2016" in meta["complementarity_source"]


def test_a_year_no_dataset_covers_is_refused_the_same_way(store_con, sqlite_runtime) -> None:
    from silkhub.errors import ValidationError

    _, con = store_con
    with sqlite_runtime.session() as s, pytest.raises(ValidationError) as exc:
        partners.complementarity(con, s, exporter="CHN", importer="KAZ", year=2017)
    assert exc.value.key == "analytics.year_not_covered"
    assert exc.value.params["year"] == 2017


@pytest.mark.parametrize("bare_runtime", ["sqlite"], indirect=True)
def test_api_and_web_give_the_same_answer(client, runtime) -> None:
    page = client.get("/partners", params={"reporter": "CHN", "year": "2016"})
    assert "complementarity and RCA fit need" in page.text  # nothing imported yet
    publish(runtime.settings.analytics_dir)
    r = client.get(
        "/api/v1/indicators/complementarity",
        params={"exporter": "CHN", "importer": "KAZ", "year": 2016},
    )
    assert r.status_code == 200, r.text
    assert r.json()["dataset"] == "wits_2009"
    assert r.json()["result"]["tci"] == pytest.approx(KAZ_TCI)
    t = client.get(
        "/api/v1/partners/targets", params={"reporter": "CHN", "year": 2016, "group": "route65"}
    )
    assert t.status_code == 200, t.text
    kaz = next(i for i in t.json()["items"] if i["partner"] == "KAZ")
    assert kaz["complementarity"] == pytest.approx(KAZ_TCI)
    page = client.get("/partners", params={"reporter": "CHN", "year": "2016"})
    assert page.status_code == 200
    assert "complementarity and RCA fit need" not in page.text  # the target list used the TCI


def test_cli_gives_the_same_answer(cli, tmp_path: Path) -> None:
    publish(tmp_path / "var" / "analytics")
    args = ["--exporter", "CHN", "--importer", "KAZ", "--year", "2016", "-f", "json"]
    r = cli("indicators", "complementarity", *args)
    assert r.exit_code == 0, r.stderr
    import json

    rows = json.loads(r.stdout)
    row = rows[0] if isinstance(rows, list) else rows
    assert row["dataset"] == "wits_2009"
    assert row["tci"] == pytest.approx(KAZ_TCI)
