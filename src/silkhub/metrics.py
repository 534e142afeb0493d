"""Prometheus metric objects shared by the API workers and the job workers.

Import the objects from here (``from silkhub.metrics import JOB_DURATION``) rather than making
new ones, so each metric exists once per process. The API serves them at ``/metrics``
(:mod:`silkhub.api.metrics`).

Several processes: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory shared by every
worker of one host *before* they start (``silkhub serve --workers N`` does it for its own
workers); prometheus-client then keeps the values in memory-mapped files there and ``/metrics``
adds up all processes (gauges as documented on each). Job workers on the same host may use the
same directory, so that their durations appear in the API's ``/metrics`` too; on another host,
run :func:`start_http_server` (``silkhub jobs worker --metrics-port``) or point Prometheus at them.

Usage in a job runner::

    from silkhub.metrics import JOB_DURATION, JOBS_FINISHED, set_queue_depth

    with JOB_DURATION.labels(kind=job.kind).time():
        run(job)
    JOBS_FINISHED.labels(kind=job.kind, outcome="ok").inc()
    set_queue_depth("default", 12)

or register a probe that ``/metrics`` calls at scrape time (cheap: one COUNT query)::

    from silkhub.metrics import register_queue_depth_probe
    register_queue_depth_probe(lambda: {"default": count_queued()})
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from prometheus_client import Counter, Gauge, Histogram

logger = logging.getLogger(__name__)

#: request latency buckets (seconds): most API answers take 2–50 ms, reports seconds
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: job duration buckets (seconds): imports and index runs take seconds to many minutes
JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)

REQUEST_LATENCY = Histogram(
    "silkhub_http_request_duration_seconds",
    "HTTP request latency by method, route template and status code.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
REQUESTS_IN_PROGRESS = Gauge(
    "silkhub_http_requests_in_progress",
    "HTTP requests being answered (summed over live workers).",
    multiprocess_mode="livesum",
)
JOB_DURATION = Histogram(
    "silkhub_job_duration_seconds",
    "Duration of background jobs by kind.",
    ["kind"],
    buckets=JOB_BUCKETS,
)
JOBS_FINISHED = Counter(
    "silkhub_jobs_finished",
    "Background jobs finished, by kind and outcome (ok, failed, cancelled, retried).",
    ["kind", "outcome"],
)
JOB_QUEUE_DEPTH = Gauge(
    "silkhub_job_queue_depth",
    "Jobs waiting to run, by queue (the most recent value any process reported).",
    ["queue"],
    multiprocess_mode="mostrecent",
)

_queue_probes: list[Callable[[], dict[str, int]]] = []


def set_queue_depth(queue: str, depth: int) -> None:
    """Report how many jobs wait in ``queue``."""
    JOB_QUEUE_DEPTH.labels(queue=queue).set(depth)


def register_queue_depth_probe(probe: Callable[[], dict[str, int]]) -> None:
    """Call ``probe()`` (queue -> waiting jobs) each time ``/metrics`` is scraped."""
    if probe not in _queue_probes:
        _queue_probes.append(probe)


def refresh_probes() -> None:
    """Run the registered probes; one that fails is logged and skipped (never breaks a scrape)."""
    for probe in list(_queue_probes):
        try:
            for queue, depth in probe().items():
                set_queue_depth(queue, depth)
        except Exception:
            logger.warning("queue depth probe %r failed", probe, exc_info=True)


def multiprocess_dir() -> str | None:
    """The multi-process directory in force (None: single-process mode)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def render_latest() -> tuple[bytes, str]:
    """The exposition text of this process, or of all processes in multi-process mode."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    refresh_probes()
    if multiprocess_dir():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int | None = None) -> None:
    """Forget a finished process's live gauges (call at worker shutdown; no-op single-process)."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


def start_http_server(port: int, addr: str = "127.0.0.1") -> None:
    """Serve ``/metrics`` of this process (or of the multi-process directory) on ``port``."""
    import prometheus_client

    if multiprocess_dir():
        from prometheus_client import CollectorRegistry, multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        prometheus_client.start_http_server(port, addr=addr, registry=registry)
    else:
        prometheus_client.start_http_server(port, addr=addr)
