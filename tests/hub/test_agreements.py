from datetime import date
from decimal import Decimal

import pytest

from silkhub.errors import NotFoundError, ValidationError
from silkhub.hub import agreements as ag
from silkhub.hub import demo, performance
from silkhub.hub.policy import Actor
from tests.hub.conftest import SYSTEM, member


def _agreement(session, parties, **kw):
    kw.setdefault("kind", "mou")
    kw.setdefault("title_en", "MoU")
    return ag.create_agreement(session, SYSTEM, ag.AgreementIn(party_ids=parties, **kw))


def test_dates_must_be_consistent(session, two_orgs):
    with pytest.raises(ValidationError) as exc:
        _agreement(
            session, list(two_orgs), signed_on=date(2020, 5, 1), effective_on=date(2020, 4, 1)
        )
    assert exc.value.field == "effective_on"
    with pytest.raises(ValidationError) as exc:
        _agreement(session, list(two_orgs), signed_on=date(2020, 5, 1), expiry_on=date(2019, 1, 1))
    assert exc.value.field == "expiry_on"


def test_commitment_rules(session, two_orgs):
    a, b = two_orgs
    with pytest.raises(ValidationError) as exc:
        _agreement(session, [a], commitments=[ag.CommitmentIn(owed_by_id=b, what_en="x")])
    assert "not a party" in exc.value.message
    with pytest.raises(ValidationError):
        _agreement(
            session,
            [a],
            commitments=[ag.CommitmentIn(owed_by_id=a, what_en="x", amount=Decimal(5))],
        )
    with pytest.raises(ValidationError):
        _agreement(
            session,
            [a],
            commitments=[ag.CommitmentIn(owed_by_id=a, what_en="x", status="fulfilled")],
        )


def test_performance_per_agreement_and_organisation(session, two_orgs):
    a, b = two_orgs
    C = ag.CommitmentIn
    agr = _agreement(
        session,
        [a, b],
        signed_on=date(2020, 1, 1),
        commitments=[
            C(
                owed_by_id=a,
                what_en="A",
                due_on=date(2020, 6, 30),
                status="fulfilled",
                fulfilled_on=date(2020, 6, 1),
                amount=100,
                currency="USD",
                fulfilled_amount=100,
            ),
            C(
                owed_by_id=a,
                what_en="B",
                due_on=date(2020, 9, 30),
                status="fulfilled",
                fulfilled_on=date(2020, 10, 15),
                amount=300,
                currency="USD",
                fulfilled_amount=200,
            ),
            C(owed_by_id=b, what_en="C", due_on=date(2020, 12, 1)),
            C(owed_by_id=b, what_en="D", due_on=date(2021, 6, 30)),
        ],
    )
    p = performance.agreement_performance(session, SYSTEM, agr.id, date(2021, 1, 1))
    # evaluated: A (on time), B (late), C (overdue 31 days); D pending → on-time rate 1/3
    assert (p.evaluated, p.on_time, p.late, p.overdue, p.pending) == (3, 1, 1, 1, 1)
    assert p.on_time_rate == pytest.approx(1 / 3)
    assert p.max_days_overdue == 31
    # fulfilled 100 + 200 = 300 of committed 100 + 300 = 400 → 0.75
    assert (p.fulfilled_usd, p.committed_usd, p.fulfilment_rate) == (300, 400, 0.75)
    po = performance.organisation_performance(session, SYSTEM, b, date(2021, 1, 1))
    assert (po.commitments, po.overdue, po.on_time_rate) == (2, 1, 0.0)
    items = performance.overdue_items(session, SYSTEM, date(2021, 1, 1))
    assert [(i.what, i.days_overdue) for i in items] == [("C", 31)]
    ag.fulfil_commitment(
        session, SYSTEM, agr.commitments[2].id, ag.FulfilIn(fulfilled_on=date(2021, 1, 5))
    )
    p2 = performance.agreement_performance(session, SYSTEM, agr.id, date(2021, 2, 1))
    assert (p2.overdue, p2.late) == (0, 2)


def test_demo_performance_has_overdue_items(session):
    demo.load_into(session)
    rows = performance.performance_table(session, SYSTEM, "agreement", date(2024, 1, 1))
    assert len(rows) == 3
    assert sum(r["overdue"] for r in rows) == 3
    region = performance.region_performance(session, SYSTEM, "Qingdao", date(2024, 1, 1))
    assert region.commitments == 4


def test_private_agreement_hidden(session, two_orgs):
    a, b = two_orgs
    agr = _agreement(
        session, [a], visibility="private", commitments=[ag.CommitmentIn(owed_by_id=a, what_en="x")]
    )
    assert ag.get_agreement(session, member(session, a), agr.id).id == agr.id
    for actor in (member(session, b), Actor.anonymous()):
        with pytest.raises(NotFoundError):
            ag.get_agreement(session, actor, agr.id)
        with pytest.raises(NotFoundError):
            ag.fulfil_commitment(
                session, actor, agr.commitments[0].id, ag.FulfilIn(fulfilled_on=date(2021, 1, 1))
            )
        assert ag.list_agreements(session, actor).items == []
        assert performance.performance_table(session, actor) == []
