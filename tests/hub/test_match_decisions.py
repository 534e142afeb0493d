"""Match decisions (SQLite and PostgreSQL): accepted/declined state on suggestions, undo
(audited, per organisation), "my matches", and reasons rendered in plain language per locale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.data.storage.models.accounts import AuditEntry
from silkhub.errors import NotFoundError, PermissionDeniedError
from silkhub.hub import matching as mt
from silkhub.hub.matching.reasons import ReasonText
from silkhub.hub.policy import Actor
from tests.hub.conftest import member
from tests.hub.test_matching_service import hub  # noqa: F401  (fixture)

SYSTEM = Actor.system()
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _decide(session: Session, actor: Actor, subject: int, cand: int, decision: str) -> None:
    mt.record_feedback(
        session,
        actor,
        subject_kind="organisation",
        subject_id=subject,
        candidate_id=cand,
        decision=decision,
    )


def _undo(session: Session, actor: Actor, subject: int, cand: int) -> str:
    return mt.undo_feedback(
        session, actor, subject_kind="organisation", subject_id=subject, candidate_id=cand
    )


def test_accept_shows_on_the_suggestion_and_undo_restores(
    session: Session,
    hub: dict[str, int],  # noqa: F811
) -> None:
    me = member(session, hub["jinan"])
    _decide(session, me, hub["jinan"], hub["kz"], "accept")
    top = {s.id: s for s in mt.suggest_for_organisation(session, me, hub["jinan"], top=10)}
    assert top[hub["kz"]].decision == "accept"
    mine = mt.decided(session, me)
    assert [(d.candidate_id, d.decision) for d in mine] == [(hub["kz"], "accept")]
    assert mine[0].subject_name == "Jinan Logistics Group"
    # a colleague of the same organisation sees the decision and may take it back
    colleague = member(session, hub["jinan"])
    assert _undo(session, colleague, hub["jinan"], hub["kz"]) == "accept"
    top = {s.id: s for s in mt.suggest_for_organisation(session, me, hub["jinan"], top=10)}
    assert top[hub["kz"]].decision is None
    assert mt.decided(session, me) == []
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "match.feedback_undo")
    ).one()
    assert entry.before == {"decision": "accept"} and entry.after["decision"] is None
    with pytest.raises(NotFoundError) as err:
        _undo(session, me, hub["jinan"], hub["kz"])
    assert err.value.key == "match.nothing_to_undo"


def test_declined_comes_back_after_undo(session: Session, hub: dict[str, int]) -> None:  # noqa: F811
    me = member(session, hub["jinan"])
    _decide(session, me, hub["jinan"], hub["kz"], "decline")
    assert hub["kz"] not in [s.id for s in mt.suggest_for_organisation(session, me, hub["jinan"])]
    declined = mt.decided(
        session, me, subject_kind="organisation", subject_id=hub["jinan"], decision="decline"
    )
    assert [d.candidate_id for d in declined] == [hub["kz"]]
    _undo(session, me, hub["jinan"], hub["kz"])
    assert hub["kz"] in [s.id for s in mt.suggest_for_organisation(session, me, hub["jinan"])]


def test_decisions_and_undo_stay_within_the_organisation(
    session: Session,
    hub: dict[str, int],  # noqa: F811
) -> None:
    me = member(session, hub["jinan"])
    other = member(session, hub["law"])
    _decide(session, me, hub["jinan"], hub["kz"], "decline")
    # the other organisation sees no decision and may not undo ours
    assert mt.decided(session, other) == []
    with pytest.raises(PermissionDeniedError):
        _undo(session, other, hub["jinan"], hub["kz"])
    # its own decision on the same pair (as staff would) is separate: staff bucket is empty
    assert mt.decided(session, SYSTEM) == []
    assert [d.decision for d in mt.decided(session, me)] == ["decline"]


def test_reasons_in_plain_chinese(session: Session, hub: dict[str, int]) -> None:  # noqa: F811
    top = mt.suggest_for_organisation(session, SYSTEM, hub["jinan"], top=5)
    zh, en = ReasonText(session, "zh"), ReasonText(session, "en")
    texts = [zh.of(p) for s in top for p in s.parts]
    assert texts and all(t for t in texts)
    for t in texts:
        assert not LATIN_WORD.search(t), t
        assert "?" not in t and "isic:" not in t
    kz = next(s for s in top if s.id == hub["kz"])
    by_part = {p["part"]: p for p in kz.parts}
    # Almaty Rail Freight is in Kazakhstan, which Jinan's request targets
    assert zh.of(by_part["geography"]) == "对方位于你希望合作的国家哈萨克斯坦"
    assert en.of(by_part["geography"]) == "They are in Kazakhstan, a country you want to work with"
    assert "陆路运输和管道运输" in zh.of(by_part["complementarity"])
    assert zh.of(by_part["language"]) == "双方都使用英语"
    assert en.of(by_part["language"]) == "Both work in English"
    assert "?" not in en.of(by_part["size"]) and "中型" in zh.of(by_part["size"])


def test_talent_reasons_in_plain_chinese(session: Session) -> None:
    from datetime import date

    from silkhub.core.talent_matching import Need, Person, score_talent

    need = Need(
        "p",
        sector="52",
        languages={"ru": "B2", "en": "C1"},
        countries=frozenset({"KAZ"}),
        start=date(2026, 1, 1),
        end=date(2026, 1, 10),
        region_id="CN-SD-qingdao",
    )
    person = Person(
        "t",
        sectors=("52",),
        languages={"ru": "native", "en": "B1"},
        countries=frozenset({"KAZ"}),
        available_from=date(2026, 1, 6),
        regions=frozenset({"CN-SD-qingdao"}),
    )
    m = score_talent(need, person, text_similarity=0.3)
    zh = ReasonText(session, "zh")
    texts = {p.name: zh.of(p) for p in m.parts}
    for t in texts.values():
        assert not LATIN_WORD.search(t), t
    assert texts["language"] == "俄语为母语（要求B2）；英语水平B1，低于要求的C1"
    assert texts["country"] == "曾在哈萨克斯坦工作"
    assert texts["availability"] == "在10天中可工作5天"


def test_every_reason_key_has_en_and_zh_text() -> None:
    from silkhub import i18n

    root = Path(__file__).parents[2] / "src" / "silkhub" / "core"
    keys = set()
    for name in ("matching.py", "talent_matching.py"):
        keys |= set(re.findall(r'"(reason\.[a-z_.]+)"', (root / name).read_text("utf-8")))
    keys |= {f"reason.member.{g}" for g in ("bri", "sco")}
    assert len(keys) > 30
    for key in sorted(keys):
        assert key in i18n.catalog("en"), key
        assert key in i18n.catalog("zh"), key
