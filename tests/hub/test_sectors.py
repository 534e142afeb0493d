import pytest

from silkhub.errors import UnknownChoiceError
from silkhub.hub import sectors


def test_isic_has_21_sections_and_88_divisions():
    levels = [s.level for s in sectors.sectors().values()]
    assert levels.count("section") == 21
    assert levels.count("division") == 88
    assert sectors.sectors()["42"].name("zh") == "土木工程"


@pytest.mark.parametrize(
    ("given", "code"),
    [("f", "F"), ("42", "42"), ("4210", "42"), ("5", "05"), (None, None), ("", None)],
)
def test_check_sector_normalises(given, code):
    assert sectors.check_sector(given) == code


def test_unknown_sector():
    with pytest.raises(UnknownChoiceError):
        sectors.check_sector("Z9")


def test_codes_under_section():
    assert sectors.codes_under("F") == ["F", "41", "42", "43"]
    assert sectors.section_of("42") == "F"
