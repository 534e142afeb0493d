"""Web UI and report timings (issue 10): pages served and reports rendered, with demo data.

Budgets (docs/decisions.md, "Web UI and reports"): a page in < 1 s, an HTML/XLSX report in
< 3 s and a PDF report in < 15 s on the shared 2-core machine. Prints the median of a few
runs and the ratio to each budget (< 1 = within budget). Not a pytest test.

    .venv/bin/python benchmarks/bench_web.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from silkhub.bootstrap import make_runtime, prepare
from silkhub.demo import load_demo
from silkhub.server import create_app
from silkhub.settings import Settings

RUNS = 5
PAGES = {
    "/": 1.0,
    "/countries/CHN": 1.0,
    "/regions/CN-SD-jinan?peers=Hangzhou,Qingdao": 1.0,
    "/benchmark?unit=Jinan&peers=Hangzhou,Qingdao": 1.0,
    "/hub/projects": 1.0,
    "/hub/events/1": 1.0,
    "/geo/world.json": 1.0,
    "/reports/region?unit=Jinan&peers=Hangzhou,Qingdao&format=html": 3.0,
    "/reports/region?unit=Jinan&peers=Hangzhou,Qingdao&format=xlsx": 3.0,
    "/reports/region?unit=Jinan&peers=Hangzhou,Qingdao&format=pdf": 15.0,
    "/reports/hub?event=1&format=pdf": 15.0,
}


def main() -> None:
    d = Path(tempfile.mkdtemp())
    rt = make_runtime(Settings(data_dir=d, database_url=f"sqlite:///{d / 'bench.sqlite'}"))
    prepare(rt)
    for line in load_demo(rt):
        print("demo:", line)
    client = TestClient(create_app(runtime=rt, init=False))
    print(f"{'request':<66} {'median s':>9} {'budget s':>9} {'ratio':>6}")
    for url, budget in PAGES.items():
        runs = 2 if "pdf" in url else RUNS
        client.get(url)  # warm caches (geo, complexity, fonts)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            r = client.get(url)
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200, (url, r.status_code)
        med = statistics.median(times)
        print(f"{url:<66} {med:9.3f} {budget:9.1f} {med / budget:6.2f}")
    rt.dispose()


if __name__ == "__main__":
    main()
