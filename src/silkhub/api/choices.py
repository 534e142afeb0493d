"""Closed lists of API parameter values, as ``Literal`` types: FastAPI validates them and the
OpenAPI document states them as ``enum`` (schemathesis's positive/negative data checks then
agree with what the services accept).

The services still normalise (``check_choice``); these types are the API's stricter contract.
"""

from __future__ import annotations

from typing import Literal

from silkhub.analytics.index_service import framework_files
from silkhub.hub.agreements import AGREEMENT_KINDS
from silkhub.hub.events import EVENT_KINDS, LINK_KINDS
from silkhub.hub.lifecycle import STAGES
from silkhub.hub.organisations import ORGANISATION_KINDS, SERVICES, VISIBILITIES
from silkhub.hub.organisations.schemas import SIZES as ORGANISATION_SIZES
from silkhub.hub.performance import GROUPS as PERFORMANCE_GROUPS
from silkhub.hub.places import KINDS as PLACE_KINDS
from silkhub.hub.projects import FILTER_SOURCES as PROJECT_SOURCES
from silkhub.hub.projects import SORTS as PROJECT_SORTS
from silkhub.hub.projects import TOTAL_GROUPS
from silkhub.hub.projects.schemas import PROJECT_TYPES

#: the country groups shipped in the reference data (``country_groups``)
GROUP_CODES: tuple[str, ...] = ("asean", "bri", "eu", "rcep", "route65", "sco")

GroupCode = Literal[GROUP_CODES]  # type: ignore[valid-type]
EventKind = Literal[EVENT_KINDS]  # type: ignore[valid-type]
LinkKind = Literal[LINK_KINDS]  # type: ignore[valid-type]
OrganisationKind = Literal[ORGANISATION_KINDS]  # type: ignore[valid-type]
OrganisationService = Literal[SERVICES]  # type: ignore[valid-type]
OrganisationSize = Literal[ORGANISATION_SIZES]  # type: ignore[valid-type]
OrganisationVisibility = Literal[VISIBILITIES]  # type: ignore[valid-type]
PlaceKind = Literal[PLACE_KINDS]  # type: ignore[valid-type]
Stage = Literal[STAGES]  # type: ignore[valid-type]
OfferKind = Literal["offer", "request"]
AgreementKind = Literal[AGREEMENT_KINDS]  # type: ignore[valid-type]
PerformanceGroup = Literal[PERFORMANCE_GROUPS]  # type: ignore[valid-type]
ProjectSource = Literal[PROJECT_SOURCES]  # type: ignore[valid-type]
ProjectType = Literal[PROJECT_TYPES]  # type: ignore[valid-type]
ProjectSort = Literal[(*PROJECT_SORTS, *(f"-{k}" for k in PROJECT_SORTS))]  # type: ignore[valid-type]
TotalGroup = Literal[TOTAL_GROUPS]  # type: ignore[valid-type]
#: the shipped index frameworks (``analytics/frameworks/*.yaml``, by file stem)
FrameworkCode = Literal[tuple(framework_files())]  # type: ignore[valid-type]
