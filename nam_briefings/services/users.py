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
        raise Invalid(f"a user {email} already exists", field="email")
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
        raise Invalid(f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
                      field="password")


def get_user_or_404(user_id: int) -> User:
    """The user with this id, or NotFound."""
    user = get_user(user_id)
    if user is None:
        raise NotFound(f"There is no user {user_id}.")
    return user


def set_role(user_id: int, role: str, actor: audit.Actor) -> bool:
    """Change an account's role; False when it already had it.

    Refuses (Invalid) to take the admin role from the last active administrator.
    """
    user = get_user_or_404(user_id)
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}: use one of {', '.join(ROLES)}", field="role")
    if user.role == role:
        return False
    if user.role == "admin":
        _keep_an_admin(user, "take the administrator role from")
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
        _keep_an_admin(user, "deactivate")
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


def _keep_an_admin(user: User, what: str) -> None:
    others = db.session.scalar(db.select(db.func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True), User.id != user.id)) or 0
    if user.active and not others:
        raise Invalid(f"{user.email} is the last active administrator: make another user an "
                      f"administrator before you {what} this account")
