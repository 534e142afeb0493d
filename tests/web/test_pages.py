"""Every page renders in both languages, with and without data, and fails politely."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import csrf_of

PAGES = [
    "/",
    "/?group=sco&as_of=2010-01-01",
    "/countries",
    "/countries/KAZ",
    "/regions",
    "/regions/CN-SD-jinan?peers=Hangzhou,Qingdao",
    "/benchmark",
    "/partners",
    "/hub/organisations",
    "/hub/projects",
    "/hub/events",
    "/hub/agreements",
    "/hub/match",
    "/hub/meetings",
    "/reports",
    "/login",
]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_renders(web, lang):
    for url in PAGES:
        r = web.get(url, headers={"accept-language": lang})
        assert r.status_code == 200, (url, r.text[:500])
        html_lang = "zh-CN" if lang == "zh" else "en"
        assert f'<html lang="{html_lang}">' in r.text, url
        # semantic landmarks, a skip link and one h1
        assert '<main id="main"' in r.text and 'href="#main"' in r.text
        assert len(re.findall(r"<h1[ >]", r.text)) == 1, url
        # every form control has a label
        ids = re.findall(r'<(?:input|select|textarea) id="([^"]+)"', r.text)
        for i in ids:
            assert f'for="{i}"' in r.text, f"{url}: no label for {i}"


def test_dashboard_has_a_map_and_charts_from_reference_data(web):
    r = web.get("/", headers={"accept-language": "en"})
    assert 'data-testid="chart-map-bri"' in r.text
    assert r.text.count("data-chart") >= 3
    assert "No analytics data imported yet" in r.text


def test_profile_without_data_says_how_to_import(web):
    r = web.get("/countries/KAZ", headers={"accept-language": "en"})
    assert "No data imported yet" in r.text and "silkhub data import" in r.text


def test_profile_with_demo_data_has_charts(web):
    from silkhub.demo import load_demo

    list(load_demo(web.runtime))
    r = web.get("/countries/CHN")
    assert 'data-testid="chart-partners-bar"' in r.text
    assert 'data-testid="chart-partners-map"' in r.text


def test_unknown_country_is_a_404_page(web):
    r = web.get("/countries/XXX", headers={"accept-language": "en"})
    assert r.status_code == 404 and "unknown country" in r.text


def test_bad_query_keeps_input_and_names_field(web):
    r = web.get("/hub/projects?country=Atlantis", headers={"accept-language": "en"})
    assert r.status_code == 422
    assert 'data-testid="error-country"' in r.text and 'value="Atlantis"' in r.text
    r = web.get("/hub/projects?country=Atlantis", headers={"accept-language": "zh"})
    assert "未知国家“Atlantis”" in r.text
    r = web.get("/partners?year=abc", headers={"accept-language": "zh"})
    assert r.status_code == 422 and "请输入整数" in r.text and 'value="abc"' in r.text


def test_world_geojson_is_served(web):
    r = web.get("/geo/world.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    assert len(r.json()["features"]) > 150


def test_vendored_assets_are_served_offline(web):
    for path in (
        "/static/vendor/echarts/echarts.min.js",
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/world-atlas/countries-110m.json",
        "/static/silkhub.js",
        "/static/silkhub.css",
    ):
        assert web.get(path).status_code == 200, path


def test_report_downloads(web):
    r = web.get("/reports/region?unit=Jinan&peers=Hangzhou&format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "attachment" in r.headers["content-disposition"]
    r = web.get("/reports/region?unit=Jinan&peers=Atlantis&format=html")
    assert r.status_code == 422 and 'value="Atlantis"' in r.text
    assert 'data-testid="error-peers"' in r.text


def _create_project(web, **fields):
    page = web.get("/hub/projects/new")
    data = {
        "title_en": "Almaty logistics hub",
        "iso3": "KAZ",
        "stage": "proposed",
        "stage_on": "2024-01-10",
        "visibility": "public",
        "value_amount": "1,500,000",
        "value_currency": "USD",
        "csrf_token": csrf_of(page.text),
    }
    data.update(fields)
    return web.post("/hub/projects/new", data=data, follow_redirects=False)


def test_project_create_validate_and_move_through_lifecycle(web):
    web.login()
    r = _create_project(web, title_en="", iso3="Atlantis", value_amount="lots")
    assert r.status_code == 422
    assert 'data-testid="error-title_en"' in r.text
    assert 'data-testid="error-value_amount"' in r.text
    assert 'value="Atlantis"' in r.text and 'value="lots"' in r.text  # nothing lost
    r = _create_project(web, iso3="Atlantis")
    assert r.status_code == 422 and 'data-testid="error-iso3"' in r.text
    assert 'value="Almaty logistics hub"' in r.text
    r = _create_project(web)
    assert r.status_code == 303
    url = r.headers["location"]
    page = web.get(url)
    assert "Almaty logistics hub" in page.text and 'data-testid="timeline"' in page.text
    for to, day in (("announced", "2024-03-01"), ("signed", "2024-06-15")):
        r = web.post(
            url + "/transition",
            data={"to": to, "at": day, "note": f"to {to}", "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text[:400]
        page = web.get(url)
    timeline = page.text.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert timeline.count("<li>") == 3 and "2024-06-15" in timeline
    # an illegal move keeps the form and says why
    r = web.post(
        url + "/transition",
        data={"to": "proposed", "at": "2024-07-01", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 422 and 'data-testid="error-to"' in r.text
    assert "cannot move from Signed to Proposed" in r.text
    assert "Under construction, Operational" in r.text
    # dates before the current stage are refused on the date field
    r = web.post(
        url + "/transition",
        data={"to": "operational", "at": "2020-01-01", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 422 and 'data-testid="error-at"' in r.text
    assert 'value="2020-01-01"' in r.text


def test_project_form_needs_login(web):
    assert web.get("/hub/projects/new").status_code == 401


def test_event_and_agreement_pages_with_demo(web):
    from silkhub.demo import load_demo

    list(load_demo(web.runtime))
    r = web.get("/hub/events", headers={"accept-language": "zh"})
    assert r.status_code == 200
    m = re.search(r'href="/hub/events/(\d+)"', r.text)
    assert m, "demo event missing"
    r = web.get(f"/hub/events/{m.group(1)}", headers={"accept-language": "zh"})
    assert "签约" in r.text
    r = web.get("/hub/agreements", headers={"accept-language": "en"})
    assert r.status_code == 200 and "light-" in r.text
    r = web.get("/hub/organisations", headers={"accept-language": "en"})
    org = re.search(r'href="/hub/organisations/(\d+)"', r.text)
    assert org
    r = web.get(f"/hub/organisations/{org.group(1)}", headers={"accept-language": "zh"})
    assert r.status_code == 200 and "推荐合作伙伴" in r.text
    assert web.get("/hub/organisations/99999").status_code == 404


def test_hub_flow_on_both_databases(client):
    """The project form, lifecycle and listings on SQLite and PostgreSQL (``client``)."""
    from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, make_admin

    make_admin(client.app.state.runtime)
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get("/hub/projects/new")
    r = client.post(
        "/hub/projects/new",
        data={
            "title_zh": "中欧班列集结中心",
            "iso3": "CHN",
            "region_id": "CN-SD-jinan",
            "stage": "announced",
            "stage_on": "2024-01-10",
            "visibility": "public",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    url = r.headers["location"]
    page = client.get(url)
    r = client.post(
        url + "/transition",
        data={"to": "signed", "at": "2024-02-01", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    listing = client.get(
        "/hub/projects?stage=signed&country=CHN", headers={"accept-language": "zh"}
    )
    assert "中欧班列集结中心" in listing.text and "签约" in listing.text
    assert client.get("/", headers={"accept-language": "zh"}).status_code == 200
