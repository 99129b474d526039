"""Flask extensions, created unbound and bound to the app in `create_app`."""
from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask_login import LoginManager
from flask_mail import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

#: Constraint names are spelled out so that Alembic revisions are identical on
#: SQLite and PostgreSQL and can be dropped by name in downgrades.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every ORM model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LazyMigrate:
    """Flask-Migrate, loaded on first use. Importing it imports Alembic, a good part of the
    app's start-up, which only `flask db ...` and code running the migrations need."""

    def init_app(self, app: Flask, db: SQLAlchemy, **options: Any) -> None:
        """Register `flask db` and `app.extensions["migrate"]`, both loading Flask-Migrate
        when they are used; `options` are those of `flask_migrate.Migrate.init_app`."""
        app.extensions["migrate"] = _PendingMigrate(app, db, options)
        app.cli.add_command(_LazyDbGroup(app))


def _load_migrate(app: Flask) -> Any:
    """Bind the real Flask-Migrate to `app` (once) and return its `app.extensions` entry."""
    pending = app.extensions["migrate"]
    if isinstance(pending, _PendingMigrate):
        from flask_migrate import Migrate

        Migrate().init_app(app, pending.db, **pending.options)  # replaces both stand-ins
    return app.extensions["migrate"]


class _PendingMigrate:
    """Stands in `app.extensions["migrate"]` until something reads it (the migrations'
    env.py, `flask_migrate.upgrade()`): then it loads the real entry and answers from it."""

    def __init__(self, app: Flask, db: SQLAlchemy, options: dict[str, Any]) -> None:
        self.app, self.db, self.options = app, db, options

    def __getattr__(self, name: str) -> Any:
        return getattr(_load_migrate(self.app), name)


class _LazyDbGroup(click.Command):
    """`flask db`, listed by `flask --help` without loading Flask-Migrate; running it (or
    asking its help) runs Flask-Migrate's own group."""

    def __init__(self, app: Flask) -> None:
        super().__init__("db", help="Perform database migrations.")
        self.app = app

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        _load_migrate(self.app)
        from flask_migrate.cli import db as migrate_group

        return migrate_group.make_context(info_name, args, parent=parent, **extra)


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
mail = Mail()
login_manager = LoginManager()
csrf = CSRFProtect()


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """SQLite settings, per connection: foreign keys on (SQLite ignores them unless asked);
    write-ahead logging, so the web, the scheduler and the CLI read while one writes; and a
    wait instead of an immediate "database is locked" when they write at once."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes
        cursor.close()
