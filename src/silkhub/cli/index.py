"""``silkhub index ...`` (composite indices) and ``silkhub benchmark`` (peer benchmarking)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from silkhub.analytics import index_service as svc
from silkhub.analytics.index_inputs import pipeline_config, run_inputs
from silkhub.cli.common import FormatOpt, OutOpt, runtime
from silkhub.cli.output import Format, console, emit, err_console
from silkhub.data.importers.regional import INDICATORS, read_regional, write_template
from silkhub.data.store import AnalyticsStore

index_app = typer.Typer(
    help=(
        "Composite indices (city internationalization, country openness): frameworks, "
        "computation with every step recorded, coherence and Monte Carlo uncertainty."
    ),
    no_args_is_help=True,
)

FrameworkOpt = Annotated[
    str,
    typer.Option(
        "--framework",
        "-F",
        help="Framework code (see `silkhub index frameworks`) or a path to a YAML file.",
    ),
]
DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data",
        "-d",
        help="Regional template file (CSV/XLSX). Default: the shipped demo city data "
        "(city frameworks) or WDI from the analytics store (country frameworks).",
    ),
]
YearOpt = Annotated[
    int | None, typer.Option("--year", "-y", help="Year to score (default: latest in the data).")
]
McOpt = Annotated[
    int, typer.Option("--mc", help="Monte Carlo runs for rank intervals (0 = none).", min=0)
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed of the Monte Carlo.", min=0)]
ImpOpt = Annotated[str, typer.Option(help="Missing data: none, mean or em.")]
OutlierOpt = Annotated[str, typer.Option(help="Outliers: winsorise or none.")]
NormOpt = Annotated[
    str, typer.Option(help="Normalisation: minmax, zscore, rank, frontier or target.")
]
WeightOpt = Annotated[str, typer.Option(help="Weighting: user, equal, pca or budget.")]
AggOpt = Annotated[str, typer.Option(help="Aggregation: arithmetic or geometric.")]
LagOpt = Annotated[
    int,
    typer.Option(
        "--max-lag", help="Use the latest value up to this many years before --year.", min=0
    ),
]
CoverageOpt = Annotated[
    float,
    typer.Option(
        "--min-coverage", help="Exclude indicators observed for fewer than this share of units."
    ),
]
UnitCoverageOpt = Annotated[
    float,
    typer.Option(
        "--min-unit-coverage",
        help="Leave out units with values for fewer than this share of the scored indicators.",
    ),
]
LangOpt = Annotated[str, typer.Option(help="Names in en or zh.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]


HubOpt = Annotated[
    bool,
    typer.Option(
        "--hub-counts/--no-hub-counts",
        help="Add region counts from hub records (international schools, hospitals, consulates, "
        "foreign experts in the talent directory), dated the day they are counted; they win over "
        "file values for the same region, year and indicator.",
    ),
]


def _load(framework: str, data: Path | None, lang: str, hub_counts: bool = False):
    rt = runtime()
    with rt.session() as s:
        store = AnalyticsStore(rt.settings.analytics_dir)
        extra = []
        if hub_counts:
            from silkhub.hub.places import region_counts_frame

            extra.append(region_counts_frame(s))
        return run_inputs(s, store, framework, lang=lang, path=data, extra=extra)


def _round(df: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].map(lambda v: None if pd.isna(v) else float(f"{v:.{digits}g}"))
    return out


def _write_json(doc: Any, out: Path | None) -> None:
    """``doc`` as indented JSON (UTF-8, not ASCII-escaped) to ``out``, or to stdout."""
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _progress(quiet: bool, what: str):
    import contextlib

    return contextlib.nullcontext() if quiet else err_console.status(what)


@index_app.command("frameworks")
def frameworks_cmd(fmt: FormatOpt = Format.table, out: OutOpt = None) -> None:
    """List the shipped frameworks (pillars, sub-pillars and indicator counts)."""
    emit(svc.list_frameworks(), fmt, out=out, title="Index frameworks")


@index_app.command("show")
def show_cmd(
    framework: Annotated[str, typer.Argument(help="Framework code or YAML path.")],
    lang: LangOpt = "en",
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Show a framework's indicators: pillar, sub-pillar, inputs, transform, direction, weight."""
    fw = svc.load_framework(framework)
    rows = [
        {
            "pillar": i.pillar,
            "sub_pillar": i.sub_pillar,
            "indicator": i.code,
            "name": (i.name_zh or i.name_en) if lang == "zh" else i.name_en,
            "inputs": "+".join(i.inputs),
            "transform": ",".join(i.transform),
            "direction": i.direction,
            "weight": round(i.weight, 4),
            "unit": i.unit,
        }
        for i in fw.indicators
    ]
    if fmt is Format.json and out is None:
        _write_json(svc.framework_tree(fw), None)
        return
    emit(rows, fmt, out=out, title=f"{fw.code}: {fw.name_zh if lang == 'zh' else fw.name_en}")


