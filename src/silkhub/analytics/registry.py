"""The dataset registry as the analytics layer (and every interface) uses it.

Defined once in :mod:`silkhub.data.registry` (the importers' pandera schemas need it, and
``data`` may not import ``analytics``); this module is the stable import path for services,
web pages, reports and the CLI:

* :func:`indicator_label` ``(code, lang, unit=None)`` — chart title / table header with unit,
  e.g. ``AIR_COUNTRIES_REACHED`` -> "直航通达国家数（个）" / "Countries reached by direct
  flights (count)"; :func:`indicator_name` (no unit), :func:`unit_label` ``(unit, lang)``
  (``CNY_100m`` -> 亿元 / CNY 100 million);
* :func:`preference` ``(question)`` — the datasets that answer a question, most preferred
  first; :data:`DATASETS`, :data:`SCHEMAS`, :data:`QUESTIONS` — the metadata itself.
"""

from __future__ import annotations

from silkhub.data.registry import (
    ALL_INDICATORS,
    DATASETS,
    INDICATORS,
    QUESTIONS,
    SCHEMAS,
    UNITS,
    WDI_INDICATORS,
    Dataset,
    Field,
    IndicatorDef,
    Question,
    TableSchema,
    Unit,
    indicator_label,
    indicator_labels,
    indicator_name,
    indicator_unit,
    is_known_indicator,
    preference,
    schema_of,
    unit_label,
)

__all__ = [
    "ALL_INDICATORS",
    "DATASETS",
    "INDICATORS",
    "QUESTIONS",
    "SCHEMAS",
    "UNITS",
    "WDI_INDICATORS",
    "Dataset",
    "Field",
    "IndicatorDef",
    "Question",
    "TableSchema",
    "Unit",
    "indicator_label",
    "indicator_labels",
    "indicator_name",
    "indicator_unit",
    "is_known_indicator",
    "preference",
    "schema_of",
    "unit_label",
]
