"""The jobs page: start a region report as a job (CSRF), watch the row poll, download."""

from __future__ import annotations

import time

from tests.web.conftest import csrf_of, web  # noqa: F401  (fixture)


def test_region_report_job_from_the_web(web):  # noqa: F811
    assert web.get("/jobs").status_code == 401
    assert web.login().status_code == 303
    page = web.get("/jobs")
    assert page.status_code == 200 and "job-region-form" in page.text
    token = csrf_of(page.text)
    form = {"unit": "Jinan", "peers": "Qingdao", "format": "html", "lang": "en"}
    # without the CSRF token the job is refused
    assert web.post("/jobs/region-report", data=form, follow_redirects=False).status_code == 403
    bad = web.post("/jobs/region-report", data={**form, "unit": "Atlantis", "csrf_token": token})
    assert bad.status_code == 422 and "Atlantis" in bad.text
    r = web.post("/jobs/region-report", data={**form, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/jobs"
    listing = web.get("/jobs").text
    job_id = listing.split('<tr id="job-', 1)[1].split('"', 1)[0]
    deadline = time.monotonic() + 60
    while True:
        row = web.get(f"/jobs/{job_id}/row").text
        if 'data-status="succeeded"' in row:
            break
        assert 'hx-trigger="every 1s"' in row, row[row.find("<main") :][:1500]
        assert time.monotonic() < deadline, row
        time.sleep(0.2)
    assert "hx-trigger" not in row and 'value="100"' in row
    got = web.get(f"/jobs/{job_id}/download")
    assert got.status_code == 200 and b"Region report: Jinan" in got.content
    zh = web.get("/jobs?lang=zh").text
    assert "我的任务" in zh and "已完成" in zh
    eng = web.runtime.extras.get("jobs_engine")
    if eng is not None:
        eng.close()
