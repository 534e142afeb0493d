"""The API contract, checked by schemathesis: every operation of the OpenAPI document, with
every check (``checks=all``: no 5xx, status codes / content types / headers / bodies as
documented, schema-valid requests accepted, schema-violating requests rejected, 405 with a
correct ``Allow`` for undeclared methods, ...), as an admin and as a member, on SQLite and
PostgreSQL.

The schemathesis engine runs in-process against the ASGI app (no server, no network), with the
phases the CLI runs (examples, coverage, fuzzing). Each run draws a **new random seed**, printed
in the failure message; replay a failure with::

    SILKHUB_SCHEMATHESIS_SEED=<seed> .venv/bin/pytest tests/api/test_schemathesis.py -k sqlite-admin

``SILKHUB_SCHEMATHESIS_EXAMPLES`` raises the examples per operation of the fuzzing phase
(CI: 5 for the admin, 3 for the member; the coverage phase's deterministic cases come on top).
Time budget (< 4 min for the file): the coverage phase of the analytics operations, which do
not depend on the SQL database, runs on SQLite only (:data:`ANALYTICS_TAGS`), and submitted
jobs stay queued; each run prints its five slowest operations.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from sqlalchemy import text

from silkhub.bootstrap import make_runtime, prepare
from silkhub.hub import accounts
from silkhub.jobs.engines import Engine
from silkhub.server import create_app
from silkhub.settings import Settings
from tests.api._accounts import FAST_HASHER, Account, make_account, make_org
from tests.conftest import PG_URL, need

_SEED_ENV = os.environ.get("SILKHUB_SCHEMATHESIS_SEED")
#: one seed for the whole session (printed); fixed by SILKHUB_SCHEMATHESIS_SEED to replay
SEED = int(_SEED_ENV) if _SEED_ENV else random.SystemRandom().randrange(1, 2**31)
_EXAMPLES = os.environ.get("SILKHUB_SCHEMATHESIS_EXAMPLES")
#: (phases, fuzzing examples per operation) by role: the admin reaches every operation, so it
#: gets the deterministic coverage phase; the member checks what a non-staff caller is answered
RUNS: dict[str, tuple[list[str], int]] = {
    "admin": (["examples", "coverage", "fuzzing"], int(_EXAMPLES or 5)),
    "member": (["examples", "fuzzing"], int(_EXAMPLES or 3)),
}


#: Rules the API enforces that an OpenAPI document cannot state (cross-field rules, values
#: that depend on stored data or on an embedded language). The operation documents them in
#: words; the check "schema-valid request rejected" is waived for exactly these answers: a 422
#: problem whose ``errors[].field`` (or problem ``code``) is listed for that operation.
CONTRACT_RULES: dict[str, dict[str, str]] = {
    "POST /api/v1/auth/password": {"current_password": "must be the caller's current password"},
    "GET /api/v1/auth/audit": {"since": "since < until"},
    "POST /api/v1/places": {"name_en": "name_en or name_zh (one of them, not blank)"},
    "POST /api/v1/events": {"title_en": "title_en or title_zh (one of them, not blank)"},
    "PATCH /api/v1/events/{event_id}": {"title_en": "title_en or title_zh (one of them)"},
    "POST /api/v1/projects": {"title_en": "title_en or title_zh (one of them, not blank)"},
    "PATCH /api/v1/projects/{project_id}": {"title_en": "title_en or title_zh (one of them)"},
    "POST /api/v1/organisations": {
        "name_en": "name_en or name_zh (one of them, not blank)",
        "name_zh": "name_en or name_zh (one of them, not blank)",
        "languages": "ISO 639 codes of 2-3 letters (blank entries are skipped)",
    },
    "PATCH /api/v1/organisations/{org_id}": {
        "languages": "ISO 639 codes of 2-3 letters (blank entries are skipped)",
    },
    "POST /api/v1/index/compute": {
        "data": "needs >= 2 units with data (given or stored)",
        "normalisation": "frontier normalisation needs values > 0 in every indicator of the data",
        "min_unit_coverage": "needs >= 2 units covering that share of the indicators",
    },
    "GET /api/v1/index/compute": {
        "normalisation": "frontier normalisation needs values > 0 in every indicator of the data",
        "min_unit_coverage": "needs >= 2 units covering that share of the indicators",
        "weighting": "budget weighting needs the framework's 'budget' section",
    },
    "GET /api/v1/places": {"region": "a region of the reference data"},
    "GET /api/v1/projects": {
        "value_max_usd": "value_max_usd >= value_min_usd",
        "date_to": "date_to >= date_from",
    },
    "GET /api/v1/projects/totals": {
        "value_max_usd": "value_max_usd >= value_min_usd",
        "date_to": "date_to >= date_from",
    },
    "PATCH /api/v1/talent/me": {"name_en": "name_en or name_zh (one of them, not blank)"},
    "POST /api/v1/positions": {"role_en": "role_en or role_zh (one of them, not blank)"},
    "GET /api/v1/indicators/openness": {"end": "end >= start"},
    "POST /api/v1/gravity/fit": {"gravity-spec-error": "spec_yaml is a YAML model spec"},
    "POST /api/v1/jobs": {
        "params.spec": "gravity.fit: exactly one of spec or spec_yaml",
        "gravity-spec-error": "gravity.fit: spec_yaml is a YAML model spec",
    },
    "POST /api/v1/jobs/imports": {
        "file": "a non-empty file whose name ends in a suffix the importers read (.csv ...)"
    },
    "POST /api/v1/gravity/policy": {
        "gravity-spec-error": "the group's dummy must not be collinear with the fixed effects"
    },
    "GET /api/v1/benchmark": {
        "unit": "a unit of the loaded regional data",
        "normalisation": "frontier normalisation needs values > 0 in every indicator of the data",
        "min_unit_coverage": "needs >= 2 units covering that share of the indicators",
    },
    "GET /api/v1/benchmark/{unit}": {
        "normalisation": "frontier normalisation needs values > 0 in every indicator of the data",
        "min_unit_coverage": "needs >= 2 units covering that share of the indicators",
    },
    "GET /api/v1/match/duplicates/clusters": {"region": "a region of the reference data"},
    "POST /api/v1/organisations/{org_id}/offers": {
        "currency": "an ISO 4217 code",
        "title_en": "title_en or title_zh (one of them, not blank)",
        "title_zh": "title_en or title_zh (one of them, not blank)",
    },
    "POST /api/v1/events/{event_id}/projects": {"currency": "an ISO 4217 code"},
    "POST /api/v1/agreements": {
        "title_en": "title_en or title_zh (one of them, not blank)",
        "title_zh": "title_en or title_zh (one of them, not blank)",
    },
    "PATCH /api/v1/agreements/{agreement_id}": {
        "title_en": "title_en or title_zh (one of them)",
        "title_zh": "title_en or title_zh (one of them)",
    },
    "POST /api/v1/talent": {
        "name_en": "name_en or name_zh (one of them, not blank)",
        "link_to_me": "members create only their own profile (link_to_me=true)",
    },
}


_ACCEPTED = "Schema-violating request accepted"
_REJECTED = "Schema-valid request rejected"
#: Contract gaps found and not yet fixed at their cause, as ``(operation, failure title) ->
#: reason``: waived so that the rest stays gated, and listed in every run's summary. Remove an
#: entry when its cause is fixed (the summary then no longer lists it).
KNOWN_OPEN: dict[tuple[str, str], str] = {}


#: fields whose valid values are reference data (loaded, not fixed in code), on any operation:
#: an unknown one is a 422 "unknown-choice" the document cannot enumerate
DATA_LISTS = {
    "region",
    "sector",
    "isic_code",
    "currency",
    "unit",
    "units",
    "peers",
    # talent: region / sector fields named as in the body
    "based_in",
    "location",
    "region_id",
    "preferred_regions",
    "sectors",
}


#: opaque tokens the server issues (``next_cursor`` of a keyset page): any string fits the
#: document, only one the server wrote decodes; a made-up one is a 422 on that field
OPAQUE = {"cursor"}


#: message keys of a body id that names no stored record the caller may see (an organisation,
#: event, project or participant): a 422 on that field, as every hub service answers it; the
#: document cannot state which ids exist
MISSING_RECORD_KEYS = ("_missing", ".unknown_organisation", "_not_found")


def _names_missing_records(problem: dict) -> bool:
    keys = [e.get("key") for e in problem.get("errors") or []] or [problem.get("key")]
    return all(str(k or "").endswith(MISSING_RECORD_KEYS) for k in keys)


def _waived(label: str, failure: Any, response: Any) -> bool:
    """Whether ``failure`` is a 422 for one of the :data:`CONTRACT_RULES` of ``label``."""
    if (label, failure.title) in KNOWN_OPEN:
        return True
    rules = CONTRACT_RULES.get(label, {})
    if failure.title != _REJECTED:
        return False
    if response is None or response.status_code != 422:
        return False
    try:
        problem = json.loads(response.content or b"{}")
    except ValueError:
        return False
    fields = {e.get("field") for e in problem.get("errors") or []}
    if fields and fields <= OPAQUE:
        return True
    if _names_missing_records(problem):
        return True
    if problem.get("key") == "validation.nul_text":  # any text field (the API description)
        return True
    names = fields | {problem.get("code")}
    unknown = problem.get("code") == "unknown-choice" or "unknown_region" in str(
        problem.get("key") or ""
    )
    if unknown and names & DATA_LISTS:
        return True
    return bool(names & set(rules))


class _ParkedJobs(Engine):
    """Submitted jobs stay queued: running them (reports, imports; tested in ``tests/jobs``)
    would only compete for the CPU here and outlive the module's database."""

    def dispatch(self, job_id: str, token: int) -> None:
        return None


