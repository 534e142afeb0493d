"""Plain-language reasons of match scores, per language, from the structured reasons of
:mod:`silkhub.core.matching` and :mod:`silkhub.core.talent_matching`.

A reason is a catalog key with parameters that are codes (``Reason("reason.geo.they_target",
{"country": "KAZ"})``). :class:`ReasonText` renders it through the catalogs
(:mod:`silkhub.i18n`) after turning each code into a name in the user's language:

=====================================  ==================================================
parameter                              rendered as
=====================================  ==================================================
``sector``, ``other_sector``           ISIC rev.4 section/division name (hub.sectors)
``country``, ``other_country``,        country name from the reference data
``countries``
``region``                             region name from the reference data
``language``, ``languages``            language name (Babel, e.g. 俄语 / Russian)
``have``, ``required``                 CEFR level (``native``: 母语 / native)
``tags``                               sector names for ISIC tags, else ``mtag.<tag>``
``size``, ``other_size``               ``msize.<size>``
``words``                              common words (zh: only Chinese ones)
``items``                              sub-reasons, joined with ``；`` / ``; ``
=====================================  ==================================================

So the zh card reads "两者都从事仓储和运输支持活动；对方寻求哈萨克斯坦的合作伙伴" and the en card
"Both work in Warehousing and support activities for transportation; They seek partners in
Kazakhstan".
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.core.text_similarity import has_cjk
from silkhub.data.storage.models.reference import Country, Region
from silkhub.hub.sectors import sectors
from silkhub.i18n import gettext, has, pick

SEPARATOR = {"zh": "；", "en": "; "}
LIST_SEPARATOR = {"zh": "、", "en": ", "}
_COUNTRY_PARAMS = ("country", "other_country")
_SECTOR_PARAMS = ("sector", "other_sector")


def country_names(session: Session, lang: str) -> dict[str, str]:
    """ISO3 -> country name in ``lang`` (reference data)."""
    rows = session.execute(select(Country.iso3, Country.name_en, Country.name_zh))
    return {iso: pick(en, zh, lang) or iso for iso, en, zh in rows}


def region_names(session: Session, lang: str) -> dict[str, str]:
    """Region id -> region name in ``lang`` (reference data)."""
    rows = session.execute(select(Region.region_id, Region.name_en, Region.name_zh))
    return {rid: pick(en, zh, lang) or rid for rid, en, zh in rows}


@lru_cache(maxsize=512)
def language_name(code: str, lang: str) -> str:
    """Name of an ISO 639-1 language in ``lang`` (``ru`` -> 俄语 / Russian)."""
    from babel import Locale

    loc = Locale.parse("zh_CN" if lang == "zh" else "en")
    return loc.languages.get(code.lower(), code)


def sector_name(code: str, lang: str) -> str:
    """Name of an ISIC rev.4 section or division (``52``, ``H``, ``H52``) in ``lang``."""
    c = code.strip().upper().removeprefix("ISIC:")
    table = sectors()
    if c in table:
        return table[c].name(lang)
    digits = "".join(ch for ch in c if ch.isdigit())[:2]
    if digits in table:
        return table[digits].name(lang)
    if c[:1] in table:
        return table[c[:1]].name(lang)
    return code


class ReasonText:
    """Renders structured reasons in one language (names looked up once per instance)."""

    def __init__(self, session: Session | None, lang: str) -> None:
        self.lang = "zh" if lang == "zh" else "en"
        self._countries = country_names(session, self.lang) if session is not None else {}
        self._regions = region_names(session, self.lang) if session is not None else {}

    def _join(self, items: list[str]) -> str:
        return LIST_SEPARATOR[self.lang].join(items)

    def _value(self, name: str, v: Any) -> Any:
        lang = self.lang
        if v is None:
            return ""
        if name in _COUNTRY_PARAMS:
            return self._countries.get(str(v), str(v))
        if name == "countries":
            return self._join([self._countries.get(str(x), str(x)) for x in v])
        if name == "region":
            return self._regions.get(str(v), str(v))
        if name in _SECTOR_PARAMS:
            return sector_name(str(v), lang)
        if name == "language":
            return language_name(str(v), lang)
        if name == "languages":
            return self._join([language_name(str(x), lang) for x in v])
        if name in ("have", "required"):
            return gettext("langlevel.native", lang) if str(v).lower() == "native" else v
        if name in ("size", "other_size"):
            return gettext(f"msize.{v}", lang)
        if name == "tags":
            return self._join([self._tag(str(x)) for x in v])
        if name == "words":
            return self._join([str(x) for x in v])
        return v

    def _tag(self, tag: str) -> str:
        if tag.startswith("isic:"):
            return sector_name(tag[5:], self.lang)
        key = f"mtag.{tag}"
        return gettext(key, self.lang) if has(key, self.lang) else tag

    def render(self, key: str, params: Mapping[str, Any] | None = None) -> str:
        """The reason ``key`` with ``params`` in this renderer's language."""
        params = dict(params or {})
        if "items" in params:
            return SEPARATOR[self.lang].join(
                self.render(str(i["key"]), i.get("params")) for i in params["items"]
            )
        if key == "reason.text.similar":
            words = [str(w) for w in params.get("words") or []]
            if self.lang == "zh":
                words = [w for w in words if has_cjk(w)]
            if not words:
                return gettext("reason.text.similar_plain", self.lang)
            params["words"] = words
        return gettext(key, self.lang, **{k: self._value(k, v) for k, v in params.items()})

    def of(self, part: Any) -> str:
        """Render a :class:`~silkhub.core.matching.Part` or a part dict (``key``/``params``)."""
        if isinstance(part, Mapping):
            return self.render(str(part.get("key") or ""), part.get("params"))
        return self.render(part.key, part.params)

    def summary(self, parts: Any, *, limit: int = 3) -> str:
        """The reasons of the parts that add most to the score, joined (``；`` in zh)."""

        def contribution(p: Any) -> float:
            return float(p["contribution"] if isinstance(p, Mapping) else p.contribution)

        best = [p for p in sorted(parts, key=lambda p: -contribution(p)) if contribution(p) > 0]
        return SEPARATOR[self.lang].join(self.of(p) for p in best[:limit])
