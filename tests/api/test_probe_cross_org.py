"""Cross-organisation probe: users of organisation A try EVERY API endpoint on organisation B's
private records. Zero reads and zero writes may succeed.

The endpoints are enumerated from the OpenAPI document, so a new router is probed as soon as it
is mounted. Path parameters are filled with the ids of B's private records by their name
(``project_id`` -> B's project, ``org_id`` -> B's organisation ...; an unknown integer parameter
gets every id of B's records), request bodies are built from the request schema (fields that
name a record kind get B's ids) and, for updates, from B's own view of the record.

A read succeeds when a 2xx answer is for a path naming one of B's records, or when any answer
contains the marker text stored in B's private records. A write succeeds when a 2xx answer is
for a request naming one of B's records. Afterwards B's records must be unchanged (as B sees
them) and the audit log must hold no change by A's users to B's records.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from silkhub.data.storage.models.accounts import AuditEntry
from silkhub.hub import accounts
from silkhub.hub.policy import Actor
from tests.api._accounts import Account, make_account, make_org, use_fast_hashing

SYSTEM = Actor.system()
WRITE_METHODS = ("post", "put", "patch", "delete")
#: path-parameter / body-field name fragments -> record kind (first match wins)
KIND_HINTS: list[tuple[str, str]] = [
    ("milestone", "milestone"),
    ("commitment", "commitment"),
    ("agreement", "agreement"),
    ("event", "event"),
    ("project", "project"),
    ("offer", "offer"),
    ("request", "offer"),
    ("token", "token"),
    ("user", "user"),
    ("parties", "organisation"),
    ("owed_by", "organisation"),
    ("owed_to", "organisation"),
    ("party", "organisation"),
    ("organiser", "organisation"),
    ("organisation", "organisation"),
    ("organization", "organisation"),
    ("org", "organisation"),
    ("subject", "organisation"),
    ("candidate", "organisation"),
]
#: endpoints that are about the caller's own session, never about another organisation
OWN_SESSION_PATHS = {"/api/v1/auth/login", "/api/v1/auth/logout"}


#: a field description that lists its valid values ("mou, framework or contract")
_CHOICES = re.compile(r"^([a-z_&]+)(?:, [a-z_&]+)*(?:,? or [a-z_&]+)?$")


def kind_of(name: str) -> str | None:
    low = name.lower()
    for fragment, kind in KIND_HINTS:
        if fragment in low:
            return kind
    return None


@dataclass
class Victim:
    """Organisation B's private records: kind -> ids, plus the marker text they contain."""

    marker: str
    ids: dict[str, list[int]] = field(default_factory=dict)
    identifiers: list[str] = field(default_factory=list)
    seed_errors: list[str] = field(default_factory=list)
    #: the attacker's own records: targets for writes whose body names B's records
    own: dict[str, list[int]] = field(default_factory=dict)

    #: digits of the private project's value: a leak through totals and aggregates shows it
    amount_digits: str = "987654321"

    def shows(self, text: str) -> bool:
        """Does ``text`` contain B's private text or B's private amount?"""
        return self.marker in text or self.amount_digits in text.replace(",", "")

    def add(self, kind: str, ident: int) -> None:
        self.ids.setdefault(kind, []).append(ident)

    def all_ids(self) -> list[int]:
        return sorted({i for ids in self.ids.values() for i in ids})


