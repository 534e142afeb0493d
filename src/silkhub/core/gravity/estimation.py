"""PPML / OLS estimation of a spec with pyfixest, read through pyfixest's public API.

:func:`fit_gravity` prepares the sample, calls :func:`pyfixest.fepois` (or ``feols``) and builds
a :class:`~silkhub.core.gravity.results.GravityResult` from the model's public accessors only
(:func:`_read_model`): ``coef()``, ``se()``, ``wald_test()`` (covariances), ``resid()`` (sample
size), ``predict()`` (fit statistics), ``deviance``, ``convergence``, ``n_separation_na``.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from silkhub.core.gravity.results import Coefficient, GravityResult
from silkhub.core.gravity.sample import prepare_frame
from silkhub.core.gravity.specs import (
    GravityEstimationError,
    GravitySpec,
    GravitySpecError,
    formula_variables,
)


def fit_gravity(
    spec: GravitySpec, data: pd.DataFrame, *, keep_fitted: bool = False
) -> GravityResult:
    """Estimate ``spec`` on ``data`` (PPML via ``pyfixest.fepois`` or OLS via ``feols``).

    Parameters
    ----------
    spec:
        The model.
    data:
        The dataset named by ``spec.dataset`` (this function trusts the caller on that).
    keep_fitted:
        Also return in-sample fitted values (``result.fitted``: the model's columns plus
        ``fitted``; NaN for rows dropped by separation).

    Returns
    -------
    GravityResult
        Coefficients with standard errors clustered by ``spec.cluster`` (factor ``G/(G-1)``),
        sample sizes at every step, separated observations, FE counts and convergence.

    Raises
    ------
    GravitySpecError
        Unknown variable; a regressor collinear with the fixed effects or other regressors.
    GravityEstimationError
        Separation when ``spec.separation == 'error'``; no convergence; empty sample.
    """
    import pyfixest as pf

    sample = prepare_frame(spec, data)
    parts = sample.parts
    frame = sample.frame
    for c in parts.regressors:
        if frame[c].nunique(dropna=True) <= 1:
            raise GravitySpecError(
                key="gravity.constant_regressor",
                params={"regressor": c, "value": frame[c].iloc[0]},
                field=c,
            )
    fml = f"{parts.depvar} ~ {' + '.join(parts.regressors)}"
    if parts.fixed_effects:
        fml += " | " + " + ".join(parts.fixed_effects)
    vcov: Any = {"CRV1": spec.cluster} if spec.cluster else "hetero"
    ssc = pf.ssc(k_adj=False, G_adj=True)
    t0 = time.perf_counter()
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as wlist:
        warnings.simplefilter("always")
        try:
            if spec.estimator == "ppml":
                model = pf.fepois(
                    fml,
                    data=frame,
                    vcov=vcov,
                    ssc=ssc,
                    iwls_tol=spec.tolerance,
                    iwls_maxiter=spec.max_iterations,
                    separation_check=["fe"],
                    copy_data=False,
                    store_data=True,
                )
            else:
                model = pf.feols(fml, data=frame, vcov=vcov, ssc=ssc, copy_data=False)
        except (ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
            raise GravityEstimationError(
                key="gravity.estimation_failed",
                params={"spec": spec.name, "reason": str(exc).strip()[:300]},
            ) from None
        caught = [str(w.message).strip() for w in wlist]
    elapsed = time.perf_counter() - t0
    read = _read_model(model, spec.estimator)
    # pyfixest drops a regressor collinear with the FE or others from coef(): name the missing
    collin = [c for c in parts.regressors if c not in read.names]
    if collin:
        raise GravitySpecError(
            key="gravity.collinear",
            params={
                "spec": spec.name,
                "regressors": ", ".join(collin),
                "fixed_effects": ", ".join(parts.fixed_effects) or "none",
            },
            field=collin[0],
        )
    n_sep = int(getattr(model, "n_separation_na", 0) or 0) if spec.estimator == "ppml" else 0
    if n_sep and spec.separation == "error":
        raise GravityEstimationError(
            key="gravity.separated", params={"spec": spec.name, "n": n_sep}
        )
    converged = bool(getattr(model, "convergence", True)) if spec.estimator == "ppml" else True
    if not converged:
        raise GravityEstimationError(
            key="gravity.not_converged",
            params={
                "spec": spec.name,
                "iterations": spec.max_iterations,
                "tolerance": f"{spec.tolerance:g}",
            },
        )
    names, est, se = read.names, read.estimates, read.std_errors
    if not np.all(np.isfinite(est)):
        raise GravityEstimationError(key="gravity.not_identified", params={"spec": spec.name})
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = est / se
    pval = 2 * stats.norm.sf(np.abs(zval))
    zc = float(stats.norm.ppf(0.975))
    coefficients = [
        Coefficient(
            name=n,
            estimate=float(b),
            std_error=float(s),
            z=float(t),
            p_value=float(p),
            ci_low=float(b - zc * s),
            ci_high=float(b + zc * s),
        )
        for n, b, s, t, p in zip(names, est, se, zval, pval, strict=True)
    ]
    vc = read.vcov
    n_fe = {t: int(frame.groupby(t.split("^"), observed=True).ngroups) for t in parts.fixed_effects}
    deviance, pseudo = read.deviance, read.fit_r2
    notes = [c for c in caught if "separation" not in c.lower()][:5]
    if n_sep:
        notes.insert(0, f"{n_sep} observations dropped because of separation")
    n_clusters = int(frame[spec.cluster].nunique()) if spec.cluster else None
    fitted = None
    if keep_fitted:
        fitted = frame.copy()
        try:
            fitted["fitted"] = np.asarray(model.predict(newdata=frame, type="response"), float)
        except (ValueError, KeyError, TypeError):
            fitted["fitted"] = np.nan
    return GravityResult(
        spec=spec,
        coefficients=coefficients,
        vcov=vc.tolist(),
        nobs=read.nobs,
        n_input=sample.n_input,
        n_filtered_out=sample.n_filtered_out,
        n_missing=sample.n_missing,
        n_separated=n_sep,
        n_fixed_effects=n_fe,
        converged=converged,
        deviance=deviance,
        pseudo_r2=pseudo,
        elapsed_s=round(elapsed, 4),
        se_type=f"clustered by {spec.cluster}" if spec.cluster else "heteroskedasticity-robust",
        n_clusters=n_clusters,
        notes=notes,
        fitted=fitted,
    )


@dataclass(frozen=True)
class _ModelRead:
    """What silkhub keeps of a fitted pyfixest model, read through its public API."""

    names: list[str]
    estimates: np.ndarray
    std_errors: np.ndarray
    vcov: np.ndarray
    nobs: int
    deviance: float | None
    fit_r2: float | None


def _read_model(model: Any, estimator: str) -> _ModelRead:
    """Coefficients, covariance matrix, sample size and fit of a pyfixest model, from its
    public methods only.

    * ``coef()`` / ``se()``: estimates and standard errors (the diagonal ``V_kk = se_k^2``);
    * off-diagonal covariances from ``wald_test``: for ``R = e_i + e_j`` and ``q = R b - 1`` the
      Wald statistic is ``W = (Rb - q)^2 / (R V R') = 1 / Var(b_i + b_j)``, so
      ``V_ij = (1/W - V_ii - V_jj) / 2`` (the same V and small-sample factor as ``se()``);
    * ``nobs`` = the number of residuals (``resid()``: the estimation sample after separation);
    * PPML: ``deviance`` and the pseudo-R² ``1 - ll / ll_0`` (Poisson log-likelihood of the
      fitted means ``predict(type='response')`` against that of the sample mean), as pyfixest
      and Stata's ``ppmlhdfe`` report it; OLS: ``R² = 1 - sum u² / sum (y - ȳ)²``.
    """
    coefs = model.coef()
    names = [str(n) for n in coefs.index]
    est = coefs.to_numpy(dtype=float)
    se = model.se().to_numpy(dtype=float)
    k = len(names)
    vcov = np.diag(se**2)
    for i in range(k):
        for j in range(i + 1, k):
            r = np.zeros((1, k))
            r[0, i] = r[0, j] = 1.0
            q = np.array([float((r @ est)[0]) - 1.0])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = model.wald_test(R=r, q=q, distribution="chi2")
            w = float(np.asarray(res["statistic"]).ravel()[0])
            var = 1.0 / w if w > 0 else np.nan
            vcov[i, j] = vcov[j, i] = (var - vcov[i, i] - vcov[j, j]) / 2.0
    ppml = estimator == "ppml"
    resid = np.asarray(model.resid(type="response") if ppml else model.resid(), dtype=float)
    nobs = int(resid.size)
    deviance = _maybe_float(np.asarray(model.deviance).ravel()[0]) if ppml else None
    fit_r2: float | None = None
    try:
        yhat = np.asarray(model.predict(type="response") if ppml else model.predict(), float)
    except (ValueError, KeyError, TypeError):
        yhat = np.array([])
    if yhat.size == nobs and nobs > 0:
        y = yhat + resid
        if ppml:
            mu = float(y.mean())
            with np.errstate(divide="ignore", invalid="ignore"):
                ll = float(np.sum(y * np.log(yhat) - yhat - special.gammaln(y + 1)))
                ll0 = float(np.sum(y * np.log(mu) - mu - special.gammaln(y + 1)))
            fit_r2 = _maybe_float(1.0 - ll / ll0) if ll0 else None
        else:
            ssy = float(np.sum((y - y.mean()) ** 2))
            fit_r2 = _maybe_float(1.0 - float(np.sum(resid**2)) / ssy) if ssy else None
    return _ModelRead(names, est, se, vcov, nobs, deviance, fit_r2)


def _maybe_float(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def predict_covariates(result: GravityResult, frame: pd.DataFrame) -> pd.Series:
    """Fitted PPML mean ``exp(b0 + sum_k b_k x_k)`` for a model *without* fixed effects.

    Used to project trade to new covariate values (e.g. a later year's GDPs).
    """
    parts = formula_variables(result.spec.formula)
    if parts.fixed_effects:
        raise GravitySpecError(
            "prediction to new data needs a model without fixed effects", field="formula"
        )
    eta = pd.Series(0.0, index=frame.index)
    for c in result.coefficients:
        if c.name == "Intercept":
            eta = eta + c.estimate
            continue
        if c.name not in frame.columns:
            raise GravitySpecError(f"prediction data lacks column {c.name!r}", field=c.name)
        eta = eta + c.estimate * frame[c.name].astype(float)
    return np.exp(eta) if result.spec.estimator == "ppml" else eta
