"""Matchmaking suggestions with reasons, accept/decline, and meeting agendas."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from tests.web.conftest import csrf_of


@pytest.fixture
def demo_web(web):
    from silkhub.demo import load_demo

    list(load_demo(web.runtime))
    return web


def _suggested_ids(html: str) -> list[str]:
    return re.findall(r'id="sg-(\d+)"', html)


def test_suggestions_show_reasons_in_both_languages(demo_web):
    r = demo_web.get("/hub/match", headers={"accept-language": "en"})
    assert r.status_code == 200
    assert len(_suggested_ids(r.text)) >= 3
    assert "Why:" in r.text and "Score" in r.text
    r = demo_web.get("/hub/match", headers={"accept-language": "zh"})
    assert "推荐理由" in r.text


def test_decline_removes_a_suggestion_and_accept_is_recorded(demo_web):
    demo_web.login()
    page = demo_web.get("/hub/match?org=1", headers={"accept-language": "en"})
    ids = _suggested_ids(page.text)
    assert ids
    declined = ids[0]
    r = demo_web.post(
        "/hub/match/feedback",
        data={
            "subject_kind": "organisation",
            "subject_id": "1",
            "candidate_id": declined,
            "decision": "decline",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=True,
        headers={"accept-language": "en"},
    )
    assert r.status_code == 200 and "will not be suggested again" in r.text
    assert declined not in _suggested_ids(r.text)
    r = demo_web.post(
        "/hub/match/feedback",
        data={
            "subject_kind": "organisation",
            "subject_id": "1",
            "candidate_id": _suggested_ids(r.text)[0],
            "decision": "accept",
            "csrf_token": csrf_of(r.text),
        },
        follow_redirects=True,
    )
    assert r.status_code == 200


def test_feedback_needs_login(demo_web):
    page = demo_web.get("/hub/match?org=1")
    r = demo_web.post(
        "/hub/match/feedback",
        data={
            "subject_kind": "organisation",
            "subject_id": "1",
            "candidate_id": "2",
            "decision": "accept",
            "csrf_token": csrf_of(page.text) if "csrf_token" in page.text else "x",
        },
    )
    assert r.status_code in (401, 403)


def test_project_suggestions(demo_web):
    r = demo_web.get("/hub/match?project=1", headers={"accept-language": "en"})
    assert r.status_code == 200 and "Suggestions for" in r.text


def test_meeting_agenda_after_scheduling(demo_web):
    from silkhub.hub import scheduling
    from silkhub.hub.policy import Actor

    rt = demo_web.runtime
    with rt.session() as s:
        prog = scheduling.ProgrammeIn(
            slots=[
                scheduling.SlotIn(
                    starts_at=datetime(2020, 6, 29, 9, 0), ends_at=datetime(2020, 6, 29, 9, 30)
                ),
                scheduling.SlotIn(
                    starts_at=datetime(2020, 6, 29, 9, 30), ends_at=datetime(2020, 6, 29, 10, 0)
                ),
            ],
            tables=["A1"],
            participants=[
                scheduling.ParticipantIn(name="Ms Li"),
                scheduling.ParticipantIn(name="Mr Nurlan"),
                scheduling.ParticipantIn(name="Ms Petrova"),
            ],
            requests=[
                scheduling.RequestIn(requester=0, target=1, priority=2),
                scheduling.RequestIn(requester=0, target=2, priority=1),
            ],
        )
        scheduling.load_programme(s, Actor.system(), 1, prog)
        scheduling.schedule_event(s, Actor.system(), 1, time_limit_s=10)
        first = scheduling.participants(s, Actor.system(), 1)[0].id
    r = demo_web.get(
        f"/hub/meetings?event=1&participant={first}", headers={"accept-language": "en"}
    )
    assert r.status_code == 200
    agenda = r.text.split('data-testid="agenda"')[1].split("</table>")[0]
    assert "Mr Nurlan" in agenda and "Ms Petrova" in agenda
    ics = demo_web.get(f"/hub/meetings/1/{first}.ics")
    assert ics.status_code == 200 and b"BEGIN:VCALENDAR" in ics.content


def test_meetings_without_programme_say_so(demo_web):
    r = demo_web.get("/hub/meetings", headers={"accept-language": "en"})
    assert r.status_code == 200 and "No meeting programme" in r.text


def test_accepted_card_shows_state_undo_and_my_matches(demo_web):
    demo_web.login()
    page = demo_web.get("/hub/match?org=1", headers={"accept-language": "zh"})
    cand = _suggested_ids(page.text)[0]
    form = {
        "subject_kind": "organisation",
        "subject_id": "1",
        "candidate_id": cand,
        "csrf_token": csrf_of(page.text),
    }
    r = demo_web.post(
        "/hub/match/feedback",
        data={**form, "decision": "accept"},
        follow_redirects=True,
        headers={"accept-language": "zh"},
    )
    card = r.text.split(f'id="sg-{cand}"')[1].split("</form>")[0]
    assert 'data-decision="accept"' in card and "已接受" in card and "撤销" in card
    assert f'href="/hub/organisations/{cand}"' in card
    mine = demo_web.get("/hub/match/mine", headers={"accept-language": "zh"})
    assert mine.status_code == 200 and "已接受" in mine.text
    r = demo_web.post(
        "/hub/match/feedback/undo",
        data={**form, "back": "/hub/match/mine", "csrf_token": csrf_of(mine.text)},
        follow_redirects=True,
        headers={"accept-language": "zh"},
    )
    assert r.status_code == 200 and "已撤销" in r.text and "尚未接受或拒绝任何推荐" in r.text
    # an outside "back" target is not followed
    r = demo_web.post(
        "/hub/match/feedback/undo",
        data={**form, "back": "https://evil.example/", "csrf_token": csrf_of(r.text)},
        follow_redirects=False,
    )
    assert r.status_code == 404  # nothing left to undo; never a redirect elsewhere


def test_my_matches_needs_login(demo_web):
    assert demo_web.get("/hub/match/mine").status_code == 401
