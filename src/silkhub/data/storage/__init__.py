"""SQL storage (SQLAlchemy 2 + Alembic) for reference and hub data."""
