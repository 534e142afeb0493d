"""``silkhub match``: explainable matchmaking; also adds ``silkhub event schedule`` (B2B meeting
scheduler with per-participant agendas) and ``silkhub hub duplicates`` (repeated-construction
warning) to the hub helper's command groups."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from silkhub.cli.common import FormatOpt, OutOpt, runtime
from silkhub.cli.output import Format, console, emit, err_console
from silkhub.errors import ValidationError
from silkhub.hub.policy import Actor

app = typer.Typer(
    help=(
        "Explainable matchmaking: who an organisation should meet, who to involve in a project. "
        "Each score is a sum of parts (sector, offer/request fit, geography, B&R/SCO, trade, "
        "size, language, text) shown with its contribution."
    ),
    no_args_is_help=True,
)
ACTOR = Actor.system("cli")
COLUMNS = ["rank", "id", "name", "iso3", "score", "top_reasons"]
TopOpt = Annotated[int, typer.Option(min=1, max=200, help="How many suggestions.")]
ExplainOpt = Annotated[bool, typer.Option(help="Include every part (json output).")]


class Decision(StrEnum):
    accept = "accept"
    decline = "decline"


class SubjectKind(StrEnum):
    organisation = "organisation"
    project = "project"


def _trade(session, subject_iso3: str | None, candidate_iso3s) -> dict:  # type: ignore[no-untyped-def]
    """Trade complementarity from the analytics store when a bilateral dataset is loaded."""
    from silkhub.analytics.match_trade import trade_fit

    if not subject_iso3:
        return {}
    try:
        from silkhub.data.store import AnalyticsStore

        rt = runtime()
        root = rt.settings.analytics_dir
        if not Path(root).exists():
            return {}
        con = AnalyticsStore(root).connect()
    except Exception:
        return {}
    try:
        return trade_fit(con, session, subject_iso3, candidate_iso3s)
    finally:
        con.close()


def _rows(suggestions, explain: bool, why=None) -> list[dict]:  # type: ignore[no-untyped-def]
    """Table rows; ``why`` (a :class:`~silkhub.hub.matching.reasons.ReasonText`) names the
    countries and sectors in the reasons."""
    rows = []
    for k, s in enumerate(suggestions, 1):
        best = [p for p in s.parts if p["contribution"] > 0][:3]
        rows.append(
            {
                "rank": k,
                "id": s.id,
                "name": s.name,
                "iso3": s.iso3,
                "score": round(s.score, 3),
                "top_reasons": "; ".join(
                    f"{p['part']} +{p['contribution']:.2f}: {why.of(p) if why else p['reason']}"
                    for p in best
                ),
                **({"parts": s.parts} if explain else {}),
            }
        )
    return rows


@app.command("org")
def org_cmd(
    org_id: Annotated[int, typer.Argument(help="Organisation id.")],
    top: TopOpt = 10,
    kind: Annotated[
        str | None,
        typer.Option(help="Only organisations of this kind (soe, chamber_of_commerce …)."),
    ] = None,
    explain: ExplainOpt = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Organisations ORG_ID should meet, best first, with the reasons behind each score."""
    from silkhub.hub import matching as mt
    from silkhub.hub.organisations import get_organisation

    def suggest(s, trade):  # type: ignore[no-untyped-def]
        return mt.suggest_for_organisation(s, ACTOR, org_id, top=top, kind=kind, trade=trade)

    subject = f"organisation {org_id}"
    _suggest(lambda s: get_organisation(s, ACTOR, org_id).iso3, suggest, explain, fmt, out, subject)


def _suggest(  # type: ignore[no-untyped-def]
    subject_iso3, suggest, explain: bool, fmt: Format, out: Path | None, subject: str
) -> None:
    """Emit the suggestions: trade fit from the analytics store, English reasons with names."""
    from silkhub.hub import matching as mt
    from silkhub.hub.matching.reasons import ReasonText

    with runtime().session() as s:
        iso = [o.iso3 for o in mt.visible_organisations(s, ACTOR) if o.iso3]
        res = suggest(s, _trade(s, subject_iso3(s), iso))
        rows = _rows(res, explain, ReasonText(s, "en"))
    cols = COLUMNS + (["parts"] if explain else [])
    emit(rows, fmt, columns=cols, out=out, title=f"matches for {subject}")


