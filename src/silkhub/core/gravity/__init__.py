"""Structural gravity: declarative model specs and PPML estimation with high-dimensional FE.

A :class:`GravitySpec` is *data*: a formula, the dataset it runs on, derived variables and row
filters. :func:`fit_gravity` turns a spec plus a DataFrame into a :class:`GravityResult`
(coefficients, clustered standard errors, sample size, convergence information).

The estimator is Poisson pseudo maximum likelihood (Santos Silva & Tenreyro 2006) as implemented
by :func:`pyfixest.fepois`::

    E[X_ij,t | ...] = exp(pi_i,t + chi_j,t + mu_ij + b' z_ij,t)

where ``pi_i,t`` (exporter-year), ``chi_j,t`` (importer-year) and ``mu_ij`` (pair) are fixed
effects written after ``|`` in the formula (``exporter^year`` is an interacted effect) and
``z_ij,t`` are covariates (log distance, contiguity, common language, colony, RTA dummies ...).
Intra-national flows (exporter == importer) are kept when the data has them; specs add the
international-border dummies they need with ``derive``.

Standard errors are clustered by ``cluster`` (the pair id by default) with the small-sample
factor ``G/(G-1)`` only, which is what Stata's ``ppml``/``ppmlhdfe`` print and what the
*Advanced Guide to Trade Policy Analysis* (Yotov et al. 2016) reports.

Expected failures raise :class:`GravitySpecError` (bad spec: unknown variable, unknown key,
bad expression, collinear regressor) or :class:`GravityEstimationError` (separation when the
spec forbids it, no convergence, empty sample); each message names the cause.

This package is pure: no files, no database, no settings.

The package is split by job: :mod:`.specs` (the spec, its formula, the errors),
:mod:`.expressions` (``derive``/``filters`` language), :mod:`.sample` (estimation sample),
:mod:`.estimation` (pyfixest, read through its public API), :mod:`.results`
(:class:`GravityResult`) and :mod:`.policy` (membership dummies, leads/lags, policy effects).
``from silkhub.core.gravity import ...`` keeps working for every public name.
"""

from __future__ import annotations

from silkhub.core.gravity.estimation import fit_gravity, predict_covariates
from silkhub.core.gravity.expressions import evaluate
from silkhub.core.gravity.policy import (
    PolicyEffect,
    add_leads_lags,
    membership_dummy,
    policy_effect,
)
from silkhub.core.gravity.results import Coefficient, GravityResult, percent_effect
from silkhub.core.gravity.sample import PreparedSample, prepare_frame
from silkhub.core.gravity.specs import (
    SPEC_KEYS,
    Estimator,
    FormulaParts,
    GravityEstimationError,
    GravitySpec,
    GravitySpecError,
    formula_variables,
)

__all__ = [
    "SPEC_KEYS",
    "Coefficient",
    "Estimator",
    "FormulaParts",
    "GravityEstimationError",
    "GravityResult",
    "GravitySpec",
    "GravitySpecError",
    "PolicyEffect",
    "PreparedSample",
    "add_leads_lags",
    "evaluate",
    "fit_gravity",
    "formula_variables",
    "membership_dummy",
    "percent_effect",
    "policy_effect",
    "predict_covariates",
    "prepare_frame",
]
