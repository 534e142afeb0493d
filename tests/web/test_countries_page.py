"""``/countries``: group members as of a date, with the year-only footnote (issue 15)."""

from __future__ import annotations


def test_bri_mid_2025_excludes_panama_and_includes_colombia(web) -> None:
    r = web.get("/countries", params={"group": "bri", "as_of": "2025-06-01", "lang": "en"})
    assert r.status_code == 200
    assert 'href="/countries/COL"' in r.text and 'href="/countries/PAN"' not in r.text
    assert "signing date known to the year only" in r.text  # footnote of the * marks
    assert "they are counted from 1 January" not in r.text  # no 2025 year-only signings


def test_year_only_note_in_both_languages(web) -> None:
    r = web.get("/countries", params={"group": "bri", "as_of": "2018-06-01", "lang": "en"})
    assert "they are counted from 1 January" in r.text
    r = web.get("/countries", params={"group": "bri", "as_of": "2018-06-01", "lang": "zh"})
    assert "按当年1月1日起计" in r.text