def _seed_hub(runtime, org_b: int, b_user: Account, victim: Victim) -> None:
    """Create B's private records through the hub services (those that exist)."""
    m = victim.marker
    owner = b_user.actor
    with runtime.session() as s:
        try:
            from silkhub.hub import organisations as orgs

            hidden = orgs.create_organisation(
                s,
                SYSTEM,
                orgs.OrganisationIn(kind="soe", name_en=f"{m} hidden org", visibility="private"),
            )
            victim.add("organisation", hidden.id)
            offer = orgs.add_offer(
                s,
                owner,
                org_b,
                orgs.OfferIn(kind="request", title_en=f"{m} offer", visibility="private"),
            )
            victim.add("offer", offer.id)
        except ImportError as exc:
            victim.seed_errors.append(f"organisations: {exc}")
        try:
            from silkhub.hub import projects

            p = projects.create_project(
                s,
                owner,
                projects.ProjectIn(
                    title_en=f"{m} project",
                    title_zh=f"{m} 项目",
                    value_amount=Decimal("987654321.12"),
                    value_currency="CNY",
                    value_year=2020,
                    parties=[projects.PartyIn(organisation_id=org_b, role="owner")],
                    visibility="private",
                ),
            )
            victim.add("project", p.id)
            if getattr(p, "identifier", None):
                victim.identifiers.append(p.identifier)
        except ImportError as exc:
            victim.seed_errors.append(f"projects: {exc}")
        try:
            from silkhub.hub import events

            e = events.create_event(
                s,
                owner,
                events.EventIn(
                    kind=events.EVENT_KINDS[0],
                    title_en=f"{m} event",
                    start_on=date(2021, 5, 1),
                    organiser_ids=[org_b],
                    visibility="private",
                ),
            )
            victim.add("event", e.id)
            if victim.ids.get("project"):
                events.link_project(
                    s,
                    owner,
                    e.id,
                    events.EventProjectIn(
                        project_id=victim.ids["project"][0],
                        kind="signed",
                        amount=Decimal("42.7"),
                        currency="CNY",
                        note=f"{m} signing",
                    ),
                )
        except ImportError as exc:
            victim.seed_errors.append(f"events: {exc}")
        try:
            from silkhub.hub import agreements as agr

            a = agr.create_agreement(
                s,
                owner,
                agr.AgreementIn(
                    kind="mou",
                    title_en=f"{m} agreement",
                    party_ids=[org_b],
                    commitments=[
                        agr.CommitmentIn(
                            owed_by_id=org_b,
                            what_en=f"{m} commitment",
                            amount=Decimal("1000"),
                            currency="CNY",
                            due_on=date(2030, 1, 1),
                        )
                    ],
                    visibility="private",
                ),
            )
            victim.add("agreement", a.id)
            for c in a.commitments:
                victim.add("commitment", c.id)
                ms = agr.add_milestone(
                    s, owner, c.id, agr.MilestoneIn(title_en=f"{m} milestone", evidence=m)
                )
                victim.add("milestone", ms.id)
        except ImportError as exc:
            victim.seed_errors.append(f"agreements: {exc}")


def _seed_own(runtime, org_a: int, a_user: Account, victim: Victim) -> None:
    """A's own public project, event and agreement: A may write them, but must not be able
    to link B's private records into them."""
    me = a_user.actor
    victim.own["organisation"] = [org_a]
    with runtime.session() as s:
        try:
            from silkhub.hub import agreements as agr
            from silkhub.hub import events, projects

            p = projects.create_project(
                s,
                me,
                projects.ProjectIn(
                    title_en="A's project",
                    parties=[projects.PartyIn(organisation_id=org_a, role="owner")],
                ),
            )
            e = events.create_event(
                s,
                me,
                events.EventIn(
                    kind=events.EVENT_KINDS[0],
                    title_en="A's event",
                    start_on=date(2021, 6, 1),
                    organiser_ids=[org_a],
                ),
            )
            a = agr.create_agreement(
                s, me, agr.AgreementIn(kind="mou", title_en="A's MoU", party_ids=[org_a])
            )
            victim.own.update({"project": [p.id], "event": [e.id], "agreement": [a.id]})
        except ImportError as exc:
            victim.seed_errors.append(f"own records: {exc}")


@dataclass
class World:
    a_member: Account
    a_viewer: Account
    b_member: Account
    operator: Account  # hub staff: must not see "private" records either (docs/security.md)
    org_a: int
    org_b: int
    victim: Victim


@pytest.fixture
def world(runtime, monkeypatch) -> World:
    use_fast_hashing(monkeypatch)
    marker = f"PROBESECRET{uuid.uuid4().hex[:10]}"
    org_a = make_org(runtime, "Org A")
    org_b = make_org(runtime, f"Org B {marker}")
    with runtime.session() as s:  # B's organisation profile itself is private
        from silkhub.data.storage.models.hub import Organisation

        s.get(Organisation, org_b).visibility = "private"
    a_member = make_account(runtime, "member@a.cn", "member", org_a)
    a_viewer = make_account(runtime, "viewer@a.cn", "viewer", org_a)
    b_member = make_account(runtime, "member@b.cn", "member", org_b)
    operator = make_account(runtime, "operator@hub.cn", "operator", None)
    victim = Victim(marker)
    victim.add("organisation", org_b)
    victim.add("user", b_member.user_id)
    with runtime.session() as s:
        for t in accounts.list_tokens(s, SYSTEM, b_member.user_id):
            victim.add("token", t.id)
        tok, _secret = accounts.create_token(s, b_member.actor, b_member.user_id, "ci")
        victim.add("token", tok.id)
    _seed_hub(runtime, org_b, b_member, victim)
    _seed_own(runtime, org_a, a_member, victim)
    return World(a_member, a_viewer, b_member, operator, org_a, org_b, victim)


# --- building requests from the OpenAPI document ------------------------------------------


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 20:
        parts = schema["$ref"].lstrip("#/").split("/")
        target: Any = spec
        for p in parts:
            target = target[p]
        schema = target
        seen += 1
    return schema or {}


