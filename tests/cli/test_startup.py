"""CLI start-up stays cheap (issue 18.5): what is imported, not how long it takes.

``silkhub --version`` must not import SQLAlchemy or anything analytic; ``countries show`` needs
the database but no pandas/scipy/DuckDB/Alembic, and only the reference tables' ORM models;
``--help`` lists every lazy group with the group's own help text, and each lazy group gets the
commands other modules add to it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: never needed to start the CLI or to show a country
HEAVY = (
    "numpy",
    "pandas",
    "scipy",
    "sklearn",
    "duckdb",
    "pyarrow",
    "statsmodels",
    "ortools",
    "jieba",
    "fastapi",
    "uvicorn",
    "alembic",
    "silkhub.analytics",
    "silkhub.core.index",
    "silkhub.hub",
)

_PROBE = """
import json, sys
from silkhub.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
finally:
    sys.stderr.flush()
    print(json.dumps(sorted(sys.modules)), file=sys.__stdout__)
"""


def _modules_after(args: list[str], tmp_path: Path) -> tuple[set[str], str]:
    env = {**os.environ, "SILKHUB_DATA_DIR": str(tmp_path / "var")}
    env.pop("SILKHUB_DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    *output, modules = proc.stdout.strip().splitlines()
    return set(json.loads(modules)), "\n".join(output)


def _heavy(modules: set[str], also: tuple[str, ...] = ()) -> list[str]:
    return sorted(
        m for m in modules if any(m == h or m.startswith(h + ".") for h in (*HEAVY, *also))
    )


def test_version_imports_nothing_heavy(tmp_path: Path) -> None:
    modules, out = _modules_after(["--version"], tmp_path)
    assert out.startswith("silkhub ")
    assert _heavy(modules, also=("sqlalchemy", "pydantic", "rich", "silkhub.data")) == []


def test_countries_show_imports_no_analytics_or_alembic(tmp_path: Path) -> None:
    _modules_after(["countries", "show", "DEU"], tmp_path)  # first run: migrate, load reference
    modules, out = _modules_after(["countries", "show", "DEU"], tmp_path)
    assert "DEU" in out
    # only the reference tables are declared (the other features' ORM classes are ~20 % of
    # the start-up), and fuzzy name matching loads only when a name does not match
    feature_models = tuple(
        f"silkhub.data.storage.models.{m}"
        for m in ("accounts", "hub", "jobs", "matching", "talent")
    )
    assert _heavy(modules, also=(*feature_models, "rapidfuzz")) == []


_LAZY_CHECK = """
import json, os, sys
import silkhub.cli as cli
from silkhub.cli import COMMANDS, _features

def tree(cmd):
    subs = getattr(cmd, "commands", None)
    return {n: tree(c) for n, c in sorted(subs.items())} if subs is not None else None

# import every module first (registration, not import, mutates the groups)
import importlib
for spec in COMMANDS:
    for m in spec.modules:
        importlib.import_module("silkhub.cli." + m)
alone = {}
for spec in COMMANDS:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # a fresh process that loads only this group's modules
        os.close(r)
        os.write(w, json.dumps(tree(_features.command(spec.name, spec.modules))).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        alone[spec.name] = json.loads(f.read())
    os.waitpid(pid, 0)
full = cli.load_all()
out = {"missing": [], "subcommands": {}, "help": {}}
for spec in COMMANDS:
    cmd = full.get(spec.name)
    if cmd is None:
        out["missing"].append(spec.name)
        continue
    if tree(cmd) != alone[spec.name]:
        out["subcommands"][spec.name] = [tree(cmd), alone[spec.name]]
    real = (cmd.help or "").split("\\n\\n")[0].strip()
    if real != spec.help.strip():
        out["help"][spec.name] = real
extra = [n for n in cli._features._group.commands if n not in {c.name for c in COMMANDS}]
out["unlisted"] = extra
print(json.dumps(out))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_lazy_groups_match_the_modules() -> None:
    """Each entry of COMMANDS: the module exists, its help is the group's help, and loading
    only its modules gives the same commands as loading everything; no group is unlisted."""
    proc = subprocess.run(
        [sys.executable, "-c", _LAZY_CHECK], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["missing"] == [], "COMMANDS names a group no module provides"
    assert out["unlisted"] == [], "a module registers a top-level command missing in COMMANDS"
    assert out["help"] == {}, "update the help line in silkhub.cli.COMMANDS to the group's help"
    assert out["subcommands"] == {}, (
        "a module adds commands to this group: list it in the group's Lazy(modules=...)"
    )


def test_help_lists_every_command(cli) -> None:
    from silkhub.cli import COMMANDS

    r = cli("--help")
    assert r.exit_code == 0
    for spec in COMMANDS:
        assert spec.name in r.stdout
        assert spec.help.split()[0] in r.stdout
    assert "serve" in r.stdout


def test_group_help_and_typo_suggestion(cli) -> None:
    r = cli("event", "--help")
    assert r.exit_code == 0 and "schedule" in r.stdout  # added by the match module
    r = cli("countrie")
    assert r.exit_code == 2
    assert "countries" in r.stderr
