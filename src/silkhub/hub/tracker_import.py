"""Load the CGIT and GCDF tracker tables as public hub projects, so the hub starts with data.

Input is the data layer's ``tracker_projects`` table (see ``docs``: columns ``source,
source_id, year, month, iso3, country_name, sector, subsector, amount_usd, investor,
counterparty, project_type, status, title, bri, region_name, record_json``), read from the
analytics store, or produced from a file by the data layer's importers
(:mod:`silkhub.data.importers.cgit` / ``gcdf``).

Mapping
-------
* ``source_id`` → ``external_id`` (unique per source; re-importing updates, never duplicates);
  identifier ``oc4ids-silkhub-<source_id>``; the original row is kept in ``record_json``.
* money: ``amount_usd`` in US$ (CGIT: current US$ of the deal year; GCDF: constant 2021 US$,
  so ``value_year`` is 2021).
* lifecycle: CGIT records completed investments and construction contracts → ``signed`` in
  the deal's year/month. GCDF ``Pipeline: Pledge`` → announced, ``Pipeline: Commitment`` →
  signed, ``Implementation`` → under_construction, ``Completion`` → operational, with the
  dated history the record gives (commitment, implementation start, completion dates).
* sector: the tracker's sector text is kept in ``sector_label`` and mapped to an ISIC rev.4
  section/division by keyword (see ``SECTOR_ISIC``).
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.data.storage.models.hub import Project, StageChange
from silkhub.data.storage.models.reference import Country
from silkhub.errors import DataMissingError, UnknownChoiceError
from silkhub.hub._audit import audit
from silkhub.hub.policy import Actor, ensure_role

logger = logging.getLogger(__name__)

TRACKER_SOURCES = ("cgit", "gcdf")
DATASET = "tracker_projects"

#: keyword (lower case, first match wins) → ISIC rev.4 code
SECTOR_ISIC: list[tuple[str, str]] = [
    ("real estate", "68"),
    ("energy", "35"),
    ("utilities", "35"),
    ("water supply", "36"),
    ("transport", "H"),
    ("logistics", "52"),
    ("metals", "24"),
    ("mining", "B"),
    ("industry", "C"),
    ("chemicals", "20"),
    ("technology", "J"),
    ("communications", "61"),
    ("finance", "K"),
    ("banking", "K"),
    ("agriculture", "A"),
    ("food", "A"),
    ("tourism", "I"),
    ("entertainment", "R"),
    ("health", "Q"),
    ("education", "85"),
    ("government", "84"),
    ("budget support", "84"),
    ("trade polic", "84"),
    ("business", "N"),
    ("environmental", "39"),
    ("emergency", "84"),
    ("reconstruction", "F"),
    ("social", "Q"),
]

GCDF_STATUS = {
    "pipeline: pledge": "announced",
    "pipeline: commitment": "signed",
    "implementation": "under_construction",
    "completion": "operational",
    "cancelled": "cancelled",
    "suspended": "suspended",
}


@dataclass
class TrackerImportSummary:
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    without_country: int = 0

    def describe(self) -> str:
        return (
            f"{self.source}: {self.created} projects created, {self.updated} updated, "
            f"{self.unchanged} unchanged ({self.without_country} without a country)"
        )


def sector_to_isic(label: str | None) -> str | None:
    """Map a tracker's sector text to ISIC rev.4 (None when no keyword matches)."""
    if not label:
        return None
    low = label.lower()
    for key, code in SECTOR_ISIC:
        if key in low:
            return code
    return None


def _num(v: Any) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _record_dates(record: dict[str, Any]) -> dict[str, date]:
    """Commitment / implementation start / completion dates found in a GCDF record."""
    out: dict[str, date] = {}
    for key, value in record.items():
        k = re.sub(r"[^a-z]+", " ", key.lower()).strip()
        if not value:
            continue
        name = None
        if k.startswith("commitment date"):
            name = "signed"
        elif "implementation start date" in k:
            name = "under_construction"
        elif "completion date" in k:
            name = "operational"
        elif k == "completion year" and "operational" not in out:
            y = _num(value)
            if y:
                out.setdefault("operational_year", date(int(y), 12, 31))
            continue
        if name:
            try:
                out[name] = date.fromisoformat(str(value)[:10])
            except ValueError:
                continue
    return out


def stage_history(
    source: str, row: dict[str, Any], record: dict[str, Any]
) -> list[tuple[str, date]]:
    """The dated stages of a tracker row, oldest first (pure)."""
    year = int(_num(row.get("year")) or 0)
    month = int(_num(row.get("month")) or 1)
    deal = date(year, max(1, min(12, month)), 1) if year else None
    if source == "cgit":
        return [("signed", deal)] if deal else []
    status = GCDF_STATUS.get(str(row.get("status") or "").strip().lower(), "signed")
    dates = _record_dates(record)
    signed = dates.get("signed") or deal
    if signed is None:
        return []
    if status in ("announced", "signed", "cancelled", "suspended"):
        first = "announced" if status == "announced" else "signed"
        hist = [(first, signed)]
        if status in ("cancelled", "suspended"):
            hist.append((status, signed))
        return hist
    hist = [("signed", signed)]
    start = dates.get("under_construction")
    end = dates.get("operational") or dates.get("operational_year")
    hist.append(("under_construction", max(start or signed, signed)))
    if status == "operational":
        last = hist[-1][1]
        hist.append(("operational", max(end or last, last)))
    return hist


