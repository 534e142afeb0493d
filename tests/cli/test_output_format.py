"""Terminal tables format money per locale (silkhub.i18n.format); csv keeps raw values."""

from __future__ import annotations

from silkhub.cli.output import Format, cell_text, emit


def test_cell_text_money_and_numbers():
    assert cell_text("exports_usd", 448_048_196_346.0) == "448.0 bn USD"
    assert cell_text("exports_usd", 448_048_196_346.0, "zh") == "4,480.5亿美元"
    assert cell_text("value_cny", 5.2e9, "zh") == "52亿元"
    assert cell_text("rows", 1_497_000) == "1,497,000" and cell_text("rows", 1497) == "1497"
    assert cell_text("year", 2019) == "2019" and cell_text("project_id", 123456) == "123456"
    assert cell_text("ratio", 0.25) == "0.25" and cell_text("name", "Kazakhstan") == "Kazakhstan"
    assert cell_text("active", True) == "True" and cell_text("x", None) == ""


def test_csv_keeps_raw_values(capsys):
    emit([{"partner": "KAZ", "exports_usd": 448048196346.0}], Format.csv)
    assert "448048196346.0" in capsys.readouterr().out


def test_table_uses_the_locale(capsys):
    emit([{"partner": "KAZ", "exports_usd": 448048196346.0}], Format.table, lang="zh")
    assert "4,480.5亿美元" in capsys.readouterr().out
