from decimal import Decimal

import pytest

from silkhub.errors import DataMissingError, ValidationError
from silkhub.hub import money


def test_convert_cny_2020(session):
    money.ensure_rates(session)
    # 42.7 bn CNY at the 2020 average of 6.9008 CNY per US$: 42.7e9 / 6.9008 = 6.18769e9 US$
    usd = money.to_usd(session, Decimal("42700000000"), "CNY", 2020)
    assert usd == pytest.approx(42.7e9 / 6.9008)
    assert money.to_usd(session, 5, "USD", None) == 5.0


def test_missing_rate_is_explicit(session):
    money.ensure_rates(session)
    assert money.to_usd(session, 1, "CNY", 1990) is None
    with pytest.raises(DataMissingError) as exc:
        money.to_usd(session, 1, "CNY", 1990, strict=True)
    assert "2010" in exc.value.message
    with pytest.raises(DataMissingError):
        money.to_usd(session, 1, "CNY", None, strict=True)


def test_load_rates_idempotent(session):
    n1 = money.load_rates(session)
    n2 = money.load_rates(session)
    assert n1 == n2 > 150


@pytest.mark.parametrize(
    ("amount", "currency", "field"),
    [
        pytest.param(-1, "CNY", "amount", id="negative"),
        pytest.param(10, None, "currency", id="no-currency"),
        pytest.param(10, "YUAN", "currency", id="not-iso"),
        pytest.param("ten", "CNY", "amount", id="not-a-number"),
    ],
)
def test_check_amount_rejects(amount, currency, field):
    with pytest.raises(ValidationError) as exc:
        money.check_amount(amount, currency)
    assert exc.value.field == field


def test_check_amount_accepts():
    assert money.check_amount("1,000.5", "cny") == (Decimal("1000.5"), "CNY")
    assert money.check_amount(None, None) == (None, None)
