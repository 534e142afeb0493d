"""Gravity specs on disk and the run store.

Specs are YAML files (a path, or the name of one shipped in ``silkhub/analytics/gravity_specs``).
Runs are stored under ``settings.analytics_dir / "gravity"``::

    runs/<run_id>/result.json          spec, coefficients, vcov, sample sizes, convergence
    runs/<run_id>/coefficients.parquet the coefficient table (for DuckDB / pandas)

A run directory is written to a temporary name and renamed into place, so a crash never leaves
a half-written run. ``run_id`` = ``<spec name>-<UTC timestamp>-<6 hex of the spec hash>``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from silkhub.core.gravity import GravityResult, GravitySpec, GravitySpecError
from silkhub.errors import NotFoundError

logger = logging.getLogger(__name__)

SPEC_PACKAGE = "silkhub.analytics.gravity_specs"
_RUN_ID = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")


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
                key="gravity.spec_not_found",
                params={"source": str(source), "name": name, "specs": ", ".join(packaged_specs())},
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
        raise GravitySpecError(
            key="gravity.not_yaml",
            params={"where": f"{where}{loc}", "error": exc.__class__.__name__},
        ) from None
    if not isinstance(data, dict):
        raise GravitySpecError(key="gravity.yaml_not_mapping", params={"where": where})
    try:
        return GravitySpec.from_mapping(data)
    except GravitySpecError as exc:
        # the same key and params (each interface translates them); English names the file
        raise GravitySpecError(
            f"{where}: {exc.message}",
            key=exc.key,
            params={**exc.params, "where": where},
            field=exc.field,
        ) from None


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

    def record(self) -> dict[str, Any]:
        """The run as every interface shows it: the result's fields (without the covariance
        matrix), the spec as a mapping, coefficient rows, id, creation time and policy effect."""
        d = self.result.to_dict()
        d.pop("vcov", None)
        d["coefficients"] = self.coefficient_rows()
        d.update(
            run_id=self.run_id,
            created=self.created,
            policy_effect=self.extra.get("policy_effect"),
        )
        return d

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


class RunStore:
    """Stored gravity runs under ``root / "runs"`` (written atomically, read newest first)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    def save(self, run: Run) -> None:
        """Write ``run`` (its id gets a suffix when one of the same second exists)."""
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
        if known:
            raise NotFoundError(
                key="gravity.run_not_found", params={"run": run_id, "runs": ", ".join(known)}
            )
        raise NotFoundError(key="gravity.no_runs", params={"run": run_id})


def _json_default(v: Any) -> Any:
    if isinstance(v, np.integer | np.floating):
        return v.item()
    if isinstance(v, date | datetime):
        return v.isoformat()
    raise TypeError(f"not JSON serialisable: {type(v).__name__}")
