"""The profile builders under their former common name (pages call them by it).

The builders live by job: :mod:`silkhub.report.dashboard`, :mod:`silkhub.report.country`,
:mod:`silkhub.report.region`, :mod:`silkhub.report.benchmark`, :mod:`silkhub.report.openness`,
:mod:`silkhub.report.directory`; the value types in :mod:`silkhub.report.model`; shared label
and map-point helpers in :mod:`silkhub.report.common`. New code imports from those modules.
"""

from silkhub.report.benchmark import MC_RUNS, benchmark_tables, index_benchmark, summary_section
from silkhub.report.common import REFERENCE_SOURCE, country_labels, project_points, region_labels
from silkhub.report.country import country_profile, partner_ranking, what_next_figure
from silkhub.report.dashboard import dashboard, group_map, joins_by_year, members_by_continent
from silkhub.report.model import Benchmark, Profile, Section, Table, Translate
from silkhub.report.openness import OPENNESS_MEASURES, openness_figures
from silkhub.report.region import region_profile, resolve_regions

__all__ = [
    "MC_RUNS",
    "OPENNESS_MEASURES",
    "REFERENCE_SOURCE",
    "Benchmark",
    "Profile",
    "Section",
    "Table",
    "Translate",
    "benchmark_tables",
    "country_labels",
    "country_profile",
    "dashboard",
    "group_map",
    "index_benchmark",
    "joins_by_year",
    "members_by_continent",
    "openness_figures",
    "partner_ranking",
    "project_points",
    "region_labels",
    "region_profile",
    "resolve_regions",
    "summary_section",
    "what_next_figure",
]
