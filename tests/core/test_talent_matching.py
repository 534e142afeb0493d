from datetime import date

import pytest

from silkhub.core.talent_matching import (
    Need,
    Person,
    availability_fit,
    check_talent_weights,
    country_fit,
    language_fit,
    level_rank,
    location_fit,
    rank_talent,
    score_talent,
)
from silkhub.errors import ValidationError

NEED = Need(
    "p1",
    sector="H52",
    languages={"ru": "B2", "zh": "B1"},
    countries=frozenset({"KAZ", "UZB"}),
    start=date(2027, 1, 1),
    end=date(2027, 1, 10),
    region_id="CN-SD-qingdao",
    province_id="CN-SD",
    text="rail freight logistics Kazakhstan",
)


def test_levels():
    assert level_rank("A1") < level_rank("b2") < level_rank("native")
    with pytest.raises(ValidationError):
        level_rank("fluent")


def test_language_fit_by_hand():
    # ru C1 >= B2 -> 1; zh A2 < B1 -> 0.5; mean = 0.75
    v, _ = language_fit(NEED, Person("t", languages={"ru": "C1", "zh": "A2"}))
    assert v == 0.75
    assert language_fit(NEED, Person("t"))[0] == 0.0
    assert language_fit(Need("x"), Person("t"))[0] == 1.0


def test_country_fit_by_hand():
    # 1 of 2 countries -> 0.5
    assert country_fit(NEED, Person("t", countries=frozenset({"KAZ", "RUS"})))[0] == 0.5


def test_availability_by_hand():
    # available from 6 Jan: 5 of 10 days
    assert availability_fit(NEED, Person("t", available_from=date(2027, 1, 6)))[0] == 0.5
    assert availability_fit(NEED, Person("t", available_to=date(2026, 12, 1)))[0] == 0.0
    assert availability_fit(NEED, Person("t"))[0] == 0.5


def test_location():
    assert location_fit(NEED, Person("t", regions=frozenset({"CN-SD-qingdao"})))[0] == 1.0
    assert location_fit(NEED, Person("t", regions=frozenset({"CN-SD"})))[0] == 0.5
    assert location_fit(NEED, Person("t", regions=frozenset({"CN-ZJ"})))[0] == 0.0
    assert location_fit(Need("r", remote=True), Person("t"))[0] == 1.0


def test_score_is_sum_of_parts():
    p = Person(
        "t",
        sectors=("H52",),
        languages={"ru": "native", "zh": "B1"},
        countries=frozenset({"KAZ", "UZB"}),
        available_from=date(2026, 1, 1),
        regions=frozenset({"CN-SD-qingdao"}),
    )
    m = score_talent(NEED, p, text_similarity=0.5)
    # all parts 1 except text 0.5 (weight 0.20): 1 - 0.1 = 0.9
    assert m.score == pytest.approx(0.9)
    assert m.score == pytest.approx(sum(x.contribution for x in m.parts))
    assert {x.name for x in m.parts} == {
        "expertise",
        "language",
        "country",
        "availability",
        "location",
        "text",
    }


def test_rank_prefers_the_fitting_person():
    good = Person(
        "a",
        sectors=("H52",),
        languages={"ru": "C2", "zh": "C1"},
        countries=frozenset({"KAZ"}),
        text="railway freight logistics in Kazakhstan",
    )
    bad = Person("b", sectors=("K64",), languages={"en": "C2"}, text="banking")
    ranked = rank_talent(NEED, [bad, good], top=2)
    assert [m.candidate_id for m in ranked] == ["a", "b"]


def test_weights_validation():
    with pytest.raises(ValidationError):
        check_talent_weights({"salary": 1.0})
    w = check_talent_weights({"text": 2, "language": 2})
    assert w["text"] == 0.5 and w["expertise"] == 0
