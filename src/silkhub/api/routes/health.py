"""Liveness and readiness: ``/health`` checks the database."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from silkhub import __version__
from silkhub.api.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(runtime: RuntimeDep) -> JSONResponse:
    """200 with ``{"status": "ok"}`` when the database answers, 503 otherwise."""
    try:
        with runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        db = "ok"
    except Exception as exc:
        db = f"error: {type(exc).__name__}"
    status = 200 if db == "ok" else 503
    return JSONResponse(
        {"status": "ok" if status == 200 else "degraded", "database": db, "version": __version__},
        status_code=status,
    )
