"""``hub totals --source``: demo projects apart from tracker deals and own entries (issue 15)."""

from __future__ import annotations

import pytest

from silkhub.errors import SilkhubError
from silkhub.hub import projects as pj
from tests.hub.conftest import SYSTEM


def _p(session, **kw):
    data = {"title_en": "x", "iso3": "KAZ", "stage": "signed", "value_amount": 10,
            "value_currency": "USD", **kw}  # fmt: skip
    return pj.create_project(session, SYSTEM, pj.ProjectIn(**data))


def _total(session, source):
    f = pj.ProjectFilters(source=source) if source else pj.ProjectFilters()
    rows = pj.project_totals(session, SYSTEM, f, group_by="stage")
    return sum(r["projects"] for r in rows), sum(r["value_usd"] or 0 for r in rows)


def test_source_filter_on_totals(session) -> None:
    _p(session, external_id="demo-signed-1", value_amount=100)
    _p(session, value_amount=5)
    _p(session, source="cgit", external_id="cgit-1", value_amount=1000)
    _p(session, source="gcdf", external_id="gcdf-1", value_amount=2000)
    assert _total(session, None) == (4, pytest.approx(3105))
    assert _total(session, "demo") == (1, pytest.approx(100))
    assert _total(session, "own") == (1, pytest.approx(5))
    assert _total(session, "cgit") == (1, pytest.approx(1000))
    assert _total(session, "gcdf") == (1, pytest.approx(2000))
    with pytest.raises(SilkhubError, match="source"):
        _total(session, "nope")


def test_source_filter_through_api_and_cli(runtime, client, cli) -> None:
    with runtime.session() as s:
        _p(s, external_id="demo-signed-1", value_amount=100)
        _p(s, value_amount=5)
    r = client.get("/api/v1/projects/totals", params={"source": "own"})
    assert r.status_code == 200, r.text
    assert sum(x["projects"] for x in r.json()) == 1
    r = client.get("/api/v1/projects/totals", params={"source": "demo"})
    assert sum(x["projects"] for x in r.json()) == 1
    assert client.get("/api/v1/projects/totals", params={"source": "x"}).status_code == 422
    r = cli("hub", "totals", "--source", "nope")
    assert r.exit_code != 0 and "source" in r.stderr