def synth(schema: dict[str, Any], spec: dict, hint: str, victim: Victim, depth: int = 0) -> Any:
    """A plausible value for ``schema``; fields that name a record kind get B's ids."""
    schema = _resolve(schema, spec)
    if depth > 6:
        return None
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if _resolve(o, spec).get("type") != "null"]
            return synth(options[0], spec, hint, victim, depth + 1) if options else None
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(_resolve(part, spec))
        schema = merged
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    typ = schema.get("type")
    kind = kind_of(hint)
    if typ == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        out = {}
        for name, sub in props.items():
            if name in required or kind_of(name) or name in ("visibility", "title_en", "name_en"):
                out[name] = synth(sub, spec, name, victim, depth + 1)
        return out
    if typ == "array":
        items = schema.get("items", {})
        if kind or schema.get("minItems", 0) > 0:
            return [synth(items, spec, hint, victim, depth + 1)]
        return []
    if typ == "integer":
        if kind and victim.ids.get(kind):
            return victim.ids[kind][0]
        return max(int(schema.get("minimum", 1)), 1)
    if typ == "number":
        return float(schema.get("minimum", 1.0))
    if typ == "boolean":
        return False
    if typ == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return "2021-01-01"
        if fmt == "date-time":
            return "2021-01-01T00:00:00Z"
        low = hint.lower()
        choice = _CHOICES.match(schema.get("description", "") or "")
        if choice and low != "visibility":
            return choice.group(1)  # "announced or signed" -> "announced"
        if low == "visibility":
            return "public"
        if "currency" in low:
            return "CNY"
        if low in ("iso3", "country") or "country" in low:
            return "KAZ"
        if "email" in low:
            return "probe@a.cn"
        if "identifier" in low and victim.identifiers:
            return victim.identifiers[0]
        if low in ("role",):
            return "owner"
        return "PWNED by A"
    return None


@dataclass
class Probe:
    method: str
    path: str  # template
    url: str
    names_victim: bool  # the request names one of B's records
    kwargs: dict[str, Any]


def _path_fillings(op: dict, spec: dict, victim: Victim) -> Iterator[tuple[dict[str, str], bool]]:
    """Every combination of values for the path parameters; flag: names a record of B."""
    params = [
        _resolve(p, spec) for p in op.get("parameters", []) if _resolve(p, spec).get("in") == "path"
    ]
    if not params:
        yield {}, False
        return
    choices: list[list[tuple[str, bool]]] = []
    for p in params:
        name = p["name"]
        typ = _resolve(p.get("schema", {}), spec).get("type", "string")
        kind = kind_of(name)
        if kind and victim.ids.get(kind):
            mine = [(str(i), False) for i in victim.own.get(kind, [])]
            choices.append([(str(i), True) for i in victim.ids[kind]] + mine)
        elif typ == "integer":
            choices.append([(str(i), False) for i in victim.all_ids()] or [("1", False)])
        elif "identifier" in name.lower() and victim.identifiers:
            choices.append([(i, True) for i in victim.identifiers])
        else:
            choices.append([("KAZ", False)])
    for combo in itertools.product(*choices):
        yield (
            {p["name"]: v for p, (v, _) in zip(params, combo, strict=True)},
            any(flag for _, flag in combo),
        )


def _query(op: dict, spec: dict, victim: Victim) -> dict[str, Any]:
    q: dict[str, Any] = {}
    for raw in op.get("parameters", []):
        p = _resolve(raw, spec)
        if p.get("in") != "query":
            continue
        name = p["name"]
        if name in ("q", "search", "text"):
            q[name] = victim.marker
        elif name in ("visibility",):
            q[name] = "private"
        elif (kind := kind_of(name)) and victim.ids.get(kind):
            q[name] = victim.ids[kind][0]  # filter on B's record: must show nothing private
        elif p.get("required"):
            q[name] = synth(p.get("schema", {}), spec, name, victim)
    return q


def _body_schema(op: dict, spec: dict) -> dict[str, Any] | None:
    content = op.get("requestBody", {}).get("content", {})
    for ctype in ("application/json", "application/x-www-form-urlencoded", "multipart/form-data"):
        if ctype in content:
            return _resolve(content[ctype].get("schema", {}), spec)
    return None


