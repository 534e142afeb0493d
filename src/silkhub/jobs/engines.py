"""How a job reaches a worker: in-process threads, or Dramatiq over RabbitMQ or Redis.

``SILKHUB_JOBS_BROKER`` chooses:

* empty or ``inline-thread`` — :class:`InlineEngine`: a thread pool in this process (the
  embedded default; ``make run`` needs no broker). A reaper thread re-queues jobs whose
  heartbeat stopped; on start-up, queued jobs of a process that died are dispatched again.
* ``amqp://...`` — :class:`DramatiqEngine` on RabbitMQ: messages are acked only after the job
  ran, so a SIGKILLed worker's message is redelivered (flagged ``redelivered``) at once.
* ``redis://...`` — :class:`DramatiqEngine` on Redis: a dead worker's messages are re-queued
  by Dramatiq's heartbeat maintenance; the job reaper covers the gap.

Both share the same job rows, claim rules and runner (:mod:`silkhub.jobs.runner`).
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import TYPE_CHECKING, Any

from silkhub.errors import ConfigurationError
from silkhub.jobs import state

if TYPE_CHECKING:
    from silkhub.bootstrap import Runtime

logger = logging.getLogger(__name__)

ACTOR_NAME = "silkhub_run_job"
#: Dramatiq's per-message time limit; jobs stop on cancel or finish, not on a timer
TIME_LIMIT_MS = 24 * 3600 * 1000


def backend_of(url: str) -> str:
    """``inline``, ``amqp`` or ``redis`` for a broker URL (ConfigurationError otherwise)."""
    u = (url or "").strip()
    if u in ("", "inline", "inline-thread"):
        return "inline"
    if u.startswith(("amqp://", "amqps://")):
        return "amqp"
    if u.startswith(("redis://", "rediss://", "unix://")):
        return "redis"
    raise ConfigurationError(
        f"SILKHUB_JOBS_BROKER={url!r}: use empty (inline-thread), amqp://user:pass@host:5672/ "
        "or redis://host:6379/0"
    )


class Engine:
    """Dispatches ``(job_id, token)`` to whatever runs jobs."""

    backend = "inline"

    def dispatch(self, job_id: str, token: int) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        return None


class InlineEngine(Engine):
    """Jobs run in a thread pool of this process; a reaper thread watches heartbeats."""

    backend = "inline"

    def __init__(self, runtime: Runtime, threads: int = 2) -> None:
        self.runtime = runtime
        self.threads = max(1, threads)
        # daemon threads, not a ThreadPoolExecutor: a process that exits must not wait for a
        # long job (the job's heartbeat stops and the next process's reaper takes it over)
        self._queue: queue.Queue[tuple[str, int] | None] = queue.Queue()
        self._workers: list[threading.Thread] = []
        self._stop = threading.Event()
        self._reaper = threading.Thread(target=self._reap_loop, name="job-reaper", daemon=True)
        self._started = False
        self._lock = threading.Lock()

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        try:
            with self.runtime.session() as s:
                orphans = state.requeue_orphans(s, backend=self.backend)
            for job_id, token in orphans:
                self._queue.put((job_id, token))
        except Exception:  # no job table yet (database not migrated): nothing to recover
            logger.debug("inline engine: no orphans recovered", exc_info=True)
        self._reaper.start()
        for i in range(self.threads):
            t = threading.Thread(target=self._loop, name=f"silkhub-job-{i}", daemon=True)
            t.start()
            self._workers.append(t)

    def dispatch(self, job_id: str, token: int) -> None:
        self._start()
        self._queue.put((job_id, token))

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                self._run(*item)
            finally:
                self._queue.task_done()

    def join(self) -> None:
        """Wait until every dispatched job ran (tests)."""
        self._queue.join()

    def _run(self, job_id: str, token: int) -> None:
        from silkhub.jobs.runner import execute

        try:
            execute(self.runtime, job_id, token, engine="inline")
        except Exception:
            logger.exception("inline job %s crashed", job_id)

    def _reap_loop(self) -> None:
        every = max(1.0, self.runtime.settings.jobs_stale_seconds / 2)
        while not self._stop.wait(every):
            try:
                reap_and_dispatch(self.runtime, self, backend=self.backend)
            except Exception:
                logger.exception("job reaper failed")

    def close(self) -> None:
        self._stop.set()
        for _ in self._workers:
            self._queue.put(None)


def reap_and_dispatch(runtime: Runtime, engine: Engine, *, backend: str | None) -> int:
    """One reaper sweep; re-queued jobs are dispatched after the commit. Upload folders no
    queued or running import needs any more (a job lost on its last attempt) are removed."""
    from silkhub.jobs import uploads

    with runtime.session() as s:
        again = state.reap(s, stale_after=runtime.settings.jobs_stale_seconds, backend=backend)
    for job_id, token in again:
        engine.dispatch(job_id, token)
    with runtime.session() as s:
        uploads.sweep(s, runtime.settings.data_dir)
    return len(again)


class _Delivery:
    """Dramatiq middleware: remembers whether the current message is a redelivery."""

    local = threading.local()

    def __new__(cls) -> Any:
        from dramatiq.middleware import Middleware

        class Delivery(Middleware):
            def before_process_message(self, broker: Any, message: Any) -> None:
                _Delivery.local.redelivered = bool(getattr(message, "redelivered", False))

        return Delivery()


def make_broker(url: str) -> Any:
    """A Dramatiq broker for ``url`` (RabbitMQ or Redis) with silkhub's middleware."""
    import dramatiq
    from dramatiq.middleware import AgeLimit, Callbacks, Retries, ShutdownNotifications, TimeLimit

    middleware = [AgeLimit(), TimeLimit(), ShutdownNotifications(), Callbacks(), Retries()]
    backend = backend_of(url)
    if backend == "amqp":
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url, middleware=middleware, confirm_delivery=True)
    elif backend == "redis":
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=url, middleware=middleware)
    else:
        raise ConfigurationError(f"{url!r} is not a broker URL")
    broker.add_middleware(_Delivery())
    dramatiq.set_broker(broker)
    return broker


