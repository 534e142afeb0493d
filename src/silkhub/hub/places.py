"""The international living-environment directory (issue 11): places, import, counts.

Places are public reference records (schools, hospitals, hotels, consulates, language and
business/visa service centres) with a city, languages, services, coordinates and a source.
They can be imported from a CSV/XLSX template (atomic: a file with any bad row imports nothing;
idempotent: a row with the same kind, name and region updates the existing place) and they feed
the city-internationalization index as region-level counts dated by when they were counted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from silkhub.data.storage.models.reference import Region
from silkhub.data.storage.models.talent import Place, TalentProfile
from silkhub.errors import DataImportError, SilkhubError, UnknownChoiceError, ValidationError
from silkhub.hub._audit import audit
from silkhub.hub.common import resolve_country, resolve_region
from silkhub.hub.policy import Actor, ensure_role, not_found

KINDS: tuple[str, ...] = (
    "international_school",
    "international_hospital",
    "international_hotel",
    "consulate",
    "language_service",
    "business_service",
    "visa_service",
)
KIND_NAMES: dict[str, tuple[str, str]] = {
    "international_school": ("International school", "国际学校"),
    "international_hospital": ("Hospital with international department", "国际医院/国际部"),
    "international_hotel": ("International hotel", "国际酒店"),
    "consulate": ("Consulate", "领事机构"),
    "language_service": ("Foreign-language service centre", "外语服务中心"),
    "business_service": ("Business service centre", "商务服务中心"),
    "visa_service": ("Visa / entry-exit service centre", "签证/出入境服务中心"),
}
#: region-level indicator codes (as in the regional template) fed by place counts
INDICATOR_OF_KIND: dict[str, str] = {
    "international_school": "INTL_SCHOOLS",
    "international_hospital": "INTL_HOSPITALS",
    "consulate": "CONSULATES",
}
TEMPLATE_COLUMNS: tuple[str, ...] = (
    "kind",
    "name_en",
    "name_zh",
    "region",
    "country_served",
    "languages",
    "services",
    "address",
    "lat",
    "lon",
    "opened_on",
    "source",
)


class PlaceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal[KINDS] = Field(description=", ".join(KINDS))  # type: ignore[valid-type]
    name_en: str | None = Field(None, max_length=300)
    name_zh: str | None = Field(None, max_length=300)
    region: str = Field(description="region id or name, e.g. Jinan")
    country_served: str | None = Field(None, description="consulates: the sending country")
    languages: list[str] = Field(default_factory=list)
    services: str | None = Field(None, max_length=1000)
    address: str | None = Field(None, max_length=500)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    opened_on: date | None = None
    source: str = Field(min_length=1, max_length=500, description="where the entry comes from")


def check_kind(kind: str) -> str:
    k = kind.strip().lower().replace("-", "_").replace(" ", "_")
    if k not in KINDS:
        raise UnknownChoiceError("place kind", kind, KINDS, field="kind")
    return k


def _upsert(session: Session, data: PlaceIn, *, dataset: str | None, row: str | None) -> Place:
    kind = check_kind(data.kind)
    if not ((data.name_en or "").strip() or (data.name_zh or "").strip()):
        raise ValidationError("a place needs a name (name_en or name_zh)", field="name_en")
    region_id, _ = resolve_region(session, data.region)
    langs = []
    for code in data.languages:
        c = code.strip().lower()
        if c and not (2 <= len(c) <= 3 and c.isalpha()):
            raise ValidationError(f"language {code!r} is not an ISO 639 code", field="languages")
        if c:
            langs.append(c)
    name_key = (data.name_en or data.name_zh or "").strip()
    col = Place.name_en if data.name_en else Place.name_zh
    existing = session.scalar(
        select(Place).where(Place.kind == kind, Place.region_id == region_id, col == name_key)
    )
    place = existing or Place(kind=kind, region_id=region_id)
    place.name_en = (data.name_en or "").strip() or None
    place.name_zh = (data.name_zh or "").strip() or None
    place.country_served = resolve_country(session, data.country_served, field="country_served")
    place.languages = ",".join(dict.fromkeys(langs)) or None
    place.services = data.services
    place.address = data.address
    place.lat, place.lon = data.lat, data.lon
    if place.lat is None and region_id:
        r = session.get(Region, region_id)
        if r is not None:
            place.lat, place.lon = r.lat, r.lon
    place.opened_on = data.opened_on
    place.source = data.source
    place.source_dataset, place.source_row = dataset, row
    session.add(place)
    session.flush()
    return place


def create_place(session: Session, actor: Actor, data: PlaceIn) -> Place:
    """Add or update one directory entry (hub staff only)."""
    ensure_role(actor, "admin", "operator")
    place = _upsert(session, data, dataset=None, row=None)
    audit(session, actor, "place.upsert", "place", place.id, after={"kind": place.kind})
    return place


def get_place(session: Session, place_id: int) -> Place:
    p = session.get(Place, place_id)
    if p is None:
        raise not_found("place", place_id)
    return p


def delete_place(session: Session, actor: Actor, place_id: int) -> None:
    ensure_role(actor, "admin", "operator")
    p = get_place(session, place_id)
    session.delete(p)
    audit(session, actor, "place.delete", "place", place_id, before={"kind": p.kind})


def list_places(
    session: Session,
    *,
    region: str | None = None,
    kind: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[Place]:
    q = select(Place).order_by(Place.region_id, Place.kind, Place.id)
    if region:
        rid, _ = resolve_region(session, region)
        children = select(Region.region_id).where(Region.parent_id == rid)
        q = q.where((Place.region_id == rid) | Place.region_id.in_(children))
    if kind:
        q = q.where(Place.kind == check_kind(kind))
    return list(session.scalars(q.offset(offset).limit(limit)))


# -- template import ---------------------------------------------------------------------------


def write_template(path: Path) -> Path:
    """Write an empty CSV template with bilingual instructions as comment lines."""
    kinds = "; ".join(f"{k} = {en} / {zh}" for k, (en, zh) in KIND_NAMES.items())
    lines = [
        "# silkhub living-environment directory template / 国际化生活环境目录模板",
        "# One row per place. Required: kind, name_en or name_zh, region, source.",
        "# 每行一个场所。必填：kind、name_en 或 name_zh、region、source。",
        f"# kind: {kinds}",
        "# region: region id or name (e.g. Jinan / 济南 / CN-SD-jinan); 地区：编号或名称",
        "# languages: ISO 639-1 codes separated by ';' (e.g. en;ko); 语言：ISO 639-1 代码，用;分隔",
        "# lat/lon optional (decimal degrees); opened_on optional (YYYY-MM-DD)",
        ",".join(TEMPLATE_COLUMNS),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    if not path.exists():
        raise DataImportError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        ws = wb.active
        raw = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    else:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise DataImportError(
                    f"{path.name}: cannot decode the file as UTF-8 or GBK"
                ) from None
        raw = list(csv.reader(io.StringIO(text)))
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    for lineno, cells in enumerate(raw, start=1):
        if not cells or not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            missing = [c for c in ("kind", "region", "source") if c not in header]
            if missing:
                raise DataImportError(
                    f"{path.name}:{lineno}: header lacks column(s) {', '.join(missing)}; "
                    f"expected {','.join(TEMPLATE_COLUMNS)}"
                )
            continue
        rows.append(
            (lineno, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)})
        )
    return rows


def import_places(session: Session, actor: Actor, path: Path) -> int:
    """Import a template file atomically: any bad row rejects the whole file.

    Errors read ``file:line:column: reason``. Re-importing the same file changes nothing.
    """
    ensure_role(actor, "admin", "operator")
    rows = _read_rows(path)
    errors: list[str] = []
    count = 0
    with session.begin_nested():
        for lineno, r in rows:
            try:
                data = PlaceIn(
                    kind=check_kind(r.get("kind", "")),  # files may say "Consulate"
                    name_en=r.get("name_en") or None,
                    name_zh=r.get("name_zh") or None,
                    region=r.get("region", ""),
                    country_served=r.get("country_served") or None,
                    languages=[x for x in (r.get("languages") or "").split(";") if x.strip()],
                    services=r.get("services") or None,
                    address=r.get("address") or None,
                    lat=_num(r.get("lat")),
                    lon=_num(r.get("lon")),
                    opened_on=r.get("opened_on") or None,
                    source=r.get("source", ""),
                )
                _upsert(session, data, dataset=path.name, row=str(lineno))
                count += 1
            except PydanticValidationError as exc:
                for e in exc.errors():
                    col = ".".join(str(x) for x in e.get("loc", ())) or "?"
                    errors.append(f"{path.name}:{lineno}:{col}: {e.get('msg')}")
            except SilkhubError as exc:
                errors.append(f"{path.name}:{lineno}:{_field_of(exc)}: {exc.message}")
            if len(errors) >= 200:
                break
        if errors:
            raise DataImportError(
                f"{path.name}: {len(errors)} row(s) rejected, nothing imported", errors=errors
            )
    audit(session, actor, "place.import", "place", None, after={"file": path.name, "rows": count})
    return count


def _num(value: str | None) -> float | str | None:
    """A float, or the original text so that validation names the cell."""
    if value is None or not str(value).strip():
        return None
    try:
        return float(value)
    except ValueError:
        return value


def _field_of(exc: SilkhubError) -> str:
    field = getattr(exc, "field", None)
    if field:
        return str(field)
    errs = exc.details.get("errors") or [{}]
    return str(errs[0].get("field") or ("region" if exc.status == 404 else "?"))


# -- counts for the index ------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionCount:
    """A region-level indicator derived from hub records, with the date it was counted."""

    region_id: str
    year: int
    indicator: str
    value: float
    counted_on: date
    source: str


def _city_of(session: Session) -> dict[str, str]:
    """Region id -> the city it belongs to (districts roll up into their city)."""
    out = {}
    for r in session.scalars(select(Region)):
        out[r.region_id] = r.parent_id if r.level == "district" and r.parent_id else r.region_id
    return out


def region_counts(session: Session, as_of: date | None = None) -> list[RegionCount]:
    """Counts per region of places (schools, hospitals, consulates) and foreign experts.

    A place counts on ``as_of`` when it opened on or before that day (or no date is given) and
    has not closed. Foreign experts are live talent profiles based in the region whose
    nationality is not the region's country.
    """
    day = as_of or date.today()
    city = _city_of(session)
    counts: dict[tuple[str, str], int] = {}
    q = select(Place.region_id, Place.kind, Place.opened_on, Place.closed_on)
    for region_id, kind, opened, closed in session.execute(q):
        ind = INDICATOR_OF_KIND.get(kind)
        if ind is None or (opened and opened > day) or (closed and closed <= day):
            continue
        key = (city.get(region_id, region_id), ind)
        counts[key] = counts.get(key, 0) + 1
    q2 = (
        select(TalentProfile.based_in_region_id, Region.iso3, TalentProfile.nationality)
        .join(Region, Region.region_id == TalentProfile.based_in_region_id)
        .where(TalentProfile.deleted_at.is_(None))
    )
    for region_id, iso3, nationality in session.execute(q2):
        if nationality and nationality != iso3:
            key = (city.get(region_id, region_id), "FOREIGN_EXPERTS")
            counts[key] = counts.get(key, 0) + 1
    return [
        RegionCount(rid, day.year, ind, float(n), day, "silkhub hub directory")
        for (rid, ind), n in sorted(counts.items())
    ]


def experts_by(session: Session, by: str = "country") -> list[dict[str, object]]:
    """Foreign experts per region and nationality (``by='country'``) or sector."""
    if by not in ("country", "sector"):
        raise UnknownChoiceError("breakdown", by, ("country", "sector"), field="by")
    rows = session.execute(
        select(
            TalentProfile.based_in_region_id,
            TalentProfile.nationality,
            TalentProfile.isic_codes,
            Region.iso3,
        )
        .join(Region, Region.region_id == TalentProfile.based_in_region_id)
        .where(TalentProfile.deleted_at.is_(None))
    ).all()
    counts: dict[tuple[str, str], int] = {}
    for rid, nat, codes, iso3 in rows:
        if not nat or nat == iso3:
            continue
        keys = [nat] if by == "country" else ([c for c in (codes or "").split(",") if c] or ["?"])
        for k in keys:
            counts[(rid, k)] = counts.get((rid, k), 0) + 1
    return [{"region_id": r, by: k, "experts": n} for (r, k), n in sorted(counts.items())]


def count_by_kind(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Place.kind, func.count()).group_by(Place.kind)).all())


def region_counts_frame(session: Session, as_of: date | None = None):  # type: ignore[no-untyped-def]
    """:func:`region_counts` as a long DataFrame ``unit, year, indicator, value`` for the index.

    Pass it as an extra source to :func:`silkhub.analytics.index_service.load_data`.
    """
    import pandas as pd

    rows = [
        {"unit": c.region_id, "year": c.year, "indicator": c.indicator, "value": c.value}
        for c in region_counts(session, as_of)
    ]
    return pd.DataFrame(rows, columns=["unit", "year", "indicator", "value"])
