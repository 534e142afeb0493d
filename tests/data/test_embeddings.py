"""Loading a packaged embedding model (the file-system part kept out of core)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from silkhub.core.text_similarity import TextIndex
from silkhub.data.embeddings import load_packaged_embedding, packaged_model_dir


def test_packaged_embedding_absent_returns_none() -> None:
    assert packaged_model_dir("silkhub_no_such_model_pkg") is None
    assert load_packaged_embedding("silkhub_no_such_model_pkg") is None


def test_loader_gets_the_model_dir_and_core_takes_the_backend() -> None:
    seen: list[str] = []

    class Fake:
        def encode(self, texts):  # type: ignore[no-untyped-def]
            return np.ones((len(texts), 3))

    def loader(path: str) -> Fake:
        seen.append(path)
        return Fake()

    backend = load_packaged_embedding("silkhub", loader=loader)  # any installed package
    assert seen and Path(seen[0]).is_dir()
    idx = TextIndex(["a b", "c d"], embedding=backend)
    assert idx.similarity_to("zz").tolist() == pytest.approx([0.5, 0.5])


def test_core_text_similarity_does_no_io() -> None:
    import silkhub.core.text_similarity as ts

    tree = ast.parse(Path(ts.__file__).read_text(encoding="utf-8"))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        a.attr for a in ast.walk(tree) if isinstance(a, ast.Attribute)
    }
    imported: set[str] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in n.names}
        elif isinstance(n, ast.ImportFrom) and n.module:
            imported.add(n.module.split(".")[0])
    assert not {"os", "pathlib", "importlib"} & imported
    assert not {"environ", "rglob", "find_spec"} & names
