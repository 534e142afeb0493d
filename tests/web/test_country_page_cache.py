"""``/countries/{iso3}`` serves complexity from the per-version cache (issue 19, defect 6)."""

from __future__ import annotations

import pytest

from silkhub.analytics import complexity
from silkhub.data.store import AnalyticsStore, NewVersion
from tests.analytics.conftest import exports_only


def test_country_page_computes_complexity_once_per_version(web, monkeypatch) -> None:
    store = AnalyticsStore(web.runtime.settings.analytics_dir)
    meta = NewVersion(source="test", sha256="a" * 64, importer="tests", importer_version="0")
    store.publish_frame("baci", exports_only(), meta)  # product-level exports, 12 countries
    r = web.get("/countries/CHN")
    assert r.status_code == 200 and 'data-testid="chart-what-next"' in r.text
    cached = [
        p
        for e in store.datasets()
        if store.derived_dir(e).is_dir()
        for p in store.derived_dir(e).glob("complexity-*")
        if (p / "meta.json").exists()
    ]
    assert cached, "no complexity result next to the version"

    def no_compute(*a: object, **k: object) -> None:
        raise AssertionError("recomputed on a page view")

    complexity.clear_memory_cache()  # as another API worker
    monkeypatch.setattr(complexity, "bounded_matrix", no_compute)
    for code in ("CHN", "KAZ"):
        r = web.get(f"/countries/{code}")
        assert r.status_code == 200
    assert 'data-testid="chart-what-next"' in web.get("/countries/CHN").text


@pytest.fixture(autouse=True)
def _forget() -> None:
    complexity.clear_memory_cache()
