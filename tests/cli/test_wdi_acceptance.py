"""Issue 15 acceptance on the shared files: WDI imported one indicator at a time, WLD-based
group shares that name their basis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.mark.shared_data
def test_gdp_then_population_gives_world_bank_shares(cli, shared_data: Path) -> None:
    wdi = shared_data / "wdi"
    assert cli("data", "import", "wdi", str(wdi / "gdp.csv"), "-q").exit_code == 0
    r = cli("data", "import", "wdi", str(wdi / "population.csv"), "-q")
    assert r.exit_code == 0, r.stderr
    assert "kept 1 indicator, replaced 0, added 1" in " ".join(r.stdout.split())
    r = cli("indicators", "group-share", "--group", "route65", "--year", "2015", "-f", "json")
    assert r.exit_code == 0, r.stderr
    rows = {x["measure"]: x for x in json.loads(r.stdout)}
    # the World Bank's own WLD-based figure is 62.47 % (seed 002: "62.5 %")
    assert rows["population"]["share_pct"] == pytest.approx(62.47, abs=0.1)
    assert rows["gdp"]["share_pct"] == pytest.approx(30.90, abs=0.1)
    assert rows["population"]["world_basis"] == "World Bank WLD (wdi_aggregates)"
    assert "World Bank WLD" in r.stderr
