"""The analytics-store reader of pages and reports: which trade dataset answers "partners"."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from silkhub.data.store_reader import StoreReader

BILATERAL = {"exporter": "str", "importer": "str", "value_usd": "float", "year": "int"}
EXPORTS = {"exporter": "str", "product": "str", "value_usd": "float", "year": "int"}


def _reader(**entries: tuple[dict, list[int]]) -> StoreReader:
    r = StoreReader(None)
    r._entries = {
        name: SimpleNamespace(name=name, columns=cols, years=years)
        for name, (cols, years) in entries.items()
    }
    return r


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        pytest.param(
            {"wits_2009": (BILATERAL, [2009, 2009]), "comtrade": (BILATERAL, [2000, 2015])},
            "comtrade",
            id="registry-order-not-latest-year",
        ),
        pytest.param(
            {"baci": (EXPORTS, [2010, 2020]), "china_br65_trade": (BILATERAL, [2013, 2016])},
            "china_br65_trade",
            id="needs-bilateral-flows",
        ),
        pytest.param(
            {"my_flows": (BILATERAL, [2000, 2010]), "other": (BILATERAL, [2000, 2018])},
            "other",
            id="outside-registry-latest-year",
        ),
        pytest.param({"wdi": ({"iso3": "str"}, [1990, 2020])}, None, id="none"),
    ],
)
def test_trade_dataset_follows_the_registry(entries, expected):
    assert _reader(**entries).trade_dataset() == expected
