"""Rebuild src/silkhub/data/reference/group_memberships.csv from its inputs.

Inputs: typed_memberships.csv (public facts typed in, each with its source) and the shared
files under ../shared/data/bri_membership/ (BRI signatories with year of joining, the 65
along-route countries). Run by a developer when an input changes; silkhub itself reads only the
generated CSV, so the shared folder is not a runtime dependency.

    .venv/bin/python scripts/build_reference.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from silkhub.data.reference.names import to_iso3

REF = Path(__file__).resolve().parents[1] / "src/silkhub/data/reference"
FIELDS = ["group_code", "iso3", "role", "joined", "joined_precision", "left", "source", "note"]
BRI_SRC = (
    "HuangHeng179/beltandroad db/beltandroad.sql table country (commit 1f57cd04), "
    "via shared/data/bri_membership/bri_cooperation_countries_raw.csv"
)
R65_SRC = (
    "HuangHeng179/beltandroad db/beltandroad.sql table bilateralinvestment (commit 1f57cd04), "
    "via shared/data/bri_membership/along_route_65_countries.csv"
)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--shared", type=Path, default=REF.parents[4] / "shared" / "data")
    shared = p.parse_args().shared / "bri_membership"
    typed = list(csv.DictReader((REF / "typed_memberships.csv").open(encoding="utf-8")))
    typed_bri = {r["iso3"] for r in typed if r["group_code"] == "bri"}
    rows: list[dict[str, str]] = []
    with (shared / "bri_cooperation_countries_raw.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            iso3 = to_iso3(r["country_name"])
            if iso3 is None:
                raise SystemExit(f"unmatched name {r['country_name']!r}: add it to the overrides")
            if iso3 == "CHN" or iso3 in typed_bri:
                continue  # China is the initiator; typed rows carry exact dates
            year = r["bri_join_year"].strip()
            if not year:
                continue  # no signing year in the source: not counted as a signatory
            rows.append(
                {
                    "group_code": "bri",
                    "iso3": iso3,
                    "role": "member",
                    "joined": f"{year}-01-01",
                    "joined_precision": "year",
                    "left": "",
                    "source": BRI_SRC,
                    "note": f"source gives the year only ({year})",
                }
            )
    with (shared / "along_route_65_countries.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            iso3 = to_iso3(r["country_name_cn"]) or to_iso3(r["country_name_en"])
            if iso3 is None:
                raise SystemExit(f"unmatched name {r['country_name_cn']!r}")
            rows.append(
                {
                    "group_code": "route65",
                    "iso3": iso3,
                    "role": "member",
                    "joined": "2013-09-07",
                    "joined_precision": "day",
                    "left": "",
                    "source": R65_SRC,
                    "note": (
                        "conventional list; dated from the initiative's launch (Astana, 2013-09-07)"
                    ),
                }
            )
    rows.extend({k: r[k] for k in FIELDS} for r in typed)
    rows.sort(key=lambda r: (r["group_code"], r["iso3"], r["role"], r["joined"]))
    with (REF / "group_memberships.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} membership rows")


if __name__ == "__main__":
    main()
