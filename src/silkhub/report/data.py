"""The analytics-store reader of pages and reports (:mod:`silkhub.data.store_reader`, where
its queries live), under the name reports have always imported it by."""

from silkhub.data.store_reader import (
    IMPORT_HINTS,
    OPENNESS_INDICATORS,
    PARTNER_COLUMNS,
    DatasetInfo,
    StoreReader,
    missing_hint,
)

__all__ = [
    "IMPORT_HINTS",
    "OPENNESS_INDICATORS",
    "PARTNER_COLUMNS",
    "DatasetInfo",
    "StoreReader",
    "missing_hint",
]
