"""Shared machinery of the importers: problems, checked CSV reading, typed columns, progress.

Error messages follow one shape, ``file:row:column: reason``, where ``file`` is the file name,
``row`` the 1-based record number counting the header as row 1 (the line number a spreadsheet or
editor shows, unless a quoted field spans lines) and ``column`` the column name as it appears in
the file.
"""

from __future__ import annotations

import csv
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from rapidfuzz import process

from silkhub.data.store import parquet_copy_target
from silkhub.errors import DataImportError

logger = logging.getLogger(__name__)

#: errors shown in the message / CLI; the full list goes to the error CSV
SHOWN_ERRORS = 50


# -- problems ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One rejected cell, row or file."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        if self.row is None and self.column is None:
            return f"{self.file}: {self.reason}"
        row = "" if self.row is None else str(self.row)
        return f"{self.file}:{row}:{self.column or ''}: {self.reason}"


class Problems:
    """Collects problems; :meth:`raise_if_any` turns them into one :class:`DataImportError`."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: str, row: int | None, column: str | None, reason: str) -> None:
        self.items.append(Problem(file, row, column, reason))

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def rows(self) -> set[tuple[str, int]]:
        """(file, row) pairs that have a problem."""
        return {(p.file, p.row) for p in self.items if p.row is not None}

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.file, p.row or 0, p.column is None))

    def write_csv(self, path: Path) -> Path:
        """Write every problem to ``path`` (columns file,row,column,reason)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["file", "row", "column", "reason"])
            for p in self.sorted():
                w.writerow([p.file, p.row if p.row is not None else "", p.column or "", p.reason])
        return path

    def raise_if_any(self, what: str, error_file: Path | None = None) -> None:
        """Raise :class:`DataImportError` listing the first 50 problems (all in ``error_file``)."""
        if not self.items:
            return
        items = self.sorted()
        written = str(self.write_csv(error_file)) if error_file is not None else None
        n = len(items)
        msg = f"{what}: {n} problem{'s' if n != 1 else ''}"
        shown = "\n".join(str(p) for p in items[:SHOWN_ERRORS])
        more = f"\n… and {n - SHOWN_ERRORS} more" if n > SHOWN_ERRORS else ""
        where = f"\nall problems: {written}" if written else ""
        raise DataImportError(
            f"{msg}\n{shown}{more}{where}", errors=[str(p) for p in items], error_file=written
        )


# -- progress ------------------------------------------------------------------------------
class ProgressTask(Protocol):
    def advance(self, n: float = 1) -> None: ...

    def update(self, completed: float) -> None: ...


class Progress(Protocol):
    def task(self, description: str, total: float | None) -> ProgressTask: ...


class _NullTask:
    def advance(self, n: float = 1) -> None:
        return None

    def update(self, completed: float) -> None:
        return None


class NullProgress:
    """Progress that shows nothing (library default, ``--quiet``)."""

    def task(self, description: str, total: float | None) -> ProgressTask:
        return _NullTask()


# -- files ---------------------------------------------------------------------------------
def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_files(paths: Sequence[Path]) -> str:
    """One digest for one file (its sha256) or several (sha256 of sorted ``name:sha256`` lines)."""
    if len(paths) == 1:
        return sha256_file(paths[0])
    lines = sorted(f"{p.name}:{sha256_file(p)}" for p in paths)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def detect_encoding(path: Path, sample: int = 1 << 16) -> str:
    """Name the encoding of a text file: ``utf-8``, ``utf-8-sig``, ``gbk`` or ``cp1252``.

    UTF-8 is tried first (strictly, on the first 64 KiB, tolerating a character cut at the end);
    a file that is not UTF-8 but decodes as GB18030 with Chinese characters is GBK.
    """
    raw = path.open("rb").read(sample)
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3 and len(raw) == sample:  # cut multibyte char at the end
            return "utf-8"
    try:
        text = raw.decode("gb18030")
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            return "gbk"
    except UnicodeDecodeError:
        pass
    return "cp1252"


