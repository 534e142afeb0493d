import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from silkhub.data.storage.models.hub import Organisation, Project
from silkhub.errors import DataImportError
from silkhub.hub import bulk_import
from tests.hub.conftest import SYSTEM

ORGS = """external_id,kind,name_en,name_zh,iso3,sectors,services
o1,soe,COSCO,中远海运,CHN,50;52,
o2,service_provider,Law firm,,CHN,69,law:KAZ|UZB
"""
PROJECTS = (
    "external_id,title_en,iso3,value_amount,value_currency,value_year,stage,stage_on,parties\n"
    """p1,Port,KAZ,100,USD,2020,signed,2020-06-29,owner:o1
p2,Park,UZB,,,,,,investor:o1;contractor:o2
"""
)


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_csv_import_is_idempotent(session, tmp_path):
    (tmp_path / "orgs.csv").write_text(ORGS, encoding="utf-8")
    (tmp_path / "projects.csv").write_text(PROJECTS, encoding="utf-8")
    s = bulk_import.import_file(session, SYSTEM, "organisations", tmp_path / "orgs.csv")
    assert (s.created, s.existing) == (2, 0)
    s = bulk_import.import_file(session, SYSTEM, "projects", tmp_path / "projects.csv")
    assert s.created == 2
    again = bulk_import.import_file(session, SYSTEM, "projects", tmp_path / "projects.csv")
    assert (again.created, again.existing) == (0, 2)
    p1 = session.scalar(select(Project).where(Project.external_id == "p1"))
    assert (p1.stage, p1.source, p1.source_dataset, p1.source_row) == (
        "signed",
        "import",
        "projects.csv",
        "2",
    )


def test_bad_rows_reject_the_whole_file_with_file_row_column(session, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(
        "external_id,kind,name_en,iso3\n"
        "a,soe,Good,CHN\n"
        "b,castle,Bad kind,CHN\n"
        "c,soe,Bad country,Atlantis\n"
        "a,soe,Dup,CHN\n",
        encoding="utf-8",
    )
    with pytest.raises(DataImportError) as exc:
        bulk_import.import_file(session, SYSTEM, "organisations", f)
    errors = exc.value.errors
    assert errors[0].startswith(f"{f}:3:kind: unknown organisation kind 'castle'")
    assert errors[1].startswith(f"{f}:4:iso3: unknown country 'Atlantis'")
    assert errors[2] == f"{f}:5:external_id: duplicate 'a' in the file"
    session.flush()
    assert _count(session, Organisation) == 0  # nothing written (the caller rolls back)


def test_unknown_column(session, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("kind,colour\nsoe,red\n", encoding="utf-8")
    with pytest.raises(DataImportError) as exc:
        bulk_import.import_file(session, SYSTEM, "organisations", f)
    assert exc.value.errors[0].startswith(f"{f}:1:colour: unknown column")


def test_xlsx_template_round_trip(session, tmp_path):
    t = tmp_path / "t.xlsx"
    bulk_import.write_template("projects", t)
    wb = Workbook()
    wb.active.append(bulk_import.TEMPLATES["projects"])
    row = dict.fromkeys(bulk_import.TEMPLATES["projects"], None)
    row |= {"external_id": "x1", "title_en": "Bridge", "value_amount": 5, "value_currency": "EUR",
            "value_year": 2020, "project_type": "epc"}  # fmt: skip
    wb.active.append(list(row.values()))
    wb.save(t)
    s = bulk_import.import_file(session, SYSTEM, "projects", t)
    assert s.created == 1
    p = session.get(Project, s.ids[0])
    assert (p.project_type, p.value_currency) == ("epc_contract", "EUR")
