"""Web UI and report timings (issues 10 and 16): pages served and reports rendered, demo data.

Budgets: a page's median < 0.3 s in zh and en (issue 16), an HTML/XLSX report < 3 s, the
region PDF < 5 s (issue 16) and other PDFs < 15 s on the shared 2-core machine. Prints the
median of a few runs, the ratio to each budget (< 1 = within budget), the median over all pages
and the machine's load average (other work on the machine slows every figure). Not a pytest
test.

    .venv/bin/python benchmarks/bench_web.py
"""

from __future__ import annotations

import os
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
PAGE_BUDGET = 0.3
#: the key pages, each in zh and en
PAGE_PATHS = [
    "/",
    "/countries",
    "/countries/CHN",
    "/regions/CN-SD-jinan?peers=Hangzhou,Qingdao",
    "/benchmark?unit=Jinan&peers=Hangzhou,Qingdao",
    "/partners",
    "/hub/projects",
    "/hub/events/1",
    "/hub/agreements",
    "/login",
]
PAGES = {
    **{
        f"{p}{'&' if '?' in p else '?'}lang={lang}": PAGE_BUDGET
        for p in PAGE_PATHS
        for lang in ("zh", "en")
    },
    "/geo/world.json": 1.0,
    "/reports/region?unit=Jinan&peers=Hangzhou,Qingdao&format=html": 3.0,
    "/reports/region?unit=Jinan&peers=Hangzhou,Qingdao&format=xlsx": 3.0,
    "/reports/region?unit=Jinan&peers=Hangzhou,Qingdao&format=pdf": 5.0,
    # the zh region PDF: CJK font subset, summary on page 1 (issue 16)
    "/reports/region?unit=Jinan&peers=Hangzhou,Qingdao&format=pdf&lang=zh": 5.0,
    "/reports/hub?event=1&format=pdf": 15.0,
}


def main() -> None:
    d = Path(tempfile.mkdtemp())
    rt = make_runtime(Settings(data_dir=d, database_url=f"sqlite:///{d / 'bench.sqlite'}"))
    prepare(rt)
    for line in load_demo(rt):
        print("demo:", line)
    client = TestClient(create_app(runtime=rt, init=False))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'request':<66} {'median s':>9} {'budget s':>9} {'ratio':>6}")
    page_medians = []
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
        if budget == PAGE_BUDGET:
            page_medians.append(med)
        print(f"{url:<66} {med:9.3f} {budget:9.1f} {med / budget:6.2f}")
    print(
        f"pages: median {statistics.median(page_medians):.3f} s, slowest "
        f"{max(page_medians):.3f} s over {len(page_medians)} (budget {PAGE_BUDGET} s each)"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rt.dispose()


if __name__ == "__main__":
    main()
