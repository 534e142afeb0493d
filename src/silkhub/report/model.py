"""Value types of pages and reports: a :class:`Profile` is a titled list of :class:`Section` s,
each holding figures (:class:`~silkhub.report.figures.Figure`), facts and :class:`Table` s.

The builders (:mod:`silkhub.report.dashboard`, ``country``, ``region``, ``benchmark``,
``directory``) fill them; :mod:`silkhub.report.render` and the web templates show them.
This module imports no builder, so every builder can import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from silkhub.report.figures import Figure

#: ``t(key, **params)``: the catalog text of ``key`` in the report's language
Translate = Callable[..., str]


@dataclass
class Table:
    """A titled table (shown under a section, one sheet in XLSX)."""

    id: str
    title: str
    columns: list[str]
    rows: list[list[object]]
    sources: list[str] = field(default_factory=list)


@dataclass
class Section:
    """A titled group of figures; ``missing`` holds 'import X first' hints."""

    id: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str = ""


@dataclass
class Profile:
    """A page or report: title, sections, and the provenance of everything in it."""

    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    kpis: list[tuple[str, str]] = field(default_factory=list)

    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]

    def sources(self) -> list[str]:
        seen: list[str] = []
        for f in self.figures():
            for s in f.sources:
                if s not in seen:
                    seen.append(s)
        return seen


@dataclass
class Benchmark:
    """Index benchmark of a region against peers, ready for pages and reports.

    ``ranks``: one dict per unit (``name, score, rank, low, high, coverage``; ``low``/``high``
    the 5th/95th percentile of the Monte Carlo rank); ``strengths`` / ``weaknesses``:
    (indicator label, standardised gap to the peer median); ``focus`` the name of the region
    the benchmark is about.
    """

    section: Section
    ranks: list[dict[str, object]] = field(default_factory=list)
    strengths: list[tuple[str, float]] = field(default_factory=list)
    weaknesses: list[tuple[str, float]] = field(default_factory=list)
    needs: list[dict[str, object]] = field(default_factory=list)
    year: int | None = None
    framework: str = ""
    focus: str = ""
    #: number of units the index is computed over (``rank`` is among them)
    universe: int = 0

    def focus_rank(self) -> dict[str, object] | None:
        """The rank row of the focus region (None when it has no score)."""
        return next((r for r in self.ranks if r["name"] == self.focus), None)


def source_line(dataset: str, info: object | None) -> str:
    """``dataset: <provenance line>`` for a figure footnote (the name alone without info)."""
    line = getattr(info, "line", None)
    return f"{dataset}: " + (line() if callable(line) else dataset)
