import copy

import pytest

from silkhub.errors import ValidationError
from silkhub.hub import demo, oc4ids
from silkhub.hub import projects as pj
from tests.hub.conftest import SYSTEM


def test_demo_exports_a_valid_package(session):
    demo.load_into(session)
    doc = oc4ids.export_projects(session, SYSTEM)
    assert doc["version"] == "0.9" and len(doc["projects"]) == 30
    first = doc["projects"][0]
    assert first["status"] == "implementation"  # under construction
    assert first["budget"]["amount"] == {"amount": 8e9, "currency": "CNY"}
    assert {"funder"} <= {r for p in first["parties"] for r in p["roles"]}
    statuses = {p["status"] for p in doc["projects"]}
    assert statuses == {"implementation", "completed", "preparation", "identification"}


def test_invalid_package_is_rejected(session):
    pj.create_project(session, SYSTEM, pj.ProjectIn(title_en="x", lat=1.0, lon=2.0, iso3="KAZ"))
    doc = oc4ids.export_projects(session, SYSTEM)
    assert doc["projects"][0]["locations"][0]["geometry"]["coordinates"] == [2.0, 1.0]
    bad = copy.deepcopy(doc)
    bad["projects"][0]["status"] = "built"
    del bad["publisher"]
    with pytest.raises(ValidationError) as exc:
        oc4ids.validate_package(bad)
    fields = {e["field"] for e in exc.value.details["errors"]}
    assert fields == {"/", "projects/0/status"}
    bad = copy.deepcopy(doc)
    bad["projects"].append(copy.deepcopy(doc["projects"][0]) | {"title": "other"})
    with pytest.raises(ValidationError, match="duplicate"):
        oc4ids.validate_package(bad)


def test_empty_export_is_an_error(session):
    with pytest.raises(ValidationError):
        oc4ids.export_projects(session, SYSTEM)
