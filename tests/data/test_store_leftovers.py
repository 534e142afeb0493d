"""Leftovers of dead imports (issue 19, defect 9): staging folders, unrecorded version folders,
catalog temporaries, and the per-dataset import lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from silkhub.data.catalog import Catalog
from silkhub.data.importers import runner
from silkhub.data.store import VERSION_META, AnalyticsStore, ImportBusyError, NewVersion

FIXTURES = Path(__file__).parent / "fixtures"
DEAD_PID = 4_000_000  # above pid_max on Linux: no such process


def _meta(sha: str = "a" * 64) -> NewVersion:
    return NewVersion(source="test", sha256=sha, importer="tests", importer_version="0")


def _frame(v: float) -> pd.DataFrame:
    return pd.DataFrame({"iso3": ["CHN"], "year": [2020], "value": [v]})


def _leftover(store: AnalyticsStore, name: str) -> Path:
    d = store.root / ".staging" / name
    d.mkdir(parents=True)
    _frame(0.0).to_parquet(d / "part.parquet")
    return d


def test_staging_of_dead_imports_is_removed_at_the_next_import(store: AnalyticsStore) -> None:
    store.publish_frame("wdi", _frame(1.0), _meta())
    dead = _leftover(store, f"baci-{DEAD_PID}-{'0' * 32}")
    spill = _leftover(store, f"baci-{DEAD_PID}-{'0' * 32}.tmp")
    legacy = _leftover(store, "f" * 32)  # older silkhub: kept for 6 h
    store.publish_frame("wdi", _frame(2.0), _meta("b" * 64))
    assert not dead.exists() and not spill.exists()
    assert legacy.exists()
    os.utime(legacy, (time.time() - 7 * 3600,) * 2)
    store.clean_staging()
    assert sorted(p.name for p in (store.root / ".staging").iterdir()) == []


def _hold_lock(root: Path, name: str, ready: Path, staging: bool = False) -> subprocess.Popen:
    code = textwrap.dedent(
        f"""
        import os, time, uuid
        from pathlib import Path
        from silkhub.data.store import AnalyticsStore
        s = AnalyticsStore(Path({str(root)!r}))
        with s.import_lock({name!r}):
            if {staging!r}:
                d = s.root / ".staging" / f"{name}-{{os.getpid()}}-{{uuid.uuid4().hex}}"
                d.mkdir(parents=True)
            Path({str(ready)!r}).write_text("ok")
            time.sleep(30)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 20
    while not ready.exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    return proc


def test_live_staging_of_another_process_is_kept(store: AnalyticsStore, tmp_path: Path) -> None:
    proc = _hold_lock(store.root, "baci", tmp_path / "ready", staging=True)
    try:
        store.publish_frame("wdi", _frame(1.0), _meta())
        assert [p.name.split("-")[0] for p in (store.root / ".staging").iterdir()] == ["baci"]
    finally:
        proc.kill()
        proc.wait()
    store.publish_frame("wdi", _frame(2.0), _meta("b" * 64))  # the owner is dead now
    assert list((store.root / ".staging").iterdir()) == []


def test_a_second_import_of_a_dataset_being_imported_gets_a_clear_error(
    store: AnalyticsStore, tmp_path: Path
) -> None:
    proc = _hold_lock(store.root, "baci", tmp_path / "ready")
    try:
        with pytest.raises(ImportBusyError) as exc:
            runner.run_import(store, "baci", FIXTURES / "BACI_HS17_Y2017_V202301.csv")
        assert f"process {proc.pid}" in exc.value.message
        assert exc.value.status == 409 and exc.value.code == "import-busy"
        store.publish_frame("wdi", _frame(1.0), _meta())  # other datasets are not blocked
        waiting = AnalyticsStore(store.root, lock_wait=0.3)
        with pytest.raises(ImportBusyError):
            waiting.publish_frame("baci", _frame(1.0), _meta())
    finally:
        proc.kill()
        proc.wait()
    assert not store.has("baci")
    [res] = runner.run_import(store, "baci", FIXTURES / "BACI_HS17_Y2017_V202301.csv")
    assert res.status == "imported" and res.version == 1


