"""The analytics store: versioned Parquet datasets exposed as DuckDB views.

Layout under ``root`` (``settings.analytics_dir`` = ``data_dir/analytics``)::

    catalog.json                      provenance of every version (see silkhub.data.catalog)
    datasets/<name>/v<N>-<sha12>/     one directory per version: *.parquet, or year=YYYY/*.parquet
    .staging/<name>-<pid>-<random>/   work in progress; never read
    .locks/<name>.lock                one inter-process lock per dataset (``fcntl.flock``)

Writing a version is atomic: files are written to ``.staging``, the directory is renamed into
``datasets/<name>/`` and only then does the catalog (rewritten with :func:`os.replace`) point at
it. An import killed at any step leaves the previous version current and readable.

Imports of one dataset are serialised by :meth:`AnalyticsStore.import_lock` (a file lock, so it
holds across processes and API workers on one host, and the kernel releases it when its process
dies, even by SIGKILL). Whoever takes the lock first tidies what a dead import left:

* staging directories whose dataset lock is free (their process is gone) are removed;
* a version directory that the catalog does not know (a crash between the rename and the
  catalog write) is recovered into the catalog as a non-current version, from the
  ``_version.json`` written into every version directory before its rename, or removed when it
  has none.

Object storage (``SILKHUB_ANALYTICS_URL=s3://bucket/prefix``, see ``docs/deploy.md``): the
catalog and the version folders are also kept under that URL (each version uploaded before the
catalog object that points at it), and every store opened with the URL reads them from there,
through fsspec/s3fs registered in DuckDB, so several workers and machines share one store.

Readers call :meth:`AnalyticsStore.connect` and query one view per dataset, e.g.::

    con = AnalyticsStore(settings.analytics_dir).connect()
    con.sql("SELECT year, sum(value_usd) FROM baci WHERE exporter = 'CHN' GROUP BY year").df()

Canonical columns of each dataset are listed in ``docs/reference/datasets.md``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from silkhub.data.catalog import Catalog, CatalogEntry, RemoteCatalog
from silkhub.errors import ConfigurationError, ConflictError, DataMissingError, ValidationError

__all__ = ["AnalyticsStore", "CatalogEntry", "ImportBusyError", "NewVersion", "Staged"]

logger = logging.getLogger(__name__)

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
#: staging directories without an owner in their name (older silkhub) are removed after this
_STALE_STAGING_SECONDS = 6 * 3600
#: ``<name>-<pid>-<hex>`` (+ ``.tmp``: DuckDB spill folder of an importer)
_STAGING_RE = re.compile(r"^(?P<name>[a-z][a-z0-9_]{0,62})-(?P<pid>\d+)-[0-9a-f]{32}(\.tmp)?$")
_VERSION_DIR_RE = re.compile(r"^v(?P<version>\d+)-[0-9a-f]{12}$")
#: provenance written into each version directory before it is renamed into place
VERSION_META = "_version.json"


class ImportBusyError(ConflictError):
    """Another import of the same dataset is running (HTTP 409)."""

    code = "import-busy"
    title = "Import already running"


# locks held by this process: lock file -> [owning thread, depth, open file]
_HELD: dict[str, list[object]] = {}
# Parquet objects of remote versions (immutable): version URL -> object URLs
_REMOTE_FILES: dict[str, list[str]] = {}


def object_storage_options() -> dict[str, object]:
    """s3fs options from ``SILKHUB_S3_ENDPOINT_URL`` (MinIO, Ceph, moto …), ``SILKHUB_S3_REGION``,
    ``SILKHUB_S3_ACCESS_KEY_ID`` and ``SILKHUB_S3_SECRET_ACCESS_KEY`` (else the usual AWS
    variables and profiles, as botocore finds them)."""
    env = os.environ
    opts: dict[str, object] = {}
    client: dict[str, object] = {}
    if env.get("SILKHUB_S3_ENDPOINT_URL"):
        client["endpoint_url"] = env["SILKHUB_S3_ENDPOINT_URL"]
    if env.get("SILKHUB_S3_REGION"):
        client["region_name"] = env["SILKHUB_S3_REGION"]
    if client:
        opts["client_kwargs"] = client
    if env.get("SILKHUB_S3_ACCESS_KEY_ID"):
        opts["key"] = env["SILKHUB_S3_ACCESS_KEY_ID"]
        opts["secret"] = env.get("SILKHUB_S3_SECRET_ACCESS_KEY", "")
    return opts


_HELD_GUARD = threading.Lock()


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


def parquet_copy_target(directory: Path, partition_by_year: bool) -> tuple[str, str]:
    """``(target, options)`` of the DuckDB ``COPY ... TO target (options)`` writing a version.

    Partitioned by year: hive folders under ``data/`` that keep the ``year`` column; else one
    ``data.parquet``. Always zstd-compressed Parquet.
    """
    target = _sql_str(directory / ("data" if partition_by_year else "data.parquet"))
    opts = "FORMAT parquet, COMPRESSION zstd"
    if partition_by_year:
        opts += ", PARTITION_BY (year), WRITE_PARTITION_COLUMNS true"
    return target, opts


class _StagedList(list[Staged]):
    """The list :meth:`AnalyticsStore.staging` yields; holds the dataset locks taken by
    :meth:`AnalyticsStore.stage` until the staging context ends."""

    def __init__(self, locks: contextlib.ExitStack) -> None:
        super().__init__()
        self.locks = locks
        self.locked: set[str] = set()


def _flock(fh: object, blocking: bool) -> bool:
    """Exclusive ``flock`` on an open file; False if another open file holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - non-POSIX: no inter-process lock
        return True
    flags = fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB)
    try:
        fcntl.flock(fh, flags)  # type: ignore[arg-type]
    except BlockingIOError:
        return False
    return True


