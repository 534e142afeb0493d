"""All ORM models. Importing this package registers every table on ``Base.metadata``.

Each feature owns one module here; add its import below.
"""

from silkhub.data.storage.models import reference  # noqa: F401
