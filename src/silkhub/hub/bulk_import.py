"""Bulk import of organisations and projects from CSV or XLSX templates.

Atomic: every row is validated by the same services as the API; if any row fails, nothing is
written and :class:`~silkhub.errors.DataImportError` lists every problem as
``file:row:column: reason`` (row 1 is the header). Idempotent: rows whose ``external_id``
already exists are left as they are (counted as ``existing``).

List cells use ``;`` between items; services are ``law:KAZ|UZB;visa:RUS``; parties are
``owner:ORG_EXTERNAL_ID;investor:ORG_EXTERNAL_ID`` (organisations by their external id or
numeric id).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.data.storage.models.hub import Organisation, Project
from silkhub.errors import DataImportError, SilkhubError, UnknownChoiceError, ValidationError
from silkhub.hub import organisations as orgs
from silkhub.hub import projects as pj
from silkhub.hub.policy import Actor

logger = logging.getLogger(__name__)

TEMPLATES: dict[str, list[str]] = {
    "organisations": [
        "external_id", "kind", "name_en", "name_zh", "iso3", "region_id", "sectors",
        "languages", "size", "description_en", "description_zh", "contact_name",
        "contact_email", "contact_phone", "website", "services", "visibility",
    ],
    "projects": [
        "external_id", "title_en", "title_zh", "description_en", "description_zh",
        "isic_code", "project_type", "iso3", "region_id", "lat", "lon", "value_amount",
        "value_currency", "value_year", "stage", "stage_on", "dated_on", "parties",
        "visibility",
    ],
}  # fmt: skip
REQUIRED = {"organisations": ["kind"], "projects": []}
#: service error fields that name a different template column
FIELD_COLUMNS = {"currency": "value_currency", "amount": "value_amount", "services.service":
                 "services", "services.countries": "services", "parties.role": "parties",
                 "parties.organisation_id": "parties"}  # fmt: skip


@dataclass
class BulkSummary:
    kind: str
    file: str
    created: int = 0
    existing: int = 0
    ids: list[int] = field(default_factory=list)

    def describe(self) -> str:
        return f"{self.file}: {self.created} {self.kind} created, {self.existing} already present"


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Header and (row number, cells) of a CSV (UTF-8, BOM allowed) or XLSX file."""
    if not path.is_file():
        raise ValidationError(f"{path}: file not found", field="file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        rows = list(wb.active.iter_rows(values_only=True))
        wb.close()
        if not rows:
            raise DataImportError(f"{path}: empty workbook", errors=[f"{path}:1:-: empty"])
        header = [str(c).strip() if c is not None else "" for c in rows[0]]

        def gen_x() -> Iterator[tuple[int, dict[str, str]]]:
            for i, r in enumerate(rows[1:], start=2):
                cells = {h: _cell(v) for h, v in zip(header, r, strict=False) if h}
                if any(cells.values()):
                    yield i, cells

        return header, gen_x()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataImportError(
            f"{path}: not UTF-8 text", errors=[f"{path}:-:-: not UTF-8 ({exc.reason})"]
        ) from None
    reader = csv.reader(text.splitlines())
    header = [h.strip() for h in next(reader, [])]

    def gen_c() -> Iterator[tuple[int, dict[str, str]]]:
        for i, r in enumerate(reader, start=2):
            cells = {h: (v.strip() if v else "") for h, v in zip(header, r, strict=False) if h}
            if any(cells.values()):
                yield i, cells

    return header, gen_c()


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if hasattr(v, "date") and hasattr(v, "hour"):
        return v.date().isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _list(v: str) -> list[str]:
    return [x.strip() for x in v.split(";") if x.strip()]


def _org_id(session: Session, ref: str) -> int:
    found = session.scalar(select(Organisation.id).where(Organisation.external_id == ref))
    if found is None and ref.isdigit():
        found = session.scalar(select(Organisation.id).where(Organisation.id == int(ref)))
    if found is None:
        raise ValidationError(f"unknown organisation {ref!r}", field="parties")
    return found


def _org_in(row: dict[str, str]) -> orgs.OrganisationIn:
    services = []
    for item in _list(row.get("services", "")):
        name, _, countries = item.partition(":")
        services.append(
            orgs.ServiceIn(service=name, countries=[c for c in countries.split("|") if c])
        )
    return orgs.OrganisationIn(
        kind=row.get("kind", ""),
        name_en=row.get("name_en") or None,
        name_zh=row.get("name_zh") or None,
        iso3=row.get("iso3") or None,
        region_id=row.get("region_id") or None,
        sectors=_list(row.get("sectors", "")),
        languages=_list(row.get("languages", "")),
        size=row.get("size") or None,
        description_en=row.get("description_en") or None,
        description_zh=row.get("description_zh") or None,
        contact_name=row.get("contact_name") or None,
        contact_email=row.get("contact_email") or None,
        contact_phone=row.get("contact_phone") or None,
        website=row.get("website") or None,
        services=services,
        visibility=row.get("visibility") or "public",
        external_id=row.get("external_id") or None,
    )


def _project_in(session: Session, row: dict[str, str]) -> pj.ProjectIn:
    parties = []
    for item in _list(row.get("parties", "")):
        role, _, ref = item.partition(":")
        role = role.strip().lower()  # "Owner: Jinan Investment Group" in a file
        parties.append(pj.PartyIn(organisation_id=_org_id(session, ref.strip()), role=role))
    data = {k: (v or None) for k, v in row.items() if k in TEMPLATES["projects"]}
    data.pop("parties", None)
    data["stage"] = data.get("stage") or "proposed"
    data["visibility"] = data.get("visibility") or "public"
    data["source"] = "import"
    return pj.ProjectIn(**data, parties=parties)


def import_file(session: Session, actor: Actor, kind: str, path: Path) -> BulkSummary:
    """Import a template file of ``kind`` (organisations or projects) atomically."""
    if kind not in TEMPLATES:
        raise UnknownChoiceError("template", kind, list(TEMPLATES), field="kind")
    header, rows = read_rows(path)
    errors: list[str] = []
    unknown = [h for h in header if h and h not in TEMPLATES[kind]]
    missing = [c for c in REQUIRED[kind] if c not in header]
    for h in unknown:
        errors.append(f"{path}:1:{h}: unknown column (expected: {', '.join(TEMPLATES[kind])})")
    for c in missing:
        errors.append(f"{path}:1:{c}: required column missing")
    if errors:
        raise DataImportError(f"{path}: import rejected ({len(errors)} problems)", errors=errors)
    summary = BulkSummary(kind, str(path))
    model = Organisation if kind == "organisations" else Project
    seen: set[str] = set()
    outer = session.begin_nested()  # nothing survives a rejected file, whatever the caller does
    for rownum, row in rows:
        ext = row.get("external_id") or ""
        if ext:
            if ext in seen:
                errors.append(f"{path}:{rownum}:external_id: duplicate {ext!r} in the file")
                continue
            seen.add(ext)
            cond = model.external_id == ext
            if kind == "projects":
                cond = cond & (Project.source == "import")
            if session.scalar(select(model.id).where(cond)) is not None:
                summary.existing += 1
                continue
        nested = session.begin_nested()
        try:
            if kind == "organisations":
                obj = orgs.create_organisation(
                    session, actor, _org_in(row), source_dataset=path.name, source_row=str(rownum)
                )
            else:
                obj = pj.create_project(
                    session, actor, _project_in(session, row),
                    source_dataset=path.name, source_row=str(rownum),
                )  # fmt: skip
            nested.commit()
            summary.created += 1
            summary.ids.append(obj.id)
        except pydantic.ValidationError as exc:
            nested.rollback()
            for e in exc.errors():
                col = str(e["loc"][0]) if e.get("loc") else "-"
                errors.append(f"{path}:{rownum}:{FIELD_COLUMNS.get(col, col)}: {e['msg']}")
        except SilkhubError as exc:
            nested.rollback()
            col = getattr(exc, "field", None) or "-"
            errors.append(f"{path}:{rownum}:{FIELD_COLUMNS.get(col, col)}: {exc.message}")
    if errors:
        outer.rollback()
        raise DataImportError(
            f"{path}: import rejected, nothing written ({len(errors)} problems)", errors=errors
        )
    outer.commit()
    logger.info("bulk import %s", summary.describe())
    return summary


def write_template(kind: str, path: Path) -> None:
    """Write an empty template (header row only) as CSV or XLSX (by the file's suffix)."""
    if kind not in TEMPLATES:
        raise UnknownChoiceError("template", kind, list(TEMPLATES), field="kind")
    cols = TEMPLATES[kind]
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        wb.active.append(cols)
        wb.save(path)
    else:
        path.write_text(",".join(cols) + "\n", encoding="utf-8")
