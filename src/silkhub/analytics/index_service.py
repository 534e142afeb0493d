"""Composite-index service: load frameworks and data, run the pipeline, benchmark peers.

Frameworks are YAML files shipped in ``silkhub/analytics/frameworks/`` (or any path a user
gives). Data arrive in long form — ``unit, year, indicator, value`` — from the regional template
(``region_id`` becomes ``unit``), from the analytics store (``wdi``: ``iso3`` becomes ``unit``)
or from any extra source (e.g. hub records for the talent pillar): :func:`merge_sources` stacks
them, later sources overriding earlier ones on the same unit, year and indicator.

For a chosen year each unit/indicator takes the value of that year or, failing that, the latest
earlier value within ``max_lag`` years; every carried-forward value is counted and listed.
"""

from __future__ import annotations

import copy
import functools
import logging
import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from silkhub.core.index.benchmark import peer_gaps, what_it_takes
from silkhub.core.index.framework import Framework, parse_framework
from silkhub.core.index.pipeline import IndexConfig, IndexResult, compute_index
from silkhub.core.index.transform import input_needed
from silkhub.data.importers.regional import INDICATORS, read_regional
from silkhub.errors import DataMissingError, NotFoundError, UnknownChoiceError, ValidationError

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
FRAMEWORK_DIR = PACKAGE_DIR / "frameworks"
DEMO_DATA = PACKAGE_DIR / "demo_data" / "city_indicators.csv"
DEFAULT_MAX_LAG = 5
LONG_COLUMNS = ["unit", "year", "indicator", "value"]


