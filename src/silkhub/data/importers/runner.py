"""Run an importer: hash the files, skip unchanged input, publish atomically with provenance."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from silkhub.data.importers import importer
from silkhub.data.importers.base import (
    ImportContext,
    MergeSummary,
    NullProgress,
    Output,
    Progress,
    merge_frame_writer,
    merge_year_partitions,
    sha256_files,
)
from silkhub.data.registry import conform
from silkhub.data.store import AnalyticsStore, CatalogEntry, NewVersion, check_name
from silkhub.errors import DataImportError, NotFoundError, ValidationError

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    """What happened to one dataset of an import."""

    dataset: str
    status: str  # imported | unchanged | dry-run
    rows: int
    sha256: str
    version: int | None = None
    notes: list[str] = field(default_factory=list)
    entry: CatalogEntry | None = None
    #: key-based merge with the previous version (``kept 3 indicators, replaced 1``), if any
    merge: str | None = None


def error_file_for(store: AnalyticsStore, source: str) -> Path:
    """Where the full list of problems of an import goes."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return store.root / "errors" / f"{source}-{stamp}.csv"


def _run_import(
    store: AnalyticsStore,
    source: str,
    path: Path,
    *,
    name: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    command: str | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    options: dict[str, Any] | None = None,
    bri_iso3s: frozenset[str] = frozenset(),
    as_of: str | None = None,
    skip_invalid: bool = False,
    error_file: Path | None = None,
    force: bool = False,
    replace_all: bool = False,
) -> list[ImportResult]:
    """Import ``path`` with the ``source`` importer into the store.

    Re-importing files whose sha256 equals the current version's is a no-op (``unchanged``)
    unless ``force``. Nothing is visible until a dataset's files are completely written.

    Importers of naturally partial files (WDI by indicator, regional, Comtrade, BACI by year)
    mark their outputs with ``merge_keys``: the new version is the current one with the rows
    whose keys the import brings replaced, and the others kept (said in ``ImportResult.merge``).
    ``replace_all`` makes the import the whole new version instead.
    """
    mod = importer(source)
    path = Path(path)
    if not path.exists():
        raise NotFoundError(f"{path}: no such file or folder")
    files = mod.collect(path)
    if not files:
        raise DataImportError(f"{path}: no input files for the {source} importer")
    datasets = list(mod.datasets_for(files) if hasattr(mod, "datasets_for") else mod.DATASETS)
    if name is not None:
        check_name(name)
        if len(datasets) != 1 and not getattr(mod, "RENAME_FIRST", False):
            raise ValidationError(
                f"the {source} importer writes {', '.join(datasets)}; --name is not supported",
                field="name",
            )
        datasets = [name, *datasets[1:]]  # --name renames the main dataset
    part = getattr(mod, "PART", None)
    sha = sha256_files(files)
    if not force and not dry_run and all(_unchanged(store, d, sha, part) for d in datasets):
        return [
            ImportResult(d, "unchanged", store.entry(d).rows, sha, store.entry(d).version)
            for d in datasets
        ]
    ctx = ImportContext(
        paths=files,
        progress=progress or NullProgress(),
        encoding=encoding,
        sep=sep,
        options=dict(options or {}),
        bri_iso3s=bri_iso3s,
        as_of=as_of,
        read_existing=lambda n: store.read(n) if store.has(n) else None,
        error_file=error_file or error_file_for(store, source),
        skip_invalid=skip_invalid,
    )
    outputs: list[Output] = mod.run(ctx)
    if name is not None:
        original = outputs[0].name
        outputs[0].name = name
        for o in outputs[1:]:  # wdi -> wdi_aggregates follows a renamed wdi
            if o.name.startswith(original + "_"):
                o.name = name + o.name[len(original) :]
    results: list[ImportResult] = []
    # stage every dataset first, then make them all current in one catalog write
    with store.staging() as staged:
        pending: list[tuple[list[str], str | None]] = []
        for out in outputs:
            holder: list[MergeSummary] = []
            notes = ctx.notes + out.notes
            frame = out.frame if out.frame is None else conform(out.name, out.frame)
            parts: dict[str, str] = {}
            if out.part is not None and frame is not None:
                frame, parts = _merge_part(store, out.name, out.part, frame, sha)
            cur = store.catalog.current(out.name)
            merging = out.merge_keys is not None and not replace_all and cur is not None
            summary: MergeSummary | None = None
            write = None
            if merging and frame is not None:
                assert cur is not None and out.merge_keys is not None
                summary, write = merge_frame_writer(
                    frame,
                    store.glob(cur),
                    out.merge_keys,
                    out.merge_label or out.merge_keys[0],
                    partition_by_year=out.partition_by_year,
                )
                summary.from_version = cur.version
            elif replace_all and out.merge_keys is not None and cur is not None:
                notes = [*notes, f"replaced version {cur.version} as a whole (--replace-all)"]
            if dry_run:
                rows = len(frame) if frame is not None else (out.rows or 0)
                if summary is not None:
                    rows = len(frame) + summary.rows_kept if frame is not None else rows
                results.append(
                    ImportResult(
                        out.name,
                        "dry-run",
                        rows,
                        sha,
                        notes=notes,
                        merge=summary.text() if summary else None,
                    )
                )
                continue
            meta = NewVersion(
                source=source,
                sha256=sha,
                importer=mod.__name__,
                importer_version=mod.VERSION,
                title=mod.TITLE,
                source_url=mod.SOURCE_URL,
                source_version=getattr(mod, "SOURCE_VERSION", None),
                licence=mod.LICENCE,
                command=command,
                files=[f.name for f in files],
                notes=notes,
                parts=parts,
            )
            if write is None and frame is not None:
                write = store.frame_writer(frame, partition_by_year=out.partition_by_year)
            elif write is None and out.write is not None:
                write = out.write
                if merging and cur is not None:
                    write, holder = _merging_writer(out.write, store.root / cur.path, cur.version)
            elif write is None:  # pragma: no cover - importer bug
                raise DataImportError(f"importer {source} produced nothing for {out.name}")
            st = store.stage(staged, out.name, write, meta)
            if summary is None and holder:
                summary = holder[0]
            if summary is not None:
                st.meta.notes = [*st.meta.notes, summary.text()]
            pending.append((notes, summary.text() if summary else None))
        entries = store.commit(staged) if staged else []
    for entry, (notes, merge) in zip(entries, pending, strict=True):
        results.append(
            ImportResult(
                entry.name, "imported", entry.rows, sha, entry.version, notes, entry, merge
            )
        )
    return results


