"""Country reference table built from pycountry (names en/zh) and country_converter.

pycountry ships ISO 3166-1 with zh_CN translations; country_converter adds the continent and
UN region. country_converter 1.3.x breaks at import under pandas 3, so it is imported lazily and
its failure is tolerated (the columns stay empty), see docs/decisions.md.
"""

from __future__ import annotations

import csv
import gettext
import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pycountry

logger = logging.getLogger(__name__)

#: user-assigned codes pycountry does not list but trade data uses
EXTRA_COUNTRIES = [
    {"iso3": "XKX", "iso2": "XK", "numeric": None, "name_en": "Kosovo", "name_zh": "科索沃"},
]

#: short, familiar zh names preferred over pycountry's long official forms
ZH_SHORT_NAMES = {
    "KOR": "韩国",
    "PRK": "朝鲜",
    "LAO": "老挝",
    "BOL": "玻利维亚",
    "VEN": "委内瑞拉",
    "TZA": "坦桑尼亚",
    "IRN": "伊朗",
    "SYR": "叙利亚",
    "MDA": "摩尔多瓦",
    "RUS": "俄罗斯",
    "VNM": "越南",
    "BIH": "波黑",
    "TWN": "中国台湾",
    "HKG": "中国香港",
    "MAC": "中国澳门",
    "FSM": "密克罗尼西亚联邦",
    "MNG": "蒙古国",
    "COG": "刚果（布）",
    "COD": "刚果（金）",
    "GBR": "英国",
    "USA": "美国",
}


@dataclass(frozen=True)
class CountryRecord:
    iso3: str
    iso2: str | None
    numeric: str | None
    name_en: str
    name_zh: str | None
    official_name_en: str | None
    continent: str | None
    wb_region: str | None
    wb_income: str | None


def _zh() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:  # pragma: no cover - pycountry always ships zh_CN
        return gettext.NullTranslations()


def _coco_columns() -> dict[str, dict[str, str]]:
    """ISO3 -> {continent, un_region} from country_converter, or {} when it cannot load."""
    try:
        import country_converter as coco

        data = coco.CountryConverter().data
    except Exception as exc:
        logger.warning("country_converter unavailable (%s); continent left empty", exc)
        return {}
    out: dict[str, dict[str, str]] = {}
    for row in data[["ISO3", "continent", "UNregion"]].itertuples(index=False):
        out[str(row.ISO3)] = {"continent": str(row.continent), "un_region": str(row.UNregion)}
    return out


@lru_cache
def country_records() -> tuple[CountryRecord, ...]:
    """Every ISO 3166-1 country plus a few user-assigned codes, sorted by ISO3."""
    zh = _zh()
    coco = _coco_columns()
    wb = world_bank_classification()
    records: list[CountryRecord] = []
    for c in pycountry.countries:
        common = getattr(c, "common_name", None)
        name_en = common or c.name
        name_zh = ZH_SHORT_NAMES.get(c.alpha_3) or zh.gettext(c.name)
        if name_zh == c.name:
            name_zh = None
        extra = coco.get(c.alpha_3, {})
        wbrow = wb.get(c.alpha_3, {})
        records.append(
            CountryRecord(
                iso3=c.alpha_3,
                iso2=c.alpha_2,
                numeric=c.numeric,
                name_en=name_en,
                name_zh=name_zh,
                official_name_en=getattr(c, "official_name", None),
                continent=extra.get("continent"),
                wb_region=wbrow.get("region") or extra.get("un_region"),
                wb_income=wbrow.get("income") or None,
            )
        )
    for e in EXTRA_COUNTRIES:
        wbrow = wb.get(str(e["iso3"]), {})
        records.append(
            CountryRecord(
                iso3=str(e["iso3"]),
                iso2=e["iso2"],
                numeric=e["numeric"],
                name_en=str(e["name_en"]),
                name_zh=e["name_zh"],
                official_name_en=None,
                continent="Europe",
                wb_region=wbrow.get("region"),
                wb_income=wbrow.get("income"),
            )
        )
    return tuple(sorted(records, key=lambda r: r.iso3))


def world_bank_classification() -> dict[str, dict[str, str]]:
    """ISO3 -> {region, income} from the shipped World Bank classification file, if present."""
    try:
        text = resources.files(__package__).joinpath("wb_classification.csv").read_text("utf-8")
    except FileNotFoundError:
        return {}
    return {
        r["iso3"]: {"region": r["region"], "income": r["income"]}
        for r in csv.DictReader(text.splitlines())
    }
