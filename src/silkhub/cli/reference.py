"""``silkhub countries`` / ``ref`` / ``regions`` / ``db``: reference data and storage commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from silkhub.cli.common import FormatOpt, OutOpt, parse_date, runtime
from silkhub.cli.output import Format, console, emit, err_console
from silkhub.data.reference import queries
from silkhub.data.reference.loader import load_reference
from silkhub.data.storage.db import upgrade
from silkhub.errors import NotFoundError

db_app = typer.Typer(help="Database maintenance (migrations).", no_args_is_help=True)
ref_app = typer.Typer(help="Reference data: countries, groups, regions.", no_args_is_help=True)
countries_app = typer.Typer(
    help="Countries and country groups (as of a date).", no_args_is_help=True
)
regions_app = typer.Typer(help="Sub-national regions (provinces, cities).", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations (SQLite or PostgreSQL, from SILKHUB_DATABASE_URL)."""
    rt = runtime(reference=False)
    upgrade(rt.engine)
    console.print(f"database at {rt.engine.url.render_as_string(hide_password=True)} is up to date")


@ref_app.command("load")
def ref_load() -> None:
    """(Re)load the shipped reference data. Idempotent: running it twice changes nothing."""
    rt = runtime(reference=False)
    with rt.session() as s:
        summary = load_reference(s)
    console.print(
        f"loaded {summary.countries} countries, {summary.groups} groups, "
        f"{summary.memberships} memberships, {summary.regions} regions"
    )


@ref_app.command("update")
def ref_update(
    file: Annotated[
        Path,
        typer.Argument(
            help="Reviewed membership CSV (columns of group_memberships.csv: group_code, iso3, "
            "role, joined, joined_precision, left, source, note)."
        ),
    ],
) -> None:
    """Load a reviewed membership file: the groups it names are replaced, after validation.

    Same checks as the shipped data (known group and country, ISO dates, day/year precision,
    a source on every row, no overlapping intervals); a rejected file changes nothing and every
    problem is listed as file:row:column: reason. `silkhub ref load` restores the shipped rows.

    Example: silkhub ref update bri_reviewed.csv
    """
    from silkhub.data.reference.loader import update_memberships

    if not file.is_file():
        raise NotFoundError(f"{file}: no such file")
    rt = runtime()
    with rt.session() as s:
        res = update_memberships(s, file)
    for g, (before, after) in res.groups.items():
        console.print(f"{g}: {after} membership rows loaded (were {before})")
    if res.year_only:
        console.print(
            f"{res.year_only} of {res.rows} rows have a year-only joined date "
            "(answers on days of those years say so)"
        )


@countries_app.command("list")
def countries_list(
    group: Annotated[
        str | None, typer.Option(help="Group code: bri, route65, sco, asean, rcep, eu.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Membership on this date (YYYY-MM-DD); default today."),
    ] = None,
    role: Annotated[
        str, typer.Option(help="member, observer, dialogue_partner or all (SCO has all three).")
    ] = "member",
    lang: Annotated[str, typer.Option(help="Name language: en or zh.")] = "en",
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """List countries, or the members of a group as of a date.

    Example: silkhub countries list --group bri --as-of 2020-01-01 --format csv
    """
    from datetime import date

    day = parse_date(as_of)
    note = None
    with runtime().session() as s:
        rows = queries.list_countries(s, group=group, as_of=day, role=role, lang=lang)
        if group:
            when = day or date.today()
            note = queries.year_only_note(group, when, queries.year_only_on(s, group, when, role))
    cols = (
        ["iso3", "name", "joined", "left", "role"]
        if group
        else ["iso3", "iso2", "name", "continent", "wb_region"]
    )
    if group and fmt is not Format.table:
        cols += ["joined_precision", "source"]
    title = f"{group} as of {day or 'today'}: {len(rows)} countries" if group else None
    emit(rows, fmt, columns=cols, title=title, out=out)
    if note:
        err_console.print(f"[yellow]note:[/yellow] {note}", highlight=False)


@countries_app.command("show")
def countries_show(
    iso3: Annotated[str, typer.Argument(help="ISO3 code (or a name), e.g. DEU.")],
    lang: Annotated[str, typer.Option(help="en or zh.")] = "en",
    fmt: FormatOpt = Format.table,
) -> None:
    """Show one country: names, codes, region and its group memberships."""
    queries.check_lang(lang)
    with runtime().session() as s:
        c = queries.get_country(s, iso3)
        ms = queries.country_memberships(s, c.iso3)
    name = (c.name_zh or c.name_en) if lang == "zh" else c.name_en
    record = {
        "iso3": c.iso3,
        "iso2": c.iso2,
        "numeric": c.numeric,
        "name": name,
        "name_en": c.name_en,
        "name_zh": c.name_zh,
        "continent": c.continent,
        "wb_region": c.wb_region,
        "wb_income": c.wb_income,
        "groups": "; ".join(
            f"{m.group_code}:{m.role} {m.joined.isoformat()}–{m.left.isoformat() if m.left else ''}"
            for m in ms
        ),
    }
    if fmt is not Format.table:
        emit([record], fmt)
        return
    t = Table(show_header=False, title=name)
    for k, v in record.items():
        t.add_row(k, "" if v is None else str(v))
    console.print(t)


@regions_app.command("list")
def regions_list(
    country: Annotated[str | None, typer.Option(help="ISO3 of the country.")] = None,
    level: Annotated[str | None, typer.Option(help="province, city or district.")] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """List regions below country level."""
    with runtime().session() as s:
        rows = [
            {
                "region_id": r.region_id,
                "level": r.level,
                "name_en": r.name_en,
                "name_zh": r.name_zh,
                "parent_id": r.parent_id,
                "lat": r.lat,
                "lon": r.lon,
            }
            for r in queries.list_regions(s, iso3=country, level=level)
        ]
    emit(rows, fmt, out=out)


@regions_app.command("add")
def regions_add(
    region_id: Annotated[str, typer.Argument(help="Stable id, e.g. CN-SD-jining.")],
    name_en: Annotated[str, typer.Option("--name-en", help="English name.")],
    country: Annotated[str, typer.Option(help="ISO3 of the country.")] = "CHN",
    level: Annotated[str, typer.Option(help="province, city or district.")] = "city",
    name_zh: Annotated[str | None, typer.Option("--name-zh", help="Chinese name.")] = None,
    parent: Annotated[str | None, typer.Option(help="Parent region id.")] = None,
    lat: Annotated[float | None, typer.Option(help="Latitude.")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude.")] = None,
) -> None:
    """Add (or update) a user-defined region."""
    from silkhub.data.reference.regions import upsert_region

    with runtime().session() as s:
        r = upsert_region(
            s,
            region_id=region_id,
            iso3=country,
            level=level,
            name_en=name_en,
            name_zh=name_zh,
            parent_id=parent,
            lat=lat,
            lon=lon,
        )
    console.print(f"region {r.region_id} saved")
