"""How much the database holds: the largest whole number and the longest text of each column.

Forms and CSV imports check input against these before anything reaches a query, so
that a value too big for its column is a clear refusal (PostgreSQL would raise an error;
SQLite would store it). They match the column sizes in models.py (a test compares them).
"""
from __future__ import annotations

#: the largest id or number a column holds (PostgreSQL `integer`, 32 bits, signed)
DATABASE_INT_MAX = 2**31 - 1

#: the longest text, in characters, of the columns people type into
STATE_NAME_MAX = 200
MISSION_NAME_MAX = 300
CONTACT_NAME_MAX = 200
EMAIL_MAX = 254
ROOM_NAME_MAX = 200
ROOM_LOCATION_MAX = 300
BUSY_LABEL_MAX = 200
#: a password is hashed, not stored; this only keeps hashing cheap and the field sane
PASSWORD_MAX = 1_000
#: the secretariat's note put into every e-mail of a change
NOTE_MAX_LENGTH = 2000


def digits_within_int_range(text: str, *, maximum: int = DATABASE_INT_MAX) -> bool:
    """True when `text` (digits only) is a number no larger than `maximum`.

    Checks the length first, so a 100,000-digit string is never handed to int() (which
    refuses more than 4,300 digits).
    """
    significant = text.lstrip("0")
    return len(significant) <= len(str(maximum)) and int(significant or "0") <= maximum