# ---------------------------------------------------------------- frameworks
def _yaml_lines(text: str, source: str) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    """Parse YAML and record the line (1-based) of every mapping key / list item path."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ValidationError(
            f"invalid framework {source}: {source}:{line}: YAML syntax: {problem}",
            errors=[{"field": "", "message": f"{source}:{line}: YAML syntax: {problem}"}],
        ) from None
    lines: dict[tuple[str | int, ...], int] = {}

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                p = (*path, k.value)
                lines[p] = k.start_mark.line + 1
                walk(v, p)
                lines[p] = k.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for n, v in enumerate(node.value):
                walk(v, (*path, n))

    if root is not None:
        walk(root, ())
    return data, lines


def parse_framework_text(text: str, source: str) -> Framework:
    """Parse and validate framework YAML; errors are ``source:line: reason``.

    The result (a frozen :class:`Framework`) is cached by text and source: a page view no
    longer parses the YAML twice (~0.35 s under load, issue 16's page budget)."""
    return _parse_framework_cached(text, source)


@functools.lru_cache(maxsize=32)
def _parse_framework_cached(text: str, source: str) -> Framework:
    data, lines = _yaml_lines(text, source)
    kind = data.get("unit_kind", "region") if isinstance(data, Mapping) else "region"
    known = set(INDICATORS) if kind == "region" else None
    return parse_framework(data, source=source, lines=lines, known_codes=known)


def framework_files() -> dict[str, Path]:
    """Shipped frameworks by code (the file stem)."""
    return {p.stem: p for p in sorted(FRAMEWORK_DIR.glob("*.yaml"))}


def load_framework(name_or_path: str | Path) -> Framework:
    """A shipped framework by code, or a framework file by path."""
    files = framework_files()
    key = str(name_or_path)
    if key in files:
        path = files[key]
    else:
        path = Path(key)
        if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
            raise UnknownChoiceError("framework", key, list(files), field="framework")
    return parse_framework_text(path.read_text(encoding="utf-8"), path.name)


def list_frameworks() -> list[dict[str, Any]]:
    out = []
    for code, path in framework_files().items():
        fw = load_framework(code)
        out.append(
            {
                "code": fw.code,
                "name_en": fw.name_en,
                "name_zh": fw.name_zh,
                "unit_kind": fw.unit_kind,
                "pillars": len(fw.pillars),
                "sub_pillars": len(fw.sub_pillars),
                "indicators": len(fw.indicators),
                "file": path.name,
            }
        )
    return out


def framework_tree(fw: Framework) -> dict[str, Any]:
    """The framework as plain data (for the API and JSON output)."""
    return {
        "code": fw.code,
        "name_en": fw.name_en,
        "name_zh": fw.name_zh,
        "description": fw.description,
        "unit_kind": fw.unit_kind,
        "denominators": dict(fw.denominators),
        "pillars": [
            {
                "code": p.code,
                "name_en": p.name_en,
                "name_zh": p.name_zh,
                "weight": p.weight,
                "sub_pillars": [
                    {
                        "code": s.code,
                        "name_en": s.name_en,
                        "name_zh": s.name_zh,
                        "weight": s.weight,
                        "indicators": [
                            {
                                "code": i.code,
                                "name_en": i.name_en,
                                "name_zh": i.name_zh,
                                "unit": i.unit,
                                "direction": i.direction,
                                "weight": i.weight,
                                "inputs": list(i.inputs),
                                "transform": list(i.transform),
                                "target": i.target,
                                "source": i.source,
                            }
                            for i in s.indicators
                        ],
                    }
                    for s in p.sub_pillars
                ],
            }
            for p in fw.pillars
        ],
    }


# ---------------------------------------------------------------- data
def regional_long(df: pd.DataFrame) -> pd.DataFrame:
    """Regional template rows -> long form ``unit, year, indicator, value`` (gaps dropped)."""
    out = df.drop(columns=["unit"], errors="ignore").rename(columns={"region_id": "unit"})
    out = out[LONG_COLUMNS]
    return out.dropna(subset=["value"]).reset_index(drop=True)


def wdi_long(df: pd.DataFrame) -> pd.DataFrame:
    """The store's ``wdi`` rows -> long form."""
    return df.rename(columns={"iso3": "unit"})[LONG_COLUMNS].dropna(subset=["value"])


def merge_sources(*frames: pd.DataFrame) -> pd.DataFrame:
    """Stack long frames (``unit, year, indicator, value``); later frames win on conflicts."""
    parts = []
    for n, f in enumerate(frames):
        missing = [c for c in LONG_COLUMNS if c not in f.columns]
        if missing:
            raise ValidationError(
                f"extra data source {n + 1} lacks column(s) {', '.join(missing)}", field="data"
            )
        part = f[LONG_COLUMNS].dropna(subset=["value"])
        if not part.empty:
            parts.append(part.assign(_src=n))
    if not parts:
        return pd.DataFrame(columns=LONG_COLUMNS)
    df = pd.concat(parts, ignore_index=True)
    df["year"] = df["year"].astype(int)
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    df = df.dropna(subset=["value"]).sort_values("_src")
    df = df.drop_duplicates(["unit", "year", "indicator"], keep="last")
    return df.drop(columns="_src").reset_index(drop=True)


def demo_data(session: Any | None = None) -> pd.DataFrame:
    """The shipped demo city data (regional template), in long form."""
    return regional_long(read_regional(DEMO_DATA, session=session))


def store_data(store: Any, framework: Framework) -> pd.DataFrame:
    """WDI inputs of a country framework from the analytics store."""
    if not store.has("wdi"):
        raise DataMissingError(
            "the country framework needs WDI in the analytics store; import it first "
            "(silkhub data import wdi ...)"
        )
    codes = ", ".join("'" + c.replace("'", "''") + "'" for c in framework.raw_inputs())
    con = store.connect()
    try:
        df = con.sql(
            f"SELECT iso3, indicator, year, value FROM wdi WHERE indicator IN ({codes})"
        ).df()
    finally:
        con.close()
    return wdi_long(df)


def store_regional(store: Any) -> pd.DataFrame:
    """The store's ``regional`` dataset (imported regional templates) in long form."""
    con = store.connect()
    try:
        df = con.sql("SELECT region_id, year, indicator, value FROM regional").df()
    finally:
        con.close()
    return regional_long(df)


def load_data(
    framework: Framework,
    path: str | Path | None = None,
    *,
    session: Any | None = None,
    store: Any | None = None,
    extra: Sequence[pd.DataFrame] = (),
) -> pd.DataFrame:
    """Long data for ``framework``, later sources overriding earlier ones:

    * a template file (``path``), else
    * region frameworks: the shipped demo city data, then the store's ``regional`` dataset
      when one was imported (``silkhub data import regional FILE``);
    * country frameworks: WDI from the store;
    * then every ``extra`` frame (e.g. hub records).

    ``df.attrs["sources"]`` names what was used.
    """
    sources: list[str] = []
    if path is not None:
        base = [regional_long(read_regional(path, session=session))]
        sources.append(Path(path).name)
    elif framework.unit_kind == "region":
        base = [demo_data(session)]
        sources.append(f"demo: {DEMO_DATA.name}")
        if store is not None and store.has("regional"):
            base.append(store_regional(store))
            sources.append("store: regional")
    elif store is not None:
        base = [store_data(store, framework)]
        sources.append("store: wdi")
    else:
        raise DataMissingError("no data: pass a data file (--data) or import WDI first")
    sources += [f"extra source {n + 1}" for n in range(len(extra))]
    out = merge_sources(*base, *extra)
    out.attrs["sources"] = sources
    return out


@dataclass
class Selection:
    """Values chosen for a year: wide raw matrix and where each value came from."""

    raw: pd.DataFrame
    year: int
    lagged: list[dict[str, Any]] = field(default_factory=list)


def select_year(long: pd.DataFrame, year: int | None, max_lag: int = DEFAULT_MAX_LAG) -> Selection:
    """Value of ``year`` or the latest earlier one within ``max_lag`` years, per unit/input."""
    if long.empty:
        raise DataMissingError("no data values to compute an index from")
    target = int(year) if year is not None else int(long["year"].max())
    w = long[(long["year"] <= target) & (long["year"] >= target - max_lag)]
    if w.empty:
        raise DataMissingError(
            f"no values for {target} or the {max_lag} years before "
            f"(data cover {int(long['year'].min())}–{int(long['year'].max())})"
        )
    w = w.sort_values("year").drop_duplicates(["unit", "indicator"], keep="last")
    raw = w.pivot(index="unit", columns="indicator", values="value").sort_index()
    raw.columns.name = None
    lagged = [
        {"unit": r.unit, "input": r.indicator, "year_used": int(r.year)}
        for r in w[w["year"] < target].itertuples()
    ]
    return Selection(raw=raw, year=target, lagged=lagged)


# ---------------------------------------------------------------- runs
@dataclass
class IndexRun:
    result: IndexResult
    year: int
    lagged: list[dict[str, Any]]
    names: dict[str, str]

    def table(self) -> pd.DataFrame:
        t = self.result.table()
        t.insert(1, "name", [self.names.get(u, u) for u in t["unit"]])
        return t


def compute(
    framework: Framework,
    data: pd.DataFrame,
    *,
    year: int | None = None,
    config: IndexConfig | None = None,
    max_lag: int = DEFAULT_MAX_LAG,
    names: Mapping[str, str] | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> IndexRun:
    """Select the year's values and run the pipeline (``on_progress``: the Monte Carlo's share
    done, see :func:`silkhub.core.index.pipeline.compute_index`; not called on a cached run)."""
    if max_lag < 0 or max_lag > 50:
        raise ValidationError("max lag must be between 0 and 50 years", field="max_lag")
    sel, result = _computed(framework, data, year, config, max_lag, on_progress)
    result = copy.copy(result)  # a fresh steps list per run; values are shared, read-only
    result.steps = list(result.steps)
    result.steps.insert(
        0,
        {
            "step": "data",
            "year": sel.year,
            "max_lag": max_lag,
            "units": len(sel.raw),
            "values_carried_forward": len(sel.lagged),
            "sources": list(data.attrs.get("sources", [])),
        },
    )
    return IndexRun(result, sel.year, sel.lagged, dict(names or {}))


#: (framework, data, year, config, max_lag) -> (selection, result): the pipeline is
#: deterministic (seeded Monte Carlo), so a web page or report asking again for the same
#: benchmark reuses it (issue 16: page median < 0.3 s)
_COMPUTED: dict[tuple, tuple[Any, IndexResult]] = {}
_COMPUTED_MAX = 16
_COMPUTED_LOCK = threading.Lock()


def _computed(
    framework: Framework,
    data: pd.DataFrame,
    year: int | None,
    config: IndexConfig | None,
    max_lag: int,
    on_progress: Callable[[float], None] | None = None,
) -> tuple[Any, IndexResult]:
    key = (
        repr(framework),
        tuple(data.columns),
        int(pd.util.hash_pandas_object(data, index=True).sum()),
        year,
        repr(config),
        max_lag,
    )
    with _COMPUTED_LOCK:
        hit = _COMPUTED.get(key)
    if hit is not None:
        return hit
    sel = select_year(data, year, max_lag)
    value = (sel, compute_index(framework, sel.raw, config, on_progress=on_progress))
    with _COMPUTED_LOCK:
        if len(_COMPUTED) >= _COMPUTED_MAX:
            _COMPUTED.pop(next(iter(_COMPUTED)))
        _COMPUTED[key] = value
    return value


def resolve_unit(name: str, units: Iterable[str], resolver: Callable[[str], str] | None) -> str:
    """A unit id from an id, a case-insensitive id/suffix, or a name the resolver knows."""
    units = list(units)
    if name in units:
        return name
    low = name.strip().casefold()
    for u in units:
        if u.casefold() == low or u.casefold().rsplit("-", 1)[-1] == low.replace("'", ""):
            return u
    if resolver is not None:
        try:
            rid = resolver(name)
        except (ValidationError, NotFoundError):
            rid = None
        if rid in units:
            return rid
    raise UnknownChoiceError("unit", name, units, field="unit")


@dataclass
class BenchmarkReport:
    run: IndexRun
    unit: str
    peers: list[str]
    scores: pd.DataFrame  # unit and peers: score, rank, MC interval, pillar scores
    gaps: pd.DataFrame
    needs: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        return plain(
            {
                "framework": self.run.result.framework.code,
                "year": self.run.year,
                "unit": self.unit,
                "peers": self.peers,
                "units_in_index": int(self.run.result.overall.notna().sum()),
                "units_in_data": len(self.run.result.units),
                "config": self.run.result.config.__dict__,
                "scores": self.scores.to_dict("records"),
                "gaps": self.gaps.to_dict("records"),
                "what_it_takes": self.needs.to_dict("records"),
                "sensitivity": self.run.result.mc.sensitivity if self.run.result.mc else {},
                "steps": self.run.result.steps,
                "values_carried_forward": self.run.lagged,
            }
        )


def benchmark(
    framework: Framework,
    data: pd.DataFrame,
    unit: str,
    peers: Sequence[str],
    *,
    year: int | None = None,
    config: IndexConfig | None = None,
    max_lag: int = DEFAULT_MAX_LAG,
    resolver: Callable[[str], str] | None = None,
    names: Mapping[str, str] | None = None,
) -> BenchmarkReport:
    """Benchmark ``unit`` against ``peers``: the index is computed over every unit in the data."""
    if not peers:
        raise ValidationError(
            "name at least one peer, e.g. --peers Hangzhou,Qingdao", field="peers"
        )
    run = compute(framework, data, year=year, config=config, max_lag=max_lag, names=names)
    units = run.result.units
    u = resolve_unit(unit, units, resolver)
    ps = [resolve_unit(p, units, resolver) for p in peers]
    ps = [p for p in dict.fromkeys(ps) if p != u]
    if not ps:
        raise ValidationError("the peers must differ from the unit", field="peers")
    table = run.table().set_index("unit")
    scores = table.loc[[u, *ps]].reset_index()
    scores.insert(0, "role", ["unit"] + ["peer"] * len(ps))
    gaps = peer_gaps(run.result.values, framework, u, ps)
    needs = what_it_takes(gaps)
    raw = _raw_row(data, run.year, max_lag, u)
    codes = list(needs["indicator"])
    needs["inputs"] = ["+".join(framework.indicator(c).inputs) for c in codes]
    needs["input_now"] = [_input_now(framework, c, raw) for c in codes]
    needs["input_needed"] = [
        _safe_needed(framework, c, v, raw)
        for c, v in zip(codes, needs["value_needed"], strict=True)
    ]
    return BenchmarkReport(run, u, ps, scores, gaps, needs)


def _raw_row(data: pd.DataFrame, year: int, max_lag: int, unit: str) -> pd.Series:
    mine = data[data["unit"] == unit]
    if mine.empty:
        return pd.Series(dtype=float)
    try:
        return select_year(mine, year, max_lag).raw.iloc[0]
    except DataMissingError:
        return pd.Series(dtype=float)


def _input_now(fw: Framework, code: str, raw: pd.Series) -> float | None:
    vals = [raw.get(c, np.nan) for c in fw.indicator(code).inputs]
    return None if any(pd.isna(v) for v in vals) else float(sum(vals))


def _safe_needed(fw: Framework, code: str, value: float, raw: pd.Series) -> float | None:
    if value is None or pd.isna(value):
        return None
    return input_needed(fw, fw.indicator(code), float(value), raw)


# ---------------------------------------------------------------- serialisation
def plain(obj: Any) -> Any:
    """numpy/pandas values -> JSON-ready Python (NaN/inf -> None)."""
    if isinstance(obj, Mapping):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [plain(v) for v in obj.tolist()]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


def _matrix(df: pd.DataFrame | None) -> list[dict[str, Any]]:
    """A correlation matrix as rows ``{"code": row, <col>: r, ...}``."""
    if df is None:
        return []
    return df.reset_index(names="code").to_dict("records")


def run_to_dict(run: IndexRun, *, details: bool = True) -> dict[str, Any]:
    """An index run as plain data: scores per unit, and (details) indicators and coherence."""
    r = run.result
    out: dict[str, Any] = {
        "framework": r.framework.code,
        "year": run.year,
        "config": r.config.__dict__,
        "units": run.table().to_dict("records"),
        "steps": r.steps,
        "values_carried_forward": run.lagged,
    }
    if r.mc is not None:
        out["sensitivity"] = r.mc.sensitivity
    if details:
        out["indicator_scores"] = r.scores.reset_index(names="unit").to_dict("records")
        out["indicator_values"] = r.values.reset_index(names="unit").to_dict("records")
        out["coherence"] = {
            "pillars": r.coherence.pillars.to_dict("records"),
            "indicators": r.coherence.indicator_fit.to_dict("records"),
            "flags": r.coherence.flags,
            "correlations": _matrix(r.coherence.correlations),
            "pillar_correlations": _matrix(r.coherence.pillar_correlations),
        }
        out["weights"] = r.weights.as_rows(r.structure)
    return plain(out)


def reference_helpers(
    session: Any, framework: Framework, lang: str = "en"
) -> tuple[dict[str, str], Callable[[str], str]]:
    """Display names of units and a name -> unit id resolver from the reference data."""
    from silkhub.data.reference import queries

    queries.check_lang(lang)
    if framework.unit_kind == "region":
        names = {
            r.region_id: (r.name_zh or r.name_en) if lang == "zh" else r.name_en
            for r in queries.list_regions(session)
        }

        def resolve(name: str) -> str:
            return queries.find_region(session, name).region_id

        return names, resolve
    names = {c.iso3: c.name for c in queries.list_countries(session, lang=lang)}

    def resolve_country(name: str) -> str:
        return queries.get_country(session, name).iso3

    return names, resolve_country
