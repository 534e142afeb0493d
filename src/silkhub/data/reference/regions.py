"""Write-side of regions: users add their own below the shipped ones."""

from __future__ import annotations

from sqlalchemy.orm import Session

from silkhub.data.reference.queries import get_country
from silkhub.data.storage.models.reference import Region
from silkhub.errors import ConflictError, UnknownChoiceError, ValidationError

LEVELS = ("province", "city", "district")


def upsert_region(
    session: Session,
    *,
    region_id: str,
    iso3: str,
    level: str,
    name_en: str,
    name_zh: str | None = None,
    parent_id: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    source: str | None = "user",
) -> Region:
    """Create or update a user-defined region; shipped regions cannot be overwritten."""
    if not region_id or len(region_id) > 64:
        raise ValidationError("region id must be 1–64 characters", field="region_id")
    if level not in LEVELS:
        raise UnknownChoiceError("level", level, LEVELS)
    if lat is not None and not -90 <= lat <= 90:
        raise ValidationError(f"latitude {lat} is outside -90..90", field="lat")
    if lon is not None and not -180 <= lon <= 180:
        raise ValidationError(f"longitude {lon} is outside -180..180", field="lon")
    country = get_country(session, iso3)
    if parent_id and session.get(Region, parent_id) is None:
        raise ValidationError(f"unknown parent region {parent_id!r}", field="parent_id")
    existing = session.get(Region, region_id)
    if existing is not None and not existing.user_defined:
        raise ConflictError(f"region {region_id!r} is shipped reference data and cannot be changed")
    region = existing or Region(region_id=region_id)
    region.iso3 = country.iso3
    region.level = level
    region.name_en = name_en
    region.name_zh = name_zh
    region.parent_id = parent_id
    region.lat = lat
    region.lon = lon
    region.source = source
    region.user_defined = True
    session.add(region)
    session.flush()
    return region
