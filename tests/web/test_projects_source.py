"""``/hub/projects?source=``: demo projects apart from own entries (issue 15, point 4)."""

from __future__ import annotations

from silkhub.hub import projects as pj
from tests.hub.conftest import SYSTEM


def test_projects_page_source_filter(web) -> None:
    with web.runtime.session() as s:
        for ext, title in (("demo-signed-1", "Demo port"), (None, "Our logistics park")):
            pj.create_project(
                s, SYSTEM, pj.ProjectIn(title_en=title, iso3="KAZ", stage="signed", external_id=ext)
            )
    r = web.get("/hub/projects", params={"source": "own", "lang": "en"})
    assert r.status_code == 200
    assert "Our logistics park" in r.text and "Demo port" not in r.text
    assert "own entries and imports" in r.text  # the select's option label
    r = web.get("/hub/projects", params={"source": "demo", "lang": "zh"})
    assert "Demo port" in r.text and "演示项目" in r.text
