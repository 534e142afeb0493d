"""The country profile: facts and memberships, openness over time (WDI), largest trade
partners (B&R members highlighted) on a bar chart and a map, and "what next" products."""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from silkhub.analytics import complexity
from silkhub.analytics.partners import rank_partners
from silkhub.analytics.registry import preference
from silkhub.data.reference.queries import all_groups, country_memberships, members_as_of
from silkhub.data.storage.models.reference import Country
from silkhub.data.store_reader import StoreReader, missing_hint
from silkhub.errors import SilkhubError
from silkhub.i18n import pick
from silkhub.i18n.format import income_label
from silkhub.report.common import country_labels
from silkhub.report.figures import Figure
from silkhub.report.model import Profile, Section, Translate, source_line
from silkhub.report.openness import openness_figures

logger = logging.getLogger(__name__)


def country_profile(
    session: Session, reader: StoreReader, iso3: str, lang: str, t: Translate, as_of: date
) -> Profile:
    """Openness over time (WDI), B&R partner ranking, trade map, memberships."""
    c = session.get(Country, iso3)
    assert c is not None
    labels = country_labels(session, lang)
    p = Profile(title=pick(c.name_en, c.name_zh, lang), subtitle=iso3)
    facts = Section(id="facts", title=t("profile.facts"))
    facts.facts = [
        (t("field.iso3"), c.iso3),
        (t("field.name_en"), c.name_en),
        (t("field.name_zh"), c.name_zh or "–"),
        (t("field.continent"), t(f"continent.{c.continent or '?'}")),
        (t("field.income"), income_label(c.wb_income, lang)),
    ]
    groups = {g.code: pick(g.name_en, g.name_zh, lang) for g in all_groups(session)}
    for m in country_memberships(session, iso3):
        when = str(m.joined.year) if m.joined_precision == "year" else m.joined.isoformat()
        if m.left:
            when += f" – {m.left.isoformat()}"
        role = "" if m.role == "member" else f" ({t('role.' + m.role)})"
        facts.facts.append((groups.get(m.group_code, m.group_code) + role, when))
    p.sections.append(facts)

    bri = {c2.iso3 for c2, _ in members_as_of(session, "bri", as_of)}
    open_sec = Section(id="openness", title=t("profile.openness"))
    open_sec.figures, hints = openness_figures(session, reader, [(iso3, p.title)], t)
    open_sec.missing.extend(hints)
    p.sections.append(open_sec)

    trade = Section(id="partners", title=t("profile.partners"))
    df, year, ds = partner_ranking(session, reader, iso3, lang)
    if df.empty:
        trade.missing.append(missing_hint("trade"))
    else:
        src = source_line(ds, reader.info(ds))
        names = [labels.get(x, x) for x in df.partner]
        trade.figures.append(
            Figure(
                id="partners-bar",
                kind="bar",
                title=t("fig.partners", year=year),
                items=[(n, float(v)) for n, v in zip(names, df.total_usd, strict=True)],
                highlight=[labels.get(x, x) for x in df.partner if x in bri],
                sources=[src],
                note=t("note.bri_highlight"),
            )
        )
        trade.figures.append(
            Figure(
                id="partners-map",
                kind="map",
                title=t("fig.trade_map", year=year),
                values={x: float(v) for x, v in zip(df.partner, df.total_usd, strict=True)},
                labels=labels,
                sources=[src],
            )
        )
    p.sections.append(trade)

    nxt = Section(id="what-next", title=t("profile.what_next"))
    fig, hint = what_next_figure(session, reader, iso3, t)
    if fig is None:
        nxt.missing.append(hint or missing_hint("trade"))
    else:
        nxt.figures.append(fig)
    p.sections.append(nxt)
    return p


def partner_ranking(
    session: Session, reader: StoreReader, iso3: str, lang: str, top: int = 15
) -> tuple[pd.DataFrame, int | None, str]:
    """Largest partners of ``iso3`` in the latest year it trades: ``partner, exports_usd,
    imports_usd, total_usd`` (analytics ranking service); that year; the dataset."""
    ds = reader.trade_dataset()
    if ds is None:
        return pd.DataFrame(), None, ""
    year = reader.latest_trade_year(ds, iso3)
    if year is None:
        return pd.DataFrame(), None, ds
    try:
        r = rank_partners(
            reader.connection(), session, dataset=ds, reporter=iso3, year=year, top=top, lang=lang
        )
    except SilkhubError as exc:
        logger.info("no partner ranking for %s: %s", iso3, exc.message)
        return pd.DataFrame(), None, ds
    return r.rows, year, ds


def what_next_figure(
    session: Session, reader: StoreReader, iso3: str, t: Translate
) -> tuple[Figure | None, str | None]:
    """Products ``iso3`` does not export competitively yet, by complexity outlook gain (COG),
    from the analytics complexity service, over the first dataset of the registry's
    preference for the question ``products`` that gives an answer."""
    for ds in dict.fromkeys([*preference("products"), reader.trade_dataset()]):
        if not ds or not reader.has(ds):
            continue
        yrs = reader.years(ds)
        if yrs is None:
            continue
        try:
            # once per dataset version, bounded, shared on disk by every worker (issue 19)
            res = complexity.cached(
                reader.analytics_dir, ds, yrs[1], con=reader.connection(), auto_level=True
            )
            df = complexity.what_next(res, session, iso3, top=12)
        except SilkhubError as exc:
            logger.info("no what-next for %s in %s: %s", iso3, ds, exc.message)
            continue
        if df.empty:
            continue
        return (
            Figure(
                id="what-next",
                kind="bar",
                title=t("fig.what_next", year=yrs[1]),
                items=[(str(r.product), round(float(r.cog), 3)) for r in df.itertuples()],
                sources=[
                    source_line(ds, reader.info(ds)),
                    "silkhub.analytics.complexity (Hidalgo–Hausmann; ecomplexity conventions)",
                ],
                note=t("note.what_next"),
            ),
            None,
        )
    return None, missing_hint("trade")
