"""Demo data for the first run: every feature contributes a loader (idempotent, small).

A loader is ``load(runtime) -> str | None`` returning a one-line summary (None: nothing done).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator

from silkhub.bootstrap import Runtime

logger = logging.getLogger(__name__)

#: "module:function" of each feature's demo loader; missing modules are skipped
DEMO_LOADERS: list[str] = [
    "silkhub.data.demo:load",
    "silkhub.hub.demo:load",
    "silkhub.hub.talent_demo:load",
]


def load_demo(runtime: Runtime) -> Iterator[str]:
    """Run every available demo loader; yield their summaries."""
    for spec in DEMO_LOADERS:
        module, func = spec.split(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and module.startswith(exc.name):
                continue
            raise
        summary = getattr(mod, func)(runtime)
        if summary:
            yield summary