@app.command("project")
def project_cmd(
    project_id: Annotated[int, typer.Argument(help="Project id.")],
    top: TopOpt = 10,
    role: Annotated[
        str | None,
        typer.Option(help="Only candidates able to be: investor, contractor, financier, law …"),
    ] = None,
    explain: ExplainOpt = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Investors, contractors, service providers and chambers to involve in PROJECT_ID."""
    from silkhub.hub import matching as mt
    from silkhub.hub.projects import get_project

    def suggest(s, trade):  # type: ignore[no-untyped-def]
        return mt.suggest_for_project(s, ACTOR, project_id, top=top, role=role, trade=trade)

    subject = f"project {project_id}"
    _suggest(lambda s: get_project(s, ACTOR, project_id).iso3, suggest, explain, fmt, out, subject)


@app.command("feedback")
def feedback_cmd(
    subject_kind: Annotated[SubjectKind, typer.Argument(help="organisation or project.")],
    subject_id: Annotated[int, typer.Argument(help="Id of the organisation/project matched.")],
    candidate_id: Annotated[int, typer.Argument(help="Id of the suggested organisation.")],
    decision: Annotated[Decision, typer.Argument(help="accept or decline.")],
) -> None:
    """Record that a suggestion was accepted or declined (declined ones are not suggested again;
    enough feedback re-weights the score parts)."""
    from silkhub.hub import matching as mt

    with runtime().session() as s:
        fb = mt.record_feedback(
            s,
            ACTOR,
            subject_kind=subject_kind.value,
            subject_id=subject_id,
            candidate_id=candidate_id,
            decision=decision.value,
        )
        console.print(
            f"recorded {fb.decision} of organisation {candidate_id} for {subject_kind.value} "
            f"{subject_id} (score {fb.score:.3f})"
        )


@app.command("undo")
def undo_cmd(
    subject_kind: Annotated[SubjectKind, typer.Argument(help="organisation or project.")],
    subject_id: Annotated[int, typer.Argument(help="Id of the organisation/project matched.")],
    candidate_id: Annotated[int, typer.Argument(help="Id of the suggested organisation.")],
) -> None:
    """Take back an accept/decline (the suggestion is open again; audited)."""
    from silkhub.hub import matching as mt

    with runtime().session() as s:
        undone = mt.undo_feedback(
            s,
            ACTOR,
            subject_kind=subject_kind.value,
            subject_id=subject_id,
            candidate_id=candidate_id,
        )
    console.print(
        f"undid {undone} of organisation {candidate_id} for {subject_kind.value} {subject_id}"
    )


@app.command("decisions")
def decisions_cmd(
    decision: Annotated[Decision | None, typer.Option(help="Only accept or decline.")] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Accepted and declined suggestions (of hub staff, the CLI's bucket), newest first."""
    from silkhub.hub import matching as mt

    with runtime().session() as s:
        rows = [
            {
                "subject": f"{d.subject_kind} {d.subject_id} {d.subject_name}",
                "candidate": f"{d.candidate_id} {d.candidate_name}",
                "decision": d.decision,
                "score": None if d.score is None else round(d.score, 3),
                "at": d.at,
            }
            for d in mt.decided(s, ACTOR, decision=decision.value if decision else None)
        ]
    emit(rows, fmt, columns=["subject", "candidate", "decision", "score", "at"], out=out)


@app.command("weights")
def weights_cmd(
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
    organisation: Annotated[
        int | None,
        typer.Option(help="Weights learned from this organisation's feedback (default: staff's)."),
    ] = None,
) -> None:
    """The score weights in use (defaults re-fitted from one organisation's feedback)."""
    from silkhub.core.matching import DEFAULT_WEIGHTS
    from silkhub.hub import matching as mt
    from silkhub.hub.policy import Actor

    who = Actor.system() if organisation is None else Actor(None, organisation, "viewer")
    with runtime().session() as s:
        w = mt.current_weights(s, who)
    rows = [{"part": k, "weight": round(v, 4), "default": DEFAULT_WEIGHTS[k]} for k, v in w.items()]
    emit(rows, fmt, out=out)


def schedule_cmd(
    event_id: Annotated[int, typer.Argument(help="Event id.")],
    programme: Annotated[
        Path | None,
        typer.Option(
            help="JSON file with slots, tables, participants and requests; replaces the "
            "event's programme before solving (see docs/matching.md)."
        ),
    ] = None,
    time_limit: Annotated[float, typer.Option(min=1, max=600, help="CP-SAT seconds.")] = 20.0,
    max_consecutive: Annotated[
        int | None, typer.Option(min=1, help="At most N meetings in a row (then a break).")
    ] = None,
    agendas: Annotated[
        Path | None, typer.Option(help="Write per-participant agendas (.ics and .html) here.")
    ] = None,
    unmet: Annotated[bool, typer.Option(help="List unmet requests instead of meetings.")] = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Schedule the event's B2B meetings with OR-Tools CP-SAT (no participant or table
    double-booked; maximise weighted accepted requests) and store the schedule."""
    from silkhub.hub import scheduling as sch

    with runtime().session() as s:
        if programme is not None:
            try:
                data = sch.ProgrammeIn.model_validate(json.loads(programme.read_text("utf-8")))
            except (OSError, json.JSONDecodeError) as exc:
                raise ValidationError(f"{programme}: {exc}", field="programme") from None
            except Exception as exc:  # pydantic.ValidationError
                raise ValidationError(f"{programme}: {exc}", field="programme") from None
            sch.load_programme(s, ACTOR, event_id, data)
        with err_console.status("solving …"):
            res = sch.schedule_event(
                s, ACTOR, event_id, time_limit_s=time_limit, max_consecutive=max_consecutive
            )
        if agendas is not None:
            _write_agendas(s, event_id, agendas)
    gap = "n/a" if res.gap is None else f"{100 * res.gap:.2f} %"
    err_console.print(
        f"event {event_id}: {len(res.meetings)} meetings, {len(res.unmet)} unmet requests; "
        f"objective {res.objective:g}, LP bound {res.lp_bound:g}, gap {gap}; "
        f"{res.status} in {res.solve_seconds:.1f} s"
    )
    if unmet:
        emit(res.unmet, fmt, columns=["a", "b", "weight", "mutual", "reason"], out=out)
    else:
        emit(
            res.meetings,
            fmt,
            columns=["starts_at", "ends_at", "table", "a", "b", "weight", "mutual"],
            out=out,
        )


def _write_agendas(session, event_id: int, folder: Path) -> None:  # type: ignore[no-untyped-def]
    from silkhub.hub import scheduling as sch
    from silkhub.hub.events import get_event

    folder.mkdir(parents=True, exist_ok=True)
    event = get_event(session, ACTOR, event_id)
    for p in sch.participants(session, ACTOR, event_id):
        items = sch.agenda(session, ACTOR, event_id, p.id)
        stem = folder / f"participant-{p.id}"
        stem.with_suffix(".ics").write_bytes(sch.agenda_ics(event, p, items))
        stem.with_suffix(".html").write_text(sch.agenda_html(event, p, items), encoding="utf-8")
    err_console.print(f"agendas written to {folder}")


def duplicates_cmd(
    region: Annotated[
        str | None, typer.Option(help="Region id or name; includes the regions under it.")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(min=0.01, max=1.0, help="Score threshold (default 0.70).")
    ] = None,
    project: Annotated[
        int | None, typer.Option(help="Only near-duplicates of this project id.")
    ] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Repeated-construction warning: clusters of similar projects across localities (same or
    neighbouring region, same sector, overlapping period, similar zh/en titles and values)."""
    from silkhub.hub import duplicates as dup

    with runtime().session() as s:
        if project is not None:
            rows = dup.duplicates_of_project(s, ACTOR, project, threshold=threshold)
            emit(
                [
                    {**r, "reasons": "; ".join(r["reasons"]), "parts": json.dumps(r["parts"])}
                    for r in rows
                ],
                fmt,
                columns=["project_id", "title", "score", "reasons"],
                out=out,
            )
            return
        clusters = dup.region_report(s, ACTOR, region=region, threshold=threshold)
    rows = [
        {
            "cluster": k,
            "size": c["size"],
            "localities": ", ".join(c["localities"]),
            "across_localities": c["across_localities"],
            "max_score": c["max_score"],
            "projects": "; ".join(f"{p['id']} {p['title']}" for p in c["projects"]),
        }
        for k, c in enumerate(clusters, 1)
    ]
    emit(
        rows,
        fmt,
        columns=["cluster", "size", "localities", "across_localities", "max_score", "projects"],
        out=out,
    )


def register(root: typer.Typer) -> None:
    """Mount ``match`` and add ``event schedule`` and ``hub duplicates``."""
    root.add_typer(app, name="match")
    from silkhub.cli.event import app as event_app
    from silkhub.cli.hub import app as hub_app

    event_app.command("schedule")(schedule_cmd)
    hub_app.command("duplicates")(duplicates_cmd)