@dataclass
class Target:
    app: Any
    backend: str
    accounts: dict[str, Account]
    #: ids of the test's own users and tokens: generated calls must not revoke or demote them
    protected_users: set[int]
    protected_tokens: set[int]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """One migrated app per database for the module, with an admin and a member."""
    tmp: Path = tmp_path_factory.mktemp("schemathesis")
    schema_name = None
    if request.param == "sqlite":
        settings = Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'api.sqlite'}")
    else:
        need(bool(PG_URL), "PostgreSQL not configured (set SILKHUB_TEST_DATABASE_URL)")
        settings = Settings(data_dir=tmp, database_url=PG_URL)
        schema_name = f"st_{uuid.uuid4().hex[:10]}"
        admin_rt = make_runtime(settings)
        with admin_rt.engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema_name}"'))
    rt = make_runtime(settings, schema=schema_name)
    mp = pytest.MonkeyPatch()
    try:
        prepare(rt)
        rt.extras["jobs_engine"] = _ParkedJobs()
        mp.setattr(accounts, "_DEFAULT_HASHER", FAST_HASHER)
        org = make_org(rt, "Schemathesis org")
        admin = make_account(rt, "admin@st.cn", "admin", None)
        member = make_account(rt, "member@st.cn", "member", org)
        with rt.session() as s:
            tokens = {
                t.id
                for u in (admin, member)
                for t in accounts.list_tokens(
                    s, admin.actor if u is admin else member.actor, u.user_id
                )
            }
        yield Target(
            app=create_app(runtime=rt, init=False),
            backend=request.param,
            accounts={"admin": admin, "member": member},
            protected_users={admin.user_id, member.user_id},
            protected_tokens=tokens,
        )
    finally:
        mp.undo()
        rt.dispose()
        if schema_name:
            with admin_rt.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema_name}" CASCADE'))
            admin_rt.dispose()


