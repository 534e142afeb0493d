from datetime import date
from pathlib import Path

import pytest

from silkhub.errors import DataImportError, PermissionDeniedError
from silkhub.hub import places as svc
from silkhub.hub import talent
from tests.hub.conftest import SYSTEM, member

HEADER = (
    "kind,name_en,name_zh,region,country_served,languages,services,address,lat,lon,opened_on,source"
)
GOOD = (
    HEADER
    + """
international_school,Test School,测试学校,Jinan,,en;zh,K-12,,36.6,117.0,2010-09-01,unit test
consulate,Consulate X,,Qingdao,KOR,ko,visas,,,,,unit test
"""
)


def _write(tmp_path: Path, text: str, name: str = "places.csv", enc: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(enc))
    return p


def test_import_idempotent_and_counts(session, tmp_path):
    f = _write(tmp_path, GOOD)
    assert svc.import_places(session, SYSTEM, f) == 2
    assert svc.import_places(session, SYSTEM, f) == 2
    assert len(svc.list_places(session)) == 2
    talent.create_profile(
        session,
        SYSTEM,
        talent.TalentIn(
            name_en="Expert", nationality="KOR", based_in="Qingdao", consent_on=date(2026, 1, 1)
        ),
    )
    counts = {(c.region_id, c.indicator): c.value for c in svc.region_counts(session)}
    assert counts[("CN-SD-jinan", "INTL_SCHOOLS")] == 1
    assert counts[("CN-SD-qingdao", "CONSULATES")] == 1
    assert counts[("CN-SD-qingdao", "FOREIGN_EXPERTS")] == 1
    # the school opened in 2010: not counted in 2005
    old = {(c.region_id, c.indicator) for c in svc.region_counts(session, date(2005, 1, 1))}
    assert ("CN-SD-jinan", "INTL_SCHOOLS") not in old


def test_bad_rows_reject_whole_file(session, tmp_path):
    bad = (
        GOOD
        + "hospital,Nowhere,,Atlantis,,,,,,,,src\ninternational_school,Y,,Jinan,,,,,abc,,,src\n"
    )
    with pytest.raises(DataImportError) as exc:
        svc.import_places(session, SYSTEM, _write(tmp_path, bad))
    errs = exc.value.errors
    assert any(e.startswith("places.csv:4:kind:") for e in errs), errs
    assert any(e.startswith("places.csv:5:lat:") for e in errs), errs
    assert svc.list_places(session) == []


def test_gbk_file_and_missing_header(session, tmp_path):
    f = _write(tmp_path, GOOD.replace("Test School", "济南学校"), enc="gbk")
    assert svc.import_places(session, SYSTEM, f) == 2
    with pytest.raises(DataImportError) as exc:
        svc.import_places(session, SYSTEM, _write(tmp_path, "name_en\nx\n", "h.csv"))
    assert "header lacks" in exc.value.message


def test_template_round_trip(session, tmp_path):
    path = svc.write_template(tmp_path / "t.csv")
    assert "国际学校" in path.read_text(encoding="utf-8")
    assert svc.import_places(session, SYSTEM, path) == 0


def test_members_cannot_write_directory(session, two_orgs):
    with pytest.raises(PermissionDeniedError):
        svc.create_place(
            session,
            member(session, two_orgs[0]),
            svc.PlaceIn(kind="consulate", name_en="X", region="Jinan", source="t"),
        )
