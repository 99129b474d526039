"""Slowing down password guessing: failed logins are counted per account and per client
address, and a run of failures blocks further checks for a while, doubling each time.

- An account (the e-mail address typed, whether or not such an account exists, so that
  the answer never tells which ones do) may fail `LOGIN_ACCOUNT_FAILURES` times (5); the
  next failures block it for `LOGIN_FIRST_BLOCK_SECONDS` (1 min), then 2, 4, 8... minutes,
  up to `LOGIN_LONGEST_BLOCK_SECONDS` (1 h). A successful login clears the count; a day
  without failures forgets it.
- A client address has a larger budget, `LOGIN_ADDRESS_FAILURES` (20) within
  `LOGIN_ADDRESS_WINDOW_SECONDS` (15 min), then the same back-off. A success does not
  clear it: one valid account must not buy an attacker more guesses at the others.

While blocked, no password is checked at all (the right one does not get in). The counts
live in the database (`login_throttles`) so that every web worker sees the same ones; each
count is updated under a row lock, so concurrent failures are all counted.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from ..domain.errors import DomainError, Invalid
from ..domain.validation import normalise_email
from ..extensions import db
from ..models import LoginThrottle, utcnow

#: an account's run of failures is forgotten after this long without a failure
ACCOUNT_MEMORY = timedelta(days=1)
#: the longest key the table holds
KEY_LENGTH = 300


class TooManyAttempts(DomainError):
    """Logins for this account or from this address are blocked for `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(f"Too many attempts: try again in {minutes} "
                         f"minute{'' if minutes == 1 else 's'}.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rule:
    """How many failures a key may have, and how long it is then blocked."""

    #: failures allowed before the first block
    failures: int
    #: a run of failures is forgotten after this long without a failure or a block
    memory: timedelta
    first_block: timedelta
    longest_block: timedelta

    def block_after(self, failures: int) -> timedelta | None:
        """How long to block after the `failures`-th failure of a run (None: not yet)."""
        if failures < self.failures:
            return None
        doublings = min(failures - self.failures, 32)
        return min(self.first_block * 2 ** doublings, self.longest_block)


def check(email: str, address: str | None) -> None:
    """Raise TooManyAttempts while this account or this address is blocked."""
    now = utcnow()
    keys = [account_key(email), address_key(address)]
    ends = [until for until in db.session.scalars(
        db.select(LoginThrottle.blocked_until).where(LoginThrottle.key.in_(keys)))
        if until is not None and until > now]
    if ends:
        raise TooManyAttempts(_seconds(max(ends) - now))


def record_failure(email: str, address: str | None) -> None:
    """Count a failed login for the account and the address (committed); raise
    TooManyAttempts when this failure starts a block."""
    now = utcnow()
    account_rule, address_rule = _rules()
    ends = [_count(account_key(email), account_rule, now),
            _count(address_key(address), address_rule, now)]
    _forget_old_runs(now - max(account_rule.memory, address_rule.memory))
    db.session.commit()
    ends = [end for end in ends if end is not None and end > now]
    if ends:
        raise TooManyAttempts(_seconds(max(ends) - now))


def record_success(email: str) -> None:
    """A successful login: forget the account's failures (committed); the address's stay."""
    db.session.execute(db.delete(LoginThrottle).where(LoginThrottle.key == account_key(email)))
    db.session.commit()


def clear(email: str) -> bool:
    """Lift an account's block by hand (for support staff); False when it had none."""
    deleted = db.session.execute(
        db.delete(LoginThrottle).where(LoginThrottle.key == account_key(email))).rowcount
    db.session.commit()
    return bool(deleted)


def account_key(email: str) -> str:
    """The throttle key of the account typed in the login form.

    What is not an e-mail address is kept only as a digest: people sometimes type their
    password into the e-mail field.
    """
    try:
        return f"account:{normalise_email(email)}"[:KEY_LENGTH]
    except Invalid:
        digest = hashlib.sha256((email or "").strip().lower().encode("utf-8")).hexdigest()
        return f"account:not-an-address:{digest}"


def address_key(address: str | None) -> str:
    """The throttle key of a client address."""
    return f"address:{address or 'unknown'}"[:KEY_LENGTH]


def _rules() -> tuple[Rule, Rule]:
    config = current_app.config
    first = timedelta(seconds=config["LOGIN_FIRST_BLOCK_SECONDS"])
    longest = timedelta(seconds=config["LOGIN_LONGEST_BLOCK_SECONDS"])
    account = Rule(config["LOGIN_ACCOUNT_FAILURES"], ACCOUNT_MEMORY, first, longest)
    address = Rule(config["LOGIN_ADDRESS_FAILURES"],
                   timedelta(seconds=config["LOGIN_ADDRESS_WINDOW_SECONDS"]), first, longest)
    return account, address


def _count(key: str, rule: Rule, now: datetime) -> datetime | None:
    """Add one failure to `key`'s run (under a row lock); returns the end of its block."""
    row = _locked_row(key, now)
    last_seen = max(row.first_failure_at, row.blocked_until or row.first_failure_at)
    if now - last_seen > rule.memory:
        row.failures, row.first_failure_at, row.blocked_until = 0, now, None
    row.failures += 1
    block = rule.block_after(row.failures)
    if block is not None:
        row.blocked_until = now + block
    return row.blocked_until


def _locked_row(key: str, now: datetime) -> LoginThrottle:
    """The key's row, created if need be, locked until the transaction ends.

    The insert is the transaction's first write: on SQLite it takes the database's write
    lock; on PostgreSQL the row is then selected FOR UPDATE.
    """
    values = {"key": key, "failures": 0, "first_failure_at": now, "blocked_until": None}
    if db.engine.dialect.name == "postgresql":  # imported here: both dialects cost start-up
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(LoginThrottle).values(**values).on_conflict_do_nothing())
    return db.session.scalars(db.select(LoginThrottle).where(LoginThrottle.key == key)
                              .with_for_update().execution_options(populate_existing=True)).one()


def _forget_old_runs(cutoff: datetime) -> None:
    """Delete the counts no rule remembers any longer, so the table stays small.

    Rows another login holds locked are skipped (never waited for: that could deadlock).
    """
    stale = (db.select(LoginThrottle.key).where(
        LoginThrottle.first_failure_at < cutoff,
        db.or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < cutoff))
        .with_for_update(skip_locked=True))
    db.session.execute(db.delete(LoginThrottle).where(LoginThrottle.key.in_(stale)))


def _seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))
