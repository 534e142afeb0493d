"""Phone layout (390 px) and axe-core on the key pages, in Chinese and English (Playwright +
Debian Chromium; axe-core is vendored from npm under static/vendor/axe-core)."""

from __future__ import annotations

import pytest

from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, shot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
#: the key pages (signed in as an admin, so the account pages are there too)
KEY_PAGES = [
    "/",
    "/countries/CHN",
    "/regions/CN-SD-jinan?peers=Hangzhou,Qingdao",
    "/benchmark?unit=Jinan&peers=Hangzhou,Qingdao",
    "/partners",
    "/hub/projects",
    "/hub/agreements",
    "/login",
    "/account",
    "/admin/users",
]
PHONE_PAGES = [*KEY_PAGES, "/countries", "/regions", "/hub/events/1", "/hub/projects/new"]


def _url(base: str, path: str, lang: str) -> str:
    return base + path + ("&" if "?" in path else "?") + f"lang={lang}"


def _signed_in_page(browser, base: str, viewport: dict, lang: str):
    context = browser.new_context(viewport=viewport, locale="zh-CN" if lang == "zh" else "en-US")
    pg = context.new_page()
    pg.set_default_timeout(20000)
    pg.goto(_url(base, "/login", lang))
    pg.fill("#f-email", ADMIN_EMAIL)
    pg.fill("#f-password", ADMIN_PASSWORD)
    pg.click("main form[action='/login'] button[type=submit]")
    pg.wait_for_load_state("load")
    return context, pg


def _settle(pg) -> None:
    """Wait until every chart on the page is drawn (or failed)."""
    pg.wait_for_load_state("load")
    pg.wait_for_function(
        """() => Array.from(document.querySelectorAll('.chart[data-chart]'))
             .every(el => el.dataset.drawn || el.dataset.error)""",
        timeout=20000,
    )


def _name(path: str) -> str:
    return (path.strip("/").replace("/", "_").split("?")[0]) or "home"


BAR_LABELS = """(sel) => {
  const fig = document.querySelector(sel);
  const chart = fig.querySelector('.chart');
  const opt = JSON.parse(chart.querySelector('script').textContent);
  const cats = opt.yAxis.data;
  const box = chart.getBoundingClientRect();
  const texts = Array.from(chart.querySelectorAll('svg text'))
    .filter(t => cats.some(c => c.startsWith(t.textContent.replace('...', '').replace('…', ''))))
    .map(t => t.getBoundingClientRect());
  let overlaps = 0;
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
    const a = texts[i], b = texts[j];
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlaps++;
  }
  const outside = texts.filter(r => r.left < box.left - 1 || r.right > box.right + 1).length;
  return {categories: cats.length, labels: texts.length, overlaps, outside};
}"""


RADAR_LABELS = """() => { const c = document.querySelector('.figure-radar .chart');
  const b = c.getBoundingClientRect();
  const t = Array.from(c.querySelectorAll('svg text')).map(x => x.getBoundingClientRect());
  return {n: t.length, clipped: t.filter(r => r.left < b.left - 1 || r.right > b.right + 1
    || r.top < b.top - 1 || r.bottom > b.bottom + 1).length}; }"""
#: pages whose bar charts must show every label on a phone
BAR_PAGES = ("/countries/CHN", "/partners")


def test_phone_layout_of_the_key_pages(browser, live_server):
    """At 390 px: no page wider than the screen; the bar charts of /countries/CHN and
    /partners show one label per bar, none overlapping or cut; the radar's names inside."""
    context, pg = _signed_in_page(browser, live_server, PHONE, "zh")
    try:
        too_wide, bars, radar = {}, {}, None
        for path in PHONE_PAGES:
            pg.goto(_url(live_server, path, "zh"))
            _settle(pg)
            width = pg.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[path] = width
            if path in BAR_PAGES:
                bars[path] = pg.evaluate(BAR_LABELS, ".figure-bar")
                pg.locator(".figure-bar").first.screenshot(
                    path=str(shot(pg, f"phone-zh-bar-{_name(path)}", full_page=False))
                )
            if path.startswith("/benchmark"):
                radar = pg.evaluate(RADAR_LABELS)
            shot(pg, f"phone-zh-{_name(path)}")
        assert not too_wide, too_wide
        for path, got in bars.items():
            assert got["categories"] > 3, (path, got)
            assert got["labels"] == got["categories"], (path, got)
            assert got["overlaps"] == 0 and got["outside"] == 0, (path, got)
        assert radar and radar["n"] >= 4 and radar["clipped"] == 0, radar
    finally:
        context.close()


AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_axe_finds_no_serious_or_critical_violation(browser, live_server, lang):
    context, pg = _signed_in_page(browser, live_server, {"width": 1280, "height": 900}, lang)
    try:
        found = {}
        for path in KEY_PAGES:
            pg.goto(_url(live_server, path, lang))
            _settle(pg)
            pg.add_script_tag(url=live_server + "/static/vendor/axe-core/axe.min.js")
            bad = pg.evaluate(AXE_RUN)
            if bad:
                found[path] = bad
            if lang == "zh":
                shot(pg, f"desktop-zh-{_name(path)}")
        assert not found, found
    finally:
        context.close()