def test_threads_of_one_process_are_serialised_too(store: AnalyticsStore) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(directory: Path) -> None:
        started.set()
        release.wait(10)
        _frame(1.0).to_parquet(directory / "a.parquet")

    t = threading.Thread(target=lambda: store.publish("wdi", slow, _meta()))
    t.start()
    try:
        assert started.wait(10)
        with pytest.raises(ImportBusyError):
            store.publish_frame("wdi", _frame(2.0), _meta("b" * 64))
    finally:
        release.set()
        t.join()
    assert [v.version for v in store.versions("wdi")] == [1]


def test_the_lock_is_reentrant_within_a_thread(store: AnalyticsStore) -> None:
    with store.import_lock("wdi", "wdi"), store.import_lock("wdi"):
        store.publish_frame("wdi", _frame(1.0), _meta())
    assert store.entry("wdi").version == 1


def _crash_after_rename(store: AnalyticsStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def died(self: Catalog, entries: object, **kw: object) -> None:
        raise KeyboardInterrupt("killed between the rename and the catalog write")

    with monkeypatch.context() as m:
        m.setattr(Catalog, "add_versions", died)
        # as after SIGKILL: no cleanup of the process runs
        m.setattr("silkhub.data.store.shutil.rmtree", lambda *a, **k: None)
        with pytest.raises(KeyboardInterrupt):
            store.publish_frame("wdi", _frame(2.0), _meta("b" * 64))


def test_a_version_folder_left_by_a_crash_after_the_rename_is_recovered(
    store: AnalyticsStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.publish_frame("wdi", _frame(1.0), _meta())
    _crash_after_rename(store, monkeypatch)
    orphan = store.root / "datasets" / "wdi" / f"v2-{'b' * 12}"
    assert (orphan / VERSION_META).exists() and store.entry("wdi").version == 1
    store.publish_frame("wdi", _frame(3.0), _meta("c" * 64))  # used to fail: folder exists
    vs = store.versions("wdi")
    assert [(v.version, v.sha256[0], v.current) for v in vs] == [
        (1, "a", False),
        (2, "b", False),
        (3, "c", True),
    ]
    assert "recovered" in vs[1].notes[-1]
    store.activate("wdi", 2)
    assert store.read("wdi")["value"].tolist() == [2.0]


def test_an_unrecorded_folder_without_provenance_is_removed(
    store: AnalyticsStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.publish_frame("wdi", _frame(1.0), _meta())
    _crash_after_rename(store, monkeypatch)
    orphan = store.root / "datasets" / "wdi" / f"v2-{'b' * 12}"
    (orphan / VERSION_META).unlink()
    done = store.recover_versions("wdi")
    assert done == [f"removed unrecorded version folder datasets/wdi/{orphan.name}"]
    assert not orphan.exists()
    assert store.publish_frame("wdi", _frame(3.0), _meta("c" * 64)).version == 2


def test_a_folder_in_the_way_never_blocks_a_commit(store: AnalyticsStore) -> None:
    """Even without the recovery pass (a writer without the lock), the commit takes the next
    free number instead of failing on the rename."""
    store.publish_frame("wdi", _frame(1.0), _meta())
    (store.root / "datasets" / "wdi" / f"v2-{'b' * 12}").mkdir()
    staged: list = []  # a plain list: no lock, no recovery pass
    store.stage(staged, "wdi", store.frame_writer(_frame(2.0)), _meta("b" * 64))
    [e] = store.commit(staged)
    assert e.version == 3 and store.read("wdi")["value"].tolist() == [2.0]


def test_catalog_temporaries_of_a_killed_writer_are_removed(store: AnalyticsStore) -> None:
    store.publish_frame("wdi", _frame(1.0), _meta())
    tmp = store.root / ".catalog-abc123.json"
    tmp.write_text('{"half": ')
    store.publish_frame("wdi", _frame(2.0), _meta("b" * 64))
    assert not tmp.exists()
    assert json.loads((store.root / "catalog.json").read_text())["datasets"]["wdi"]["current"] == 2


def test_an_identical_file_does_not_make_a_new_version(store: AnalyticsStore) -> None:
    path = FIXTURES / "BACI_HS17_Y2017_V202301.csv"
    [first] = runner.run_import(store, "baci", path)
    [again] = runner.run_import(store, "baci", path)
    assert (first.status, again.status) == ("imported", "unchanged")
    assert again.version == first.version and len(store.versions("baci")) == 1
