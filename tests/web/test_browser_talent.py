"""Browser test of the talent pages (Playwright + Debian Chromium, live server with demo data):
sign in, create one's own talent profile (after a rejected first try that keeps the input),
see it in the directory, export it as JSON and delete it; the positions page with explained
suggestions and the living-environment map. Screenshots: test-artifacts/screenshots/."""

from __future__ import annotations

import json

import pytest

from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, shot

pytestmark = pytest.mark.browser


def _login(page) -> None:
    page.goto(page.base + "/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(page.base + "/")


def test_create_see_export_and_delete_own_talent_profile(page, tmp_path):
    _login(page)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Talent", exact=True
    ).click()
    page.wait_for_url(page.base + "/talent")
    page.get_by_role("link", name="My talent profile").first.click()
    page.wait_for_url(page.base + "/talent/me")
    # a first try with mistakes: no name, unknown nationality, a bad language code
    page.get_by_label("Nationality").fill("Atlantis")
    page.get_by_label("Languages").fill("ru:native, xx:C1")
    page.get_by_label("Skills (English)").fill("rail freight, customs brokerage")
    page.get_by_role("button", name="Create").click()
    assert page.get_by_test_id("error-name_en").is_visible()
    assert "Atlantis" in page.get_by_test_id("error-nationality").inner_text()
    assert page.get_by_label("Languages").input_value() == "ru:native, xx:C1"
    assert page.get_by_label("Skills (English)").input_value() == "rail freight, customs brokerage"
    shot(page, "talent-form-errors")
    page.get_by_label("English name").fill("Ada Lovelace")
    page.get_by_label("Nationality").fill("GBR")
    page.get_by_label("Based in (city)").fill("Jinan")
    page.get_by_label("Languages").fill("en:native, ru:B2, zh:A2")
    page.get_by_label("Sectors (ISIC)").fill("J")
    page.get_by_label("Visibility").select_option("members")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/talent/me?done=created")
    assert "was created" in page.get_by_role("status").inner_text()
    # the profile is in the directory and on its own page
    page.goto(page.base + "/talent?nationality=GBR")
    table = page.get_by_test_id("talent-table")
    assert "Ada Lovelace" in table.inner_text()
    table.get_by_role("link", name="Ada Lovelace").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ada Lovelace"
    assert "Jinan" in page.get_by_test_id("talent-facts").inner_text()
    shot(page, "talent-profile")
    # export
    page.get_by_role("link", name="Edit my profile").click()
    with page.expect_download() as dl:
        page.get_by_test_id("export").click()
    path = tmp_path / "export.json"
    dl.value.save_as(path)
    data = json.loads(path.read_text("utf-8"))
    assert data["profile"]["name_en"] == "Ada Lovelace"
    assert data["profile"]["nationality"] == "GBR"
    # delete, with a confirmation
    page.get_by_test_id("delete").click()
    page.get_by_role("button", name="Delete now").click()
    assert page.get_by_test_id("error-confirm").is_visible()
    page.get_by_label("Yes, erase my personal data").check()
    shot(page, "talent-delete-confirm")
    page.get_by_role("button", name="Delete now").click()
    page.wait_for_url("**/talent/me?done=deleted")
    assert "personal data is erased" in page.get_by_role("status").inner_text()
    page.goto(page.base + "/talent?nationality=GBR")
    assert "Ada Lovelace" not in page.locator("main").inner_text()


def test_position_suggestions_and_places_map(page):
    _login(page)
    page.goto(page.base + "/talent/positions")
    page.get_by_role("link", name="Rail freight coordinator for Central Asia").click()
    cards = page.get_by_test_id("talent-suggestions").locator("li.card")
    cards.first.wait_for()  # the position page has loaded (count() does not wait)
    assert cards.count() >= 3
    assert "Expertise" in cards.first.inner_text()
    shot(page, "talent-position")
    page.goto(page.base + "/places?lang=zh")
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.chart[data-chart]'))
             .every(e => e.dataset.drawn || e.dataset.error)"""
    )
    assert page.locator("#places-map .chart svg path").count() > 3
    assert "领事机构" in page.get_by_test_id("places-table").inner_text()
    shot(page, "places-zh")


def test_region_page_shows_directory_counts_on_a_map(page):
    page.goto(page.base + "/regions/CN-SD-jinan?peers=Hangzhou,Qingdao")
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.chart[data-chart]'))
             .every(e => e.dataset.drawn || e.dataset.error)"""
    )
    section = page.locator("#sec-directory")
    assert "Living environment and talent" in section.inner_text()
    assert page.locator("#directory-map .chart svg path").count() > 3
    assert "Qingdao" in page.locator("#directory-counts").inner_text()
    section.screenshot(path=str(shot(page, "region-directory").with_name("region-directory.png")))
