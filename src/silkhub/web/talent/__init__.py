"""Talent and living-environment pages (issue 11), one module per resource:

* :mod:`.profiles` — the talent directory, one profile, "my talent profile" (create, edit,
  JSON export, delete with confirmation);
* :mod:`.positions` — positions, the new-position form, ranked and explained talent
  suggestions with accept / decline;
* :mod:`.places` — the living-environment directory with a map.

Pages call :mod:`silkhub.hub.talent` / :mod:`silkhub.hub.places` with the signed-in user's
actor and build the talent contract's models (:mod:`silkhub.hub.talent.schemas`) from the form
fields, so the web validates exactly like the API; errors come back as message keys shown next
to their field.
"""

from fastapi import APIRouter

from silkhub.web.talent import places, positions, profiles

router = APIRouter(include_in_schema=False)
router.include_router(profiles.router)
router.include_router(positions.router)
router.include_router(places.router)

__all__ = ["router"]
