"""ECI / PCI / what-next over a small export-only DuckDB view."""

from __future__ import annotations

import numpy as np
import pytest

from silkhub.analytics import complexity as svc
from silkhub.errors import ValidationError


def test_eci_pci_next(con, session) -> None:
    res = svc.compute(con, dataset="exports_only", year=2017, version="v1")
    assert svc.compute(con, dataset="exports_only", year=2017, version="v1") is res  # cached
    eci = svc.eci_table(res)
    assert list(eci["rank"]) == list(range(1, len(eci) + 1))
    assert np.corrcoef(eci["eci"], eci["diversity"])[0, 1] > 0  # sign convention
    assert eci["eci"].mean() == pytest.approx(0.0, abs=1e-12)
    pci = svc.pci_table(res, top=5)
    assert len(pci) == 5 and pci["pci"].is_monotonic_decreasing
    nxt = svc.what_next(res, session, "CHN", top=None)
    i = res.countries.index("CHN")
    assert len(nxt) == int((res.mcp[i] == 0).sum())  # only products not yet exported with RCA
    assert (nxt["rca"] < 1).all()
    assert nxt["cog"].is_monotonic_decreasing
    by_d = svc.what_next(res, session, "CHN", by="density", top=3)
    assert by_d["density"].is_monotonic_decreasing
    prof = svc.country_profile(res, "CHN")
    assert 1 <= prof["eci_rank"] <= len(res.countries)


def test_complexity_errors(con, session) -> None:
    res = svc.compute(con, dataset="exports_only", year=2017)
    with pytest.raises(ValidationError):
        svc.what_next(res, session, "AUS")
    with pytest.raises(ValidationError):
        svc.compute(con, dataset="hs6", year=2017)  # 2 exporters only
    with pytest.raises(ValidationError):
        svc.compute(con, dataset="exports_only", year=2017, threshold=0)
