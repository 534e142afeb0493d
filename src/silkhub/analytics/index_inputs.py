"""The inputs of one composite-index run, built once for every interface (API, CLI).

``pipeline_config`` maps the interfaces' flat options onto :class:`IndexConfig` (``mc`` is the
number of Monte Carlo runs); ``run_inputs`` loads the framework, the long data and the unit
names / resolver the same way whether the data come from a template file, rows given by the
caller or the default sources (see :func:`silkhub.analytics.index_service.load_data`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from silkhub.analytics import index_service as svc
from silkhub.core.index import Framework, IndexConfig


def pipeline_config(
    *,
    imputation: str = "em",
    outliers: str = "winsorise",
    normalisation: str = "minmax",
    weighting: str = "user",
    aggregation: str = "arithmetic",
    mc: int = 0,
    seed: int = 1,
    min_coverage: float = 0.3,
    min_unit_coverage: float = 0.5,
) -> IndexConfig:
    """The checked pipeline choices (unknown choices raise ``UnknownChoiceError``)."""
    return IndexConfig(
        imputation=imputation,
        outliers=outliers,
        normalisation=normalisation,
        weighting=weighting,
        aggregation=aggregation,
        mc_runs=mc,
        seed=seed,
        min_coverage=min_coverage,
        min_unit_coverage=min_unit_coverage,
    ).check()


def run_inputs(
    session: Any,
    store: Any,
    framework: str | Path,
    *,
    lang: str = "en",
    path: str | Path | None = None,
    frame: pd.DataFrame | None = None,
    extra: Sequence[pd.DataFrame] = (),
) -> tuple[Framework, pd.DataFrame, dict[str, str], Callable[[str], str]]:
    """Framework, long data, unit names and name resolver for one run.

    ``frame`` (long rows given by the caller) replaces the default data; otherwise the data are
    the template file ``path`` or the default sources. ``extra`` frames override either.
    """
    fw = svc.load_framework(framework)
    names, resolve = svc.reference_helpers(session, fw, lang)
    if frame is not None:
        long = svc.merge_sources(frame, *extra)
    else:
        long = svc.load_data(fw, path, session=session, store=store, extra=extra)
    return fw, long, names, resolve
