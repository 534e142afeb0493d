"""Benchmark: composite-index Monte Carlo, 300 units x 60 indicators x 10,000 runs.

Target (issue 6): under 20 s on 2 cores, vectorised. Prints the time of the whole pipeline
(imputation variants, normalisation variants, 10,000 Monte Carlo runs with random weights,
normalisation, aggregation and imputation choices, ranks, sensitivity indices), runs/s and the
ratio to the 20 s budget; and, as a second baseline, the time of a plain Python loop over runs
(one aggregation per run) extrapolated from 200 runs.

    .venv/bin/python benchmarks/bench_index_mc.py [--units 300] [--indicators 60] [--runs 10000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from silkhub.core.index.aggregate import aggregate
from silkhub.core.index.framework import parse_framework
from silkhub.core.index.pipeline import IndexConfig, compute_index
from silkhub.core.index.weights import Structure, user_weights

BUDGET_S = 20.0


def synthetic(units: int, indicators: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    per_sub = 5
    n_sub = indicators // per_sub
    subs_per_pillar = 3
    pillars = []
    for p in range(max(1, n_sub // subs_per_pillar)):
        subs = []
        for s in range(subs_per_pillar):
            base = (p * subs_per_pillar + s) * per_sub
            subs.append(
                {
                    "code": f"S{p}{s}",
                    "name_en": f"sub {p}.{s}",
                    "indicators": [
                        {
                            "code": f"x{base + i}",
                            "name_en": f"x{base + i}",
                            "direction": "lower" if (base + i) % 7 == 0 else "higher",
                        }
                        for i in range(per_sub)
                    ],
                }
            )
        pillars.append({"code": f"P{p}", "name_en": f"pillar {p}", "sub_pillars": subs})
    fw = parse_framework({"code": "bench", "name_en": "bench", "pillars": pillars})
    k = len(fw.indicators)
    latent = rng.normal(size=(units, 1))
    x = latent + rng.normal(scale=1.0, size=(units, k)) + 10
    x[rng.random(x.shape) < 0.05] = np.nan  # 5 % missing
    raw = pd.DataFrame(x, index=[f"u{i}" for i in range(units)], columns=fw.indicator_codes)
    return fw, raw


def python_loop(fw, raw: pd.DataFrame, runs: int) -> float:
    """Baseline: one aggregation call per run (no vectorisation over runs)."""
    st = Structure.of(fw)
    w = user_weights(fw)
    x = raw.to_numpy(dtype=float)
    z = (x - np.nanmin(x, 0)) / (np.nanmax(x, 0) - np.nanmin(x, 0)) * 100
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    for _ in range(runs):
        wi = w.indicator * rng.uniform(0.75, 1.25, size=w.indicator.shape)
        _, _, tot = aggregate(z, st, wi, w.sub_pillar, w.pillar, "arithmetic")
        np.argsort(-tot)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--indicators", type=int, default=60)
    ap.add_argument("--runs", type=int, default=10_000)
    a = ap.parse_args()
    fw, raw = synthetic(a.units, a.indicators)
    print(f"{a.units} units x {len(fw.indicators)} indicators, {a.runs} Monte Carlo runs")
    cfg = IndexConfig(mc_runs=a.runs, seed=1)
    t0, c0 = time.perf_counter(), time.process_time()
    res = compute_index(fw, raw, cfg)
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    cfg0 = IndexConfig(mc_runs=0)
    t1, c1 = time.perf_counter(), time.process_time()
    compute_index(fw, raw, cfg0)
    base, cpu_base = time.perf_counter() - t1, time.process_time() - c1
    mc_only = max(total - base, 1e-9)
    print(f"pipeline without Monte Carlo: {base:.2f} s")
    print(f"pipeline with Monte Carlo:    {total:.2f} s  (Monte Carlo part {mc_only:.2f} s)")
    print(
        f"CPU time (all threads):       {cpu:.2f} s with, {cpu_base:.2f} s without Monte Carlo "
        "(wall time on a shared machine includes waiting for the CPU)"
    )
    print(f"runs/s (whole pipeline):      {a.runs / total:,.0f}")
    print(f"runs/s (Monte Carlo part):    {a.runs / mc_only:,.0f}")
    print(f"ratio to the {BUDGET_S:.0f} s budget:    {total / BUDGET_S:.2f}  (< 1 = within target)")
    print(f"sensitivity: { ({k: round(v, 3) for k, v in res.mc.sensitivity.items()}) }")
    loop_runs = 500
    c2 = time.process_time()
    loop = python_loop(fw, raw, loop_runs)
    loop_cpu = time.process_time() - c2
    est = loop / loop_runs * a.runs
    est_cpu = loop_cpu / loop_runs * a.runs
    mc_cpu = max(cpu - cpu_base, 1e-9)
    print(
        f"baseline, Python loop per run (one arithmetic aggregation per run, no imputation or "
        f"normalisation variants): {loop_runs / loop:,.0f} runs/s -> {est:.1f} s wall, "
        f"{est_cpu:.1f} s CPU for {a.runs} runs"
    )
    print(
        f"vectorised Monte Carlo (which also varies imputation, normalisation and aggregation) "
        f"vs that loop: {est / mc_only:.1f}x wall, {est_cpu / mc_cpu:.1f}x CPU"
    )


if __name__ == "__main__":
    main()
