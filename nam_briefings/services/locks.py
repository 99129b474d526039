"""Row locks that make a use case run one at a time per thing it changes.

A check-then-write ("is this proposal still open? then create the briefings") is only
safe when no one else can run the same check at the same moment. Each function here
takes the lock as the first write of the caller's transaction and holds it until the
caller commits or rolls back:

- PostgreSQL: `SELECT ... FOR UPDATE` on the row; a second transaction waits, then reads
  what the first committed (READ COMMITTED takes a new snapshot per statement).
- SQLite: a no-op UPDATE of the row, which takes the database's write lock (pysqlite
  begins the transaction at the first write, so reads before it saw no stale snapshot).

Then everything the session had loaded is expired, so the caller's checks read the
current rows. Always lock in one order (session, then briefing) so two use cases
never wait on each other: that is what makes declines deadlock-free.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from ..extensions import db
from ..models import Briefing, Proposal, UprSession

T = TypeVar("T")

#: how often a transaction that lost a deadlock or serialization race is run again
RETRIES = 4


def lock_session(session_id: int) -> None:
    """Hold the UPR session's row until the transaction ends (confirming, setting by hand)."""
    _lock(UprSession, session_id)


def lock_briefing(briefing_id: int) -> None:
    """Hold the briefing's row until the transaction ends (answers, reschedule, cancel)."""
    _lock(Briefing, briefing_id)


def lock_proposal(proposal_id: int) -> None:
    """Hold the proposal's row until the transaction ends."""
    _lock(Proposal, proposal_id)


def _lock(model, row_id: int) -> None:
    db.session.flush()  # what the caller changed so far survives the expiry below
    table = model.__table__
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.select(table.c.id).where(table.c.id == row_id).with_for_update())
    else:
        db.session.execute(db.update(table).where(table.c.id == row_id)
                           .values(id=table.c.id))
    db.session.expire_all()


def retrying(work: Callable[[], T], retries: int = RETRIES) -> T:
    """Run `work` (one whole transaction); run it again if the database chose it as the
    victim of a deadlock or a serialization failure, after rolling back.

    Whatever `work` raises otherwise goes to the caller unchanged.
    """
    for attempt in range(retries + 1):
        try:
            return work()
        except (OperationalError, DBAPIError) as error:
            db.session.rollback()
            if attempt == retries or not _is_transient(error):
                raise
            time.sleep(0.05 * (attempt + 1))
        except BaseException:
            db.session.rollback()  # a refusal changes nothing and releases the lock at once
            raise
    raise AssertionError("unreachable")


def _is_transient(error: DBAPIError) -> bool:
    """Deadlock or serialization failure (class 40), or SQLite busy: worth running again.
    (Not every error `health.is_transient` names: a timeout or a server restart is not.)"""
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    return sqlstate.startswith("40") or "database is locked" in str(error.orig)