class DramatiqEngine(Engine):
    """Jobs go to a Dramatiq queue; ``silkhub jobs worker`` processes consume it."""

    def __init__(self, runtime: Runtime, url: str, queue: str) -> None:
        import dramatiq

        self.runtime = runtime
        self.url = url
        self.queue = queue
        self.backend = backend_of(url)
        self.broker = make_broker(url)

        def run_job(job_id: str, token: int) -> None:
            from silkhub.jobs.runner import execute

            redelivered = bool(getattr(_Delivery.local, "redelivered", False))
            execute(self.runtime, job_id, token, engine=self.backend, redelivered=redelivered)

        self.actor = dramatiq.Actor(
            run_job,
            broker=self.broker,
            actor_name=ACTOR_NAME,
            queue_name=queue,
            priority=0,
            options={"max_retries": 0, "time_limit": TIME_LIMIT_MS},
        )

    def dispatch(self, job_id: str, token: int) -> None:
        try:
            self.actor.send(job_id, token)
        except Exception as exc:
            raise state.JobBrokerUnavailableError(
                f"the job queue at {_safe(self.url)} did not accept the job: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def close(self) -> None:
        try:
            self.broker.close()
        except Exception:  # pragma: no cover
            logger.debug("broker close failed", exc_info=True)


def _safe(url: str) -> str:
    """The URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url


def engine_for(runtime: Runtime) -> Engine:
    """The process's job engine for ``runtime`` (built once, kept in ``runtime.extras``)."""
    eng = runtime.extras.get("jobs_engine")
    if eng is None:
        with _engine_lock:
            eng = runtime.extras.get("jobs_engine")
            if eng is None:
                s = runtime.settings
                if backend_of(s.jobs_broker) == "inline":
                    eng = InlineEngine(runtime, s.jobs_threads)
                else:
                    eng = DramatiqEngine(runtime, s.jobs_broker.strip(), s.jobs_queue)
                runtime.extras["jobs_engine"] = eng
    return eng  # type: ignore[return-value]


_engine_lock = threading.Lock()
