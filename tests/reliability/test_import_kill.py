"""An import killed with SIGKILL while it writes (issue 18.4 b, issue 19 defect 9).

A real ``silkhub data import baci`` subprocess is killed at three moments of its write; each
time the previous version must stay current and readable, the catalog must list only complete
versions, and the next import must leave no temporary file behind.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from silkhub.data.importers.runner import run_import
from silkhub.data.store import AnalyticsStore
from tests.reliability._baci import baci_file, leftovers, partial_versions, start_import

BIG_ROWS = 1_500_000
#: moments of the write at which the import is killed
MOMENTS = {
    "reading the CSV (staging folder created)": lambda files, size: True,
    "Parquet file created, no bytes yet": lambda files, size: files > 0,
    "Parquet bytes on disk": lambda files, size: size > 0,
}


def _wait_for(store: AnalyticsStore, proc, moment, timeout: float = 60.0) -> tuple[float, int]:
    """Wait until this process's staging folder reaches ``moment``: (seconds, bytes)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            pytest.fail(f"the import ended before it was killed: {proc.communicate()}")
        dirs = list((store.root / ".staging").glob(f"baci-{proc.pid}-*"))
        if dirs:
            files = [f for d in dirs for f in d.rglob("*") if f.is_file()]
            size = sum(f.stat().st_size for f in files)
            if moment(len(files), size):
                return time.monotonic() - t0, size
        time.sleep(0.01)
    pytest.fail("the import never got there")


def test_sigkill_mid_import_keeps_the_previous_version_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "var"
    store = AnalyticsStore(data_dir / "analytics")
    small = baci_file(tmp_path / "small", 2_000, 2021)
    [v1] = run_import(store, "baci", small)
    before = store.read("baci", "year = 2021").shape
    big = baci_file(tmp_path / "big", BIG_ROWS, 2022)

    figures = []
    for label, moment in MOMENTS.items():
        proc = start_import(data_dir, big)
        t_kill, written = _wait_for(store, proc, moment)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        left = leftovers(store)
        # previous version intact and current, catalog consistent
        cur = store.entry("baci")
        assert (cur.version, cur.sha256) == (v1.version, v1.sha256)
        assert store.read("baci", "year = 2021").shape == before
        assert partial_versions(store) == []
        figures.append((label, t_kill, written, len(left)))

    # the next operation (another import) tidies everything the killed ones left
    other = baci_file(tmp_path / "other", 2_000, 2023)
    [v2] = run_import(store, "baci", other)
    assert v2.status == "imported"
    assert leftovers(store) == []
    assert partial_versions(store) == []
    assert [v.version for v in store.versions("baci")] == [1, 2]

    for label, t_kill, written, n_left in figures:
        print(  # noqa: T201
            f"SIGKILL at {t_kill:4.1f} s, {label} ({written / 1e6:.1f} MB staged): "
            f"{n_left} leftover(s) until the next import, 0 after; previous version current"
        )
    n = len(MOMENTS)
    print(f"partial imports: 0 of {n} killed imports ({BIG_ROWS:,} rows each)")  # noqa: T201
