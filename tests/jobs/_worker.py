"""``silkhub ARGS`` with an optional slow-down of import staging (argv[1] seconds), so that a
test can SIGKILL a worker in the middle of an import. Everything else is the real CLI."""

from __future__ import annotations

import sys
import time

slow = float(sys.argv[1])
if slow > 0:
    from silkhub.data.store import AnalyticsStore

    _stage = AnalyticsStore.stage

    def slow_stage(self, staged, name, write, meta):  # type: ignore[no-untyped-def]
        def slow_write(directory):  # type: ignore[no-untyped-def]
            write(directory)  # files half-way into the staging area, not yet visible
            time.sleep(slow)

        return _stage(self, staged, name, slow_write, meta)

    AnalyticsStore.stage = slow_stage  # type: ignore[method-assign]

from silkhub.cli import main  # noqa: E402

main(sys.argv[2:])
