"""Browser test of the matchmaking cards in Chinese (Playwright + Debian Chromium, live server
with demo data): plain-language reasons, accept -> the card shows 已接受 and offers 撤销, undo ->
the card is open again; "my matches" lists the decision. Screenshots (looked at):
test-artifacts/screenshots/match-zh-*.png."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, shot

pytestmark = pytest.mark.browser
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def _login(page) -> None:
    page.goto(page.base + "/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(page.base + "/")


def test_zh_match_cards_accept_and_undo(page):
    _login(page)
    page.goto(page.base + "/hub/match?org=1&lang=zh")
    cards = page.locator("li.match-card")
    assert cards.count() >= 3
    first = cards.first
    card_id = first.get_attribute("id")
    reasons = first.locator("ul.reasons").inner_text()
    assert "两者" in page.locator("main").inner_text() or "对方" in reasons
    # reasons are plain Chinese: no generated English words (names are in the heading)
    for line in page.locator("ul.reasons li").all_inner_texts():
        assert not LATIN_WORD.search(line), line
    shot(page, "match-zh-open")

    first.get_by_role("button", name="接受").click()
    page.wait_for_url("**done=accept**")
    card = page.locator(f"#{card_id}")
    assert card.get_attribute("data-decision") == "accept"
    assert card.get_by_test_id("state").inner_text() == "已接受"
    assert card.get_by_role("button", name="撤销").is_visible()
    assert card.get_by_role("button", name="接受").count() == 0
    card.scroll_into_view_if_needed()
    shot(page, "match-zh-accepted")

    page.goto(page.base + "/hub/match/mine?lang=zh")
    table = page.get_by_test_id("my-matches")
    assert "已接受" in table.inner_text()
    shot(page, "match-zh-mine")

    page.goto(page.base + "/hub/match?org=1&lang=zh")
    page.locator(f"#{card_id}").get_by_role("button", name="撤销").click()
    page.wait_for_url("**done=undo**")
    assert "已撤销" in page.get_by_role("status").inner_text()
    card = page.locator(f"#{card_id}")
    assert card.get_attribute("data-decision") == ""
    assert card.get_by_role("button", name="接受").is_visible()
    card.scroll_into_view_if_needed()
    shot(page, "match-zh-undone")
    page.goto(page.base + "/hub/match/mine?lang=zh")
    assert "尚未接受或拒绝任何推荐" in page.locator("main").inner_text()
