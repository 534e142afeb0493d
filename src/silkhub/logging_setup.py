"""Logging for the CLI and the server: plain text (default) or one JSON object per line.

``SILKHUB_LOG_FORMAT=json`` switches every handler silkhub installs (CLI, ``silkhub serve`` and
its uvicorn loggers) to :class:`JsonFormatter`: one line per record with ``ts`` (UTC, ISO 8601),
``level``, ``logger``, ``message``, the fields passed in ``extra=`` (e.g. the request log's
``method``, ``path``, ``status``, ``duration_ms``), ``pid`` and, for errors, ``exc``.

The environment is read directly (not through :mod:`silkhub.settings`) so that the CLI's start-up
stays cheap; the setting is documented there all the same.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from typing import Any

LOG_FORMAT_ENV = "SILKHUB_LOG_FORMAT"
FORMATS = ("text", "json")

#: attributes every LogRecord has; anything else on a record came from ``extra=``
_STANDARD = frozenset(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {
    "message",
    "asctime",
    "color_message",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per record (no newlines inside: tracebacks are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def log_format(value: str | None = None) -> str:
    """The chosen format (``text`` or ``json``); an unknown value falls back to ``text``."""
    fmt = (value or os.environ.get(LOG_FORMAT_ENV) or "text").strip().lower()
    return fmt if fmt in FORMATS else "text"


def make_formatter(fmt: str | None = None, text_format: str = "%(message)s") -> logging.Formatter:
    return JsonFormatter() if log_format(fmt) == "json" else logging.Formatter(text_format)


def configure_logging(*, verbose: bool = False, fmt: str | None = None) -> None:
    """Root logger to stderr: INFO with ``verbose`` else WARNING, text or JSON lines."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_silkhub", False)]
    if root.handlers and not ours:
        return  # configured by someone else (pytest, an embedding program): like basicConfig
    for old in ours:
        root.removeHandler(old)
    handler = logging.StreamHandler()
    handler.setFormatter(make_formatter(fmt))
    handler._silkhub = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)


def uvicorn_log_config(fmt: str | None = None, level: str = "info") -> dict[str, Any]:
    """A ``logging.config`` dict for uvicorn: its own loggers in text or JSON lines."""
    if log_format(fmt) == "json":
        formatter: dict[str, Any] = {"()": "silkhub.logging_setup.JsonFormatter"}
    else:
        formatter = {"format": "%(levelname)s:     %(message)s"}
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "default",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            # silkhub's own request log (silkhub.access) replaces uvicorn's access lines
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "silkhub": {"handlers": ["default"], "level": level.upper(), "propagate": False},
        },
    }
