"""``silkhub gravity ...`` (fit, show, list, specs, policy) and ``silkhub partners potential`` /
``silkhub partners targets``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from silkhub.cli.common import FormatOpt, OutOpt, runtime
from silkhub.cli.output import Format, console, emit, err_console
from silkhub.errors import ValidationError
from silkhub.settings import get_settings

app = typer.Typer(
    help=(
        "Structural gravity (PPML with exporter-year, importer-year and pair fixed effects): "
        "fit declarative specs, show stored runs, estimate policy effects."
    ),
    no_args_is_help=True,
)

QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Hide the progress spinner.")]

COEF_COLUMNS = ["name", "estimate", "std_error", "z", "p_value", "ci_low", "ci_high"]
POTENTIAL_COLUMNS = ["rank", "partner", "predicted_usd", "actual_usd", "ratio", "gap_usd"]


def _service():  # type: ignore[no-untyped-def]
    from silkhub.analytics.gravity_service import GravityService

    s = get_settings()
    return GravityService(s.analytics_dir / "gravity", s.shared_data, s.analytics_dir)


def _progress(quiet: bool, text: str):  # type: ignore[no-untyped-def]
    import contextlib

    if quiet:
        return contextlib.nullcontext()
    return err_console.status(text)


def _round_rows(rows: list[dict[str, Any]], digits: int = 4) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        out.append({k: (round(v, digits) if isinstance(v, float) else v) for k, v in r.items()})
    return out


def _print_run_header(run: Any) -> None:
    r = run.result
    fe = ", ".join(f"{k}: {v}" for k, v in r.n_fixed_effects.items()) or "none"
    err_console.print(
        f"run [bold]{run.run_id}[/bold]  spec {r.spec.name}  dataset {r.spec.dataset}  "
        f"{r.spec.estimator.upper()}\n"
        f"observations {r.nobs:,} (input {r.n_input:,}, filtered out {r.n_filtered_out:,}, "
        f"missing {r.n_missing:,}, separated {r.n_separated:,})  fixed effects: {fe}\n"
        f"converged: {'yes' if r.converged else 'NO'}  SE {r.se_type}"
        + (f" ({r.n_clusters:,} clusters)" if r.n_clusters else "")
        + (f"  pseudo-R2 {r.pseudo_r2:.4f}" if r.pseudo_r2 is not None else "")
        + f"  time {r.elapsed_s:.2f} s",
        highlight=False,
    )
    for note in r.notes:
        err_console.print(f"note: {note}", highlight=False)


def _coef_table(run: Any, fmt: Format, out: Path | None) -> None:
    rows = run.coefficient_rows()
    if fmt is Format.table and out is None:  # terminal: rounded; json/csv/files: full precision
        rows = _round_rows(rows)
    cols = list(COEF_COLUMNS)
    if run.result.spec.published:
        cols += ["published", "difference"]
    emit(rows, fmt, columns=cols, title=f"{run.result.spec.name}", out=out)


@app.command("fit")
def fit(
    spec: Annotated[
        str, typer.Argument(help="A spec YAML file, or the name of a packaged spec (see `specs`).")
    ],
    save: Annotated[bool, typer.Option(help="Store the run under the data dir.")] = True,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Estimate a gravity spec and print its coefficients.

    Published values are shown side by side when the spec lists them.
    Example: silkhub gravity fit agtpa_table3_endg
    """
    from silkhub.analytics.gravity_service import load_spec

    s = load_spec(spec)
    svc = _service()
    with _progress(quiet, f"fitting {s.name} ({s.estimator.upper()}) ..."):
        run = svc.fit(s, save=save)
    _print_run_header(run)
    _coef_table(run, fmt, out)