_ENCODING_NAMES = {"gbk": "GBK (GB18030)", "cp1252": "Windows-1252 / Latin-1"}


def check_encoding(path: Path, encoding: str | None) -> str:
    """Return the encoding to read ``path`` with; refuse a non-UTF-8 file unless one is given."""
    found = detect_encoding(path)
    if encoding:
        return "gb18030" if encoding.lower() in {"gbk", "gb2312", "gb18030"} else encoding
    if found in {"utf-8", "utf-8-sig"}:
        return found
    raise DataImportError(
        f"{path.name}: encoding is {_ENCODING_NAMES[found]}, not UTF-8; save the file as UTF-8 "
        f"or pass --encoding {found}",
        errors=[f"{path.name}: encoding is {_ENCODING_NAMES[found]}, not UTF-8"],
    )


_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def detect_separator(lines: Sequence[str]) -> str | None:
    """The separator that splits the first lines into the same number (>1) of fields."""
    best: tuple[int, str] | None = None
    for sep in _SEPARATORS:
        counts = [len(next(csv.reader([ln], delimiter=sep))) for ln in lines if ln.strip()]
        if counts and min(counts) > 1 and len(set(counts)) == 1:
            score = counts[0]
            if best is None or score > best[0]:
                best = (score, sep)
    return best[1] if best else None


def head_lines(path: Path, encoding: str, skiprows: int, n: int = 6) -> list[str]:
    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        lines = []
        for i, line in enumerate(fh):
            if i >= skiprows:
                lines.append(line.rstrip("\r\n"))
            if len(lines) >= n:
                break
    return lines


def check_header(
    file: str, found: Sequence[str], required: Sequence[str], *, header_row: int = 1
) -> None:
    """Raise naming every required column that is missing, with the closest found name."""
    problems = Problems()
    have = [str(c) for c in found]
    for col in required:
        if col in have:
            continue
        hit = process.extractOne(col, have) if have else None
        hint = f" (found {hit[0]!r}?)" if hit and hit[1] >= 70 else ""
        problems.add(file, header_row, col, f"missing column{hint}")
    if problems:
        looks_like_data = have and all(_is_number(c) or c == "" for c in have[: len(required)])
        if looks_like_data:
            problems = Problems()
            problems.add(
                file,
                header_row,
                None,
                "no header row: the first line looks like data; expected columns "
                + ", ".join(required),
            )
        problems.add(file, header_row, None, "columns found: " + ", ".join(have[:30]))
        problems.raise_if_any(f"{file}: wrong header")


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


@dataclass
class CsvTable:
    """A CSV read as text, with the record number of every row (header = row 1)."""

    file: str
    frame: pd.DataFrame
    rows: np.ndarray  # record number per frame row
    encoding: str
    sep: str


def _prepare(
    path: Path, encoding: str | None, sep: str | None, skiprows: int, expected_sep: str
) -> tuple[str, str]:
    """Check encoding and separator; return the ones to read with."""
    enc = check_encoding(path, encoding)
    head = head_lines(path, enc, skiprows)
    if not head:
        raise DataImportError(f"{path.name}: the file is empty", errors=[f"{path.name}: empty"])
    if sep is None:
        found = detect_separator(head[:5]) or expected_sep
        if found != expected_sep and (
            detect_separator(head[:5]) is not None
            and len(next(csv.reader([head[0]], delimiter=expected_sep))) == 1
        ):
            raise DataImportError(
                f"{path.name}: separator is {_SEPARATORS[found]} ({found!r}), expected "
                f"{_SEPARATORS[expected_sep]} ({expected_sep!r}); pass --sep {found!r}",
                errors=[f"{path.name}: separator is {_SEPARATORS[found]}"],
            )
        sep = expected_sep
    return enc, sep


