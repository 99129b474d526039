"""Configuration defaults: SQLite in the instance folder and a generated secret key."""
from pathlib import Path

from nam_briefings import create_app, database_url, instance_secret_key


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = instance_secret_key(tmp_path)
    assert len(first) >= 40
    assert instance_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # private to the owner
    assert instance_secret_key(tmp_path / ".." / tmp_path.name) == first


def test_each_installation_gets_its_own_key(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert instance_secret_key(tmp_path / "a") != instance_secret_key(tmp_path / "b")


def test_default_database_is_sqlite_in_the_instance_folder():
    assert database_url(None, Path("/srv/instance")) == "sqlite:////srv/instance/nam_briefings.sqlite3"
    assert database_url("postgresql://u@db/nam", Path("/x")) == "postgresql+psycopg://u@db/nam"
    assert database_url("sqlite:///other.db", Path("/x")) == "sqlite:///other.db"


def test_app_uses_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app()
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith(f"{tmp_path}/nam_briefings.sqlite3")
    assert app.config["TIMEZONE"] == "Europe/Zurich"
