import pytest
from sqlalchemy import inspect

from silkhub.data.storage.db import make_engine, upgrade
from silkhub.errors import ConfigurationError


def test_migrations_run_from_empty(bare_runtime):
    upgrade(bare_runtime.engine)
    tables = set(inspect(bare_runtime.engine).get_table_names())
    assert {"country", "country_group", "group_membership", "region", "alembic_version"} <= tables


def test_upgrade_twice_is_a_no_op(bare_runtime):
    upgrade(bare_runtime.engine)
    upgrade(bare_runtime.engine)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("not a url", id="garbage"),
        pytest.param("nosuchdb://x/y", id="unknown-dialect"),
    ],
)
def test_corrupt_database_url_gives_clear_error(url):
    with pytest.raises(ConfigurationError) as exc:
        make_engine(url)
    assert "database URL" in str(exc.value)


def test_unreachable_database_gives_clear_error():
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(ConfigurationError) as exc:
        upgrade(engine)
    assert "cannot connect" in str(exc.value)
