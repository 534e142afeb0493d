"""ORM models, one module per feature (``accounts``, ``hub``, ``jobs``, ``matching``,
``reference``, ``talent``).

Importing this package registers nothing by itself, so that a command which needs only the
reference tables (``silkhub countries show``) does not pay for declaring every feature's
classes. Import the module you use (``from silkhub.data.storage.models.hub import Project``);
each module imports the modules whose tables its foreign keys name, so any one of them can be
imported alone (``tests/data/storage/test_models_import.py``). Code that needs every table on
``Base.metadata`` (Alembic) calls :func:`load_all`; add a new feature's module to
:data:`MODULES`.
"""

from __future__ import annotations

import importlib

#: every model module, in an order that imports foreign-key targets first
MODULES: tuple[str, ...] = ("reference", "hub", "accounts", "jobs", "matching", "talent")


def load_all() -> None:
    """Import every model module: all tables on ``Base.metadata``, all mappers registered."""
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
