from datetime import date

import pytest

from silkhub.errors import ConflictError, NotFoundError, ValidationError
from silkhub.hub import talent as svc
from silkhub.hub.policy import Actor
from tests.hub.conftest import SYSTEM, member


def _profile(**kw):
    base = dict(
        name_en="Aigerim S.",
        nationality="KAZ",
        based_in="Qingdao",
        languages=[
            svc.LanguageIn(code="ru", level="native"),
            svc.LanguageIn(code="zh", level="B2"),
        ],
        sectors=["52"],
        skills_en="rail freight logistics, customs",
        countries_experience=["KAZ", "UZB"],
        available_from=date(2026, 1, 1),
        consent_on=date(2026, 11, 1),
    )
    base.update(kw)
    return svc.TalentIn(**base)


def test_private_by_default(session, two_orgs):
    p = svc.create_profile(session, SYSTEM, _profile())
    assert p.visibility == "operators"
    outsider = member(session, two_orgs[1])
    with pytest.raises(NotFoundError):
        svc.get_profile(session, outsider, p.id)
    assert svc.get_profile(session, member(session, None, "operator"), p.id).id == p.id
    assert p.id not in {x.id for x in svc.list_profiles(session, outsider)}
    assert p.id not in {x.id for x in svc.list_profiles(session, Actor.anonymous())}


def test_owner_sees_exports_and_deletes(session, two_orgs):
    me = member(session, two_orgs[0])
    p = svc.create_profile(session, me, _profile(link_to_me=True, consent_on=None))
    assert svc.my_profile(session, me).id == p.id
    data = svc.export_profile(session, me, p.id)
    assert data["profile"]["name_en"] == "Aigerim S."
    assert any(e["action"] == "talent.create" for e in data["audit_trail"])
    # the audit trail holds field names, never personal values
    assert "Aigerim" not in str(data["audit_trail"])
    other = member(session, two_orgs[1])
    with pytest.raises(NotFoundError):
        svc.export_profile(session, other, p.id)
    with pytest.raises(NotFoundError):
        svc.delete_profile(session, other, p.id)
    svc.delete_profile(session, me, p.id)
    assert p.name_en is None and p.nationality is None and p.deleted_at is not None
    with pytest.raises(NotFoundError):
        svc.get_profile(session, me, p.id)


def test_staff_needs_consent(session):
    with pytest.raises(ValidationError) as exc:
        svc.create_profile(session, SYSTEM, _profile(consent_on=None))
    assert exc.value.field == "consent_on"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        pytest.param(
            {"languages": [svc.LanguageIn(code="xx", level="B2")]},
            "languages[0].code",
            id="unknown-language",
        ),
        pytest.param(
            {"languages": [svc.LanguageIn(code="ru", level="fluent")]},
            "languages[0].level",
            id="unknown-level",
        ),
        pytest.param(
            {"available_from": date(2027, 1, 1), "available_to": date(2026, 1, 1)},
            "available_to",
            id="dates-reversed",
        ),
        pytest.param({"available_from": date(1800, 1, 1)}, "available_from", id="impossible"),
        pytest.param({"email": "not-an-email"}, "email", id="bad-email"),
    ],
)
def test_field_errors(session, kw, field):
    with pytest.raises(ValidationError) as exc:
        svc.create_profile(session, SYSTEM, _profile(**kw))
    assert exc.value.field == field


def test_duplicate_person_rejected(session):
    svc.create_profile(session, SYSTEM, _profile(email="a@example.org"))
    with pytest.raises(ConflictError):
        svc.create_profile(session, SYSTEM, _profile(name_en="Other", email="A@example.org"))
    with pytest.raises(ConflictError):
        svc.create_profile(session, SYSTEM, _profile(email=None))


def test_position_suggestions_with_reasons(session, two_orgs):
    svc.create_profile(session, SYSTEM, _profile(visibility="members"))
    svc.create_profile(
        session,
        SYSTEM,
        _profile(
            name_en="Banker",
            nationality="UZB",
            sectors=["64"],
            skills_en="trade finance",
            languages=[svc.LanguageIn(code="en", level="C1")],
            visibility="members",
        ),
    )
    owner = member(session, two_orgs[0])
    pos = svc.create_position(
        session,
        owner,
        svc.PositionIn(
            organisation_id=two_orgs[0],
            role_en="Rail freight coordinator",
            sector="52",
            description_en="rail freight logistics with Kazakhstan",
            languages=[svc.LanguageIn(code="ru", level="C1")],
            countries=["KAZ"],
            start_on=date(2027, 1, 1),
            end_on=date(2027, 6, 30),
            location="Qingdao",
        ),
    )
    res = svc.suggest_talent(session, owner, pos.id, top=5)
    assert res[0][0].name_en == "Aigerim S."
    best = res[0][1]
    assert {p.name for p in best.parts} >= {"expertise", "language", "text"}
    assert all(p.reason for p in best.parts)
    # another organisation may not see suggestions for this position's owner
    with pytest.raises((NotFoundError, Exception)):
        svc.suggest_talent(session, member(session, two_orgs[1]), pos.id)
    fb = svc.record_feedback(session, owner, pos.id, res[0][0].id, True)
    assert fb.parts["expertise"] == 1.0


def test_position_validation(session, two_orgs):
    owner = member(session, two_orgs[0])
    with pytest.raises(ValidationError):
        svc.create_position(
            session,
            owner,
            svc.PositionIn(
                organisation_id=two_orgs[0],
                role_en="x",
                start_on=date(2027, 2, 1),
                end_on=date(2027, 1, 1),
            ),
        )
    other = member(session, two_orgs[1])
    with pytest.raises(Exception) as exc:
        svc.create_position(
            session, other, svc.PositionIn(organisation_id=two_orgs[0], role_en="x")
        )
    assert exc.type.__name__ in ("PermissionDeniedError", "NotFoundError")
