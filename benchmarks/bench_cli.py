"""Benchmark: CLI start-up (issue 18.5).

Targets on an idle machine: ``silkhub --version`` < 0.3 s and ``silkhub countries show DEU``
< 0.8 s (before: 2.25 s and 290 MB for ``--version``, because every command group and its
dependencies — scipy, pandas, the index pipeline — were imported at start-up).

Each command runs ``--runs`` times (default 7) as a fresh process, after one warm-up run (which
also migrates the temporary data dir and loads the reference data); the median wall time, the
median CPU time and peak RSS (``wait4`` rusage; CPU time is the better guide when the machine is
loaded) and the ratio of the median to ``python -c pass`` are printed, with the load average
(the machine is shared).

    .venv/bin/python benchmarks/bench_cli.py [--runs 7] [--src OTHER_TREE/src]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SILKHUB = ROOT / ".venv" / "bin" / "silkhub"
PYTHON = ROOT / ".venv" / "bin" / "python"
TARGETS = {"--version": 0.3, "countries show DEU": 0.8}


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err}")
    if proc.stderr:
        proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float, float]:
    run_once(argv, env)  # warm-up: page cache, .pyc files, first-run migrations
    walls, cpus, rss = zip(*(run_once(argv, env) for _ in range(runs)), strict=True)
    return statistics.median(walls), statistics.median(cpus), statistics.median(rss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument(
        "--src",
        type=Path,
        help="measure another source tree instead (e.g. an older commit: "
        "git archive REV src | tar -x -C /tmp/old; --src /tmp/old/src)",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="silkhub-bench-cli-") as tmp:
        env = {**os.environ, "SILKHUB_DATA_DIR": tmp}
        if args.src:
            env["PYTHONPATH"] = str(args.src.resolve())
        env.pop("SILKHUB_DATABASE_URL", None)
        # measure an installed CLI: the warm-up run writes the .pyc files (pip compiles them at
        # install); with PYTHONDONTWRITEBYTECODE every run would recompile silkhub (~0.15 s)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores, shared machine)")
        base, base_cpu, base_rss = measure([str(PYTHON), "-c", "pass"], env, args.runs)
        print(f"{'':28s} {'wall':>7s}     {'CPU':>5s}     {'RSS':>6s}")
        print(
            f"{'python -c pass':28s} {base * 1000:7.0f} ms  {base_cpu * 1000:5.0f} ms  "
            f"{base_rss:6.0f} MB  (baseline)"
        )
        for cmd, target in TARGETS.items():
            wall, cpu, rss = measure([str(SILKHUB), *cmd.split()], env, args.runs)
            print(
                f"{'silkhub ' + cmd:28s} {wall * 1000:7.0f} ms  {cpu * 1000:5.0f} ms  "
                f"{rss:6.0f} MB  "
                f"x{wall / base:5.1f} python -c pass; target {target * 1000:.0f} ms "
                f"({'met' if wall < target else 'NOT met'})"
            )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
