"""The sub-national indicator template (``regional``): read, validate, write.

One row per region, year and indicator::

    region_id,year,indicator,value,unit,source,note
    CN-SD-jinan,2019,GDP,9443.37,CNY_100m,济南市2019年国民经济和社会发展统计公报,

* ``region_id``: a silkhub region id (``CN-SD-jinan``) or a name the reference data knows
  (``Jinan``, ``济南``); names are replaced by ids when a database session is given.
* ``indicator``: one of :data:`INDICATORS` (codes, names zh/en and units below).
* ``value``: a number (thousands separators allowed); empty = not available (kept as missing).
* ``unit``: may be empty (the indicator's unit is filled in); otherwise it must match.
* ``source``: required for every value (name the yearbook or communiqué and its year).
* ``note``: optional.

Headers may also be written in Chinese (地区, 年份, 指标, 数值, 单位, 来源, 备注). Lines starting
with ``#`` are comments. CSV files may be UTF-8 (with or without BOM) or GBK/GB18030; XLSX files
use the first sheet (or one named ``data``/``数据``). Every problem is reported as
``file:line: reason`` and nothing is returned unless the whole file is valid.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from collections.abc import Collection, Iterator
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import pandas as pd

from silkhub.data.registry import INDICATORS, SCHEMAS, IndicatorDef  # noqa: F401 (re-exported)
from silkhub.errors import DataImportError, NotFoundError, ValidationError

logger = logging.getLogger(__name__)

COLUMNS = list(SCHEMAS["regional"].columns)
_ALIASES = {
    "地区": "region_id",
    "地区代码": "region_id",
    "region": "region_id",
    "城市": "region_id",
    "年份": "year",
    "指标": "indicator",
    "指标代码": "indicator",
    "数值": "value",
    "单位": "unit",
    "来源": "source",
    "数据来源": "source",
    "备注": "note",
}


_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _decode(data: bytes, name: str) -> str:
    """UTF-8 (BOM or not) first, then GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DataImportError(
            f"{name}: cannot decode the file as UTF-8 or GBK",
            errors=[f"{name}:1: not UTF-8 or GBK text ({exc.reason})"],
        ) from None
    logger.info("%s decoded as GBK/GB18030", name)
    return text


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    text = _decode(path.read_bytes(), path.name)
    reader = csv.reader(io.StringIO(text))
    line = 0
    for row in reader:
        start = line + 1
        line = reader.line_num
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        yield start, row


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for bad files
        raise DataImportError(
            f"{path.name}: not a readable XLSX file", errors=[f"{path.name}:1: {exc}"]
        ) from None
    ws = next((wb[n] for n in ("data", "数据") if n in wb.sheetnames), wb.worksheets[0])
    for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = ["" if c is None else str(c) for c in row]
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        yield n, cells


def _parse_number(cell: str) -> float | None:
    s = cell.strip().replace(",", "").replace("，", "")
    if not s:
        return None
    if not _NUM_RE.match(s):
        raise ValueError(s)
    return float(s)


