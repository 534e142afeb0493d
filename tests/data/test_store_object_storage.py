"""The analytics store on object storage (issue 17.3): catalog and Parquet read from s3:// by
several workers with no local copy, against moto's S3 server on a loopback port."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from silkhub.data.store import AnalyticsStore, NewVersion
from tests.conftest import need

BUCKET = "silkhub-test"


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, object]]:
    need(
        all(importlib.util.find_spec(m) for m in ("moto", "s3fs", "flask")),
        "moto[s3], flask and s3fs (test extra) not installed",
    )
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    ).create_bucket(Bucket=BUCKET)
    yield {
        "endpoint": endpoint,
        "options": {
            "key": "test",
            "secret": "test",
            "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"},
        },
    }
    server.stop()


def _meta(sha: str) -> NewVersion:
    return NewVersion(source="test", sha256=sha, importer="tests", importer_version="0")


def _frame(scale: float) -> pd.DataFrame:
    rows = [
        (y, e, m, p, scale * (1 + i))
        for i, (y, e, m, p) in enumerate(
            (y, e, m, p)
            for y in (2020, 2021)
            for e in ("CHN", "KAZ", "DEU")
            for m in ("RUS", "USA")
            for p in ("010121", "850110")
        )
    ]
    return pd.DataFrame(rows, columns=["year", "exporter", "importer", "product", "value_usd"])


def _stores(tmp_path: Path, s3: dict, prefix: str) -> tuple[AnalyticsStore, AnalyticsStore]:
    url = f"s3://{BUCKET}/{prefix}"
    opts = s3["options"]
    writer = AnalyticsStore(tmp_path / "writer", url=url, storage_options=opts)  # type: ignore[arg-type]
    reader = AnalyticsStore(tmp_path / "reader", url=url, storage_options=opts)  # type: ignore[arg-type]
    return writer, reader


def test_a_worker_without_local_files_reads_the_store_from_s3(tmp_path: Path, s3: dict) -> None:
    writer, reader = _stores(tmp_path, s3, "shared1")
    t = time.perf_counter()
    writer.publish_frame("baci", _frame(1.0), _meta("a" * 64), partition_by_year=True)
    t_publish = time.perf_counter() - t
    assert writer.fs.exists(f"{BUCKET}/shared1/catalog.json")
    t = time.perf_counter()
    con = reader.connect()
    rows = con.sql("SELECT count(*), sum(value_usd) FROM baci WHERE year = 2021").fetchall()
    t_query = time.perf_counter() - t
    assert rows == [(12, float(sum(range(13, 25))))]
    assert reader.entry("baci").version == 1 and reader.entry("baci").years == [2020, 2021]
    assert not (tmp_path / "reader" / "datasets").exists()  # nothing local on the reader
    ms = (t_publish * 1000, t_query * 1000)
    print(f"publish + upload {ms[0]:.0f} ms; connect + query over s3 {ms[1]:.0f} ms")  # noqa: T201


def test_new_versions_and_activation_reach_the_readers(tmp_path: Path, s3: dict) -> None:
    writer, _ = _stores(tmp_path, s3, "shared2")
    writer.publish_frame("baci", _frame(1.0), _meta("a" * 64))
    writer.publish_frame("baci", _frame(10.0), _meta("b" * 64))
    _, fresh = _stores(tmp_path / "second", s3, "shared2")
    assert fresh.read("baci")["value_usd"].max() == 240.0
    writer.activate("baci", 1)
    _, again = _stores(tmp_path / "third", s3, "shared2")
    assert again.entry("baci").version == 1
    assert again.read("baci")["value_usd"].max() == 24.0
    assert [v.version for v in again.versions("baci")] == [1, 2]


def test_complexity_on_a_remote_store_is_cached_next_to_the_reader(
    tmp_path: Path, s3: dict
) -> None:
    from silkhub.analytics import complexity
    from tests.analytics.conftest import exports_only

    writer, reader = _stores(tmp_path, s3, "shared3")
    writer.publish_frame("trade", exports_only(), _meta("c" * 64))
    complexity.clear_memory_cache()
    res = complexity.cached(reader, "trade", 2017)
    assert len(res.countries) == 12
    assert any(reader.derived_dir(reader.entry("trade")).glob("complexity-*/meta.json"))
    complexity.clear_memory_cache()


def test_the_url_and_credentials_come_from_the_environment(
    tmp_path: Path, s3: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SILKHUB_ANALYTICS_URL", f"s3://{BUCKET}/shared4")
    monkeypatch.setenv("SILKHUB_S3_ENDPOINT_URL", str(s3["endpoint"]))
    monkeypatch.setenv("SILKHUB_S3_REGION", "us-east-1")
    monkeypatch.setenv("SILKHUB_S3_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("SILKHUB_S3_SECRET_ACCESS_KEY", "test")
    AnalyticsStore(tmp_path / "w").publish_frame("wdi_like", _frame(2.0), _meta("d" * 64))
    reader = AnalyticsStore(tmp_path / "r")
    assert reader.url == f"s3://{BUCKET}/shared4"
    assert reader.connect().sql("SELECT count(*) FROM wdi_like").fetchall() == [(24,)]
