"""OpenFlights -> air_routes / air_connectivity, on a hand-made network and the real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkhub.data.importers.runner import run_import
from silkhub.data.store import AnalyticsStore


def test_hand_made_network(store: AnalyticsStore, fixtures: Path) -> None:
    results = run_import(
        store, "openflights", fixtures / "openflights", bri_iso3s=frozenset({"KAZ", "PAK"})
    )
    assert [(r.dataset, r.rows) for r in results] == [("air_routes", 6), ("air_connectivity", 2)]
    # only cities with departures are listed: Beijing and Shanghai
    # 10 routes: 1 has a stop, 1 goes to an unknown airport (id 99) -> 8 direct routes
    # forming 6 airport pairs (PEK-ALA by CA and KC, PEK-FRA by CA and LH)
    assert results[0].notes[:2] == [
        "1 routes with stops left out",
        "1 routes with an airport missing from airports.dat left out",
    ]
    con = store.connect()
    assert con.sql(
        "SELECT airlines, codeshare_only, international, dest_bri FROM air_routes "
        "WHERE source_iata = 'PEK' AND dest_iata = 'ALA'"
    ).fetchall() == [(2, False, True, True)]
    beijing = store.read("air_connectivity", "city = 'Beijing'").iloc[0]
    # Beijing (PEK + NAY): PEK->ALA, PEK->FRA, PEK->PVG, NAY->PVG, PEK->ISB (ISB found by IATA)
    assert beijing["iata"] == "NAY,PEK"
    assert beijing["routes"] == 5
    assert beijing["intl_routes"] == 3  # ALA, FRA, ISB
    assert beijing["intl_destinations"] == 3
    assert beijing["countries_reached"] == 3  # KAZ, DEU, PAK
    assert beijing["routes_to_bri"] == 2  # ALA (KAZ), ISB (PAK)
    assert beijing["bri_countries_reached"] == 2
    assert beijing["lat"] == pytest.approx((40.0801010131836 + 39.7827987670898) / 2)
    shanghai = store.read("air_connectivity", "city = 'Shanghai'").iloc[0]
    assert (shanghai["routes"], shanghai["intl_routes"], shanghai["routes_to_bri"]) == (1, 1, 1)


def test_bad_airport_row(store: AnalyticsStore, fixtures: Path, tmp_path: Path) -> None:
    folder = tmp_path / "of"
    folder.mkdir()
    (folder / "routes.dat").write_bytes((fixtures / "openflights" / "routes.dat").read_bytes())
    lines = (fixtures / "openflights" / "airports.dat").read_text().splitlines()
    lines[2] = lines[2].replace("43.35210037231445", "north").replace('"Kazakhstan"', '"Atlantis"')
    (folder / "airports.dat").write_text("\n".join(lines) + "\n")
    from silkhub.errors import DataImportError

    with pytest.raises(DataImportError) as exc:
        run_import(store, "openflights", folder)
    # no header in .dat files: row 3 is the third line
    assert exc.value.errors[0] == "airports.dat:3:latitude: 'north' is not a number"
    assert exc.value.errors[1].startswith("airports.dat:3:country: unknown country 'Atlantis'")


@pytest.mark.shared_data
def test_real_openflights(store: AnalyticsStore, shared_data: Path) -> None:
    results = run_import(
        store,
        "openflights",
        shared_data / "openflights",
        bri_iso3s=frozenset({"KAZ", "PAK", "RUS"}),
        as_of="2020-01-01",
    )
    assert results[0].rows > 30000
    con = store.connect()
    top = con.sql(
        "SELECT city FROM air_connectivity WHERE iso3 = 'CHN' ORDER BY intl_routes DESC LIMIT 3"
    ).fetchall()
    assert [c for (c,) in top] == ["Beijing", "Shanghai", "Guangzhou"]
    # routes_to_bri never exceeds intl_routes, which never exceeds routes
    assert con.sql(
        "SELECT count(*) FROM air_connectivity WHERE routes_to_bri > intl_routes "
        "OR intl_routes > routes"
    ).fetchall() == [(0,)]
