"""Non-interference (issue 18.3 acceptance): what organisation B does privately changes nothing
that a user of organisation A (or an anonymous visitor) sees.

Every list, search, match, total, export and report of the API (every GET of the OpenAPI
document, with its query parameters filled) and every GET page of the web UI (signed in with a
session cookie) is snapshotted as A's member, A's viewer and an anonymous visitor; then B adds
private projects, an event with a signing, agreements, commitments, milestones, offers,
positions, match feedback (enough to re-weight B's scores and hide candidates for B) and
position feedback; the snapshots must be equal (CSRF tokens and last-used timestamps aside).
"""

from __future__ import annotations

import re
import uuid
from datetime import date

from fastapi.testclient import TestClient

from silkhub.hub.policy import Actor
from tests.api._accounts import make_account, make_org, use_fast_hashing
from tests.api.test_probe_cross_org import (
    Victim,
    _normalise,
    _seed_hub,
    _seed_own,
    _web_session,
    build_probes,
    web_probes,
)

SYSTEM = Actor.system()
#: operational answers that move on their own (not data): timings, interpreter counters
_OPERATIONAL = [
    (re.compile(r'"duration_ms":\s*[\d.]+'), '"duration_ms": 0'),
    (re.compile(r"^(python|process)_\w+(\{[^}]*\})? .*$", re.M), ""),
]


def _stable(text: str) -> str:
    text = _normalise(text)
    for pattern, repl in _OPERATIONAL:
        text = pattern.sub(repl, text)
    return text


def _seed_b_private_activity(runtime, org_b: int, b_actor: Actor, others: list[int]) -> None:
    """B's private positions, match feedback and position feedback (after _seed_hub)."""
    from silkhub.hub import matching, talent

    with runtime.session() as s:
        pos = talent.create_position(
            s,
            b_actor,
            talent.PositionIn(organisation_id=org_b, role_en="Secret role", visibility="private"),
        )
        tid = talent.list_profiles(s, b_actor, limit=10)[0].id
        talent.record_feedback(s, b_actor, pos.id, tid, accepted=False)
        for k, cand in enumerate(others):
            matching.record_feedback(
                s,
                b_actor,
                subject_kind="organisation",
                subject_id=org_b,
                candidate_id=cand,
                decision="accept" if k % 2 else "decline",
            )


def test_private_activity_of_b_changes_nothing_a_sees(runtime, monkeypatch) -> None:
    from silkhub.hub import organisations, talent

    use_fast_hashing(monkeypatch)
    org_a = make_org(runtime, "Org A")
    org_b = make_org(runtime, "Org B")  # B's profile is public: its private records are not
    others = [make_org(runtime, f"Partner {k}") for k in range(6)]
    with runtime.session() as s:
        for k, oid in enumerate([org_a, org_b, *others]):
            organisations.add_offer(
                s,
                SYSTEM,
                oid,
                organisations.OfferIn(kind="offer" if k % 2 else "request", title_en="rail"),
            )
        talent.create_profile(
            s,
            SYSTEM,
            talent.TalentIn(name_en="Engineer", visibility="public", consent_on=date(2024, 1, 1)),
        )
    a_member = make_account(runtime, "member@a.cn", "member", org_a)
    a_viewer = make_account(runtime, "viewer@a.cn", "viewer", org_a)
    b_member = make_account(runtime, "member@b.cn", "member", org_b)
    victim = Victim(f"PROBESECRET{uuid.uuid4().hex[:10]}")
    _seed_own(runtime, org_a, a_member, victim)
    with runtime.session() as s:
        a_pos = talent.create_position(
            s, a_member.actor, talent.PositionIn(organisation_id=org_a, role_en="Engineer")
        )
    from silkhub.server import create_app

    app = create_app(runtime=runtime, init=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        spec = client.get("/api/v1/openapi.json").json()
        reads, _ = build_probes(spec, victim)
        api_views = [(p.url, p.kwargs.get("params") or {}) for p in reads]
        api_views += [
            (f"/api/v1/match/organisations/{org_b}", {}),
            (f"/api/v1/match/organisations/{org_a}", {"top": 50}),
            (f"/api/v1/positions/{a_pos.id}/suggestions", {}),
            ("/api/v1/match/weights", {}),
        ]
        #: /metrics: Prometheus counters of the process itself (requests, GC), no hub data
        pages = [
            p.url
            for p in web_probes(client.app, victim)
            if p.method == "get" and p.url != "/metrics"
        ]
        pages += [f"/hub/match?org={org_b}", f"/hub/match?org={org_a}"]
        sessions = {}
        for who, account in (("member of A", a_member), ("viewer of A", a_viewer)):
            client.cookies.clear()
            _web_session(client, account)
            sessions[who] = dict(client.cookies.items())
        client.cookies.clear()
        users = {
            "member of A": a_member.headers,
            "viewer of A": a_viewer.headers,
            "anonymous": {},
        }

        def snapshot(api: bool = True) -> dict[str, tuple[int, str]]:
            out = {}
            for who, headers in users.items():
                for url, params in api_views if api else []:
                    client.cookies.clear()
                    r = client.get(url, params=params, headers=headers)
                    out[f"{who}: GET {url} {params}"] = (r.status_code, _stable(r.text))
                for url in pages:
                    client.cookies.clear()
                    client.cookies.update(sessions.get(who, {}))
                    r = client.get(url)
                    out[f"{who}: page {url}"] = (r.status_code, _stable(r.text))
            client.cookies.clear()
            return out

        snapshot(api=False)  # warm-up: page caches filled on first use are not B's doing
        before = snapshot()
        assert any(v[0] == 200 for k, v in before.items() if "match/organisations" in k)
        _seed_hub(runtime, org_b, b_member, victim)
        assert not victim.seed_errors, victim.seed_errors
        _seed_b_private_activity(runtime, org_b, b_member.actor, [org_a, *others])
        with runtime.session() as s:
            from silkhub.hub import matching

            b_weights = matching.current_weights(s, b_member.actor)
            assert b_weights != matching.current_weights(s, a_member.actor)  # B did learn
        after = snapshot()
    changed = sorted(k for k in before if before[k] != after[k])
    assert not changed, "B's private activity changed what others see:\n" + "\n".join(changed)
