"""Architecture checks read from the code (issue 14).

* The import-linter contracts in ``pyproject.toml`` (``[tool.importlinter]``) hold: layers
  ``core ← data ← analytics/hub ← report ← jobs ← api/web ← cli``; nothing in core, data,
  analytics or hub imports an interface; core imports no database, store, HTTP or settings.
* No two files import each other, directly or through others (strongly connected components
  of the file-level import graph, lazy imports inside functions included).
* No ``try: import silkhub.… except ImportError`` guard: the project's own modules are always
  there, so a failing import is a bug to see, not a hint to print (guards for optional
  third-party packages and OS features such as ``fcntl`` stay).
* No SQL in the interfaces: no call of ``select(``, ``text(`` or ``.execute(`` in ``api/``,
  ``web/``, ``cli/`` or ``report/`` (queries live beside the services, in ``data``/``hub``/
  ``analytics``).

Violations that other engineers are removing are listed explicitly below; the lists may only
shrink: a new violation fails, and an entry that is gone is reported so it can be deleted.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import warnings
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "silkhub"

#: interface packages that must hold no SQL
INTERFACES = ("api", "web", "cli", "report")

#: file -> number of SQL calls still there (shrink only; empty: none left)
SQL_ALLOWED: dict[str, int] = {}

#: import cycles still there (sets of modules); shrink only
CYCLES_ALLOWED: list[frozenset[str]] = []


def test_import_contracts_hold() -> None:
    """``lint-imports`` passes with the contracts of pyproject.toml."""
    exe = Path(sys.executable).parent / "lint-imports"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "importlinter.cli"]
    res = subprocess.run(
        [*cmd, "--config", str(ROOT / "pyproject.toml"), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 broken" in res.stdout


def _import_cycles() -> list[frozenset[str]]:
    """Strongly connected components (more than one file) of the silkhub import graph."""
    graph = grimp.build_graph("silkhub", cache_dir=None)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    comps: list[frozenset[str]] = []
    counter = 0

    def visit(root: str) -> None:  # iterative Tarjan (no recursion limit)
        nonlocal counter
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.find_modules_directly_imported_by(w)))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = set()
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.add(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        comps.append(frozenset(comp))

    for m in sorted(graph.modules):
        if m not in index:
            visit(m)
    return comps


def test_no_import_cycles_between_files() -> None:
    cycles = _import_cycles()
    new = [sorted(c) for c in cycles if c not in CYCLES_ALLOWED]
    assert not new, f"files that import each other: {new}"
    gone = [sorted(c) for c in CYCLES_ALLOWED if c not in cycles]
    if gone:
        warnings.warn(f"cycles gone, delete from CYCLES_ALLOWED: {gone}", stacklevel=1)


def sql_calls(source: str) -> list[tuple[int, str]]:
    """Calls of ``select(``, ``text(`` (bare or ``sa.``/``sqlalchemy.``) and ``.execute(``
    in ``source`` (line, name); strings and comments do not count."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id in ("select", "text"):
            out.append((node.lineno, f.id))
        elif isinstance(f, ast.Attribute) and (
            f.attr == "execute"
            or (
                f.attr in ("select", "text")
                and isinstance(f.value, ast.Name)
                and f.value.id in ("sa", "sqlalchemy")
            )
        ):
            out.append((node.lineno, f.attr))
    return sorted(out)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("s.scalars(select(A))", 1, id="select"),
        pytest.param("con.execute('SELECT 1')", 1, id="execute"),
        pytest.param("s.execute(sa.text('x'))", 2, id="sa-text"),
        pytest.param("form.text('email')\nerror_text(e)\n# select(x)\n'select(y)'", 0, id="not"),
    ],
)
def test_sql_scanner(source: str, expected: int) -> None:
    assert len(sql_calls(source)) == expected


def test_no_sql_in_interfaces() -> None:
    found: dict[str, list[tuple[int, str]]] = {}
    for pkg in INTERFACES:
        for path in sorted((SRC / pkg).rglob("*.py")):
            calls = sql_calls(path.read_text(encoding="utf-8"))
            if calls:
                found[path.relative_to(SRC).as_posix()] = calls
    over = {f: calls for f, calls in found.items() if len(calls) > SQL_ALLOWED.get(f, 0)}
    assert not over, f"SQL in interface modules (move it to a queries module): {over}"
    gone = {f: n for f, n in SQL_ALLOWED.items() if len(found.get(f, [])) < n}
    if gone:
        warnings.warn(f"SQL removed, shrink SQL_ALLOWED: {gone}", stacklevel=1)


def own_import_guards(source: str) -> list[int]:
    """Lines of ``try`` blocks that import a ``silkhub`` module and catch ``ImportError`` /
    ``ModuleNotFoundError``."""
    out: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Try):
            continue
        caught = set()
        for h in node.handlers:
            names = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
            caught |= {n.id for n in names if isinstance(n, ast.Name)}
        if not caught & {"ImportError", "ModuleNotFoundError"}:
            continue
        for stmt in node.body:
            for sub in ast.walk(stmt):
                mods = []
                if isinstance(sub, ast.ImportFrom) and sub.module:
                    mods = [sub.module]
                elif isinstance(sub, ast.Import):
                    mods = [a.name for a in sub.names]
                if any(m == "silkhub" or m.startswith("silkhub.") for m in mods):
                    out.append(node.lineno)
    return sorted(set(out))


def test_own_import_guard_scanner() -> None:
    guarded = "try:\n    from silkhub.x import y\nexcept ImportError:\n    y = None\n"
    third_party = "try:\n    import fcntl\nexcept ImportError:\n    fcntl = None\n"
    assert own_import_guards(guarded) == [1]
    assert own_import_guards(third_party) == []


def test_no_import_guards_for_own_modules() -> None:
    found = {
        path.relative_to(SRC).as_posix(): lines
        for path in sorted(SRC.rglob("*.py"))
        if (lines := own_import_guards(path.read_text(encoding="utf-8")))
    }
    assert not found, f"ImportError guards around silkhub imports: {found}"
