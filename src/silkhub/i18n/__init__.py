"""Message catalogs of the web UI and reports (gettext ``.po`` files read with Babel).

Catalogs live in ``i18n/<locale>/LC_MESSAGES/messages.po`` (``en`` and ``zh_CN``). Message ids
are stable keys (``nav.dashboard``), so an English wording can change without touching the
Chinese catalog. A missing translation falls back to English, then to the key itself.

The UI language comes from the user's explicit choice (``?lang=`` then the ``lang`` cookie), then
``Accept-Language``, then the ``default_lang`` setting.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGS = ("en", "zh")
#: UI language -> gettext locale folder
LOCALES = {"en": "en", "zh": "zh_CN"}
#: UI language -> HTML ``lang`` attribute
HTML_LANG = {"en": "en", "zh": "zh-CN"}
_DIR = Path(__file__).parent


def catalog_path(lang: str) -> Path:
    """Path of the ``.po`` file of ``lang``."""
    return _DIR / LOCALES[lang] / "LC_MESSAGES" / "messages.po"


@lru_cache
def catalog(lang: str) -> dict[str, str]:
    """All translated messages of ``lang`` as ``{msgid: msgstr}`` (empty strings dropped)."""
    if lang not in LOCALES:
        return {}
    path = catalog_path(lang)
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        cat = read_po(fh, locale=LOCALES[lang])
    return {str(m.id): str(m.string) for m in cat if m.id and m.string}


def gettext(key: str, lang: str, **params: object) -> str:
    """The message for ``key`` in ``lang`` (fallback: English, then the key).

    ``params`` fill ``{name}`` placeholders: ``gettext("x.count", "en", n=3)``.
    """
    text = catalog(lang).get(key) or catalog("en").get(key) or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def has(key: str, lang: str) -> bool:
    """Whether ``key`` has a text in ``lang``'s catalog (or the English one)."""
    return key in catalog(lang) or key in catalog("en")


def error_text(exc: object, lang: str) -> str:
    """An error's message in ``lang``: its catalog ``key`` with ``params``, else its ``message``.

    Works on :class:`silkhub.errors.SilkhubError` and on one ``errors`` entry of a
    ``ValidationError`` (a dict with ``key``/``params``/``message``).
    """
    if isinstance(exc, dict):
        key, params, message = exc.get("key"), exc.get("params") or {}, exc.get("message")
    else:
        key = getattr(exc, "key", None)
        params = getattr(exc, "params", None) or {}
        message = getattr(exc, "message", None) or str(exc)
    if key and has(key, lang):
        return gettext(key, lang, **params)
    return str(message or key or "")


def pick_lang(
    query_lang: str | None, cookie_lang: str | None, accept: str | None, default: str
) -> str:
    """Language from the user's explicit choice, then ``Accept-Language``, then the default.

    ``Accept-Language`` entries are honoured in order of their ``q`` weight.
    """
    for cand in (query_lang, cookie_lang):
        if cand in LANGS:
            return cand
    if accept:
        weighted: list[tuple[float, int, str]] = []
        for i, part in enumerate(accept.split(",")):
            pieces = part.strip().split(";")
            tag = pieces[0].strip().lower()
            q = 1.0
            for p in pieces[1:]:
                p = p.strip()
                if p.startswith("q="):
                    try:
                        q = float(p[2:])
                    except ValueError:
                        q = 0.0
            weighted.append((-q, i, tag))
        for neg_q, _, tag in sorted(weighted):
            if neg_q >= 0:
                continue
            if tag.startswith("zh"):
                return "zh"
            if tag.startswith("en"):
                return "en"
    return default if default in LANGS else "en"


def pick(obj_en: str | None, obj_zh: str | None, lang: str) -> str:
    """A bilingual text field in ``lang``, falling back to the other language."""
    first, second = (obj_zh, obj_en) if lang == "zh" else (obj_en, obj_zh)
    return first or second or ""
