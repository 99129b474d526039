"""Secretariat accounts: creation, authentication (throttled, in constant time), the
password policy and the version that ends an account's login sessions."""
from __future__ import annotations

import re
import secrets
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.constants import ROLES
from ..domain.errors import Invalid, NotFound
from ..domain.local_dates import WRITTEN_LANGUAGES
from ..domain.validation import normalise_email
from ..extensions import db
from ..models import User, utcnow
from . import audit, throttle
from .languages import LANGUAGE_REFUSED, N_

MIN_PASSWORD_LENGTH = 12
#: one common or leaked password a line, lower case (see nam_briefings/data/README.md)
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
#: rows of the keyboard (and the digits), for spotting walks like "qwertyuiop" or "asdfgh"
KEYBOARD_ROWS = ("`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./",
                 "azertyuiop", "qsdfghjklm", "wxcvbn", "qwertzuiop", "yxcvbnm")
SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "01234567890")


def create_user(email: str, password: str, role: str, actor: audit.Actor) -> User:
    """Create an account; raises Invalid for a bad address, weak password or taken e-mail."""
    email = normalise_email(email)
    if role not in ROLES:
        raise _unknown_role(role)
    check_password_policy(password, email)
    if db.session.scalar(db.select(User).filter_by(email=email)):
        raise Invalid(N_("a user %(email)s already exists"), field="email",
                      params={"email": email})
    user = User(email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, f"{email} as {role}")
    db.session.commit()
    return user


def _unknown_role(role: str, field: str | None = None) -> Invalid:
    return Invalid(N_("unknown role %(role)s: use one of %(roles)s"), field=field,
                   params={"role": repr(role), "roles": ", ".join(ROLES)})


def log_in(email: str, password: str, address: str | None) -> User | None:
    """The active user with these credentials, or None, for the login form.

    Raises throttle.TooManyAttempts while the account or the client `address` is blocked
    (the password is then not even checked) and when this failure starts a block.
    """
    throttle.check(email, address)
    user = authenticate(email, password)
    if user is None:
        throttle.record_failure(email, address)
        return None
    throttle.record_success(email)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; records the login time.

    Takes as long for an unknown or inactive account as for a wrong password (a hash is
    always checked), so the time of the answer does not tell which accounts exist.
    """
    try:
        user = db.session.scalar(db.select(User).filter_by(email=normalise_email(email)))
    except Invalid:
        user = None
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


@cache
def _dummy_hash() -> str:
    """A hash of a random password, made as User.set_password makes them (same scheme)."""
    return generate_password_hash(secrets.token_urlsafe(16))


def end_sessions(user_id: int) -> None:
    """End every login session of the account (at logout, on every device)."""
    db.session.execute(db.update(User).where(User.id == user_id)
                       .values(session_version=User.session_version + 1))
    db.session.commit()


def get_user(user_id: int) -> User | None:
    """The user with this id, or None (used by the login manager)."""
    return db.session.get(User, user_id)


def user_count() -> int:
    """How many accounts exist."""
    return db.session.scalar(db.select(db.func.count()).select_from(User)) or 0


def set_password(email: str, password: str, actor: audit.Actor) -> None:
    """Replace an account's password; its login sessions end (on every device)."""
    user = db.session.scalar(db.select(User).filter_by(email=normalise_email(email)))
    if user is None:
        raise NotFound(N_("no user %(email)s"), params={"email": email})
    check_password_policy(password, user.email)
    user.set_password(password)
    user.session_version += 1
    audit.record(actor, "user.set_password", "user", user.id, user.email)
    db.session.commit()


def list_users() -> list[User]:
    """Every account, by e-mail."""
    return list(db.session.scalars(db.select(User).order_by(User.email)))


