"""The analytics store: versioned Parquet datasets exposed as DuckDB views.

Layout under ``root`` (``settings.analytics_dir`` = ``data_dir/analytics``)::

    catalog.json                      provenance of every version (see silkhub.data.catalog)
    datasets/<name>/v<N>-<sha12>/     one directory per version: *.parquet, or year=YYYY/*.parquet
    .staging/<random>/                work in progress; never read

Writing a version is atomic: files are written to ``.staging``, the directory is renamed into
``datasets/<name>/`` and only then does the catalog (rewritten with :func:`os.replace`) point at
it. An import killed at any step leaves the previous version current and readable.

Readers call :meth:`AnalyticsStore.connect` and query one view per dataset, e.g.::

    con = AnalyticsStore(settings.analytics_dir).connect()
    con.sql("SELECT year, sum(value_usd) FROM baci WHERE exporter = 'CHN' GROUP BY year").df()

Canonical columns of each dataset are listed in ``docs/reference/datasets.md``.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from silkhub.data.catalog import Catalog, CatalogEntry
from silkhub.errors import DataMissingError, ValidationError

__all__ = ["AnalyticsStore", "CatalogEntry", "NewVersion", "Staged"]

logger = logging.getLogger(__name__)

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_STALE_STAGING_SECONDS = 6 * 3600


@dataclass
class NewVersion:
    """What an importer knows about the version it is about to publish (provenance)."""

    source: str
    sha256: str
    importer: str
    importer_version: str
    title: str | None = None
    source_url: str | None = None
    source_version: str | None = None
    licence: str | None = None
    command: str | None = None
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    parts: dict[str, str] = field(default_factory=dict)


@dataclass
class Staged:
    """A version written to the staging area, measured, not yet visible."""

    name: str
    directory: Path
    meta: NewVersion
    rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    years: list[int] | None = None


def check_name(name: str) -> str:
    """Dataset names are lower-case SQL identifiers (they become DuckDB view names)."""
    if not _NAME_RE.match(name):
        raise ValidationError(
            f"dataset name {name!r} must be lower case letters, digits and _ "
            "(starting with a letter), e.g. wdi or baci_2022",
            field="name",
        )
    return name


def _sql_str(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class AnalyticsStore:
    """Parquet files + catalog under ``root``; DuckDB views over each dataset's current version."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.catalog = Catalog(self.root)

    # -- reading -------------------------------------------------------------------------
    def has(self, name: str) -> bool:
        """True if ``name`` has a current version."""
        return self.catalog.current(name) is not None

    def datasets(self) -> list[CatalogEntry]:
        """Current version of every dataset (catalog rows), sorted by name."""
        return self.catalog.entries()

    def entry(self, name: str) -> CatalogEntry:
        """Current version of ``name``; :class:`DataMissingError` with a hint when absent."""
        e = self.catalog.current(name)
        if e is None:
            raise DataMissingError(
                f"dataset {name!r} has not been imported; see `silkhub data import --help` "
                "(or `silkhub data demo` for a small sample)",
                details={"dataset": name},
            )
        return e

    def versions(self, name: str) -> list[CatalogEntry]:
        """Every version of ``name`` ever imported (oldest first)."""
        return self.catalog.versions(name)

    def glob(self, entry: CatalogEntry) -> str:
        """Parquet glob of a version directory."""
        return str(self.root / entry.path / "**" / "*.parquet")

    def connect(self, *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with one VIEW per dataset (its current version)."""
        con = duckdb.connect(":memory:")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        for e in self.datasets():
            try:
                con.execute(
                    f'CREATE VIEW "{e.name}" AS SELECT * FROM '
                    f"read_parquet({_sql_str(self.glob(e))}, hive_partitioning = false, "
                    "union_by_name = true)"
                )
            except duckdb.Error as exc:  # files removed by hand: skip, keep the others usable
                logger.warning("dataset %s v%d unreadable, skipped: %s", e.name, e.version, exc)
        return con

    def read(self, name: str, where: str | None = None) -> pd.DataFrame:
        """The current version of ``name`` as a DataFrame (optionally filtered by SQL)."""
        self.entry(name)
        con = self.connect()
        try:
            sql = f'SELECT * FROM "{name}"' + (f" WHERE {where}" if where else "")
            return con.sql(sql).df()
        finally:
            con.close()

    def find_version(self, name: str, sha256: str) -> CatalogEntry | None:
        """The version of ``name`` imported from a source with this sha256, if any."""
        for e in reversed(self.versions(name)):
            if e.sha256 == sha256:
                return e
        return None

    # -- writing -------------------------------------------------------------------------
    @contextlib.contextmanager
    def staging(self) -> Iterator[list[Staged]]:
        """Collect staged versions; everything not committed is deleted on exit.

        Use :meth:`stage` to write each dataset, then :meth:`commit` to make them all current
        in one catalog write (an import that produces several datasets is atomic as a whole).
        """
        staged: list[Staged] = []
        try:
            yield staged
        finally:
            for st in staged:
                shutil.rmtree(st.directory, ignore_errors=True)

    def _new_staging_dir(self) -> Path:
        staging = self.root / ".staging"
        staging.mkdir(parents=True, exist_ok=True)
        self._clean_stale(staging)
        tmp = staging / uuid.uuid4().hex
        tmp.mkdir()
        return tmp

    @staticmethod
    def _clean_stale(staging: Path) -> None:
        now = time.time()
        for p in staging.iterdir():
            with contextlib.suppress(OSError):
                if now - p.stat().st_mtime > _STALE_STAGING_SECONDS:
                    shutil.rmtree(p, ignore_errors=True)

    def stage(
        self,
        staged: list[Staged],
        name: str,
        write: Callable[[Path], object],
        meta: NewVersion,
    ) -> Staged:
        """Write one dataset version into a staging directory and measure it (not visible yet).

        ``write`` is called with an empty directory and writes ``*.parquet`` files into it (any
        depth). If it raises, the staging directory is removed and nothing changes.
        """
        check_name(name)
        tmp = self._new_staging_dir()
        st = Staged(name=name, directory=tmp, meta=meta)
        staged.append(st)
        write(tmp)
        if not list(tmp.rglob("*.parquet")):
            raise ValidationError(f"import of {name!r} produced no data", field="name")
        con = duckdb.connect(":memory:")
        try:
            con.execute(
                f"CREATE VIEW staged AS SELECT * FROM "
                f"read_parquet({_sql_str(tmp / '**' / '*.parquet')}, "
                "hive_partitioning = false, union_by_name = true)"
            )
            desc = con.execute("DESCRIBE staged").fetchall()
            st.columns = {str(r[0]): str(r[1]) for r in desc}
            st.rows = int(con.execute("SELECT count(*) FROM staged").fetchall()[0][0])
            if "year" in st.columns:
                lo, hi = con.execute("SELECT min(year), max(year) FROM staged").fetchall()[0]
                st.years = [int(lo), int(hi)] if lo is not None else None
        finally:
            con.close()
        return st

    def commit(self, staged: list[Staged]) -> list[CatalogEntry]:
        """Move staged versions into place and make them current in one catalog write."""
        entries = []
        with self.catalog.locked():
            for st in staged:
                version = self.catalog.next_version(st.name)
                version += sum(1 for e in entries if e.name == st.name)
                rel_dir = Path("datasets") / st.name / f"v{version}-{st.meta.sha256[:12]}"
                final = self.root / rel_dir
                final.parent.mkdir(parents=True, exist_ok=True)
                st.directory.rename(final)
                st.directory = final
                m = st.meta
                entries.append(
                    CatalogEntry(
                        name=st.name,
                        version=version,
                        source=m.source,
                        sha256=m.sha256,
                        rows=st.rows,
                        imported_at=datetime.now(UTC).isoformat(timespec="seconds"),
                        importer=m.importer,
                        importer_version=m.importer_version,
                        path=rel_dir.as_posix(),
                        columns=st.columns,
                        title=m.title,
                        source_url=m.source_url,
                        source_version=m.source_version,
                        licence=m.licence,
                        command=m.command,
                        files=list(m.files),
                        years=st.years,
                        notes=list(m.notes),
                        parts=dict(m.parts),
                        current=True,
                    )
                )
            self.catalog.add_versions(entries)
        staged.clear()  # committed: the staging cleanup must not remove them
        for e in entries:
            logger.info("published %s v%d (%d rows)", e.name, e.version, e.rows)
        return entries

    def publish(self, name: str, write: Callable[[Path], object], meta: NewVersion) -> CatalogEntry:
        """Write a new version atomically and make it current.

        Parameters
        ----------
        name : dataset (view) name.
        write : called with an empty directory; writes ``*.parquet`` files into it (any depth).
            If it raises, nothing becomes visible and the previous version stays current.
        meta : provenance for the catalog.

        Returns
        -------
        The catalog entry of the new version (row count, columns and years are measured on the
        written files).
        """
        with self.staging() as staged:
            self.stage(staged, name, write, meta)
            return self.commit(staged)[0]

    @staticmethod
    def frame_writer(
        frame: pd.DataFrame, *, partition_by_year: bool = False
    ) -> Callable[[Path], None]:
        """A ``write`` function storing a DataFrame as Parquet (optionally one folder per year)."""

        def write(directory: Path) -> None:
            con = duckdb.connect(":memory:")
            try:
                con.register("frame", frame)
                target = _sql_str(directory / ("data" if partition_by_year else "data.parquet"))
                opts = "FORMAT parquet, COMPRESSION zstd"
                if partition_by_year:
                    opts += ", PARTITION_BY (year), WRITE_PARTITION_COLUMNS true"
                con.execute(f"COPY frame TO {target} ({opts})")
            finally:
                con.close()

        return write

    def publish_frame(
        self,
        name: str,
        frame: pd.DataFrame,
        meta: NewVersion,
        *,
        partition_by_year: bool = False,
    ) -> CatalogEntry:
        """Publish a DataFrame as a new version (small and medium tables)."""
        return self.publish(
            name, self.frame_writer(frame, partition_by_year=partition_by_year), meta
        )

    def activate(self, name: str, version: int) -> CatalogEntry:
        """Make an existing version current again (its files are still on disk)."""
        with self.catalog.locked():
            if not any(v.version == version for v in self.versions(name)):
                raise DataMissingError(f"dataset {name!r} has no version {version}")
            self.catalog.set_current(name, version)
        return self.entry(name)
