"""Waking the delivery worker when there is new work, instead of on its next tick.

A transaction that adds a fan-out or an outbox message sends, on PostgreSQL, a
`NOTIFY nam_briefings_outbox` that PostgreSQL delivers when (and only if) it commits; the
scheduler's delivery worker LISTENs on a connection of its own and starts at once. SQLite
has no such thing: the worker polls instead, cheaply (one indexed query for fan-outs and
one for due messages, every POLL_SQLITE).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "nam_briefings_outbox"
#: how often the worker looks for work without being woken
POLL_SQLITE = 1.0
POLL_POSTGRESQL = 10.0
_FLAG = "nam_wake_delivery"


def install() -> None:
    """Make every session send the NOTIFY when it adds a fan-out or an outbox message."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_transaction_end", _forget)


def _after_flush(session: Session, _context: Any) -> None:
    from ..models import Fanout, OutboxMessage

    if session.info.get(_FLAG) or not any(isinstance(row, (Fanout, OutboxMessage))
                                          for row in session.new):
        return
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # delivered at commit, dropped on rollback; one per transaction is enough
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
        session.info[_FLAG] = True


def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_FLAG, None)


class Waiter:
    """Waits until there may be work: a NOTIFY (PostgreSQL), a `wake()`, or the poll."""

    def __init__(self, database_url: str) -> None:
        self.wakened = threading.Event()
        self.listener = _Listener(database_url) if database_url.startswith("postgresql") \
            else None
        self.poll = POLL_POSTGRESQL if self.listener else POLL_SQLITE

    def wake(self) -> None:
        """Stop the current wait at once."""
        self.wakened.set()

    def wait(self) -> None:
        """Return when woken, notified, or after the poll interval."""
        deadline = time.monotonic() + self.poll
        while not self.wakened.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if self.listener is None:
                self.wakened.wait(left)
            elif self.listener.notified(min(left, 0.5)):
                break
        self.wakened.clear()

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()


class _Listener:
    """A connection of its own, LISTENing; reconnects when the database comes back."""

    def __init__(self, database_url: str) -> None:
        self.url = _libpq_url(database_url)
        self.connection = None

    def notified(self, timeout: float) -> bool:
        """True when a notification came within `timeout` seconds."""
        try:
            if self.connection is None:
                self.connect()
            for _ in self.connection.notifies(timeout=timeout, stop_after=1):
                return True
            return False
        except Exception as error:  # the database is down: poll until it is back
            log.warning("delivery wake-up: %s; polling until the database is back", error)
            self.close()
            time.sleep(timeout)
            return False

    def connect(self) -> None:
        import psycopg

        self.connection = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        self.connection.execute(f"LISTEN {CHANNEL}")

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # closing a broken connection: nothing more to do
                pass
            self.connection = None


def _libpq_url(database_url: str) -> str:
    """`postgresql+psycopg://…` as libpq reads it (`postgresql://…`)."""
    scheme, _, rest = database_url.partition("://")
    return f"postgresql://{rest}" if scheme.startswith("postgresql") else database_url