def check_password_policy(password: str, email: str) -> None:
    """Raise Invalid (field "password"), naming the rule, unless `password` is acceptable
    for the account `email`: at least 12 characters; not the e-mail address nor containing
    its name part; not a common or leaked password (also with digits or symbols added);
    no repeated short part; no keyboard walk or sequence. Letter case never matters."""
    lowered = password.lower()
    local_part = email.lower().partition("@")[0]
    if len(password) < MIN_PASSWORD_LENGTH:
        _refuse(N_("the password must have at least %(length)s characters: choose a longer "
                   "passphrase, e.g. a few unrelated words"), length=MIN_PASSWORD_LENGTH)
    if email.lower() in lowered or (len(local_part) >= 4 and local_part in lowered) \
            or _core(lowered) == local_part:
        _refuse(N_("the password must not be or contain the account's e-mail address: choose "
                   "a longer passphrase, e.g. a few unrelated words"))
    if lowered in common_passwords():
        _refuse(N_("this is a common password, found in lists of leaked passwords: choose a "
                   "longer passphrase, e.g. a few unrelated words"))
    if _core(lowered) in common_passwords():
        _refuse(N_("this is a common password with digits or symbols added: choose a longer "
                   "passphrase, e.g. a few unrelated words"))
    if len(set(lowered)) < 5 or _repeats(lowered):
        _refuse(N_("the password repeats a few characters or a shorter part (like aaaa or "
                   "abcabc): choose a longer passphrase, e.g. a few unrelated words"))
    if _is_walk(lowered):
        _refuse(N_("the password is a keyboard pattern or a sequence (like qwerty or 12345): "
                   "choose a longer passphrase, e.g. a few unrelated words"))


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common and leaked passwords, lower case."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def _refuse(message: str, **params: object) -> None:
    """Refuse the password: `message` names the rule broken and says what to do (one
    sentence for the translators)."""
    raise Invalid(message, field="password", params=params)


def _core(password: str) -> str:
    """The password without the digits and symbols around it ("!!monkey2026" -> "monkey")."""
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", password)


def _repeats(password: str) -> bool:
    """True when the password is one shorter part said again ("abcabcabc")."""
    return password in (password + password)[1:-1]


def _is_walk(password: str) -> bool:
    """True when the password is at most three runs of neighbouring keys or of a sequence
    ("qwertyuiopasdf", "123456789012", "zyxwvu9876")."""
    runs = 1
    for before, after in zip(password, password[1:]):
        if not _neighbours(before, after):
            runs += 1
    return runs <= 3


def _neighbours(a: str, b: str) -> bool:
    for row in KEYBOARD_ROWS + SEQUENCES:
        i, j = row.find(a), row.find(b)
        if i >= 0 and j >= 0 and abs(i - j) == 1:
            return True
    return False


def get_user_or_404(user_id: int) -> User:
    """The user with this id, or NotFound."""
    user = get_user(user_id)
    if user is None:
        raise NotFound(N_("There is no user %(number)s."), params={"number": user_id})
    return user


def set_role(user_id: int, role: str, actor: audit.Actor) -> bool:
    """Change an account's role; False when it already had it.

    Refuses (Invalid) to take the admin role from the last active administrator.
    """
    user = get_user_or_404(user_id)
    if role not in ROLES:
        raise _unknown_role(role, field="role")
    if user.role == role:
        return False
    if user.role == "admin":
        _keep_an_admin(user, N_("%(email)s is the last active administrator: make another "
                                "user an administrator before you take the administrator role "
                                "from this account"))
    audit.record(actor, "user.set_role", "user", user.id, f"{user.email}: {user.role} → {role}")
    user.role = role
    db.session.commit()
    return True


def set_active(user_id: int, active: bool, actor: audit.Actor) -> bool:
    """Activate or deactivate an account (it can no longer log in); False when it already was.

    Refuses (Invalid) to deactivate the last active administrator.
    """
    user = get_user_or_404(user_id)
    if user.active == active:
        return False
    if not active and user.role == "admin":
        _keep_an_admin(user, N_("%(email)s is the last active administrator: make another "
                                "user an administrator before you deactivate this account"))
    user.active = active
    audit.record(actor, "user.activate" if active else "user.deactivate", "user", user.id,
                 user.email)
    db.session.commit()
    return True


def reset_password(user_id: int, password: str, actor: audit.Actor) -> User:
    """Give an account a new password (e.g. a temporary one to pass on)."""
    user = get_user_or_404(user_id)
    set_password(user.email, password, actor)
    return user


def _keep_an_admin(user: User, refusal: str) -> None:
    """Refuse (Invalid: `refusal`, its %(email)s the user's) to leave no active administrator
    but `user`."""
    others = db.session.scalar(db.select(db.func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True), User.id != user.id)) or 0
    if user.active and not others:
        raise Invalid(refusal, params={"email": user.email})


def set_language(user_id: int, language: str | None, actor: audit.Actor) -> User:
    """Save the language a user reads the pages in: one of local_dates.WRITTEN_LANGUAGES,
    or None (empty) to follow the browser's Accept-Language. Anything else is Invalid
    (field "language") and changes nothing."""
    user = get_user_or_404(user_id)
    chosen = language or None
    if chosen is not None and chosen not in WRITTEN_LANGUAGES:
        raise Invalid(LANGUAGE_REFUSED, field="language")
    if user.language != chosen:
        audit.record(actor, "user.set_language", "user", user.id,
                     f"{user.email}: {user.language or 'browser'} → {chosen or 'browser'}")
        user.language = chosen
        db.session.commit()
    return user