@app.command("show")
def show(
    run: Annotated[str, typer.Argument(help="A run id, or a spec name for its latest run.")],
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Show a stored run: sample, convergence and coefficients."""
    r = _service().get_run(run)
    _print_run_header(r)
    _coef_table(r, fmt, out)
    eff = r.extra.get("policy_effect")
    if eff:
        err_console.print(eff["summary"], highlight=False)


@app.command("list")
def list_runs(
    spec: Annotated[str | None, typer.Option(help="Only runs of this spec.")] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """List stored gravity runs, newest first."""
    rows = _service().list_runs(spec=spec)
    emit(
        rows,
        fmt,
        columns=["run_id", "spec", "dataset", "estimator", "nobs", "converged", "created"],
        title="gravity runs",
        out=out,
    )


@app.command("specs")
def specs(fmt: FormatOpt = Format.table, out: OutOpt = None) -> None:
    """List the specs shipped with silkhub (textbook reproductions and the potential model)."""
    from silkhub.analytics.gravity_service import load_spec, packaged_specs

    rows = []
    for name in packaged_specs():
        s = load_spec(name)
        rows.append(
            {"name": name, "dataset": s.dataset, "estimator": s.estimator, "reference": s.reference}
        )
    emit(rows, fmt, title="packaged gravity specs", out=out)


@app.command("policy")
def policy(
    group: Annotated[
        str, typer.Option(help="Group whose joining is the treatment: bri, sco, asean, rcep, eu.")
    ],
    dataset: Annotated[
        str,
        typer.Option(
            help="Panel to estimate on: china_br65_panel (2013–2019), "
            "agtpa_applications (1986–2006) or a bilateral store dataset."
        ),
    ] = "china_br65_panel",
    lead: Annotated[
        list[int] | None, typer.Option(help="Lead in years (anticipation); repeatable.")
    ] = None,
    lag: Annotated[
        list[int] | None, typer.Option(help="Lag in years (phasing-in); repeatable.")
    ] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Effect of joining a group on trade, with leads/lags and a plain-language summary.

    PPML with pair and year fixed effects; the total effect sums the contemporaneous term and
    the lags. Example: silkhub gravity policy --group bri --lead 1 --lag 1
    """
    from silkhub.data.reference.queries import check_group

    svc = _service()
    frame = svc.load_data(dataset)
    if "year" not in frame.columns:
        raise ValidationError(f"dataset {dataset!r} has no year column", field="dataset")
    rt = runtime()
    from silkhub.analytics.gravity_service import joined_years

    with rt.session() as session:
        check_group(session, group)
        joined = joined_years(session, group, frame["year"].unique())
    if dataset == "china_br65_panel":
        kw: dict[str, Any] = {
            "fixed_effects": "exporter^importer + direction^year",
            "formula_rest": "log_gdp_partner",
        }
    else:
        kw = {"fixed_effects": "exporter^year + importer^year + pair_id"}
    with _progress(quiet, f"estimating the effect of {group} ..."):
        eff, run = svc.policy_effect(
            group, joined, dataset=dataset, data=frame, leads=lead or [], lags=lag or [], **kw
        )
    _print_run_header(run)
    _coef_table(run, fmt, out)
    console.print(eff.summary, highlight=False)


# --------------------------------------------------------------------------------------------
# partners potential / targets


def _partners_for(group: str | None, year: int) -> list[str] | None:
    from silkhub.analytics.gravity_service import group_partners

    with runtime().session() as session:
        return group_partners(session, group, year)


def _country_names() -> dict[str, str]:
    from silkhub.data.reference.queries import list_countries

    with runtime().session() as session:
        return {c.iso3: c.name_en for c in list_countries(session)}


def _check_reporter(reporter: str) -> str:
    from silkhub.analytics.gravity_service import reporter_iso3

    return reporter_iso3(reporter)


def potential(
    reporter: Annotated[str, typer.Option(help="Reporter country (ISO3 or name), e.g. CHN.")],
    year: Annotated[int, typer.Option(help="Year to compare (CHN: 2013–2019; any: 2009).")],
    group: Annotated[
        str | None, typer.Option(help="Only partners in this group that year (e.g. route65).")
    ] = None,
    top: Annotated[int | None, typer.Option(help="Show only the first N partners.")] = None,
    by_section: Annotated[
        bool,
        typer.Option(
            "--by-section",
            help="Per partner and HS section (needs product-level trade, e.g. baci, in the "
            "store, and CEPII distances).",
        ),
    ] = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Untapped trade potential per partner, ranked by the gap.

    Gravity-predicted vs actual trade (exports + imports); gap = predicted - actual (US$),
    ratio = predicted / actual (> 1: room to grow), ratio_rel = ratio / the group's average
    ratio. Example: silkhub partners potential --reporter CHN --group route65 --year 2016
    """
    from silkhub.analytics.gravity_service import GravityService

    iso3 = _check_reporter(reporter)
    partners = _partners_for(group, year)
    svc: GravityService = _service()
    if by_section:
        table, meta = svc.potential_by_section(iso3, year, partners)
    else:
        table, meta = svc.potential(iso3, year, partners)
    if top:
        table = table.head(top)
    table = table.assign(name=table["partner"].map(_country_names()))
    cols = [*POTENTIAL_COLUMNS, "ratio_rel", "name"]
    if by_section:
        cols.insert(2, "section")
    if fmt is Format.table and out is None:
        shown = table[cols].copy()
        for c in ("predicted_usd", "actual_usd", "gap_usd"):
            shown[c] = shown[c].map(lambda v: "" if v != v else f"{v / 1e9:,.2f}")
        for c in ("ratio", "ratio_rel"):
            shown[c] = shown[c].map(lambda v: "" if v != v else f"{v:.2f}")
        shown = shown.rename(
            columns={
                "predicted_usd": "predicted",
                "actual_usd": "actual",
                "gap_usd": "gap",
            }
        )
        emit(
            shown,
            fmt,
            title=f"Untapped trade potential of {iso3}, {year}"
            + (f", {group}" if group else "")
            + " (US$ bn)",
        )
    else:
        extra = (
            []
            if by_section
            else [
                "predicted_exports_usd",
                "actual_exports_usd",
                "predicted_imports_usd",
                "actual_imports_usd",
            ]
        )
        emit(table, fmt, columns=[*cols, *extra], out=out)
    err_console.print(
        f"model {meta['model']} ({meta['model_nobs']:,} obs); actual: {meta['actual_source']}",
        highlight=False,
    )
    for n in meta["notes"]:
        err_console.print(f"note: {n}", highlight=False)


def targets(
    reporter: Annotated[str, typer.Option(help="Reporter country (ISO3 or name), e.g. CHN.")],
    year: Annotated[int, typer.Option(help="Year (CHN: 2013–2019; any: 2009).")],
    group: Annotated[str | None, typer.Option(help="Only partners in this group.")] = None,
    weights: Annotated[
        str | None,
        typer.Option(help="Weights, e.g. potential=0.5,complementarity=0.3,rca_fit=0.2."),
    ] = None,
    top: Annotated[int | None, typer.Option(help="Show only the first N partners.")] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Complementarity-weighted target list with every part and weight shown.

    Untapped potential (gap), trade complementarity and RCA fit are scaled 0–1 over the
    candidates and combined: score = sum(w * part) / sum(w) over the known parts.
    """
    iso3 = _check_reporter(reporter)
    w = _parse_weights(weights)
    table, meta = _service().targets(iso3, year, _partners_for(group, year), w)
    if top:
        table = table.head(top)
    cols = [
        "score_rank",
        "partner",
        "score",
        "parts_used",
        "gap_usd",
        "part_potential",
        "complementarity",
        "part_complementarity",
        "rca_fit",
        "part_rca_fit",
    ]
    emit(
        _round_rows(table[cols].to_dict("records"), 3),
        fmt,
        columns=cols,
        title=f"Target partners of {iso3}, {year}",
        out=out,
    )
    for n in meta["notes"]:
        err_console.print(f"note: {n}", highlight=False)


def _parse_weights(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    out: dict[str, float] = {}
    for part in text.split(","):
        if "=" not in part:
            raise ValidationError(
                f"--weights: {part!r} is not name=value (e.g. potential=0.5)", field="weights"
            )
        k, v = part.split("=", 1)
        try:
            out[k.strip()] = float(v)
        except ValueError:
            raise ValidationError(f"--weights: {v!r} is not a number", field="weights") from None
    return out


def register(root: typer.Typer) -> None:
    """Mount ``gravity`` and add ``potential``/``targets`` to the analytics CLI's
    ``partners`` group."""
    from silkhub.cli.analytics import partners_app

    root.add_typer(app, name="gravity")
    partners_app.command("potential")(potential)
    partners_app.command("targets")(targets)
