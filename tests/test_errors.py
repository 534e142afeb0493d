"""Errors carry a message key and params; each interface renders them per language."""

from silkhub import i18n
from silkhub.errors import NotFoundError, ValidationError, field_error


def test_key_and_params_travel_to_the_problem_body():
    exc = ValidationError(
        "start date 2030-01-01 is in the future",
        key="x.future",
        params={"date": "2030-01-01"},
        field="start_on",
    )
    body = exc.to_problem()
    assert body["key"] == "x.future"
    assert body["params"] == {"date": "2030-01-01"}
    assert body["errors"][0] == {
        "field": "start_on",
        "key": "x.future",
        "params": {"date": "2030-01-01"},
        "message": "start date 2030-01-01 is in the future",
    }


def test_default_key_is_the_code():
    assert NotFoundError("no such thing").key == "error.not-found"


def test_message_defaults_to_the_english_catalog_entry(monkeypatch):
    monkeypatch.setitem(i18n.catalog("en"), "t.hello", "hello {name}")
    monkeypatch.setitem(i18n.catalog("zh"), "t.hello", "你好，{name}")
    exc = ValidationError(key="t.hello", params={"name": "Jinan"})
    assert exc.message == "hello Jinan"
    assert i18n.error_text(exc, "zh") == "你好，Jinan"
    assert i18n.error_text(exc, "en") == "hello Jinan"
    entry = field_error("city", "t.hello", name="Qingdao")
    assert entry["message"] == "hello Qingdao"
    assert i18n.error_text(entry, "zh") == "你好，Qingdao"


def test_unknown_key_falls_back_to_the_message():
    exc = ValidationError("plain text", key="t.not-in-any-catalog")
    assert i18n.error_text(exc, "zh") == "plain text"
