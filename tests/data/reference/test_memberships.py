"""Curated BRI memberships (issue 15, point 3): dated exits and accessions, precision, updates."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from silkhub.data.reference import queries
from silkhub.data.reference.loader import (
    check_memberships,
    shipped_memberships,
    update_memberships,
)
from silkhub.errors import DataImportError

FIELDS = ["group_code", "iso3", "role", "joined", "joined_precision", "left", "source", "note"]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(FIELDS)
        w.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("as_of", "iso3", "expected"),
    [
        pytest.param(date(2025, 6, 1), "PAN", False, id="panama-left-feb-2025"),
        pytest.param(date(2025, 2, 5), "PAN", True, id="panama-day-before-exit"),
        pytest.param(date(2025, 6, 1), "COL", True, id="colombia-signed-may-2025"),
        pytest.param(date(2025, 5, 13), "COL", False, id="colombia-day-before"),
        pytest.param(date(2019, 6, 1), "SLB", False, id="solomons-not-before-oct-2019"),
        pytest.param(date(2019, 10, 9), "SLB", True, id="solomons-signed-9-oct-2019"),
        pytest.param(date(2024, 1, 1), "ITA", False, id="italy-left-dec-2023"),
        pytest.param(date(2023, 6, 12), "HND", True, id="honduras-june-2023"),
        pytest.param(date(2020, 1, 6), "KIR", True, id="kiribati-jan-2020"),
    ],
)
def test_curated_bri_dates(runtime, as_of, iso3, expected) -> None:
    with runtime.session() as s:
        assert (iso3 in queries.member_iso3s(s, "bri", as_of)) is expected


def test_every_shipped_row_passes_the_update_checks_and_has_a_source(runtime) -> None:
    with runtime.session() as s:
        from sqlalchemy import select

        from silkhub.data.storage.models.reference import Country, CountryGroup

        groups = set(s.scalars(select(CountryGroup.code)))
        countries = set(s.scalars(select(Country.iso3)))
    rows = check_memberships(
        shipped_memberships(), file="group_memberships.csv", groups=groups, countries=countries
    )
    assert all(r["source"] for r in rows)
    bri = [r for r in rows if r["group_code"] == "bri"]
    by = {r["iso3"]: r for r in bri}
    assert by["PAN"]["left"] == date(2025, 2, 6) and by["PAN"]["joined_precision"] == "day"
    assert by["COL"]["joined"] == date(2025, 5, 14)
    assert by["SLB"]["joined"] == date(2019, 10, 9)
    # year-only rows stay year-only: 1 January and precision "year"
    assert all(
        (r["joined"].month, r["joined"].day) == (1, 1)  # type: ignore[union-attr]
        for r in bri
        if r["joined_precision"] == "year"
    )


def test_as_of_answers_say_when_they_rest_on_year_only_dates(runtime) -> None:
    with runtime.session() as s:
        pairs = queries.year_only_on(s, "bri", date(2018, 6, 1))
        assert pairs and all(y == 2018 for _, y in pairs)
        assert "AGO" in {c for c, _ in pairs}  # source: 2018 only
        note = queries.year_only_note("bri", date(2018, 6, 1), pairs)
        assert note is not None and "known to the year only (2018)" in note
        # 31 December and later years do not depend on the day of a year-only signing
        assert queries.year_only_on(s, "bri", date(2018, 12, 31)) == []
        assert queries.year_only_on(s, "bri", date(2025, 6, 1)) == []
        rows = {r.iso3: r for r in queries.list_countries(s, group="bri", as_of=date(2025, 6, 1))}
        assert rows["AGO"].joined == "2018" and rows["AGO"].joined_precision == "year"
        assert rows["COL"].joined == "2025-05-14" and rows["COL"].source


def test_update_replaces_only_the_groups_in_the_file(runtime, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "bri.csv",
        [
            ["bri", "CHL", "member", "2018-11-02", "day", "", "MFA transcript 2018-11-02", ""],
            ["bri", "PAN", "member", "2017-11-17", "day", "2025-02-06", "CNA 2025-02-07", ""],
            ["bri", "COL", "member", "2025", "year", "", "news of the signing", "day unknown"],
        ],
    )
    with runtime.session() as s:
        n_asean = len(queries.member_iso3s(s, "asean", date(2020, 1, 1)))
        res = update_memberships(s, f)
    assert res.groups["bri"][1] == 3 and res.year_only == 1
    with runtime.session() as s:
        assert queries.member_iso3s(s, "bri", date(2025, 6, 1)) == ["CHL", "COL"]
        assert len(queries.member_iso3s(s, "asean", date(2020, 1, 1))) == n_asean
        [col] = [r for r in queries.list_countries(s, group="bri") if r.iso3 == "COL"]
        assert (col.joined, col.joined_precision) == ("2025", "year")


def test_a_bad_file_lists_every_problem_and_changes_nothing(runtime, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "bad.csv",
        [
            ["bri", "ZZZ", "member", "2018-01-01", "day", "", "x", ""],
            ["bri", "CHL", "member", "2018-13-01", "day", "", "x", ""],
            ["bri", "PER", "member", "2019-04-25", "month", "", "", ""],
            ["bri", "ARG", "member", "2022-02-06", "day", "2021-01-01", "x", ""],
            ["bri", "BOL", "member", "2018-06-01", "year", "", "x", ""],
            ["nato", "FRA", "member", "1949-04-04", "day", "", "x", ""],
            ["bri", "URY", "member", "2018-08-20", "day", "", "x", ""],
            ["bri", "URY", "member", "2019-01-01", "day", "", "x", ""],
        ],
    )
    with runtime.session() as s:
        before = queries.member_iso3s(s, "bri", date(2025, 6, 1))
        with pytest.raises(DataImportError) as exc:
            update_memberships(s, f)
    errors = exc.value.errors
    assert "bad.csv:2:iso3: unknown country code 'ZZZ'" in errors
    assert any(e.startswith("bad.csv:3:joined: '2018-13-01' is not a date") for e in errors)
    assert "bad.csv:4:joined_precision: 'month' is not day or year" in errors
    assert any(e.startswith("bad.csv:4:source: empty") for e in errors)
    assert "bad.csv:5:left: 2021-01-01 is not after joined 2022-02-06" in errors
    assert any(
        e.startswith("bad.csv:6:joined: '2018-06-01': a year-precision date") for e in errors
    )
    assert any(e.startswith("bad.csv:7:group_code: unknown group 'nato'") for e in errors)
    assert "bad.csv:9:joined: bri URY member: overlaps the interval of row 8" in errors
    with runtime.session() as s:
        assert queries.member_iso3s(s, "bri", date(2025, 6, 1)) == before
