"""The analytics store: versions, views, atomic publishing, catalog history."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from silkhub.data.store import AnalyticsStore, NewVersion
from silkhub.errors import DataMissingError, ValidationError


def _meta(sha: str = "a" * 64) -> NewVersion:
    return NewVersion(source="test", sha256=sha, importer="tests", importer_version="0")


def _frame(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "iso3": ["CHN", "KAZ"][: len(values)],
            "indicator": "X",
            "year": pd.array([2019, 2020][: len(values)], dtype="int32"),
            "value": values,
        }
    )


def test_publish_creates_a_view_with_the_canonical_types(store: AnalyticsStore) -> None:
    entry = store.publish_frame("wdi", _frame([1.0, 2.0]), _meta(), partition_by_year=True)
    assert entry.version == 1 and entry.rows == 2 and entry.years == [2019, 2020]
    con = store.connect()
    assert con.sql("DESCRIBE wdi").fetchall()[2][:2] == ("year", "INTEGER")
    assert con.sql("SELECT sum(value) FROM wdi").fetchall() == [(3.0,)]
    assert store.has("wdi") and not store.has("baci")
    assert [e.name for e in store.datasets()] == ["wdi"]


def test_new_version_replaces_old_and_catalog_keeps_both(store: AnalyticsStore) -> None:
    store.publish_frame("wdi", _frame([1.0, 2.0]), _meta("a" * 64))
    store.publish_frame("wdi", _frame([5.0]), _meta("b" * 64))
    assert store.read("wdi")["value"].tolist() == [5.0]
    versions = store.versions("wdi")
    assert [(v.version, v.sha256[0], v.rows, v.current) for v in versions] == [
        (1, "a", 2, False),
        (2, "b", 1, True),
    ]
    store.activate("wdi", 1)
    assert store.read("wdi")["value"].sum() == 3.0


def test_a_writer_killed_midway_leaves_the_previous_version_intact(
    store: AnalyticsStore,
) -> None:
    store.publish_frame("wdi", _frame([1.0, 2.0]), _meta("a" * 64))

    def dying_writer(directory: Path) -> None:
        _frame([9.0]).to_parquet(directory / "part-0.parquet")  # half of the files written …
        raise KeyboardInterrupt("killed")  # … then the process is interrupted

    with pytest.raises(KeyboardInterrupt):
        store.publish("wdi", dying_writer, _meta("c" * 64))
    assert store.read("wdi")["value"].tolist() == [1.0, 2.0]
    assert [v.version for v in store.versions("wdi")] == [1]
    assert list((store.root / ".staging").iterdir()) == []  # nothing half-written is left


def test_missing_dataset_and_bad_names(store: AnalyticsStore) -> None:
    with pytest.raises(DataMissingError, match="silkhub data import"):
        store.entry("baci")
    with pytest.raises(ValidationError):
        store.publish_frame("Bad-Name", _frame([1.0]), _meta())


def test_empty_output_is_refused(store: AnalyticsStore) -> None:
    with pytest.raises(ValidationError, match="no data"):
        store.publish("wdi", lambda d: None, _meta())
    assert not store.has("wdi")


def test_an_import_writing_two_datasets_is_atomic_as_a_whole(
    store: AnalyticsStore, fixtures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from silkhub.data.importers import runner

    first = runner.run_import(store, "openflights", fixtures / "openflights")
    assert [r.version for r in first] == [1, 1]
    calls = {"n": 0}
    real_stage = AnalyticsStore.stage

    def stage_then_die(self, staged, name, write, meta):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:  # the first dataset is staged, the second dies while writing
            raise KeyboardInterrupt("killed")
        return real_stage(self, staged, name, write, meta)

    monkeypatch.setattr(AnalyticsStore, "stage", stage_then_die)
    with pytest.raises(KeyboardInterrupt):
        runner.run_import(store, "openflights", fixtures / "openflights", force=True)
    assert [(e.name, e.version) for e in store.datasets()] == [
        ("air_connectivity", 1),
        ("air_routes", 1),
    ]
    assert list((store.root / ".staging").iterdir()) == []


def test_a_baci_import_killed_inside_the_writer_keeps_the_old_version(
    store: AnalyticsStore, fixtures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from silkhub.data.importers import baci, runner

    runner.run_import(store, "baci", fixtures / "BACI_HS17_Y2017_V202301.csv")
    before = store.read("baci")

    def die(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")  # after the Parquet files were written

    monkeypatch.setattr(baci, "_collect_problems", die)
    with pytest.raises(RuntimeError):
        runner.run_import(store, "baci", fixtures / "BACI_HS17_Y2017_V202301.csv", force=True)
    assert store.read("baci").equals(before)
    assert [v.version for v in store.versions("baci")] == [1]


def test_a_dataset_whose_files_were_deleted_does_not_break_the_others(
    store: AnalyticsStore,
) -> None:
    import shutil

    store.publish_frame("wdi", _frame([1.0]), _meta("a" * 64))
    gone = store.publish_frame("other", _frame([2.0]), _meta("b" * 64))
    shutil.rmtree(store.root / gone.path)
    con = store.connect()
    assert con.sql("SELECT value FROM wdi").fetchall() == [(1.0,)]
