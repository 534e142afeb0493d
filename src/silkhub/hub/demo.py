"""Demo data of the cooperation hub: the Qingdao SCO and Belt and Road hub for central SOEs.

Seed 003: at the online press conference of 29 June 2020 in Qingdao, 10 projects worth about
42.7 bn yuan were signed and 20 projects worth 80 bn yuan announced. Only those totals, the
event and the SOEs named come from the source; the split of the totals over individual
projects, the service providers and the agreements below are illustrative (marked "demo").
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.bootstrap import Runtime
from silkhub.data.storage.models.hub import Event
from silkhub.hub import agreements as ag
from silkhub.hub import events as ev
from silkhub.hub import organisations as orgs
from silkhub.hub import projects as pj
from silkhub.hub.money import ensure_rates
from silkhub.hub.policy import Actor

logger = logging.getLogger(__name__)

EVENT_ID = "demo-sco-hub-2020-06-29"
SOURCE = "seed 003 (SCO and Belt and Road International Cooperation Hub for Central SOEs)"

#: 10 signed projects: amounts in bn CNY add up to 42.7
SIGNED = [
    ("SCODA multimodal logistics park", "上合示范区多式联运物流园", "52", Decimal("8.0")),
    ("Central SOE regional headquarters building", "央企区域总部大楼", "68", Decimal("6.5")),
    ("Jiaozhou cold-chain trade centre", "胶州冷链商贸中心", "52", Decimal("5.2")),
    ("SCO trade and exhibition centre", "上合国际贸易展示中心", "82", Decimal("4.8")),
    ("Qingdao port rail connection upgrade", "青岛港铁路连接线改造", "42", Decimal("4.5")),
    ("Energy equipment manufacturing base", "能源装备制造基地", "28", Decimal("4.0")),
    ("Cross-border e-commerce industrial park", "跨境电商产业园", "47", Decimal("3.2")),
    ("Urban rail transit extension", "城市轨道交通延伸线", "42", Decimal("2.7")),
    ("International shipping service centre", "国际航运服务中心", "52", Decimal("2.3")),
    ("Distributed solar power demonstration", "分布式光伏示范项目", "35", Decimal("1.5")),
]
#: 20 announced projects: amounts in bn CNY add up to 80
ANNOUNCED = [Decimal(x) for x in (8, 7, 6, 6, 5, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 2)]
ANNOUNCED_SECTORS = ["42", "52", "35", "28", "68", "41", "26", "10", "20", "86"]

ORGS = [
    # key, kind, name_en, name_zh, iso3, region, sectors, services
    (
        "qd_gov",
        "government",
        "Qingdao Municipal Government",
        "青岛市人民政府",
        "CHN",
        "CN-SD-qingdao",
        ["O"],
        [],
    ),
    (
        "scoda",
        "government",
        "China-SCO Local Economic and Trade Cooperation Demonstration Area",
        "中国—上海合作组织地方经贸合作示范区",
        "CHN",
        "CN-SD-qingdao",
        ["O"],
        [],
    ),
    (
        "cosco",
        "soe",
        "China COSCO Shipping Corporation Limited",
        "中国远洋海运集团有限公司",
        "CHN",
        None,
        ["50", "52"],
        [],
    ),
    (
        "sdic",
        "soe",
        "State Development & Investment Corporation",
        "国家开发投资集团有限公司",
        "CHN",
        None,
        ["64", "35"],
        [],
    ),
    (
        "poly",
        "soe",
        "China Poly Group Corporation Limited",
        "中国保利集团有限公司",
        "CHN",
        None,
        ["68", "41"],
        [],
    ),
    (
        "sco_bc",
        "international_organisation",
        "SCO Business Council",
        "上海合作组织实业家委员会",
        "RUS",
        None,
        ["94"],
        [],
    ),
    (
        "kaz_cc",
        "chamber_of_commerce",
        "Kazakh chamber of commerce (demo)",
        "哈萨克斯坦商会（演示）",
        "KAZ",
        None,
        ["94"],
        [],
    ),
    (
        "uzb_cc",
        "chamber_of_commerce",
        "Uzbek chamber of commerce (demo)",
        "乌兹别克斯坦商会（演示）",
        "UZB",
        None,
        ["94"],
        [],
    ),
    (
        "rus_cc",
        "chamber_of_commerce",
        "Russian business association (demo)",
        "俄罗斯商业协会（演示）",
        "RUS",
        None,
        ["94"],
        [],
    ),
    (
        "pak_cc",
        "chamber_of_commerce",
        "Pakistani chamber of commerce (demo)",
        "巴基斯坦商会（演示）",
        "PAK",
        None,
        ["94"],
        [],
    ),
    (
        "law",
        "service_provider",
        "Qingdao cross-border law firm (demo)",
        "青岛涉外律师事务所（演示）",
        "CHN",
        "CN-SD-qingdao",
        ["69"],
        [("law", ["KAZ", "UZB", "RUS", "KGZ", "TJK", "PAK"])],
    ),
    (
        "audit",
        "service_provider",
        "Qingdao audit and accounting firm (demo)",
        "青岛会计师事务所（演示）",
        "CHN",
        "CN-SD-qingdao",
        ["69"],
        [("audit", ["KAZ", "RUS"]), ("accounting", ["KAZ", "RUS", "UZB"])],
    ),
    (
        "visa",
        "service_provider",
        "SCO visa and relocation services (demo)",
        "上合签证与商务服务中心（演示）",
        "CHN",
        "CN-SD-qingdao",
        ["79"],
        [("visa", ["KAZ", "UZB", "RUS", "KGZ", "TJK", "PAK", "IND"]), ("translation", ["RUS"])],
    ),
]


def _orgs(s: Session, actor: Actor) -> dict[str, int]:
    ids = {}
    for key, kind, en, zh, iso3, region, sectors, services in ORGS:
        o = orgs.create_organisation(
            s,
            actor,
            orgs.OrganisationIn(
                kind=kind,
                name_en=en,
                name_zh=zh,
                iso3=iso3,
                region_id=region,
                sectors=sectors,
                languages=["zh", "en"] if iso3 == "CHN" else ["ru", "en"],
                services=[orgs.ServiceIn(service=sv, countries=c) for sv, c in services],
                external_id=f"demo-org-{key}",
            ),
            source_dataset="demo",
            source_row=key,
        )
        ids[key] = o.id
    return ids


def load_into(s: Session, actor: Actor | None = None) -> str | None:
    """Load the demo into a session; None if it is there already."""
    if s.scalar(select(Event.id).where(Event.external_id == EVENT_ID)):
        return None
    actor = actor or Actor.system("demo")
    ensure_rates(s)
    ids = _orgs(s, actor)
    day = date(2020, 6, 29)
    event = ev.create_event(
        s,
        actor,
        ev.EventIn(
            kind="online_conference",
            title_en="Online investment-attraction press conference of the SCO and Belt and "
            "Road International Cooperation Hub for Central SOEs",
            title_zh="上合组织与“一带一路”央企国际合作中心云招商新闻发布会",
            start_on=day,
            place="Qingdao (online)",
            region_id="CN-SD-qingdao",
            organiser_ids=[ids["qd_gov"], ids["scoda"]],
            external_id=EVENT_ID,
        ),
        source_dataset=SOURCE,
    )
    soes = ["cosco", "sdic", "poly"]
    signed_ids = []
    for i, (en, zh, isic, bn) in enumerate(SIGNED):
        p = pj.create_project(
            s,
            actor,
            pj.ProjectIn(
                title_en=f"{en} (demo)",
                title_zh=f"{zh}（演示）",
                isic_code=isic,
                project_type="greenfield",
                region_id="CN-SD-qingdao",
                value_amount=bn * 1_000_000_000,
                value_currency="CNY",
                value_year=2020,
                stage="negotiating",
                stage_on=date(2020, 3, 1),
                parties=[
                    pj.PartyIn(organisation_id=ids[soes[i % 3]], role="investor"),
                    pj.PartyIn(organisation_id=ids["scoda"], role="owner"),
                ],
                external_id=f"demo-signed-{i + 1}",
            ),
            source_dataset=SOURCE,
        )
        signed_ids.append(p.id)
        ev.link_project(
            s,
            actor,
            event.id,
            ev.EventProjectIn(
                project_id=p.id, kind="signed", amount=bn * 1_000_000_000, currency="CNY"
            ),
        )
    for i, bn in enumerate(ANNOUNCED):
        p = pj.create_project(
            s,
            actor,
            pj.ProjectIn(
                title_en=f"Qingdao investment-attraction project {i + 1} (demo)",
                title_zh=f"青岛招商项目{i + 1}（演示）",
                isic_code=ANNOUNCED_SECTORS[i % len(ANNOUNCED_SECTORS)],
                region_id="CN-SD-qingdao",
                value_amount=bn * 1_000_000_000,
                value_currency="CNY",
                value_year=2020,
                stage="proposed",
                stage_on=date(2020, 5, 1),
                parties=[pj.PartyIn(organisation_id=ids["qd_gov"], role="owner")],
                external_id=f"demo-announced-{i + 1}",
            ),
            source_dataset=SOURCE,
        )
        ev.link_project(
            s,
            actor,
            event.id,
            ev.EventProjectIn(
                project_id=p.id, kind="announced", amount=bn * 1_000_000_000, currency="CNY"
            ),
        )
    # two signed projects move on: construction starts, one is already operational
    pj.transition(
        s, actor, signed_ids[0], "under_construction", date(2020, 10, 15), "ground broken"
    )
    pj.transition(s, actor, signed_ids[1], "under_construction", date(2020, 9, 1))
    pj.transition(s, actor, signed_ids[1], "operational", date(2022, 5, 20), "opened")
    _agreements(s, actor, ids, event.id, signed_ids)
    return (
        f"hub demo: {len(ORGS)} organisations, {len(SIGNED) + len(ANNOUNCED)} projects, "
        f"event {event.id} ({ev.event_totals(s, actor, event.id).describe()})"
    )


def _agreements(
    s: Session, actor: Actor, ids: dict[str, int], event_id: int, signed_ids: list[int]
) -> None:
    C = ag.CommitmentIn
    ag.create_agreement(
        s,
        actor,
        ag.AgreementIn(
            kind="mou",
            title_en="MoU on regular matchmaking between central SOEs and Kazakh business (demo)",
            title_zh="央企与哈萨克斯坦工商界常态化对接合作备忘录（演示）",
            signed_on=date(2020, 6, 29),
            effective_on=date(2020, 6, 29),
            expiry_on=date(2025, 6, 28),
            event_id=event_id,
            party_ids=[ids["scoda"], ids["kaz_cc"]],
            commitments=[
                C(
                    owed_by_id=ids["scoda"],
                    what_en="Organise an online matchmaking roadshow",
                    what_zh="举办线上对接路演",
                    due_on=date(2020, 12, 31),
                    status="fulfilled",
                    fulfilled_on=date(2020, 11, 20),
                ),
                C(
                    owed_by_id=ids["kaz_cc"],
                    what_en="Open a representative office in Qingdao",
                    what_zh="在青岛设立代表处",
                    due_on=date(2021, 6, 30),
                ),
                C(
                    owed_by_id=ids["kaz_cc"],
                    what_en="Bring a business delegation to Qingdao",
                    what_zh="组织企业代表团访问青岛",
                    due_on=date(2021, 9, 30),
                    status="fulfilled",
                    fulfilled_on=date(2021, 11, 5),
                ),
            ],
            external_id="demo-agreement-kaz-mou",
        ),
        source_dataset="demo",
    )
    a = ag.create_agreement(
        s,
        actor,
        ag.AgreementIn(
            kind="framework",
            title_en="Framework agreement on the SCODA multimodal logistics park (demo)",
            title_zh="上合示范区多式联运物流园框架协议（演示）",
            signed_on=date(2020, 6, 29),
            effective_on=date(2020, 7, 1),
            expiry_on=date(2030, 6, 30),
            event_id=event_id,
            party_ids=[ids["cosco"], ids["scoda"]],
            project_ids=[signed_ids[0]],
            commitments=[
                C(
                    owed_by_id=ids["cosco"],
                    what_en="First-phase investment",
                    what_zh="一期投资",
                    amount=Decimal("2000000000"),
                    currency="CNY",
                    year=2021,
                    due_on=date(2021, 12, 31),
                    status="fulfilled",
                    fulfilled_on=date(2021, 12, 15),
                    fulfilled_amount=Decimal("2000000000"),
                ),
                C(
                    owed_by_id=ids["cosco"],
                    what_en="Second-phase investment",
                    what_zh="二期投资",
                    amount=Decimal("3000000000"),
                    currency="CNY",
                    year=2022,
                    due_on=date(2022, 12, 31),
                    status="fulfilled",
                    fulfilled_on=date(2023, 3, 1),
                    fulfilled_amount=Decimal("2500000000"),
                ),
                C(
                    owed_by_id=ids["scoda"],
                    what_en="Deliver serviced land (500 mu)",
                    what_zh="交付500亩净地",
                    due_on=date(2020, 12, 31),
                    status="fulfilled",
                    fulfilled_on=date(2020, 12, 20),
                ),
                C(
                    owed_by_id=ids["cosco"],
                    what_en="Third-phase investment",
                    what_zh="三期投资",
                    amount=Decimal("3000000000"),
                    currency="CNY",
                    year=2023,
                    due_on=date(2023, 12, 31),
                ),
            ],
            external_id="demo-agreement-cosco-framework",
        ),
        source_dataset="demo",
    )
    third = a.commitments[-1]
    ag.add_milestone(
        s,
        actor,
        third.id,
        ag.MilestoneIn(
            title_en="Board approval of phase three",
            title_zh="三期董事会批准",
            due_on=date(2023, 6, 30),
            status="done",
            done_on=date(2023, 6, 1),
            evidence="board resolution (demo)",
        ),
    )
    ag.add_milestone(
        s,
        actor,
        third.id,
        ag.MilestoneIn(
            title_en="Construction contract awarded",
            title_zh="施工合同授予",
            due_on=date(2023, 10, 31),
        ),
    )
    ag.create_agreement(
        s,
        actor,
        ag.AgreementIn(
            kind="contract",
            title_en="Legal and visa services for SCO investors (demo)",
            title_zh="上合投资者法律与签证服务合同（演示）",
            signed_on=date(2021, 3, 1),
            effective_on=date(2021, 3, 1),
            expiry_on=date(2024, 2, 29),
            party_ids=[ids["scoda"], ids["law"], ids["visa"]],
            commitments=[
                C(
                    owed_by_id=ids["law"],
                    what_en="Investor legal help desk opened",
                    what_zh="开设投资者法律服务窗口",
                    due_on=date(2021, 5, 1),
                    status="fulfilled",
                    fulfilled_on=date(2021, 4, 20),
                ),
                C(
                    owed_by_id=ids["visa"],
                    what_en="Fast-track visa service for 200 investors",
                    what_zh="为200名投资者提供快速签证服务",
                    due_on=date(2021, 12, 31),
                ),
            ],
            external_id="demo-agreement-services",
        ),
        source_dataset="demo",
    )


def load(runtime: Runtime) -> str | None:
    """Demo loader hook (``silkhub serve``): idempotent."""
    with runtime.session() as s:
        return load_into(s)


# -- first-run demo accounts ---------------------------------------------------------------
#: the demo accounts' e-mail addresses (their passwords are generated on first run)
DEMO_ADMIN_EMAIL = "admin@demo.silkhub.org"
DEMO_MEMBER_EMAIL = "member@demo.silkhub.org"
#: the demo organisation the demo member belongs to (an enterprise of the hub demo)
DEMO_MEMBER_ORG = "demo-org-cosco"


def demo_accounts_enabled(runtime: Runtime) -> bool:
    """Demo accounts are made only for a demo install: ``SILKHUB_DEMO`` not ``0`` and an
    embedded SQLite database (a PostgreSQL URL means production: no demo accounts)."""
    if not getattr(runtime.settings, "demo", True):
        return False
    return runtime.engine.dialect.name == "sqlite"


def demo_accounts_exist(session: Session) -> bool:
    """Whether the demo admin account is there (the landing page then says how to sign in)."""
    from silkhub.hub import accounts

    return accounts.find_user(session, DEMO_ADMIN_EMAIL) is not None


def create_demo_accounts(runtime: Runtime) -> list[tuple[str, str, str]] | None:
    """Create the demo admin and the demo member (of the demo organisation) on first run.

    Returns ``[(role, email, password), ...]`` with the generated passwords, to be printed
    once on the terminal: only their argon2 hashes are stored (nowhere else, never in the
    repository). None when the accounts exist already or this is not a demo install
    (:func:`demo_accounts_enabled`).
    """
    import secrets

    from silkhub.data.storage.models.hub import Organisation
    from silkhub.hub import accounts

    if not demo_accounts_enabled(runtime):
        return None
    made: list[tuple[str, str, str]] = []
    with runtime.session() as s:
        if demo_accounts_exist(s):
            return None
        system = Actor.system("demo")
        org_id = s.scalar(
            select(Organisation.id).where(Organisation.external_id == DEMO_MEMBER_ORG)
        )
        for role, email, name, org in (
            ("admin", DEMO_ADMIN_EMAIL, "演示管理员", None),
            ("member", DEMO_MEMBER_EMAIL, "演示成员", org_id),
        ):
            if role == "member" and org is None:
                continue  # the hub demo was not loaded: no organisation to belong to
            password = secrets.token_urlsafe(12)  # 16 characters, ~96 bits
            accounts.create_user(
                s, system, email, password, role=role, organisation_id=org, display_name=name
            )
            made.append((role, email, password))
    return made