def read_tracker(
    source: str, *, store_root: Path | None = None, path: Path | None = None
) -> pd.DataFrame:
    """The ``tracker_projects`` rows of one source: from ``path`` via the data importer, else
    from the analytics store. DataMissingError says how to get them when neither has them."""
    if source not in TRACKER_SOURCES:
        raise UnknownChoiceError("tracker", source, TRACKER_SOURCES, field="source")
    if path is not None:
        from silkhub.data.importers import cgit, gcdf
        from silkhub.data.importers.base import ImportContext

        mod = cgit if source == "cgit" else gcdf
        outputs = mod.run(ImportContext(paths=mod.collect(Path(path))))
        frames = [o.frame for o in outputs if o.name == DATASET and o.frame is not None]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if store_root is not None:
        from silkhub.data.store import AnalyticsStore

        store = AnalyticsStore(store_root)
        if store.has(DATASET):
            return store.read(DATASET, where=f"source = '{source}'")
    raise DataMissingError(
        f"no {source} tracker data: run `silkhub data import {source} FILE` first, "
        f"or pass --file to `silkhub hub import-tracker`"
    )


def import_tracker(
    session: Session, actor: Actor, frame: pd.DataFrame, source: str
) -> TrackerImportSummary:
    """Upsert tracker rows as public projects (atomic with the caller's transaction).

    Idempotent: a second run with the same rows changes nothing.
    """
    ensure_role(actor, "admin", "operator")
    if source not in TRACKER_SOURCES:
        raise UnknownChoiceError("tracker", source, TRACKER_SOURCES, field="source")
    summary = TrackerImportSummary(source)
    known_iso3 = set(session.scalars(select(Country.iso3)))
    existing = {
        p.external_id: p for p in session.scalars(select(Project).where(Project.source == source))
    }
    rows = frame[frame["source"] == source] if "source" in frame.columns else frame
    for batch, row in enumerate(rows.to_dict("records"), start=1):
        sid = str(row["source_id"])
        raw = row.get("record_json")
        record = json.loads(raw) if isinstance(raw, str) and raw else (raw or {})
        iso3 = row.get("iso3") if row.get("iso3") in known_iso3 else None
        summary.without_country += iso3 is None
        amount = _num(row.get("amount_usd"))
        year = int(_num(row.get("year")) or 0) or None
        hist = stage_history(source, row, record)
        title = row.get("title") or None
        label = " / ".join(str(x) for x in (row.get("sector"), row.get("subsector")) if x)
        fields = {
            "title_en": str(title)[:500] if title else f"{source} {sid}",
            "iso3": iso3,
            "sector_label": label[:200] or None,
            "isic_code": sector_to_isic(label),
            "project_type": _project_type(source, row.get("project_type")),
            "value_amount": None if amount is None else round(amount, 2),
            "value_currency": None if amount is None else "USD",
            "value_year": (2021 if source == "gcdf" else year) if amount is not None else None,
            "value_usd": amount,
            "dated_on": hist[0][1] if hist else (date(year, 1, 1) if year else None),
            "record_json": record,
        }
        p = existing.get(sid)
        if p is None:
            p = Project(
                identifier=f"oc4ids-silkhub-{sid}"[:120],
                source=source,
                external_id=sid,
                visibility="public",
                source_dataset=DATASET,
                source_row=sid,
                stage=hist[-1][0] if hist else "signed",
                stage_on=hist[-1][1] if hist else None,
                **fields,
            )
            prev = None
            for stage, at in hist:
                p.stage_changes.append(
                    StageChange(from_stage=prev, to_stage=stage, at=at, note=f"{source} import")
                )
                prev = stage
            session.add(p)
            existing[sid] = p
            summary.created += 1
        else:
            changed = False
            for k, v in fields.items():
                cur = getattr(p, k)
                if k == "value_amount" and cur is not None and v is not None:
                    same = abs(float(cur) - float(v)) < 0.005
                else:
                    same = cur == v
                if not same:
                    setattr(p, k, v)
                    changed = True
            summary.updated += changed
            summary.unchanged += not changed
        if batch % 2000 == 0:
            session.flush()
    session.flush()
    audit(session, actor, "project.import", "project", None, after=summary.__dict__)
    logger.info("tracker import %s", summary.describe())
    return summary


def _project_type(source: str, value: Any) -> str | None:
    v = str(value or "").strip().lower()
    if not v:
        return None
    if "greenfield" in v:
        return "greenfield"
    if "loan" in v:
        return "loan"
    if "grant" in v:
        return "grant"
    return "other"
