"""Gravity services: run specs and keep their results, policy effects, untapped potential.

Runs are stored under ``settings.analytics_dir / "gravity"``::

    runs/<run_id>/result.json          spec, coefficients, vcov, sample sizes, convergence
    runs/<run_id>/coefficients.parquet the coefficient table (for DuckDB / pandas)

A run directory is written to a temporary name and renamed into place, so a crash never leaves
a half-written run. ``run_id`` = ``<spec name>-<UTC timestamp>-<6 hex of the spec hash>``.

Untapped potential (see ``docs/decisions.md`` § Gravity for the method and its limits):
a cross-section PPML fitted on WITS 2009 bilateral totals with GDPs and CEPII covariates
(spec ``potential_wits2009``) predicts trade between a reporter and each partner from the
target year's GDPs; actual trade comes from the China–B&R series (2013–2019) or WITS (2009).
Without the shared data, a packaged snapshot (coefficients + China–B&R inputs) is used.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from silkhub.analytics import gravity_data as gd
from silkhub.core.gravity import (
    GravityEstimationError,
    GravityResult,
    GravitySpec,
    GravitySpecError,
    PolicyEffect,
    add_leads_lags,
    fit_gravity,
    membership_dummy,
    policy_effect,
    predict_covariates,
)
from silkhub.core.potential import HS_SECTIONS, hs_section, potential_table, target_scores
from silkhub.data.registry import preference
from silkhub.errors import DataMissingError, NotFoundError, ValidationError

logger = logging.getLogger(__name__)

SPEC_PACKAGE = "silkhub.analytics.gravity_specs"
POTENTIAL_SPEC = "potential_wits2009"
SNAPSHOT_FILE = "china_br65_inputs.csv"
COEF_FILE = "potential_wits2009.coefficients.json"
STORE_CHINA_TRADE = "china_br65_trade"
_RUN_ID = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")
#: groups whose agreements are signed with China (a pair is China + member)
HUB_GROUPS = {"bri": "CHN"}


# --------------------------------------------------------------------------------------------
# specs


def packaged_specs() -> list[str]:
    """Names of the specs shipped in ``silkhub/analytics/gravity_specs``."""
    root = resources.files(SPEC_PACKAGE)
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def load_spec(source: str | Path) -> GravitySpec:
    """A spec from a YAML file path, or the name of a packaged spec (e.g. ``agtpa_table3_endg``).

    Raises
    ------
    GravitySpecError
        Not YAML, not a mapping, unknown keys or values.
    NotFoundError
        No such file and no packaged spec of that name.
    """
    path = Path(source)
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        where = str(path)
    else:
        name = str(source).removesuffix(".yaml")
        res = resources.files(SPEC_PACKAGE).joinpath(f"{name}.yaml")
        if not res.is_file():
            raise NotFoundError(
                f"no spec file {source!s} and no packaged spec {name!r}; packaged specs: "
                + ", ".join(packaged_specs())
            )
        text = res.read_text(encoding="utf-8")
        where = f"packaged spec {name}"
    return parse_spec(text, where)


def parse_spec(text: str, where: str = "spec") -> GravitySpec:
    """Parse YAML text into a :class:`GravitySpec` (errors name ``where``)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f" line {mark.line + 1}" if mark is not None else ""
        raise GravitySpecError(f"{where}{loc}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise GravitySpecError(f"{where}: a spec must be a YAML mapping (name, formula, ...)")
    try:
        return GravitySpec.from_mapping(data)
    except GravitySpecError as exc:
        raise GravitySpecError(f"{where}: {exc.message}", field=exc.field) from None


# --------------------------------------------------------------------------------------------
# runs


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    spec: str
    dataset: str
    estimator: str
    nobs: int
    converged: bool
    created: str
    elapsed_s: float


@dataclass
class Run:
    run_id: str
    created: str
    result: GravityResult
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> RunSummary:
        s = self.result.spec
        return RunSummary(
            run_id=self.run_id,
            spec=s.name,
            dataset=s.dataset,
            estimator=s.estimator,
            nobs=self.result.nobs,
            converged=self.result.converged,
            created=self.created,
            elapsed_s=self.result.elapsed_s,
        )

    def coefficient_rows(self) -> list[dict[str, Any]]:
        """Coefficient table rows with the published value and difference where the spec has
        one."""
        pub = self.result.spec.published
        rows = []
        for c in self.result.coefficients:
            r = asdict(c)
            if pub:
                r["published"] = pub.get(c.name)
                r["difference"] = None if c.name not in pub else c.estimate - pub[c.name]
            rows.append(r)
        return rows


class GravityService:
    """Runs gravity specs and stores/reads their results.

    Parameters
    ----------
    root:
        Where runs are stored (``settings.analytics_dir / "gravity"``).
    shared:
        The shared-data folder (``settings.shared_data``) or ``None``.
    store_root:
        The analytics store root (``settings.analytics_dir``) for store datasets, or ``None``.
    """

    def __init__(self, root: Path, shared: Path | None = None, store_root: Path | None = None):
        self.root = Path(root)
        self.shared = Path(shared) if shared is not None else None
        self.store_root = Path(store_root) if store_root is not None else None

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    # -- fitting -------------------------------------------------------------------------
    def load_data(self, dataset: str) -> pd.DataFrame:
        return gd.load_dataset(dataset, shared=self.shared, store_root=self.store_root)

    def fit(
        self, spec: GravitySpec, data: pd.DataFrame | None = None, *, save: bool = True, **extra
    ) -> Run:
        """Estimate ``spec`` (on ``data`` or its named dataset) and store the run."""
        frame = self.load_data(spec.dataset) if data is None else data
        logger.info("fitting %s on %s (%d rows)", spec.name, spec.dataset, len(frame))
        result = fit_gravity(spec, frame)
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        digest = hashlib.sha256(json.dumps(spec.to_mapping(), sort_keys=True).encode()).hexdigest()[
            :6
        ]
        stamp = created.replace("-", "").replace(":", "")
        run = Run(f"{spec.name}-{stamp}-{digest}", created, result, dict(extra))
        if save:
            self._save(run)
        return run

    def _save(self, run: Run) -> None:
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        final = self.runs_dir / run.run_id
        if final.exists():  # same spec within the same second: make the id unique
            run.run_id += "-" + uuid.uuid4().hex[:4]
            final = self.runs_dir / run.run_id
        tmp = self.runs_dir / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
        try:
            doc = {
                "run_id": run.run_id,
                "created": run.created,
                "result": run.result.to_dict(),
                "extra": run.extra,
            }
            (tmp / "result.json").write_text(
                json.dumps(doc, indent=2, ensure_ascii=False, default=_json_default),
                encoding="utf-8",
            )
            pd.DataFrame(run.coefficient_rows()).to_parquet(tmp / "coefficients.parquet")
            os.replace(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # -- reading -------------------------------------------------------------------------
    def list_runs(self, spec: str | None = None) -> list[RunSummary]:
        """Stored runs, newest first (optionally only of one spec)."""
        if not self.runs_dir.is_dir():
            return []
        out = []
        for d in self.runs_dir.iterdir():
            if d.name.startswith(".") or not (d / "result.json").is_file():
                continue
            try:
                run = self._read(d)
            except (ValueError, KeyError, GravitySpecError):
                logger.warning("skipping unreadable gravity run %s", d)
                continue
            if spec is None or run.result.spec.name == spec:
                out.append(run.summary())
        return sorted(out, key=lambda r: (r.created, r.run_id), reverse=True)

    def _read(self, d: Path) -> Run:
        doc = json.loads((d / "result.json").read_text(encoding="utf-8"))
        return Run(
            doc["run_id"], doc["created"], GravityResult.from_dict(doc["result"]), doc["extra"]
        )

    def get_run(self, run_id: str) -> Run:
        """A stored run by id, or the latest run of a spec when given a spec name.

        Raises NotFoundError naming the known runs.
        """
        if _RUN_ID.match(run_id or "") and not run_id.startswith("."):
            d = self.runs_dir / run_id
            if (d / "result.json").is_file():
                return self._read(d)
            latest = self.list_runs(spec=run_id)
            if latest:
                return self._read(self.runs_dir / latest[0].run_id)
        known = [r.run_id for r in self.list_runs()[:10]]
        raise NotFoundError(
            f"no gravity run {run_id!r}; "
            + (f"recent runs: {', '.join(known)}" if known else "run `silkhub gravity fit` first")
        )

    # -- policy effects ------------------------------------------------------------------
    def policy_effect(
        self,
        group: str,
        joined_year: dict[str, int],
        *,
        dataset: str,
        data: pd.DataFrame | None = None,
        leads: Sequence[int] = (),
        lags: Sequence[int] = (),
        formula_rest: str = "",
        fixed_effects: str = "exporter^importer + exporter^year + importer^year",
        filters: Sequence[str] = (),
        label: str | None = None,
        save: bool = True,
    ) -> tuple[PolicyEffect, Run]:
        """Estimate the effect of joining ``group`` with leads/lags and summarise it.

        The dummy ``<group>`` is 1 for a pair from the year both sides are members (or, for
        groups signed with China such as ``bri``, from the partner's signing year for pairs
        with China). Leads ``<group>_lead{k}`` test anticipation; lags ``<group>_lag{k}`` add
        phasing-in; the total effect sums the contemporaneous term and the lags.
        """
        frame = self.load_data(dataset) if data is None else data.copy()
        col = _ident(group)
        frame[col] = membership_dummy(frame, joined_year, hub=HUB_GROUPS.get(group))
        frame, names = add_leads_lags(frame, col, leads=leads, lags=lags)
        lead_names = [n for n in names if "_lead" in n]
        lag_names = [n for n in names if "_lag" in n]
        rhs = " + ".join([col, *names]) + (f" + {formula_rest}" if formula_rest else "")
        spec = GravitySpec(
            name=f"policy_{col}_{_ident(dataset)}",
            formula=f"trade ~ {rhs}" + (f" | {fixed_effects}" if fixed_effects else ""),
            dataset=dataset,
            filters=tuple(filters),
            cluster="pair_id",
            description=f"Effect of joining {group} (leads {list(leads)}, lags {list(lags)})",
        )
        if frame[col].nunique() < 2:
            raise DataMissingError(
                f"no pair in {dataset} changes {group} status; the effect cannot be estimated "
                "on this dataset (pick one whose years cover the signings)"
            )
        run = self.fit(spec, frame, save=False, group=group, joined_year=joined_year)
        eff = policy_effect(
            run.result,
            label
            or (f"China and its {group} partners" if group in HUB_GROUPS else f"{group} members"),
            [col, *lag_names],
            leads=lead_names,
            event="signing" if group in HUB_GROUPS else "joining",
        )
        run.extra["policy_effect"] = asdict(eff)
        if save:
            self._save(run)
        return eff, run

    # -- untapped potential --------------------------------------------------------------
    def potential_model(self) -> GravityResult:
        """The cross-section model behind potentials: the latest stored run of
        ``potential_wits2009``; else fitted now from the shared data (and stored); else the
        coefficients packaged with silkhub."""
        runs = self.list_runs(spec=POTENTIAL_SPEC)
        if runs:
            return self.get_run(runs[0].run_id).result
        if self.shared is not None and (self.shared / gd.WITS_FLOWS).is_file():
            return self.fit(load_spec(POTENTIAL_SPEC)).result
        text = resources.files(SPEC_PACKAGE).joinpath(COEF_FILE).read_text(encoding="utf-8")
        return GravityResult.from_dict(json.loads(text))

    def _prediction_inputs(self, reporter: str, year: int) -> tuple[pd.DataFrame, str]:
        """Directed reporter<->partner rows for ``year`` with covariates and actual trade."""
        have_shared = self.shared is not None and self.shared.is_dir()
        if year == 2009 and have_shared:
            w = gd.wits_2009_gravity(self.shared)  # type: ignore[arg-type]
            rows = w[
                ((w.exporter == reporter) | (w.importer == reporter)) & (w.exporter != w.importer)
            ]
            rows = rows.assign(
                partner=np.where(rows.exporter == reporter, rows.importer, rows.exporter)
            )
            return rows, "WITS 2009 harmonised bilateral totals (UN Comtrade)"
        if reporter != "CHN" or not 2013 <= year <= 2019:
            general = self._store_general_inputs(reporter, year)
            if general is not None:
                return general
        if reporter != "CHN":
            raise DataMissingError(
                f"actual trade of {reporter} in {year} is not available: the shared data has "
                "bilateral totals for all reporters only for 2009 (use --year 2009) and China's "
                "trade with the B&R countries for 2013–2019; import bilateral trade (e.g. "
                "`silkhub data import baci`) for other reporters and years"
            )
        if have_shared and (self.shared / gd.CHINA_BR65).is_file():  # type: ignore[operator]
            panel = gd.china_br65_panel(self.shared)  # type: ignore[arg-type]
            panel = panel[panel["year"] == year]
            source = "China–B&R trade 2013–2019 (MOFCOM/customs via HuangHeng179/beltandroad)"
        else:
            panel = packaged_snapshot()
            panel = panel[panel["year"] == year]
            source = "packaged snapshot of China–B&R trade (shared data not available)"
        if panel.empty:
            raise DataMissingError(f"no China–B&R trade for {year}; the series covers 2013–2019")
        stored = self._store_china_trade(year)
        if stored is not None:
            # an imported dataset wins for the actual flows; covariates stay as above
            panel = panel.drop(columns=["trade"]).merge(
                stored, on=["exporter", "importer"], how="left"
            )
            source = f"analytics store dataset {STORE_CHINA_TRADE} (covariates: {source})"
        return panel, source

    def _store_general_inputs(self, reporter: str, year: int) -> tuple[pd.DataFrame, str] | None:
        """Reporter rows from any bilateral dataset of the analytics store (all-goods totals),
        with CEPII covariates (shared data) and GDPs (store ``wdi``, else shared WDI)."""
        if self.store_root is None or not (self.store_root / "catalog.json").exists():
            return None
        if self.shared is None or not (self.shared / gd.CEPII_DIST).is_file():
            return None
        from silkhub.data.store import AnalyticsStore

        store = AnalyticsStore(self.store_root)
        for name in preference("gravity_flows"):
            if not store.has(name):
                continue
            flows = gd.store_bilateral(self.store_root, name, None, year=year, reporter=reporter)
            if flows is None:
                continue
            flows = flows[
                (flows["year"] == year)
                & ((flows["exporter"] == reporter) | (flows["importer"] == reporter))
                & (flows["exporter"] != flows["importer"])
            ]
            if flows.empty:
                continue
            rows = gd.add_covariates(flows.drop(columns=["pair_id"]), gd.load_cepii(self.shared))
            rows = gd.add_gdp(rows, self._gdp_table())
            rows["pair_id"] = gd._pair_id(rows)
            rows["partner"] = np.where(
                rows["exporter"] == reporter, rows["importer"], rows["exporter"]
            )
            return rows, f"analytics store dataset {name} (all-goods totals)"
        return None

    def _gdp_table(self) -> pd.DataFrame:
        """GDP in current US$: store ``wdi`` (NY.GDP.MKTP.CD) first, shared WDI for the rest."""
        parts = []
        if self.store_root is not None and (self.store_root / "catalog.json").exists():
            from silkhub.data.store import AnalyticsStore

            store = AnalyticsStore(self.store_root)
            if store.has("wdi"):
                w = store.read("wdi", where="indicator = 'NY.GDP.MKTP.CD'")
                parts.append(w.rename(columns={"value": "gdp_usd"})[["iso3", "year", "gdp_usd"]])
        if self.shared is not None and (self.shared / gd.WDI_GDP).is_file():
            parts.append(gd.load_gdp(self.shared))
        if not parts:
            raise DataMissingError("GDP (WDI NY.GDP.MKTP.CD) is needed; import wdi")
        gdp = pd.concat(parts, ignore_index=True)
        gdp["year"] = gdp["year"].astype(int)
        return gdp.drop_duplicates(["iso3", "year"], keep="first")

    def _store_china_trade(self, year: int) -> pd.DataFrame | None:
        """China's totals with each partner for ``year`` from the analytics store, if imported
        (``silkhub data demo`` or an import publishes ``china_br65_trade``)."""
        if self.store_root is None or not (self.store_root / "catalog.json").exists():
            return None
        from silkhub.data.store import AnalyticsStore

        store = AnalyticsStore(self.store_root)
        if not store.has(STORE_CHINA_TRADE):
            return None
        con = store.connect()
        try:
            df = con.execute(
                f"SELECT exporter, importer, sum(value_usd) AS trade FROM {STORE_CHINA_TRADE} "
                "WHERE year = ? AND product = 'TOTAL' AND (exporter = 'CHN' OR importer = 'CHN') "
                "GROUP BY ALL",
                [int(year)],
            ).df()
        finally:
            con.close()
        return df if len(df) else None

    def potential(
        self, reporter: str, year: int, partners: Sequence[str] | None = None
    ) -> tuple[pd.DataFrame, dict[str, Any]]:
        """Predicted vs actual trade (exports + imports) per partner, ranked by gap.

        Returns the table (``partner, predicted_usd, actual_usd, ratio, ratio_rel, gap_usd,
        rank``, plus the exports/imports split) and metadata (model, sources, notes).
        """
        reporter = reporter.upper()
        model = self.potential_model()
        rows, source = self._prediction_inputs(reporter, year)
        rows = rows.copy()
        rows["china_o"] = (rows["exporter"] == "CHN").astype(int)
        rows["china_d"] = (rows["importer"] == "CHN").astype(int)
        rows["predicted"] = predict_covariates(model, rows)
        rows["actual"] = rows["trade"]
        rows["flow"] = np.where(rows["exporter"] == reporter, "exports", "imports")
        wide = rows.pivot_table(
            index="partner",
            columns="flow",
            values=["predicted", "actual"],
            aggfunc="sum",
            dropna=False,
        )
        wide.columns = [f"{a}_{b}" for a, b in wide.columns]
        # a partner whose prediction is missing in either direction has no prediction
        pred_ok = rows.groupby("partner")["predicted"].apply(lambda s: s.notna().all())
        table = pd.DataFrame(index=wide.index)
        table["predicted_usd"] = (
            wide.get("predicted_exports", 0) + wide.get("predicted_imports", 0)
        ).where(pred_ok)
        table["actual_usd"] = wide.get("actual_exports", 0) + wide.get("actual_imports", 0)
        notes: list[str] = []
        if partners is not None:
            wanted = set(partners) - {reporter}
            absent = sorted(wanted - set(table.index))
            if absent:
                notes.append(f"no trade data for {len(absent)} partner(s): {', '.join(absent)}")
            table = table[table.index.isin(wanted)]
        missing = sorted(table.index[table["predicted_usd"].isna()])
        if missing:
            notes.append(f"no prediction (missing distance or GDP) for: {', '.join(missing)}")
        out = potential_table(table.reset_index())
        extra = wide.reindex(out["partner"]).reset_index(drop=True)
        for c in ("predicted_exports", "actual_exports", "predicted_imports", "actual_imports"):
            out[f"{c}_usd"] = extra[c].to_numpy() if c in extra.columns else np.nan
        meta = {
            "reporter": reporter,
            "year": year,
            "model": model.spec.name,
            "model_nobs": model.nobs,
            "actual_source": source,
            "notes": notes,
        }
        return out, meta

    def potential_by_section(
        self, reporter: str, year: int, partners: Sequence[str] | None = None
    ) -> tuple[pd.DataFrame, dict[str, Any]]:
        """Untapped potential per partner and HS section (in-sample), from product-level
        bilateral trade in the analytics store (``baci`` or ``comtrade``).

        For each HS section a cross-section PPML ``trade ~ log_dist + contig + comlang_off +
        colony | exporter + importer`` is fitted on all pairs of the countries in the data
        (absent flows count as zeros); predicted = fitted value, summed over both directions
        of the reporter's pairs. Needs CEPII distances (shared data).
        """
        reporter = reporter.upper()
        flows, dataset = self._store_products(year)
        if self.shared is None or not (self.shared / gd.CEPII_DIST).is_file():
            raise DataMissingError(
                "per-section potential needs CEPII distances (shared data, SILKHUB_SHARED_DATA)"
            )
        cepii = gd.load_cepii(self.shared)
        flows["section"] = flows["product"].map(hs_section)
        flows = flows[flows["section"].notna()]
        countries = sorted(set(flows["exporter"]) | set(flows["importer"]))
        if reporter not in countries:
            raise DataMissingError(f"{reporter} does not trade in {dataset} {year}")
        grid = pd.MultiIndex.from_product(
            [countries, countries], names=["exporter", "importer"]
        ).to_frame(index=False)
        grid = grid[grid["exporter"] != grid["importer"]]
        grid = gd.add_covariates(grid, cepii)
        grid["pair_id"] = gd._pair_id(grid)
        spec = GravitySpec(
            name="potential_section",
            dataset=dataset,
            formula="trade ~ log_dist + contig + comlang_off + colony | exporter + importer",
        )
        by_sec = flows.groupby(["section", "exporter", "importer"], as_index=False)[
            "value_usd"
        ].sum()
        out = []
        notes: list[str] = []
        for sec, part in by_sec.groupby("section", sort=False):
            frame = grid.merge(
                part.drop(columns="section"), on=["exporter", "importer"], how="left"
            )
            frame["trade"] = frame["value_usd"].fillna(0.0)
            mine = (frame["exporter"] == reporter) | (frame["importer"] == reporter)
            if frame.loc[mine, "trade"].sum() <= 0:
                continue
            try:
                res = fit_gravity(spec, frame, keep_fitted=True)
            except (GravitySpecError, GravityEstimationError) as exc:
                notes.append(f"section {sec}: not estimated ({exc.message})")
                continue
            fit = res.fitted
            if fit is None:
                continue
            fit = fit[(fit["exporter"] == reporter) | (fit["importer"] == reporter)].copy()
            fit["partner"] = np.where(fit["exporter"] == reporter, fit["importer"], fit["exporter"])
            agg = fit.groupby("partner", as_index=False).agg(
                predicted_usd=("fitted", lambda v: v.sum(min_count=1)),
                actual_usd=("trade", "sum"),
            )
            agg["section"] = sec
            out.append(agg)
        if not out:
            raise DataMissingError(f"no section of {dataset} {year} involves {reporter}")
        long = pd.concat(out, ignore_index=True)
        if partners is not None:
            long = long[long["partner"].isin(set(partners) - {reporter})]
        long["key"] = long["partner"] + "|" + long["section"]
        table = potential_table(long, partner="key")
        table[["partner", "section"]] = table["partner"].str.split("|", expand=True)
        table["section_title"] = table["section"].map(lambda s: HS_SECTIONS[s][2])
        cols = [
            "rank",
            "partner",
            "section",
            "section_title",
            "predicted_usd",
            "actual_usd",
            "ratio",
            "ratio_rel",
            "gap_usd",
        ]
        meta = {
            "reporter": reporter,
            "year": year,
            "model": "PPML per HS section, exporter and importer fixed effects (in-sample)",
            "model_nobs": len(grid),
            "actual_source": f"analytics store dataset {dataset}",
            "notes": notes,
        }
        return table[cols], meta

    def _store_products(self, year: int) -> tuple[pd.DataFrame, str]:
        if self.store_root is None or not (self.store_root / "catalog.json").exists():
            raise DataMissingError(
                "per-section potential needs product-level bilateral trade in the analytics "
                "store (e.g. `silkhub data import baci`)"
            )
        from silkhub.data.store import AnalyticsStore

        store = AnalyticsStore(self.store_root)
        name = next((n for n in preference("hs_sections") if store.has(n)), None)
        if name is None:
            raise DataMissingError(
                "per-section potential needs product-level bilateral trade in the analytics "
                "store (baci or comtrade; e.g. `silkhub data import baci`)"
            )
        con = store.connect()
        try:
            df = con.execute(
                f"SELECT exporter, importer, product, sum(value_usd) AS value_usd FROM {name} "
                "WHERE year = ? AND product <> 'TOTAL' GROUP BY ALL",
                [int(year)],
            ).df()
        finally:
            con.close()
        if df.empty:
            raise DataMissingError(f"{name} has no product-level flows for {year}")
        return df, name

    def targets(
        self,
        reporter: str,
        year: int,
        partners: Sequence[str] | None = None,
        weights: dict[str, float] | None = None,
    ) -> tuple[pd.DataFrame, dict[str, Any]]:
        """Complementarity-weighted target list: potential (gap) + TCI + RCA fit, parts shown."""
        table, meta = self.potential(reporter, year, partners)
        parts, source = self._complementarity(reporter, year, list(table["partner"]))
        if parts is None:
            meta["notes"].append(
                "complementarity and RCA fit need bilateral product-level trade in the "
                f"analytics store for {year} (e.g. `silkhub data import baci`); the score uses "
                "the potential part only" + (f" ({source})" if source else "")
            )
            table["complementarity"] = np.nan
            table["rca_fit"] = np.nan
        else:
            table = table.merge(parts, on="partner", how="left")
            meta["complementarity_source"] = f"analytics store dataset {source}"
        scored = target_scores(table, weights)
        return scored, meta

    def _complementarity(
        self, reporter: str, year: int, partners: list[str]
    ) -> tuple[pd.DataFrame | None, str]:
        """TCI and RCA fit per partner, or None and the reason.

        The dataset and year follow the one complementarity rule
        (:func:`silkhub.analytics.partners.complementarity_source`: the registry's preference,
        first dataset covering ``year``), and TCI is :func:`~silkhub.analytics.partners.
        complementarity_many`, so a target list shows the same TCI as
        ``indicators complementarity`` for the same pair and year. RCA fit = share of the
        partner's imports in products where the reporter has Balassa RCA > 1.
        """
        if self.store_root is None or not (self.store_root / "catalog.json").exists():
            return None, ""
        from silkhub.analytics import partners as partner_svc
        from silkhub.analytics.datasets import quote
        from silkhub.core.trade import balassa_rca
        from silkhub.data.store import AnalyticsStore
        from silkhub.errors import SilkhubError

        con = AnalyticsStore(self.store_root).connect()
        try:
            try:
                name, yr = partner_svc.complementarity_source(con, None, year)
            except SilkhubError as exc:
                return None, exc.message
            tci = partner_svc.complementarity_many(
                con, dataset=name, exporter=reporter, importers=partners, year=yr
            )
            exports = partner_svc.export_matrix_long(con, name, yr)
            imports = con.execute(
                f"SELECT importer, product, sum(value_usd) AS value_usd FROM {quote(name)} "
                "WHERE year = ? AND product <> 'TOTAL' GROUP BY ALL",
                [int(yr)],
            ).df()
        finally:
            con.close()
        rca = balassa_rca(exports)
        strong = set(rca[(rca["exporter"] == reporter) & (rca["rca"] > 1)]["product"])
        rows = []
        for p in partners:
            imp = imports[imports["importer"] == p].set_index("product")["value_usd"]
            fit = float(imp[imp.index.isin(strong)].sum() / imp.sum()) if imp.sum() > 0 else np.nan
            rows.append({"partner": p, "rca_fit": fit})
        out = pd.DataFrame(rows).merge(
            tci.rename(columns={"importer": "partner", "tci": "complementarity"})[
                ["partner", "complementarity"]
            ],
            on="partner",
            how="left",
        )
        return out[["partner", "complementarity", "rca_fit"]], f"{name} {yr}"


def packaged_snapshot() -> pd.DataFrame:
    """The China–B&R inputs shipped with silkhub (used when the shared data is absent)."""
    with resources.files(SPEC_PACKAGE).joinpath(SNAPSHOT_FILE).open("r", encoding="utf-8") as f:
        return pd.read_csv(f)


def joined_years(session: Any, group: str, years: Sequence[int]) -> dict[str, int]:
    """First year each country counts as a member of ``group`` (membership on 1 July of the
    year, so a year-precision signing counts from that year), over the years given."""
    from silkhub.data.reference.queries import member_iso3s

    first: dict[str, int] = {}
    for y in sorted(set(int(v) for v in years)):
        for iso3 in member_iso3s(session, group, date(y, 7, 1)):
            first.setdefault(iso3, y)
    return first


def _ident(s: str) -> str:
    out = "".join(ch if ch.isalnum() else "_" for ch in s.lower())
    if not out or out[0].isdigit():
        raise ValidationError(f"{s!r} cannot be used as a variable name", field="group")
    return out


def _json_default(v: Any) -> Any:
    if isinstance(v, np.integer | np.floating):
        return v.item()
    if isinstance(v, date | datetime):
        return v.isoformat()
    raise TypeError(f"not JSON serialisable: {type(v).__name__}")
