"""NAM Briefings: pre-UPR ambassadorial briefings for the NAM chairmanship in Geneva."""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask

from .config import Config
from .extensions import csrf, db, login_manager, mail, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the Flask application.

    `config` is a config class (default `Config`) or a mapping of overrides applied on top
    of it (what tests pass). Nothing here starts a scheduler: that is the job of the
    dedicated `flask --app app scheduler` process.
    """
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    if isinstance(config, type):
        app.config.from_object(config)
    else:
        app.config.from_object(Config)
        app.config.update(config or {})
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(
        app.config.get("SQLALCHEMY_DATABASE_URI"), Path(app.instance_path)
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A local file never drops the connection: skip the ping before every checkout.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "pool_pre_ping": False}
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))

    _trust_proxies(app, int(app.config.get("TRUSTED_PROXIES") or 0))
    _init_extensions(app)
    _register_blueprints(app)
    from . import cli

    cli.register(app)
    return app


def database_url(url: str | None, instance_path: Path) -> str:
    """Return the SQLAlchemy URL to use: SQLite in the instance folder by default.

    Plain `postgresql://` URLs are pointed at the psycopg 3 driver we ship.
    """
    if not url:
        return f"sqlite:///{instance_path / 'nam_briefings.sqlite3'}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret_key(instance_path: Path) -> str:
    """Read the secret key kept in the instance folder, generating it on first run.

    The key is written to a private temporary file and hard-linked into place, so
    several workers starting at once all end up with the same key.
    """
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        fd, tmp_name = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp_name, key_file)
        except FileExistsError:
            pass  # another process won the race; use its key
        finally:
            os.unlink(tmp_name)
    return key_file.read_text().strip()


def _trust_proxies(app: Flask, proxies: int) -> None:
    """Behind `proxies` reverse proxies, take the client's address and scheme from their
    X-Forwarded-For / X-Forwarded-Proto (the login throttle counts per client address)."""
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (registers the tables with the metadata)
    from .services import wakeup

    db.init_app(app)
    wakeup.install()
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    mail.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    # Flask-Babel, with the catalogs under nam_briefings/translations (built by `make
    # translations`); each request's language is chosen by `i18n.select_locale`
    from . import i18n

    i18n.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from .web import register_blueprints

    register_blueprints(app)
