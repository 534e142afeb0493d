from datetime import date

import pytest

from silkhub.data.reference import queries
from silkhub.data.reference.loader import load_reference
from silkhub.data.reference.names import to_iso3
from silkhub.errors import UnknownChoiceError, UnknownCountryError


def test_reference_load_is_idempotent(runtime):
    with runtime.session() as s:
        first = len(queries.list_countries(s))
        n_bri = queries.count_members(s, "bri", date(2022, 1, 1))
        load_reference(s)
    with runtime.session() as s:
        assert len(queries.list_countries(s)) == first
        assert queries.count_members(s, "bri", date(2022, 1, 1)) == n_bri


@pytest.mark.parametrize(
    ("group", "as_of", "iso3", "expected"),
    [
        pytest.param("bri", date(2020, 1, 1), "ITA", True, id="italy-in-2020"),
        pytest.param("bri", date(2024, 6, 1), "ITA", False, id="italy-left-2023"),
        pytest.param("bri", date(2019, 3, 22), "ITA", False, id="italy-day-before"),
        pytest.param("sco", date(2018, 1, 1), "IND", True, id="india-sco-2018"),
        pytest.param("sco", date(2016, 1, 1), "IND", False, id="india-observer-2016"),
        pytest.param("eu", date(2020, 3, 1), "GBR", False, id="brexit"),
        pytest.param("asean", date(2026, 1, 1), "TLS", True, id="timor-leste"),
        pytest.param("rcep", date(2022, 2, 15), "KOR", True, id="rcep-korea"),
        pytest.param("route65", date(2015, 1, 1), "KAZ", True, id="route65"),
    ],
)
def test_membership_as_of(runtime, group, as_of, iso3, expected):
    with runtime.session() as s:
        assert (iso3 in queries.member_iso3s(s, group, as_of)) is expected


def test_route65_has_65_countries(runtime):
    with runtime.session() as s:
        assert len(queries.member_iso3s(s, "route65", date(2016, 1, 1))) == 65


def test_sco_roles(runtime):
    with runtime.session() as s:
        observers = queries.member_iso3s(s, "sco", date(2016, 1, 1), role="observer")
    assert {"IND", "PAK", "IRN", "MNG", "AFG", "BLR"} <= set(observers)


def test_every_membership_has_a_source(runtime):
    with runtime.session() as s:
        rows = queries.list_countries(s, group="bri", as_of=date(2025, 1, 1))
        assert rows
        for _c, m in queries.members_as_of(s, "bri", date(2025, 1, 1)):
            assert m.source


def test_chinese_names(runtime):
    with runtime.session() as s:
        assert queries.get_country(s, "DEU").name_zh == "德国"
        assert queries.get_country(s, "deu").iso3 == "DEU"
        assert queries.get_country(s, "俄罗斯").iso3 == "RUS"


def test_unknown_country_and_group(runtime):
    with runtime.session() as s:
        with pytest.raises(UnknownCountryError):
            queries.get_country(s, "XXX")
        with pytest.raises(UnknownChoiceError) as exc:
            queries.list_countries(s, group="nato")
        assert "bri" in str(exc.value)


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Russian Federation", "RUS"),
        ("俄罗斯", "RUS"),
        ("ROM", "ROU"),
        ("ROU", "ROU"),
        ("156", "CHN"),
        (156, "CHN"),
        ("刚果（布）", "COG"),
        ("多米尼加", "DOM"),
        ("Czech Rep.", "CZE"),
        ("Viet Nam", "VNM"),
    ],
)
def test_to_iso3(name, iso3):
    assert to_iso3(name) == iso3


def test_find_region(runtime):
    with runtime.session() as s:
        assert queries.find_region(s, "Jinan").region_id == "CN-SD-jinan"
        assert queries.find_region(s, "济南").region_id == "CN-SD-jinan"
        assert queries.find_region(s, "CN-ZJ").name_en == "Zhejiang"
        with pytest.raises(UnknownChoiceError):
            queries.find_region(s, "Atlantis")
