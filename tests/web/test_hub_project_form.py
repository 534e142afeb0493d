"""The web project form follows the one project contract (#14): same model, same service call,
same rules and warnings as the API; errors by message key, next to their field, in zh."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.web.conftest import csrf_of

#: a near-copy of the demo's Jiaozhou cold-chain trade centre (signed 2020, 5.2 bn CNY)
NEAR_COPY = {
    "title_en": "Jiaozhou cold chain trade center",
    "title_zh": "胶州冷链商贸中心（二期）",
    "iso3": "CHN",
    "region_id": "CN-SD-qingdao",
    "isic_code": "52",
    "value_amount": "5,000,000,000",
    "value_currency": "CNY",
    "value_year": "2020",
    "stage": "signed",
    "stage_on": "2020-04-01",
    "visibility": "public",
}
ZH = {"accept-language": "zh-CN"}


@pytest.fixture
def demo_web(web):
    from silkhub.demo import load_demo

    list(load_demo(web.runtime))
    web.login()
    return web


def _post(web, **fields):
    page = web.get("/hub/projects/new", headers=ZH)
    data = dict(NEAR_COPY, csrf_token=csrf_of(page.text))
    data.update(fields)
    return web.post("/hub/projects/new", data=data, headers=ZH, follow_redirects=False)


def _count(web, q: str) -> int:
    r = web.get("/api/v1/projects", params={"q": q, "limit": 500})
    return len(r.json()["items"])


def test_near_duplicate_shows_the_repeated_construction_warning_next_to_the_fields(
    demo_web, monkeypatch
):
    """Before: the web saved a near-copy silently while the API warned."""
    from tests.api._accounts import make_account, use_fast_hashing

    use_fast_hashing(monkeypatch)
    op = make_account(demo_web.runtime, "op@hub.org", "operator", None)
    before = _count(demo_web, "Jiaozhou")
    r = _post(demo_web)
    assert r.status_code == 409
    block = r.text.split('data-testid="repeated-construction"')[1].split("</div>")[0]
    assert "可能存在重复建设" in block and "胶州冷链商贸中心" in block and "相似度" in block
    # the warning sits in the project's fieldset, right after the title fields
    form = r.text.split('data-testid="project-form"')[1]
    assert form.index("f-title_zh") < form.index("repeated-construction") < form.index("f-iso3")
    assert 'value="胶州冷链商贸中心（二期）"' in r.text  # nothing the user typed is lost
    assert _count(demo_web, "Jiaozhou") == before  # not saved yet
    # the API gives the same warning for the same input (one service call)
    body = {k: v for k, v in NEAR_COPY.items() if k != "value_amount"}
    body |= {"value_amount": "5000000000", "value_year": 2020, "dated_on": "2020-04-01"}
    api = demo_web.post("/api/v1/projects", json=body, headers=op.headers)
    assert api.status_code == 201
    assert [w["title"] for w in api.json()["repeated_construction"]][:1] == [
        "Jiaozhou cold-chain trade centre (demo)"
    ]
    # confirmed, the web saves it
    r = _post(demo_web, title_en="Jiaozhou cold chain trade center II", confirm_similar="1")
    assert r.status_code == 303, r.text[:500]
    assert _count(demo_web, "Jiaozhou") == before + 2


def test_future_start_date_is_refused_by_the_service_rule(demo_web):
    later = (date.today() + timedelta(days=10)).isoformat()
    r = _post(demo_web, title_en="Kashgar dry port", title_zh="喀什陆港", stage_on=later)
    assert r.status_code == 422
    assert 'data-testid="error-stage_on"' in r.text
    assert f"开始日期 {later} 晚于今天" in r.text


def test_region_error_is_short_translated_and_on_the_region_field(demo_web):
    r = _post(demo_web, title_en="Atlantis port", title_zh="", region_id="Atlantis")
    assert r.status_code == 422
    assert 'data-testid="error-region_id"' in r.text
    assert 'href="#f-region_id"' in r.text and 'id="f-region_id"' in r.text
    assert 'href="#f-region"' not in r.text
    msg = r.text.split('data-testid="error-region_id">')[1].split("</p>")[0]
    assert msg == "未知城市或地区“Atlantis”：请使用名称（如 杭州）或代码（如 CN-ZJ-hangzhou）。"
    assert "Hangzhou, " not in r.text  # no list of every region in English


def test_all_field_problems_show_at_once_in_zh(demo_web):
    r = _post(demo_web, title_en="", title_zh="", iso3="Atlantis", value_amount="lots")
    assert r.status_code == 422
    for name in ("title_en", "iso3", "value_amount"):
        assert f'data-testid="error-{name}"' in r.text
    assert "请填写英文或中文名称。" in r.text and "请输入数字" in r.text
    assert "未知国家“Atlantis”" in r.text


def test_transition_errors_come_from_the_message_key_not_english_text(demo_web):
    r = _post(
        demo_web,
        title_en="Khorgos logistics yard",
        title_zh="霍尔果斯物流场站",
        iso3="KAZ",
        region_id="",
        isic_code="49",
        value_amount="",
        value_currency="",
        stage="proposed",
        stage_on="2024-01-10",
    )
    assert r.status_code == 303, r.text[:400]
    url = r.headers["location"]
    page = demo_web.get(url, headers=ZH)
    token = csrf_of(page.text)
    r = demo_web.post(
        url + "/transition", data={"to": "announced", "at": "2020-01-01", "csrf_token": token},
        headers=ZH,
    )  # fmt: skip
    assert r.status_code == 422 and 'data-testid="error-at"' in r.text
    assert "日期 2020-01-01 早于当前阶段的日期（提出，2024-01-10）" in r.text
    later = (date.today() + timedelta(days=3)).isoformat()
    r = demo_web.post(
        url + "/transition", data={"to": "announced", "at": later, "csrf_token": token},
        headers=ZH,
    )  # fmt: skip
    assert r.status_code == 422 and f"日期 {later} 晚于今天。" in r.text


def test_web_modules_hold_no_sql_and_parse_no_english():
    from pathlib import Path

    import silkhub.web.hub.events as events_mod
    import silkhub.web.hub.meetings as meetings_mod
    import silkhub.web.hub.projects as projects_mod

    for mod in (projects_mod, events_mod, meetings_mod):
        text = Path(mod.__file__).read_text(encoding="utf-8")
        for needle in ("select(", "text(", ".execute(", '" in exc.message', "in exc.message"):
            assert needle not in text, (mod.__name__, needle)
