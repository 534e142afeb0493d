"""All ORM models. Importing this package registers every table on ``Base.metadata``.

Each feature owns one module here; add its import below.
"""

import silkhub.data.storage.models.accounts
import silkhub.data.storage.models.hub
import silkhub.data.storage.models.jobs
import silkhub.data.storage.models.matching
import silkhub.data.storage.models.talent  # noqa: F401
from silkhub.data.storage.models import reference  # noqa: F401
