"""``silkhub jobs worker``: a Dramatiq worker process consuming the jobs queue.

One process, ``threads`` job threads, prefetch = threads (a killed worker holds back no more
messages than it runs). SIGTERM / SIGINT stop it gracefully (running jobs finish); SIGKILL
leaves its messages unacked, and the broker redelivers them to another worker. A reaper sweep
every ``jobs_stale_seconds / 2`` re-queues (or fails) jobs whose heartbeat stopped.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import TYPE_CHECKING

from silkhub.errors import ConfigurationError
from silkhub.jobs.engines import DramatiqEngine, backend_of, reap_and_dispatch

if TYPE_CHECKING:
    from silkhub.bootstrap import Runtime

logger = logging.getLogger(__name__)


def run_worker(
    runtime: Runtime,
    *,
    threads: int = 1,
    broker_url: str | None = None,
    on_ready: object = None,
    stop: threading.Event | None = None,
) -> None:
    """Consume jobs until SIGTERM/SIGINT (or ``stop`` is set)."""
    import dramatiq

    url = (broker_url or runtime.settings.jobs_broker or "").strip()
    if backend_of(url) == "inline":
        raise ConfigurationError(
            "a job worker needs a broker: set SILKHUB_JOBS_BROKER to amqp://... or redis://... "
            "(with no broker, jobs run inside the API process)"
        )
    engine = DramatiqEngine(runtime, url, runtime.settings.jobs_queue)
    runtime.extras["jobs_engine"] = engine
    worker = dramatiq.Worker(engine.broker, worker_threads=max(1, threads), queues={engine.queue})
    worker.queue_prefetch = max(1, threads)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    worker.start()
    logger.info("job worker: %d thread(s) on %s queue %s", threads, engine.backend, engine.queue)
    if callable(on_ready):
        on_ready()
    every = max(1.0, runtime.settings.jobs_stale_seconds / 2)
    try:
        while not stop.wait(every):
            try:
                reap_and_dispatch(runtime, engine, backend=engine.backend)
            except Exception:
                logger.exception("job reaper failed")
    finally:
        logger.info("job worker stopping (running jobs finish first)")
        worker.stop()
        engine.close()
