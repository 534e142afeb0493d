"""Locale formatting of numbers, money, percentages and dates (Babel), one helper for all.

Web pages (as Jinja filters), reports and CLI tables format figures here, so a number reads the
same everywhere in one language:

* ``zh`` (``zh_CN``) groups large amounts by 万 (10⁴), 亿 (10⁸) and 万亿 (10¹²) and names the
  currency after the number: ``448,048,196,346 USD`` → ``4,480.5亿美元``,
  ``5,200,000,000 CNY`` → ``52亿元``.
* ``en`` uses thousands separators and ``bn`` (10⁹) / ``m`` (10⁶):
  ``448,048,196,346 USD`` → ``448.0 bn USD``.

Scaling rule: the largest unit ``u`` (zh 10¹² / 10⁸ / 10⁴, en 10¹² / 10⁹ / 10⁶) with
``|x| ≥ u`` is chosen and ``x / u`` is shown rounded to ``digits`` decimals (default 1). zh drops
the decimals of a whole result (``52亿``, but ``4,480.5亿``); en always keeps them (``5.2 bn``).

``None`` and NaN format as the dash ``–`` everywhere.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import get_currency_name

#: UI language -> Babel locale
BABEL_LOCALE = {"en": "en", "zh": "zh_CN"}
#: shown for a missing value
DASH = "–"

#: (unit, zh suffix), largest first
_ZH_UNITS = ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"))
#: (unit, en suffix), largest first
_EN_UNITS = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"))
#: compact axis labels (short suffixes, no space)
_EN_AXIS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))

#: currency code -> zh word after a number (CNY: 元, so 亿元 / 万元)
_ZH_CURRENCY_WORD = {"CNY": "元", "RMB": "元"}


def _locale(lang: str) -> str:
    return BABEL_LOCALE.get(lang, "en")


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _decimal(value: float, lang: str, digits: int) -> str:
    """``value`` with grouping and exactly ``digits`` decimals (Babel pattern)."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return _babel_decimal(round(value, digits), format=pattern, locale=_locale(lang))


def _trim(value: float, lang: str, digits: int) -> str:
    """Like :func:`_decimal` but an integral result drops its decimals (``52`` not ``52.0``)."""
    r = round(value, digits)
    if r == int(r):
        return _decimal(r, lang, 0)
    return _decimal(r, lang, digits)


def fmt_number(value: Any, lang: str, digits: int | None = None) -> str:
    """A plain number with the locale's grouping: ``1234567.891`` → ``1,234,567.89``.

    ``digits`` fixes the decimals; by default integers show none and other numbers up to 2.
    """
    if _missing(value):
        return DASH
    x = float(value)
    if digits is None:
        if x == int(x) and abs(x) < 1e15:
            return _decimal(x, lang, 0)
        return _babel_decimal(round(x, 2), format="#,##0.##", locale=_locale(lang))
    return _decimal(x, lang, digits)


def fmt_large(value: Any, lang: str, digits: int = 1) -> str:
    """A large quantity scaled to 万 / 亿 / 万亿 (zh) or m / bn / tn (en), no currency.

    zh: ``448,048,196,346`` → ``4,480.5亿``; en: → ``448.0 bn``. Below 10⁴ (zh) or 10⁶ (en)
    the number is shown in full with grouping.
    """
    if _missing(value):
        return DASH
    x = float(value)
    units = _ZH_UNITS if lang == "zh" else _EN_UNITS
    for unit, suffix in units:
        if abs(x) >= unit:
            if lang == "zh":
                return _trim(x / unit, lang, digits) + suffix
            return f"{_decimal(x / unit, lang, digits)} {suffix}"
    return fmt_number(round(x) if abs(x) >= 100 else x, lang)


def currency_word(currency: str, lang: str) -> str:
    """How ``currency`` is named after an amount: zh ``美元`` / ``元``, en the ISO code."""
    code = (currency or "").upper()
    if lang != "zh":
        return code
    if code in _ZH_CURRENCY_WORD:
        return _ZH_CURRENCY_WORD[code]
    try:
        return get_currency_name(code, locale="zh_CN")
    except Exception:  # an unknown code keeps its letters
        return code


def fmt_money(amount: Any, currency: str, lang: str, digits: int = 1) -> str:
    """An amount of money, scaled (see :func:`fmt_large`) with its currency.

    zh: ``(448048196346, "USD")`` → ``4,480.5亿美元``; ``(5.2e9, "CNY")`` → ``52亿元``;
    ``(3.1e12, "USD")`` → ``3.1万亿美元``; en: ``(448048196346, "USD")`` → ``448.0 bn USD``,
    ``(723246822, "USD")`` → ``723.2 m USD``.
    """
    if _missing(amount):
        return DASH
    body = fmt_large(amount, lang, digits)
    word = currency_word(currency, lang)
    if lang == "zh":
        return f"{body}{word}"
    return f"{body} {word}".strip()


def fmt_percent(value: Any, lang: str, digits: int = 1, *, share: bool = True) -> str:
    """A percentage: ``share=True`` reads ``value`` as a fraction (``0.123`` → ``12.3%``),
    ``share=False`` as already in percent (``12.3`` → ``12.3%``)."""
    if _missing(value):
        return DASH
    pct = float(value) * (100.0 if share else 1.0)
    return _decimal(pct, lang, digits) + "%"


def fmt_date(value: Any, lang: str) -> str:
    """A date: zh ``2024年3月5日``, en ``5 Mar 2024``; accepts ``date``, ``datetime`` or ISO
    text (other text is returned unchanged)."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    if lang == "zh":
        return _babel_date(value, format="long", locale="zh_CN")
    return _babel_date(value, format="d MMM y", locale="en")


def fmt_axis(value: Any, lang: str) -> str:
    """A short axis / bar label (the Python twin of ``compact`` in ``static/silkhub.js``).

    zh: ``1.6e13`` → ``16万亿``, ``1.62e10`` → ``162亿``, ``52000`` → ``5.2万``;
    en: ``1.6e13`` → ``16T``, ``1.62e10`` → ``16.2B``, ``52000`` → ``52k``. Small numbers keep
    up to 2 decimals.
    """
    if _missing(value):
        return DASH
    x = float(value)
    units = _ZH_UNITS if lang == "zh" else _EN_AXIS
    for unit, suffix in units:
        if abs(x) >= unit:
            return _trim(x / unit, lang, 1) + suffix
    return fmt_number(x, lang)


def jinja_filters(lang: str) -> dict[str, Any]:
    """The helpers bound to ``lang``, as template callables (``fmt_money(x, 'USD')``)."""
    return {
        "fmt_number": lambda v, digits=None: fmt_number(v, lang, digits),
        "fmt_large": lambda v, digits=1: fmt_large(v, lang, digits),
        "fmt_money": lambda v, currency="USD", digits=1: fmt_money(v, currency, lang, digits),
        "fmt_percent": lambda v, digits=1, share=True: fmt_percent(v, lang, digits, share=share),
        "fmt_date": lambda v: fmt_date(v, lang),
        "fmt_axis": lambda v: fmt_axis(v, lang),
    }


def income_label(income: str | None, lang: str) -> str:
    """A World Bank income group in ``lang`` (``Upper middle income`` → ``中等偏上收入``);
    the catalog key is ``income.<snake_case of the English name>``; unknown groups unchanged."""
    import re

    from silkhub.i18n import gettext, has

    if not income:
        return DASH
    key = "income." + re.sub(r"[^a-z]+", "_", income.lower()).strip("_")
    return gettext(key, lang) if has(key, lang) else income
