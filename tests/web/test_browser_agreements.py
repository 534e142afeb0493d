"""Browser test in zh (issue 16): as a signed-in user, register an organisation, record an
agreement with two commitments and mark one fulfilled with evidence; the traffic light and
the commitment states follow. Screenshots: test-artifacts/screenshots/zh-*.png."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def zh_page(browser, live_server: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base = live_server
    yield pg
    context.close()


def _login(page) -> None:
    page.goto(page.base + "/login?lang=zh")
    page.locator("#f-email").fill(ADMIN_EMAIL)
    page.locator("#f-password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base + "/")


def test_zh_organisation_agreement_commitments_fulfilled(zh_page):
    page = zh_page
    _login(page)
    # register an organisation (a first try without a name shows the reason at the field)
    page.goto(page.base + "/hub/organisations")
    page.get_by_test_id("new-organisation").click()
    page.locator("#f-kind").select_option("service_provider")
    page.get_by_role("button", name="创建").click()
    assert "请填写机构名称" in page.get_by_test_id("error-name_zh").inner_text()
    shot(page, "zh-organisation-form-error")
    page.locator("#f-name_zh").fill("丝路法律服务中心")
    page.locator("#f-iso3").fill("中国")
    page.locator("input[name=svc_law]").check()
    page.locator("#f-svc_law_countries").fill("哈萨克斯坦, UZB")
    page.locator("input[name=svc_visa]").check()
    page.get_by_role("button", name="创建").click()
    page.wait_for_url("**/hub/organisations/*")
    assert page.get_by_role("heading", name="丝路法律服务中心").count() == 1
    assert "法律" in page.locator("#h-services + ul").inner_text()
    shot(page, "zh-organisation")
    org_url = page.url

    # record an agreement with two commitments from the organisation's page
    page.get_by_role("link", name="新建协议").click()
    page.locator("#f-title_zh").fill("中哈法律服务合作备忘录")
    signed = date.today() - timedelta(days=60)
    page.locator("#f-signed_on").fill(signed.isoformat())
    other = page.locator("input[name=party_ids]:not(:checked)").first
    other.check()
    page.locator("#f-c0_what_zh").fill("在阿拉木图设立联络处")
    page.locator("#f-c0_amount").fill("1200000")
    page.locator("#f-c0_due_on").fill((date.today() + timedelta(days=90)).isoformat())
    page.locator("#f-c1_what_zh").fill("举办中亚法律论坛")
    page.locator("#f-c1_due_on").fill((date.today() - timedelta(days=3)).isoformat())
    shot(page, "zh-agreement-form")
    page.get_by_role("button", name="创建").click()
    page.wait_for_url("**/hub/agreements/*")
    cards = page.get_by_test_id("commitments").locator("li.card")
    assert cards.count() == 2
    assert page.get_by_test_id("agreement-light").get_attribute("data-light") == "red"
    assert "已逾期" in cards.nth(1).inner_text()
    shot(page, "zh-agreement-red")

    # mark the overdue one fulfilled with evidence
    cards.nth(1).get_by_role("link", name="标记为已履行").click()
    page.locator("#f-evidence").fill("论坛纪要及新闻稿（2026 第 12 号）")
    shot(page, "zh-fulfil-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/hub/agreements/*")
    cards = page.get_by_test_id("commitments").locator("li.card")
    assert cards.nth(1).get_attribute("data-status") == "fulfilled"
    assert "论坛纪要" in cards.nth(1).inner_text()
    assert cards.nth(0).get_attribute("data-status") == "open"
    light = page.get_by_test_id("agreement-light").get_attribute("data-light")
    assert light == "amber"  # fulfilled, but after its due date
    shot(page, "zh-agreement-fulfilled")

    # the list shows it with the same light and the fulfilled share as a percentage
    page.goto(page.base + "/hub/agreements")
    row = page.locator("tr", has_text="中哈法律服务合作备忘录")
    assert row.get_attribute("data-light") == "amber"
    assert "已履行金额占比" in page.get_by_test_id("agreements").inner_text()
    shot(page, "zh-agreements-list")
    page.goto(org_url)
    assert page.get_by_role("link", name="中哈法律服务合作备忘录").count() == 1


def test_zh_agreement_pages_fit_a_phone(browser, live_server: str):
    """390 px: the agreement list, one agreement and the new-agreement form are no wider than
    the screen (tables scroll inside their wrapper)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.base = live_server
    try:
        _login(page)
        for path in ("/hub/agreements", "/hub/agreements/1", "/hub/agreements/new",
                     "/hub/organisations/1", "/hub/organisations/new"):  # fmt: skip
            page.goto(page.base + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
        shot(page, "zh-phone-organisation-form")
        page.goto(page.base + "/hub/agreements/1")
        shot(page, "zh-phone-agreement")
    finally:
        context.close()
