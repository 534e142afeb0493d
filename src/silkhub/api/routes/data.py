"""``/api/v1/data``: the dataset catalog (list, show with every version's provenance)."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from silkhub.api.deps import RuntimeDep
from silkhub.data.store import AnalyticsStore, CatalogEntry

router = APIRouter(prefix="/data", tags=["data"])


class DatasetOut(BaseModel):
    """Catalog row of a dataset version."""

    name: str
    version: int
    current: bool
    source: str
    title: str | None
    source_url: str | None
    source_version: str | None
    sha256: str
    rows: int
    years: list[int] | None
    licence: str | None
    imported_at: str
    importer: str
    importer_version: str
    command: str | None
    files: list[str]
    notes: list[str]


class DatasetDetail(DatasetOut):
    """A dataset's current version with its schema and the provenance of every version."""

    columns: dict[str, str]
    versions: list[DatasetOut]


class DatasetList(BaseModel):
    items: list[DatasetOut]
    total: int


def _out(e: CatalogEntry) -> DatasetOut:
    d = e.to_dict()
    return DatasetOut(**{k: d[k] for k in DatasetOut.model_fields})


def _store(rt: RuntimeDep) -> AnalyticsStore:
    return AnalyticsStore(rt.settings.analytics_dir)


@router.get("", response_model=DatasetList, summary="List imported datasets")
def list_datasets(
    rt: RuntimeDep,
    source: str | None = Query(None, max_length=40, description="only datasets from this source"),
) -> DatasetList:
    """Current version of every imported dataset (name, rows, years, sha256, provenance)."""
    items = [_out(e) for e in _store(rt).datasets() if source is None or e.source == source]
    return DatasetList(items=items, total=len(items))


@router.get("/{name}", response_model=DatasetDetail, summary="Show a dataset")
def show_dataset(
    rt: RuntimeDep,
    name: str = Path(..., pattern=r"^[a-z][a-z0-9_]{0,62}$", description="dataset name"),
) -> DatasetDetail:
    """Schema, years covered and every version's provenance; 404 if not imported."""
    store = _store(rt)
    entry = store.entry(name)
    base = _out(entry).model_dump()
    return DatasetDetail(
        **base, columns=entry.columns, versions=[_out(v) for v in store.versions(name)]
    )
