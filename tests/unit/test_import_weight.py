"""Start-up stays light: building the app (what every CLI call, test process and gunicorn
worker pays) does not import the heavy libraries; the code that uses them imports them.

Not a timing test: it lists, with `python -X importtime`, the modules a fresh process
imports, so it fails when someone puts a module-level import of one of them back.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))

#: imported where they are used, never by building the app or listing its commands
HEAVY = {
    "alembic": "migrations (flask db ..., backup)",
    "flask_migrate": "migrations (flask db ...)",
    "mako": "Alembic's revision templates",
    "pygments": "Alembic's error display",
    "holidays": "Geneva's public holidays (domain/calendar)",
    "icalendar": "the .ics and iMIP code (domain/ical, domain/imip)",
    "email_validator": "normalising an address (domain/validation)",
    "dns": "email_validator's deliverability check",
    "aiosmtpd": "the local mail sink (flask mailsink)",
    "apscheduler": "the scheduler process (flask scheduler)",
    "psycopg": "PostgreSQL only (the app here is on SQLite)",
    "sqlalchemy.dialects.postgresql": "PostgreSQL only (services/throttle)",
    "hypothesis": "the tests only",
}
IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)\s*$", re.MULTILINE)


def modules_imported_by(argv: list[str], instance: Path) -> set[str]:
    """The modules a fresh process running `argv` imports, and the packages they are in."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "FLASK_APP", "PYTHONDONTWRITEBYTECODE"}}
    env.update(INSTANCE_PATH=str(instance), PYTHONPROFILEIMPORTTIME="1")
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    modules = set(IMPORTED.findall(done.stderr))
    assert "flask" in modules, "the -X importtime listing should be read"
    return modules | {".".join(name.split(".")[:depth]) for name in modules
                      for depth in range(1, name.count(".") + 1)}


@pytest.mark.parametrize("argv", [
    [sys.executable, "-c", "import app"],
    [FLASK, "--app", "app", "--help"],
], ids=["import app", "flask --help"])
def test_start_up_does_not_import_the_heavy_libraries(argv, tmp_path):
    imported = modules_imported_by(argv, tmp_path)
    offenders = {name: why for name, why in HEAVY.items() if name in imported}
    assert not offenders, (
        f"imported at start-up: {offenders}; import them inside the function that uses them")


def test_the_migration_commands_are_still_listed_and_run(runner):
    listing = runner.invoke(args=["--help"])
    assert "Perform database migrations." in listing.output
    group = runner.invoke(args=["db", "--help"])
    assert "upgrade" in group.output and "downgrade" in group.output
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0  # already at the head
    assert runner.invoke(args=["db", "upgrade", "no-such-revision"]).exit_code != 0