def build_probes(spec: dict, victim: Victim) -> tuple[list[Probe], list[Probe]]:
    reads: list[Probe] = []
    writes: list[Probe] = []
    for path, item in spec["paths"].items():
        if path in OWN_SESSION_PATHS:
            continue
        for method, op in item.items():
            if method not in ("get", *WRITE_METHODS):
                continue
            query = _query(op, spec, victim)
            body_schema = _body_schema(op, spec)
            for values, names_victim in _path_fillings(op, spec, victim):
                url = path
                for k, v in values.items():
                    url = url.replace("{" + k + "}", v)
                if method == "get":
                    reads.append(Probe(method, path, url, names_victim, {"params": query}))
                    continue
                kwargs: dict[str, Any] = {"params": query}
                body = None
                if body_schema is not None:
                    body = synth(body_schema, spec, "", victim)
                    kwargs["json"] = body
                body_names_victim = _mentions_victim(body, victim)
                if not (names_victim or body_names_victim):
                    continue  # not about B: nothing to probe
                writes.append(Probe(method, path, url, True, kwargs))
                if names_victim and body_schema is not None and method in ("put", "patch"):
                    writes.append(Probe(method, path, url, True, {"params": query, "json": {}}))
    return reads, writes


def _mentions_victim(body: Any, victim: Victim, key: str = "") -> bool:
    """Does a synthesised body reference one of B's records (a kind-named field with B's id)?"""
    if isinstance(body, dict):
        return any(_mentions_victim(v, victim, k) for k, v in body.items())
    if isinstance(body, list):
        return any(_mentions_victim(v, victim, key) for v in body)
    kind = kind_of(key) if key else None
    return bool(kind and isinstance(body, int) and body in victim.ids.get(kind, []))


# --- the probe ---------------------------------------------------------------------------


def _victim_views(client, spec: dict, world: World) -> dict[str, tuple[int, str]]:
    """What B sees of each of its records (GET endpoints naming only B's records)."""
    views = {}
    reads, _ = build_probes(spec, world.victim)
    for p in reads:
        if p.names_victim and not p.kwargs["params"]:
            r = client.get(p.url, headers=world.b_member.headers)
            views[p.url] = (r.status_code, _stable(r.text))
    return views


def _stable(text: str) -> str:
    """Response text without volatile timestamps (last_used_at of tokens ...)."""
    return re.sub(r'"last_used_at":\s*"[^"]*"', '"last_used_at": null', text)


def test_probe_finds_endpoints_and_seeds(client, world) -> None:
    """The probe itself works: it sees the hub's records and B can read them."""
    spec = client.get("/api/v1/openapi.json").json()
    assert not world.victim.seed_errors, world.victim.seed_errors
    reads, writes = build_probes(spec, world.victim)
    assert any(p.path.startswith("/api/v1/auth/tokens/") for p in writes)
    assert any(p.names_victim for p in reads) or not any("{" in p for p in spec["paths"])
    r = client.get(f"/api/v1/auth/users/{world.b_member.user_id}", headers=world.b_member.headers)
    assert r.status_code == 200


def test_zero_cross_org_reads_or_writes(client, world) -> None:
    _probe(
        client,
        world,
        {
            "member of A": world.a_member.headers,
            "viewer of A": world.a_viewer.headers,
            "anonymous": {},
        },
    )


#: hub staff may read user accounts (role, not ownership): not a private record for them
STAFF_READABLE = ("/api/v1/auth/users",)


def test_hub_operator_cannot_reach_private_records(client, world) -> None:
    """Operators run the hub but "private" records are not theirs (docs/security.md)."""
    _probe(client, world, {"hub operator": world.operator.headers}, skip=STAFF_READABLE)


def _probe(client, world, attackers: dict[str, dict[str, str]], skip: tuple[str, ...] = ()):
    spec = client.get("/api/v1/openapi.json").json()
    victim = world.victim
    reads, writes = build_probes(spec, victim)
    reads = [p for p in reads if not p.path.startswith(skip)]
    writes = [p for p in writes if not p.path.startswith(skip)]
    before_views = _victim_views(client, spec, world)
    leaks: list[str] = []
    errors: list[str] = []
    for who, headers in attackers.items():
        for p in reads:
            r = client.get(p.url, headers=headers, **p.kwargs)
            if r.status_code >= 500:
                errors.append(f"{who}: GET {p.url} -> {r.status_code}")
            elif p.names_victim and 200 <= r.status_code < 300:
                leaks.append(f"{who}: GET {p.url} -> {r.status_code} (B's private record)")
            elif victim.shows(r.text):
                leaks.append(f"{who}: GET {p.url} -> {r.status_code} shows B's private data")
        for p in writes:
            r = client.request(p.method.upper(), p.url, headers=headers, **p.kwargs)
            if r.status_code >= 500:
                errors.append(f"{who}: {p.method.upper()} {p.url} -> {r.status_code}")
            elif 200 <= r.status_code < 300:
                body = json.dumps(p.kwargs.get("json"))[:200]
                leaks.append(f"{who}: {p.method.upper()} {p.url} {body} -> {r.status_code}")
            elif victim.shows(r.text):
                leaks.append(f"{who}: {p.method.upper()} {p.url} error shows B's private data")
    assert not leaks, "cross-organisation access succeeded:\n" + "\n".join(leaks)
    assert not errors, "server errors while probing:\n" + "\n".join(errors)
    # B's records are exactly as before, and nobody from A changed one of them
    assert _victim_views(client, spec, world) == before_views
    with client.app.state.runtime.session() as s:
        a_users = [world.a_member.user_id, world.a_viewer.user_id, world.operator.user_id]
        entries = s.scalars(select(AuditEntry).where(AuditEntry.actor_user_id.in_(a_users))).all()
        touched = [
            f"{e.action} {e.entity} {e.entity_id}"
            for e in entries
            if (kind := kind_of(e.entity))
            and e.entity_id in {str(i) for i in victim.ids.get(kind, [])}
        ]
        assert not touched, touched


