"""The Alembic revisions build the schema of models.py, both ways, on both backends."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from nam_briefings import create_app
from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, Room
from tests.conftest import app_config


@pytest.fixture
def empty_app(empty_database_url):
    app = create_app(app_config(empty_database_url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_app):
    upgrade()
    assert tables() == set(db.metadata.tables)
    downgrade(revision="base")
    assert tables() == set()
    upgrade()
    assert tables() == set(db.metadata.tables)


def test_migrations_match_the_models(empty_app):
    upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "models.py and migrations/ disagree: write a revision"


def test_datetimes_come_back_aware_in_utc(empty_app):
    upgrade()
    geneva_noon = datetime(2025, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    db.session.add(AuditEvent(at=geneva_noon, actor="test", action="check"))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalar(sa.select(AuditEvent))
    assert stored.at == geneva_noon
    assert stored.at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(empty_app):
    upgrade()
    db.session.add(AuditEvent(at=datetime(2025, 7, 1, 12, 0), actor="test", action="check"))
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_check_constraints_hold_in_the_database(empty_app):
    upgrade()
    db.session.add(Room(name="Broom cupboard", capacity=0))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
