"""405 Method Not Allowed with a correct ``Allow`` header, for every path of the OpenAPI document.

Starlette answers an unrouted method on its own terms: its 405 names the methods of the *first*
route whose path matched (so ``OPTIONS /projects`` said ``Allow: GET`` although ``POST`` is
declared too), and a literal path such as ``/organisations/offers`` falls through to the
templated ``PATCH /organisations/{org_id}``, which answers 422 for ``org_id="offers"``.

:class:`MethodGuard` is a pure ASGI middleware that resolves a request path against the
document's path templates the way OpenAPI does (a literal segment wins over a template
parameter) and, when the method is not declared on that path, answers 405 as an RFC 9457
problem with ``Allow`` listing exactly the declared methods (FastAPI serves no implicit
``HEAD``, so a ``HEAD`` on a ``GET`` path is a 405 too). ``OPTIONS`` is not declared anywhere,
so it gets that 405 too; a CORS preflight is answered by a CORS middleware added outside this
one, before it gets here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from silkhub.api.problems import PROBLEM_JSON

#: methods an OpenAPI path item can declare
_OPENAPI_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class _Template:
    __slots__ = ("allow", "methods", "pattern", "rank")

    def __init__(self, path: str, methods: set[str]) -> None:
        segments = path.strip("/").split("/")
        parts = []
        for seg in segments:
            if seg.startswith("{") and seg.endswith("}"):
                parts.append("[^/]+")
            else:
                parts.append(re.escape(seg))
        self.pattern = re.compile("/" + "/".join(parts) + "/?")
        # literal segments first: (1, 1, 0) beats (1, 0, 1) for the same length
        self.rank = tuple(0 if s.startswith("{") else 1 for s in segments)
        self.methods = set(methods)
        order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
        self.allow = ", ".join(m for m in order if m in self.methods)


def compile_paths(spec: dict[str, Any]) -> list[_Template]:
    """The document's path templates with their declared methods, most specific first."""
    templates = []
    for path, item in spec.get("paths", {}).items():
        methods = {m.upper() for m in item if m in _OPENAPI_METHODS}
        if methods:
            templates.append(_Template(path, methods))
    templates.sort(key=lambda t: t.rank, reverse=True)
    return templates


def resolve(templates: list[_Template], path: str) -> _Template | None:
    """The template OpenAPI routes ``path`` to (most literal segments), or None."""
    for template in templates:
        if template.pattern.fullmatch(path):
            return template
    return None


class MethodGuard:
    """ASGI middleware: 405 + ``Allow`` for methods a documented path does not declare.

    ``spec`` is called once, on the first request (the document is built lazily by FastAPI).
    Paths outside ``prefixes`` and paths the document does not know pass through untouched.
    """

    def __init__(
        self, app: Any, spec: Callable[[], dict[str, Any]], prefixes: tuple[str, ...] = ("/api/",)
    ) -> None:
        self.app = app
        self._spec = spec
        self._prefixes = prefixes
        self._templates: list[_Template] | None = None

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self._prefixes):
            await self.app(scope, receive, send)
            return
        if self._templates is None:
            self._templates = compile_paths(self._spec())
        template = resolve(self._templates, scope["path"])
        method = scope["method"].upper()
        if template is None or method in template.methods:
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "type": "https://silkhub.dev/problems/method-not-allowed",
                "title": "Method Not Allowed",
                "status": 405,
                "detail": f"{method} is not allowed here; allowed: {template.allow}",
                "code": "method-not-allowed",
                "instance": scope["path"],
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 405,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"allow", template.allow.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