def test_private_record_404_is_indistinguishable_from_missing(client, world) -> None:
    """For item endpoints, B's private id and a non-existent id answer alike (404, not 403)."""
    spec = client.get("/api/v1/openapi.json").json()
    reads, _ = build_probes(spec, world.victim)
    missing = "987654"
    checked = 0
    for p in reads:
        if not p.names_victim or p.kwargs["params"] or p.path.startswith("/api/v1/auth/users"):
            continue  # /auth/users is staff-only: 403 by role for everyone, not by ownership
        r = client.get(p.url, headers=world.a_member.headers)
        ghost_url = re.sub(r"/\d+(?=/|$)", "/" + missing, p.url)
        ghost = client.get(ghost_url, headers=world.a_member.headers)
        assert r.status_code == ghost.status_code, (p.url, r.status_code, ghost.status_code)
        if r.status_code == 404:
            assert world.victim.marker not in r.text
        checked += 1
    assert checked >= 0


def test_probe_would_catch_a_leak(client, world) -> None:
    """Sanity check of the detector: B itself passes every check the attackers fail."""
    spec = client.get("/api/v1/openapi.json").json()
    reads, _ = build_probes(spec, world.victim)
    ok = [
        p.url
        for p in reads
        if p.names_victim
        and not p.kwargs["params"]
        and 200 <= client.get(p.url, headers=world.b_member.headers).status_code < 300
    ]
    assert ok, "B could not read any of its own records: the probe would prove nothing"


# --- the web pages (not in the OpenAPI document) ----------------------------------------

_PARAM = re.compile(r"{(\w+)(?::\w+)?}")
_NOT_PAGES = ("/api/", "/static", "/health")


def _routes(routes) -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route, through FastAPI's included-router wrappers."""
    for r in routes:
        if hasattr(r, "effective_candidates"):
            yield from _routes(r.effective_candidates())
            continue
        original = getattr(r, "original_route", r)
        if hasattr(r, "routes") and not hasattr(original, "methods"):
            continue  # a mounted app (static files)
        path = getattr(r, "path", "") or getattr(original, "path", "")
        yield path, set(getattr(original, "methods", None) or ())


def web_probes(app, victim: Victim) -> list[Probe]:
    """GET and POST page routes of the web UI, filled like the API paths."""
    out: list[Probe] = []
    for path, methods in _routes(app.routes):
        if not path or path.startswith(_NOT_PAGES) or path.endswith(("/docs", ".json")):
            continue
        names = _PARAM.findall(path)
        op = {
            "parameters": [
                {
                    "in": "path",
                    "name": n,
                    "schema": {"type": "integer" if n.endswith("id") else "string"},
                }
                for n in names
            ]
        }
        template = _PARAM.sub(lambda m: "{" + m.group(1) + "}", path)
        for method in sorted(m.lower() for m in methods if m in ("GET", "POST")):
            for values, names_victim in _path_fillings(op, {}, victim):
                url = template
                for k, v in values.items():
                    url = url.replace("{" + k + "}", v)
                if method == "post" and not names_victim:
                    continue
                out.append(Probe(method, template, url, names_victim, {}))
    return out


def _web_session(client, account: Account) -> dict[str, str]:
    """Sign ``account`` in for the web (session + CSRF cookies); returns form fields."""
    from silkhub.security import csrf

    rt = client.app.state.runtime
    key = rt.settings.ensure_secret_key()
    with rt.session() as s:
        from silkhub.data.storage.models.accounts import User

        secret = accounts.start_session(s, s.get(User, account.user_id))
    cookie = accounts.sign_session(key, secret)
    nonce = uuid.uuid4().hex
    client.cookies.set(csrf.SESSION_COOKIE, cookie)
    client.cookies.set(csrf.CSRF_COOKIE, nonce)
    return {"csrf_token": csrf.make_token(key, nonce, cookie)}


