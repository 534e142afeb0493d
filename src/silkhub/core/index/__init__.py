"""City/region/country composite indicators in the spirit of the OECD/JRC Handbook (2008).

Pure functions, no I/O: ``framework`` (model + validation), ``transform``, ``missing``,
``outliers``, ``normalise``, ``weights``, ``aggregate``, ``coherence``, ``uncertainty``,
``benchmark`` and ``pipeline`` (which chains them and records each step).
"""

from silkhub.core.index.framework import Framework, parse_framework
from silkhub.core.index.pipeline import IndexConfig, IndexResult, compute_index

__all__ = ["Framework", "IndexConfig", "IndexResult", "compute_index", "parse_framework"]
