"""The regional template reader: formats, encodings, and file:line: reason errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkhub.data.importers.regional import INDICATORS, read_regional, write_template
from silkhub.errors import DataImportError

HEADER = "region_id,year,indicator,value,unit,source,note\n"
REGIONS = {"CN-SD-jinan", "CN-SD-qingdao"}


def _write(tmp_path: Path, body: str, name: str = "r.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes((HEADER + body).encode(encoding))
    return p


def _errors(path: Path, **kw) -> list[str]:
    with pytest.raises(DataImportError) as exc:
        read_regional(path, **kw)
    return exc.value.errors


def test_reads_a_valid_file(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        'CN-SD-jinan,2019,GDP,"9,443.37",CNY_100m,Jinan communiqué 2019,\n'
        "CN-SD-jinan,2019,FDI_ACTUAL,,USD_100m,,not published\n",
    )
    df = read_regional(p, regions=REGIONS)
    assert list(df.columns) == ["region_id", "year", "indicator", "value", "unit", "source", "note"]
    assert df.loc[0, "value"] == pytest.approx(9443.37)
    assert df["value"].isna().sum() == 1  # an empty value stays missing


def test_every_problem_is_file_line_reason(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "CN-SD-jinan,2019,GDPP,1,,src,\n"  # line 2: unknown indicator
        "CN-SD-jinan,2019,GDP,n/a,,src,\n"  # line 3: text in a numeric cell
        "CN-SD-atlantis,2019,GDP,1,,src,\n"  # line 4: unknown region
        "CN-SD-qingdao,2019,GDP,1,USD,src,\n"  # line 5: wrong unit
        "CN-SD-qingdao,2019,EXPORTS,1,,,\n"  # line 6: no source
        "CN-SD-qingdao,2019,POPULATION,2,,src,\n"  # line 7: fine
        "CN-SD-qingdao,2019,POPULATION,3,,src,\n"  # line 8: duplicate of line 7
        "CN-SD-qingdao,19x,GDP,3,,src,\n",  # line 9: bad year
    )
    errs = _errors(p, regions=REGIONS)
    assert "r.csv:2: unknown indicator code 'GDPP'; did you mean GDP?" in errs
    assert "r.csv:3: value: text 'n/a' in a numeric cell" in errs
    assert "r.csv:4: unknown region 'CN-SD-atlantis'" in errs
    assert "r.csv:5: unit 'USD' does not match GDP (expected CNY_100m)" in errs
    assert any(e.startswith("r.csv:6: source is empty") for e in errs)
    assert "r.csv:8: duplicate CN-SD-qingdao 2019 POPULATION (first at line 7)" in errs
    assert "r.csv:9: year: text '19x' in a numeric cell" in errs
    assert len(errs) == 7


def test_gbk_file_and_chinese_headers(tmp_path: Path) -> None:
    p = tmp_path / "gbk.csv"
    text = "地区,年份,指标,数值,单位,来源,备注\nCN-SD-jinan,2019,GDP,9443.37,,济南市统计公报,说明\n"
    p.write_bytes(text.encode("gbk"))
    df = read_regional(p, regions=REGIONS)
    assert df.loc[0, "source"] == "济南市统计公报" and df.loc[0, "note"] == "说明"


def test_comment_lines_keep_line_numbers(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("# comment\n" + HEADER + "# another\nCN-SD-jinan,2019,GDP,x,,s,\n")
    assert _errors(p, regions=REGIONS) == ["c.csv:4: value: text 'x' in a numeric cell"]


def test_names_resolved_with_a_session(tmp_path: Path, sqlite_runtime) -> None:
    p = _write(tmp_path, "济南,2019,GDP,1,,s,\nQingdao,2019,GDP,2,,s,\nAtlantis,2019,GDP,3,,s,\n")
    with sqlite_runtime.session() as s:
        assert _errors(p, session=s) == ["r.csv:4: unknown region 'Atlantis'"]
        p = _write(tmp_path, "济南,2019,GDP,1,,s,\nQingdao,2019,GDP,2,,s,\n")
        df = read_regional(p, session=s)
    assert list(df["region_id"]) == ["CN-SD-jinan", "CN-SD-qingdao"]


def test_xlsx_round_trip(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    p = write_template(tmp_path / "t.xlsx", "en")
    wb = load_workbook(p)
    ws = wb["data"]
    ws.append(["CN-SD-jinan", 2019, "GDP", 9443.37, "CNY_100m", "communiqué", None])
    ws.append(["CN-SD-jinan", 2019, "EXPORTS", "lots", None, "communiqué", None])
    wb.save(p)
    assert _errors(p, regions=REGIONS) == ["t.xlsx:3: value: text 'lots' in a numeric cell"]


def test_csv_template_is_bilingual_and_reads_back_empty(tmp_path: Path) -> None:
    p = write_template(tmp_path / "t.csv", "zh")
    text = p.read_text(encoding="utf-8")
    assert "每行一个地区" in text and "one row per region" in text
    assert all(code in text for code in INDICATORS)
    assert read_regional(p).empty


def test_shipped_demo_file_is_valid(sqlite_runtime) -> None:
    from silkhub.analytics.index_service import DEMO_DATA

    with sqlite_runtime.session() as s:
        df = read_regional(DEMO_DATA, session=s)
    filled = df.dropna(subset=["value"])
    assert (filled["source"].str.len() > 0).all()  # a source for every value
    assert {"CN-SD-jinan", "CN-SD-qingdao", "CN-ZJ-hangzhou"} <= set(df["region_id"])
    assert df["region_id"].nunique() >= 8
