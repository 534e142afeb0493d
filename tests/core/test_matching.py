"""Explainable matchmaking: hand-computed parts, index == scalar scorer, feedback re-weighting."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from silkhub.core.matching import (
    DEFAULT_WEIGHTS,
    PARTS,
    Feedback,
    MatchIndex,
    Profile,
    check_weights,
    complementarity,
    coverage,
    parse_isic,
    rank,
    reweight,
    score_pair,
    sector_fit,
    sector_similarity,
    size_compatibility,
)
from silkhub.errors import ValidationError


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("C10", ("C", "10"), id="section+division"),
        pytest.param("10", ("C", "10"), id="division-only"),
        pytest.param("1010", ("C", "10"), id="class-truncated"),
        pytest.param("h", ("H", None), id="section-lowercase"),
        pytest.param("F-42", ("F", "42"), id="dash"),
    ],
)
def test_parse_isic(code: str, expected: tuple[str, str | None]) -> None:
    assert parse_isic(code) == expected


@pytest.mark.parametrize("code", ["Z", "A50", "xx", ""])
def test_parse_isic_rejects(code: str) -> None:
    with pytest.raises(ValidationError):
        parse_isic(code)


def test_sector_hierarchy() -> None:
    assert sector_similarity("C10", "10") == 1.0  # same division
    assert sector_similarity("C", "C10") == 0.75  # section vs division in it
    assert sector_similarity("C10", "C20") == 0.5  # same section, other division
    assert sector_similarity("C10", "H52") == 0.0
    assert sector_fit(["A01", "H52"], ["H49", "F42"]) == 0.5  # best pair H52/H49
    assert sector_fit([], ["H49"]) == 0.0


def test_coverage_and_complementarity() -> None:
    # s needs {H52, legal}; c offers {H49, legal}: legal 1 + H52 half-covered by H49 0.5 -> 1.5/2
    assert coverage(["H52", "legal"], ["H49", "Legal"]) == pytest.approx(0.75)
    assert coverage([], ["x"]) is None
    # c needs {finance} which s offers -> 1.0; mean with 0.75 -> 0.875
    assert complementarity(["finance"], ["H52", "legal"], ["H49", "legal"], ["finance"]) == (
        pytest.approx(0.875)
    )
    assert complementarity([], [], ["a"], []) == 0.0


def test_size_compatibility() -> None:
    assert size_compatibility("small", "large") == pytest.approx(1 - 2 / 3)
    assert size_compatibility("medium", "medium") == 1.0
    assert size_compatibility(None, "large") == 0.5


SUBJECT = Profile(
    id="s",
    name="Jinan Logistics Group",
    sectors=("H52",),
    offers=("finance",),
    needs=("H52", "legal"),
    country="CHN",
    region_id="CN-SD-jinan",
    targets=("KAZ", "UZB"),
    groups=frozenset(),
    size="large",
    languages=frozenset({"zh", "en"}),
    text="logistics park and rail freight hub",
)
CAND = Profile(
    id="c",
    sectors=("H49",),
    offers=("H49", "legal"),
    needs=("finance",),
    country="KAZ",
    targets=("CHN",),
    groups=frozenset({"bri", "sco"}),
    size="medium",
    languages=frozenset({"ru", "en"}),
    text="rail freight logistics",
)


def test_score_pair_hand_computed() -> None:
    m = score_pair(SUBJECT, CAND, trade={("CHN", "KAZ"): 0.4}, text_similarity=0.5)
    p = m.part_values()
    # sector H52/H49 same section -> 0.5; complementarity (0.75 + 1.0)/2 = 0.875
    # geography: KAZ in targets (1) and CHN in c's targets (1) -> 1; membership BRI/SCO -> 1
    # trade 0.4; size large/medium -> 1 - 1/3 = 0.6667; language en shared -> 1; text 0.5
    assert p == pytest.approx(
        {"sector": 0.5, "complementarity": 0.875, "geography": 1.0, "membership": 1.0,
         "trade": 0.4, "size": 2 / 3, "language": 1.0, "text": 0.5}
    )  # fmt: skip
    # score = .2*.5 + .2*.875 + .1*1 + .05*1 + .1*.4 + .1*.6667 + .05*1 + .2*.5
    #       = .1 + .175 + .1 + .05 + .04 + .06667 + .05 + .1 = 0.68167
    assert m.score == pytest.approx(0.681667, abs=1e-6)
    assert sum(x.contribution for x in m.parts) == pytest.approx(m.score, abs=1e-6)
    text = m.explain()
    assert "complementarity" in text and "legal" in text
    why = {x.name: (x.key, dict(x.params)) for x in m.parts}
    assert why["membership"] == ("reason.member.both", {"country": "KAZ"})
    assert why["geography"] == ("reason.geo.target", {"country": "KAZ"})
    assert why["language"] == ("reason.lang.shared", {"languages": ["en"]})
    assert why["trade"][0] == "reason.trade.value"


def test_weights_validation() -> None:
    assert sum(check_weights(DEFAULT_WEIGHTS).values()) == pytest.approx(1.0)
    assert check_weights({"text": 2.0, "sector": 2.0})["text"] == 0.5
    with pytest.raises(ValidationError):
        check_weights({"bogus": 1.0})
    with pytest.raises(ValidationError):
        check_weights({"text": -1.0})
    with pytest.raises(ValidationError):
        check_weights({"text": 0.0})


def test_rank_orders_and_excludes_subject() -> None:
    other = Profile(id="o", sectors=("A01",), country="BRA", text="coffee farming")
    res = rank(SUBJECT, [SUBJECT, other, CAND], top=5)
    assert [m.candidate_id for m in res] == ["c", "o"]
    assert res[0].score > res[1].score
    assert rank(SUBJECT, [SUBJECT]) == []


_codes = st.sampled_from(["C", "C10", "C20", "H", "H49", "H52", "F42", "K64"])
_tags = st.sampled_from(["C10", "H49", "H52", "legal", "finance", "epc", "H"])
_iso = st.sampled_from(["CHN", "KAZ", "UZB", "DEU", "PAK"])
_profiles = st.builds(
    Profile,
    id=st.uuids().map(str),
    sectors=st.lists(_codes, max_size=3).map(tuple),
    offers=st.lists(_tags, max_size=3).map(tuple),
    needs=st.lists(_tags, max_size=3).map(tuple),
    country=st.one_of(st.none(), _iso),
    region_id=st.sampled_from([None, "CN-SD-jinan", "CN-SD-qingdao"]),
    targets=st.lists(_iso, max_size=2).map(tuple),
    groups=st.frozensets(st.sampled_from(["bri", "sco", "eu"])),
    size=st.sampled_from([None, "micro", "small", "medium", "large"]),
    languages=st.frozensets(st.sampled_from(["zh", "en", "ru"])),
    text=st.sampled_from(["", "rail freight", "港口 物流", "solar power plant"]),
)


@settings(max_examples=60, deadline=None)
@given(subject=_profiles, pool=st.lists(_profiles, min_size=1, max_size=8))
def test_index_parts_equal_scalar_scorer(subject: Profile, pool: list[Profile]) -> None:
    trade = {("CHN", "KAZ"): 0.7, ("KAZ", "CHN"): 0.2}
    idx = MatchIndex(pool)
    parts = idx.scores(subject, trade=trade)
    for i, c in enumerate(pool):
        exact = score_pair(subject, c, trade=trade, text_similarity=float(parts["text"][i]))
        for name in PARTS:
            assert parts[name][i] == pytest.approx(exact.part_values()[name], abs=1e-5), name


def test_index_top_k_large_pool_deterministic() -> None:
    pool = [
        Profile(id=f"p{i:04d}", sectors=("H52",) if i % 3 == 0 else ("A01",),
                country="KAZ" if i % 2 else "DEU", text="logistics" if i % 5 == 0 else "farm")
        for i in range(300)
    ]  # fmt: skip
    idx = MatchIndex(pool, keep_profiles=False)
    top = idx.top(SUBJECT, 10)
    assert len(top) == 10
    scores = [m.score for m in top]
    assert scores == sorted(scores, reverse=True)
    # ties broken by id: best group is H52 + KAZ + logistics, i % 30 == 15 -> p0015, p0045 ...
    assert top[0].candidate_id == "p0015"
    assert {p.name for p in top[0].parts} == set(PARTS)


def test_reweight_hand_computed() -> None:
    w = {"sector": 0.5, "text": 0.5}
    fb = [Feedback({"sector": 1.0, "text": 0.0}, True)] * 3 + [
        Feedback({"sector": 0.0, "text": 1.0}, False)
    ] * 2
    # Δ_sector = 1 - 0 = 1, Δ_text = 0 - 1 = -1 -> w = .5e, .5/e -> normalised e²/(1+e²)
    new = reweight(w, fb)
    assert new["sector"] == pytest.approx(math.e**2 / (1 + math.e**2))
    assert new["text"] == pytest.approx(1 / (1 + math.e**2))
    assert new["trade"] == 0.0
    # too little feedback: unchanged
    assert reweight(w, fb[:2]) == check_weights(w)
