"""Complexity computed once per dataset version, bounded, on disk (issue 19, defect 6)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from silkhub.analytics import complexity as svc
from silkhub.data.store import AnalyticsStore, NewVersion
from silkhub.errors import ValidationError
from tests.analytics.conftest import exports_only


def _meta(sha: str) -> NewVersion:
    return NewVersion(source="test", sha256=sha, importer="tests", importer_version="0")


@pytest.fixture
def store(tmp_path: Path) -> AnalyticsStore:
    s = AnalyticsStore(tmp_path / "analytics")
    s.publish_frame("trade", exports_only(), _meta("a" * 64))
    svc.clear_memory_cache()
    yield s
    svc.clear_memory_cache()


def _no_compute(*a: object, **k: object) -> None:
    raise AssertionError("recomputed instead of read from the cache")


def test_cached_equals_compute_and_is_read_back_from_disk(
    store: AnalyticsStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = store.connect()
    ref = svc.compute(con, dataset="trade", year=2017)
    res = svc.cached(store, "trade", 2017, con=con)
    np.testing.assert_allclose(res.eci, ref.eci, atol=1e-12)
    np.testing.assert_allclose(res.cog, ref.cog, atol=1e-12)
    assert res.countries == ref.countries and res.products == ref.products
    folder = store.derived_dir(store.entry("trade"))
    assert [p.name for p in folder.iterdir() if p.is_dir()] == ["complexity-y2017-l0-t1"]
    # another worker (empty memory cache) reads the files, memory-mapped, and computes nothing
    svc.clear_memory_cache()
    monkeypatch.setattr(svc, "bounded_matrix", _no_compute)
    again = svc.cached(store.root, "trade", 2017)
    assert isinstance(again.cog, np.memmap)
    np.testing.assert_array_equal(again.eci, res.eci)
    assert svc.what_next(again, None, "CHN", top=3).shape[0] == 3


def test_a_new_version_gets_a_new_result_and_the_old_one_is_removed(
    store: AnalyticsStore,
) -> None:
    first = svc.cached(store, "trade", 2017)
    old = store.derived_dir(store.entry("trade"))
    df = exports_only()
    df.loc[df.exporter == "CHN", "value_usd"] *= 10
    store.publish_frame("trade", df, _meta("b" * 64))
    assert not old.exists()
    second = svc.cached(store, "trade", 2017)
    assert not np.allclose(first.eci, second.eci)


def test_bounds_coarsen_the_level_on_pages_and_refuse_elsewhere(
    store: AnalyticsStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    df = exports_only()  # 30 HS6 codes in 6 HS4 headings: 840000…840004, 840100 …
    j = df["product"].astype(int) - 8400
    df["product"] = (8400 + j // 5).astype(str) + (j % 5).map("{:02d}".format)
    store.publish_frame("trade6", df, _meta("c" * 64))
    monkeypatch.setattr(svc, "MAX_PRODUCTS", 10)
    res = svc.cached(store, "trade6", 2017, auto_level=True)
    assert res.products == [f"{8400 + k}" for k in range(6)]
    with pytest.raises(ValidationError, match="30 products; complexity is limited to 300 × 10"):
        svc.cached(store, "trade6", 2017)
    # the refusal is remembered for this version: no second aggregation
    svc.clear_memory_cache()
    monkeypatch.setattr(svc, "bounded_matrix", _no_compute)
    with pytest.raises(ValidationError, match="limited to"):
        svc.cached(store, "trade6", 2017)


def test_errors_are_checked_before_anything_is_computed(store: AnalyticsStore) -> None:
    with pytest.raises(ValidationError, match="threshold"):
        svc.cached(store, "trade", 2017, threshold=0)
    with pytest.raises(ValidationError, match="out of range"):
        svc.cached(store, "trade", 1990)


def test_concurrent_first_views_compute_once(
    store: AnalyticsStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    calls: list[int] = []
    real = svc.bounded_matrix

    def counted(*a: object, **k: object):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(svc, "bounded_matrix", counted)
    out: list[object] = []
    threads = [
        threading.Thread(target=lambda: out.append(svc.cached(store.root, "trade", 2017)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 4 and len(calls) == 1  # the others waited for the file lock, then read
