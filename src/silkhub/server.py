"""The ASGI application: API under /api/v1, web pages elsewhere, one error mapper for both."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from silkhub import __version__
from silkhub.api import problems
from silkhub.api.app import API_PREFIX, api_router, health_router, present_modules
from silkhub.api.limits import BodyLimitMiddleware
from silkhub.api.methods import MethodGuard
from silkhub.api.metrics import MetricsMiddleware
from silkhub.api.metrics import router as metrics_router
from silkhub.bootstrap import Runtime, make_runtime, prepare
from silkhub.errors import SilkhubError
from silkhub.settings import Settings, get_settings
from silkhub.web import pages

logger = logging.getLogger(__name__)

#: probe and metrics paths: always answered in JSON/text, never as web pages
HEALTH_PATHS = frozenset({"/health", "/live", "/ready", "/metrics"})


def _is_api(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith(API_PREFIX)
        or path in HEALTH_PATHS
        or "json" in request.headers.get("accept", "").split(",")[0]
    )


def create_app(
    settings: Settings | None = None, *, runtime: Runtime | None = None, init: bool = True
) -> FastAPI:
    """Build the app. ``init`` migrates the database and loads reference data on start-up."""
    if runtime is None:
        settings = settings or get_settings()
        runtime = make_runtime(settings)
    if init:
        prepare(runtime)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        from silkhub.metrics import mark_process_dead

        mark_process_dead()

    app = FastAPI(
        title="silkhub API",
        version=__version__,
        description=(
            "Belt and Road participation analytics and cooperation hub. Text values never "
            "contain U+0000 (NUL): PostgreSQL cannot store it, so every database answers 422 "
            "`validation.nul_text`."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    _openapi = app.openapi

    def openapi_with_problems() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = problems.document_problems(_openapi())
        return app.openapi_schema

    app.openapi = openapi_with_problems  # type: ignore[method-assign]
    app.include_router(health_router)
    app.include_router(metrics_router)
    app.include_router(api_router())
    app.include_router(pages.router)
    for module in _web_feature_modules():
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(pages.STATIC_DIR)), name="static")
    # 413 for request bodies over SILKHUB_MAX_BODY_BYTES, before they are read
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=runtime.settings.max_body_bytes,
        upload_max_bytes=runtime.settings.max_upload_body_bytes,
    )
    # 405 + Allow for methods a documented API path does not declare (silkhub.api.methods)
    app.add_middleware(MethodGuard, spec=app.openapi)
    # request latency histogram and request log (inside the proxy-header middleware, so the
    # logged client is the forwarded one)
    app.add_middleware(MetricsMiddleware)
    trusted = runtime.settings.trusted_proxy_list
    if trusted:
        # client address and scheme from X-Forwarded-For/-Proto, but only when the peer is
        # one of SILKHUB_TRUSTED_PROXIES (the sign-in rate limit counts per client address)
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)

    @app.exception_handler(SilkhubError)
    async def _silkhub_error(request: Request, exc: SilkhubError):
        if _is_api(request):
            return problems.silkhub_problem(request, exc)
        return pages.render(
            request, "error.html", {"status": exc.status, "message": exc.message}, exc.status
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        if _is_api(request):
            return problems.validation_problem(request, exc)
        return pages.render(request, "error.html", {"status": 422, "message": str(exc)}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        if _is_api(request):
            return problems.http_problem(request, exc)
        return pages.render(
            request,
            "error.html",
            {"status": exc.status_code, "message": exc.detail},
            exc.status_code,
        )

    async def _storage_error(request: Request, exc: Exception):
        unfit = problems.unfit_value_error(exc)
        if unfit is None:
            return problems.internal_problem(request, exc)
        # a value the database cannot store (an id beyond INTEGER, a NUL character): the
        # caller's input is at fault, so answer 422 rather than 500
        if _is_api(request):
            return problems.silkhub_problem(request, unfit)
        return pages.render(request, "error.html", {"status": 422, "message": unfit.message}, 422)

    app.add_exception_handler(StatementError, _storage_error)
    app.add_exception_handler(OverflowError, _storage_error)

    @app.exception_handler(Exception)
    async def _internal_error(request: Request, exc: Exception):
        return problems.internal_problem(request, exc)

    return app


def app_factory() -> FastAPI:
    """The app of one worker process (``silkhub serve --workers N``, gunicorn, uvicorn
    ``--factory``): settings from the environment, and no migrations, because several workers
    must not migrate at the same time: run ``silkhub db upgrade`` (or ``silkhub serve``, which
    does it once before starting its workers) first."""
    return warm_up(create_app(init=False))


def warm_up(app: FastAPI) -> FastAPI:
    """Do once, before the worker accepts connections, what its first request would pay for
    (seconds on a loaded host): the OpenAPI document (the method guard reads it) and the ORM
    mapper configuration."""
    from sqlalchemy.orm import configure_mappers

    try:
        app.openapi()
        configure_mappers()
    except Exception:  # never keep a worker from starting; the first request will show it
        logger.warning("warm-up failed", exc_info=True)
    return app


#: web page modules owned by feature issues; skipped while they do not exist
WEB_FEATURE_PAGES: list[str] = [
    "explore",
    "hub.organisations",
    "hub.agreements",
    "hub.projects",
    "hub.events",
    "hub.meetings",
    "match_pages",
    "account",
    "reports",
    "talent",
    "jobs_pages",
]


def _web_feature_modules() -> list:
    return present_modules("silkhub.web", WEB_FEATURE_PAGES)
