"""Issue 16's first acceptance point, end to end in zh, as a new user does it: a real
``silkhub serve`` on a fresh SQLite data dir (demo on) prints the demo passwords once; the
admin signs in with the printed one, creates an organisation, a project (repeated-construction
warning for a near-copy of the demo's Jiaozhou cold-chain centre), an agreement with two
commitments (one marked fulfilled), sets up the demo event's meetings; the printed demo member
joins and requests a meeting, the organiser runs the scheduler, the member sees the agenda.

Screenshots (looked at): ``test-artifacts/screenshots/new-user-zh-*.png``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from silkhub.settings import REPO_ROOT
from tests.web.conftest import _free_port, shot, submit_jiaozhou_near_copy

pytestmark = pytest.mark.browser
ACCOUNT = re.compile(r"^\s*(admin|member)\s+(\S+@\S+)\s+password:\s+(\S+)\s*$", re.M)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """``silkhub serve`` in a subprocess on a fresh data dir; its base URL and the demo
    accounts read from what it printed on its terminal."""
    data_dir: Path = tmp_path_factory.mktemp("new-user-zh")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILKHUB_")}
    env.update(
        SILKHUB_DATA_DIR=str(data_dir / "var"),
        SILKHUB_DATABASE_URL=f"sqlite:///{data_dir / 'silkhub.sqlite'}",
        COLUMNS="200",  # rich must not wrap the password lines
    )
    if "SILKHUB_SHARED_DATA" in os.environ:
        env["SILKHUB_SHARED_DATA"] = os.environ["SILKHUB_SHARED_DATA"]
    exe = Path(sys.executable).with_name("silkhub")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "silkhub"]
    log_path = data_dir / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*cmd, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError("silkhub serve exited:\n" + log_path.read_text()[-3000:])
            if time.monotonic() > deadline:
                raise RuntimeError("silkhub serve did not start:\n" + log_path.read_text())
            try:
                with urllib.request.urlopen(base + "/login", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        accounts = {role: (email, pw) for role, email, pw in ACCOUNT.findall(log_path.read_text())}
        assert set(accounts) == {"admin", "member"}, log_path.read_text()
        yield {"base": base, "accounts": accounts}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _signed_in(browser, base: str, email: str, password: str):
    """A browser page in Chinese (own cookies), signed in through the login form."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(20000)
    pg.goto(base + "/?lang=zh")  # the landing page says how to sign in
    hint = pg.get_by_test_id("demo-signin")
    assert "终端" in hint.inner_text() and email in hint.inner_text()
    if email.startswith("admin"):
        hint.scroll_into_view_if_needed()
        shot(pg, "new-user-zh-0-landing-hint", full_page=False)
    pg.goto(base + "/login?lang=zh")
    assert pg.get_by_test_id("demo-hint").count() == 1  # the login page says how to sign in
    pg.locator("#f-email").fill(email)
    pg.locator("#f-password").fill(password)
    pg.get_by_role("button", name="登录").click()
    pg.wait_for_url(base + "/")
    assert pg.get_by_test_id("demo-signin").count() == 0  # signed in: no hint any more
    return pg


def _no_english_errors(page) -> None:
    body = page.locator("body").inner_text()
    for word in ("Internal Server Error", "Traceback", "Not Found", "Forbidden"):
        assert word not in body, (page.url, word)


