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
    # the index Monte Carlo and the duplicate scan start from the page too
    token = csrf_of(web.get("/jobs").text)
    bad = web.post("/jobs/index", data={"framework": "city-internationalization",
                                        "mc_runs": "0", "csrf_token": token})  # fmt: skip
    assert bad.status_code == 422 and "Enter a number from 1 to 200,000" in bad.text
    ok = web.post("/jobs/index", data={"framework": "city-internationalization",
                                       "mc_runs": "50", "csrf_token": token},
                  follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303
    nowhere = web.post("/jobs/duplicates", data={"region": "Atlantis", "csrf_token": token})
    assert nowhere.status_code == 422 and 'data-testid="error-region"' in nowhere.text
    form = {"region": "", "threshold": "0.8", "csrf_token": token}
    scan = web.post("/jobs/duplicates", data=form, follow_redirects=False)
    assert scan.status_code == 303
    eng = web.runtime.extras.get("jobs_engine")
    eng.join()
    listing = web.get("/jobs").text
    assert listing.count('data-status="succeeded"') == 3, listing
    zh = web.get("/jobs?lang=zh").text
    assert "蒙特卡洛模拟次数" in zh and "city-internationalization · 蒙特卡洛模拟 50 次" in zh
    assert "我的任务" in zh and "已完成" in zh and "重复项目筛查" in zh
    assert '<a href="/jobs" aria-current="page">后台任务</a>' in zh  # the navigation entry
    eng.close()


def test_job_rows_speak_the_readers_language():
    """Progress and error messages stored as catalog keys are shown in zh and en."""
    from datetime import UTC, datetime

    from silkhub.jobs.service import JobView
    from silkhub.web.jobs_pages import _job_texts

    base = dict(
        id="a" * 32, kind="event.schedule", status="running", progress_pct=5,
        progress_message="solving the meeting schedule (at most 5 s)",
        progress_key="jobs.msg.solving", progress_params={"seconds": "5"},
        params={"event_id": 3}, owner_user_id=1, owner_organisation_id=None, owner_label="u",
        result=None, result_hidden=False, error_code=None, error_message=None,
        error_details=None, cancel_requested=False, attempts=1, max_attempts=2,
        backend="inline", worker=None, created_at=datetime.now(UTC), started_at=None,
        heartbeat_at=None, finished_at=None, files=[],
    )  # fmt: skip
    job = JobView(**base)
    zh, en = _job_texts("zh"), _job_texts("en")
    assert zh["job_message"](job) == "正在求解会谈日程（最长 5 秒）"
    assert en["job_message"](job) == "solving the meeting schedule (at most 5 s)"
    assert zh["job_summary"](job) == "活动 3"
    lost_params = {"worker": "w1", "attempts": 2, "max_attempts": 2}
    lost = JobView(**{**base, "status": "failed", "error_code": "job-lost",
                      "error_message": "the job worker ... no retry left",
                      "error_key": "jobs.error.lost", "error_params": lost_params})  # fmt: skip
    assert "不再重试" in zh["job_error"](lost) and "w1" in zh["job_error"](lost)
    mc_params = {"framework": "city-internationalization", "mc_runs": 5000}
    mc = JobView(**{**base, "kind": "index.compute", "params": mc_params})
    assert zh["job_summary"](mc) == "city-internationalization · 蒙特卡洛模拟 5,000 次"
    # a message without a key (an importer's task) is shown as the job wrote it
    free = JobView(**{**base, "progress_key": None, "progress_message": "reading rows"})
    assert zh["job_message"](free) == "reading rows"
