"""The /api/v1 router: every resource router is included here."""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from fastapi import APIRouter

from silkhub.api.routes import countries, health

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    """All /api/v1 routes. Feature routers are added to ``FEATURE_ROUTERS`` below."""
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(countries.router)
    for module in _feature_modules():
        router.include_router(module.router)
    return router


def _feature_modules() -> list:
    """Optional feature routers (each module exposes ``router``), imported when present."""
    return present_modules("silkhub.api.routes", FEATURE_ROUTERS)


def present_modules(package: str, names: Iterable[str]) -> list[ModuleType]:
    """``package.name`` for each name whose module exists (also used for the web pages).

    Only a missing module itself is skipped; an import error inside it is raised.
    """
    import importlib

    mods = []
    for name in names:
        try:
            mods.append(importlib.import_module(f"{package}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.{name}":
                raise
    return mods


#: routers owned by feature issues; a module that does not exist yet is skipped
FEATURE_ROUTERS = [
    "data",
    "indicators",
    "partners",
    "complexity",
    "index",
    "benchmark",
    "gravity",
    "auth",
    "organisations",
    "projects",
    "events",
    "agreements",
    "match",
    "talent",
    "places",
    "jobs",
]

health_router = health.router
