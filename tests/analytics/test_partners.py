"""Partner rankings and specialisation measures over tiny hand-made DuckDB views."""

from __future__ import annotations

import math

import numpy as np
import pytest

from silkhub.analytics import partners
from silkhub.errors import (
    DataMissingError,
    UnknownChoiceError,
    UnknownCountryError,
    ValidationError,
)


def test_rank_all_partners_by_total(con, session) -> None:
    r = partners.rank_partners(con, session, dataset="totals", reporter="CHN", year=2016)
    rows = r.rows.set_index("partner")
    # totals 2016: DEU 200, KAZ 55, RUS 40, SGP 20 -> world basis 315 (sum of partners)
    assert list(r.rows["partner"]) == ["DEU", "KAZ", "RUS", "SGP"]
    assert rows.loc["DEU", "share_pct"] == pytest.approx(100 * 200 / 315)
    assert rows.loc["KAZ", "balance_usd"] == -45.0  # 5 - 50
    assert rows.loc["SGP", "imports_usd"] == 0.0  # one direction only: 0, not missing
    assert rows.loc["DEU", "growth_pct"] == pytest.approx(100 * (200 / 180 - 1))
    assert rows.loc["KAZ", "partner_name"] == "Kazakhstan"
    assert "all 4 partners" in r.basis


def test_rank_route65_group_table1(con, session) -> None:
    r = partners.rank_partners(
        con, session, dataset="totals", reporter="CHN", year=2016, group="route65", top=10
    )
    rows = r.rows.set_index("partner")
    assert list(r.rows["partner"]) == ["KAZ", "RUS", "SGP"]  # DEU is not along the route
    assert rows.loc["KAZ", "share_pct"] == pytest.approx(100 * 55 / 315)  # of all trade
    assert rows.loc["KAZ", "share_of_selection_pct"] == pytest.approx(100 * 55 / 115)
    assert rows.loc["KAZ", "growth_pct"] == pytest.approx(10.0)  # 55 / 50 - 1
    assert rows.loc["RUS", "growth_pct"] == pytest.approx(25.0)  # 40 / 32 - 1
    assert math.isnan(rows.loc["SGP", "growth_pct"])
    assert "no data for the previous year" in rows.loc["SGP", "growth_note"]
    assert any("left out, not counted as 0" in n for n in r.notes)  # e.g. PAK, absent
    exp = partners.rank_partners(
        con, session, dataset="totals", reporter="CHN", year=2016, group="route65", flow="imports"
    )
    assert list(exp.rows["partner"])[:2] == ["KAZ", "RUS"]


def test_rank_errors(con, session) -> None:
    with pytest.raises(ValidationError, match="out of range"):
        partners.rank_partners(con, session, dataset="totals", reporter="CHN", year=2030)
    with pytest.raises(UnknownCountryError):
        partners.rank_partners(con, session, dataset="totals", reporter="XXX", year=2016)
    with pytest.raises(UnknownChoiceError):
        partners.rank_partners(con, session, dataset="totals", reporter="CHN", year=2016, flow="x")
    with pytest.raises(UnknownChoiceError):
        partners.rank_partners(
            con, session, dataset="totals", reporter="CHN", year=2016, group="nope"
        )
    with pytest.raises(DataMissingError):
        partners.rank_partners(con, session, dataset="baci", reporter="CHN", year=2016)
    with pytest.raises(ValidationError, match="no members"):
        # route65 is dated from 2013-09-07; as of 2012 it is empty
        partners.rank_partners(
            con,
            session,
            dataset="totals",
            reporter="CHN",
            year=2016,
            group="route65",
            as_of=__import__("datetime").date(2012, 1, 1),
        )


def test_rca_table_sql_matches_core(con, session) -> None:
    out = partners.rca_table(con, session, dataset="hs6", year=2017, level=2, country="CHN")
    # HS2 '85': (30/40) / (50/100) = 1.5 ; '01': 0.5
    assert list(out["product"]) == ["85", "01"]
    assert list(out["rca"]) == pytest.approx([1.5, 0.5])
    assert out["rca_sym"].iloc[0] == pytest.approx(0.2)
    with pytest.raises(ValidationError, match="only all-goods totals"):
        partners.rca_table(con, session, dataset="totals", year=2016)
    with pytest.raises(UnknownChoiceError):
        partners.rca_table(con, session, dataset="hs6", year=2017, level=3)


def test_complementarity_similarity_concentration_intensity(con, session) -> None:
    tci = partners.complementarity(
        con, session, dataset="hs6", exporter="CHN", importer="DEU", year=2017
    )
    # CHN x = (.25, .75); DEU m = (50/70, 20/70); sum|m-x| = 2 * (5/7 - 1/4) -> TCI = 53.57
    assert tci["tci"] == pytest.approx(100 * (1 - (5 / 7 - 0.25)))
    esi = partners.similarity(con, session, dataset="hs6", a="CHN", b="VNM", year=2017)
    assert esi["esi"] == pytest.approx(100 * (0.25 + 1 / 3))
    hp = partners.concentration(con, session, dataset="hs6", country="CHN", year=2017, by="partner")
    assert hp["hhi"] == pytest.approx(0.625)  # DEU 10, KAZ 30 -> .25² + .75²
    assert hp["top_item"] == "KAZ"
    tii = partners.intensity(con, session, dataset="hs6", exporter="CHN", importer="DEU", year=2017)
    # (10/40) / (70/100) = 0.357
    assert tii["tii"] == pytest.approx(0.25 / 0.7)
    with pytest.raises(ValidationError, match="no imports"):
        partners.intensity(con, session, dataset="hs6", exporter="CHN", importer="USA", year=2017)


def test_rca_sql_equals_core_reference(con) -> None:
    # the DuckDB window-sum path must equal the pure pandas reference (core.trade.balassa_rca)
    from silkhub.core import trade

    sql = partners.rca_table(con, dataset="exports_only", year=2017)
    ref = trade.balassa_rca(con.execute("SELECT * FROM exports_only").df())
    m = sql.merge(ref, on=["exporter", "product"], suffixes=("", "_ref"))
    assert len(m) == len(ref) == len(sql)
    assert np.allclose(m["rca"], m["rca_ref"], rtol=1e-12, equal_nan=True)
    assert np.allclose(m["rca_sym"], m["rca_sym_ref"], rtol=1e-12, equal_nan=True)


def test_side_by_side_table1_layout(con, session) -> None:
    r = partners.side_by_side(
        con, session, dataset="totals", reporter="CHN", year=2016, group="route65"
    )
    t = r.rows
    # imports: KAZ 50, RUS 10, SGP 0 ; exports: RUS 30, SGP 20, KAZ 5 ; total: KAZ, RUS, SGP
    assert list(t["imports_partner"]) == ["Kazakhstan", "Russian Federation", "Singapore"]
    assert list(t["exports_partner"]) == ["Russian Federation", "Singapore", "Kazakhstan"]
    assert list(t["total_partner"]) == ["Kazakhstan", "Russian Federation", "Singapore"]
    assert t.loc[0, "exports_share_pct"] == pytest.approx(100 * 30 / 155)  # of all exports


def test_rank_partners_flow_all_is_side_by_side(con, session) -> None:
    # /partners/rank?flow=all: one call, the same table as side_by_side
    kw = {"dataset": "totals", "reporter": "CHN", "year": 2016, "group": "route65", "top": 2}
    r = partners.rank_partners(con, session, flow="all", **kw)
    s = partners.side_by_side(con, session, **kw)
    assert r.flow == s.flow == "all"
    assert r.rows.equals(s.rows)
    assert (r.basis, r.notes) == (s.basis, s.notes)
