"""Gravity model specs: the declarative :class:`GravitySpec`, its formula and the errors.

A spec is *data* (formula, dataset, derived variables, filters, clustering, estimator options);
:func:`formula_variables` splits its formula into dependent variable, regressors and fixed
effects. Pure: no files, no database, no settings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from silkhub.errors import SilkhubError, ValidationError

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
                key="gravity.bad_spec_name", params={"name": self.name}, field="name"
            )
        if self.estimator not in ("ppml", "ols"):
            raise GravitySpecError(
                key="gravity.unknown_estimator",
                params={"estimator": self.estimator},
                field="estimator",
            )
        if self.separation not in ("drop", "error"):
            raise GravitySpecError(
                key="gravity.bad_separation", params={"value": self.separation}, field="separation"
            )
        if self.max_iterations < 1 or not (0 < self.tolerance < 1):
            raise GravitySpecError(key="gravity.bad_iterations", field="max_iterations")
        for n, _ in self.derive:
            if not _IDENT.match(n):
                raise GravitySpecError(
                    key="gravity.bad_derived_name", params={"name": n}, field="derive"
                )
        formula_variables(self.formula)  # syntax check

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> GravitySpec:
        """Build a spec from a parsed YAML/JSON mapping, rejecting unknown keys."""
        if not isinstance(data, Mapping):
            raise GravitySpecError(key="gravity.spec_not_mapping")
        unknown = sorted(set(data) - set(SPEC_KEYS))
        if unknown:
            raise GravitySpecError(
                key="gravity.unknown_keys",
                params={"keys": ", ".join(unknown), "valid": ", ".join(SPEC_KEYS)},
                field=unknown[0],
            )
        for key in ("name", "formula", "dataset"):
            if not isinstance(data.get(key), str) or not data.get(key):
                raise GravitySpecError(key="gravity.key_required", params={"name": key}, field=key)
        derive_in = data.get("derive") or []
        derive: list[tuple[str, str]] = []
        if isinstance(derive_in, Mapping):
            derive = [(str(k), str(v)) for k, v in derive_in.items()]
        elif isinstance(derive_in, list):
            for item in derive_in:
                if not isinstance(item, Mapping) or len(item) != 1:
                    raise GravitySpecError(key="gravity.derive_entry", field="derive")
                ((k, v),) = item.items()
                derive.append((str(k), str(v)))
        else:
            raise GravitySpecError(key="gravity.derive_list", field="derive")
        filters = data.get("filters") or []
        if isinstance(filters, str):
            filters = [filters]
        published = data.get("published") or {}
        try:
            published = {str(k): float(v) for k, v in dict(published).items()}
        except (TypeError, ValueError):
            raise GravitySpecError(key="gravity.published_numbers", field="published") from None
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
            raise GravitySpecError(key="gravity.bad_value", params={"reason": str(exc)}) from None

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
            key="gravity.formula_shape", params={"formula": formula}, field="formula"
        )
    lhs, rhs = (s.strip() for s in formula.split("~"))
    pieces = rhs.split("|")
    if len(pieces) > 2:
        raise GravitySpecError(key="gravity.formula_one_bar", field="formula")
    regs = [t.strip() for t in pieces[0].split("+") if t.strip()]
    fes = [t.strip() for t in pieces[1].split("+") if t.strip()] if len(pieces) == 2 else []
    if not _IDENT.match(lhs):
        raise GravitySpecError(
            key="gravity.depvar_not_column", params={"depvar": lhs}, field="formula"
        )
    regs = [r for r in regs if r not in ("0", "1")]
    for t in regs:
        if not _IDENT.match(t):
            raise GravitySpecError(
                key="gravity.term_not_column", params={"term": t}, field="formula"
            )
    for t in fes:
        if not all(_IDENT.match(p) for p in t.split("^")):
            raise GravitySpecError(
                key="gravity.bad_fixed_effect", params={"term": t}, field="formula"
            )
    if not regs:
        raise GravitySpecError(key="gravity.no_regressors", field="formula")
    return FormulaParts(lhs, tuple(regs), tuple(fes))
