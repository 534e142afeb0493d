"""Fixtures of the web tests: a live server (uvicorn in a thread) and a Playwright browser.

The browser is Debian's ``/usr/bin/chromium`` (installed by ``scripts/setup-system.sh``);
Playwright never downloads one. Without it the browser tests skip locally and fail in CI.
Screenshots go to ``test-artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from silkhub.bootstrap import make_runtime, prepare
from silkhub.settings import REPO_ROOT, Settings
from tests.conftest import need

CHROMIUM = os.environ.get("SILKHUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the app served by uvicorn over a temp SQLite DB with the demo data."""
    yield from serve(demo_runtime(tmp_path_factory, "live"))


def demo_runtime(tmp_path_factory: pytest.TempPathFactory, name: str):  # type: ignore[no-untyped-def]
    """A runtime over a fresh temp SQLite DB with the demo data and the test admin."""
    from silkhub.demo import load_demo

    data_dir: Path = tmp_path_factory.mktemp(name)
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'live.sqlite'}",
        secret_key="test-secret-key-for-browser-tests",
    )
    rt = make_runtime(settings)
    prepare(rt)
    for _ in load_demo(rt):
        pass
    make_admin(rt)
    return rt


def submit_jiaozhou_near_copy(page, base: str):  # type: ignore[no-untyped-def]
    """Fill the new-project form with a near-copy of the demo's Jiaozhou cold-chain trade
    centre and submit it; returns the repeated-construction warning's locator."""
    page.goto(base + "/hub/projects/new")
    page.locator("#f-title_en").fill("Jiaozhou cold chain trade center")
    page.locator("#f-title_zh").fill("胶州冷链商贸中心（二期）")
    page.locator("#f-isic_code").fill("52")
    page.locator("#f-iso3").fill("CHN")
    page.locator("#f-region_id").fill("青岛")
    page.locator("#f-value_amount").fill("5,000,000,000")
    page.locator("#f-value_currency").select_option("CNY")
    page.locator("#f-value_year").fill("2020")
    page.locator("#f-stage").select_option("signed")
    page.locator("#f-stage_on").fill("2020-04-01")
    page.get_by_role("button", name="创建").click()
    return page.get_by_test_id("repeated-construction")


def serve(rt) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve ``rt``'s app with uvicorn in a thread; yields the base URL, then stops and
    disposes of the runtime (for module fixtures of live servers)."""
    import uvicorn

    from silkhub.server import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(runtime=rt, init=False), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        rt.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    need(Path(CHROMIUM).exists(), f"{CHROMIUM} not installed (sudo bash scripts/setup-system.sh)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, live_server: str):
    """A fresh browser page (own cookies) with ``page.base`` = the live server URL."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base = live_server
    yield pg
    context.close()


def shot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot under test-artifacts/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "correct horse battery staple"


def make_admin(runtime) -> int:
    """Create the admin account used by the web tests; returns its id."""
    from silkhub.hub import accounts
    from silkhub.hub.policy import Actor

    with runtime.session() as s:
        user = accounts.find_user(s, ADMIN_EMAIL)
        if user is None:
            user = accounts.create_user(
                s, Actor.system(), ADMIN_EMAIL, ADMIN_PASSWORD, role="admin", display_name="Ada"
            )
        return int(user.id)


def csrf_of(html: str) -> str:
    """The CSRF token embedded in a rendered form."""
    import re

    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


@pytest.fixture
def web(sqlite_runtime):
    """A TestClient over a SQLite runtime with an admin account (``web.login()`` signs in)."""
    from fastapi.testclient import TestClient

    from silkhub.server import create_app

    make_admin(sqlite_runtime)
    with TestClient(create_app(runtime=sqlite_runtime, init=False)) as c:

        def login(email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD):
            token = csrf_of(c.get("/login").text)
            return c.post(
                "/login",
                data={"email": email, "password": password, "csrf_token": token, "next": "/"},
                follow_redirects=False,
            )

        c.login = login
        c.runtime = sqlite_runtime
        yield c
