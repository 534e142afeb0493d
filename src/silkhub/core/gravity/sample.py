"""The estimation sample of a spec: derived variables, filters, rows with missing values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from silkhub.core.gravity.expressions import evaluate
from silkhub.core.gravity.specs import (
    FormulaParts,
    GravityEstimationError,
    GravitySpec,
    GravitySpecError,
    formula_variables,
)


@dataclass(frozen=True)
class PreparedSample:
    frame: pd.DataFrame
    parts: FormulaParts
    n_input: int
    n_filtered_out: int
    n_missing: int


def prepare_frame(spec: GravitySpec, data: pd.DataFrame) -> PreparedSample:
    """Derive variables, apply filters, drop rows with missing model variables.

    Raises
    ------
    GravitySpecError
        Unknown variable in the formula, a derive expression or a filter; a negative
        dependent variable under PPML.
    GravityEstimationError
        No observation left.
    """
    parts = formula_variables(spec.formula)
    frame = data.copy()
    n_input = len(frame)
    for name, expr in spec.derive:
        value = evaluate(expr, frame)
        frame[name] = value if isinstance(value, pd.Series) else pd.Series(value, frame.index)
    keep = pd.Series(True, index=frame.index)
    for f in spec.filters:
        cond = evaluate(f, frame)
        if not isinstance(cond, pd.Series):
            raise GravitySpecError(
                key="gravity.filter_constant", params={"filter": f}, field="filters"
            )
        keep &= cond.astype(bool)
    frame = frame[keep]
    n_filtered_out = n_input - len(frame)
    needed = list(parts.columns) + ([spec.cluster] if spec.cluster else [])
    missing = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if missing:
        shown = ", ".join(map(str, list(data.columns) + [n for n, _ in spec.derive]))
        raise GravitySpecError(
            key="gravity.unknown_variables",
            params={"variables": ", ".join(missing), "spec": spec.name, "available": shown},
            field=missing[0],
        )
    frame = frame[list(dict.fromkeys(needed))]
    numeric = [parts.depvar, *parts.regressors]
    for c in numeric:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise GravitySpecError(
                key="gravity.not_numeric",
                params={"variable": c, "dtype": str(frame[c].dtype)},
                field=c,
            )
    finite = np.isfinite(frame[numeric].to_numpy(dtype=float)).all(axis=1)
    finite &= (
        frame[list(parts.fe_columns) + ([spec.cluster] if spec.cluster else [])]
        .notna()
        .all(axis=1)
        .to_numpy()
    )
    n_missing = int((~finite).sum())
    frame = frame[finite]
    if frame.empty:
        raise GravityEstimationError(
            f"spec {spec.name!r}: no observation left after filters and missing values "
            f"({n_input} rows in, {n_filtered_out} filtered out, {n_missing} missing)"
        )
    if spec.estimator == "ppml" and (frame[parts.depvar] < 0).any():
        raise GravitySpecError(
            key="gravity.negative_depvar", params={"depvar": parts.depvar}, field=parts.depvar
        )
    return PreparedSample(frame.reset_index(drop=True), parts, n_input, n_filtered_out, n_missing)
