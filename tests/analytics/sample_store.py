"""Publish the tiny hand-made datasets into a real analytics store (API and CLI tests)."""

from __future__ import annotations

from pathlib import Path

from silkhub.data.store import AnalyticsStore, NewVersion
from tests.analytics.conftest import PRODUCTS, TOTALS, exports_only, wdi


def publish_samples(root: Path) -> AnalyticsStore:
    store = AnalyticsStore(root)
    for name, frame in {
        "china_br65_trade": TOTALS,
        "baci": PRODUCTS,
        "world_trade_2017_hs4": exports_only(),
        "wdi": wdi(),
    }.items():
        meta = NewVersion(
            source="test", sha256=f"{name:0<64}"[:64], importer="tests", importer_version="1"
        )
        store.publish_frame(name, frame, meta)
    return store