def run_import(
    store: AnalyticsStore, source: str, path: Path, **options: Any
) -> list[ImportResult]:
    """Import ``path`` with the ``source`` importer (options: see :func:`_run_import`).

    Runs under the inter-process import lock of every dataset the importer writes
    (:meth:`AnalyticsStore.import_lock`): a second import of the same dataset at the same time
    gets :class:`~silkhub.data.store.ImportBusyError` (409) instead of a duplicate version or a
    lost merge, and leftovers of a killed import are tidied first. Dry runs take no lock.
    """
    if options.get("dry_run"):
        return _run_import(store, source, path, **options)
    mod = importer(source)
    names = [*getattr(mod, "DATASETS", ()), *([options["name"]] if options.get("name") else [])]
    with store.import_lock(*names):
        return _run_import(store, source, path, **options)


def _merging_writer(
    write: Callable[[Path], object], old_root: Path, version: int
) -> tuple[Callable[[Path], None], list[MergeSummary]]:
    """Wrap an importer's Parquet writer (BACI): after it, keep the years it did not bring."""
    holder: list[MergeSummary] = []

    def merged(directory: Path) -> None:
        write(directory)
        holder.append(merge_year_partitions(directory, old_root, from_version=version))

    return merged, holder


def _unchanged(store: AnalyticsStore, dataset: str, sha: str, part: str | None) -> bool:
    cur = store.catalog.current(dataset)
    if cur is None:
        return False
    if part is not None:
        return cur.parts.get(part) == sha
    return cur.sha256 == sha


def _merge_part(
    store: AnalyticsStore, dataset: str, part: str, frame: pd.DataFrame, sha: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Replace the rows of one source in a shared dataset; keep the others."""
    parts = {part: sha}
    cur = store.catalog.current(dataset)
    if cur is None:
        return frame, parts
    old = store.read(dataset)
    keep = old[old["source"] != part]
    parts = {k: v for k, v in cur.parts.items() if k != part} | parts
    if keep.empty:
        return frame, parts
    keep = keep.astype(frame.dtypes.to_dict())
    return pd.concat([keep, frame], ignore_index=True), parts
