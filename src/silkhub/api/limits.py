"""Request-body size limit: an ASGI middleware that answers 413 before a large body is read.

Issue 19 defect 5: an anonymous 400 MB body was parsed in full. :class:`BodyLimitMiddleware`

* refuses a request whose ``Content-Length`` is over the limit straight away, without calling
  the application or reading a byte of the body (the connection is then closed, so the server
  does not drain the rest either);
* counts the bytes of a body without ``Content-Length`` (chunked, streamed) as the application
  receives them, and stops at the first chunk that crosses the limit: whatever the application
  does with that error, the client gets the 413.

The answer is an RFC 9457 problem (``application/problem+json``, code ``body-too-large``) for
API and web paths alike. The limit is ``SILKHUB_MAX_BODY_BYTES`` (default 4 MiB); import and
upload endpoints (a path segment ``import``, ``imports``, ``upload`` or ``uploads``, see
:data:`UPLOAD_PATH`) get ``SILKHUB_MAX_UPLOAD_BODY_BYTES`` (default 256 MiB).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: paths that take data files (imports, uploads) and get the larger limit
UPLOAD_PATH = re.compile(r"/(?:imports?|uploads?)(?:/|$)")

PROBLEM_TYPE = "https://silkhub.dev/problems/body-too-large"


class BodyTooLarge(Exception):
    """Raised from ``receive`` when a streamed body crosses the limit."""


def limit_for(path: str, max_bytes: int, upload_max_bytes: int) -> int:
    """The body limit of ``path``: the upload limit for import/upload endpoints."""
    return upload_max_bytes if UPLOAD_PATH.search(path) else max_bytes


def problem_body(path: str, limit: int) -> bytes:
    return json.dumps(
        {
            "type": PROBLEM_TYPE,
            "title": "Request body too large",
            "status": 413,
            "detail": f"the request body is larger than the limit of {limit} bytes for {path}",
            "code": "body-too-large",
            "limit_bytes": limit,
            "instance": path,
        }
    ).encode()


async def send_413(send: Send, path: str, limit: int) -> None:
    body = problem_body(path, limit)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimitMiddleware:
    """Answer 413 (problem+json) to request bodies over the limit, before reading them."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, upload_max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = max(upload_max_bytes, max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = limit_for(path, self.max_bytes, self.upload_max_bytes)
        length = _content_length(scope)
        if length is not None and length > limit:
            await send_413(send, path, limit)
            return

        state: dict[str, Any] = {"received": 0, "over": False, "started": False}

        async def limited_receive() -> Message:
            if state["over"]:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["over"] = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if state["over"]:
                # the application answered the broken read (400, 500 ...): replace its answer
                if message["type"] == "http.response.start" and not state["started"]:
                    state["started"] = True
                    await send_413(send, path, limit)
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            if state["started"]:
                raise
            state["started"] = True
            await send_413(send, path, limit)
        except Exception:
            if not state["over"] or state["started"]:
                raise
            # an error caused by the interrupted read (e.g. wrapped by a form parser)
            state["started"] = True
            await send_413(send, path, limit)