def test_zero_cross_org_reads_or_writes_in_web_pages(client, world) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    victim = world.victim
    probes = web_probes(client.app, victim)
    assert any(p.names_victim for p in probes) or not any("{" in p.path for p in probes)
    before_views = _victim_views(client, spec, world)
    form = _web_session(client, world.a_member)
    fields = {**form, "to": "signed", "note": "PWNED by A", "role": "admin", "active": "0"}
    leaks: list[str] = []
    errors: list[str] = []
    for p in probes:
        if p.method == "get":
            r = client.get(p.url, follow_redirects=False)
        else:
            r = client.post(p.url, data=fields, follow_redirects=False)
        if r.status_code >= 500:
            errors.append(f"{p.method.upper()} {p.url} -> {r.status_code}")
        elif p.names_victim and r.status_code < 400:
            leaks.append(f"{p.method.upper()} {p.url} -> {r.status_code} (B's private record)")
        elif victim.shows(r.text):
            leaks.append(f"{p.method.upper()} {p.url} -> {r.status_code} shows B's private data")
    client.cookies.clear()
    assert not leaks, "cross-organisation access in the web UI:\n" + "\n".join(leaks)
    assert not errors, "server errors while probing the web UI:\n" + "\n".join(errors)
    assert _victim_views(client, spec, world) == before_views


# --- non-interference: B's private records change nothing that A sees ---------------------

_VOLATILE = [
    (re.compile(r'name="csrf_token"\s+value="[^"]*"'), 'name="csrf_token" value=""'),
    (re.compile(r'"last_used_at":\s*"[^"]*"'), '"last_used_at": null'),
    (re.compile(r'"last_login_at":\s*"[^"]*"'), '"last_login_at": null'),
]


def _normalise(text: str) -> str:
    for pattern, repl in _VOLATILE:
        text = pattern.sub(repl, text)
    return text


# (the before/after snapshot test is tests/api/test_non_interference.py)


# --- issue 19, defects 2-4: writes that touch another organisation's *visible* records -------


@dataclass
class Neighbours:
    a_member: Account
    a_viewer: Account
    b_member: Account
    org_a: int
    org_b: int
    hidden_org: int  # private organisation of B's world
    b_project: int  # B's public project, proposed
    demo_project: int  # a public project without parties (demo data), announced
    a_event: int
    b_position: int


@pytest.fixture
def neighbours(runtime, monkeypatch) -> Neighbours:
    from silkhub.hub import events, organisations, projects, talent

    use_fast_hashing(monkeypatch)
    org_a = make_org(runtime, "Org A")
    org_b = make_org(runtime, "Org B")
    a_member = make_account(runtime, "member@a.cn", "member", org_a)
    a_viewer = make_account(runtime, "viewer@a.cn", "viewer", org_a)
    b_member = make_account(runtime, "member@b.cn", "member", org_b)
    with runtime.session() as s:
        hidden = organisations.create_organisation(
            s,
            SYSTEM,
            organisations.OrganisationIn(
                kind="soe", name_en="HIDDENORGNAME Ltd", visibility="private"
            ),
        )
        bp = projects.create_project(
            s,
            b_member.actor,
            projects.ProjectIn(
                title_en="B's public port",
                parties=[projects.PartyIn(organisation_id=org_b, role="owner")],
            ),
        )
        demo = projects.create_project(
            s,
            SYSTEM,
            projects.ProjectIn(title_en="Demo park", stage="announced", stage_on=date(2020, 1, 1)),
        )
        ev = events.create_event(
            s,
            a_member.actor,
            events.EventIn(
                kind="conference",
                title_en="A's conference",
                start_on=date(2024, 5, 1),
                organiser_ids=[org_a],
            ),
        )
        pos = talent.create_position(
            s,
            b_member.actor,
            talent.PositionIn(organisation_id=org_b, role_en="Port engineer", visibility="public"),
        )
        return Neighbours(
            a_member, a_viewer, b_member, org_a, org_b, hidden.id, bp.id, demo.id, ev.id, pos.id
        )


def _stage(runtime, project_id: int) -> str:
    from silkhub.data.storage.models.hub import Project

    with runtime.session() as s:
        return s.get(Project, project_id).stage


