"""Matchmaking over the hub: the service (:mod:`.service`), its SQL (:mod:`.queries`) and the
per-language rendering of reasons (:mod:`.reasons`).

``from silkhub.hub import matching`` keeps giving the service functions.
"""

from silkhub.hub.matching.service import (
    DECISIONS,
    KIND_ROLES,
    KINDS,
    PROJECT_NEEDS,
    Decided,
    Suggestion,
    can_decide,
    current_weights,
    decided,
    org_profile,
    project_profile,
    record_feedback,
    suggest_for_organisation,
    suggest_for_project,
    undo_feedback,
    visible_organisations,
)

__all__ = [
    "DECISIONS",
    "KINDS",
    "KIND_ROLES",
    "PROJECT_NEEDS",
    "Decided",
    "Suggestion",
    "can_decide",
    "current_weights",
    "decided",
    "org_profile",
    "project_profile",
    "record_feedback",
    "suggest_for_organisation",
    "suggest_for_project",
    "undo_feedback",
    "visible_organisations",
]
