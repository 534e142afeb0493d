"""Importers: public files -> validated, ISO3-coded tables in the analytics store.

Each source is one module exposing ``SOURCE``, ``TITLE``, ``SOURCE_URL``, ``LICENCE``,
``VERSION`` (the importer's version), ``DATASETS`` (names it writes), ``collect(path)`` (the
files of an import) and ``run(ctx) -> list[Output]``. :func:`silkhub.data.importers.runner.
run_import` adds provenance, idempotency and atomic publishing around it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from silkhub.errors import UnknownChoiceError

#: source name -> module implementing it (imported on use)
IMPORTERS: dict[str, str] = {
    "wdi": "silkhub.data.importers.wdi",
    "baci": "silkhub.data.importers.baci",
    "wits": "silkhub.data.importers.wits",
    "comtrade": "silkhub.data.importers.comtrade",
    "openflights": "silkhub.data.importers.openflights",
    "cgit": "silkhub.data.importers.cgit",
    "gcdf": "silkhub.data.importers.gcdf",
    "beltandroad": "silkhub.data.importers.beltandroad",
    "econcomplexity": "silkhub.data.importers.econcomplexity",
    "regional": "silkhub.data.importers.regional_source",
}


def importer(source: str) -> ModuleType:
    """The module of an importer; :class:`UnknownChoiceError` for an unknown source."""
    if source not in IMPORTERS:
        raise UnknownChoiceError("source", source, sorted(IMPORTERS))
    return importlib.import_module(IMPORTERS[source])
