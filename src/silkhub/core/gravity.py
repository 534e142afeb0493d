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

This module is pure: no files, no database, no settings.
"""

from __future__ import annotations

import ast
import math
import re
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from silkhub.errors import SilkhubError, ValidationError

__all__ = [
    "Coefficient",
    "GravityEstimationError",
    "GravityResult",
    "GravitySpec",
    "GravitySpecError",
    "evaluate",
    "fit_gravity",
    "formula_variables",
    "percent_effect",
    "prepare_frame",
]

Estimator = Literal["ppml", "ols"]
SPEC_KEYS = (
    "name",
    "formula",
    "dataset",
    "estimator",
    "filters",
    "derive",
    "cluster",
    "description",
    "reference",
    "separation",
    "max_iterations",
    "tolerance",
    "published",
)
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class GravitySpecError(ValidationError):
    """A gravity spec that cannot be run as written (the message names the cause)."""

    code = "gravity-spec-error"
    title = "Invalid gravity model specification"


class GravityEstimationError(SilkhubError):
    """The estimation failed for a reason in the data (separation, no convergence ...)."""

    status = 422
    code = "gravity-estimation-error"
    title = "Gravity estimation failed"


# --------------------------------------------------------------------------------------------
# specs


@dataclass(frozen=True)
class GravitySpec:
    """A declarative gravity model.

    Attributes
    ----------
    name:
        Short identifier (letters, digits, ``_`` and ``-``).
    formula:
        ``depvar ~ x1 + x2 | fe1 + fe2^fe3`` (pyfixest syntax). Every term must be a column of
        the data or a ``derive`` name; transforms belong in ``derive``.
    dataset:
        Name of the dataset the service loads (e.g. ``agtpa_applications``).
    estimator:
        ``ppml`` (default) or ``ols`` (then the dependent variable is usually ``log_trade``).
    filters:
        Boolean expressions; a row is kept when all hold, e.g. ``exporter != importer``.
    derive:
        Ordered ``(name, expression)`` pairs evaluated before the filters, e.g.
        ``("log_dist", "log(dist)")``. See :func:`evaluate` for the expression language.
    cluster:
        Column whose values define clusters for the standard errors (``None`` = robust).
    separation:
        ``drop`` (default): observations separated by the fixed effects are dropped and
        counted in the result; ``error``: raise instead.
    published:
        Optional published coefficients ``{name: value}`` to compare against.
    """

    name: str
    formula: str
    dataset: str
    estimator: Estimator = "ppml"
    filters: tuple[str, ...] = ()
    derive: tuple[tuple[str, str], ...] = ()
    cluster: str | None = "pair_id"
    description: str = ""
    reference: str = ""
    separation: Literal["drop", "error"] = "drop"
    max_iterations: int = 100
    tolerance: float = 1e-8
    published: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name or not re.match(r"^[A-Za-z0-9_.-]{1,80}$", self.name):
            raise GravitySpecError(
                f"spec name {self.name!r} must be 1–80 letters, digits, '_', '-' or '.'",
                field="name",
            )
        if self.estimator not in ("ppml", "ols"):
            raise GravitySpecError(
                f"unknown estimator {self.estimator!r}; use ppml or ols", field="estimator"
            )
        if self.separation not in ("drop", "error"):
            raise GravitySpecError(
                f"separation must be 'drop' or 'error', not {self.separation!r}",
                field="separation",
            )
        if self.max_iterations < 1 or not (0 < self.tolerance < 1):
            raise GravitySpecError(
                "max_iterations must be >= 1 and 0 < tolerance < 1", field="max_iterations"
            )
        for n, _ in self.derive:
            if not _IDENT.match(n):
                raise GravitySpecError(f"derived variable name {n!r} is not an identifier")
        formula_variables(self.formula)  # syntax check

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> GravitySpec:
        """Build a spec from a parsed YAML/JSON mapping, rejecting unknown keys."""
        if not isinstance(data, Mapping):
            raise GravitySpecError("a gravity spec must be a mapping of keys to values")
        unknown = sorted(set(data) - set(SPEC_KEYS))
        if unknown:
            raise GravitySpecError(
                f"unknown spec key(s) {', '.join(unknown)}; valid keys: {', '.join(SPEC_KEYS)}",
                field=unknown[0],
            )
        for key in ("name", "formula", "dataset"):
            if not isinstance(data.get(key), str) or not data.get(key):
                raise GravitySpecError(f"spec key {key!r} is required (a string)", field=key)
        derive_in = data.get("derive") or []
        derive: list[tuple[str, str]] = []
        if isinstance(derive_in, Mapping):
            derive = [(str(k), str(v)) for k, v in derive_in.items()]
        elif isinstance(derive_in, list):
            for item in derive_in:
                if not isinstance(item, Mapping) or len(item) != 1:
                    raise GravitySpecError(
                        "each derive entry must be a one-key mapping 'name: expression'",
                        field="derive",
                    )
                ((k, v),) = item.items()
                derive.append((str(k), str(v)))
        else:
            raise GravitySpecError("derive must be a list of 'name: expression'", field="derive")
        filters = data.get("filters") or []
        if isinstance(filters, str):
            filters = [filters]
        published = data.get("published") or {}
        try:
            published = {str(k): float(v) for k, v in dict(published).items()}
        except (TypeError, ValueError):
            raise GravitySpecError(
                "published must map coefficient names to numbers", field="published"
            ) from None
        try:
            return cls(
                name=data["name"],
                formula=data["formula"],
                dataset=data["dataset"],
                estimator=data.get("estimator", "ppml"),
                filters=tuple(str(f) for f in filters),
                derive=tuple(derive),
                cluster=data.get("cluster", "pair_id"),
                description=str(data.get("description", "") or ""),
                reference=str(data.get("reference", "") or ""),
                separation=data.get("separation", "drop"),
                max_iterations=int(data.get("max_iterations", 100)),
                tolerance=float(data.get("tolerance", 1e-8)),
                published=published,
            )
        except (TypeError, ValueError) as exc:
            raise GravitySpecError(f"bad spec value: {exc}") from None

    def to_mapping(self) -> dict[str, Any]:
        """The spec as plain JSON/YAML-friendly data (inverse of :meth:`from_mapping`)."""
        return {
            "name": self.name,
            "formula": self.formula,
            "dataset": self.dataset,
            "estimator": self.estimator,
            "filters": list(self.filters),
            "derive": [{k: v} for k, v in self.derive],
            "cluster": self.cluster,
            "description": self.description,
            "reference": self.reference,
            "separation": self.separation,
            "max_iterations": self.max_iterations,
            "tolerance": self.tolerance,
            "published": dict(self.published),
        }

    def with_changes(self, **changes: Any) -> GravitySpec:
        """A copy with some fields replaced."""
        return replace(self, **changes)


@dataclass(frozen=True)
class FormulaParts:
    depvar: str
    regressors: tuple[str, ...]
    fixed_effects: tuple[str, ...]  # terms as written, e.g. "exporter^year"

    @property
    def fe_columns(self) -> tuple[str, ...]:
        cols: list[str] = []
        for term in self.fixed_effects:
            for c in term.split("^"):
                if c not in cols:
                    cols.append(c)
        return tuple(cols)

    @property
    def columns(self) -> tuple[str, ...]:
        out = [self.depvar, *self.regressors, *self.fe_columns]
        return tuple(dict.fromkeys(out))


def formula_variables(formula: str) -> FormulaParts:
    """Split ``y ~ x1 + x2 | fe1 + a^b`` into its parts, checking every term is a plain name.

    >>> formula_variables("trade ~ rta | exporter^year + pair_id").fe_columns
    ('exporter', 'year', 'pair_id')
    """
    if not isinstance(formula, str) or formula.count("~") != 1:
        raise GravitySpecError(
            f"formula {formula!r} must look like 'trade ~ x1 + x2 | fe1 + fe2'", field="formula"
        )
    lhs, rhs = (s.strip() for s in formula.split("~"))
    pieces = rhs.split("|")
    if len(pieces) > 2:
        raise GravitySpecError(
            "formula may have one '|' (regressors | fixed effects); IV parts are not supported",
            field="formula",
        )
    regs = [t.strip() for t in pieces[0].split("+") if t.strip()]
    fes = [t.strip() for t in pieces[1].split("+") if t.strip()] if len(pieces) == 2 else []
    if not _IDENT.match(lhs):
        raise GravitySpecError(
            f"dependent variable {lhs!r} must be a column name; define transforms under derive",
            field="formula",
        )
    regs = [r for r in regs if r not in ("0", "1")]
    for t in regs:
        if not _IDENT.match(t):
            raise GravitySpecError(
                f"formula term {t!r} is not a column name; define it under derive "
                "(e.g. 'log_dist: log(dist)') and use the name",
                field="formula",
            )
    for t in fes:
        if not all(_IDENT.match(p) for p in t.split("^")):
            raise GravitySpecError(
                f"fixed effect {t!r} must be a column or columns joined by ^ (exporter^year)",
                field="formula",
            )
    if not regs:
        raise GravitySpecError("formula has no regressors", field="formula")
    return FormulaParts(lhs, tuple(regs), tuple(fes))


# --------------------------------------------------------------------------------------------
# the small expression language for derive/filters

_FUNCS = ("log", "exp", "abs", "where", "concat", "group_sum", "group_max", "str")


def _group(values: pd.Series, by: list[pd.Series], how: str) -> pd.Series:
    key = pd.MultiIndex.from_arrays([b.to_numpy() for b in by]) if len(by) > 1 else by[0]
    frame = pd.DataFrame({"v": values.to_numpy(), "k": list(key) if len(by) > 1 else key})
    return pd.Series(
        frame.groupby("k")["v"].transform(how).to_numpy(), index=values.index, name=None
    )


class _Evaluator(ast.NodeVisitor):
    def __init__(self, frame: pd.DataFrame, expr: str) -> None:
        self.frame = frame
        self.expr = expr

    def fail(self, why: str) -> GravitySpecError:
        return GravitySpecError(f"expression {self.expr!r}: {why}", field="expression")

    def generic_visit(self, node: ast.AST) -> Any:
        raise self.fail(f"{type(node).__name__} is not allowed")

    def visit_Expression(self, node: ast.Expression) -> Any:
        return self.visit(node.body)

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in self.frame.columns:
            return self.frame[node.id]
        if node.id in ("True", "False"):
            return node.id == "True"
        shown = ", ".join(map(str, list(self.frame.columns)[:30]))
        raise GravitySpecError(
            f"unknown variable {node.id!r} in {self.expr!r}; available: {shown}", field=node.id
        )

    def visit_Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, int | float | str | bool):
            return node.value
        raise self.fail(f"constant {node.value!r} is not allowed")

    def visit_Tuple(self, node: ast.Tuple) -> Any:
        return [self.visit(e) for e in node.elts]

    visit_List = visit_Tuple

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        v = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return -v
        if isinstance(node.op, ast.UAdd):
            return v
        if isinstance(node.op, ast.Not):
            return ~v.astype(bool) if isinstance(v, pd.Series) else not v
        raise self.fail("unsupported unary operator")

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        a, b = _num(self.visit(node.left)), _num(self.visit(node.right))
        ops = {
            ast.Add: lambda: a + b,
            ast.Sub: lambda: a - b,
            ast.Mult: lambda: a * b,
            ast.Div: lambda: a / b,
            ast.Pow: lambda: a**b,
        }
        fn = ops.get(type(node.op))
        if fn is None:
            raise self.fail("only + - * / ** are allowed")
        return _num(fn())

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        vals = [_as_bool(self.visit(v)) for v in node.values]
        out = vals[0]
        for v in vals[1:]:
            out = (out & v) if isinstance(node.op, ast.And) else (out | v)
        return out

    def visit_Compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        out: Any = None
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = self.visit(comp)
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(right, list):
                    raise self.fail("'in' needs a list, e.g. year in (1986, 1990)")
                res = pd.Series(left).isin(right)
                res = ~res if isinstance(op, ast.NotIn) else res
            else:
                table = {
                    ast.Eq: lambda x, y: x == y,
                    ast.NotEq: lambda x, y: x != y,
                    ast.Lt: lambda x, y: x < y,
                    ast.LtE: lambda x, y: x <= y,
                    ast.Gt: lambda x, y: x > y,
                    ast.GtE: lambda x, y: x >= y,
                }
                res = table[type(op)](left, right)
            out = res if out is None else (out & res)
            left = right
        return out

    def visit_Call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS:
            raise self.fail(f"unknown function; allowed: {', '.join(_FUNCS)}")
        if node.keywords:
            raise self.fail("keyword arguments are not allowed")
        args = [self.visit(a) for a in node.args]
        name = node.func.id
        if name in ("log", "exp", "abs", "str") and len(args) != 1:
            raise self.fail(f"{name}() takes one argument")
        if name == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.log(_num(args[0]))
        if name == "exp":
            return np.exp(_num(args[0]))
        if name == "abs":
            return np.abs(_num(args[0]))
        if name == "str":
            return args[0].astype(str) if isinstance(args[0], pd.Series) else str(args[0])
        if name == "where":
            if len(args) != 3:
                raise self.fail("where(condition, if_true, if_false) takes three arguments")
            cond = _as_bool(args[0])
            a, b = args[1], args[2]
            idx = self.frame.index
            a = a if isinstance(a, pd.Series) else pd.Series(a, index=idx)
            b = b if isinstance(b, pd.Series) else pd.Series(b, index=idx)
            if a.dtype == object or b.dtype == object:
                return pd.Series(np.where(cond, a.astype(str), b.astype(str)), index=idx)
            return pd.Series(np.where(cond, a, b), index=idx)
        if name == "concat":
            if len(args) < 2:
                raise self.fail("concat(a, b, ...) needs at least two arguments")
            parts = [
                a.astype(str)
                if isinstance(a, pd.Series)
                else pd.Series(str(a), index=self.frame.index)
                for a in args
            ]
            out = parts[0]
            for p in parts[1:]:
                out = out + "_" + p
            return out
        # group_sum / group_max
        if len(args) < 2 or not all(isinstance(a, pd.Series) for a in args):
            raise self.fail(f"{name}(value, by, ...) needs a value column and group column(s)")
        return _group(_num(args[0]), list(args[1:]), "sum" if name == "group_sum" else "max")


def _num(v: Any) -> Any:
    if isinstance(v, pd.Series) and v.dtype == bool:
        return v.astype("int64")
    if isinstance(v, bool):
        return int(v)
    return v


def _as_bool(v: Any) -> Any:
    if isinstance(v, pd.Series):
        return v.astype(bool)
    return bool(v)


def evaluate(expression: str, frame: pd.DataFrame) -> Any:
    """Evaluate a small, safe expression over the columns of ``frame``.

    Allowed: column names, numbers and strings; ``+ - * / **``; comparisons (``==``, ``!=``,
    ``<`` ...; ``x in (1, 2)``); ``and``/``or``/``not``; functions ``log``, ``exp``, ``abs``,
    ``str``, ``where(cond, a, b)``, ``concat(a, b, ...)`` (joins with ``_``),
    ``group_sum(x, g, ...)`` and ``group_max(x, g, ...)`` (per-group totals, broadcast back).
    Booleans become 0/1 in arithmetic, so ``log_dist * (exporter != importer)`` works.

    Raises
    ------
    GravitySpecError
        Unknown variable (the message lists available columns), disallowed syntax.
    """
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise GravitySpecError(
            f"expression {expression!r} is not valid: {exc.msg}", field="expression"
        ) from None
    return _Evaluator(frame, expression).visit(tree)


# --------------------------------------------------------------------------------------------
# sample preparation


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
            raise GravitySpecError(f"filter {f!r} does not depend on any column", field="filters")
        keep &= cond.astype(bool)
    frame = frame[keep]
    n_filtered_out = n_input - len(frame)
    needed = list(parts.columns) + ([spec.cluster] if spec.cluster else [])
    missing = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if missing:
        shown = ", ".join(map(str, list(data.columns) + [n for n, _ in spec.derive]))
        raise GravitySpecError(
            f"unknown variable(s) {', '.join(missing)} in spec {spec.name!r}; available: {shown}",
            field=missing[0],
        )
    frame = frame[list(dict.fromkeys(needed))]
    numeric = [parts.depvar, *parts.regressors]
    for c in numeric:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise GravitySpecError(
                f"variable {c!r} is not numeric (dtype {frame[c].dtype}); fixed effects go "
                "after '|' in the formula",
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
            f"PPML needs a non-negative dependent variable; {parts.depvar!r} has negative values",
            field=parts.depvar,
        )
    return PreparedSample(frame.reset_index(drop=True), parts, n_input, n_filtered_out, n_missing)


# --------------------------------------------------------------------------------------------
# results


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
            f"no coefficient {name!r}; estimated: {', '.join(self.names())}", field="name"
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


# --------------------------------------------------------------------------------------------
# estimation


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
                f"regressor {c!r} is constant in the estimation sample "
                f"(value {frame[c].iloc[0]}); it cannot be estimated — check the filters",
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
                f"spec {spec.name!r}: the estimation failed: {str(exc).strip()[:300]}"
            ) from None
        caught = [str(w.message).strip() for w in wlist]
    elapsed = time.perf_counter() - t0
    collin = [str(v) for v in (getattr(model, "_collin_vars", None) or [])]
    if collin:
        raise GravitySpecError(
            f"spec {spec.name!r}: {', '.join(collin)} collinear with the fixed effects "
            f"({', '.join(parts.fixed_effects) or 'none'}) or other regressors; remove "
            + ("it" if len(collin) == 1 else "them")
            + " from the formula",
            field=collin[0],
        )
    n_sep = int(getattr(model, "n_separation_na", 0) or 0) if spec.estimator == "ppml" else 0
    if n_sep and spec.separation == "error":
        raise GravityEstimationError(
            f"spec {spec.name!r}: {n_sep} observations are perfectly separated (a fixed-effect "
            "group whose flows are all zero, e.g. an exporter-year without exports); drop them "
            "with a filter or set 'separation: drop'"
        )
    converged = bool(getattr(model, "convergence", True)) if spec.estimator == "ppml" else True
    if not converged:
        raise GravityEstimationError(
            f"spec {spec.name!r}: PPML did not converge in {spec.max_iterations} iterations "
            f"(tolerance {spec.tolerance:g}); raise max_iterations, rescale the dependent "
            "variable or check for separated fixed effects"
        )
    coefs = model.coef()
    ses = model.se()
    names = [str(n) for n in coefs.index]
    est = coefs.to_numpy(dtype=float)
    se = ses.to_numpy(dtype=float)
    if not np.all(np.isfinite(est)):
        raise GravityEstimationError(
            f"spec {spec.name!r}: non-finite coefficients; the model is not identified"
        )
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
    vc = np.asarray(model._vcov, dtype=float)
    n_fe = {t: int(frame.groupby(t.split("^"), observed=True).ngroups) for t in parts.fixed_effects}
    deviance = None
    pseudo = None
    if spec.estimator == "ppml":
        deviance = float(np.asarray(model.deviance).ravel()[0])
        pseudo = _maybe_float(getattr(model, "_pseudo_r2", None))
    else:
        pseudo = _maybe_float(getattr(model, "_r2", None))
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
        nobs=int(model._N),
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


# --------------------------------------------------------------------------------------------
# policy effects


def membership_dummy(
    frame: pd.DataFrame,
    joined_year: Mapping[str, int],
    *,
    hub: str | None = None,
    exporter: str = "exporter",
    importer: str = "importer",
    year: str = "year",
) -> pd.Series:
    """1 when a pair is "in" a group in that year, else 0 (intra-national rows are 0).

    ``joined_year`` maps ISO3 -> first year counted as a member. With ``hub`` (e.g. ``CHN`` for
    B&R cooperation documents, which are signed *with China*), a pair is treated when it joins
    the hub and a member from the member's joining year on; without a hub, when *both* sides
    are members (``year >= max(joined_i, joined_j)``), as for an RTA or SCO.

    Example: joined = {KAZ: 2014, PAK: 2015}, hub CHN -> CHN->KAZ 2013: 0, 2014: 1;
    KAZ->PAK: 0 (no hub). Without hub -> KAZ->PAK 2014: 0, 2015: 1.
    """
    big = 10**6
    jy_o = frame[exporter].map(joined_year).astype(float).fillna(big)
    jy_d = frame[importer].map(joined_year).astype(float).fillna(big)
    yr = frame[year].astype(float)
    if hub:
        start = np.where(frame[exporter] == hub, jy_d, np.where(frame[importer] == hub, jy_o, big))
    else:
        start = np.maximum(jy_o, jy_d)
    out = (yr >= start) & (frame[exporter] != frame[importer])
    return out.astype("int64")


def add_leads_lags(
    frame: pd.DataFrame,
    column: str,
    *,
    leads: Sequence[int] = (),
    lags: Sequence[int] = (),
    pair: Sequence[str] = ("exporter", "importer"),
    year: str = "year",
) -> tuple[pd.DataFrame, list[str]]:
    """Add ``{column}_lead{k}`` (the dummy k years ahead: anticipation) and ``{column}_lag{k}``
    (k years back: phasing-in) per pair, looked up by calendar year so gaps in the panel are
    safe; outside the panel the value is taken from the nearest known state (a dummy that is 1
    stays 1 later, 0 stays 0 earlier).

    Returns the frame and the new column names (leads first).
    """
    out = frame.copy()
    key = list(pair)
    lookup = out.set_index([*key, year])[column]
    lookup = lookup[~lookup.index.duplicated()]
    names: list[str] = []
    for sign, ks, suffix in ((+1, leads, "lead"), (-1, lags, "lag")):
        for k in ks:
            if k <= 0:
                raise GravitySpecError(f"{suffix}s must be positive years, not {k}", field=suffix)
            name = f"{column}_{suffix}{k}"
            target = out[year] + sign * k
            idx = pd.MultiIndex.from_arrays([*(out[c] for c in key), target])
            val = lookup.reindex(idx).to_numpy(dtype=float)
            missing = np.isnan(val)
            if missing.any():
                # beyond the panel: a lead takes the last known state, a lag is 0 before entry
                grp = out.groupby(key, sort=False)[column]
                fill = grp.transform("last") if sign > 0 else pd.Series(0, index=out.index)
                val[missing] = fill.to_numpy(dtype=float)[missing]
            out[name] = val.astype("int64")
            names.append(name)
    return out, names


@dataclass(frozen=True)
class PolicyEffect:
    """The total effect of joining a group, in log points and percent, with a sentence."""

    group: str
    terms: tuple[str, ...]
    beta: float
    std_error: float
    pct: float
    ci_low_pct: float
    ci_high_pct: float
    p_value: float
    anticipation: tuple[tuple[str, float, float], ...]
    summary: str


def policy_effect(
    result: GravityResult,
    group_label: str,
    terms: Sequence[str],
    leads: Sequence[str] = (),
    event: str = "signing",
) -> PolicyEffect:
    """Sum the treatment terms (contemporaneous + lags), convert to percent, and say it plainly.

    ``beta = sum_k b_k``, ``se = sqrt(1' V 1)``; effect ``100 (exp(beta) - 1)`` %, 95 % CI from
    ``beta ± 1.96 se``. Lead terms are reported separately (anticipation / reverse causality).
    """
    beta, se = result.combination(terms)
    pct, lo, hi = percent_effect(beta, se)
    p = float(2 * stats.norm.sf(abs(beta / se))) if se > 0 else float("nan")
    verb = "rose" if pct >= 0 else "fell"
    text = (
        f"Trade between {group_label} {verb} by {abs(pct):.1f} % "
        f"(95 % CI {lo:.1f} % to {hi:.1f} %) after {event}"
    )
    if len(terms) > 1:
        text += f", summing {' + '.join(terms)}"
    text += "."
    if lo <= 0 <= hi:
        text += " The change is not statistically different from zero at the 5 % level."
    ant = []
    for name in leads:
        c = result.coef(name)
        ant.append((name, c.estimate, c.p_value))
        if c.p_value < 0.05:
            text += (
                f" The lead {name} is significant ({c.estimate:+.3f}, p = {c.p_value:.3f}): "
                f"trade moved before {event} (anticipation or reverse causality)."
            )
    return PolicyEffect(
        group=group_label,
        terms=tuple(terms),
        beta=beta,
        std_error=se,
        pct=pct,
        ci_low_pct=lo,
        ci_high_pct=hi,
        p_value=p,
        anticipation=tuple(ant),
        summary=text,
    )
