"""Unit tests of silkhub.core.gravity on tiny hand-made panels (no shared data needed)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from silkhub.core.gravity import (
    GravityEstimationError,
    GravityResult,
    GravitySpec,
    GravitySpecError,
    add_leads_lags,
    evaluate,
    fit_gravity,
    formula_variables,
    membership_dummy,
    percent_effect,
    policy_effect,
    predict_covariates,
)

COUNTRIES = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"]


def panel(seed: int = 1, years: tuple[int, ...] = (2000, 2001, 2002, 2003)) -> pd.DataFrame:
    """Exporter x importer x year panel: trade ~ exp(size_i + size_j - 0.8 log_dist + 0.4 rta)."""
    rng = np.random.default_rng(seed)
    coords = {c: rng.uniform(0, 50, 2) for c in COUNTRIES}
    size = {c: rng.uniform(1, 3) for c in COUNTRIES}
    rows = []
    for y in years:
        for i in COUNTRIES:
            for j in COUNTRIES:
                if i == j:
                    continue
                d = float(np.hypot(*(coords[i] - coords[j]))) + 1.0
                rta = int(y >= 2002 and {i, j} <= {"AAA", "BBB", "CCC"})
                mu = math.exp(size[i] + size[j] - 0.8 * math.log(d) + 0.4 * rta + 0.05 * (y - 2000))
                rows.append((i, j, y, float(rng.poisson(mu * 50)) / 50, d, rta))
    df = pd.DataFrame(rows, columns=["exporter", "importer", "year", "trade", "dist", "rta"])
    df["pair_id"] = df[["exporter", "importer"]].min(axis=1) + df[["exporter", "importer"]].max(
        axis=1
    )
    return df


SPEC = GravitySpec(
    name="tiny",
    dataset="tiny",
    formula="trade ~ log_dist + rta | exporter^year + importer^year",
    derive=(("log_dist", "log(dist)"),),
)


def test_formula_parts() -> None:
    p = formula_variables("trade ~ a + b | exporter^year + pair_id")
    assert p.depvar == "trade"
    assert p.regressors == ("a", "b")
    assert p.fe_columns == ("exporter", "year", "pair_id")


@pytest.mark.parametrize(
    "formula",
    [
        pytest.param("trade a + b", id="no-tilde"),
        pytest.param("trade ~ log(dist)", id="transform-in-formula"),
        pytest.param("trade ~ a | b | c", id="iv-part"),
        pytest.param("trade ~ 1", id="no-regressors"),
    ],
)
def test_bad_formulas(formula: str) -> None:
    with pytest.raises(GravitySpecError):
        formula_variables(formula)


def test_evaluate_language() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0, 4.0], "e": ["X", "Y", "X"], "i": ["X", "X", "Z"]})
    # log(4) = 1.386..; booleans act as 0/1; where/concat/group_sum
    assert evaluate("log(a)", df).round(3).tolist() == [0.0, 0.693, 1.386]
    assert evaluate("a * (e == i)", df).tolist() == [1.0, 0.0, 0.0]
    assert evaluate("a in (1, 4)", df).tolist() == [True, False, True]
    assert evaluate("where(e == i, e, 'inter')", df).tolist() == ["X", "inter", "inter"]
    assert evaluate("concat(e, i)", df).tolist() == ["X_X", "Y_X", "X_Z"]
    # group sums by e: X -> 1 + 4 = 5, Y -> 2
    assert evaluate("group_sum(a, e)", df).tolist() == [5.0, 2.0, 5.0]


@pytest.mark.parametrize(
    ("expr", "needle"),
    [
        pytest.param("log(nope)", "unknown variable 'nope'", id="unknown-variable"),
        pytest.param("__import__('os')", "unknown function", id="no-builtins"),
        pytest.param("a.real", "not allowed", id="no-attributes"),
        pytest.param("a +", "not valid", id="syntax"),
    ],
)
def test_evaluate_rejects(expr: str, needle: str) -> None:
    with pytest.raises(GravitySpecError, match=needle):
        evaluate(expr, pd.DataFrame({"a": [1.0]}))


def test_spec_from_mapping_round_trip_and_errors() -> None:
    s = GravitySpec.from_mapping(SPEC.to_mapping())
    assert s == SPEC
    with pytest.raises(GravitySpecError, match="unknown spec key"):
        GravitySpec.from_mapping({**SPEC.to_mapping(), "formla": "x"})
    with pytest.raises(GravitySpecError, match="'formula' is required"):
        GravitySpec.from_mapping({"name": "x", "dataset": "d"})
    with pytest.raises(GravitySpecError, match="estimator"):
        SPEC.with_changes(estimator="logit")


def test_ppml_matches_statsmodels_glm_with_dummies() -> None:
    """Reference implementation: statsmodels GLM Poisson with explicit dummy columns."""
    import statsmodels.api as sm

    df = panel()
    res = fit_gravity(SPEC, df)
    df["log_dist"] = np.log(df["dist"])
    dummies = pd.get_dummies(
        df["exporter"] + df["year"].astype(str), prefix="ex", drop_first=True, dtype=float
    ).join(
        pd.get_dummies(
            df["importer"] + df["year"].astype(str), prefix="im", drop_first=True, dtype=float
        )
    )
    x = sm.add_constant(pd.concat([df[["log_dist", "rta"]], dummies], axis=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rank-deficient dummies: pinv handles them
        glm = sm.GLM(df["trade"], x, family=sm.families.Poisson()).fit(tol=1e-12)
    assert res.coef("log_dist").estimate == pytest.approx(glm.params["log_dist"], abs=1e-6)
    assert res.coef("rta").estimate == pytest.approx(glm.params["rta"], abs=1e-6)
    # the generating values are recovered roughly
    assert res.coef("log_dist").estimate == pytest.approx(-0.8, abs=0.1)
    assert res.converged and res.nobs == len(df) and res.n_separated == 0
    assert res.n_fixed_effects == {"exporter^year": 24, "importer^year": 24}
    assert res.se_type == "clustered by pair_id" and res.n_clusters == 15


def test_result_round_trip_and_combination() -> None:
    res = fit_gravity(SPEC, panel())
    again = GravityResult.from_dict(res.to_dict())
    assert again.coefficients == res.coefficients
    total, se = res.combination(["log_dist", "rta"])
    v = np.asarray(res.vcov)
    # sum of two coefficients: se = sqrt(v11 + v22 + 2 v12)
    assert se == pytest.approx(math.sqrt(v[0, 0] + v[1, 1] + 2 * v[0, 1]))
    assert total == pytest.approx(res.coef("log_dist").estimate + res.coef("rta").estimate)
    with pytest.raises(GravitySpecError, match="no coefficient 'x'"):
        res.coef("x")


def test_unknown_variable_names_the_variable() -> None:
    spec = SPEC.with_changes(formula="trade ~ log_dist + cntg | exporter^year + importer^year")
    with pytest.raises(GravitySpecError, match="unknown variable\\(s\\) cntg"):
        fit_gravity(spec, panel())


def test_collinear_regressor_is_named() -> None:
    # log_dist is constant within a pair -> collinear with pair fixed effects
    spec = SPEC.with_changes(
        formula="trade ~ log_dist + rta | exporter^year + importer^year + pair_id"
    )
    with pytest.raises(GravitySpecError, match="log_dist collinear with the fixed effects"):
        fit_gravity(spec, panel())


def test_separation_drop_or_error() -> None:
    df = panel()
    df.loc[(df.exporter == "FFF") & (df.year == 2001), "trade"] = 0.0
    res = fit_gravity(SPEC, df)
    assert res.n_separated == 5  # FFF's five export flows in 2001
    assert any("separation" in n for n in res.notes)
    with pytest.raises(GravityEstimationError, match="perfectly separated"):
        fit_gravity(SPEC.with_changes(separation="error"), df)


def test_no_convergence_is_an_error() -> None:
    with pytest.raises(GravityEstimationError, match="did not converge in 1 iterations"):
        fit_gravity(SPEC.with_changes(max_iterations=1, tolerance=1e-14), panel())


def test_constant_regressor_and_empty_sample() -> None:
    spec = SPEC.with_changes(filters=("year < 2002",))
    with pytest.raises(GravitySpecError, match="'rta' is constant"):
        fit_gravity(spec, panel())
    with pytest.raises(GravityEstimationError, match="no observation left"):
        fit_gravity(SPEC.with_changes(filters=("year > 3000",)), panel())


def test_negative_trade_rejected_for_ppml() -> None:
    df = panel()
    df.loc[0, "trade"] = -1.0
    with pytest.raises(GravitySpecError, match="non-negative"):
        fit_gravity(SPEC, df)


def test_ols_on_log_trade() -> None:
    spec = SPEC.with_changes(
        estimator="ols",
        formula="log_trade ~ log_dist + rta | exporter^year + importer^year",
        derive=(("log_dist", "log(dist)"), ("log_trade", "log(trade)")),
        filters=("trade > 0",),
    )
    res = fit_gravity(spec, panel())
    assert res.coef("log_dist").estimate == pytest.approx(-0.8, abs=0.15)
    assert res.deviance is None


def test_predict_covariates_by_hand() -> None:
    spec = GravitySpec(name="cs", dataset="d", formula="trade ~ x", cluster=None)
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.uniform(0, 2, 400)})
    df["trade"] = rng.poisson(np.exp(0.5 + 1.0 * df["x"]))
    res = fit_gravity(spec, df)
    b0, b1 = res.coef("Intercept").estimate, res.coef("x").estimate
    new = pd.DataFrame({"x": [0.0, 1.0]})
    # exp(b0 + b1 * x)
    assert predict_covariates(res, new).tolist() == pytest.approx([math.exp(b0), math.exp(b0 + b1)])
    with pytest.raises(GravitySpecError, match="without fixed effects"):
        predict_covariates(fit_gravity(SPEC, panel()), new)


def test_percent_effect_by_hand() -> None:
    # 100*(e^0.5 - 1) = 64.87; CI 100*(e^(0.5 -+ 1.96*0.1) - 1) = 35.53 .. 100.57
    pct, lo, hi = percent_effect(0.5, 0.1)
    assert pct == pytest.approx(64.872, abs=1e-3)
    assert lo == pytest.approx(35.527, abs=1e-2)
    assert hi == pytest.approx(100.57, abs=1e-2)


def test_membership_dummy_hub_and_both() -> None:
    df = pd.DataFrame(
        {
            "exporter": ["CHN", "CHN", "KAZ", "KAZ", "PAK", "KAZ"],
            "importer": ["KAZ", "KAZ", "PAK", "PAK", "CHN", "KAZ"],
            "year": [2013, 2014, 2014, 2015, 2015, 2016],
        }
    )
    joined = {"KAZ": 2014, "PAK": 2015}
    # hub CHN: CHN-KAZ from 2014, PAK-CHN from 2015, KAZ-PAK never, intra never
    assert membership_dummy(df, joined, hub="CHN").tolist() == [0, 1, 0, 0, 1, 0]
    # both members: KAZ-PAK from max(2014, 2015) = 2015
    assert membership_dummy(df, joined).tolist() == [0, 0, 0, 1, 0, 0]


def test_leads_and_lags_by_calendar_year() -> None:
    df = pd.DataFrame(
        {
            "exporter": ["A"] * 5,
            "importer": ["B"] * 5,
            "year": [2010, 2011, 2012, 2013, 2014],
            "d": [0, 0, 1, 1, 1],
        }
    )
    out, names = add_leads_lags(df, "d", leads=[1], lags=[2])
    assert names == ["d_lead1", "d_lag2"]
    # lead1 = d(t+1); beyond the panel the last state (1)
    assert out["d_lead1"].tolist() == [0, 1, 1, 1, 1]
    # lag2 = d(t-2); before the panel 0
    assert out["d_lag2"].tolist() == [0, 0, 0, 0, 1]
    with pytest.raises(GravitySpecError):
        add_leads_lags(df, "d", lags=[0])


def test_policy_effect_sentence() -> None:
    res = fit_gravity(SPEC, panel())
    eff = policy_effect(res, "RTA members", ["rta"])
    b = res.coef("rta").estimate
    assert eff.pct == pytest.approx(100 * math.expm1(b))
    assert eff.summary.startswith("Trade between RTA members rose by")
    assert "95 % CI" in eff.summary and "after signing" in eff.summary


def test_results_are_read_through_pyfixest_public_api() -> None:
    """No private pyfixest attribute (``model._vcov``, ``_N``, ``_collin_vars`` …) is read."""
    import re
    from pathlib import Path

    import silkhub.core.gravity as pkg

    for p in Path(pkg.__file__).parent.glob("*.py"):
        text = p.read_text(encoding="utf-8")
        assert not re.search(r"\bmodel\._[A-Za-z]", text), p.name
        assert 'getattr(model, "_' not in text, p.name


def test_covariances_from_the_public_api_are_consistent() -> None:
    spec = GravitySpec(
        name="t",
        formula="trade ~ log_dist + rta | exporter^year + importer^year",
        dataset="x",
        derive=(("log_dist", "log(dist)"),),
    )
    r = fit_gravity(spec, panel())
    v = np.asarray(r.vcov)
    assert v.shape == (2, 2)
    assert np.allclose(v, v.T)
    se = np.array([c.std_error for c in r.coefficients])
    assert np.allclose(np.sqrt(np.diag(v)), se)
    _total, s = r.combination(["log_dist", "rta"])
    assert s == pytest.approx(math.sqrt(v.sum()))
    assert r.nobs == len(panel()) and r.pseudo_r2 is not None and 0 < r.pseudo_r2 < 1
