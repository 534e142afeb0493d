"""/api/v1/gravity/... and /api/v1/partners/potential|targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkhub.api.deps import get_actor
from silkhub.hub.policy import Actor


@pytest.fixture
def api(client, tmp_path: Path):
    """The client without shared data: potentials use the packaged snapshot."""
    client.app.state.runtime.settings.shared_data = tmp_path / "no-shared-data"
    yield client
    client.app.dependency_overrides.clear()


def as_role(client, role: str) -> None:
    client.app.dependency_overrides[get_actor] = lambda: Actor(1, None, role, label="t")


def test_specs_listed(api) -> None:
    r = api.get("/api/v1/gravity/specs")
    assert r.status_code == 200
    names = {s["name"] for s in r.json()}
    assert {"agtpa_table2_ppml", "agtpa_table3_glbzn", "potential_wits2009"} <= names


def test_potential_ranked_table(api) -> None:
    r = api.get(
        "/api/v1/partners/potential",
        params={"reporter": "CHN", "group": "route65", "year": 2016, "limit": 10},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["reporter"] == "CHN" and body["model"] == "potential_wits2009"
    items = body["items"]
    assert [i["rank"] for i in items] == list(range(1, 11))
    assert items[0]["gap_usd"] >= items[1]["gap_usd"]
    first = items[0]
    assert first["ratio"] == pytest.approx(first["predicted_usd"] / first["actual_usd"])


def test_targets_show_parts(api) -> None:
    r = api.get(
        "/api/v1/partners/targets",
        params={"reporter": "China", "year": 2016, "group": "route65", "limit": 5},
    )
    assert r.status_code == 200, r.text
    item = r.json()["items"][0]
    assert item["parts_used"] == "potential" and item["weight_potential"] == 0.5
    assert any("complementarity" in n for n in r.json()["notes"])


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        pytest.param({"reporter": "Atlantis", "year": 2016}, 404, "unknown-country", id="country"),
        pytest.param({"reporter": "DEU", "year": 2016}, 404, "data-missing", id="no-data"),
        pytest.param(
            {"reporter": "CHN", "year": 2016, "group": "nato"}, 422, "validation-error", id="group"
        ),
        pytest.param({"reporter": "CHN", "year": "x"}, 422, "validation-error", id="year"),
    ],
)
def test_potential_errors_are_problems(api, params, status, code) -> None:
    r = api.get("/api/v1/partners/potential", params=params)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code


def test_runs_and_unknown_run(api) -> None:
    assert api.get("/api/v1/gravity/runs").json() == []
    r = api.get("/api/v1/gravity/runs/nope")
    assert r.status_code == 404 and "run `silkhub gravity fit` first" in r.json()["detail"]


def test_fit_needs_staff(api) -> None:
    r = api.post("/api/v1/gravity/fit", json={"spec": "agtpa_table2_ppml"})
    assert r.status_code == 401
    as_role(api, "member")
    assert api.post("/api/v1/gravity/fit", json={"spec": "agtpa_table2_ppml"}).status_code == 403


def test_fit_bad_specs_named(api) -> None:
    as_role(api, "operator")
    r = api.post("/api/v1/gravity/fit", json={"spec": "/etc/passwd"})
    assert r.status_code == 422 and r.json()["code"] == "unknown-choice"
    bad = "name: x\ndataset: agtpa_applications\nformula: trade ~ log(dist)\n"
    r = api.post("/api/v1/gravity/fit", json={"spec_yaml": bad})
    assert r.status_code == 422
    assert "define it under derive" in r.json()["detail"]
    r = api.post("/api/v1/gravity/fit", json={})
    assert r.status_code == 422
    # a valid spec on a dataset that needs the (absent) shared data
    r = api.post("/api/v1/gravity/fit", json={"spec": "agtpa_table2_ppml"})
    assert r.status_code == 404 and r.json()["code"] == "data-missing"


@pytest.mark.shared_data
def test_fit_and_show_textbook_run(client, shared_data: Path) -> None:
    client.app.state.runtime.settings.shared_data = shared_data
    as_role(client, "admin")
    try:
        r = client.post("/api/v1/gravity/fit", json={"spec": "agtpa_table2_ppml"})
        assert r.status_code == 201, r.text
        run = r.json()
        coef = {c["name"]: c for c in run["coefficients"]}
        assert coef["log_dist_1986"]["estimate"] == pytest.approx(-0.859, abs=6e-4)
        assert coef["log_dist_1986"]["published"] == -0.859
        assert run["nobs"] == 28152 and run["converged"]
        r = client.get(f"/api/v1/gravity/runs/{run['run_id']}")
        assert r.status_code == 200 and r.json()["run_id"] == run["run_id"]
        assert client.get("/api/v1/gravity/runs").json()[0]["run_id"] == run["run_id"]
    finally:
        client.app.dependency_overrides.clear()


@pytest.mark.shared_data
def test_policy_effect_endpoint(client, shared_data: Path) -> None:
    client.app.state.runtime.settings.shared_data = shared_data
    as_role(client, "operator")
    try:
        r = client.post("/api/v1/gravity/policy", json={"group": "bri", "lags": [1]})
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["terms"] == ["bri", "bri_lag1"]
        assert body["summary"].startswith("Trade between China and its bri partners")
        assert "95 % CI" in body["summary"]
        r = client.post("/api/v1/gravity/policy", json={"group": "bri", "lags": [0]})
        assert r.status_code == 422
    finally:
        client.app.dependency_overrides.clear()


def test_potential_by_section_needs_product_data(api) -> None:
    r = api.get(
        "/api/v1/partners/potential", params={"reporter": "CHN", "year": 2016, "by_section": True}
    )
    assert r.status_code == 404 and "product-level" in r.json()["detail"]