@index_app.command("validate")
def validate_cmd(
    path: Annotated[Path, typer.Argument(help="A framework YAML or a regional template file.")],
) -> None:
    """Check a framework (.yaml) or data file (.csv/.xlsx); errors are file:line: reason."""
    if path.suffix.lower() in (".yaml", ".yml"):
        fw = svc.load_framework(path)
        console.print(
            f"{path.name}: OK — {len(fw.pillars)} pillars, {len(fw.indicators)} indicators"
        )
        return
    with runtime().session() as s:
        df = read_regional(path, session=s)
    console.print(
        f"{path.name}: OK — {len(df)} rows, {df['region_id'].nunique()} regions, "
        f"{int(df['value'].notna().sum())} values"
    )


@index_app.command("template")
def template_cmd(
    out: Annotated[Path, typer.Argument(help="File to write (.csv or .xlsx).")],
    lang: LangOpt = "zh",
) -> None:
    """Write an empty regional template with instructions (zh and en) and the indicator list."""
    write_template(out, lang)
    console.print(f"wrote {out} ({len(INDICATORS)} indicator codes documented)")


@index_app.command("compute")
def compute_cmd(
    framework: FrameworkOpt = "city-internationalization",
    data: DataOpt = None,
    year: YearOpt = None,
    mc: McOpt = 0,
    seed: SeedOpt = 1,
    imputation: ImpOpt = "em",
    outliers: OutlierOpt = "winsorise",
    normalisation: NormOpt = "minmax",
    weighting: WeightOpt = "user",
    aggregation: AggOpt = "arithmetic",
    max_lag: LagOpt = svc.DEFAULT_MAX_LAG,
    min_coverage: CoverageOpt = 0.3,
    min_unit_coverage: UnitCoverageOpt = 0.5,
    level: Annotated[
        str,
        typer.Option(
            help="What to output: units (scores and ranks), indicators (normalised scores), "
            "coherence, correlations (indicator x indicator), weights, steps, or all (json)."
        ),
    ] = "units",
    lang: LangOpt = "en",
    hub_counts: HubOpt = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Compute an index: scores and ranks per unit, every pipeline step recorded.

    Example: silkhub index compute --framework city-internationalization --year 2019 --mc 1000
    """
    from silkhub.errors import UnknownChoiceError

    levels = ("units", "indicators", "coherence", "correlations", "weights", "steps", "all")
    if level not in levels:
        raise UnknownChoiceError("level", level, levels, field="level")
    cfg = pipeline_config(
        imputation=imputation, outliers=outliers, normalisation=normalisation,
        weighting=weighting, aggregation=aggregation, mc=mc, seed=seed,
        min_coverage=min_coverage, min_unit_coverage=min_unit_coverage,
    )  # fmt: skip
    fw, long, names, _ = _load(framework, data, lang, hub_counts)
    with _progress(quiet, f"computing {fw.code} ({mc} Monte Carlo runs)…"):
        run = svc.compute(fw, long, year=year, config=cfg, max_lag=max_lag, names=names)
    r = run.result
    if level == "all" or (fmt is Format.json and level == "steps"):
        doc = svc.run_to_dict(run)
        _write_json(doc if level == "all" else doc["steps"], out)
        return
    if level == "units":
        if fmt is Format.table and out is None:
            _print_units(run, lang)
            _print_notes(run)
        else:
            emit(_round(run.table()), fmt, out=out, title=f"{fw.code} {run.year}")
    elif level == "indicators":
        emit(_round(r.scores.reset_index(names="unit")), fmt, out=out)
    elif level == "coherence":
        emit(_round(r.coherence.pillars), fmt, out=out, title="Coherence per pillar")
        if fmt is Format.table and out is None:
            emit(_round(r.coherence.indicator_fit), fmt, title="Indicator fit")
            pc = r.coherence.pillar_correlations
            if pc is not None:
                emit(_round(pc.reset_index(names="pillar")), fmt, title="Pillar correlations")
            for f in r.coherence.flags:
                console.print(f"[yellow]flag:[/yellow] {f}")
    elif level == "correlations":
        corr = r.coherence.correlations.reset_index(names="indicator")
        emit(_round(corr), fmt, out=out, title="Indicator correlations")
    elif level == "weights":
        emit(_round(pd.DataFrame(r.weights.as_rows(r.structure))), fmt, out=out)
    else:
        emit([{"step": s["step"], "details": _brief(s)} for s in r.steps], fmt, out=out)


def _print_units(run: svc.IndexRun, lang: str) -> None:
    """Compact terminal table: name, score, rank with its Monte Carlo interval, pillars."""
    fw = run.result.framework
    _print_ranks(
        f"{fw.name_zh if lang == 'zh' else fw.name_en}, {run.year}",
        run.table().to_dict("records"),
        [p.code for p in fw.pillars],
        lambda r: str(r["name"]),
    )


def _print_ranks(
    title: str,
    records: list[dict[str, Any]],
    pillars: list[str],
    label: Callable[[dict[str, Any]], str],
) -> None:
    """Terminal table of units: ``label``, score, rank, Monte Carlo interval, pillars, coverage."""
    t = Table(title=title)
    for c in ["unit", "score", "rank", "MC rank (5–95 %)", *pillars, "coverage %"]:
        t.add_column(c)
    for r in records:
        t.add_row(
            label(r),
            _fmt(r["score"]),
            "–" if r["rank"] is None else str(r["rank"]),
            _interval(r),
            *[_fmt(r[p]) for p in pillars],
            f"{r['coverage_pct']:.0f}",
        )
    console.print(t)


def _brief(step: dict[str, Any]) -> str:
    d = {k: v for k, v in step.items() if k not in ("step", "weights")}
    return json.dumps(svc.plain(d), ensure_ascii=False)[:400]


def _print_notes(run: svc.IndexRun) -> None:
    r = run.result
    ind = next(s for s in r.steps if s["step"] == "indicators")
    imp = next(s for s in r.steps if s["step"] == "missing_data")
    console.print(
        f"data {run.year}: {ind['observed']} values observed, {ind['missing']} missing; "
        f"{len(run.lagged)} carried forward from earlier years"
    )
    left_out = ind.get("excluded_units_low_coverage") or {}
    if left_out:
        names = ", ".join(run.names.get(u, u) for u in left_out)
        console.print(
            f"left out (values for < {ind['min_unit_coverage']:.0%} of scored indicators): {names}"
        )
    console.print(
        f"missing data: {imp['method']} — {imp['n_imputed']} imputed; no data: "
        f"{', '.join(ind['indicators_without_data']) or 'none'}; excluded (coverage < "
        f"{ind['min_coverage']:.0%}): {', '.join(ind['excluded_low_coverage']) or 'none'}"
    )
    if r.mc is not None:
        sens = ", ".join(f"{k} {v:.2f}" for k, v in r.mc.sensitivity.items())
        console.print(f"Monte Carlo {r.mc.runs} runs (seed {r.mc.seed}); first-order S: {sens}")


def benchmark_cmd(
    unit: Annotated[str, typer.Option("--unit", "-u", help="The city/region/country, e.g. Jinan.")],
    peers: Annotated[
        str, typer.Option("--peers", "-p", help="Comma-separated peers, e.g. Hangzhou,Qingdao.")
    ],
    framework: FrameworkOpt = "city-internationalization",
    year: YearOpt = None,
    data: DataOpt = None,
    mc: McOpt = 1000,
    seed: SeedOpt = 1,
    imputation: ImpOpt = "em",
    normalisation: NormOpt = "minmax",
    weighting: WeightOpt = "user",
    aggregation: AggOpt = "arithmetic",
    max_lag: LagOpt = svc.DEFAULT_MAX_LAG,
    min_coverage: CoverageOpt = 0.3,
    min_unit_coverage: UnitCoverageOpt = 0.5,
    table: Annotated[
        str, typer.Option(help="With csv/parquet: which table — scores, gaps or needs.")
    ] = "gaps",
    lang: LangOpt = "en",
    hub_counts: HubOpt = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Benchmark a unit against peers: pillar scores, ranks with Monte Carlo intervals,
    strengths and weaknesses by standardised gap, and what it would take to reach the peers.

    Example: silkhub benchmark --unit Jinan --peers Hangzhou,Qingdao
    --framework city-internationalization --year 2019
    """
    from silkhub.errors import UnknownChoiceError

    tables = ("scores", "gaps", "needs")
    if table not in tables:
        raise UnknownChoiceError("table", table, tables, field="table")
    cfg = pipeline_config(
        imputation=imputation, normalisation=normalisation, weighting=weighting,
        aggregation=aggregation, mc=mc, seed=seed, min_coverage=min_coverage,
        min_unit_coverage=min_unit_coverage,
    )  # fmt: skip
    fw, long, names, resolve = _load(framework, data, lang, hub_counts)
    peer_list = [p.strip() for p in peers.split(",") if p.strip()]
    with _progress(quiet, f"benchmarking {unit} ({mc} Monte Carlo runs)…"):
        rep = svc.benchmark(
            fw, long, unit, peer_list, year=year, config=cfg, max_lag=max_lag,
            resolver=resolve, names=names,
        )  # fmt: skip
    name_col = "name_zh" if lang == "zh" else "name_en"
    gaps = rep.gaps.assign(best_peer=rep.gaps["best_peer"].map(lambda u: names.get(u, u)))
    gap_cols = [
        "indicator", name_col, "pillar", "value", "best_peer", "best_peer_value",
        "peer_median", "gap_to_best", "gap_to_median", "standardised_gap", "status",
    ]  # fmt: skip
    need_cols = [
        "indicator", name_col, "value", "value_needed", "change_needed", "change_pct",
        "inputs", "input_now", "input_needed",
    ]  # fmt: skip
    pillars = [p.code for p in fw.pillars]
    score_cols = ["role", "unit", "name", "score", "rank"]
    if rep.run.result.mc is not None:
        score_cols += ["mc_median_rank", "mc_rank_p05", "mc_rank_p95"]
    score_cols += [*pillars, "coverage_pct"]
    if fmt is Format.json:
        _write_json(rep.to_dict(), out)
        return
    if fmt is not Format.table or out is not None:
        chosen = {
            "scores": rep.scores[score_cols],
            "gaps": gaps[gap_cols],
            "needs": rep.needs[need_cols],
        }[table]
        emit(_round(chosen), fmt, out=out)
        return
    n_units = int(rep.run.result.overall.notna().sum())
    uname = names.get(rep.unit, rep.unit)
    console.print(
        f"[bold]{uname}[/bold] vs {', '.join(names.get(p, p) for p in rep.peers)} — "
        f"{fw.name_zh if lang == 'zh' else fw.name_en}, {rep.run.year} "
        f"(ranks among the {n_units} units scored)"
    )
    _print_ranks(
        "Pillar scores and ranks (rank interval: Monte Carlo 5–95 %)",
        rep.scores.to_dict("records"),
        pillars,
        lambda r: f"{r['name']}{' *' if r['role'] == 'unit' else ''}",
    )
    compared = gaps[gaps["status"] != "missing"]
    emit(
        _round(compared[gap_cols]),
        Format.table,
        title="Strengths and weaknesses (standardised gap)",
    )
    no_cmp = gaps.loc[gaps["status"] == "missing", "indicator"].tolist()
    if no_cmp:
        console.print(f"not compared (no value for {uname} or its peers): {', '.join(no_cmp)}")
    if len(rep.needs):
        emit(_round(rep.needs[need_cols]), Format.table, title="What would it take (peer median)")
    else:
        console.print(f"{uname} is at or above the peer median on every indicator with data.")
    _print_notes(rep.run)


def _interval(r: dict[str, Any]) -> str:
    """``median (p05–p95)`` of the Monte Carlo ranks, or – ."""
    if "mc_median_rank" not in r or pd.isna(r["mc_median_rank"]):
        return "–"
    return f"{r['mc_median_rank']:.0f} ({r['mc_rank_p05']:.0f}–{r['mc_rank_p95']:.0f})"


def _fmt(v: Any) -> str:
    return "–" if v is None or pd.isna(v) else f"{v:.1f}"


def register(root: typer.Typer) -> None:
    """Add ``silkhub index ...`` and the top-level ``silkhub benchmark``."""
    root.add_typer(index_app, name="index")
    root.command("benchmark")(benchmark_cmd)
