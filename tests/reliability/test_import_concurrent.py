"""Two imports of one dataset at the same time (issue 18.4 b, issue 19 defect 9).

Two real ``silkhub data import baci`` processes on the same file: one publishes a version, the
other stops with a clear "being imported" error (409 ``import-busy``) or, if it came second,
finds the file unchanged. Never two identical versions, never a partial one.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from silkhub.data.importers.runner import run_import
from silkhub.data.store import AnalyticsStore, ImportBusyError
from tests.reliability._baci import (
    SILKHUB,
    baci_file,
    cli_env,
    leftovers,
    partial_versions,
    start_import,
)

ROWS = 600_000


def _outcome(rc: int, out: str, err: str) -> str:
    text = out + err
    if rc == 0 and "unchanged" in text:
        return "unchanged"
    if rc == 0:
        return "imported"
    if "is being imported" in text:
        return "busy"
    return f"failed rc={rc}: {text[-500:]}"


def test_two_concurrent_imports_of_one_dataset_one_wins_cleanly(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    store = AnalyticsStore(data_dir / "analytics")
    path = baci_file(tmp_path / "in", ROWS, 2022)
    # create the data dir's database first: two CLI processes starting on a fresh data dir race
    # on creating its tables (a startup matter, not the import's)
    subprocess.run([*SILKHUB, "data", "list"], env=cli_env(data_dir), check=True,
                   capture_output=True)  # fmt: skip

    # 1. started together
    t0 = time.monotonic()
    procs = [start_import(data_dir, path) for _ in range(2)]
    together = sorted(_outcome(p.wait(), *p.communicate()) for p in procs)
    t_together = time.monotonic() - t0
    assert together in (["busy", "imported"], ["imported", "unchanged"]), together
    assert [v.version for v in store.versions("baci")] == [1]

    # 2. a second import (here in this process: no start-up delay) while a CLI import holds
    #    the lock: a clear error at once, not a silent wait nor a copy
    other = baci_file(tmp_path / "in2", ROWS, 2023)
    first = start_import(data_dir, other)
    lock = store.root / ".locks" / "baci.lock"
    deadline = time.monotonic() + 30
    while not (lock.exists() and lock.read_text().startswith("{")):
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    holder = json.loads(lock.read_text())
    t1 = time.monotonic()
    with pytest.raises(ImportBusyError) as busy:
        run_import(store, "baci", other)
    t_busy = time.monotonic() - t1
    assert f"process {holder['pid']}" in busy.value.message
    rc1, (out1, err1) = first.wait(), first.communicate()
    assert _outcome(rc1, out1, err1) == "imported"

    versions = store.versions("baci")
    assert [v.version for v in versions] == [1, 2]
    assert len({v.sha256 for v in versions}) == 2  # no duplicate of an identical file
    assert partial_versions(store) == []
    # the next import tidies anything left (there should be nothing)
    [again] = run_import(store, "baci", other)
    assert again.status == "unchanged"
    assert leftovers(store) == []
    print(  # noqa: T201
        f"started together: {together} in {t_together:.1f} s; a second import while one "
        f"held the lock: busy after {t_busy * 1000:.0f} ms; versions "
        f"{[v.version for v in versions]}; partial imports: 0"
    )
    print("busy message:", busy.value.message[:240])  # noqa: T201
