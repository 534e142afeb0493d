"""Form fields: extra attributes reach the control; /benchmark errors sit at their field."""

from __future__ import annotations

import re

import pytest

from silkhub.web.pages import templates


def _render(src: str) -> str:
    return templates.env.from_string(
        '{% from "_macros.html" import field with context %}' + src
    ).render(_=lambda k, **p: k)


def test_field_attrs_string_and_mapping_are_real_attributes():
    html = _render(
        "{{ field(none, 'email', 'E', type='email', attrs='autocomplete=\"username\"') }}"
        "{{ field(none, 'days', 'D', type='number', attrs={'min': 1, 'max': 3650}) }}"
        "{{ field(none, 'amount', 'A', attrs={'inputmode': 'decimal', 'title': '\"><b>'}) }}"
    )
    assert '<input id="f-email" name="email" type="email" value="" autocomplete="username">' in html
    assert re.search(r'<input id="f-days"[^>]* min="1" max="3650">', html)
    assert 'inputmode="decimal"' in html
    assert "&#34;&gt;&lt;b&gt;" in html and "<b>" not in html  # mapping values are escaped
    assert "&#34;username&#34;" not in html and "&quot;" not in html


@pytest.mark.parametrize(
    ("url", "attr"),
    [
        ("/login", 'autocomplete="username"'),
        ("/login", 'autocomplete="current-password"'),
    ],
)
def test_login_autocomplete(web, url, attr):
    r = web.get(url, headers={"accept-language": "zh"})
    assert attr in r.text


def test_benchmark_unknown_peer_is_shown_at_the_peers_field(web):
    r = web.get("/benchmark?unit=Jinan&peers=Nowhere,Qingdao&lang=zh")
    assert r.status_code == 422
    assert 'id="e-peers"' in r.text and 'href="#f-peers"' in r.text
    assert "Nowhere" in r.text and "valid choices" not in r.text
    assert 'href="#f-region"' not in r.text
    assert "未知城市或地区" in r.text


def test_benchmark_unknown_unit_is_shown_at_the_unit_field(web):
    r = web.get("/benchmark?unit=Atlantis&peers=Qingdao&lang=en")
    assert r.status_code == 422
    assert 'id="e-unit"' in r.text and 'href="#f-unit"' in r.text
    assert 'aria-invalid="true" aria-describedby="e-unit"' in r.text


def test_benchmark_blank_unit_is_required(web):
    r = web.get("/benchmark?unit=&lang=en")
    assert r.status_code == 422 and 'id="e-unit"' in r.text


def test_benchmark_and_partners_are_computed_once_per_store_state(web, monkeypatch):
    """A repeated view serves the cached index benchmark / partner targets; new data in the
    analytics store (another token) computes again."""
    from silkhub.web import explore

    explore.clear_results()
    calls = []
    real = explore.benchmark_result

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(explore, "benchmark_result", counting)
    for lang in ("zh", "zh", "en"):
        r = web.get(f"/benchmark?unit=Jinan&peers=Hangzhou,Qingdao&lang={lang}")
        assert r.status_code == 200
    assert len(calls) == 2  # zh once, en once
    monkeypatch.setattr(explore, "store_token", lambda reader: ("new data",))
    web.get("/benchmark?unit=Jinan&peers=Hangzhou,Qingdao&lang=zh")
    assert len(calls) == 3
    explore.clear_results()


def test_account_and_admin_forms_carry_their_attributes(web):
    assert web.login().status_code == 303
    account = web.get("/account?lang=zh").text
    assert re.search(r'<input id="f-expires_in_days"[^>]* min="1" max="3650"', account)
    assert 'autocomplete="current-password"' in account and 'autocomplete="new-password"' in account
    admin = web.get("/admin/users?lang=zh").text
    assert 'autocomplete="new-password"' in admin
    new_project = web.get("/hub/projects/new?lang=zh").text
    assert 'inputmode="decimal"' in new_project and "&#34;decimal&#34;" not in new_project
