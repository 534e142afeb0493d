"""Minimal message catalog (en / zh); replaced by Babel catalogs as the UI grows."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

LANGS = ("en", "zh")
_DIR = Path(__file__).parent


@lru_cache
def catalog(lang: str) -> dict[str, str]:
    path = _DIR / f"{lang}.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def gettext(key: str, lang: str) -> str:
    """The message for ``key`` in ``lang``, falling back to English, then the key itself."""
    return catalog(lang).get(key) or catalog("en").get(key) or key


def pick_lang(
    query_lang: str | None, cookie_lang: str | None, accept: str | None, default: str
) -> str:
    """Language from the user's explicit choice, then ``Accept-Language``, then the default."""
    for cand in (query_lang, cookie_lang):
        if cand in LANGS:
            return cand
    if accept:
        for part in accept.split(","):
            tag = part.split(";")[0].strip().lower()
            if tag.startswith("zh"):
                return "zh"
            if tag.startswith("en"):
                return "en"
    return default if default in LANGS else "en"
