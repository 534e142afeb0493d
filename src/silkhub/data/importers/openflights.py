"""OpenFlights airports + routes -> ``air_routes`` (airport pairs), ``air_connectivity`` (cities).

Input: the OpenFlights folder (``airports.dat``, ``routes.dat``; no header, ``\\N`` = NULL).
Only direct routes (``stops = 0``) count. A route's airports are found by OpenFlights id, else by
IATA code; routes whose airport is not in ``airports.dat`` are counted in the catalog notes.

``air_routes``: one row per directed airport pair with the number of airlines flying it.
``air_connectivity``: per city (its airports pooled):

* ``routes`` — directed airport pairs leaving the city;
* ``intl_routes`` — those to another country (Hong Kong, Macao and Taiwan have their own ISO3
  codes, so mainland-China routes to them count as international);
* ``intl_destinations`` — distinct foreign airports served directly;
* ``countries_reached`` — distinct foreign countries served directly;
* ``routes_to_bri`` / ``bri_countries_reached`` — international routes to, and countries among,
  the BRI signatories as of the import date (``--as-of``, recorded in the notes).

Licence: ODbL 1.0 — derived tables must credit OpenFlights.org and stay under ODbL.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from silkhub.data.importers.base import (
    ImportContext,
    Output,
    Problems,
    read_csv_checked,
    settle,
    to_number,
)
from silkhub.data.importers.countries import CountryMatcher
from silkhub.data.importers.schemas import AIR_CONNECTIVITY_SCHEMA, AIR_ROUTES_SCHEMA, validate
from silkhub.errors import DataImportError

VERSION = "1.0"
SOURCE = "openflights"
TITLE = "OpenFlights airports and routes (direct international connectivity)"
SOURCE_URL = "https://openflights.org/data.php"
SOURCE_VERSION = "jpatokal/openflights@5a03602 (routes snapshot c. June 2014)"
LICENCE = "ODbL 1.0 (OpenFlights.org)"
DATASETS = ("air_routes", "air_connectivity")

AIRPORT_COLUMNS = (
    "airport_id", "name", "city", "country", "iata", "icao", "latitude", "longitude",
    "altitude", "timezone", "dst", "tz_database", "type", "source",
)  # fmt: skip
ROUTE_COLUMNS = (
    "airline", "airline_id", "source_airport", "source_airport_id", "dest_airport",
    "dest_airport_id", "codeshare", "stops", "equipment",
)  # fmt: skip


def collect(path: Path) -> list[Path]:
    folder = path if path.is_dir() else path.parent
    files = [folder / "airports.dat", folder / "routes.dat"]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise DataImportError(f"{folder}: missing {', '.join(missing)} (OpenFlights folder)")
    return files


def _read(p: Path, names: tuple[str, ...], ctx: ImportContext):  # type: ignore[no-untyped-def]
    t = read_csv_checked(
        p, (), encoding=ctx.encoding, sep=ctx.sep, header=False, names=names, na_values=["\\N"]
    )
    return t


def read_airports(p: Path, ctx: ImportContext, problems: Problems) -> pd.DataFrame:
    t = _read(p, AIRPORT_COLUMNS, ctx)
    f = t.frame
    short = f["source"].isna() & f["type"].isna() & f["tz_database"].isna()
    for i in short[short].index:
        problems.add(t.file, int(t.rows[i]), None, "too few fields (expected 14)")
    lat = to_number(t, "latitude", problems, required=True)
    lon = to_number(t, "longitude", problems, required=True)
    aid = to_number(t, "airport_id", problems, integer=True, required=True)
    iso = CountryMatcher().column(
        f["country"], file=t.file, column="country", rows=t.rows, problems=problems
    )
    out = pd.DataFrame(
        {
            "airport_id": aid,
            "iata": f["iata"].str.strip(),
            "city": f["city"].fillna(f["name"]).str.strip(),
            "iso3": iso,
            "lat": lat,
            "lon": lon,
        }
    )
    return settle(problems, ctx, "OpenFlights airports rejected", out, t.file, t.rows)


def read_routes(p: Path, ctx: ImportContext, problems: Problems) -> pd.DataFrame:
    t = _read(p, ROUTE_COLUMNS, ctx)
    f = t.frame
    stops = to_number(t, "stops", problems, integer=True)
    out = pd.DataFrame(
        {
            "airline": f["airline"].fillna(f["airline_id"]).astype(str),
            "src": f["source_airport"],
            "src_id": pd.to_numeric(f["source_airport_id"], errors="coerce"),
            "dst": f["dest_airport"],
            "dst_id": pd.to_numeric(f["dest_airport_id"], errors="coerce"),
            "codeshare": f["codeshare"].fillna("").str.strip().eq("Y"),
            "stops": stops.fillna(0),
        }
    )
    return settle(problems, ctx, "OpenFlights routes rejected", out, t.file, t.rows)


def _locate(routes: pd.DataFrame, airports: pd.DataFrame, side: str) -> pd.DataFrame:
    """Airport attributes of one end of each route: by OpenFlights id, else by IATA code."""
    cols = ["iata", "city", "iso3", "lat", "lon"]
    by_id = airports.drop_duplicates("airport_id").set_index("airport_id")[cols]
    res = by_id.reindex(routes[f"{side}_id"]).reset_index(drop=True)
    by_iata = airports.dropna(subset=["iata"]).drop_duplicates("iata").set_index("iata", drop=False)
    alt = by_iata[cols].reindex(routes[side]).reset_index(drop=True)
    miss = res["iso3"].isna()
    res.loc[miss, cols] = alt.loc[miss, cols]
    # airports without an IATA code keep the code the route uses (ICAO) as their key
    res["iata"] = res["iata"].fillna(routes[side].reset_index(drop=True))
    return res.add_prefix(f"{side}_")


def build(
    airports: pd.DataFrame, routes: pd.DataFrame, bri: frozenset[str]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Pure part: located routes -> (air_routes, air_connectivity, notes)."""
    notes = []
    direct = routes[routes["stops"] == 0].reset_index(drop=True)
    if len(direct) < len(routes):
        notes.append(f"{len(routes) - len(direct)} routes with stops left out")
    loc = pd.concat(
        [direct, _locate(direct, airports, "src"), _locate(direct, airports, "dst")], axis=1
    )
    unknown = loc["src_iso3"].isna() | loc["dst_iso3"].isna()
    if unknown.any():
        notes.append(
            f"{int(unknown.sum())} routes with an airport missing from airports.dat left out"
        )
    loc = loc[~unknown]
    pairs = (
        loc.groupby(["src_iata", "dst_iata"], dropna=False)
        .agg(
            source_city=("src_city", "first"),
            source_iso3=("src_iso3", "first"),
            dest_city=("dst_city", "first"),
            dest_iso3=("dst_iso3", "first"),
            airlines=("airline", "nunique"),
            codeshare_only=("codeshare", "all"),
            src_lat=("src_lat", "first"),
            src_lon=("src_lon", "first"),
        )
        .reset_index()
        .rename(columns={"src_iata": "source_iata", "dst_iata": "dest_iata"})
    )
    pairs["international"] = pairs["source_iso3"] != pairs["dest_iso3"]
    pairs["dest_bri"] = pairs["dest_iso3"].isin(bri)
    pairs["airlines"] = pairs["airlines"].astype("int32")
    routes_out = pairs[
        [
            "source_iata", "source_city", "source_iso3", "dest_iata", "dest_city",
            "dest_iso3", "airlines", "codeshare_only", "international", "dest_bri",
        ]
    ].sort_values(["source_iso3", "source_iata", "dest_iata"], ignore_index=True)  # fmt: skip
    intl = pairs[pairs["international"]]
    g = pairs.groupby(["source_city", "source_iso3"])
    ga = pairs.drop_duplicates("source_iata").groupby(["source_city", "source_iso3"])
    gi = intl.groupby(["source_city", "source_iso3"])
    gb = intl[intl["dest_bri"]].groupby(["source_city", "source_iso3"])
    city = pd.DataFrame(
        {
            "iata": g["source_iata"].agg(lambda s: ",".join(sorted(set(s.dropna())))),
            "lat": ga["src_lat"].mean(),
            "lon": ga["src_lon"].mean(),
            "routes": g.size(),
        }
    )
    city["intl_routes"] = gi.size()
    city["intl_destinations"] = gi["dest_iata"].nunique()
    city["countries_reached"] = gi["dest_iso3"].nunique()
    city["routes_to_bri"] = gb.size()
    city["bri_countries_reached"] = gb["dest_iso3"].nunique()
    counts = [
        "routes",
        "intl_routes",
        "intl_destinations",
        "countries_reached",
        "routes_to_bri",
        "bri_countries_reached",
    ]
    city[counts] = city[counts].fillna(0).astype("int32")
    city = city.reset_index().rename(columns={"source_city": "city", "source_iso3": "iso3"})
    city = city[
        ["city", "iso3", "iata", "lat", "lon", "routes", "intl_routes", "intl_destinations",
         "countries_reached", "routes_to_bri", "bri_countries_reached"]
    ].sort_values(["iso3", "city"], ignore_index=True)  # fmt: skip
    return routes_out, city, notes


def run(ctx: ImportContext) -> list[Output]:
    problems = Problems()
    by_name = {p.name: p for p in ctx.paths}
    task = ctx.progress.task("reading OpenFlights", 3)
    airports = read_airports(by_name["airports.dat"], ctx, problems)
    task.advance(1)
    routes = read_routes(by_name["routes.dat"], ctx, problems)
    task.advance(1)
    routes_out, city, notes = build(airports, routes, ctx.bri_iso3s)
    task.advance(1)
    if ctx.bri_iso3s:
        notes.append(f"BRI = {len(ctx.bri_iso3s)} signatories as of {ctx.as_of}")
    else:
        notes.append("no BRI membership given: routes_to_bri is 0")
    return [
        Output("air_routes", frame=validate(AIR_ROUTES_SCHEMA, routes_out), notes=notes),
        Output("air_connectivity", frame=validate(AIR_CONNECTIVITY_SCHEMA, city), notes=notes),
    ]
