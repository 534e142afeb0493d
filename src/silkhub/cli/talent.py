"""``silkhub talent``: talent profiles, positions and ranked suggestions (issue 11)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from silkhub.cli.common import FormatOpt, OutOpt, runtime
from silkhub.cli.output import Format, console, emit
from silkhub.errors import ValidationError
from silkhub.hub import talent as svc
from silkhub.hub.policy import Actor
from silkhub.hub.talent.schemas import ProfileCreate

app = typer.Typer(
    help="International talent: profiles (private by default), positions, suggestions.",
    no_args_is_help=True,
)


def _row(p) -> dict:  # type: ignore[no-untyped-def]
    d = svc.profile_dict(p)
    return {
        "id": d["id"],
        "name": d["name_en"] or d["name_zh"],
        "nationality": d["nationality"],
        "based_in": d["based_in"],
        "languages": " ".join(f"{x['code']}:{x['level']}" for x in d["languages"]),
        "sectors": ",".join(d["sectors"]),
        "visibility": d["visibility"],
    }


@app.command("list")
def list_talent(
    nationality: Annotated[str | None, typer.Option(help="ISO3 or name.")] = None,
    sector: Annotated[str | None, typer.Option(help="ISIC code, e.g. H52.")] = None,
    language: Annotated[str | None, typer.Option(help="ISO 639-1 code, e.g. ru.")] = None,
    region: Annotated[str | None, typer.Option(help="Region id or name.")] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """List talent profiles (the CLI acts as the system: it sees every live profile)."""
    with runtime().session() as s:
        rows = svc.list_profiles(
            s,
            Actor.system(),
            nationality=nationality,
            sector=sector,
            language=language,
            region=region,
            limit=100_000,
        )
        emit([_row(p) for p in rows], fmt, out=out, title=f"{len(rows)} talent profiles")


@app.command("add")
def add_talent(
    file: Annotated[Path, typer.Argument(help="JSON file with the profile fields.")],
    consent_on: Annotated[
        str, typer.Option("--consent-on", help="Date the person consented (YYYY-MM-DD).")
    ],
) -> None:
    """Enter a profile for someone else, with the date of their consent."""
    try:
        payload = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationError(
            key="talent.bad_json_file", params={"file": str(file), "error": str(exc)}, field="file"
        ) from None
    try:
        payload["consent_on"] = date.fromisoformat(consent_on).isoformat()
    except ValueError:
        raise ValidationError(
            key="talent.bad_consent_date", params={"value": consent_on}, field="consent_on"
        ) from None
    data = ProfileCreate.model_validate(payload)
    with runtime().session() as s:
        p = svc.create_profile(s, Actor.system("cli"), data)
        console.print(f"talent profile {p.id} created")


@app.command("export")
def export_talent(
    talent_id: Annotated[int, typer.Argument(help="Profile id.")], out: OutOpt = None
) -> None:
    """Everything held about one person, as JSON (for a data-subject request)."""
    from silkhub.hub.audit import to_jsonable

    with runtime().session() as s:
        data = to_jsonable(svc.export_profile(s, Actor.system(), talent_id))
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    else:
        typer.echo(text)


@app.command("delete")
def delete_talent(
    talent_id: Annotated[int, typer.Argument(help="Profile id.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a profile's personal data (an anonymised audit entry is kept)."""
    if not yes:
        typer.confirm(f"erase the personal data of profile {talent_id}?", abort=True)
    with runtime().session() as s:
        svc.delete_profile(s, Actor.system("cli"), talent_id)
    console.print(f"talent profile {talent_id} anonymised")


@app.command("positions")
def positions(
    organisation: Annotated[int | None, typer.Option(help="Organisation id.")] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Open positions and expertise needs."""
    with runtime().session() as s:
        rows = svc.list_positions(s, Actor.system(), organisation_id=organisation, limit=10_000)
        emit(
            [
                {
                    "id": p.id,
                    "organisation_id": p.organisation_id,
                    "project_id": p.project_id,
                    "role": p.role_en or p.role_zh,
                    "sector": p.isic_code,
                    "region": p.region_id,
                    "mode": p.work_mode,
                    "from": p.start_on,
                    "to": p.end_on,
                }
                for p in rows
            ],
            fmt,
            out=out,
        )


@app.command("match")
def match(
    position_id: Annotated[int, typer.Argument(help="Position id.")],
    top: Annotated[int, typer.Option(help="How many suggestions.")] = 10,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Ranked talent for a position, each score shown as the sum of its parts."""
    from silkhub.hub.matching.reasons import ReasonText

    with runtime().session() as s:
        res = svc.suggest_talent(s, Actor.system(), position_id, top=top)
        why = ReasonText(s, "en")
        rows = []
        for rank, (p, m) in enumerate(res, start=1):
            parts = {part.name: round(part.contribution, 3) for part in m.parts}
            reasons = why.summary(m.parts, limit=len(m.parts))
            rows.append(
                {
                    "rank": rank,
                    "talent_id": p.id,
                    "name": p.name_en or p.name_zh,
                    "score": round(m.score, 3),
                    **parts,
                    "why": reasons,
                }
            )
    emit(rows, fmt, out=out, title=f"talent for position {position_id}")