def iter_csv_checked(
    path: Path,
    required: Sequence[str],
    *,
    encoding: str | None = None,
    sep: str | None = None,
    skiprows: int = 0,
    expected_sep: str = ",",
    header: bool = True,
    names: Sequence[str] | None = None,
    na_values: Iterable[str] = (),
    chunksize: int | None = None,
) -> Iterator[CsvTable]:
    """Read a CSV as strings after checking encoding, separator and header, in chunks.

    Every cell stays a string (empty string for empty cells, or NaN for ``na_values``) so that
    each column can be checked with :func:`to_number`; nothing is coerced silently. With
    ``chunksize`` the file is read ``chunksize`` rows at a time (bounded memory); record numbers
    continue across chunks.
    """
    enc, sep = _prepare(path, encoding, sep, skiprows, expected_sep)
    na = list(na_values)
    try:
        reader = pd.read_csv(
            path,
            sep=sep,
            encoding=enc,
            skiprows=skiprows,
            dtype=str,
            keep_default_na=False,
            na_values=na or None,
            header=0 if header else None,
            names=list(names) if names is not None else None,
            skip_blank_lines=True,
            engine="c",
            chunksize=chunksize,
        )
        chunks = reader if chunksize else [reader]
        first = skiprows + (2 if header else 1)
        for n, frame in enumerate(chunks):
            frame.columns = [str(c).strip() for c in frame.columns]
            if header and n == 0:
                check_header(path.name, list(frame.columns), required, header_row=skiprows + 1)
            rows = np.arange(first, first + len(frame))
            first += len(frame)
            yield CsvTable(file=path.name, frame=frame.reset_index(drop=True), rows=rows,
                           encoding=enc, sep=sep)  # fmt: skip
    except pd.errors.ParserError as exc:
        raise DataImportError(
            f"{path.name}: not a valid CSV: {exc}", errors=[f"{path.name}: {exc}"]
        ) from None


def read_csv_checked(
    path: Path,
    required: Sequence[str],
    *,
    encoding: str | None = None,
    sep: str | None = None,
    skiprows: int = 0,
    expected_sep: str = ",",
    header: bool = True,
    names: Sequence[str] | None = None,
    na_values: Iterable[str] = (),
) -> CsvTable:
    """The whole CSV as one :class:`CsvTable` (see :func:`iter_csv_checked`)."""
    return next(
        iter_csv_checked(
            path,
            required,
            encoding=encoding,
            sep=sep,
            skiprows=skiprows,
            expected_sep=expected_sep,
            header=header,
            names=names,
            na_values=na_values,
        )
    )


# -- typed columns -------------------------------------------------------------------------
def to_number(
    table: CsvTable,
    column: str,
    problems: Problems,
    *,
    integer: bool = False,
    required: bool = False,
    clean: Callable[[pd.Series], pd.Series] | None = None,
    label: str | None = None,
) -> pd.Series:
    """Parse ``column`` as numbers; every non-empty text that is not a number is a problem.

    Empty cells become NaN (or a problem when ``required``).
    """
    raw = table.frame[column]
    if clean is not None:
        text = clean(raw.fillna("").astype(str).str.strip())
        nums = pd.to_numeric(text.where(text != "", None), errors="coerce")
        empty = text == ""
    else:
        # fast path: parse as is; only cells that fail are stripped and parsed again
        present = raw.notna() & (raw != "")
        nums = pd.to_numeric(raw.where(present, None), errors="coerce")
        empty = ~present
        retry = nums.isna() & present
        if retry.any():
            stripped = raw[retry].astype(str).str.strip()
            nums.loc[retry] = pd.to_numeric(stripped.where(stripped != "", None), errors="coerce")
            empty.loc[retry] = stripped == ""
    bad = nums.isna() & ~empty
    kind = "an integer" if integer else "a number"
    col = label or column

    def add(mask: pd.Series, reason: Callable[[int], str]) -> None:
        for i in np.flatnonzero(mask.to_numpy()):
            problems.add(table.file, int(table.rows[i]), col, reason(int(i)))

    add(bad, lambda i: f"{raw.iloc[i]!r} is not {kind}")
    if integer:
        frac = nums.notna() & (nums != np.floor(nums.fillna(0)))
        add(frac, lambda i: f"{raw.iloc[i]!r} is not {kind}")
    if required:
        add(empty, lambda i: "empty (a value is required)")
    return nums.astype("float64")


