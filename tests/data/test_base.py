"""Checked CSV reading: encoding, separator, header and cell problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkhub.data.importers.base import (
    Problems,
    detect_encoding,
    detect_separator,
    read_csv_checked,
    to_number,
)
from silkhub.errors import DataImportError


def test_detects_gbk_and_utf8(fixtures: Path) -> None:
    assert detect_encoding(fixtures / "wdi_gbk.csv") == "gbk"
    assert detect_encoding(fixtures / "wdi_wide.csv") == "utf-8"


def test_gbk_file_is_named_not_garbled(fixtures: Path) -> None:
    with pytest.raises(DataImportError) as exc:
        read_csv_checked(fixtures / "wdi_gbk.csv", ("Country Code",))
    assert exc.value.message == (
        "wdi_gbk.csv: encoding is GBK (GB18030), not UTF-8; save the file as UTF-8 "
        "or pass --encoding gbk"
    )
    table = read_csv_checked(fixtures / "wdi_gbk.csv", ("Country Code",), encoding="gbk")
    assert table.frame["Country Name"].tolist() == ["中国"]


def test_wrong_separator_is_named(fixtures: Path) -> None:
    with pytest.raises(DataImportError) as exc:
        read_csv_checked(fixtures / "wdi_semicolon.csv", ("Country Code",))
    assert exc.value.message.startswith(
        "wdi_semicolon.csv: separator is semicolon (';'), expected comma (',')"
    )
    assert detect_separator(["a\tb\tc", "1\t2\t3"]) == "\t"


def test_missing_column_names_the_closest_found(fixtures: Path) -> None:
    with pytest.raises(DataImportError) as exc:
        read_csv_checked(fixtures / "wdi_missing_column.csv", ("Country Name", "Country Code"))
    assert (
        exc.value.errors[0]
        == "wdi_missing_column.csv:1:Country Code: missing column (found 'Country'?)"
    )


def test_headerless_file_is_detected(tmp_path: Path) -> None:
    p = tmp_path / "noheader.csv"
    p.write_text("2017,156,842,854140,1.5,2\n2017,156,842,854141,1.5,2\n")
    with pytest.raises(DataImportError) as exc:
        read_csv_checked(p, ("t", "i", "j"))
    assert exc.value.errors[0].startswith("noheader.csv:1:: no header row")


def test_text_in_a_numeric_column_is_reported_per_cell(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("year,value\n2019,1.5\nabc,2\n2020,n/a\n2021,\n")
    table = read_csv_checked(p, ("year", "value"))
    problems = Problems()
    year = to_number(table, "year", problems, integer=True, required=True)
    value = to_number(table, "value", problems)
    assert [str(x) for x in problems.sorted()] == [
        "x.csv:3:year: 'abc' is not an integer",
        "x.csv:4:value: 'n/a' is not a number",
    ]
    assert year.isna().tolist() == [False, True, False, False]
    assert value.isna().tolist() == [False, False, True, True]


def test_error_list_is_capped_at_50_and_written_in_full(tmp_path: Path) -> None:
    problems = Problems()
    for i in range(120):
        problems.add("f.csv", i + 2, "v", "bad")
    with pytest.raises(DataImportError) as exc:
        problems.raise_if_any("rejected", tmp_path / "errors.csv")
    assert exc.value.message.count("f.csv:") == 50
    assert "… and 70 more" in exc.value.message
    assert len((tmp_path / "errors.csv").read_text().splitlines()) == 121
    assert len(exc.value.errors) == 120
