"""Untapped trade potential and the complementarity-weighted target list (gravity service).

Untapped potential (see ``docs/decisions.md`` § Gravity for the method and its limits):
a cross-section PPML fitted on WITS 2009 bilateral totals with GDPs and CEPII covariates
(spec ``potential_wits2009``) predicts trade between a reporter and each partner from the
target year's GDPs; actual trade comes from the China–B&R series (2013–2019) or WITS (2009).
Without the shared data, a packaged snapshot (coefficients + China–B&R inputs) is used.

:class:`PotentialMixin` is mixed into :class:`silkhub.analytics.gravity_service.GravityService`
(it uses the service's ``shared``, ``store_root``, ``fit``, ``list_runs`` and ``get_run``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from silkhub.analytics import gravity_data as gd
from silkhub.analytics.gravity_runs import SPEC_PACKAGE, load_spec
from silkhub.core.gravity import (
    GravityEstimationError,
    GravityResult,
    GravitySpec,
    GravitySpecError,
    fit_gravity,
    predict_covariates,
)
from silkhub.core.potential import HS_SECTIONS, hs_section, potential_table, target_scores
from silkhub.data.registry import preference
from silkhub.errors import DataMissingError

if TYPE_CHECKING:
    from silkhub.analytics.gravity_runs import Run, RunSummary

POTENTIAL_SPEC = "potential_wits2009"
SNAPSHOT_FILE = "china_br65_inputs.csv"
COEF_FILE = "potential_wits2009.coefficients.json"
STORE_CHINA_TRADE = "china_br65_trade"


class PotentialMixin:
    """Potential, per-section potential and target lists (see the module docstring)."""

    shared: Path | None
    store_root: Path | None

    if TYPE_CHECKING:

        def fit(
            self,
            spec: GravitySpec,
            data: pd.DataFrame | None = None,
            *,
            save: bool = True,
            **extra: Any,
        ) -> Run: ...

        def list_runs(self, spec: str | None = None) -> list[RunSummary]: ...

        def get_run(self, run_id: str) -> Run: ...

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
                key="gravity.no_actual_trade", params={"reporter": reporter, "year": year}
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
            raise DataMissingError(key="gravity.no_china_br_trade", params={"year": year})
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
            raise DataMissingError(key="gravity.gdp_needed")
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
            raise DataMissingError(key="gravity.cepii_needed")
        cepii = gd.load_cepii(self.shared)
        flows["section"] = flows["product"].map(hs_section)
        flows = flows[flows["section"].notna()]
        countries = sorted(set(flows["exporter"]) | set(flows["importer"]))
        if reporter not in countries:
            raise DataMissingError(
                key="gravity.no_reporter_trade",
                params={"reporter": reporter, "dataset": dataset, "year": year},
            )
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
            raise DataMissingError(
                key="gravity.no_section",
                params={"reporter": reporter, "dataset": dataset, "year": year},
            )
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
                key="gravity.sections_need_products",
                params={"datasets": " / ".join(preference("hs_sections"))},
            )
        from silkhub.data.store import AnalyticsStore

        store = AnalyticsStore(self.store_root)
        name = next((n for n in preference("hs_sections") if store.has(n)), None)
        if name is None:
            raise DataMissingError(
                key="gravity.sections_need_products",
                params={"datasets": " / ".join(preference("hs_sections"))},
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
            raise DataMissingError(
                key="gravity.no_product_flows", params={"dataset": name, "year": year}
            )
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
