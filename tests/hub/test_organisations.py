import pytest

from silkhub.errors import NotFoundError, PermissionDeniedError, UnknownChoiceError
from silkhub.hub import organisations as orgs
from silkhub.hub.policy import Actor
from tests.hub.conftest import SYSTEM, member


def test_service_provider_with_services_and_filters(session):
    o = orgs.create_organisation(
        session,
        SYSTEM,
        orgs.OrganisationIn(
            kind="service provider",
            name_zh="青岛律师事务所",
            region_id="Qingdao",
            sectors=["69", "m"],
            languages=["ZH", "ru"],
            services=[orgs.ServiceIn(service="law", countries=["Kazakhstan", "UZB"])],
        ),
    )
    assert (o.kind, o.iso3, o.languages) == ("service_provider", "CHN", "zh,ru")
    assert sorted(s.isic_code for s in o.sectors) == ["69", "M"]
    assert o.services[0].countries == "KAZ,UZB"
    page = orgs.list_organisations(session, SYSTEM, service="law", serves_country="KAZ")
    assert [x.id for x in page.items] == [o.id]
    assert orgs.list_organisations(session, SYSTEM, sector="M").items[0].id == o.id
    assert orgs.list_organisations(session, SYSTEM, q="律师").items[0].id == o.id
    assert orgs.list_organisations(session, SYSTEM, service="visa").items == []


def test_bad_kind_and_service(session):
    with pytest.raises(UnknownChoiceError):
        orgs.create_organisation(session, SYSTEM, orgs.OrganisationIn(kind="club", name_en="x"))
    with pytest.raises(UnknownChoiceError):
        orgs.create_organisation(
            session,
            SYSTEM,
            orgs.OrganisationIn(kind="soe", name_en="x", services=[orgs.ServiceIn(service="spa")]),
        )


def test_members_edit_only_their_own(session, two_orgs):
    a, b = two_orgs
    orgs.update_organisation(
        session, member(session, a), a, orgs.OrganisationPatch(name_en="COSCO Ltd")
    )
    with pytest.raises(PermissionDeniedError):
        orgs.update_organisation(
            session, member(session, b), a, orgs.OrganisationPatch(name_en="x")
        )
    with pytest.raises(PermissionDeniedError):
        orgs.create_organisation(
            session, member(session, a), orgs.OrganisationIn(kind="soe", name_en="x")
        )


def test_private_organisation_invisible(session):
    o = orgs.create_organisation(
        session, SYSTEM, orgs.OrganisationIn(kind="soe", name_en="Hidden", visibility="private")
    )
    with pytest.raises(NotFoundError):
        orgs.get_organisation(session, Actor.anonymous(), o.id)
    assert o.id not in [x.id for x in orgs.list_organisations(session, Actor.anonymous()).items]


def test_offers_and_requests(session, two_orgs):
    a, _ = two_orgs
    item = orgs.add_offer(
        session,
        member(session, a),
        a,
        orgs.OfferIn(
            kind="request",
            title_en="Seek Kazakh logistics partner",
            isic_code="52",
            countries=["KAZ"],
            budget_min=1,
            budget_max=5,
            currency="usd",
        ),
    )
    assert (item.currency, item.countries) == ("USD", "KAZ")
    assert [x.id for x in orgs.list_offers(session, SYSTEM, kind="request")] == [item.id]
