"""Web workflows of organisations and agreements (issue 16): forms validate through the
service's create/update models, show keyed errors next to the fields in zh, check CSRF and
ownership; the agreements list shows shares as percentages; empty states offer the web flow."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.web.conftest import csrf_of

ZH = {"accept-language": "zh-CN"}


def _post(web, path: str, data: dict, *, form_page: str | None = None):
    token = csrf_of(web.get(form_page or path, headers=ZH).text)
    return web.post(path, data={**data, "csrf_token": token}, headers=ZH, follow_redirects=False)


def _error(html: str, name: str) -> str:
    m = re.search(rf'data-testid="error-{re.escape(name)}">([^<]*)<', html)
    return m.group(1) if m else ""


@pytest.fixture
def admin_web(web):
    assert web.login().status_code == 303
    return web


def _new_org(web, **kw) -> int:
    data = {"kind": "soe", "name_zh": "青岛港集团", "visibility": "public", **kw}
    r = _post(web, "/hub/organisations/new", data)
    assert r.status_code == 303, _error(r.text, "__all__") or r.text[:2000]
    return int(r.headers["location"].rsplit("/", 1)[1])


def test_empty_states_offer_the_web_flow_not_the_cli(web):
    for path in ("/hub/organisations", "/hub/agreements"):
        html = web.get(path, headers=ZH).text
        assert "silkhub hub" not in html and "<code>" not in html
    assert "/login?next=/hub/organisations" in web.get("/hub/organisations", headers=ZH).text
    web.login()
    assert 'href="/hub/organisations/new"' in web.get("/hub/organisations", headers=ZH).text
    assert 'href="/hub/agreements/new"' in web.get("/hub/agreements", headers=ZH).text


def test_create_organisation_errors_next_to_fields_in_zh(admin_web):
    r = _post(admin_web, "/hub/organisations/new", {"kind": "soe", "languages": "chinese!"})
    assert r.status_code == 422
    # the service's keyed errors, rendered in zh next to their fields
    assert _error(r.text, "name_zh") == "请填写机构名称（中文或英文至少一项）"
    r = _post(
        admin_web,
        "/hub/organisations/new",
        {"kind": "soe", "name_zh": "中远", "languages": "zh, chinese!", "contact_email": "x"},
    )
    assert r.status_code == 422
    assert "不是 ISO 639 语言代码" in _error(r.text, "languages")
    assert 'value="中远"' in r.text  # nothing typed is lost
    r = _post(admin_web, "/hub/organisations/new", {"kind": "bank", "name_zh": "某银行"})
    assert r.status_code == 422 and "不在可选范围内" in _error(r.text, "kind")
    r = _post(
        admin_web, "/hub/organisations/new", {"kind": "soe", "name_zh": "某", "iso3": "亚特兰蒂斯"}
    )
    assert r.status_code == 422 and "亚特兰蒂斯" in _error(r.text, "iso3")


def test_create_edit_services_members_offers(admin_web):
    oid = _new_org(admin_web, name_en="Qingdao Port", iso3="CHN", sectors="5210")
    page = admin_web.get(f"/hub/organisations/{oid}", headers=ZH).text
    assert "青岛港集团" in page and "orgkind" not in page
    # edit: services with the countries they serve (law for Kazakhstan, visas)
    r = _post(
        admin_web,
        f"/hub/organisations/{oid}/edit",
        {
            "kind": "service_provider",
            "name_zh": "青岛港集团",
            "name_en": "",
            "visibility": "public",
            "svc_law": "1",
            "svc_law_countries": "KAZ，俄罗斯",
            "svc_visa": "1",
            "svc_visa_countries": "",
        },
    )
    assert r.status_code == 303, r.text[:3000]
    page = admin_web.get(f"/hub/organisations/{oid}", headers=ZH).text
    assert "法律" in page and "签证" in page and "哈萨克斯坦" in page
    api = admin_web.get(f"/api/v1/organisations/{oid}").json()
    assert api["name_en"] is None  # a cleared field is cleared
    assert {s["service"]: s["countries"] for s in api["services"]} == {
        "law": ["KAZ", "RUS"],
        "visa": [],
    }
    # an unknown country in the services names the services fieldset
    r = _post(
        admin_web,
        f"/hub/organisations/{oid}/edit",
        {"kind": "service_provider", "name_zh": "青岛港集团", "svc_law": "1",
         "svc_law_countries": "Atlantis"},
    )  # fmt: skip
    assert r.status_code == 422 and _error(r.text, "services")
    # offers: not a number (the model's rule), a budget without a currency (the money rule)
    r = _post(
        admin_web,
        f"/hub/organisations/{oid}/offers/new",
        {"kind": "offer", "title_zh": "冷链仓储", "budget_max": "500万", "currency": ""},
    )
    assert r.status_code == 422 and "数字" in _error(r.text, "budget_max")
    r = _post(
        admin_web,
        f"/hub/organisations/{oid}/offers/new",
        {"kind": "request", "title_zh": "寻找哈萨克斯坦物流伙伴", "budget_max": "5000000",
         "currency": "", "visibility": "public"},
    )  # fmt: skip
    assert r.status_code == 422 and "须注明币种" in _error(r.text, "currency")
    r = _post(
        admin_web,
        f"/hub/organisations/{oid}/offers/new",
        {"kind": "request", "title_zh": "寻找哈萨克斯坦物流伙伴", "budget_max": "5000000",
         "currency": "try", "countries": "KAZ", "visibility": "public"},
    )  # fmt: skip
    assert r.status_code == 303
    page = admin_web.get(f"/hub/organisations/{oid}", headers=ZH).text
    assert "寻找哈萨克斯坦物流伙伴" in page and "需求" in page
    # members: the admin adds one; the member sees the list but may not add
    r = _post(
        admin_web,
        f"/hub/organisations/{oid}/members",
        {"email": "li@example.org", "display_name": "李明", "password": "a long passphrase 42",
         "role": "member"},
    )  # fmt: skip
    assert r.status_code == 303, r.text[:2000]
    html = admin_web.get(f"/hub/organisations/{oid}/members", headers=ZH).text
    assert "李明" in html and "li@example.org" in html


def test_member_may_not_edit_another_organisation_and_csrf_is_checked(admin_web):
    mine = _new_org(admin_web, name_zh="甲公司")
    other = _new_org(admin_web, name_zh="乙公司")
    r = _post(
        admin_web,
        f"/hub/organisations/{mine}/members",
        {"email": "m@example.org", "password": "a long passphrase 42", "role": "member"},
    )
    assert r.status_code == 303
    # no CSRF token: refused
    r = admin_web.post(f"/hub/organisations/{mine}/edit", data={"kind": "soe", "name_zh": "x"})
    assert r.status_code == 403
    admin_web.cookies.clear()
    assert admin_web.login("m@example.org", "a long passphrase 42").status_code == 303
    assert admin_web.get(f"/hub/organisations/{other}/edit", headers=ZH).status_code == 403
    assert admin_web.get(f"/hub/organisations/{mine}/edit", headers=ZH).status_code == 200
    assert admin_web.get("/hub/organisations/new", headers=ZH).status_code == 200
    r = _post(admin_web, "/hub/organisations/new", {"kind": "soe", "name_zh": "丙公司"})
    assert r.status_code == 403  # new organisations are registered by hub staff


def test_agreement_with_commitments_fulfil_and_milestone(admin_web):
    a = _new_org(admin_web, name_zh="中远海运")
    b = _new_org(admin_web, name_zh="哈萨克斯坦商会", kind="chamber_of_commerce")
    signed = date.today() - timedelta(days=100)
    base = {
        "kind": "mou",
        "title_zh": "物流合作备忘录",
        "signed_on": signed.isoformat(),
        "visibility": "public",
        "party_ids": [str(a), str(b)],
        "c0_owed_by_id": str(a),
        "c0_what_zh": "在阿拉木图设立办事处",
        "c0_amount": "2,000,000",
        "c0_currency": "CNY",
        "c0_due_on": (date.today() + timedelta(days=30)).isoformat(),
        "c1_owed_by_id": str(b),
        "c1_what_zh": "组织路演",
        "c1_due_on": (date.today() - timedelta(days=5)).isoformat(),
        "c1_currency": "CNY",
        "c2_owed_by_id": str(a),
        "c2_currency": "CNY",
    }
    # the money rule and the date rule of the service, on the row's fields, in zh
    bad = {**base, "c0_currency": "ZZ1", "c1_due_on": (signed - timedelta(days=1)).isoformat()}
    r = _post(admin_web, "/hub/agreements/new", bad)
    assert r.status_code == 422
    assert "不是 ISO 4217 币种代码" in _error(r.text, "c0_currency")
    r = _post(
        admin_web,
        "/hub/agreements/new",
        {**base, "c1_due_on": (signed - timedelta(days=1)).isoformat()},
    )
    assert "早于协议签署日" in _error(r.text, "c1_due_on")
    r = _post(admin_web, "/hub/agreements/new", {**base, "party_ids": [str(a)]})
    assert "不是本协议的签约方" in _error(r.text, "c1_owed_by_id")
    r = _post(admin_web, "/hub/agreements/new", {**base, "party_ids": []})
    assert _error(r.text, "party_ids") == "请至少选择一个签约方。"
    # a currency outside the old web list of seven (TRY has exchange rates)
    r = _post(admin_web, "/hub/agreements/new", {**base, "c0_currency": "TRY"})
    assert r.status_code == 303, r.text[:3000]
    aid = int(r.headers["location"].rsplit("/", 1)[1])
    page = admin_web.get(f"/hub/agreements/{aid}", headers=ZH).text
    assert 'data-light="red"' in page  # the roadshow is overdue
    api = admin_web.get(f"/api/v1/agreements/{aid}").json()
    assert len(api["commitments"]) == 2 and api["commitments"][0]["currency"] == "TRY"
    roadshow = api["commitments"][1]["id"]
    # fulfil with evidence: a future date is refused next to the field
    path = f"/hub/commitments/{roadshow}/fulfil"
    r = _post(admin_web, path, {"fulfilled_on": (date.today() + timedelta(days=2)).isoformat()})
    assert r.status_code == 422 and "不能晚于今天" in _error(r.text, "fulfilled_on")
    r = _post(
        admin_web, path, {"fulfilled_on": date.today().isoformat(), "evidence": "新闻稿 2024-17 号"}
    )
    assert r.status_code == 303
    c = admin_web.get(f"/api/v1/agreements/{aid}").json()["commitments"][1]
    assert c["status"] == "fulfilled" and c["evidence"] == "新闻稿 2024-17 号"
    perf = admin_web.get(f"/api/v1/agreements/{aid}/performance").json()
    assert perf["traffic_light"] == "amber"  # fulfilled late: 1 of 1 evaluated is late
    page = admin_web.get(f"/hub/agreements/{aid}", headers=ZH).text
    assert 'data-light="amber"' in page and "新闻稿 2024-17 号" in page
    # a milestone of the open commitment, then marked done with evidence
    office = api["commitments"][0]["id"]
    r = _post(
        admin_web,
        f"/hub/commitments/{office}/milestones/new",
        {"title_zh": "租下办公室", "due_on": date.today().isoformat(), "status": "done"},
    )
    assert r.status_code == 422 and _error(r.text, "done_on").startswith("状态为")
    r = _post(
        admin_web,
        f"/hub/commitments/{office}/milestones/new",
        {"title_zh": "租下办公室", "due_on": date.today().isoformat(), "status": "planned"},
    )
    assert r.status_code == 303
    mid = admin_web.get(f"/api/v1/agreements/{aid}").json()["commitments"][0]
    r = admin_web.get(f"/hub/agreements/{aid}", headers=ZH)
    link = re.search(r'href="(/hub/milestones/\d+/update)"', r.text).group(1)
    r = _post(
        admin_web,
        link,
        {"status": "done", "done_on": date.today().isoformat(), "evidence": "租约扫描件"},
    )
    assert r.status_code == 303
    assert "租约扫描件" in admin_web.get(f"/hub/agreements/{aid}", headers=ZH).text
    assert mid["id"] == office


def test_agreements_list_shows_shares_as_percentages(admin_web):
    a = _new_org(admin_web, name_zh="甲")
    r = _post(
        admin_web,
        "/hub/agreements/new",
        {"kind": "contract", "title_zh": "合同", "party_ids": [str(a)], "visibility": "public",
         "signed_on": "2024-01-01", "c0_owed_by_id": str(a), "c0_what_zh": "交付",
         "c0_amount": "100", "c0_currency": "USD", "c0_due_on": "2024-02-01"},
    )  # fmt: skip
    assert r.status_code == 303
    cid = admin_web.get(r.headers["location"].replace("/hub/", "/api/v1/")).json()
    cid = cid["commitments"][0]["id"]
    _post(
        admin_web,
        f"/hub/commitments/{cid}/fulfil",
        {"fulfilled_on": "2024-01-20", "fulfilled_amount": "50"},
    )
    for lang, header in (
        ("zh", "已履行金额占比（按美元计）"),
        ("en", "Fulfilled (share of committed US$)"),
    ):
        html = admin_web.get(f"/hub/agreements?lang={lang}").text
        assert header in html and "Fulfilled (US$)" not in html
        row = re.search(r'<tr data-light="green">(.*?)</tr>', html, re.S).group(1)
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        assert cells[-1] == "50%" and cells[1] == "100%"
