"""Matchmaking service over the hub (SQLite and PostgreSQL): suggestions with explanations,
visibility of private records, feedback storage and re-weighting."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from silkhub.core.matching import DEFAULT_WEIGHTS
from silkhub.errors import NotFoundError, UnknownChoiceError
from silkhub.hub import matching as mt
from silkhub.hub import organisations as orgs
from silkhub.hub import projects as pj
from silkhub.hub.policy import Actor
from tests.hub.conftest import member

SYSTEM = Actor.system()


def _org(session: Session, **kw) -> int:
    return orgs.create_organisation(session, SYSTEM, orgs.OrganisationIn(**kw)).id


@pytest.fixture
def hub(session: Session) -> dict[str, int]:
    ids = {
        "jinan": _org(
            session,
            kind="soe",
            name_en="Jinan Logistics Group",
            iso3="CHN",
            region_id="Jinan",
            sectors=["52"],
            languages=["zh", "en"],
            size="large",
            description_en="logistics park and rail freight hub operator",
        ),
        "kz": _org(
            session,
            kind="private_enterprise",
            name_en="Almaty Rail Freight",
            iso3="KAZ",
            sectors=["49"],
            languages=["ru", "en"],
            size="medium",
            description_en="rail freight and logistics services to China",
        ),
        "farm": _org(
            session,
            kind="private_enterprise",
            name_en="Brazil coffee",
            iso3="BRA",
            sectors=["01"],
            languages=["pt"],
            size="small",
            description_en="coffee farming",
        ),
        "law": _org(
            session,
            kind="service_provider",
            name_en="Silk Road Law",
            iso3="CHN",
            languages=["zh", "en"],
            size="small",
            services=[orgs.ServiceIn(service="law", countries=["KAZ"])],
        ),
        "secret": _org(
            session,
            kind="private_enterprise",
            name_en="Hidden Rail Co",
            iso3="KAZ",
            sectors=["49"],
            visibility="private",
            languages=["en"],
            description_en="rail freight logistics",
        ),
    }
    orgs.add_offer(
        session,
        SYSTEM,
        ids["jinan"],
        orgs.OfferIn(
            kind="request",
            title_en="partner for rail freight to Central Asia",
            isic_code="49",
            countries=["KAZ", "UZB"],
        ),
    )
    orgs.add_offer(
        session,
        SYSTEM,
        ids["kz"],
        orgs.OfferIn(
            kind="offer", title_en="rail freight capacity", isic_code="49", countries=["CHN"]
        ),
    )
    # a private offer of another organisation must never shape suggestions for outsiders
    orgs.add_offer(
        session,
        SYSTEM,
        ids["farm"],
        orgs.OfferIn(
            kind="offer", title_en="rail freight logistics", isic_code="49", visibility="private"
        ),
    )
    session.flush()
    return ids


def test_suggest_for_organisation_explained(session: Session, hub: dict[str, int]) -> None:
    res = mt.suggest_for_organisation(session, SYSTEM, hub["jinan"], top=3)
    assert res[0].id == hub["kz"]
    top = res[0]
    assert abs(sum(p["contribution"] for p in top.parts) - top.score) < 1e-3
    names = {p["part"] for p in top.parts}
    assert names == set(DEFAULT_WEIGHTS)
    comp = next(p for p in top.parts if p["part"] == "complementarity")
    assert comp["value"] > 0 and "isic:H49" in comp["reason"]
    assert hub["jinan"] not in [s.id for s in res]
    assert "sector" in top.explain()


def test_private_records_stay_private(session: Session, hub: dict[str, int]) -> None:
    outsider = member(session, hub["jinan"])
    ids = [s.id for s in mt.suggest_for_organisation(session, outsider, hub["jinan"], top=10)]
    assert hub["secret"] not in ids  # private organisation of someone else
    farm = next(
        s
        for s in mt.suggest_for_organisation(session, outsider, hub["jinan"], top=10)
        if s.id == hub["farm"]
    )
    comp = next(p for p in farm.parts if p["part"] == "complementarity")
    assert comp["value"] == 0  # farm's private H49 offer is not used
    # the system (admin) sees everything
    assert hub["secret"] in [
        s.id for s in mt.suggest_for_organisation(session, SYSTEM, hub["jinan"], top=10)
    ]
    # a subject the actor cannot read does not exist for it
    with pytest.raises(NotFoundError):
        mt.suggest_for_organisation(session, outsider, hub["secret"])


def test_suggest_for_project(session: Session, hub: dict[str, int]) -> None:
    p = pj.create_project(
        session,
        SYSTEM,
        pj.ProjectIn(
            title_en="Khorgos rail freight logistics hub",
            iso3="KAZ",
            isic_code="52",
            parties=[pj.PartyIn(organisation_id=hub["jinan"], role="owner")],
        ),
    )
    res = mt.suggest_for_project(session, SYSTEM, p.id, top=5)
    ids = [s.id for s in res]
    assert hub["jinan"] not in ids  # already a party
    assert set(ids[:2]) == {hub["kz"], hub["secret"]}  # the two Kazakh rail freight firms
    lawyers = mt.suggest_for_project(session, SYSTEM, p.id, role="law")
    assert [s.id for s in lawyers] == [hub["law"]]


def test_feedback_stored_declines_hidden_and_reweighting(
    session: Session, hub: dict[str, int]
) -> None:
    fb = mt.record_feedback(
        session,
        SYSTEM,
        subject_kind="organisation",
        subject_id=hub["jinan"],
        candidate_id=hub["farm"],
        decision="decline",
    )
    assert fb.id and fb.parts and set(fb.parts) == set(DEFAULT_WEIGHTS)
    again = mt.record_feedback(
        session,
        SYSTEM,
        subject_kind="organisation",
        subject_id=hub["jinan"],
        candidate_id=hub["farm"],
        decision="decline",
    )
    assert again.id == fb.id  # replaced, not duplicated
    ids = [s.id for s in mt.suggest_for_organisation(session, SYSTEM, hub["jinan"], top=10)]
    assert hub["farm"] not in ids
    # too little feedback
    assert mt.current_weights(session, SYSTEM) == pytest.approx(DEFAULT_WEIGHTS)
    for cand, decision in [
        (hub["kz"], "accept"),
        (hub["law"], "decline"),
        (hub["secret"], "accept"),
    ]:
        mt.record_feedback(
            session,
            SYSTEM,
            subject_kind="organisation",
            subject_id=hub["jinan"],
            candidate_id=cand,
            decision=decision,
        )
    mt.record_feedback(
        session,
        SYSTEM,
        subject_kind="organisation",
        subject_id=hub["kz"],
        candidate_id=hub["jinan"],
        decision="accept",
    )
    w = mt.current_weights(session, SYSTEM)
    assert sum(w.values()) == pytest.approx(1.0)
    assert w != pytest.approx(DEFAULT_WEIGHTS)
    with pytest.raises(UnknownChoiceError):
        mt.record_feedback(
            session,
            SYSTEM,
            subject_kind="organisation",
            subject_id=hub["kz"],
            candidate_id=hub["jinan"],
            decision="maybe",
        )
