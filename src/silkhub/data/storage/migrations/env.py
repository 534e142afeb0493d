"""Alembic environment: runs against the engine passed in ``config.attributes['engine']``."""

from __future__ import annotations

from alembic import context

from silkhub.data.storage.base import Base
from silkhub.data.storage.models import load_all

load_all()  # every table on Base.metadata
config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from silkhub.data.storage.db import make_engine
        from silkhub.settings import get_settings

        engine = make_engine(get_settings().database_url or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