#: tags of the operations that compute from the analytics store (DuckDB over Parquet) and read
#: only reference data from the SQL database. Their coverage phase is deterministic (the same
#: cases on both databases) and takes most of the run's time (model fits, index runs), so it
#: runs once, on SQLite; on PostgreSQL they get the examples and fuzzing phases.
ANALYTICS_TAGS = ["complexity", "data", "gravity", "index", "indicators", "partners"]


def _schemas(target: Target, role: str) -> list[Any]:
    """The engine runs for ``role`` on ``target`` (see :data:`ANALYTICS_TAGS`)."""
    phases, _ = RUNS[role]
    if target.backend == "sqlite" or "coverage" not in phases:
        return [_schema(target, role, phases)]
    rest = [p for p in phases if p != "coverage"]
    return [
        _schema(target, role, phases, exclude_tags=ANALYTICS_TAGS),
        _schema(target, role, rest, include_tags=ANALYTICS_TAGS),
    ]


def _schema(
    target: Target,
    role: str,
    phases: list[str],
    *,
    include_tags: list[str] | None = None,
    exclude_tags: list[str] | None = None,
) -> Any:
    _, examples = RUNS[role]
    config = SchemathesisConfig()
    config.update(seed=SEED, max_failures=None)
    project = config.projects.override
    # the policy model fits for seconds on a loaded machine: no client-side timeout at 10 s
    project.update(headers=target.accounts[role].headers, workers=1, request_timeout=120)
    # every check but the response-time limit (a property of the machine, not of the contract)
    project.checks.update(included_check_names=["all"], excluded_check_names=["max_response_time"])
    project.phases.update(phases=phases)
    project.generation.update(max_examples=examples)
    schema = schemathesis.openapi.from_dict(target.app.openapi(), config=config)
    if include_tags:
        schema = schema.include(tag=include_tags)
    if exclude_tags:
        schema = schema.exclude(tag=exclude_tags)
    schema.app = target.app
    schema.location = "/api/v1/openapi.json"

    @schema.hook
    def filter_case(context: Any, case: schemathesis.Case) -> bool:
        """Keep the test's own accounts usable: no deactivating/demoting them, no revoking
        their tokens (any other id is fair game)."""
        method, path = case.method.upper(), case.operation.path
        params = case.path_parameters or {}
        if method in ("DELETE", "PATCH") and path.endswith("/auth/users/{user_id}"):
            return params.get("user_id") not in target.protected_users
        if method == "DELETE" and path.endswith("/auth/tokens/{token_id}"):
            return params.get("token_id") not in target.protected_tokens
        return True

    return schema


