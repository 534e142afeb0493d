from datetime import date

import pytest

from silkhub.errors import ConflictError, UnknownChoiceError, ValidationError
from silkhub.hub import lifecycle
from silkhub.hub import projects as pj
from tests.hub.conftest import SYSTEM


def _project(session, title="P", stage="proposed", on=date(2019, 1, 1)):
    return pj.create_project(
        session, SYSTEM, pj.ProjectIn(title_en=title, stage=stage, stage_on=on)
    )


@pytest.mark.parametrize(
    ("stage", "to", "ok"),
    [
        pytest.param("proposed", "announced", True, id="proposed-announced"),
        pytest.param("announced", "signed", True, id="skip-negotiating-at-ceremony"),
        pytest.param("signed", "operational", True, id="acquisition-completes"),
        pytest.param("proposed", "operational", False, id="too-far"),
        pytest.param("signed", "negotiating", False, id="backwards"),
        pytest.param("operational", "cancelled", False, id="final"),
        pytest.param("cancelled", "proposed", False, id="cancelled-final"),
    ],
)
def test_transition_table(stage, to, ok):
    if ok:
        lifecycle.check_transition(stage, to)
    else:
        with pytest.raises(ConflictError) as exc:
            lifecycle.check_transition(stage, to)
        assert exc.value.details["allowed_next"] == list(lifecycle.allowed_next(stage))


def test_illegal_transition_lists_allowed_states(session):
    p = _project(session, stage="signed", on=date(2020, 6, 29))
    with pytest.raises(ConflictError) as exc:
        pj.transition(session, SYSTEM, p.id, "proposed", date(2020, 7, 1))
    assert exc.value.status == 409
    assert exc.value.details["allowed_next"] == [
        "under_construction",
        "operational",
        "suspended",
        "cancelled",
    ]
    assert "under_construction" in exc.value.message


def test_transitions_are_dated_attributed_and_mirrored(session):
    p = _project(session)
    member_actor = SYSTEM
    pj.transition(session, member_actor, p.id, "announced", date(2019, 3, 1), "press release")
    pj.transition(session, member_actor, p.id, "signed", date(2020, 6, 29), "signed at event")
    hist = lifecycle.history(session, p.id)
    assert [(h.from_stage, h.to_stage, h.at) for h in hist] == [
        (None, "proposed", date(2019, 1, 1)),
        ("proposed", "announced", date(2019, 3, 1)),
        ("announced", "signed", date(2020, 6, 29)),
    ]
    assert hist[-1].note == "signed at event"
    assert (p.stage, p.stage_on) == ("signed", date(2020, 6, 29))
    assert lifecycle.stage_as_of(session, p.id, date(2019, 12, 31)) == "announced"
    assert lifecycle.stage_as_of(session, p.id, date(2018, 12, 31)) is None


def test_suspension_resumes_to_previous_stage(session):
    p = _project(session, stage="under_construction", on=date(2020, 1, 1))
    pj.transition(session, SYSTEM, p.id, "suspended", date(2020, 3, 1), "pandemic")
    assert lifecycle.next_stages(session, p) == ("under_construction", "cancelled")
    with pytest.raises(ConflictError):
        pj.transition(session, SYSTEM, p.id, "signed", date(2020, 4, 1))
    pj.transition(session, SYSTEM, p.id, "under_construction", date(2020, 9, 1), "resumed")
    assert p.stage == "under_construction"


def test_dates_must_not_go_back_or_into_the_future(session):
    p = _project(session, on=date(2020, 5, 1))
    with pytest.raises(ValidationError) as exc:
        pj.transition(session, SYSTEM, p.id, "announced", date(2020, 4, 1))
    assert exc.value.field == "at"
    with pytest.raises(ValidationError):
        pj.transition(session, SYSTEM, p.id, "announced", date(2999, 1, 1))


def test_unknown_stage(session):
    p = _project(session)
    with pytest.raises(UnknownChoiceError):
        pj.transition(session, SYSTEM, p.id, "built", date(2020, 1, 1))


def test_reached_signed_in_2020_and_time_to_operational(session):
    # a: signed 2019-05-01, operational 2021-05-01 (731 days, 2020 is a leap year)
    # b: signed 2020-02-01, operational 2020-12-01 (304 days)
    # c: signed 2020-11-30, still under construction
    a = _project(session, "a", "signed", date(2019, 5, 1))
    b = _project(session, "b", "signed", date(2020, 2, 1))
    c = _project(session, "c", "signed", date(2020, 11, 30))
    pj.transition(session, SYSTEM, a.id, "operational", date(2021, 5, 1))
    pj.transition(session, SYSTEM, b.id, "under_construction", date(2020, 3, 1))
    pj.transition(session, SYSTEM, b.id, "operational", date(2020, 12, 1))
    pj.transition(session, SYSTEM, c.id, "under_construction", date(2021, 1, 10))
    assert lifecycle.reached(session, "signed", year=2020) == sorted([b.id, c.id])
    d = lifecycle.time_between(session, "signed", "operational")
    assert d.by_project == {a.id: 731, b.id: 304}
    assert d.count == 2
    assert d.mean_days == pytest.approx((731 + 304) / 2)  # 517.5
    assert d.median_days == pytest.approx(517.5)
    assert (d.min_days, d.max_days) == (304, 731)


def test_summarise_durations_empty():
    d = lifecycle.summarise_durations("signed", "operational", {})
    assert d.count == 0 and d.mean_days is None
