"""Live API paths: World Bank (wbgapi) and UN Comtrade (comtradeapicall) -> store datasets.

The HTTP clients are injectable so that parsing is tested on recorded responses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from silkhub.data.importers import comtrade, wdi
from silkhub.data.importers.base import CsvTable, Problems, merge_frame_writer
from silkhub.data.importers.countries import CountryMatcher, iso3_of
from silkhub.data.registry import conform
from silkhub.data.store import AnalyticsStore, CatalogEntry, NewVersion
from silkhub.errors import DataImportError, UnknownCountryError


def _digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(
        pd.util.hash_pandas_object(frame, index=False).values.tobytes()
    ).hexdigest()


def publish_wdi_fetch(
    store: AnalyticsStore,
    indicators: Sequence[str],
    *,
    economies: Sequence[str] | str = "all",
    years: range | None = None,
    name: str = "wdi",
    command: str | None = None,
    fetcher: Callable[..., Any] | None = None,
    replace_all: bool = False,
) -> CatalogEntry:
    """Fetch WDI indicators and publish them as a new version of ``name``.

    The sha256 is that of the fetched table (the API has no file); an identical response is a
    no-op. Like a file import, the fetch replaces the (country, indicator, year) values it
    brings and keeps the others (``replace_all`` for a whole new version); the aggregates of
    the response (``WLD`` …) go to ``<name>_aggregates``.
    """
    frame, aggs = wdi.fetch_with_aggregates(
        indicators, economies=economies, years=years, fetcher=fetcher
    )
    sha = _digest(frame)
    return _publish_fetched(
        store,
        [
            (name, frame, wdi.MERGE_KEYS, "indicator"),
            (f"{name}_aggregates", aggs, wdi.AGGREGATE_KEYS, "indicator"),
        ],
        lambda: _fetch_version(
            source="wdi",
            sha256=sha,
            importer="silkhub.data.importers.wdi.fetch",
            importer_version=wdi.VERSION,
            title=wdi.TITLE,
            source_url="https://api.worldbank.org/v2/",
            client="wbgapi",
            licence=wdi.LICENCE,
            command=command,
            notes=[f"indicators: {', '.join(indicators)}"],
        ),
        replace_all=replace_all,
    )


def _fetch_version(*, title: str, client: str, **fields: Any) -> NewVersion:
    """Provenance of an API fetch: ``title (API)``, ``<client>, fetched <UTC date>``."""
    return NewVersion(
        title=title + " (API)",
        source_version=f"{client}, fetched " + pd.Timestamp.now("UTC").strftime("%Y-%m-%d"),
        **fields,
    )


def _publish_fetched(
    store: AnalyticsStore,
    outputs: Sequence[tuple[str, pd.DataFrame, Sequence[str], str]],
    meta: Callable[[], NewVersion],
    *,
    replace_all: bool = False,
) -> CatalogEntry:
    """Publish fetched frames like a file import: one version per dataset, all or none.

    ``outputs`` are ``(dataset, frame, merge keys, label)``; the first is the main dataset (its
    current version is returned unchanged when its sha256 equals the fetch's), the others are
    written only when not empty. Each frame replaces the rows whose keys it brings and keeps
    the others, unless ``replace_all``.
    """
    main = outputs[0][0]
    cur = store.catalog.current(main)
    if cur is not None and cur.sha256 == meta().sha256:
        return cur
    with store.staging() as staged:
        for ds, df, keys, label in outputs:
            if df.empty and ds != main:
                continue
            df = conform(ds, df)
            m = meta()
            old = store.catalog.current(ds)
            if old is not None and not replace_all:
                summary, write = merge_frame_writer(df, store.glob(old), keys, label)
                summary.from_version = old.version
                m.notes.append(summary.text())
            else:
                write = store.frame_writer(df)
            store.stage(staged, ds, write, m)
        entries = store.commit(staged)
    return entries[0]


def parse_comtrade_frame(frame: pd.DataFrame, *, file: str = "comtrade-api") -> pd.DataFrame:
    """Records returned by ``comtradeapicall`` (a DataFrame) -> bilateral rows."""
    if frame is None or len(frame) == 0:
        raise DataImportError("the Comtrade API returned no records")
    text = frame.astype(object).where(frame.notna(), "").astype(str)
    table = CsvTable(file, text, np.arange(1, len(text) + 1), "utf-8", "")
    problems = Problems()
    rows, notes = comtrade.parse_records(table, problems, CountryMatcher())
    problems.raise_if_any("Comtrade API response rejected")
    return comtrade.finish([rows], notes)


def _m49(iso3: str) -> str:
    import pycountry

    code = iso3_of(iso3)
    c = pycountry.countries.get(alpha_3=code) if code else None
    if c is None:
        raise UnknownCountryError(iso3)
    return {"FRA": "251", "USA": "842", "IND": "699", "CHE": "757", "NOR": "579"}.get(
        c.alpha_3, str(int(c.numeric))
    )


def publish_comtrade_fetch(
    store: AnalyticsStore,
    *,
    reporter: str,
    years: Sequence[int],
    partner: str | None = None,
    cmd: str = "TOTAL",
    name: str = "comtrade",
    key: str | None = None,
    command: str | None = None,
    client: Any | None = None,
    replace_all: bool = False,
) -> CatalogEntry:
    """Fetch annual HS data for a reporter from UN Comtrade and publish it.

    Like ``silkhub data import comtrade``, the fetch replaces the flows it brings (keyed by
    year, exporter, importer, product) and keeps the others (``replace_all``: a whole new
    version)."""
    if client is None:
        import comtradeapicall as client  # type: ignore[no-redef]
    args: dict[str, Any] = {
        "typeCode": "C",
        "freqCode": "A",
        "clCode": "HS",
        "period": ",".join(str(y) for y in years),
        "reporterCode": _m49(reporter),
        "cmdCode": cmd,
        "flowCode": "X,M",
        "partnerCode": _m49(partner) if partner else None,
        "partner2Code": "0",
        "customsCode": "C00",
        "motCode": "0",
    }
    try:
        if key:
            frame = client.getFinalData(key, **args, maxRecords=250000, includeDesc=True)
        else:
            frame = client.previewFinalData(**args, maxRecords=500, includeDesc=True)
    except Exception as exc:
        raise DataImportError(f"UN Comtrade API request failed: {exc}") from None
    if frame is None:
        raise DataImportError("UN Comtrade API request failed (see the message above)")
    out = parse_comtrade_frame(frame)
    sha = _digest(out)
    return _publish_fetched(
        store,
        [(name, out, comtrade.MERGE_KEYS, "year")],
        lambda: _fetch_version(
            source="comtrade",
            sha256=sha,
            importer="silkhub.data.importers.live.publish_comtrade_fetch",
            importer_version=comtrade.VERSION,
            title=comtrade.TITLE,
            source_url="https://comtradeapi.un.org/",
            client="comtradeapicall",
            licence=comtrade.LICENCE,
            command=command,
            notes=[f"reporter {reporter}, years {', '.join(map(str, years))}, cmd {cmd}"],
        ),
        replace_all=replace_all,
    )