def empty_to_none(s: pd.Series) -> pd.Series:
    """Strip text; empty strings and NaN become None."""
    t = s.astype(object).where(s.notna(), "").astype(str).str.strip()
    return t.astype(object).where(t != "", None)


@dataclass
class Output:
    """One dataset an importer produces: a DataFrame, or a writer of Parquet files."""

    name: str
    frame: pd.DataFrame | None = None
    write: Callable[[Path], object] | None = None
    partition_by_year: bool = False
    notes: list[str] = field(default_factory=list)
    #: for datasets shared by several sources (tracker_projects): the source key replaced
    part: str | None = None
    rows: int | None = None
    #: naturally partial files (one indicator, one year …): the key columns an import replaces
    #: in the current version; rows with other keys are kept (``--replace-all`` turns it off)
    merge_keys: tuple[str, ...] | None = None
    #: the unit the merge summary counts (``indicator`` -> "kept 3 indicators, replaced 1")
    merge_label: str | None = None


@dataclass
class ImportContext:
    """What an importer gets: the files, options and the services it may use."""

    paths: list[Path]
    progress: Progress = field(default_factory=NullProgress)
    encoding: str | None = None
    sep: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    bri_iso3s: frozenset[str] = frozenset()
    as_of: str | None = None
    read_existing: Callable[[str], pd.DataFrame | None] = lambda name: None
    error_file: Path | None = None
    skip_invalid: bool = False
    notes: list[str] = field(default_factory=list)


def settle(
    problems: Problems,
    ctx: ImportContext,
    what: str,
    frame: pd.DataFrame,
    file: str,
    rows: np.ndarray,
) -> pd.DataFrame:
    """Apply the bad-row policy to ``frame`` whose row ``i`` came from record ``rows[i]``.

    Strict (default): any problem rejects the whole import. With ``skip_invalid`` the rows with a
    problem are left out, counted in the catalog notes and listed in the error CSV.
    """
    if not problems:
        return frame
    if not ctx.skip_invalid:
        problems.raise_if_any(what, ctx.error_file)
    bad = {r for f, r in problems.rows() if f == file}
    keep = ~np.isin(rows, list(bad))
    if ctx.error_file is not None:
        problems.write_csv(ctx.error_file)
    ctx.notes.append(
        f"{file}: {int((~keep).sum())} rows skipped with problems"
        + (f" (listed in {ctx.error_file})" if ctx.error_file else "")
    )
    return frame[keep]


# -- key-based merge with the current version -----------------------------------------------
@dataclass
class MergeSummary:
    """What a key-based merge did to the current version (``kept 3 indicators, replaced 1``).

    ``label`` names the unit counted (``indicator``, ``year``); ``kept`` are the labels of the
    current version the import does not bring, ``replaced`` those it brings again, ``added``
    new ones. ``rows_replaced`` counts old rows dropped because the import brings their key;
    ``rows_kept_partial`` old rows of a replaced label kept because their key (country, year …)
    is not in the import.
    """

    label: str
    kept: list[str]
    replaced: list[str]
    added: list[str]
    rows_kept: int = 0
    rows_replaced: int = 0
    rows_kept_partial: int = 0
    from_version: int | None = None

    def text(self) -> str:
        def n(k: int) -> str:
            return f"{k} {self.label}{'' if k == 1 else 's'}"

        parts = [f"kept {n(len(self.kept))}", f"replaced {len(self.replaced)}"]
        if self.added:
            parts.append(f"added {len(self.added)}")
        msg = ", ".join(parts)
        if self.replaced:
            shown = ", ".join(self.replaced[:5]) + (" …" if len(self.replaced) > 5 else "")
            msg += f" ({shown}: {self.rows_replaced:,} values replaced"
            if self.rows_kept_partial:
                msg += f", {self.rows_kept_partial:,} values outside this import's keys kept"
            msg += ")"
        if self.from_version is not None:
            msg += f"; merged with version {self.from_version} (--replace-all to replace it)"
        return msg


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _label_list(con: Any, sql: str) -> list[str]:
    return sorted(str(r[0]) for r in con.execute(sql).fetchall())


