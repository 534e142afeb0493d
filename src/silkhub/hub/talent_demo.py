"""Demo data for the talent and living-environment directory.

Places are typed in from public information (``demo_data/places.csv``, source per row). Talent
profiles are GENERATED (fictional people, marked as such) so that no real personal data ships.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from silkhub.bootstrap import Runtime
from silkhub.data.storage.models.hub import Organisation, Project
from silkhub.data.storage.models.talent import Place, Position, TalentProfile
from silkhub.hub.places import import_places
from silkhub.hub.policy import Actor
from silkhub.hub.talent.schemas import LanguageIn, PositionCreate, ProfileCreate
from silkhub.hub.talent.service import create_position, create_profile

GENERATED = "generated demo profile (fictional person)"

_PEOPLE = [
    (
        "Aigerim Sadykova",
        None,
        "KAZ",
        "Qingdao",
        [("ru", "native"), ("kk", "native"), ("zh", "B2"), ("en", "C1")],
        ["H", "52"],
        "rail logistics, customs brokerage, China-Europe freight trains",
        "铁路物流 中欧班列 报关",
        ["KAZ", "RUS", "UZB"],
    ),
    (
        "Dmitry Volkov",
        "德米特里·沃尔科夫",
        "RUS",
        "Qingdao",
        [("ru", "native"), ("en", "B2"), ("zh", "B1")],
        ["D", "35"],
        "LNG terminals, power plant commissioning",
        "液化天然气 接收站 电厂调试",
        ["RUS", "KAZ"],
    ),
    (
        "Nodira Karimova",
        None,
        "UZB",
        "Jinan",
        [("uz", "native"), ("ru", "C2"), ("en", "B2")],
        ["K", "64"],
        "project finance, trade finance for Central Asia",
        "项目融资 贸易融资",
        ["UZB", "KGZ", "TJK"],
    ),
    (
        "Ahmed Khan",
        None,
        "PAK",
        "Jinan",
        [("ur", "native"), ("en", "C2"), ("zh", "A2")],
        ["F", "42"],
        "highway and bridge construction management, EPC contracts",
        "公路桥梁施工管理 EPC总承包",
        ["PAK", "AFG"],
    ),
    (
        "Somchai Wongsakul",
        None,
        "THA",
        "Hangzhou",
        [("th", "native"), ("en", "C1"), ("zh", "C1")],
        ["J", "62"],
        "e-commerce platforms, cross-border payments",
        "跨境电商 跨境支付",
        ["THA", "MYS", "VNM"],
    ),
    (
        "Elena Popescu",
        None,
        "ROU",
        "Hangzhou",
        [("ro", "native"), ("en", "C2"), ("ru", "B2")],
        ["M", "69"],
        "EU law, public procurement, investment screening",
        "欧盟法律 政府采购",
        ["ROU", "HUN", "SRB"],
    ),
    (
        "Li Wei",
        "李伟",
        "CHN",
        "Qingdao",
        [("zh", "native"), ("ru", "C1"), ("en", "B2")],
        ["H", "52"],
        "returnee, port operations in Russia's Far East",
        "海归 港口运营 远东",
        ["RUS"],
    ),
]


def load(runtime: Runtime) -> str | None:
    """Load demo places, talent profiles and a position (idempotent)."""
    system = Actor.system("demo")
    with runtime.session() as s:
        if s.scalar(select(Place.id).limit(1)) is not None:
            return None
        ref = resources.files(__package__).joinpath("demo_data/places.csv")
        with resources.as_file(ref) as path:
            n_places = import_places(s, system, Path(path))
        n_people = 0
        for en, zh, nat, city, langs, sectors, skills_en, skills_zh, exp in _PEOPLE:
            if s.scalar(select(TalentProfile.id).where(TalentProfile.name_en == en)):
                continue
            create_profile(
                s,
                system,
                ProfileCreate(
                    name_en=en,
                    name_zh=zh,
                    nationality=nat,
                    based_in=city,
                    languages=[LanguageIn(code=c, level=lv) for c, lv in langs],
                    sectors=sectors,
                    skills_en=skills_en,
                    skills_zh=skills_zh,
                    countries_experience=exp,
                    available_from=date(2026, 1, 1),
                    preferred_regions=[city],
                    visibility="members",
                    consent_on=date(2026, 11, 1),
                    consent_note=GENERATED,
                ),
            )
            n_people += 1
        org = s.scalar(select(Organisation).order_by(Organisation.id).limit(1))
        project = s.scalar(select(Project).where(Project.source == "hub").order_by(Project.id))
        n_pos = 0
        if org is not None and s.scalar(select(Position.id).limit(1)) is None:
            create_position(
                s,
                system,
                PositionCreate(
                    organisation_id=org.id,
                    project_id=project.id if project else None,
                    role_en="Rail freight coordinator for Central Asia",
                    role_zh="中亚铁路货运协调员",
                    description_en="Coordinate China-Europe and China-Central Asia freight "
                    "trains, customs and rail logistics with partners in Kazakhstan.",
                    description_zh="协调中欧、中亚班列的铁路物流与报关。",
                    sector="52",
                    languages=[
                        LanguageIn(code="ru", level="C1"),
                        LanguageIn(code="zh", level="B1"),
                    ],
                    countries=["KAZ", "UZB"],
                    start_on=date(2027, 1, 1),
                    end_on=date(2027, 12, 31),
                    location="Qingdao",
                    work_mode="onsite",
                    visibility="public",
                ),
            )
            n_pos = 1
    return f"talent demo: {n_places} places, {n_people} generated profiles, {n_pos} position"
