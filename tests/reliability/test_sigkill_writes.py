"""SIGKILL under write load loses no acknowledged write (issue 18 point 4a, issue 19 defect 1).

The API runs as a real uvicorn subprocess over SQLite and over PostgreSQL. Four client threads
create projects and organisations with a bearer token (bounded: at most ``PER_THREAD`` writes
each, ``LOAD_SECONDS`` at most); once ``KILL_AFTER`` writes were acknowledged (2xx received)
the server gets SIGKILL while the threads are still sending. After a restart on the same
database every acknowledged write must be there, with the values sent and its audit entry.
The figures (acknowledged / present / lost / unanswered) are printed.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import uuid

import pytest
from sqlalchemy import select

from silkhub.data.storage.models.accounts import AuditEntry
from tests.api._accounts import make_account, use_fast_hashing
from tests.reliability._server import RealServer

THREADS = 4
PER_THREAD = 60
KILL_AFTER = 100
LOAD_SECONDS = 30.0  # upper bound; the kill normally comes after a few seconds


class Load:
    """The shared state of the writer threads."""

    def __init__(self, server: RealServer, token: str) -> None:
        self.server, self.token = server, token
        self.killed = threading.Event()
        self.lock = threading.Lock()
        self.acks: list[tuple[str, int, str]] = []  # (kind, id, name)
        self.refused: list[int] = []  # answered, but not 2xx
        self.unanswered = 0  # sent, no answer (the kill cut it off): not acknowledged

    def writer(self, thread: int) -> None:
        conn = self.server.connection()
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        deadline = time.monotonic() + LOAD_SECONDS
        for n in range(PER_THREAD):
            if self.killed.is_set() or time.monotonic() > deadline:
                break
            name = f"sigkill-{thread}-{n}-{uuid.uuid4().hex[:6]}"
            if n % 2:
                kind, path, body = "organisation", "/api/v1/organisations", {"kind": "soe"}
                body["name_en"] = name
            else:
                kind, path, body = "project", "/api/v1/projects", {"title_en": name}
                body["iso3"] = "KAZ"
            try:
                conn.request("POST", path, body=json.dumps(body), headers=headers)
                r = conn.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.unanswered += 1
                conn.close()
                if self.killed.is_set():
                    break
                conn = self.server.connection()
                continue
            with self.lock:
                if 200 <= r.status < 300:
                    self.acks.append((kind, int(json.loads(data)["id"]), name))
                else:
                    self.refused.append(r.status)
        conn.close()


def announce_huge_body(server: RealServer, size: int = 400_000_000) -> tuple[int, bytes, float]:
    """Send only the headers of an anonymous POST announcing ``size`` bytes; returns the
    status, body start and seconds to the answer (it must come without any body sent)."""
    head = (
        "POST /api/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        t = time.monotonic()
        sock.sendall(head.encode())
        data = b""
        while b"}" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return int(data[9:12]), data, time.monotonic() - t


def _request(
    server: RealServer, method: str, path: str, token: str, body: dict | None = None
) -> tuple[int, dict]:
    conn = server.connection(timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"{}")
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_under_write_load_loses_no_acknowledged_write(served_db, monkeypatch, capsys):
    use_fast_hashing(monkeypatch)
    admin = make_account(served_db.runtime, "load@example.org", "admin", None)
    server = RealServer(served_db.url, served_db.data_dir, served_db.schema).start()
    load = Load(server, admin.token)
    # warm-up: the first write of a fresh process loads code lazily (slow on a busy machine)
    status, _ = _request(server, "POST", "/api/v1/projects", admin.token, {"title_en": "warm-up"})
    assert status == 201, status
    threads = [threading.Thread(target=load.writer, args=(i,)) for i in range(THREADS)]
    t0 = time.monotonic()
    try:
        for t in threads:
            t.start()
        while time.monotonic() - t0 < LOAD_SECONDS and any(t.is_alive() for t in threads):
            with load.lock:
                if len(load.acks) >= KILL_AFTER:
                    break
            time.sleep(0.01)
        load.killed.set()
        server.kill()
        killed_at = time.monotonic() - t0
        for t in threads:
            t.join(timeout=20)
    finally:
        server.kill()

    restarted = RealServer(served_db.url, served_db.data_dir, served_db.schema).start()
    try:
        present, lost = 0, []
        for kind, ident, name in load.acks:
            status, body = _request(restarted, "GET", f"/api/v1/{kind}s/{ident}", admin.token)
            field = "title_en" if kind == "project" else "name_en"
            if status == 200 and body.get(field) == name:
                present += 1
            else:
                lost.append((kind, ident, name, status))
        with served_db.runtime.session() as s:
            audited = {
                (e.entity, e.entity_id)
                for e in s.scalars(select(AuditEntry).where(AuditEntry.action.like("%.create")))
            }
        unaudited = [a for a in load.acks if (a[0], str(a[1])) not in audited]
        # issue 19 defect 5 on the real server: a 400 MB body is refused unread
        huge_status, huge_answer, huge_seconds = announce_huge_body(restarted)
    finally:
        restarted.stop()

    backend = served_db.runtime.engine.dialect.name
    figures = (
        f"SIGKILL under load ({backend}, {THREADS} threads): killed after {killed_at:.2f} s; "
        f"acknowledged {len(load.acks)}, present after restart {present}, lost {len(lost)}, "
        f"without audit entry {len(unaudited)}; refused (non-2xx) {len(load.refused)} "
        f"{sorted(set(load.refused))}, unanswered (cut off by the kill) {load.unanswered}; "
        f"400 MB body announced: {huge_status} after {huge_seconds * 1000:.0f} ms, unread"
    )
    with capsys.disabled():
        print("\n" + figures)  # noqa: T201 (the figures the issue asks for)
    assert huge_status == 413 and b"body-too-large" in huge_answer, huge_answer[:300]
    assert huge_seconds < 5
    assert len(load.acks) >= KILL_AFTER // 2, "too few writes were acknowledged to mean much"
    assert lost == [], f"{figures}; lost: {lost[:10]}"
    assert unaudited == [], f"acknowledged writes without audit entry: {unaudited[:10]}"
