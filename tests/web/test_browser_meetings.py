"""Browser test of #16's meeting flow and #14's web duplicate warning, in zh, as new users
would do them (Playwright + Debian Chromium, live server with demo data and two members).

Screenshots (looked at): ``project-form-repeated-construction-zh``, ``meetings-agenda-zh``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    demo_runtime,
    serve,
    shot,
    submit_jiaozhou_near_copy,
)

pytestmark = pytest.mark.browser
PASSWORD = "meet me at table A1 please"
MEMBERS = {"cosco@example.org": "COSCO", "kaz@example.org": "Kazakh chamber"}


@pytest.fixture(scope="module")
def meeting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the demo data, the admin and a member of two demo organisations."""
    from silkhub.hub import accounts
    from silkhub.hub import organisations as orgs
    from silkhub.hub.policy import Actor

    rt = demo_runtime(tmp_path_factory, "meetings")
    with rt.session() as s:
        for email, org in MEMBERS.items():
            org_id = orgs.list_organisations(s, Actor.system(), q=org, limit=1).items[0].id
            accounts.create_user(
                s, Actor.system(), email, PASSWORD, role="member", organisation_id=org_id
            )
    yield from serve(rt)


def _zh_page(browser, base: str, email: str, password: str):
    """A signed-in browser page in Chinese (its own cookies)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(20000)
    pg.goto(base + "/login?lang=zh")
    pg.locator("#f-email").fill(email)
    pg.locator("#f-password").fill(password)
    pg.locator("form button[type=submit]").first.click()
    pg.wait_for_url(base + "/")
    return pg


def test_zh_project_warning_and_meeting_flow(browser, meeting_server: str) -> None:
    base = meeting_server
    admin = _zh_page(browser, base, ADMIN_EMAIL, ADMIN_PASSWORD)
    # a near-copy of the demo's Jiaozhou cold-chain trade centre: warned next to the fields
    warning = submit_jiaozhou_near_copy(admin, base)
    assert warning.is_visible()
    assert "可能存在重复建设" in warning.inner_text()
    assert "胶州冷链商贸中心" in warning.inner_text() and "相似度" in warning.inner_text()
    assert admin.locator("#f-title_zh").input_value() == "胶州冷链商贸中心（二期）"
    warning.scroll_into_view_if_needed()
    shot(admin, "project-form-repeated-construction-zh", full_page=False)

    # the organiser sets up the meeting slots of the demo event
    admin.goto(base + "/hub/events/1/meetings")
    admin.locator("#f-day").fill("2020-06-29")
    admin.locator("#f-first_start").fill("14:00")
    admin.locator("#f-slot_minutes").fill("20")
    admin.locator("#f-slot_count").fill("4")
    admin.locator("#f-tables").fill("A1，A2")
    admin.get_by_role("button", name="保存时段和洽谈桌").click()
    assert "时段和洽谈桌已保存" in admin.get_by_test_id("done").inner_text()
    assert "4 个时段，2 张洽谈桌" in admin.get_by_test_id("programme-summary").inner_text()

    # two members take part; one requests a meeting with the other
    cosco = _zh_page(browser, base, "cosco@example.org", PASSWORD)
    cosco.goto(base + "/hub/events/1/meetings")
    cosco.locator("#f-join_name").fill("中远海运 王经理")
    cosco.get_by_role("button", name="报名", exact=True).click()
    assert "报名成功" in cosco.get_by_test_id("done").inner_text()
    kaz = _zh_page(browser, base, "kaz@example.org", PASSWORD)
    kaz.goto(base + "/hub/events/1/meetings")
    kaz.locator("#f-join_name").fill("哈萨克斯坦商会 阿伊古丽")
    kaz.get_by_role("button", name="报名", exact=True).click()
    kaz.locator("#f-target_id").select_option(label="中远海运 王经理（中国远洋海运集团有限公司）")
    kaz.locator("#f-priority").select_option(label="高")
    kaz.get_by_role("button", name="发送会谈请求").click()
    assert "会谈请求已发送" in kaz.get_by_test_id("done").inner_text()
    assert "您已申请与 中远海运 王经理 会谈" in kaz.get_by_test_id("my-requests").inner_text()
    assert kaz.get_by_test_id("not-scheduled").is_visible()
    # the other side accepts by asking back: the request becomes mutual
    cosco.goto(base + "/hub/events/1/meetings")
    cosco.locator("#f-target_id").select_option(
        label="哈萨克斯坦商会 阿伊古丽（哈萨克斯坦商会（演示））"
    )
    cosco.get_by_role("button", name="发送会谈请求").click()
    assert "双方均有会谈意向" in cosco.get_by_test_id("my-requests").inner_text()

    # the organiser runs the scheduler
    admin.goto(base + "/hub/events/1/meetings")
    admin.get_by_role("button", name="运行排程").click()
    assert "已排定 1 场会谈" in admin.get_by_test_id("schedule-result").inner_text()

    # each participant sees the agenda
    kaz.goto(base + "/hub/events/1/meetings")
    agenda = kaz.get_by_test_id("agenda")
    text = agenda.inner_text()
    assert "2020年6月29日 14:00–14:20" in text and "中远海运 王经理" in text
    assert "中国远洋海运集团有限公司" in text
    kaz.locator("#agenda").scroll_into_view_if_needed()
    shot(kaz, "meetings-agenda-zh")
    cosco.goto(base + "/hub/events/1/meetings")
    assert "哈萨克斯坦商会 阿伊古丽" in cosco.get_by_test_id("agenda").inner_text()
    for pg in (admin, cosco, kaz):
        pg.context.close()
