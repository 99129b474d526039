"""Secretariat accounts: creation and authentication."""
from __future__ import annotations

from ..domain.constants import ROLES
from ..domain.validation import normalise_email
from ..extensions import db
from ..models import User, utcnow
from . import audit
from ..domain.errors import Invalid, NotFound

MIN_PASSWORD_LENGTH = 10


def create_user(email: str, password: str, role: str, actor: audit.Actor) -> User:
    """Create an account; raises Invalid for a bad address, weak password or taken e-mail."""
    email = normalise_email(email)
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    _check_password_strength(password)
    if db.session.scalar(db.select(User).filter_by(email=email)):
        raise Invalid(f"a user {email} already exists")
    user = User(email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, f"{email} as {role}")
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; records the login time."""
    try:
        email = normalise_email(email)
    except Invalid:
        return None
    user = db.session.scalar(db.select(User).filter_by(email=email))
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def get_user(user_id: int) -> User | None:
    """The user with this id, or None (used by the login manager)."""
    return db.session.get(User, user_id)


def user_count() -> int:
    """How many accounts exist."""
    return db.session.scalar(db.select(db.func.count()).select_from(User)) or 0


def set_password(email: str, password: str, actor: audit.Actor) -> None:
    """Replace an account's password."""
    _check_password_strength(password)
    user = db.session.scalar(db.select(User).filter_by(email=normalise_email(email)))
    if user is None:
        raise NotFound(f"no user {email}")
    user.set_password(password)
    audit.record(actor, "user.set_password", "user", user.id, user.email)
    db.session.commit()


def list_users() -> list[User]:
    """Every account, by e-mail."""
    return list(db.session.scalars(db.select(User).order_by(User.email)))


def _check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
