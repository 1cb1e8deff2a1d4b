"""The committed Alembic migrations build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from config import TestingConfig, normalise_database_url
from models import db, fulltext
from workshop import create_app


@pytest.fixture
def empty_database(request, tmp_path, postgres_url):
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "migrate.db")
        return
    url, reason = postgres_url
    if url is None:
        pytest.skip(reason)
    import psycopg

    from tests.conftest import PG_ADMIN_URL

    name = url.rsplit("/", 1)[1] + "_mig"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("empty_database", ["sqlite", "postgresql"], indirect=True)
def test_upgrade_matches_models_and_downgrades(empty_database, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path))
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=normalise_database_url(empty_database))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            # (the FTS5 tables come from migrations alone, as in migrations/env.py)
            opts = {"compare_type": True, "include_name": fulltext.include_name}
            diffs = compare_metadata(MigrationContext.configure(conn, opts=opts), db.metadata)
        assert diffs == [], f"models and migrations differ; run 'flask --app run db migrate': {diffs}"
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