def merge_summary(
    con: Any, old_sql: str, new_sql: str, keys: Sequence[str], label: str
) -> tuple[MergeSummary, str]:
    """Count what a merge of ``new`` into ``old`` (DuckDB relations as SQL) does.

    Returns the summary and the SQL of the merged relation: the new rows, plus the old rows
    whose key is not in the new ones (``UNION ALL BY NAME``, so added columns are kept).
    """
    k = ", ".join(_quote_ident(c) for c in keys)
    lab = _quote_ident(label)
    con.execute(f"CREATE OR REPLACE TEMP VIEW _old AS {old_sql}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW _new AS {new_sql}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _newkeys AS SELECT DISTINCT {k} FROM _new")
    old_labels = set(_label_list(con, f"SELECT DISTINCT {lab} FROM _old"))
    new_labels = set(_label_list(con, f"SELECT DISTINCT {lab} FROM _new"))
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW _kept AS SELECT * FROM _old ANTI JOIN _newkeys USING ({k})"
    )
    replaced = sorted(old_labels & new_labels)
    rows_old = int(con.execute("SELECT count(*) FROM _old").fetchone()[0])
    rows_kept = int(con.execute("SELECT count(*) FROM _kept").fetchone()[0])
    partial = 0
    if replaced:
        partial = int(
            con.execute(
                f"SELECT count(*) FROM _kept WHERE {lab} IN (SELECT DISTINCT {lab} FROM _new)"
            ).fetchone()[0]
        )
    summary = MergeSummary(
        label=label,
        kept=sorted(old_labels - new_labels),
        replaced=replaced,
        added=sorted(new_labels - old_labels),
        rows_kept=rows_kept,
        rows_replaced=rows_old - rows_kept,
        rows_kept_partial=partial,
    )
    return summary, "SELECT * FROM _new UNION ALL BY NAME SELECT * FROM _kept"


def merge_frame_writer(
    frame: pd.DataFrame,
    old_glob: str,
    keys: Sequence[str],
    label: str,
    *,
    partition_by_year: bool = False,
) -> tuple[MergeSummary, Callable[[Path], None]]:
    """Summary of merging ``frame`` into the Parquet files ``old_glob``, and a writer of it.

    The writer stores the merged table (new rows first, then the kept old rows, in the new
    frame's column types) as one Parquet file, or one folder per year.
    """
    import duckdb

    def _connect() -> Any:
        con = duckdb.connect(":memory:")
        con.register("frame", frame)
        return con

    old_sql = (
        f"SELECT * FROM read_parquet({_sql_literal(old_glob)}, hive_partitioning = false, "
        "union_by_name = true)"
    )
    con = _connect()
    try:
        summary, _ = merge_summary(con, old_sql, "SELECT * FROM frame", keys, label)
    finally:
        con.close()

    def write(directory: Path) -> None:
        c = _connect()
        try:
            _, merged = merge_summary(c, old_sql, "SELECT * FROM frame", keys, label)
            cast = ", ".join(
                f"CAST({_quote_ident(col)} AS {t}) AS {_quote_ident(col)}"
                if col in frame.columns
                else _quote_ident(col)
                for col, t in _merged_types(c, merged, frame)
            )
            target, opts = parquet_copy_target(directory, partition_by_year)
            c.execute(f"COPY (SELECT {cast} FROM ({merged})) TO {target} ({opts})")
        finally:
            c.close()

    return summary, write