def read_regional(
    path: Path | str,
    *,
    session: Any | None = None,
    regions: Collection[str] | None = None,
) -> pd.DataFrame:
    """Read and validate a regional template file (CSV or XLSX).

    Parameters
    ----------
    path
        The file.
    session
        A database session: region ids/names are checked and resolved with
        :func:`silkhub.data.reference.queries.find_region`.
    regions
        Known region ids, when no session is available (checked as given).

    Returns
    -------
    DataFrame
        ``region_id, year, indicator, value, unit, source, note``; missing values are NaN.

    Raises
    ------
    DataImportError
        ``errors`` lists every problem as ``file:line: reason``.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise NotFoundError(f"file not found: {path}")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".txt"):
        raise ValidationError(f"{name}: use a .csv or .xlsx file", field="path")
    rows = _xlsx_rows(path) if suffix == ".xlsx" else _csv_rows(path)
    errors: list[str] = []
    try:
        hline, header = next(rows)
    except StopIteration:
        raise DataImportError(f"{name} is empty", errors=[f"{name}:1: no header row"]) from None
    cols = [
        _ALIASES.get(h.strip().lower(), _ALIASES.get(h.strip(), h.strip().lower())) for h in header
    ]
    need = [c for c in COLUMNS if c != "note" and c not in cols]
    if need:
        raise DataImportError(
            f"{name}: missing column(s) {', '.join(need)}",
            errors=[
                f"{name}:{hline}: missing column(s) {', '.join(need)}; "
                f"expected {', '.join(COLUMNS)}"
            ],
        )
    idx = {c: cols.index(c) for c in COLUMNS if c in cols}
    resolved: dict[str, str | None] = {}
    seen: dict[tuple[str, int, str], int] = {}
    out: list[dict[str, Any]] = []
    for line, row in rows:

        def cell(c: str, row: list[str] = row) -> str:
            i = idx.get(c)
            return row[i].strip() if i is not None and i < len(row) else ""

        where = f"{name}:{line}"
        region, year_s, code = cell("region_id"), cell("year"), cell("indicator")
        if not region:
            errors.append(f"{where}: region_id is empty")
            continue
        rid = _resolve_region(region, session, regions, resolved)
        if rid is None:
            errors.append(f"{where}: unknown region {region!r}")
        try:
            year_f = _parse_number(year_s)
        except ValueError:
            year_f = None
            errors.append(f"{where}: year: text {year_s!r} in a numeric cell")
        else:
            if year_f is None or not year_f.is_integer() or not 1900 <= year_f <= 2100:
                errors.append(f"{where}: year {year_s!r} must be a year such as 2019")
                year_f = None
        ind = INDICATORS.get(code.upper())
        if ind is None:
            hint = get_close_matches(code.upper(), list(INDICATORS), n=1)
            errors.append(
                f"{where}: unknown indicator code {code!r}"
                + (f"; did you mean {hint[0]}?" if hint else "; see `silkhub index template`")
            )
        raw_value = cell("value")
        try:
            value = _parse_number(raw_value)
        except ValueError:
            errors.append(f"{where}: value: text {raw_value!r} in a numeric cell")
            value = None
        unit = cell("unit")
        if ind is not None and unit and unit != ind.unit:
            errors.append(f"{where}: unit {unit!r} does not match {ind.code} (expected {ind.unit})")
        source = cell("source")
        if value is not None and not source:
            errors.append(f"{where}: source is empty; name the yearbook or communiqué and year")
        if value is not None and (math.isinf(value) or math.isnan(value)):
            errors.append(f"{where}: value must be finite")
        if rid is None or year_f is None or ind is None:
            continue
        key = (rid, int(year_f), ind.code)
        if key in seen:
            errors.append(
                f"{where}: duplicate {rid} {int(year_f)} {ind.code} (first at line {seen[key]})"
            )
            continue
        seen[key] = line
        out.append(
            {
                "region_id": rid,
                "year": int(year_f),
                "indicator": ind.code,
                "value": float("nan") if value is None else value,
                "unit": ind.unit,
                "source": source,
                "note": cell("note"),
            }
        )
    if errors:
        raise DataImportError(
            f"{name}: {len(errors)} problem(s); first: {errors[0]}", errors=errors
        )
    df = pd.DataFrame(out, columns=COLUMNS)
    df["year"] = df["year"].astype("int64")
    df["value"] = df["value"].astype(float)
    logger.info("%s: %d rows, %d regions", name, len(df), df["region_id"].nunique())
    return df


def _resolve_region(
    region: str, session: Any | None, regions: Collection[str] | None, cache: dict[str, str | None]
) -> str | None:
    if region in cache:
        return cache[region]
    rid: str | None = region
    if session is not None:
        from silkhub.data.reference.queries import find_region

        try:
            rid = find_region(session, region).region_id
        except ValidationError:
            rid = None
    elif regions is not None and region not in regions:
        rid = None
    cache[region] = rid
    return rid


_INSTRUCTIONS = {
    "zh": [
        "silkhub 地区指标模板：每行一个地区、一个年份、一个指标。",
        "region_id：地区代码（如 CN-SD-jinan）或地区名称（如 济南）。",
        "indicator：指标代码，见下表；unit 可留空，填写时须与下表单位一致。",
        "value：数值，可留空表示缺失（不要填 0 或文字）。",
        "source：每个数值必须注明来源（统计年鉴或统计公报名称及年份）。",
        "以 # 开头的行为说明，导入时忽略。文件可为 UTF-8 或 GBK 编码的 CSV，或 XLSX。",
    ],
    "en": [
        "silkhub regional indicator template: one row per region, year and indicator.",
        "region_id: a region id (e.g. CN-SD-jinan) or a region name (e.g. Jinan).",
        "indicator: a code from the list below; unit may be empty, else it must match the list.",
        "value: a number; leave it empty when not available (not 0, not text).",
        "source: required for every value (name the statistical yearbook or communiqué and year).",
        "Lines starting with # are comments. CSV in UTF-8 or GBK, or XLSX.",
    ],
}


def template_lines(lang: str = "zh") -> list[str]:
    """Instruction lines (both languages, ``lang`` first) and the indicator list."""
    if lang not in _INSTRUCTIONS:
        raise ValidationError(f"language {lang!r}: use zh or en", field="lang")
    other = "en" if lang == "zh" else "zh"
    lines = [*_INSTRUCTIONS[lang], "", *_INSTRUCTIONS[other], ""]
    head = "代码 | 单位 | 名称" if lang == "zh" else "code | unit | name"
    lines.append(head)
    for d in INDICATORS.values():
        lines.append(f"{d.code} | {d.unit} | {d.name_zh} / {d.name_en}")
    return lines


def write_template(path: Path | str, lang: str = "zh") -> Path:
    """Write an empty template (CSV with ``#`` comments, or XLSX with an instructions sheet)."""
    path = Path(path)
    lines = template_lines(lang)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "data"
        ws.append(COLUMNS)
        info = wb.create_sheet("说明 instructions")
        for ln in lines:
            info.append([ln])
        wb.save(path)
        return path
    buf = io.StringIO()
    for ln in lines:
        buf.write(f"# {ln}\n" if ln else "#\n")
    csv.writer(buf, lineterminator="\n").writerow(COLUMNS)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path
