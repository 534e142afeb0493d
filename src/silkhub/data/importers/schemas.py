"""pandera schemas of the canonical datasets, generated from :mod:`silkhub.data.registry`.

Importers validate their output with :func:`validate` before publishing; a failure here is a bug
in an importer (inputs are checked row by row earlier, with ``file:row:column`` messages).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from silkhub.data.registry import SCHEMAS, pandera_schema
from silkhub.errors import DataImportError

WDI_SCHEMA = pandera_schema("wdi")
BILATERAL_SCHEMA = pandera_schema("bilateral")
EXPORTS_SCHEMA = pandera_schema("exports")
AIR_ROUTES_SCHEMA = pandera_schema("air_routes")
AIR_CONNECTIVITY_SCHEMA = pandera_schema(
    "air_connectivity",
    checks=[
        pa.Check(lambda d: d["intl_routes"] <= d["routes"], name="intl_routes <= routes"),
        pa.Check(lambda d: d["routes_to_bri"] <= d["intl_routes"], name="bri <= intl"),
    ],
)
FDI_SCHEMA = pandera_schema("fdi")
HS_PRODUCTS_SCHEMA = pandera_schema("hs_products")
TRACKER_COLUMNS = list(SCHEMAS["tracker_projects"].columns)
TRACKER_SCHEMA = pandera_schema("tracker_projects")


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
