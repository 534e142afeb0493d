"""Framework validation: every problem reported as file:line: reason."""

from __future__ import annotations

import copy

import pytest

from silkhub.core.index.framework import parse_framework
from silkhub.errors import ValidationError
from tests.core.index.conftest import DOC


def _messages(doc, **kw) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        parse_framework(doc, source="f.yaml", **kw)
    return [e["message"] for e in exc.value.details["errors"]]


def test_valid_framework(toy) -> None:
    assert toy.indicator_codes == ["i1", "i2", "i3", "i4"]
    assert toy.indicator("i4").direction == "lower"
    assert [p.weight for p in toy.pillars] == [0.6, 0.4]


def test_weights_that_do_not_sum() -> None:
    doc = copy.deepcopy(DOC)
    doc["pillars"][0]["weight"] = 0.7
    msgs = _messages(doc, lines={("pillars",): 3})
    assert msgs == ["f.yaml:3: weights of the pillars here sum to 1.1, not 1"]


def test_partial_weights_and_duplicates_and_unknown_codes() -> None:
    doc = copy.deepcopy(DOC)
    del doc["pillars"][1]["sub_pillars"][0]["indicators"][1]["weight"]
    doc["pillars"][1]["sub_pillars"][0]["indicators"][0]["code"] = "i1"
    doc["pillars"][0]["sub_pillars"][0]["indicators"][1]["inputs"] = ["NOPE"]
    lines = {
        ("pillars", 1, "sub_pillars", 0, "indicators", 0, "code"): 20,
        ("pillars", 0, "sub_pillars", 0, "indicators", 0, "code"): 9,
        ("pillars", 1, "sub_pillars", 0, "indicators", 1): 22,
        ("pillars", 0, "sub_pillars", 0, "indicators", 1, "inputs"): 12,
    }
    msgs = _messages(doc, lines=lines, known_codes={"i1", "i2", "i3", "i4"})
    assert "f.yaml:12: unknown indicator code 'NOPE'" in msgs
    assert "f.yaml:20: duplicate code 'i1' (first at line 9)" in msgs
    assert any(m.startswith("f.yaml:22: weight missing") for m in msgs)


def test_bad_direction_transform_and_missing_denominator() -> None:
    doc = copy.deepcopy(DOC)
    ind = doc["pillars"][0]["sub_pillars"][0]["indicators"][0]
    ind["direction"] = "up"
    ind["transform"] = ["per_capita", "sqrt"]
    msgs = _messages(doc)
    assert any("direction 'up'" in m for m in msgs)
    assert any("unknown transform 'sqrt'" in m for m in msgs)
    assert any("per_capita needs 'denominators" in m for m in msgs)


def test_not_a_mapping() -> None:
    assert _messages(["x"]) == [
        "f.yaml: a framework file must be a mapping with 'code', 'name_en' and 'pillars'"
    ]
