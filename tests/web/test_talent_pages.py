"""Talent directory, "my talent profile", positions with suggestions and the living-environment
directory (issue 11): both languages, visibility, forms keeping input, export and delete."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.web.conftest import csrf_of

PASSWORD = "a long enough password 1"
EN = {"accept-language": "en"}
ZH = {"accept-language": "zh-CN"}


@pytest.fixture
def demo_web(web):
    """The web client over the demo data, plus members of two organisations."""
    from silkhub.data.storage.models.hub import Organisation
    from silkhub.demo import load_demo
    from silkhub.hub import accounts
    from silkhub.hub.policy import Actor

    list(load_demo(web.runtime))
    with web.runtime.session() as s:
        orgs = list(s.scalars(select(Organisation.id).order_by(Organisation.id).limit(2)))
        for email, org in (("a@example.org", orgs[0]), ("b@example.org", orgs[1])):
            accounts.create_user(
                s, Actor.system(), email, PASSWORD, role="member", organisation_id=org
            )
    web.orgs = orgs
    return web


def _client(web, email: str | None = None) -> TestClient:
    """A separate browser (own cookies) over the same app, signed in as ``email``."""
    c = TestClient(web.app)
    if email:
        token = csrf_of(c.get("/login").text)
        r = c.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
    return c


def _profile_form(c: TestClient, **values: str):
    page = c.get("/talent/me", headers=EN)
    data = {
        "name_en": "Olga Petrova",
        "name_zh": "",
        "email": "olga@example.org",
        "nationality": "RUS",
        "based_in": "Jinan",
        "languages": "ru:native, en:C1, zh:B1",
        "sectors": "H, 52",
        "skills_en": "rail freight, customs, Russian-Chinese interpreting",
        "skills_zh": "",
        "countries_experience": "KAZ, RUS",
        "education": "MSc Logistics",
        "available_from": "2026-01-01",
        "available_to": "",
        "preferred_regions": "Jinan, Qingdao",
        "visibility": "operators",
        "csrf_token": csrf_of(page.text),
    }
    data.update(values)
    return c.post("/talent/me", data=data, headers=EN, follow_redirects=False)


def _profile_id(c: TestClient) -> int:
    m = re.search(r'href="/talent/profiles/(\d+)"', c.get("/talent/me", headers=EN).text)
    assert m, "no own profile"
    return int(m.group(1))


@pytest.mark.parametrize(
    ("path", "en", "zh"),
    [
        ("/talent", "Talent directory", "人才库"),
        ("/talent/positions", "Positions", "岗位需求"),
        ("/talent/positions/1", "Rail freight coordinator", "中亚铁路货运协调员"),
        ("/places", "Living environment", "国际化生活环境"),
    ],
)
def test_pages_in_both_languages(demo_web, path, en, zh):
    r = demo_web.get(path, headers=EN)
    assert r.status_code == 200 and en in r.text and 'lang="en"' in r.text
    r = demo_web.get(path, headers=ZH)
    assert r.status_code == 200 and zh in r.text and 'lang="zh-CN"' in r.text


def test_signed_in_pages_in_both_languages(demo_web):
    c = _client(demo_web, "a@example.org")
    assert "My talent profile" in c.get("/talent/me", headers=EN).text
    assert "我的人才档案" in c.get("/talent/me?lang=zh").text
    assert "Post a position" in c.get("/talent/positions/new?lang=en").text
    assert "发布岗位" in c.get("/talent/positions/new?lang=zh").text


def test_navigation_has_talent_and_places(demo_web):
    html = demo_web.get("/", headers=EN).text
    assert 'href="/talent"' in html and ">Talent</a>" in html
    for path in ("/talent", "/places"):
        html = demo_web.get(path, headers=EN).text
        for href in ("/talent/me", "/talent/positions", "/places"):
            assert f'href="{href}"' in html, (path, href)
        assert 'aria-current="page">Talent</a>' in html


def test_directory_shows_only_what_the_visitor_may_see(demo_web):
    # demo profiles are visible to hub members: anonymous visitors see none of them
    anon = _client(demo_web)
    assert "0 found" in anon.get("/talent", headers=EN).text
    a = _client(demo_web, "a@example.org")
    assert _profile_form(a).status_code == 303  # private (operators) by default
    pid = _profile_id(a)
    assert "Olga Petrova" in a.get("/talent", headers=EN).text  # the owner sees it
    b = _client(demo_web, "b@example.org")
    listing = b.get("/talent", headers=EN).text
    assert "Aigerim Sadykova" in listing  # a members' profile
    assert "Olga Petrova" not in listing  # another organisation's member: private
    assert b.get(f"/talent/profiles/{pid}", headers=EN).status_code == 404
    assert anon.get(f"/talent/profiles/{pid}", headers=EN).status_code == 404
    # made public, everyone sees it
    assert _profile_form(a, visibility="public").status_code == 303
    assert "Olga Petrova" in anon.get("/talent", headers=EN).text
    assert anon.get(f"/talent/profiles/{pid}", headers=EN).status_code == 200


def test_directory_filters(demo_web):
    b = _client(demo_web, "b@example.org")
    r = b.get("/talent?nationality=KAZ", headers=EN)
    assert "Aigerim Sadykova" in r.text and "Dmitry Volkov" not in r.text
    r = b.get("/talent?language=ru&region=Qingdao", headers=EN)
    assert "Dmitry Volkov" in r.text and "Nodira Karimova" not in r.text
    r = b.get("/talent?sector=K", headers=EN)
    assert "Nodira Karimova" in r.text and "Aigerim Sadykova" not in r.text
    r = b.get("/talent?nationality=Atlantis&language=xx", headers=EN)
    assert r.status_code == 422
    assert 'data-testid="error-nationality"' in r.text and "Atlantis" in r.text
    assert 'data-testid="error-language"' in r.text
    r = b.get("/talent?nationality=Atlantis", headers=ZH)
    assert "未知国家" in r.text


def test_profile_form_keeps_input_and_names_fields(demo_web):
    a = _client(demo_web, "a@example.org")
    r = _profile_form(
        a,
        name_en="",
        nationality="Atlantis",
        languages="ru:native, xx:C1",
        available_from="2027-05-01",
        available_to="2026-01-01",
        email="not an address",
    )
    assert r.status_code == 422
    for name in ("name_en", "nationality", "available_to", "email"):
        assert f'data-testid="error-{name}"' in r.text, name
    assert 'value="Atlantis"' in r.text
    assert 'value="ru:native, xx:C1"' in r.text
    assert "rail freight, customs" in r.text
    # the service's message for the unknown language lands on the languages field
    r = _profile_form(a, languages="ru:native, xx:C1")
    assert r.status_code == 422 and 'data-testid="error-languages"' in r.text
    assert "xx" in r.text.split('data-testid="error-languages"')[1][:200]
    # in Chinese
    page = a.get("/talent/me?lang=zh")
    r = a.post(
        "/talent/me",
        data={"name_en": "", "visibility": "public", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 422 and "请填写英文或中文姓名" in r.text


def test_profile_form_needs_login_and_csrf(demo_web):
    anon = _client(demo_web)
    assert anon.get("/talent/me", headers=EN).status_code == 401
    a = _client(demo_web, "a@example.org")
    r = a.post("/talent/me", data={"name_en": "X", "visibility": "public"}, headers=EN)
    assert r.status_code == 403


def test_export_and_delete_flow(demo_web):
    a = _client(demo_web, "a@example.org")
    assert _profile_form(a).status_code == 303
    assert "was created" in a.get("/talent/me?done=created", headers=EN).text
    pid = _profile_id(a)
    r = a.get("/talent/me/export")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert "attachment" in r.headers["content-disposition"]
    data = json.loads(r.content)
    assert data["profile"]["name_en"] == "Olga Petrova"
    assert {x["code"] for x in data["profile"]["languages"]} == {"ru", "en", "zh"}
    assert data["audit_trail"]
    # delete asks first; without the tick nothing happens
    confirm = a.get("/talent/me/delete", headers=EN)
    assert confirm.status_code == 200 and "Olga Petrova" in confirm.text
    r = a.post("/talent/me/delete", data={"csrf_token": csrf_of(confirm.text)}, headers=EN)
    assert r.status_code == 422 and 'data-testid="error-confirm"' in r.text
    assert a.get(f"/talent/profiles/{pid}").status_code == 200
    r = a.post(
        "/talent/me/delete",
        data={"csrf_token": csrf_of(confirm.text), "confirm": "yes"},
        headers=EN,
    )
    assert r.status_code == 200 and "personal data is erased" in r.text
    assert a.get(f"/talent/profiles/{pid}").status_code == 404
    assert a.get("/talent/me/export").status_code == 404
    from silkhub.data.storage.models.talent import TalentProfile

    with demo_web.runtime.session() as s:
        row = s.get(TalentProfile, pid)
        assert row.deleted_at is not None and row.name_en is None and row.email is None
    # a new profile can be created afterwards
    assert _profile_form(a).status_code == 303


def _post_position(c: TestClient, **values: str):
    page = c.get("/talent/positions/new", headers=EN)
    data = {
        "organisation_id": re.search(
            r'name="organisation_id"[^>]*>\s*<option value="(\d+)"', page.text
        ).group(1),
        "project_id": "1",
        "role_en": "Russian-speaking customs broker",
        "role_zh": "",
        "description_en": "Customs clearance for China-Europe rail freight",
        "sector": "52",
        "languages": "ru:C1",
        "countries": "KAZ",
        "start_on": "2027-01-01",
        "end_on": "2027-06-30",
        "location": "Qingdao",
        "work_mode": "onsite",
        "visibility": "public",
        "csrf_token": csrf_of(page.text),
    }
    data.update(values)
    return c.post("/talent/positions/new", data=data, headers=EN, follow_redirects=False)


def test_member_posts_a_position_for_a_project_and_gets_ranked_suggestions(demo_web):
    a = _client(demo_web, "a@example.org")
    r = _post_position(a, role_en="", countries="Atlantis", end_on="2026-01-01")
    assert r.status_code == 422
    for name in ("role_en", "countries", "end_on"):
        assert f'data-testid="error-{name}"' in r.text, name
    assert 'value="Atlantis"' in r.text and "Customs clearance" in r.text
    r = _post_position(a)
    assert r.status_code == 303
    pos = r.headers["location"]
    page = a.get(pos, headers=EN)
    assert page.status_code == 200 and "Russian-speaking customs broker" in page.text
    assert 'href="/hub/projects/1"' in page.text
    ids = re.findall(r'id="sg-(\d+)"', page.text)
    assert len(ids) >= 3
    first = page.text.split(f'id="sg-{ids[0]}"')[1].split("</li>")[0]
    assert "Aigerim Sadykova" in first  # Kazakh, Russian native, rail logistics
    for part in ("Expertise", "Languages", "Country experience", "Text similarity"):
        assert part in first
    assert "Score" in first and "Why" in first
    zh = a.get(pos, headers=ZH).text
    assert "推荐人才" in zh and "语言" in zh
    # the reasons are plain Chinese (names of languages, countries, sectors; no codes or
    # generated English words): the last cell of each part row
    reasons = re.findall(r"<td>([^<]*)</td></tr>", zh.split('data-testid="talent-suggestions"')[1])
    assert reasons
    for text in reasons:
        assert not re.search(r"[A-Za-z]{3,}", text), text
    assert any("俄语" in t for t in reasons)
    # accept and decline are recorded with the score parts
    r = a.post(
        pos + "/feedback",
        data={"talent_id": ids[0], "decision": "accept", "csrf_token": csrf_of(page.text)},
        headers=EN,
    )
    assert r.status_code == 200 and "Accepted" in r.text
    r = a.post(
        pos + "/feedback",
        data={"talent_id": ids[1], "decision": "decline", "csrf_token": csrf_of(page.text)},
        headers=EN,
    )
    assert r.status_code == 200 and "Declined" in r.text
    from silkhub.data.storage.models.talent import TalentFeedback

    with demo_web.runtime.session() as s:
        rows = list(s.scalars(select(TalentFeedback).order_by(TalentFeedback.id)))
        assert [(r.talent_id, r.accepted) for r in rows] == [
            (int(ids[0]), True),
            (int(ids[1]), False),
        ]
        assert set(rows[0].parts) >= {"expertise", "language"}
    # another organisation's member sees the public position but not the ranked people
    b = _client(demo_web, "b@example.org")
    other = b.get(pos, headers=EN)
    assert other.status_code == 200 and 'id="sg-' not in other.text
    assert "members and hub operators" in other.text
    r = b.post(
        pos + "/feedback",
        data={"talent_id": ids[0], "decision": "accept", "csrf_token": csrf_of(other.text)},
    )
    assert r.status_code == 403
    with demo_web.runtime.session() as s:
        assert s.scalar(select(func.count()).select_from(TalentFeedback)) == 2


def test_position_list_and_anonymous_view(demo_web):
    anon = _client(demo_web)
    r = anon.get("/talent/positions", headers=EN)
    assert "Rail freight coordinator" in r.text and "Post a position" not in r.text
    r = anon.get("/talent/positions/1", headers=EN)
    assert r.status_code == 200 and 'id="sg-' not in r.text
    assert anon.get("/talent/positions/999", headers=EN).status_code == 404
    assert anon.get("/talent/positions/new", headers=EN).status_code == 401


def test_places_directory_with_map(demo_web):
    r = demo_web.get("/places", headers=EN)
    assert r.status_code == 200 and "15 found" in r.text
    assert 'id="places-map"' in r.text and 'data-testid="chart-places-map"' in r.text
    assert '"coordinateSystem": "geo"' in r.text
    r = demo_web.get("/places?region=Qingdao&kind=consulate", headers=EN)
    assert r.status_code == 200 and "Consulate" in r.text
    rows = r.text.split('data-testid="places-table"')[1].split("</table>")[0]
    assert rows.count("<tr>") - 1 >= 1 and "Qingdao" in rows
    r = demo_web.get("/places?region=Qingdao&kind=consulate", headers=ZH)
    assert "领事机构" in r.text and "青岛" in r.text
    r = demo_web.get("/places?region=Atlantis&kind=castle", headers=EN)
    assert r.status_code == 422
    assert 'data-testid="error-region"' in r.text and 'data-testid="error-kind"' in r.text
    assert 'value="Atlantis"' in r.text


def test_region_report_download_has_the_directory_section(demo_web):
    r = demo_web.get("/reports/region?unit=Jinan&peers=Qingdao&format=html&lang=zh")
    assert r.status_code == 200
    part = r.text.split('id="sec-directory"')[1].split("</section>")[0]
    assert "国际化生活环境与人才" in part and part.count("<circle") == 2


def test_talent_pages_on_both_databases(client):
    """Own profile, directory, position suggestions, places and the report section on SQLite
    and PostgreSQL (``client``)."""
    from silkhub.demo import load_demo
    from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, make_admin

    rt = client.app.state.runtime
    list(load_demo(rt))
    make_admin(rt)
    token = csrf_of(client.get("/login").text)
    client.post(
        "/login",
        data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert _profile_form(client, visibility="public").status_code == 303
    r = client.get("/talent?language=ru&sector=H", headers=EN)
    assert r.status_code == 200 and "Olga Petrova" in r.text and "Aigerim Sadykova" in r.text
    r = client.get("/talent/positions/1", headers=EN)
    assert r.status_code == 200 and len(re.findall(r'id="sg-(\d+)"', r.text)) >= 3
    r = client.get("/places?region=Qingdao", headers=ZH)
    assert r.status_code == 200 and "领事机构" in r.text
    r = client.get("/reports/region?unit=Qingdao&peers=Jinan&format=html&lang=en")
    assert r.status_code == 200 and 'id="sec-directory"' in r.text
    assert client.get("/talent/me/export").status_code == 200
