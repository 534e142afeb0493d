"""Liveness and readiness probes (outside ``/api/v1``; no authentication, no session).

* ``GET /live``   — liveness: the process answers (nothing else is checked). A failing liveness
  probe should restart the worker.
* ``GET /ready``  — readiness: the database answers ``SELECT 1`` and the analytics store's
  catalog is readable. 503 takes the worker out of the load balancer until it recovers.
* ``GET /health`` — the database check alone (kept for existing monitors and ``make run``).

All three answer JSON (``status``, the checks, ``version``); failures name the exception type
only, never a connection string or a traceback.
"""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from silkhub import __version__
from silkhub.api.deps import RuntimeDep
from silkhub.bootstrap import Runtime
from silkhub.data.storage.db import ping

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


def _check_database(runtime: Runtime) -> str:
    try:
        ping(runtime.engine)
        return "ok"
    except Exception as exc:
        logger.warning("readiness: database check failed: %s", type(exc).__name__)
        return f"error: {type(exc).__name__}"


def _check_store(runtime: Runtime) -> str:
    """The catalog of the analytics store can be read (an empty, new store is fine)."""
    try:
        from silkhub.data.store import AnalyticsStore

        AnalyticsStore(runtime.settings.analytics_dir).datasets()
        return "ok"
    except Exception as exc:
        logger.warning("readiness: analytics store check failed: %s", type(exc).__name__)
        return f"error: {type(exc).__name__}"


@router.get("/live")
async def live() -> JSONResponse:
    """200 while the process serves requests."""
    return JSONResponse({"status": "ok", "version": __version__})


@router.get("/ready")
def ready(runtime: RuntimeDep) -> JSONResponse:
    """200 when the database and the analytics store answer, 503 (and which failed) otherwise."""
    start = time.perf_counter()
    checks = {"database": _check_database(runtime), "store": _check_store(runtime)}
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {
            "status": "ok" if ok else "unavailable",
            **checks,
            "version": __version__,
            "duration_ms": round((time.perf_counter() - start) * 1000, 1),
        },
        status_code=200 if ok else 503,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/health")
def health(runtime: RuntimeDep) -> JSONResponse:
    """200 with ``{"status": "ok"}`` when the database answers, 503 otherwise."""
    db = _check_database(runtime)
    status = 200 if db == "ok" else 503
    return JSONResponse(
        {"status": "ok" if status == 200 else "degraded", "database": db, "version": __version__},
        status_code=status,
    )
