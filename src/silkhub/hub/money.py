"""Money: an amount in an ISO 4217 currency in a given year, converted to US$ explicitly.

Conversion uses the ``exchange_rate`` table (annual averages, US$ per unit of currency) and
never guesses: a missing rate raises :class:`~silkhub.errors.DataMissingError` unless the
caller asks for ``None``. The shipped rates (``reference/exchange_rates.csv``) are annual
averages of the official exchange rate, LCU per US$ (World Bank WDI ``PA.NUS.FCRF``, from the
IMF International Financial Statistics), 2010–2024, for CNY, EUR, RUB, KZT, GBP, JPY, KRW,
INR, PKR, UZS and TRY; US$ is 1 by definition.

Formula: ``usd = amount × usd_per_unit(currency, year)``, where
``usd_per_unit = 1 / units_per_usd``.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.data.storage.models.hub import ExchangeRate
from silkhub.errors import DataMissingError, ValidationError

logger = logging.getLogger(__name__)

RATES_CSV = Path(__file__).parent / "reference" / "exchange_rates.csv"
RATES_SOURCE = "World Bank WDI PA.NUS.FCRF (IMF IFS), official exchange rate, period average"


@dataclass(frozen=True)
class Money:
    """An amount with its currency and the year it is expressed in."""

    amount: Decimal
    currency: str
    year: int | None = None


@lru_cache(maxsize=1)
def shipped_currencies(path: Path = RATES_CSV) -> tuple[str, ...]:
    """Currencies the shipped rates table converts to US$ (US$ first), e.g. for form choices."""
    with path.open(encoding="utf-8") as fh:
        codes = sorted({r["currency"].strip().upper() for r in csv.DictReader(fh)})
    return ("USD", *[c for c in codes if c != "USD"])


def _ordered_currencies() -> tuple[str, ...]:
    first = ("CNY", "USD", "EUR")
    return (*first, *[c for c in shipped_currencies() if c not in first])


#: currencies offered by forms (CNY, US$, euro first, then the rest of the rates table); any
#: other ISO 4217 code is accepted too (the same rule, :func:`check_currency`, everywhere)
CURRENCIES: tuple[str, ...] = _ordered_currencies()


def check_amount(
    amount: object, currency: str | None, *, field: str = "amount", required: bool = False
) -> tuple[Decimal | None, str | None]:
    """Validate an amount + currency pair: non-negative, and a currency whenever an amount.

    Returns the amount as Decimal and the upper-case currency code. Errors carry the message
    keys ``money.*`` (``money.currency_needed`` …) with the field and the value.
    """
    if amount is None or (isinstance(amount, str) and not amount.strip()):
        if required:
            raise ValidationError(key="money.required", params={"field": field}, field=field)
        if not currency or not currency.strip():
            return None, None
        return None, check_currency(currency)
    params = {"field": field, "value": str(amount)}
    try:
        value = Decimal(str(amount).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(key="money.not_a_number", params=params, field=field) from None
    if not value.is_finite():
        raise ValidationError(key="money.not_finite", params=params, field=field)
    if value < 0:
        raise ValidationError(key="money.negative", params=params, field=field)
    if not (currency or "").strip():
        raise ValidationError(
            key="money.currency_needed", params={"field": field}, field="currency"
        )
    return value, check_currency(currency or "")


def check_currency(currency: str, *, field: str = "currency") -> str:
    """An ISO 4217 code (three letters), upper-cased; ValidationError ``money.currency_invalid``."""
    cur = currency.strip().upper()
    if len(cur) != 3 or not cur.isascii() or not cur.isalpha():
        raise ValidationError(key="money.currency_invalid", params={"value": currency}, field=field)
    return cur


def load_rates(session: Session, path: Path = RATES_CSV, *, source: str = RATES_SOURCE) -> int:
    """Load (insert or update) the shipped annual rates; idempotent. Returns the row count."""
    existing = {(r.currency, r.year): r for r in session.scalars(select(ExchangeRate))}
    n = 0
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    years = {int(r["year"]) for r in rows}
    for y in sorted(years):
        rows.append({"currency": "USD", "year": str(y), "units_per_usd": "1"})
    for r in rows:
        key = (r["currency"], int(r["year"]))
        usd_per_unit = 1.0 / float(r["units_per_usd"])
        row = existing.get(key)
        if row is None:
            session.add(
                ExchangeRate(currency=key[0], year=key[1], usd_per_unit=usd_per_unit, source=source)
            )
        else:
            row.usd_per_unit, row.source = usd_per_unit, source
        n += 1
    session.flush()
    logger.info("exchange rates loaded: %d", n)
    return n


def rates_loaded(session: Session) -> bool:
    return session.scalar(select(ExchangeRate.currency).limit(1)) is not None


def ensure_rates(session: Session) -> None:
    """Load the shipped rates on first use."""
    if not rates_loaded(session):
        load_rates(session)


def usd_per_unit(session: Session, currency: str, year: int) -> float:
    """US$ per one unit of ``currency`` in ``year``; raise DataMissingError when unknown."""
    if currency == "USD":
        return 1.0
    rate = session.get(ExchangeRate, (currency, year))
    if rate is None:
        known = sorted(
            session.scalars(
                select(ExchangeRate.year).where(ExchangeRate.currency == currency)
            ).all()
        )
        hint = f" (known years {known[0]}–{known[-1]})" if known else " (no rates for it)"
        raise DataMissingError(f"no exchange rate for {currency} in {year}{hint}")
    return rate.usd_per_unit


def to_usd(
    session: Session,
    amount: Decimal | float | None,
    currency: str | None,
    year: int | None,
    *,
    strict: bool = False,
) -> float | None:
    """Convert to US$: ``amount × usd_per_unit(currency, year)``.

    Returns ``None`` when the amount, currency or year is missing, or when no rate is known
    and ``strict`` is false (strict: raise DataMissingError).
    """
    if amount is None or not currency:
        return None
    if currency == "USD":
        return float(amount)
    if year is None:
        if strict:
            raise DataMissingError(f"cannot convert {currency} to USD without a year")
        return None
    try:
        return float(amount) * usd_per_unit(session, currency, year)
    except DataMissingError:
        if strict:
            raise
        return None
