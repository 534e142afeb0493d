"""Browser tests (Playwright + Debian Chromium): charts draw, language switch."""

from __future__ import annotations

import pytest

from tests.web.conftest import shot

pytestmark = pytest.mark.browser


def _drawn_svg_count(page) -> int:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.chart[data-chart]'))
             .filter(el => el.dataset.drawn && el.querySelector('svg path, svg rect')).length"""
    )


def test_dashboard_draws_map_and_charts(page):
    page.goto(page.base + "/")
    page.wait_for_selector(".chart-map[data-drawn] svg path")
    assert _drawn_svg_count(page) >= 3
    # the map has one shape per country, far more than a placeholder
    n_paths = page.eval_on_selector_all(".chart-map svg path", "els => els.length")
    assert n_paths > 150
    shot(page, "dashboard-en")


def test_switch_language_shows_chinese(page):
    page.goto(page.base + "/")
    page.get_by_test_id("lang-switch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("link", name="总览").count() >= 1
    page.wait_for_selector(".chart-map[data-drawn] svg path")
    shot(page, "dashboard-zh")
    # the choice is remembered on the next page
    page.goto(page.base + "/regions")
    assert page.locator("html").get_attribute("lang") == "zh-CN"


PHONE_PAGES = [
    "/",
    "/countries/CHN",
    "/benchmark",
    "/partners",
    "/hub/projects",
    "/hub/events/1",
    "/hub/agreements",
    "/hub/match",
    "/reports",
    "/login",
]


def test_phone_width_has_no_horizontal_scroll(browser, live_server):
    ctx = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    pg = ctx.new_page()
    wide = {}
    for url in PHONE_PAGES:
        pg.goto(live_server + url)
        pg.wait_for_function(
            """() => Array.from(document.querySelectorAll('.chart[data-chart]'))
                 .every(e => e.dataset.drawn || e.dataset.error)"""
        )
        overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            wide[url] = overflow
        name = url.strip("/").replace("/", "-") or "dashboard"
        shot(pg, f"phone-{name}")
    ctx.close()
    assert wide == {}