def _audit_count(runtime, action: str) -> int:
    with runtime.session() as s:
        return len(s.scalars(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_event_link_of_another_orgs_project_is_refused(client, runtime, neighbours) -> None:
    """Defect 2: linking B's public project (or a demo project owned by nobody) to A's event
    is a write on the project: 403, no link, no stage change."""
    n = neighbours
    for pid, kind, stage in (
        (n.b_project, "announced", "proposed"),
        (n.demo_project, "signed", "announced"),
    ):
        for who in (n.a_member, n.a_viewer):
            r = client.post(
                f"/api/v1/events/{n.a_event}/projects",
                json={"project_id": pid, "kind": kind},
                headers=who.headers,
            )
            assert r.status_code == 403, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
        assert _stage(runtime, pid) == stage
    assert client.get(f"/api/v1/events/{n.a_event}/projects").json() == []
    # B itself may record its project at A's event?  No: the event is A's (403 too)
    r = client.post(
        f"/api/v1/events/{n.a_event}/projects",
        json={"project_id": n.b_project, "kind": "announced"},
        headers=n.b_member.headers,
    )
    assert r.status_code == 403
    assert _stage(runtime, n.b_project) == "proposed"


def _programme(org_id: int) -> dict[str, Any]:
    return {
        "slots": [
            {"starts_at": "2024-05-01T09:00:00Z", "ends_at": "2024-05-01T09:30:00Z"},
            {"starts_at": "2024-05-01T09:30:00Z", "ends_at": "2024-05-01T10:00:00Z"},
        ],
        "tables": ["T1"],
        "participants": [
            {"name": "Alice of A", "organisation_id": None},
            {"name": "Guest", "organisation_id": org_id},
        ],
        "requests": [{"requester": 0, "target": 1}],
    }


def test_programme_private_org_answers_like_unknown(client, runtime, neighbours) -> None:
    """Defect 3: a private organisation as participant gives the same 422 as an unknown id,
    and an agenda never names an organisation the viewer may not read."""
    n = neighbours
    url = f"/api/v1/events/{n.a_event}/programme"
    hidden = client.put(url, json=_programme(n.hidden_org), headers=n.a_member.headers)
    ghost = client.put(url, json=_programme(987654), headers=n.a_member.headers)
    assert hidden.status_code == ghost.status_code == 422, (hidden.text, ghost.text)
    norm = [
        r.json()["detail"].replace(str(i), "ID")
        for r, i in ((hidden, n.hidden_org), (ghost, 987654))
    ]
    assert norm[0] == norm[1]
    assert "HIDDENORGNAME" not in hidden.text
    # staff load it (they may), then A's organiser reads the agenda: no private name
    with runtime.session() as s:
        from silkhub.hub import scheduling

        scheduling.load_programme(
            s, SYSTEM, n.a_event, scheduling.ProgrammeIn.model_validate(_programme(n.hidden_org))
        )
        scheduling.schedule_event(s, SYSTEM, n.a_event, time_limit_s=5)
        people = scheduling.participants(s, SYSTEM, n.a_event)
    me = people[0].id
    for suffix in ("agenda.html", "agenda.ics"):
        r = client.get(
            f"/api/v1/events/{n.a_event}/participants/{me}/{suffix}", headers=n.a_member.headers
        )
        assert r.status_code == 200
        assert "Guest" in r.text
        assert "HIDDENORGNAME" not in r.text
    r = client.get(f"/hub/meetings/{n.a_event}/{me}.ics", headers=n.a_member.headers)
    assert r.status_code == 200 and "HIDDENORGNAME" not in r.text
    assert _audit_count(runtime, "event.programme") == 1
    assert _audit_count(runtime, "event.schedule") == 1


def test_match_feedback_only_by_the_subjects_organisation(client, runtime, neighbours) -> None:
    """Defect 4: A's member and viewer cannot decide for B (403), nothing is hidden or
    re-weighted for B; A's own decisions hide and re-weight only for A; all audited."""
    n = neighbours
    for subject_kind, sid in (("organisation", n.org_b), ("project", n.b_project)):
        for who in (n.a_member, n.a_viewer):
            r = client.post(
                "/api/v1/match/feedback",
                json={
                    "subject_kind": subject_kind,
                    "subject_id": sid,
                    "candidate_id": n.org_a,
                    "decision": "decline",
                },
                headers=who.headers,
            )
            assert r.status_code == 403, r.text
    r = client.post(
        "/api/v1/match/feedback",
        json={"subject_kind": "organisation", "subject_id": n.org_b, "candidate_id": n.org_a,
              "decision": "decline"},
    )  # fmt: skip
    assert r.status_code == 401
    b_sees = client.get(f"/api/v1/match/organisations/{n.org_b}", headers=n.b_member.headers)
    assert n.org_a in [x["id"] for x in b_sees.json()]
    # A declines B for itself: hidden for A, still suggested to B looking at A's suggestions
    r = client.post(
        "/api/v1/match/feedback",
        json={"subject_kind": "organisation", "subject_id": n.org_a, "candidate_id": n.org_b,
              "decision": "decline"},
        headers=n.a_member.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    a_view = client.get(f"/api/v1/match/organisations/{n.org_a}", headers=n.a_member.headers)
    b_view = client.get(f"/api/v1/match/organisations/{n.org_a}", headers=n.b_member.headers)
    assert n.org_b not in [x["id"] for x in a_view.json()]
    assert n.org_b in [x["id"] for x in b_view.json()]
    assert _audit_count(runtime, "match.feedback") == 1
    # weights: A's feedback never moves B's (nor anonymous) weights
    from silkhub.data.storage.models.matching import MatchFeedback

    with runtime.session() as s:
        for k in range(6):
            s.add(
                MatchFeedback(
                    subject_kind="organisation", subject_id=n.org_a, candidate_kind="organisation",
                    candidate_id=1000 + k, decision="accept" if k % 2 else "decline",
                    parts={"sector": float(k % 2), "text": 1.0 - k % 2},
                    organisation_id=n.org_a,
                )
            )  # fmt: skip
    # the web page offers accept/decline only where the user may decide
    _web_session(client, n.a_member)
    assert 'action="/hub/match/feedback"' not in client.get(f"/hub/match?org={n.org_b}").text
    client.cookies.clear()
    _web_session(client, n.b_member)
    assert 'action="/hub/match/feedback"' in client.get(f"/hub/match?org={n.org_b}").text
    client.cookies.clear()
    default = client.get("/api/v1/match/weights").json()
    assert client.get("/api/v1/match/weights", headers=n.b_member.headers).json() == default
    assert client.get("/api/v1/match/weights", headers=n.a_viewer.headers).json() != default


def test_position_feedback_only_by_the_positions_organisation(client, runtime, neighbours):
    """Position feedback: A cannot decide on B's position; B's feedback is audited and
    re-weights only B's positions."""
    from silkhub.hub import talent

    n = neighbours
    with runtime.session() as s:
        prof = talent.create_profile(
            s,
            SYSTEM,
            talent.TalentIn(name_en="Engineer", visibility="public", consent_on=date(2024, 1, 1)),
        )
        tid = prof.id
    url = f"/api/v1/positions/{n.b_position}/feedback"
    for who in (n.a_member, n.a_viewer):
        r = client.post(url, json={"talent_id": tid, "accepted": False}, headers=who.headers)
        assert r.status_code in (403, 404), r.text
    assert _audit_count(runtime, "position.feedback") == 0
    r = client.post(url, json={"talent_id": tid, "accepted": True}, headers=n.b_member.headers)
    assert r.status_code == 201, r.text
    assert _audit_count(runtime, "position.feedback") == 1
    with runtime.session() as s:
        from silkhub.data.storage.models.talent import TalentFeedback

        for k in range(6):
            s.add(TalentFeedback(position_id=n.b_position, talent_id=tid, accepted=bool(k % 2),
                                 parts={"sector": float(k % 2)}))  # fmt: skip
        s.flush()
        assert talent.learned_weights(s, n.org_a) == talent.learned_weights(s, None)
        assert talent.learned_weights(s, n.org_b) != talent.learned_weights(s, None)


#: writes that name a record but change none (POST only for the request body)
READ_ONLY_POSTS = ("/api/v1/match/duplicates/check",)


def test_zero_writes_on_another_orgs_public_records(client, runtime, neighbours) -> None:
    """Every write operation of the OpenAPI document that names one of B's *visible* records
    (path or body: B's organisation, public project, position; a demo project) fails for A's
    member and viewer: visible is not writable. Covers event links, feedback, agreements' and
    projects' parties and every update, transition and delete of B's records."""
    n = neighbours
    spec = client.get("/api/v1/openapi.json").json()
    public = Victim("no-marker-for-public-records")
    public.add("organisation", n.org_b)
    public.add("project", n.b_project)
    public.add("project", n.demo_project)
    public.add("position", n.b_position)
    public.own.update({"organisation": [n.org_a], "event": [n.a_event]})
    _, writes = build_probes(spec, public)
    writes = [p for p in writes if p.path not in READ_ONLY_POSTS]
    assert any(p.path == "/api/v1/events/{event_id}/projects" for p in writes)
    assert any(p.path == "/api/v1/match/feedback" for p in writes)
    before = (_stage(runtime, n.b_project), _stage(runtime, n.demo_project))
    successes = []
    for who in (n.a_member, n.a_viewer):
        for p in writes:
            r = client.request(p.method.upper(), p.url, headers=who.headers, **p.kwargs)
            assert r.status_code < 500, (p.method, p.url, r.text)
            if 200 <= r.status_code < 300:
                body = json.dumps(p.kwargs.get("json"))[:200]
                successes.append(f"{who.email}: {p.method.upper()} {p.url} {body}")
    assert not successes, "writes on another organisation's records succeeded:\n" + "\n".join(
        successes
    )
    assert (_stage(runtime, n.b_project), _stage(runtime, n.demo_project)) == before
