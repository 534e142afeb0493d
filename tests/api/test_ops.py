"""Operations endpoints and plumbing: /live, /ready, /metrics, JSON logs, TCP_NODELAY."""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from silkhub.bootstrap import make_runtime
from silkhub.settings import Settings


@pytest.fixture
def app_client(sqlite_runtime):
    """The full app on SQLite (these checks do not depend on the database)."""
    from silkhub.server import create_app

    with TestClient(create_app(runtime=sqlite_runtime, init=False)) as c:
        yield c


def test_live_and_ready(client) -> None:
    assert client.get("/live").json()["status"] == "ok"
    r = client.get("/ready")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["store"] == "ok"


def test_ready_is_503_when_the_database_is_down(tmp_path: Path) -> None:
    from silkhub.server import create_app

    # nothing listens on port 1: connection refused at once
    rt = make_runtime(
        Settings(data_dir=tmp_path, database_url="postgresql+psycopg://x@127.0.0.1:1/x")
    )
    try:
        with TestClient(create_app(runtime=rt, init=False)) as c:
            r = c.get("/ready")
            assert r.status_code == 503
            body = r.json()
            assert body["status"] == "unavailable"
            assert body["database"].startswith("error: ")
            assert "127.0.0.1" not in r.text  # no connection details
            assert c.get("/live").status_code == 200
            assert c.get("/health").status_code == 503
    finally:
        rt.dispose()


def test_ready_is_503_when_the_store_is_unreadable(sqlite_runtime) -> None:
    from silkhub.server import create_app

    analytics = sqlite_runtime.settings.analytics_dir
    analytics.mkdir(parents=True, exist_ok=True)
    (analytics / "catalog.json").write_text("{not json")
    with TestClient(create_app(runtime=sqlite_runtime, init=False)) as c:
        r = c.get("/ready")
    assert r.status_code == 503
    assert r.json()["database"] == "ok" and r.json()["store"].startswith("error: ")


def test_metrics_expose_the_request_histogram_by_route_template(app_client) -> None:
    app_client.get("/api/v1/countries/DEU")
    app_client.get("/api/v1/countries/FRA")
    app_client.get("/no/such/page")
    text = app_client.get("/metrics").text
    assert "# TYPE silkhub_http_request_duration_seconds histogram" in text
    lines = [ln for ln in text.splitlines() if ln.startswith("silkhub_http_request_duration")]
    assert any('route="/api/v1/countries/{iso3}"' in ln and "_count" in ln for ln in lines), lines
    assert not any("DEU" in ln or "FRA" in ln for ln in lines)  # template, not the raw path
    assert any('route="<unmatched>"' in ln and 'status="404"' in ln for ln in lines)
    assert "silkhub_job_duration_seconds" in text and "silkhub_job_queue_depth" in text


def test_queue_depth_probe_runs_at_scrape_time(app_client) -> None:
    from silkhub import metrics

    def probe() -> dict[str, int]:
        return {"test-queue": 7}

    def broken() -> dict[str, int]:
        raise RuntimeError("broker down")

    metrics.register_queue_depth_probe(probe)
    metrics.register_queue_depth_probe(broken)
    try:
        text = app_client.get("/metrics").text
    finally:
        metrics._queue_probes.remove(probe)
        metrics._queue_probes.remove(broken)
    assert 'silkhub_job_queue_depth{queue="test-queue"} 7.0' in text


def test_json_log_lines_parse(capsys) -> None:
    from silkhub.logging_setup import JsonFormatter

    logger = logging.getLogger("silkhub.test_json")
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("hello %s", "世界", extra={"route": "/x/{id}", "status": 200})
        try:
            raise ValueError("boom\nsecond line")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(ln) for ln in lines)
    assert first["message"] == "hello 世界" and first["level"] == "warning"
    assert first["route"] == "/x/{id}" and first["status"] == 200 and "ts" in first
    assert second["exc"].startswith("Traceback") and "boom" in second["exc"]


def test_access_log_carries_structured_fields(app_client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="silkhub.access"):
        app_client.get("/api/v1/countries/DEU")
    rec = next(r for r in caplog.records if r.name == "silkhub.access")
    assert rec.route == "/api/v1/countries/{iso3}"  # type: ignore[attr-defined]
    assert rec.status == 200 and rec.method == "GET"  # type: ignore[attr-defined]


def test_log_format_setting(monkeypatch) -> None:
    from silkhub.logging_setup import JsonFormatter, log_format, make_formatter

    monkeypatch.setenv("SILKHUB_LOG_FORMAT", "json")
    assert log_format() == "json" and isinstance(make_formatter(), JsonFormatter)
    monkeypatch.setenv("SILKHUB_LOG_FORMAT", "JSON ")
    assert log_format() == "json"
    monkeypatch.setenv("SILKHUB_LOG_FORMAT", "yaml")
    assert log_format() == "text"


def test_worker_listening_socket_sets_tcp_nodelay_on_connections() -> None:
    from silkhub.cli.serve import NoDelayConfig

    config = NoDelayConfig("silkhub.server:app_factory", factory=True, host="127.0.0.1", port=0)
    listener = config.bind_socket()
    try:
        listener.listen(1)
        client = socket.create_connection(listener.getsockname()[:2], timeout=5)
        conn, _ = listener.accept()
        try:
            assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        finally:
            conn.close()
            client.close()
    finally:
        listener.close()