def _merged_types(con: Any, merged_sql: str, frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(column, DuckDB type) of the merged relation; the new frame's types win."""
    new_types = {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE _new").fetchall()}
    cols = [str(r[0]) for r in con.execute(f"DESCRIBE {merged_sql}").fetchall()]
    return [(c, new_types.get(c, "")) for c in cols]


def _sql_literal(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def merge_year_partitions(
    directory: Path, old_root: Path, *, from_version: int | None = None
) -> MergeSummary:
    """Keep the years of the current version that a newly written dataset does not bring.

    ``directory`` holds the new version (``**/year=YYYY/*.parquet`` or files with a ``year``
    column); ``old_root`` the current version. Old files under ``year=YYYY`` folders of years not
    in the new data are hard-linked (copied across file systems) into ``directory/kept``; old
    files without year folders are filtered with DuckDB. Cheap for BACI (one file per year).
    """
    import os
    import shutil

    import duckdb

    new_glob = _sql_literal(str(directory / "**" / "*.parquet"))
    con = duckdb.connect(":memory:")
    try:
        new_years = {
            int(r[0])
            for r in con.execute(
                f"SELECT DISTINCT year FROM read_parquet({new_glob}, hive_partitioning = false, "
                "union_by_name = true)"
            ).fetchall()
            if r[0] is not None
        }
        old_files = sorted(old_root.rglob("*.parquet"))
        old_years: set[int] = set()
        kept_rows = replaced_rows = 0
        loose: list[Path] = []
        kept_dir = directory / "kept"
        for i, f in enumerate(old_files):
            year = next((int(p.split("=", 1)[1]) for p in f.parts if p.startswith("year=")), None)
            if year is None:
                loose.append(f)
                continue
            old_years.add(year)
            n = int(
                con.execute(
                    f"SELECT count(*) FROM read_parquet({_sql_literal(str(f))})"
                ).fetchone()[0]
            )
            if year in new_years:
                replaced_rows += n
                continue
            target = kept_dir / f"year={year}" / f"kept_{i}_{f.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(f, target)
            except OSError:
                shutil.copy2(f, target)
            kept_rows += n
        if loose:
            files = "[" + ", ".join(_sql_literal(str(f)) for f in loose) + "]"
            rel = f"read_parquet({files}, hive_partitioning = false, union_by_name = true)"
            years_in = "(" + ", ".join(str(y) for y in sorted(new_years)) + ")" if new_years else ""
            for (y,) in con.execute(f"SELECT DISTINCT year FROM {rel}").fetchall():
                old_years.add(int(y))
            where = f"WHERE year NOT IN {years_in}" if years_in else ""
            n_all = int(con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0])
            n_keep = int(con.execute(f"SELECT count(*) FROM {rel} {where}").fetchone()[0])
            if n_keep:
                kept_dir.mkdir(parents=True, exist_ok=True)
                con.execute(
                    f"COPY (SELECT * FROM {rel} {where}) TO "
                    f"{_sql_literal(str(kept_dir / 'kept_loose.parquet'))} "
                    "(FORMAT parquet, COMPRESSION zstd)"
                )
            kept_rows += n_keep
            replaced_rows += n_all - n_keep
    finally:
        con.close()
    return MergeSummary(
        label="year",
        kept=[str(y) for y in sorted(old_years - new_years)],
        replaced=[str(y) for y in sorted(old_years & new_years)],
        added=[str(y) for y in sorted(new_years - old_years)],
        rows_kept=kept_rows,
        rows_replaced=replaced_rows,
        from_version=from_version,
    )