def _failures(schema: Any) -> tuple[list[str], int, list[str], dict[str, float]]:
    """Run the engine; (one line per unique failure with a reproduction, cases, errors,
    seconds per phase and operation)."""
    seen: dict[tuple[str, str], str] = {}
    errors: list[str] = []
    cases = 0
    timings: dict[str, float] = {}
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases += len(event.recorder.cases)
            where = f"{event.phase.value} {event.recorder.label}"
            timings[where] = timings.get(where, 0.0) + event.elapsed_time
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status != Status.FAILURE or check.failure_info is None:
                        continue
                    failure = check.failure_info.failure
                    key = (event.recorder.label, failure.title)
                    if key in seen:
                        continue
                    interaction = event.recorder.interactions.get(case_id)
                    response = interaction.response if interaction is not None else None
                    if _waived(event.recorder.label, failure, response):
                        continue
                    answer = ""
                    if interaction is not None and interaction.response is not None:
                        body = (interaction.response.content or b"")[:300]
                        answer = f"\n  answer: {interaction.response.status_code} {body!r}"
                    seen[key] = (
                        f"{event.recorder.label}: {failure.title}\n  {failure.message}"
                        f"{answer}\n  {check.failure_info.code_sample}"
                    )
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.value!r}")
        elif isinstance(event, events.FatalError):
            errors.append(f"fatal: {event.exception!r}")
    return list(seen.values()), cases, errors, timings


@pytest.mark.parametrize("role", ["admin", "member"])
def test_contract(
    target: Target,
    role: str,
    capsys: pytest.CaptureFixture[str],
    record_property: Callable[[str, object], None],
) -> None:
    started = time.monotonic()
    failures, errors, cases, timings = [], [], 0, {}
    for schema in _schemas(target, role):
        f, c, e, t = _failures(schema)
        failures, cases, errors, timings = failures + f, cases + c, errors + e, timings | t
    elapsed = time.monotonic() - started
    slowest = sorted(timings.items(), key=lambda kv: -kv[1])[:5]
    summary = (
        f"schemathesis {target.backend}/{role}: seed {SEED}, {cases} cases, "
        f"{len(failures)} failures, {elapsed:.0f} s "
        f"(replay: SILKHUB_SCHEMATHESIS_SEED={SEED}); slowest: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in slowest)
    )
    # also in the run's terminal summary (tests/conftest.py), which xdist workers reach
    record_property("schemathesis", summary.split("; slowest")[0])
    with capsys.disabled():
        # the seed, to replay a failure, and what failed (details in the assertion below)
        print(f"\n{summary}" + "".join(f"\n  - {f}" for f in failures))  # noqa: T201
    assert cases > 0, summary
    assert not errors, summary + "\n" + "\n".join(errors)
    assert not failures, summary + "\n\n" + "\n\n".join(failures)
