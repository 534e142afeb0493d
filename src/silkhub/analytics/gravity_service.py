"""Gravity services: run specs and keep their results, policy effects, untapped potential.

The service is split by job: spec files and the run store live in
:mod:`silkhub.analytics.gravity_runs`, potential and target lists in
:mod:`silkhub.analytics.gravity_potential` (mixed in), input data in
:mod:`silkhub.analytics.gravity_data`; this module holds :class:`GravityService` (fit, runs,
policy effects) and keeps every public name importable from here.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from silkhub.analytics import gravity_data as gd
from silkhub.analytics.gravity_potential import (
    COEF_FILE,
    POTENTIAL_SPEC,
    SNAPSHOT_FILE,
    STORE_CHINA_TRADE,
    PotentialMixin,
    packaged_snapshot,
)
from silkhub.analytics.gravity_runs import (
    SPEC_PACKAGE,
    Run,
    RunStore,
    RunSummary,
    load_spec,
    packaged_specs,
    parse_spec,
)
from silkhub.core.gravity import (
    GravitySpec,
    PolicyEffect,
    add_leads_lags,
    fit_gravity,
    membership_dummy,
    policy_effect,
)
from silkhub.errors import DataMissingError, ValidationError

logger = logging.getLogger(__name__)

__all__ = [
    "COEF_FILE",
    "HUB_GROUPS",
    "POTENTIAL_SPEC",
    "SNAPSHOT_FILE",
    "SPEC_PACKAGE",
    "STORE_CHINA_TRADE",
    "GravityService",
    "Run",
    "RunSummary",
    "group_partners",
    "joined_years",
    "load_spec",
    "packaged_snapshot",
    "packaged_specs",
    "parse_spec",
    "reporter_iso3",
]

#: groups whose agreements are signed with China (a pair is China + member)
HUB_GROUPS = {"bri": "CHN"}


class GravityService(PotentialMixin):
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
        self.runs = RunStore(self.root)

    @property
    def runs_dir(self) -> Path:
        return self.runs.runs_dir

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
            self.runs.save(run)
        return run

    # -- reading -------------------------------------------------------------------------
    def list_runs(self, spec: str | None = None) -> list[RunSummary]:
        """Stored runs, newest first (optionally only of one spec)."""
        return self.runs.list_runs(spec)

    def get_run(self, run_id: str) -> Run:
        """A stored run by id, or the latest run of a spec (NotFoundError names known runs)."""
        return self.runs.get_run(run_id)

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
                key="gravity.no_status_change", params={"dataset": dataset, "group": group}
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
            self.runs.save(run)
        return eff, run


def reporter_iso3(code: str) -> str:
    """ISO3 of a reporter given as a code or name (UnknownCountryError with suggestions)."""
    from silkhub.data.reference.names import suggest, to_iso3
    from silkhub.errors import UnknownCountryError

    iso3 = to_iso3(code)
    if iso3 is None:
        raise UnknownCountryError(code, suggest(code))
    return iso3


def group_partners(session: Any, group: str | None, year: int) -> list[str] | None:
    """Members of ``group`` on 31 December of ``year`` (None = every partner); an unknown group
    raises the reference data's error. The one rule for API, CLI and web partner lists."""
    if group is None:
        return None
    from silkhub.data.reference.queries import check_group, member_iso3s

    check_group(session, group)
    return member_iso3s(session, group, date(year, 12, 31))


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
        raise ValidationError(key="gravity.bad_identifier", params={"name": s}, field="group")
    return out
