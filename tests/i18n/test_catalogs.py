"""Message catalogs: both languages complete, every key used in templates exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from silkhub.i18n import catalog, gettext, pick, pick_lang

WEB = Path(__file__).resolve().parents[2] / "src" / "silkhub" / "web"
SRC = WEB.parent


def _used_keys() -> set[str]:
    keys: set[str] = set()
    pat = re.compile(r"""\b_\(\s*'([a-z][a-z0-9_.]*[a-z0-9_])'\s*[),]""")
    tpat = re.compile(r"""\bt\(\s*['"]([a-z][a-z0-9_.]*[a-z0-9_])['"]\s*[),]""")
    for path in [*(WEB / "templates").glob("*.html"), *(SRC / "report" / "templates").glob("*")]:
        keys |= set(pat.findall(path.read_text("utf-8")))
        keys |= set(tpat.findall(path.read_text("utf-8")))
    for path in [*WEB.glob("*.py"), *(SRC / "report").glob("*.py")]:
        keys |= set(tpat.findall(path.read_text("utf-8")))
    return keys


def test_catalogs_have_the_same_keys():
    en, zh = catalog("en"), catalog("zh")
    assert len(en) > 200
    assert set(en) == set(zh)


def test_every_literal_key_is_translated():
    en, zh = catalog("en"), catalog("zh")
    missing = sorted(k for k in _used_keys() if k not in en or k not in zh)
    assert missing == []


def test_placeholders_match_between_languages():
    en, zh = catalog("en"), catalog("zh")
    ph = re.compile(r"\{(\w+)\}")
    bad = [k for k in en if set(ph.findall(en[k])) != set(ph.findall(zh.get(k, "")))]
    assert bad == []


def test_gettext_fills_placeholders_and_falls_back():
    assert gettext("list.count", "en", n=3) == "3 found"
    assert gettext("list.count", "zh", n=3) == "共 3 条"
    assert gettext("no.such.key", "zh") == "no.such.key"


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        pytest.param("zh", None, "en", "zh", id="explicit-choice-wins"),
        pytest.param(None, "en", "zh-CN", "en", id="cookie-before-header"),
        pytest.param(None, None, "zh-CN,zh;q=0.9,en;q=0.8", "zh", id="header"),
        pytest.param(None, None, "en;q=0.5,zh;q=0.9", "zh", id="q-weights"),
        pytest.param(None, None, "fr", "en", id="default"),
        pytest.param("xx", None, None, "en", id="unknown-choice-ignored"),
    ],
)
def test_pick_lang(query, cookie, accept, expected):
    assert pick_lang(query, cookie, accept, "en") == expected


def test_pick_falls_back_to_the_other_language():
    assert pick("Jinan", None, "zh") == "Jinan"
    assert pick(None, "济南", "en") == "济南"
    assert pick("Jinan", "济南", "zh") == "济南"
