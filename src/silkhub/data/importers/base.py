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
