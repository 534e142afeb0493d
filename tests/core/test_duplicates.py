"""Repeated-construction detection: blocking, scored pairs with reasons, clusters."""

from __future__ import annotations

import pytest

from silkhub.core.duplicates import (
    WEIGHTS,
    DuplicateDetector,
    ProjectRecord,
    candidate_pairs,
    clean_title,
    sector_key,
)

PARENT = {
    "CN-SD-jinan": "CN-SD",
    "CN-SD-qingdao": "CN-SD",
    "CN-SD-zibo": "CN-SD",
    "CN-HA-zhengzhou": "CN-HA",
}
NEIGH = {"CN-SD-jinan": frozenset({"CN-SD-zibo"})}

R = [
    ProjectRecord("1", title_en="Jinan International Logistics Park", title_zh="济南国际物流园",
                  region_id="CN-SD-jinan", sector="H52", start_year=2019, end_year=2021,
                  value_usd=500e6),
    ProjectRecord("2", title_en="International logistics park of Zibo", title_zh="淄博国际物流园",
                  region_id="CN-SD-zibo", sector="H", start_year=2020, value_usd=450e6),
    ProjectRecord("3", title_en="Qingdao port cold-chain logistics park", region_id="CN-SD-qingdao",
                  sector="H52", start_year=2020, value_usd=480e6),
    ProjectRecord("4", title_en="Jinan solar power plant", region_id="CN-SD-jinan", sector="D35",
                  start_year=2020, value_usd=100e6),
    ProjectRecord("5", title_en="Zhengzhou international logistics park",
                  region_id="CN-HA-zhengzhou", sector="H52", start_year=2020, value_usd=500e6),
    ProjectRecord("6", title_en="Jinan International Logistics Park", region_id="CN-SD-jinan",
                  sector="H52", start_year=2012, value_usd=500e6),
]  # fmt: skip


def test_clean_title_and_sector_key() -> None:
    assert clean_title("KKH Repair (Linked to Project ID#52525, #54424)") == "kkh repair"
    assert sector_key("H52") == "H" and sector_key("49") == "H"
    assert sector_key("Transport") == "transport" and sector_key(None) == ""


def test_blocking_region_parent_sector_period() -> None:
    pairs = set(candidate_pairs(R, parent=PARENT, year_window=2))
    # Shandong + sector H + years within 2: 1-2, 1-3, 2-3; not 4 (sector D), not 5 (Henan),
    # not 6 (2012, more than 2 years before the others)
    assert pairs == {(0, 1), (0, 2), (1, 2)}


def test_scores_with_reasons_hand_computed() -> None:
    det = DuplicateDetector(R, parent=PARENT, neighbours=NEIGH)
    (p,) = det.score_pairs([(0, 1)])
    # value 450/500 = 0.9; periods 2019-2021 and 2020 overlap -> 1; neighbours -> 0.7
    assert p.parts["value"] == pytest.approx(0.9)
    assert p.parts["period"] == 1.0
    assert p.parts["location"] == 0.7
    # TF-IDF: "international logistics park" shared by both en titles -> clearly similar
    assert p.parts["text"] >= 0.5
    expected = sum(WEIGHTS[k] * v for k, v in p.parts.items())
    assert p.score == pytest.approx(expected, abs=1e-4)
    joined = " | ".join(p.reasons)
    assert "neighbouring regions CN-SD-jinan / CN-SD-zibo" in joined
    assert "US$ 500.0 m vs US$ 450.0 m" in joined
    assert "overlapping periods" in joined


def test_pairs_threshold_and_clusters_across_localities() -> None:
    det = DuplicateDetector(R, parent=PARENT, neighbours=NEIGH)
    pairs = det.pairs(threshold=0.6)
    ids = {(p.a, p.b) for p in pairs}
    assert ("1", "2") in ids
    assert all(p.score >= 0.6 for p in pairs)
    clusters = det.clusters(threshold=0.6)
    assert clusters and clusters[0].across_localities
    assert {"1", "2"} <= set(clusters[0].ids)
    assert "CN-SD-jinan" in clusters[0].localities


def test_find_for_a_new_project_zh_paraphrase() -> None:
    det = DuplicateDetector(R, parent=PARENT, neighbours=NEIGH)
    new = ProjectRecord("new", title_zh="济南市国际物流园区", region_id="CN-SD-jinan",
                        sector="H52", start_year=2021, value_usd=520e6)  # fmt: skip
    found = det.find(new, threshold=0.6)
    assert found and found[0].a == "new" and found[0].b == "1"
    # the same title but a far-away period and other sector -> not a candidate
    assert det.find(ProjectRecord("x", title_en="Jinan solar power plant", sector="H52",
                                  region_id="CN-HA-zhengzhou", start_year=2000)) == []  # fmt: skip


def test_country_level_records_without_regions() -> None:
    recs = [
        ProjectRecord("a", title_en="Thar coal power plant phase 1", iso3="PAK", sector="ENERGY",
                      start_year=2018, value_usd=140e6),
        ProjectRecord("b", title_en="Phase 2 of Thar coal power plant", iso3="PAK",
                      sector="energy", start_year=2019, value_usd=290e6),
        ProjectRecord("c", title_en="Karachi metro", iso3="PAK", sector="TRANSPORT",
                      start_year=2019),
    ]  # fmt: skip
    det = DuplicateDetector(recs)
    # a deal and its later phase: text high, values 140/290, years one apart
    pairs = det.pairs(threshold=0.6)
    assert [(p.a, p.b) for p in pairs] == [("a", "b")]
    assert "same country PAK" in pairs[0].reasons


def test_empty() -> None:
    det = DuplicateDetector([])
    assert det.pairs() == [] and det.clusters() == []


def test_window_pairs_equal_brute_force() -> None:
    import itertools

    import numpy as np

    from silkhub.core.duplicates import _window_pairs

    rng = np.random.default_rng(3)
    for _ in range(50):
        years = rng.integers(-1, 6, size=int(rng.integers(0, 12)))  # -1 = unknown year
        a, b = _window_pairs(years, 2)
        got = set(zip(a.tolist(), b.tolist(), strict=True))
        want = {
            (i, j)
            for i, j in itertools.combinations(range(len(years)), 2)
            if years[i] < 0 or years[j] < 0 or abs(int(years[i]) - int(years[j])) <= 2
        }
        assert got == want
        assert len(a) == len(got)  # no duplicates


def test_rapidfuzz_catches_typos_and_word_order() -> None:
    recs = [
        ProjectRecord("a", title_en="Jinan International Logistics Park", iso3="CHN",
                      sector="H52", start_year=2020),
        ProjectRecord("b", title_en="Park Logistics International Jinan", iso3="CHN",
                      sector="H52", start_year=2020),
    ]  # fmt: skip
    det = DuplicateDetector(recs)
    (p,) = det.score_pairs([(0, 1)])
    # token_sort_ratio of the reordered title is 100 -> text part 1.0
    assert p.parts["text"] == pytest.approx(1.0)
    assert "fuzzy 100 %" in p.reasons[0]
