"""pandera schemas of the canonical datasets (see docs/reference/datasets.md).

Importers validate their output with :func:`validate` before publishing; a failure here is a bug
in an importer (inputs are checked row by row earlier, with ``file:row:column`` messages).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from silkhub.errors import DataImportError

_ISO3 = pa.Check.str_matches(r"^[A-Z]{3}$")

WDI_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": pa.Column(str, _ISO3),
        "indicator": pa.Column(str),
        "year": pa.Column("int32", pa.Check.in_range(1900, 2100)),
        "value": pa.Column(float, nullable=True),
    },
    unique=["iso3", "indicator", "year"],
    strict=True,
    ordered=True,
)

BILATERAL_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column("int32", pa.Check.in_range(1900, 2100)),
        "exporter": pa.Column(str, _ISO3),
        "importer": pa.Column(str, _ISO3),
        "product": pa.Column(str),
        "value_usd": pa.Column(float, nullable=True),
        "quantity": pa.Column(float, nullable=True),
    },
    strict=True,
    ordered=True,
)

EXPORTS_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column("int32"),
        "exporter": pa.Column(str, _ISO3),
        "product": pa.Column(str),
        "value_usd": pa.Column(float, pa.Check.ge(0)),
    },
    unique=["year", "exporter", "product"],
    strict=True,
    ordered=True,
)

_COUNT = pa.Check.ge(0)

AIR_ROUTES_SCHEMA = pa.DataFrameSchema(
    {
        "source_iata": pa.Column(object, nullable=True),
        "source_city": pa.Column(object, nullable=True),
        "source_iso3": pa.Column(str, _ISO3),
        "dest_iata": pa.Column(object, nullable=True),
        "dest_city": pa.Column(object, nullable=True),
        "dest_iso3": pa.Column(str, _ISO3),
        "airlines": pa.Column("int32", pa.Check.ge(1)),
        "codeshare_only": pa.Column(bool),
        "international": pa.Column(bool),
        "dest_bri": pa.Column(bool),
    },
    strict=True,
    ordered=True,
)

AIR_CONNECTIVITY_SCHEMA = pa.DataFrameSchema(
    {
        "city": pa.Column(str),
        "iso3": pa.Column(str, _ISO3),
        "iata": pa.Column(str),
        "lat": pa.Column(float, pa.Check.in_range(-90, 90)),
        "lon": pa.Column(float, pa.Check.in_range(-180, 180)),
        "routes": pa.Column("int32", pa.Check.ge(1)),
        "intl_routes": pa.Column("int32", _COUNT),
        "intl_destinations": pa.Column("int32", _COUNT),
        "countries_reached": pa.Column("int32", _COUNT),
        "routes_to_bri": pa.Column("int32", _COUNT),
        "bri_countries_reached": pa.Column("int32", _COUNT),
    },
    checks=[
        pa.Check(lambda d: d["intl_routes"] <= d["routes"], name="intl_routes <= routes"),
        pa.Check(lambda d: d["routes_to_bri"] <= d["intl_routes"], name="bri <= intl"),
    ],
    unique=["city", "iso3"],
    strict=True,
    ordered=True,
)

FDI_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": pa.Column(str, _ISO3),
        "year": pa.Column("int32", pa.Check.in_range(1900, 2100)),
        "value_usd": pa.Column(float, nullable=True),
        "source": pa.Column(str),
    },
    unique=["iso3", "year"],
    strict=True,
    ordered=True,
)

HS_PRODUCTS_SCHEMA = pa.DataFrameSchema(
    {
        "classification": pa.Column(str),
        "product": pa.Column(str, pa.Check.str_matches(r"^\d{6}$")),
        "description": pa.Column(object, nullable=True),
    },
    unique=["classification", "product"],
    strict=True,
    ordered=True,
)

TRACKER_COLUMNS = [
    "source",
    "source_id",
    "year",
    "month",
    "iso3",
    "country_name",
    "sector",
    "subsector",
    "amount_usd",
    "investor",
    "counterparty",
    "project_type",
    "status",
    "title",
    "bri",
    "region_name",
    "record_json",
]

TRACKER_SCHEMA = pa.DataFrameSchema(
    {
        "source": pa.Column(str, pa.Check.isin(["cgit", "gcdf"])),
        "source_id": pa.Column(str),
        "year": pa.Column("Int32", nullable=True),
        "month": pa.Column("Int32", pa.Check.in_range(1, 12), nullable=True),
        "iso3": pa.Column(object, nullable=True),
        "country_name": pa.Column(object, nullable=True),
        "sector": pa.Column(object, nullable=True),
        "subsector": pa.Column(object, nullable=True),
        "amount_usd": pa.Column(float, nullable=True),
        "investor": pa.Column(object, nullable=True),
        "counterparty": pa.Column(object, nullable=True),
        "project_type": pa.Column(object, nullable=True),
        "status": pa.Column(object, nullable=True),
        "title": pa.Column(object, nullable=True),
        "bri": pa.Column("boolean", nullable=True),
        "region_name": pa.Column(object, nullable=True),
        "record_json": pa.Column(str),
    },
    unique=["source", "source_id"],
    strict=True,
    ordered=True,
)


#: above this many rows the value checks run on the first and a random sample of rows (the
#: importers have already checked every cell with file:row:column messages)
FULL_CHECK_ROWS = 200_000


def validate(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """Validate an importer's output; schema errors become a :class:`DataImportError`."""
    try:
        if len(frame) > FULL_CHECK_ROWS:
            schema.validate(frame, head=FULL_CHECK_ROWS // 2, sample=FULL_CHECK_ROWS // 2,
                            random_state=0, lazy=True)  # fmt: skip
            return frame
        return schema.validate(frame, lazy=True)
    except (pa.errors.SchemaErrors, pa.errors.SchemaError) as exc:
        raise DataImportError(
            f"output failed the {schema.name or 'dataset'} schema: {exc}"
        ) from None
