"""The dataset catalog: provenance of every imported dataset version.

The catalog is one JSON file (``catalog.json``) under the analytics store root. It keeps, per
dataset name, every version ever imported (never deleted) and which version is current:

.. code-block:: json

    {"format": 1,
     "datasets": {"wdi": {"current": 2, "versions": [{...CatalogEntry...}, {...}]}}}

The file is rewritten atomically (write a temporary file, then :func:`os.replace`) under an
exclusive ``fcntl`` lock, so a killed process never leaves a half-written catalog and two imports
in parallel do not lose each other's entries.

With an object-storage copy (:class:`RemoteCatalog`, when the store has a URL) the catalog is
read from the object (one GET, cached for a second or two) and every write goes to the local
file and then to the object (one PUT: readers see the old or the new catalog, never a mix).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

CATALOG_FILE = "catalog.json"
CATALOG_FORMAT = 1


@dataclass
class CatalogEntry:
    """Metadata of one imported dataset version (provenance).

    Attributes
    ----------
    name : dataset name, also the DuckDB view name (``wdi``, ``baci`` ...).
    version : 1, 2, ... in import order.
    source : importer / source kind (``wdi``, ``baci``, ``openflights`` ...).
    title : human description of the source.
    source_url : where the source files come from (publisher or repository URL).
    source_version : the publisher's version / vintage / commit, when known.
    sha256 : SHA-256 of the source file (for several files: of their sorted ``name:sha256`` lines).
    rows : row count of the stored table.
    licence : the source's licence.
    imported_at : ISO 8601 UTC timestamp.
    importer : ``module`` that produced it; ``importer_version`` its version string.
    command : the command line (or API call) that made it.
    files : source file names (no directories).
    path : version directory relative to the store root.
    columns : column name -> DuckDB type of the view.
    years : ``[first, last]`` year covered, if the table has a ``year`` column.
    notes : warnings and caveats recorded during the import (unmatched names, fixes ...).
    parts : for a dataset fed by several sources, the sha256 of each source's files.
    """

    name: str
    version: int
    source: str
    sha256: str
    rows: int
    imported_at: str
    importer: str
    importer_version: str
    path: str
    columns: dict[str, str]
    title: str | None = None
    source_url: str | None = None
    source_version: str | None = None
    licence: str | None = None
    command: str | None = None
    files: list[str] = field(default_factory=list)
    years: list[int] | None = None
    notes: list[str] = field(default_factory=list)
    #: datasets fed by several sources (tracker_projects): source -> sha256 of its files
    parts: dict[str, str] = field(default_factory=dict)
    current: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CatalogEntry:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class RemoteCatalog:
    """``catalog.json`` as one object in object storage (an fsspec filesystem and a path)."""

    def __init__(self, fs: Any, path: str, ttl: float = 2.0) -> None:
        self.fs = fs
        self.path = path
        self.ttl = ttl
        self._cached: tuple[float, dict[str, Any] | None] | None = None
        self._guard = threading.Lock()

    def read(self, fresh: bool = False) -> dict[str, Any] | None:
        """The catalog (None when absent); a copy at most ``ttl`` seconds old unless ``fresh``."""
        with self._guard:
            if not fresh and self._cached and time.monotonic() - self._cached[0] < self.ttl:
                data = self._cached[1]
                return json.loads(json.dumps(data)) if data is not None else None
        try:
            data = json.loads(self.fs.cat_file(self.path))
        except FileNotFoundError:
            data = None
        with self._guard:
            self._cached = (time.monotonic(), data)
        return json.loads(json.dumps(data)) if data is not None else None

    def write(self, data: dict[str, Any]) -> None:
        self.fs.pipe_file(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode())
        with self._guard:
            self._cached = (time.monotonic(), json.loads(json.dumps(data)))


class Catalog:
    """Read and update ``catalog.json`` under ``root`` (and its object-storage copy)."""

    def __init__(self, root: Path, remote: RemoteCatalog | None = None) -> None:
        self.root = Path(root)
        self.path = self.root / CATALOG_FILE
        self.remote = remote
        self._locked_depth = 0

    # -- reading -------------------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        if self.remote is not None:
            data = self.remote.read(fresh=self._locked_depth > 0)  # writers read fresh
            return data if data is not None else {"format": CATALOG_FORMAT, "datasets": {}}
        if not self.path.exists():
            return {"format": CATALOG_FORMAT, "datasets": {}}
        return json.loads(self.path.read_text(encoding="utf-8"))

    def names(self) -> list[str]:
        """Dataset names that have a current version, sorted."""
        return sorted(n for n, d in self._read()["datasets"].items() if d.get("current"))

    def current(self, name: str) -> CatalogEntry | None:
        """The current version of ``name`` (or None)."""
        d = self._read()["datasets"].get(name)
        if not d or not d.get("current"):
            return None
        for v in d["versions"]:
            if v["version"] == d["current"]:
                e = CatalogEntry.from_dict(v)
                e.current = True
                return e
        return None

    def versions(self, name: str) -> list[CatalogEntry]:
        """Every version of ``name``, oldest first, the current one flagged."""
        d = self._read()["datasets"].get(name)
        if not d:
            return []
        out = []
        for v in d["versions"]:
            e = CatalogEntry.from_dict(v)
            e.current = v["version"] == d.get("current")
            out.append(e)
        return out

    def entries(self) -> list[CatalogEntry]:
        """Current versions of all datasets, sorted by name."""
        return [e for n in self.names() if (e := self.current(n)) is not None]

    def next_version(self, name: str) -> int:
        vs = self.versions(name)
        return max((v.version for v in vs), default=0) + 1

    # -- writing -------------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold an exclusive lock on the catalog (POSIX; best effort elsewhere).

        Every catalog write happens under this lock, so a ``.catalog-*.json`` temporary file
        found once it is held was left by a killed writer and is removed.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        lock_path = self.root / ".catalog.lock"
        with open(lock_path, "a+") as fh:
            try:
                import fcntl

                fcntl.flock(fh, fcntl.LOCK_EX)
            except ImportError:  # pragma: no cover - non-POSIX
                pass
            for tmp in self.root.glob(".catalog-*.json"):
                with contextlib.suppress(OSError):
                    tmp.unlink()
            self._locked_depth += 1
            try:
                yield
            finally:
                self._locked_depth -= 1

    def _write(self, data: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".catalog-", suffix=".json", dir=self.root)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        if self.remote is not None:
            self.remote.write(data)

    def add_version(self, entry: CatalogEntry) -> None:
        """Record ``entry`` and make it current (call while holding :meth:`locked`)."""
        self.add_versions([entry])

    def add_versions(self, entries: list[CatalogEntry], *, make_current: bool = True) -> None:
        """Record several versions and make them current in one atomic rewrite
        (``make_current=False``: history only, e.g. a version recovered after a crash)."""
        data = self._read()
        for entry in entries:
            d = data["datasets"].setdefault(entry.name, {"current": None, "versions": []})
            rec = entry.to_dict()
            rec.pop("current", None)
            d["versions"].append(rec)
            d["versions"].sort(key=lambda v: v["version"])
            if make_current:
                d["current"] = entry.version
        self._write(data)

    def set_current(self, name: str, version: int | None) -> None:
        """Point ``name`` at an existing version (``None``: hide the dataset, keep history)."""
        data = self._read()
        d = data["datasets"].get(name)
        if d is None:
            return
        d["current"] = version
        self._write(data)