class AnalyticsStore:
    """Parquet files + catalog under ``root``; DuckDB views over each dataset's current version."""

    def __init__(
        self,
        root: Path,
        *,
        lock_wait: float = 0.0,
        url: str | None = None,
        storage_options: dict[str, object] | None = None,
    ) -> None:
        """``lock_wait``: seconds an import waits for another import of the same dataset
        before :class:`ImportBusyError` (0: fail at once).

        ``url`` (default ``SILKHUB_ANALYTICS_URL``, e.g. ``s3://bucket/silkhub``): the store's
        catalog and Parquet files in object storage, shared by several workers and machines.
        Readers then need no local copy (``root`` only holds locks and derived results); a
        writer publishes into ``root`` as usual and uploads each version, then the catalog.
        ``storage_options`` go to the fsspec filesystem (default from ``SILKHUB_S3_*``, see
        :func:`object_storage_options`).
        """
        self.root = Path(root)
        self.lock_wait = lock_wait
        url = url if url is not None else os.environ.get("SILKHUB_ANALYTICS_URL") or None
        self.url = url.rstrip("/") if url else None
        self._fs: object | None = None
        self._storage_options = storage_options
        remote = None
        if self.url:
            remote = RemoteCatalog(self.fs, f"{self.url}/catalog.json")
        self.catalog = Catalog(self.root, remote=remote)

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
        """Parquet glob of a version directory (local: writers and merges read it)."""
        return str(self.root / entry.path / "**" / "*.parquet")

    # -- object storage --------------------------------------------------------------------
    @property
    def fs(self) -> Any:
        """The fsspec filesystem of :attr:`url` (s3fs for ``s3://``)."""
        if self._fs is None:
            if not self.url:
                raise ConfigurationError("this analytics store has no object-storage URL")
            protocol = self.url.split("://", 1)[0]
            opts = self._storage_options
            if opts is None:
                opts = object_storage_options() if protocol in ("s3", "s3a") else {}
            try:
                import fsspec

                self._fs = fsspec.filesystem(protocol, **opts)
            except ImportError as exc:
                raise ConfigurationError(
                    f"reading the analytics store from {protocol}:// needs the s3fs package "
                    "(pip install 'silkhub[s3]')"
                ) from exc
        return self._fs

    def _remote_files(self, entry: CatalogEntry) -> list[str]:
        """The Parquet objects of a version (listed once: versions never change)."""
        prefix = f"{self.url}/{entry.path}"
        with _HELD_GUARD:
            hit = _REMOTE_FILES.get(prefix)
        if hit is None:
            proto = self.url.split("://", 1)[0] if self.url else "s3"
            found = self.fs.find(prefix)
            hit = sorted(f"{proto}://{f}" for f in found if str(f).endswith(".parquet"))
            with _HELD_GUARD:
                _REMOTE_FILES[prefix] = hit
        return hit

    def _upload(self, local: Path, rel: str) -> None:
        """Copy a committed version folder to object storage (before the catalog points at
        it)."""
        t = time.perf_counter()
        self.fs.put(str(local), f"{self.url}/{rel}", recursive=True)
        logger.info("uploaded %s to %s in %.1fs", rel, self.url, time.perf_counter() - t)

    def derived_dir(self, entry: CatalogEntry) -> Path:
        """Folder for results computed from one version (``derived/<name>/v<N>-<sha12>/``).

        Heavy analytics (complexity …) are computed once per version and kept here, next to
        the version, so every worker sharing the store reuses them; a new version gets a new
        folder and the folders of versions no longer current are removed at each commit.
        """
        rel = Path(entry.path)
        if rel.parts and rel.parts[0] == "datasets":
            rel = Path(*rel.parts[1:])
        return self.root / "derived" / rel

    def prune_derived(self, name: str) -> list[str]:
        """Remove derived results of the versions of ``name`` that are not current."""
        folder = self.root / "derived" / check_name(name)
        cur = self.catalog.current(name)
        keep = self.derived_dir(cur).name if cur is not None else None
        removed = []
        for d in folder.iterdir() if folder.is_dir() else []:
            if d.name != keep:
                shutil.rmtree(d, ignore_errors=True)
                removed.append(d.name)
        return removed

    def connect(
        self, *, threads: int | None = None, memory_limit: str | None = None
    ) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with one VIEW per dataset (its current version).

        ``memory_limit`` (default ``SILKHUB_DUCKDB_MEMORY_LIMIT`` or 2GB; DuckDB's own default is
        80 % of the machine) bounds what one query may hold; larger sorts and aggregations
        spill to disk instead of growing the worker.
        """
        con = duckdb.connect(":memory:")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        limit = memory_limit or os.environ.get("SILKHUB_DUCKDB_MEMORY_LIMIT") or "2GB"
        con.execute("SET memory_limit = ?", [limit])
        if self.url:  # DuckDB reads the objects through fsspec (no httpfs extension needed)
            con.register_filesystem(self.fs)
        for e in self.datasets():
            try:
                if self.url:
                    files = self._remote_files(e)
                    if not files:
                        raise duckdb.IOException(f"no Parquet objects under {e.path}")
                    source = "[" + ", ".join(_sql_str(f) for f in files) + "]"
                else:
                    source = _sql_str(self.glob(e))
                con.execute(
                    f'CREATE VIEW "{e.name}" AS SELECT * FROM '
                    f"read_parquet({source}, hive_partitioning = false, union_by_name = true)"
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
        with contextlib.ExitStack() as locks:
            staged = _StagedList(locks)
            try:
                yield staged
            finally:
                for st in staged:
                    shutil.rmtree(st.directory, ignore_errors=True)
                    shutil.rmtree(st.directory.with_name(st.directory.name + ".tmp"), True)

    def _new_staging_dir(self, name: str) -> Path:
        staging = self.root / ".staging"
        staging.mkdir(parents=True, exist_ok=True)
        self.clean_staging()
        tmp = staging / f"{name}-{os.getpid()}-{uuid.uuid4().hex}"
        tmp.mkdir()
        return tmp

    # -- locks and leftovers ---------------------------------------------------------------
    def _lock_path(self, name: str) -> Path:
        return self.root / ".locks" / f"{check_name(name)}.lock"

    @contextlib.contextmanager
    def _dataset_lock(self, name: str, wait: float) -> Iterator[None]:
        path = self._lock_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        key = str(path.resolve())
        me = threading.get_ident()
        with _HELD_GUARD:
            held = _HELD.get(key)
            if held is not None and held[0] == me:  # re-entered by the same thread
                held[1] = int(held[1]) + 1  # type: ignore[call-overload]
                mine = False
            else:
                mine = True
        if not mine:
            try:
                yield
            finally:
                with _HELD_GUARD:
                    _HELD[key][1] = int(_HELD[key][1]) - 1  # type: ignore[call-overload]
            return
        fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open while held
        try:
            # a short grace even without waiting: another process's stale-staging probe
            # (clean_staging) may hold the lock for a few microseconds
            deadline = time.monotonic() + max(0.25, wait)
            while not _flock(fh, blocking=False):
                if time.monotonic() >= deadline:
                    raise self._busy(name, path)
                time.sleep(0.05)
            fh.seek(0)
            fh.truncate()
            holder = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "since": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": " ".join(os.path.basename(a) if i == 0 else a
                                    for i, a in enumerate(sys.argv))[:300],
            }  # fmt: skip
            fh.write(json.dumps(holder))
            fh.flush()
            with _HELD_GUARD:
                _HELD[key] = [me, 1, fh]
            try:
                yield
            finally:
                with _HELD_GUARD:
                    _HELD.pop(key, None)
                with contextlib.suppress(OSError):
                    fh.truncate(0)
        finally:
            fh.close()  # releases the flock

    def _busy(self, name: str, path: Path) -> ImportBusyError:
        try:
            who = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            who = {}
        by = ""
        if who.get("pid"):
            by = f" by process {who['pid']} on {who.get('host', '?')} since {who.get('since')}"
            if who.get("command"):
                by += f" ({who['command']})"
        return ImportBusyError(
            f"dataset {name!r} is being imported{by}; wait until that import has finished "
            "and run this one again (an identical file will then be reported unchanged)",
            details={"dataset": name, "holder": who},
        )

    def _held_here(self, name: str) -> bool:
        key = str(self._lock_path(name).resolve())
        with _HELD_GUARD:
            return key in _HELD

    def _lock_free(self, name: str) -> bool:
        """True when no process is importing ``name`` (probes its lock without waiting)."""
        if self._held_here(name):
            return False
        path = self._lock_path(name)
        if not path.exists():
            return True
        with open(path, "a+", encoding="utf-8") as fh:
            return _flock(fh, blocking=False)  # closing releases the probe

    @contextlib.contextmanager
    def import_lock(self, *names: str, wait: float | None = None) -> Iterator[list[str]]:
        """Hold the import lock of every dataset in ``names`` (sorted: no deadlock).

        Raises :class:`ImportBusyError` after ``wait`` seconds (default ``lock_wait``) if
        another process, worker or thread is importing one of them. Re-entrant within a
        thread. Once held, leftovers of dead imports are tidied (see the module docstring);
        the context value lists what was done, for the logs.
        """
        wait = self.lock_wait if wait is None else wait
        with contextlib.ExitStack() as stack:
            fresh = [n for n in sorted(set(names)) if not self._held_here(n)]
            for n in sorted(set(names)):
                stack.enter_context(self._dataset_lock(n, wait))
            done = self.clean_staging() if fresh else []
            for n in fresh:
                done += self.recover_versions(n)
            for line in done:
                logger.warning("%s", line)
            yield done

    def clean_staging(self) -> list[str]:
        """Remove staging directories left by imports whose process is gone.

        A directory ``<name>-<pid>-<hex>`` is live only while the import lock of ``<name>`` is
        held by some process other than this thread's imports (those create it under the lock,
        so any older one of the same dataset is stale). Directories without an owner in their
        name (older silkhub) are removed after 6 hours.
        """
        staging = self.root / ".staging"
        if not staging.is_dir():
            return []
        now = time.time()
        removed: list[str] = []
        for p in sorted(staging.iterdir()):
            m = _STAGING_RE.match(p.name)
            with contextlib.suppress(OSError):
                if m is None:
                    stale = now - p.stat().st_mtime > _STALE_STAGING_SECONDS
                elif self._held_here(m["name"]):
                    stale = int(m["pid"]) != os.getpid()
                else:
                    stale = self._lock_free(m["name"])
                if stale:
                    if p.is_dir():
                        shutil.rmtree(p, ignore_errors=True)
                    else:
                        p.unlink()
                    removed.append(f"removed staging leftover {p.name}")
        return removed

    def recover_versions(self, name: str) -> list[str]:
        """Reconcile ``datasets/<name>/`` with the catalog (call under the import lock).

        A version directory the catalog does not list was renamed into place by an import that
        died before its catalog write. With its ``_version.json`` it is added to the catalog as
        a *non-current* version (``silkhub data activate`` makes it current); without one it is
        incomplete provenance-wise and is removed. Directories the catalog lists are never
        touched.
        """
        folder = self.root / "datasets" / check_name(name)
        if not folder.is_dir():
            return []
        done: list[str] = []
        with self.catalog.locked():
            known = {e.path for e in self.catalog.versions(name)}
            numbers = {e.version for e in self.catalog.versions(name)}
            for d in sorted(folder.iterdir()):
                m = _VERSION_DIR_RE.match(d.name)
                rel = f"datasets/{name}/{d.name}"
                if m is None or rel in known or not d.is_dir():
                    continue
                entry = self._version_meta(d, name)
                if entry is not None and entry.version not in numbers:
                    entry.path = rel
                    entry.current = False
                    if self.url:
                        self._upload(d, rel)
                    entry.notes = [
                        *entry.notes,
                        "recovered: the import that wrote this version stopped before "
                        "recording it; not made current",
                    ]
                    self.catalog.add_versions([entry], make_current=False)
                    numbers.add(entry.version)
                    done.append(f"recovered {name} v{entry.version} from {rel} (not current)")
                else:
                    shutil.rmtree(d, ignore_errors=True)
                    done.append(f"removed unrecorded version folder {rel}")
        return done

    @staticmethod
    def _version_meta(directory: Path, name: str) -> CatalogEntry | None:
        try:
            data = json.loads((directory / VERSION_META).read_text(encoding="utf-8"))
            entry = CatalogEntry.from_dict(data)
        except (OSError, ValueError, TypeError):
            return None
        if entry.name != name or not any(directory.rglob("*.parquet")):
            return None
        return entry

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
        if isinstance(staged, _StagedList) and name not in staged.locked:
            staged.locks.enter_context(self.import_lock(name))
            staged.locked.add(name)
        tmp = self._new_staging_dir(name)
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
        entries: list[CatalogEntry] = []
        with self.catalog.locked():
            for st in staged:
                version = self.catalog.next_version(st.name)
                version += sum(1 for e in entries if e.name == st.name)
                folder = self.root / "datasets" / st.name
                # a folder left by a crash (not in the catalog) never blocks the rename
                taken = [
                    int(mv["version"])
                    for d in (folder.iterdir() if folder.is_dir() else [])
                    if (mv := _VERSION_DIR_RE.match(d.name))
                ]
                version = max([version, *(t + 1 for t in taken if t >= version)])
                rel_dir = Path("datasets") / st.name / f"v{version}-{st.meta.sha256[:12]}"
                final = self.root / rel_dir
                final.parent.mkdir(parents=True, exist_ok=True)
                m = st.meta
                entry = CatalogEntry(
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
                # provenance inside the folder first: a crash after the rename is recoverable
                meta_file = st.directory / VERSION_META
                meta_file.write_text(json.dumps(entry.to_dict(), ensure_ascii=False, indent=1))
                st.directory.rename(final)
                if self.url:
                    self._upload(final, rel_dir.as_posix())
                st.directory = final
                entries.append(entry)
            self.catalog.add_versions(entries)
        staged.clear()  # committed: the staging cleanup must not remove them
        for e in entries:
            logger.info("published %s v%d (%d rows)", e.name, e.version, e.rows)
            self.prune_derived(e.name)
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
                target, opts = parquet_copy_target(directory, partition_by_year)
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
