"""Acknowledged writes are committed: the COMMIT runs before the response, and a failed COMMIT
fails the request (5xx problem+json), never a 2xx (issue 19 defect 1).

Each test arms :class:`~tests.reliability.conftest.CommitFault` (every COMMIT raises) around one
write, then checks the answer, that neither the row nor its audit entry exists, and that the
same write succeeds once COMMIT works again. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from sqlalchemy import func, select

from silkhub.api.deps import get_session
from silkhub.data.storage.models.accounts import AuditEntry
from silkhub.data.storage.models.hub import Organisation, Project
from tests.api._accounts import PASSWORD

PROBLEM = "application/problem+json"


def _count(runtime, model, **where) -> int:
    with runtime.session() as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.scalar(q)


def _audits(runtime, action: str) -> int:
    return _count(runtime, AuditEntry, action=action)


def _assert_failed(r) -> None:
    assert r.status_code >= 500, f"a failed COMMIT was answered {r.status_code}: {r.text[:300]}"
    assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
    assert r.json()["status"] == r.status_code


def test_api_writes_fail_when_commit_fails(rclient, runtime, admin, commit_fault):
    """Create (project, organisation), update and delete: 5xx problem, nothing kept."""
    h = admin.headers
    project = {"title_en": "Khorgos dry port", "iso3": "KAZ"}
    org = {"kind": "soe", "name_en": "Silk Road Logistics"}
    commit_fault.armed = True
    r_project = rclient.post("/api/v1/projects", json=project, headers=h)
    r_org = rclient.post("/api/v1/organisations", json=org, headers=h)
    commit_fault.armed = False
    _assert_failed(r_project)
    _assert_failed(r_org)
    assert commit_fault.failed >= 2
    assert _count(runtime, Project, title_en="Khorgos dry port") == 0
    assert _count(runtime, Organisation, name_en="Silk Road Logistics") == 0
    assert _audits(runtime, "project.create") == _audits(runtime, "organisation.create") == 0

    # the same writes succeed once COMMIT works again
    r = rclient.post("/api/v1/projects", json=project, headers=h)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert _count(runtime, Project, id=pid) == 1
    assert _audits(runtime, "project.create") == 1
    r = rclient.post("/api/v1/organisations", json=org, headers=h)
    assert r.status_code == 201, r.text
    assert _count(runtime, Organisation, name_en="Silk Road Logistics") == 1

    commit_fault.armed = True
    r_patch = rclient.patch(f"/api/v1/projects/{pid}", json={"title_en": "after"}, headers=h)
    r_delete = rclient.delete(f"/api/v1/projects/{pid}", headers=h)
    commit_fault.armed = False
    _assert_failed(r_patch)
    _assert_failed(r_delete)
    # neither the update nor the delete (a SAVEPOINT inside, see delete_or_conflict) is kept
    assert _count(runtime, Project, id=pid, title_en="Khorgos dry port") == 1
    assert _audits(runtime, "project.update") == _audits(runtime, "project.delete") == 0


def test_web_form_fails_when_commit_fails(rclient, runtime, admin, commit_fault):
    """The web forms commit inside the handler too: a failed COMMIT is no 303 redirect."""

    def csrf(path: str) -> str:
        m = re.search(r'name="csrf_token" value="([^"]+)"', rclient.get(path).text)
        assert m, f"no CSRF token on {path}"
        return m.group(1)

    r = rclient.post(
        "/login",
        data={"email": admin.email, "password": PASSWORD, "csrf_token": csrf("/login")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    data = {
        "title_en": "Almaty logistics hub",
        "stage": "proposed",
        "stage_on": "2024-01-10",
        "visibility": "public",
        "csrf_token": csrf("/hub/projects/new"),
    }
    commit_fault.armed = True
    r = rclient.post("/hub/projects/new", data=data, follow_redirects=False)
    commit_fault.armed = False
    assert r.status_code >= 500, f"a failed COMMIT was answered {r.status_code}"
    assert _count(runtime, Project, title_en="Almaty logistics hub") == 0
    r = rclient.post("/hub/projects/new", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    assert _count(runtime, Project, title_en="Almaty logistics hub") == 1


def _api_routes(routes):
    """Every APIRoute, also inside included routers (FastAPI 0.165 keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _api_routes(inner.routes)


def _session_dependencies(dependant):
    """Every (sub)dependency of a route that is the request's database session."""
    for dep in dependant.dependencies:
        if dep.call is get_session:
            yield dep
        yield from _session_dependencies(dep)


def test_every_route_closes_its_session_before_responding():
    """Structural guard: every route that takes the session gets it with ``scope="function"``
    (closed, i.e. committed, before the response is sent), not the default request scope."""
    from silkhub.server import create_app
    from silkhub.settings import Settings

    app = create_app(Settings(database_url="sqlite://"), init=False)
    checked = 0
    for route in _api_routes(app.routes):
        for dep in _session_dependencies(route.dependant):
            checked += 1
            where = f"{route.path} {sorted(route.methods)}"
            assert dep.scope == "function", f"{where}: session scope {dep.scope}"
    assert checked > 50