def test_new_user_zh_end_to_end(browser, served) -> None:
    base = str(served["base"])
    accounts: dict[str, tuple[str, str]] = served["accounts"]  # type: ignore[assignment]

    # 1. sign in with the printed demo admin password
    admin = _signed_in(browser, base, *accounts["admin"])
    home = admin.locator("body").inner_text()
    assert "成员情况" in home, home
    assert re.search(r"共建“一带一路”合作文件签署国（截至 \d{4}年\d{1,2}月\d{1,2}日）", home)
    shot(admin, "new-user-zh-1-signed-in", full_page=False)
    _no_english_errors(admin)

    # 2. create an organisation
    admin.goto(base + "/hub/organisations")
    admin.get_by_test_id("new-organisation").click()
    admin.locator("#f-name_zh").fill("青岛丝路法律服务中心")
    admin.locator("#f-kind").select_option("service_provider")
    admin.locator("#f-iso3").fill("中国")
    admin.locator("input[name=svc_law]").check()
    admin.locator("#f-svc_law_countries").fill("哈萨克斯坦")
    admin.get_by_role("button", name="创建").click()
    admin.wait_for_url("**/hub/organisations/*")
    assert admin.get_by_role("heading", name="青岛丝路法律服务中心").count() == 1
    assert "法律" in admin.locator("#h-services + ul").inner_text()
    _no_english_errors(admin)
    shot(admin, "new-user-zh-2-organisation")
    org_url = admin.url

    # 3. a project that nearly repeats the demo's Jiaozhou cold-chain trade centre: warned
    warning = submit_jiaozhou_near_copy(admin, base)
    assert warning.is_visible()
    text = warning.inner_text()
    assert "可能存在重复建设" in text and "胶州冷链商贸中心" in text and "相似度" in text
    assert admin.locator("#f-title_zh").input_value() == "胶州冷链商贸中心（二期）"
    warning.scroll_into_view_if_needed()
    shot(admin, "new-user-zh-3-project-warning", full_page=False)

    # 4. an agreement of the new organisation with two commitments; one marked fulfilled
    admin.goto(org_url)
    admin.get_by_role("link", name="新建协议").click()
    admin.locator("#f-title_zh").fill("中哈冷链法律服务合作协议")
    admin.locator("#f-signed_on").fill((date.today() - timedelta(days=30)).isoformat())
    admin.locator("input[name=party_ids]:not(:checked)").first.check()
    admin.locator("#f-c0_what_zh").fill("在阿拉木图设立冷链法律咨询站")
    admin.locator("#f-c0_amount").fill("800000")
    admin.locator("#f-c0_due_on").fill((date.today() + timedelta(days=120)).isoformat())
    admin.locator("#f-c1_what_zh").fill("发布中哈冷链通关指南")
    admin.locator("#f-c1_due_on").fill((date.today() + timedelta(days=20)).isoformat())
    admin.get_by_role("button", name="创建").click()
    admin.wait_for_url("**/hub/agreements/*")
    cards = admin.get_by_test_id("commitments").locator("li.card")
    assert cards.count() == 2
    cards.nth(1).get_by_role("link", name="标记为已履行").click()
    admin.locator("#f-evidence").fill("指南已于官网发布（第 3 号公告）")
    admin.get_by_role("button", name="保存").click()
    admin.wait_for_url("**/hub/agreements/*")
    cards = admin.get_by_test_id("commitments").locator("li.card")
    assert cards.nth(1).get_attribute("data-status") == "fulfilled"
    assert cards.nth(0).get_attribute("data-status") == "open"
    assert "第 3 号公告" in cards.nth(1).inner_text()
    assert admin.get_by_role("heading", name="中哈冷链法律服务合作协议").count() == 1
    _no_english_errors(admin)
    shot(admin, "new-user-zh-4-agreement-fulfilled")

    # 5. the organiser (admin) sets up the demo event's slots and adds the new organisation
    admin.goto(base + "/hub/events/1/meetings")
    admin.locator("#f-day").fill("2020-06-29")
    admin.locator("#f-first_start").fill("14:00")
    admin.locator("#f-slot_minutes").fill("20")
    admin.locator("#f-slot_count").fill("3")
    admin.locator("#f-tables").fill("A1，A2")
    admin.get_by_role("button", name="保存时段和洽谈桌").click()
    assert "时段和洽谈桌已保存" in admin.get_by_test_id("done").inner_text()
    admin.locator("#f-p_name").fill("李律师")
    admin.locator("#f-p_org").select_option(label="青岛丝路法律服务中心")
    admin.get_by_role("button", name="添加", exact=True).click()
    assert "李律师（青岛丝路法律服务中心）" in admin.get_by_test_id("participants").inner_text()

    # 6. the printed demo member joins the event and requests a meeting with it
    member = _signed_in(browser, base, *accounts["member"])
    member.goto(base + "/hub/events/1/meetings")
    member.locator("#f-join_name").fill("张经理")
    member.get_by_role("button", name="报名", exact=True).click()
    assert "报名成功" in member.get_by_test_id("done").inner_text()
    member.locator("#f-target_id").select_option(label="李律师（青岛丝路法律服务中心）")
    member.locator("#f-priority").select_option(label="高")
    member.get_by_role("button", name="发送会谈请求").click()
    assert "会谈请求已发送" in member.get_by_test_id("done").inner_text()
    assert "您已申请与 李律师 会谈" in member.get_by_test_id("my-requests").inner_text()
    assert member.get_by_test_id("not-scheduled").is_visible()
    shot(member, "new-user-zh-5-meeting-requested")

    # 7. the organiser runs the scheduler; the member sees the agenda
    admin.goto(base + "/hub/events/1/meetings")
    admin.get_by_role("button", name="运行排程").click()
    assert "已排定 1 场会谈" in admin.get_by_test_id("schedule-result").inner_text()
    shot(admin, "new-user-zh-6-scheduled")
    member.goto(base + "/hub/events/1/meetings")
    agenda = member.get_by_test_id("agenda").inner_text()
    assert "2020年6月29日 14:" in agenda and "李律师" in agenda
    assert "青岛丝路法律服务中心" in agenda
    _no_english_errors(member)
    member.locator("#agenda").scroll_into_view_if_needed()
    shot(member, "new-user-zh-7-agenda", full_page=False)
    for pg in (admin, member):
        pg.context.close()
