"""Results of a gravity estimation: coefficients, the covariance matrix, sample sizes, fit.

:class:`GravityResult` is what every interface shows and what the run store keeps (JSON via
:meth:`GravityResult.to_dict` / :meth:`GravityResult.from_dict`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from silkhub.core.gravity.specs import GravitySpec, GravitySpecError


@dataclass(frozen=True)
class Coefficient:
    """One estimated coefficient with its (clustered) standard error and 95 % interval."""

    name: str
    estimate: float
    std_error: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float


@dataclass
class GravityResult:
    """An estimated gravity model with everything needed to reproduce and judge it."""

    spec: GravitySpec
    coefficients: list[Coefficient]
    vcov: list[list[float]]
    nobs: int
    n_input: int
    n_filtered_out: int
    n_missing: int
    n_separated: int
    n_fixed_effects: dict[str, int]
    converged: bool
    deviance: float | None
    pseudo_r2: float | None
    elapsed_s: float
    se_type: str
    n_clusters: int | None = None
    notes: list[str] = field(default_factory=list)
    #: in-sample fitted values (PPML: expected trade) aligned with the input rows that survived
    #: filters and missing values; only with ``fit_gravity(..., keep_fitted=True)``; not stored
    fitted: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def names(self) -> list[str]:
        return [c.name for c in self.coefficients]

    def coef(self, name: str) -> Coefficient:
        """The coefficient called ``name`` (GravitySpecError lists the names if unknown)."""
        for c in self.coefficients:
            if c.name == name:
                return c
        raise GravitySpecError(
            key="gravity.no_coefficient",
            params={"name": name, "names": ", ".join(self.names())},
            field="name",
        )

    def combination(self, names: Sequence[str]) -> tuple[float, float]:
        """Sum of coefficients and its standard error ``sqrt(1' V 1)`` over ``names``.

        Used for total RTA effects over leads/lags (e.g. rta + rta_lag4 + rta_lag8).
        """
        idx = [self.names().index(self.coef(n).name) for n in names]
        v = np.asarray(self.vcov, dtype=float)[np.ix_(idx, idx)]
        total = float(sum(self.coefficients[i].estimate for i in idx))
        return total, float(math.sqrt(max(float(v.sum()), 0.0)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly representation (inverse of :meth:`from_dict`)."""
        return {
            "spec": self.spec.to_mapping(),
            "coefficients": [c.__dict__ for c in self.coefficients],
            "vcov": self.vcov,
            "nobs": self.nobs,
            "n_input": self.n_input,
            "n_filtered_out": self.n_filtered_out,
            "n_missing": self.n_missing,
            "n_separated": self.n_separated,
            "n_fixed_effects": self.n_fixed_effects,
            "converged": self.converged,
            "deviance": self.deviance,
            "pseudo_r2": self.pseudo_r2,
            "elapsed_s": self.elapsed_s,
            "se_type": self.se_type,
            "n_clusters": self.n_clusters,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GravityResult:
        return cls(
            spec=GravitySpec.from_mapping(d["spec"]),
            coefficients=[Coefficient(**c) for c in d["coefficients"]],
            vcov=[list(map(float, r)) for r in d["vcov"]],
            nobs=int(d["nobs"]),
            n_input=int(d["n_input"]),
            n_filtered_out=int(d["n_filtered_out"]),
            n_missing=int(d["n_missing"]),
            n_separated=int(d["n_separated"]),
            n_fixed_effects={k: int(v) for k, v in d["n_fixed_effects"].items()},
            converged=bool(d["converged"]),
            deviance=d.get("deviance"),
            pseudo_r2=d.get("pseudo_r2"),
            elapsed_s=float(d["elapsed_s"]),
            se_type=str(d["se_type"]),
            n_clusters=d.get("n_clusters"),
            notes=list(d.get("notes", [])),
        )


def percent_effect(beta: float, se: float, level: float = 0.95) -> tuple[float, float, float]:
    """Trade effect of a dummy in percent with its confidence interval.

    ``effect = 100 * (exp(beta) - 1)``; the interval maps ``beta ± z * se`` the same way
    (so it is asymmetric around the effect).

    Example: beta = 0.5, se = 0.1 -> 100*(e^0.5 - 1) = 64.87 %, 95 % CI
    100*(e^(0.5-1.96*0.1) - 1) = 35.53 % to 100*(e^(0.5+1.96*0.1) - 1) = 100.57 %.
    """
    z = float(stats.norm.ppf(0.5 + level / 2))
    return (
        100.0 * math.expm1(beta),
        100.0 * math.expm1(beta - z * se),
        100.0 * math.expm1(beta + z * se),
    )
