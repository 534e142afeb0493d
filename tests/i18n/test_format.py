"""Locale formatting: expected strings computed by hand (see the docstrings in the module)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from silkhub.i18n.format import (
    fmt_axis,
    fmt_date,
    fmt_large,
    fmt_money,
    fmt_number,
    fmt_percent,
    jinja_filters,
)


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "expected"),
    [
        # 448,048,196,346 / 1e8 = 4,480.48… → 4,480.5 亿
        (448_048_196_346, "USD", "zh", "4,480.5亿美元"),
        # 448,048,196,346 / 1e9 = 448.048… → 448.0 bn
        (448_048_196_346, "USD", "en", "448.0 bn USD"),
        # 5.2e9 / 1e8 = 52 → whole: 52亿元
        (5_200_000_000, "CNY", "zh", "52亿元"),
        (5_200_000_000, "CNY", "en", "5.2 bn CNY"),
        # 723,246,822 / 1e8 = 7.23… → 7.2亿; / 1e6 = 723.2 m
        (723_246_822, "USD", "zh", "7.2亿美元"),
        (723_246_822, "USD", "en", "723.2 m USD"),
        # 3.1e12 → 万亿 / tn
        (3.1e12, "USD", "zh", "3.1万亿美元"),
        (3.1e12, "USD", "en", "3.1 tn USD"),
        # 35,000 / 1e4 = 3.5 万
        (35_000, "CNY", "zh", "3.5万元"),
        (35_000, "EUR", "en", "35,000 EUR"),
        (5_000, "EUR", "zh", "5,000欧元"),
        (-2.5e8, "USD", "zh", "-2.5亿美元"),
        (None, "USD", "zh", "–"),
        (float("nan"), "USD", "en", "–"),
    ],
)
def test_fmt_money(amount, currency, lang, expected):
    assert fmt_money(amount, currency, lang) == expected


def test_fmt_number_grouping_and_digits():
    assert fmt_number(448_048_196_346, "en") == "448,048,196,346"
    assert fmt_number(448_048_196_346, "zh") == "448,048,196,346"
    assert fmt_number(1234567.891, "en") == "1,234,567.89"
    assert fmt_number(0.5, "zh", digits=2) == "0.50"
    assert fmt_number(None, "en") == "–"


def test_fmt_large_without_currency():
    assert fmt_large(1.62e10, "zh") == "162亿"
    assert fmt_large(1.62e10, "en") == "16.2 bn"
    assert fmt_large(9_999, "zh") == "9,999"
    assert fmt_large(999_999, "en") == "999,999"


def test_fmt_percent_share_and_points():
    assert fmt_percent(0.1234, "zh") == "12.3%"
    assert fmt_percent(12.34, "en", share=False) == "12.3%"
    assert fmt_percent(1, "en", digits=0) == "100%"
    assert fmt_percent(None, "zh") == "–"


def test_fmt_date_per_language():
    assert fmt_date(date(2024, 3, 5), "zh") == "2024年3月5日"
    assert fmt_date(date(2024, 3, 5), "en") == "5 Mar 2024"
    assert fmt_date(datetime(2024, 12, 31, 8, 0), "zh") == "2024年12月31日"
    assert fmt_date("2024-03-05", "en") == "5 Mar 2024"
    assert fmt_date("soon", "en") == "soon"
    assert fmt_date(None, "en") == "–"


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (1.6e13, "16万亿", "16T"),
        (1.62e10, "162亿", "16.2B"),
        (52_000, "5.2万", "52k"),
        (12.345, "12.35", "12.35"),
    ],
)
def test_fmt_axis(value, zh, en):
    assert fmt_axis(value, "zh") == zh
    assert fmt_axis(value, "en") == en


def test_jinja_filters_bound_to_language():
    f = jinja_filters("zh")
    assert f["fmt_money"](448_048_196_346, "USD") == "4,480.5亿美元"
    assert f["fmt_percent"](0.5) == "50.0%"
