"""Job durations and queue depth into the shared Prometheus objects (:mod:`silkhub.metrics`).

Imported late, so that the metrics module sees the multi-process settings of the process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

_OUTCOMES = {"succeeded": "ok", "failed": "failed", "cancelled": "cancelled"}


def observe_run(kind: str, status: str, seconds: float) -> None:
    """Record one finished run (``lost-claim`` runs count as ``retried``)."""
    from silkhub.metrics import JOB_DURATION, JOBS_FINISHED

    JOB_DURATION.labels(kind=kind).observe(seconds)
    JOBS_FINISHED.labels(kind=kind, outcome=_OUTCOMES.get(status, "retried")).inc()


def register_depth(queue: str, count: Callable[[], int]) -> None:
    """Let ``/metrics`` ask the database how many jobs are queued (once per process)."""
    from silkhub.metrics import register_queue_depth_probe

    if queue in _registered:
        return
    _registered.add(queue)
    register_queue_depth_probe(lambda: {queue: count()})


_registered: set[str] = set()
