"""RFC 9457 problem+json responses for every error the API can produce."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from silkhub.errors import SilkhubError, UnknownChoiceError, ValidationError

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


def problem_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def silkhub_problem(request: Request, exc: SilkhubError) -> JSONResponse:
    body = exc.to_problem()
    body["instance"] = str(request.url.path)
    status = exc.status
    if isinstance(exc, UnknownChoiceError) and _names_path_segment(request, exc.value):
        # /benchmark/{unit}, /agreements/regions/{region}/...: a path segment that names no
        # known resource is "not found", not a malformed request (the list is data, so the
        # OpenAPI document cannot enumerate it)
        status = body["status"] = 404
    headers = None
    if exc.status == 429:
        headers = {"Retry-After": str(exc.details.get("retry_after", 60))}
    elif exc.status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="silkhub"'}
    return problem_response(status, body, headers)


def _names_path_segment(request: Request, value: object) -> bool:
    return any(str(v) == str(value) for v in request.path_params.values())


def validation_problem(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path")]
        message = e.get("msg", "invalid")
        if e.get("type") == "literal_error" and loc:
            # a closed list (silkhub.api.choices): say it as UnknownChoiceError does
            choices = str(e.get("ctx", {}).get("expected", "")).replace("'", "")
            choices = choices.replace(" or ", ", ")
            message = f"unknown {loc[-1]} {e.get('input')!r}; valid choices: {choices}"
        errors.append({"field": ".".join(loc) or None, "message": message})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
    body = {
        "type": "https://silkhub.dev/problems/validation-error",
        "title": "Invalid input",
        "status": 422,
        "detail": detail,
        "code": "validation-error",
        "errors": errors,
        "instance": str(request.url.path),
    }
    return problem_response(422, body)


def http_problem(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": str(exc.detail) if exc.detail else "Error",
        "status": exc.status_code,
        "detail": str(exc.detail),
        "instance": str(request.url.path),
    }
    return problem_response(exc.status_code, body, getattr(exc, "headers", None))


def internal_problem(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s", request.url.path, exc_info=exc)
    body = {
        "type": "https://silkhub.dev/problems/internal-error",
        "title": "Internal error",
        "status": 500,
        "detail": "an unexpected error occurred; it has been logged",
        "instance": str(request.url.path),
    }
    return problem_response(500, body)


def unfit_value_error(exc: Exception) -> ValidationError | None:
    """A ValidationError when ``exc`` means "the database cannot hold this input value".

    Covers SQLAlchemy ``DataError`` (PostgreSQL: integer out of range, invalid text),
    ``OverflowError`` (SQLite: integer beyond 64 bits) and psycopg's refusal of NUL characters.
    Anything else returns None and stays a 500.
    """
    from sqlalchemy.exc import DataError, StatementError

    from silkhub.data.storage.db import NulTextError

    cause = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    driver_nul = "NUL" in str(cause) and (
        isinstance(exc, DataError) or isinstance(cause, ValueError)
    )
    if isinstance(cause, NulTextError) or driver_nul:
        # U+0000 in text: refused by SQLite (storage.db) and by psycopg, whose error says only
        # in its message that it is this one
        return ValidationError(key="validation.nul_text")
    if isinstance(exc, DataError) or isinstance(cause, OverflowError):
        return ValidationError(
            "a value is out of range or invalid for storage (e.g. an id beyond 2147483647)"
        )
    return None


#: the RFC 9457 problem document, as documented in the OpenAPI spec
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": ["string", "null"]},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """Describe every 4xx answer of an OpenAPI document as problem+json (in place).

    FastAPI documents its own validation-error shape for 422; silkhub answers RFC 9457
    problems for every error, so the spec says so, and a 4xx is documented on each operation.
    """
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    content = {PROBLEM_JSON: {"schema": ref}}
    for item in spec.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for status, resp in op["responses"].items():
                if str(status).startswith("4"):
                    resp["content"] = dict(content)
            op["responses"].setdefault(
                "4XX", {"description": "Problem (RFC 9457)", "content": dict(content)}
            )
    schemas = spec["components"]["schemas"]
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return spec
