"""Browser tests of the main flows (Playwright + Debian Chromium, live server with demo data):
log in, create a project and move it through its lifecycle, charts on a profile, a bad form
keeps its input and shows the field message. Screenshots: test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, shot

pytestmark = pytest.mark.browser


def _login(page) -> None:
    page.goto(page.base + "/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(page.base + "/")


def _charts_drawn(page) -> int:
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.chart[data-chart]'))
             .every(e => e.dataset.drawn || e.dataset.error)"""
    )
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.chart[data-chart]'))
             .filter(e => e.querySelector('svg') &&
                          e.querySelectorAll('svg path, svg rect, svg polyline').length > 3)
             .length"""
    )


def test_login_with_wrong_password_then_right_one(page):
    page.goto(page.base + "/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    err = page.get_by_test_id("error-password")
    assert "Wrong e-mail address or password" in err.inner_text()
    assert page.get_by_label("E-mail").input_value() == ADMIN_EMAIL
    shot(page, "login-error")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(page.base + "/")
    assert page.get_by_role("link", name="Ada").count() == 1
    # an API token is shown once; the admin sees the users page
    page.goto(page.base + "/account")
    page.get_by_label("Name").fill("notebook")
    page.get_by_role("button", name="Create").click()
    assert page.get_by_test_id("new-token").inner_text().startswith("shk_")
    shot(page, "account-tokens")
    page.goto(page.base + "/admin/users")
    assert page.get_by_role("cell", name=ADMIN_EMAIL).count() == 1
    shot(page, "admin-users")


def test_create_project_and_move_it_through_the_lifecycle(page):
    _login(page)
    page.goto(page.base + "/hub/projects")
    page.get_by_role("link", name="New project").click()
    # a bad form: no title, unknown country, an amount that is not a number
    page.get_by_label("Country").fill("Atlantis")
    page.get_by_label("Amount").fill("a lot")
    page.get_by_label("Description (English)").fill("Dry port and rail terminal")
    page.get_by_role("button", name="Create").click()
    assert page.get_by_test_id("error-title_en").is_visible()
    assert "number" in page.get_by_test_id("error-value_amount").inner_text()
    # nothing typed is lost
    assert page.get_by_label("Country").input_value() == "Atlantis"
    assert page.get_by_label("Amount").input_value() == "a lot"
    assert page.get_by_label("Description (English)").input_value() == "Dry port and rail terminal"
    shot(page, "project-form-errors")
    page.get_by_label("Title (English)").fill("Khorgos dry port")
    page.get_by_label("Title (Chinese)").fill("霍尔果斯陆港")
    page.get_by_label("Country").fill("KAZ")
    page.get_by_label("Amount").fill("250000000")
    page.get_by_label("Currency").select_option("USD")
    page.get_by_label("Since (date)").fill("2023-02-01")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/hub/projects/*")
    assert page.get_by_role("heading", level=1).inner_text() == "Khorgos dry port"
    assert page.get_by_test_id("current-stage").inner_text() == "Proposed"
    for stage, day in (
        ("Announced", "2023-05-10"),
        ("Signed", "2023-09-20"),
        ("Under construction", "2024-03-01"),
    ):
        page.locator("#f-to").select_option(label=stage)
        page.locator("#f-at").fill(day)
        page.locator("#f-note").fill(f"{stage} at the hub")
        page.get_by_role("button", name="Record stage change").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("current-stage").inner_text() == stage
    items = page.get_by_test_id("timeline").locator("li")
    assert items.count() == 4
    assert "2024-03-01" in items.nth(3).inner_text()
    assert "Under construction" in items.nth(3).inner_text()
    # a date before the current stage: the message is on the date field, the input kept
    page.locator("#f-to").select_option(label="Operational")
    page.locator("#f-at").fill("2022-01-01")
    page.get_by_role("button", name="Record stage change").click()
    assert page.get_by_test_id("error-at").is_visible()
    assert page.locator("#f-at").input_value() == "2022-01-01"
    shot(page, "project-timeline")
    # and in Chinese
    page.get_by_test_id("lang-switch").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "霍尔果斯陆港"
    assert "在建" in page.get_by_test_id("timeline").inner_text()
    shot(page, "project-timeline-zh")


def test_country_profile_charts_draw(page):
    page.goto(page.base + "/countries/CHN")
    assert _charts_drawn(page) >= 3
    assert page.locator("#partners-bar .chart svg path").count() > 10
    shot(page, "profile-china")


def test_region_profile_and_benchmark_charts_draw(page):
    page.goto(page.base + "/regions/CN-SD-jinan?peers=Hangzhou,Qingdao")
    assert _charts_drawn(page) >= 3
    shot(page, "profile-jinan")
    page.goto(page.base + "/benchmark?unit=Jinan&peers=Hangzhou,Qingdao&lang=zh")
    assert _charts_drawn(page) >= 2
    assert page.locator("#index-radar .chart svg path").count() > 3
    shot(page, "benchmark-zh")


def test_report_form_keeps_input_on_error(page):
    page.goto(page.base + "/reports")
    page.get_by_label("Peers (comma-separated)").fill("Hangzhou,Atlantis")
    page.get_by_role("button", name="Make report").click()
    assert "Atlantis" in page.get_by_test_id("error-peers").inner_text()
    assert page.get_by_label("Peers (comma-separated)").input_value() == "Hangzhou,Atlantis"
    shot(page, "report-form-error")


def test_keyboard_reaches_main_content_first(page):
    page.goto(page.base + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.getAttribute('href')")
    assert focused == "#main"


def test_hub_pages_with_demo_data(page):
    page.goto(page.base + "/hub/events")
    page.locator(".card h3 a").first.click()
    page.wait_for_load_state()
    assert "signed" in page.get_by_test_id("event-totals").inner_text()
    _charts_drawn(page)
    shot(page, "event")
    page.goto(page.base + "/hub/agreements")
    assert page.locator(".light").count() >= 1
    shot(page, "agreements")
    page.goto(page.base + "/hub/projects")
    assert _charts_drawn(page) >= 1
    shot(page, "projects")


def test_project_filters_update_in_place_with_htmx(page):
    page.goto(page.base + "/hub/projects")
    page.wait_for_function("() => window.htmx !== undefined")
    before = page.locator("[data-testid=projects-table] tbody tr").count()
    page.locator("#f-stage").select_option("signed")
    page.wait_for_url("**stage=signed**")
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=projects-table] tbody tr').length < n",
        arg=before,
    )
    rows = page.locator("[data-testid=projects-table] tbody tr")
    assert 0 < rows.count() < before
    assert all("Signed" in rows.nth(i).inner_text() for i in range(rows.count()))
    _charts_drawn(page)


def test_matchmaking_suggestions_accept_and_decline(page):
    _login(page)
    page.goto(page.base + "/hub/match?org=1")
    cards = page.get_by_test_id("suggestions").locator("li.card")
    n = cards.count()
    assert n >= 3
    first = cards.first.locator("h3").inner_text()
    assert cards.first.locator(".reasons li").count() >= 1
    cards.first.get_by_role("button", name="Decline").click()
    page.wait_for_url("**done=decline**")
    assert "will not be suggested again" in page.locator(".flash").inner_text()
    names = page.get_by_test_id("suggestions").locator("li.card h3").all_inner_texts()
    assert first not in names
    page.get_by_test_id("suggestions").locator("li.card").first.get_by_role(
        "button", name="Accept"
    ).click()
    page.wait_for_url("**done=accept**")
    shot(page, "matchmaking")
