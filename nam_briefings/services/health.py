"""Is the database reachable? The check behind `/healthz` and the 503 page."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db

#: the errors the web layer answers with 503 when they mean an outage (see web/health.py)
DatabaseError = sa.exc.DBAPIError
OUTAGE_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DBAPIError)

#: how long `/healthz` waits for PostgreSQL to answer its query
CHECK_TIMEOUT_MS = 2000


@dataclass(frozen=True)
class DatabaseCheck:
    """The outcome of one check: `detail` is "ok" or a short reason without secrets."""

    ok: bool
    detail: str
    #: the full one-line reason, for the log (may name the host and port)
    reason: str = ""


def check_database() -> DatabaseCheck:
    """Run a trivial query on a connection from the app's pool (with a short timeout)."""
    try:
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.select(sa.func.set_config(
                    "statement_timeout", str(CHECK_TIMEOUT_MS), True)))
                connection.execute(sa.text("SELECT 1"))
            else:
                # SELECT 1 alone never reads the SQLite file: read its schema page instead.
                connection.execute(sa.text("SELECT count(*) FROM sqlite_master"))
    except sa.exc.SQLAlchemyError as error:
        return DatabaseCheck(ok=False, detail=short_reason(error), reason=one_line(error))
    return DatabaseCheck(ok=True, detail="ok")


def is_unreachable(error: sa.exc.DBAPIError) -> bool:
    """Whether `error` means "cannot talk to the database" (connecting, or the link broke)."""
    return (error.connection_invalidated or error.statement is None
            or isinstance(error, sa.exc.InterfaceError))


#: PostgreSQL SQLSTATEs that pass: serialization failure and deadlock (class 40), a statement
#: or lock timeout, a server shutting down or starting up
TRANSIENT_SQLSTATES = ("40", "57014", "55P03", "57P01", "57P02", "57P03")


def is_transient(error: sa.exc.DBAPIError) -> bool:
    """Whether `error` is the database being busy for a moment (locked, timed out, deadlock)."""
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    if sqlstate.startswith(TRANSIENT_SQLSTATES):
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database table is locked" in message


def short_reason(error: Exception) -> str:
    """A reason fit for a public answer: what kind of failure, not where or who."""
    if isinstance(error, sa.exc.DBAPIError):
        kind = type(error.orig).__name__
        if "timeout" in str(error.orig).lower() or "QueryCanceled" in kind:
            return f"timed out ({kind})"
        if is_unreachable(error):
            return f"unreachable ({kind})"
        return f"error ({kind})"
    return f"error ({type(error).__name__})"


def one_line(error: Exception) -> str:
    """The driver's message on one line (without SQLAlchemy's background link)."""
    original = getattr(error, "orig", None) or error
    return " ".join(str(original).split())
