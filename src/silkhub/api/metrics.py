"""Request metrics and the request log: one pure ASGI middleware, and ``GET /metrics``.

Every HTTP request is timed into ``silkhub_http_request_duration_seconds`` labelled with the
*route template* (``/api/v1/projects/{project_id}``, never the raw path, so the number of series
stays bounded; requests that match no route are ``<unmatched>``, static files ``/static``) and
logged on ``silkhub.access`` with ``method``, ``path``, ``route``, ``status``, ``duration_ms``
and ``client`` as structured fields (JSON lines with ``SILKHUB_LOG_FORMAT=json``).

``SILKHUB_WORKER_HEADER=1`` adds ``X-Silkhub-Worker: <pid>`` to every answer (to see how a
reverse proxy or the kernel spreads requests over the workers; off by default).
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from silkhub import metrics

access_log = logging.getLogger("silkhub.access")

router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
def prometheus_metrics() -> Response:
    """Prometheus exposition text (all workers of this host in multi-process mode)."""
    body, content_type = metrics.render_latest()
    return Response(body, media_type=content_type)


def _route_template(scope: Scope) -> str:
    # FastAPI >= 0.16x keeps included routers nested: the matched route's own ``path`` lacks
    # the routers' prefixes, and the full template is on the effective route context
    context = (scope.get("fastapi") or {}).get("effective_route_context")
    path = getattr(context, "path_format", None) if context is not None else None
    if not path:
        path = getattr(scope.get("route"), "path", None)
    if path:
        return str(path)
    if scope.get("path", "").startswith("/static/"):
        return "/static"
    return "<unmatched>"


class MetricsMiddleware:
    """Time, count and log every HTTP request (outermost, so errors are counted too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.worker_header = os.environ.get("SILKHUB_WORKER_HEADER", "") not in ("", "0")
        self.pid = str(os.getpid()).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        worker_header = self.worker_header
        pid = self.pid

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if worker_header:
                    message["headers"] = [*message.get("headers", []), (b"x-silkhub-worker", pid)]
            await send(message)

        metrics.REQUESTS_IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            metrics.REQUESTS_IN_PROGRESS.dec()
            elapsed = time.perf_counter() - start
            route = _route_template(scope)
            metrics.REQUEST_LATENCY.labels(
                method=scope.get("method", ""), route=route, status=str(status)
            ).observe(elapsed)
            if access_log.isEnabledFor(logging.INFO):
                client: Any = scope.get("client")
                access_log.info(
                    '%s "%s %s" %s %.1f ms',
                    client[0] if client else "-",
                    scope.get("method", ""),
                    scope.get("path", ""),
                    status,
                    elapsed * 1000,
                    extra={
                        "method": scope.get("method", ""),
                        "path": scope.get("path", ""),
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                        "client": client[0] if client else None,
                    },
                )
