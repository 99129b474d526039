"""Configuration read from environment variables, with safe defaults.

No logic lives here beyond reading variables; `create_app` fills in what needs the
instance folder (the SQLite path and the generated secret key).
"""
import json
import os
from datetime import timedelta


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings for running the service; every value can be set from the environment."""

    #: SQLAlchemy URL; None means SQLite in the instance folder.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    #: None means "generate once into instance/secret_key".
    SECRET_KEY = os.environ.get("SECRET_KEY")
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/Zurich")
    ORGANIZER_EMAIL = os.environ.get("ORGANIZER_EMAIL", "nam-briefings@chair.example.org")
    ORGANIZER_NAME = os.environ.get("ORGANIZER_NAME", "NAM Chairmanship, Geneva")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    #: where notices for the secretariat go (new proposals, postponements, failures)
    SECRETARIAT_EMAIL = os.environ.get("SECRETARIAT_EMAIL", ORGANIZER_EMAIL)
    #: planner rule overrides as JSON, e.g. {"window_working_days": 20, "max_states_per_meeting": 5}
    PLANNER_RULES = json.loads(os.environ.get("PLANNER_RULES") or "{}")
    #: invite the contacts of NAM observer missions too (members are always invited)
    INVITE_OBSERVERS = _env_bool("INVITE_OBSERVERS", False)
    #: a presenter's decline sends the new agenda to everyone at once (true), or waits for
    #: the secretariat to choose: send it, re-plan the meeting or cancel it (the default)
    AUTO_AGENDA_UPDATES = _env_bool("AUTO_AGENDA_UPDATES", False)
    #: reminders go out this many working days before a briefing (09:00 Geneva)
    REMINDER_WORKING_DAYS = int(os.environ.get("REMINDER_WORKING_DAYS", "2"))
    #: presenting missions that have not confirmed are chased this many working days before
    CHASER_WORKING_DAYS = int(os.environ.get("CHASER_WORKING_DAYS", "4"))
    #: sessions starting within this many days get proposals automatically
    PLANNING_HORIZON_DAYS = int(os.environ.get("PLANNING_HORIZON_DAYS", "60"))
    #: how long a mission portal link (in every e-mail to a contact) stays valid
    PORTAL_LINK_MAX_AGE_DAYS = int(os.environ.get("PORTAL_LINK_MAX_AGE_DAYS", "180"))

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "8025"))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", ORGANIZER_EMAIL)

    #: a "sending" claim older than this is taken over from a dead worker (a live one
    #: refreshes its claims every 10 s; keep it above that plus the SMTP timeout)
    OUTBOX_STALE_CLAIM_SECONDS = float(os.environ.get("OUTBOX_STALE_CLAIM_SECONDS", "90"))
    #: how long to wait for the SMTP server at each step
    OUTBOX_SMTP_TIMEOUT_SECONDS = float(os.environ.get("OUTBOX_SMTP_TIMEOUT_SECONDS", "60"))

    #: the organizer's mailbox, read for iMIP replies (Accept / Decline buttons); empty: not read
    IMAP_HOST = os.environ.get("IMAP_HOST", "")
    #: "ssl" (implicit TLS, port 993), "starttls" or "none" (port 143)
    IMAP_TLS = os.environ.get("IMAP_TLS", "ssl").strip().lower()
    #: default: 993 with IMAP_TLS=ssl, else 143
    IMAP_PORT = int(os.environ.get("IMAP_PORT") or (993 if IMAP_TLS == "ssl" else 143))
    IMAP_USER = os.environ.get("IMAP_USER", "")
    IMAP_PASSWORD = os.environ.get("IMAP_PASSWORD", "")
    #: the folder the replies arrive in
    IMAP_FOLDER = os.environ.get("IMAP_FOLDER", "INBOX")
    #: empty: processed replies stay, marked with the keyword $NamProcessed (and \Seen);
    #: a folder name: they are moved there (for servers that keep no keywords)
    IMAP_PROCESSED_FOLDER = os.environ.get("IMAP_PROCESSED_FOLDER", "")
    #: a CA bundle to check the server's certificate with (default: the system's)
    IMAP_CA_FILE = os.environ.get("IMAP_CA_FILE") or None
    #: how long to wait for the IMAP server at each step
    IMAP_TIMEOUT_SECONDS = float(os.environ.get("IMAP_TIMEOUT_SECONDS", "60"))
    #: the authserv-id(s) of the mailbox's own server (comma-separated; "exchange-online" for
    #: Exchange Online's header, which names none): an e-mailed answer is applied only when its
    #: Authentication-Results from one of them vouch for the sender; empty: none is trusted
    REPLY_AUTHSERV_ID = os.environ.get("REPLY_AUTHSERV_ID", "")

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the login session
    #: a login lasts at most this long (from logging in), then the password is asked again
    SESSION_LIFETIME_HOURS = float(os.environ.get("SESSION_LIFETIME_HOURS", "12"))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_LIFETIME_HOURS)
    #: failed logins an account may have before it is blocked (1 min, doubling up to 1 h)
    LOGIN_ACCOUNT_FAILURES = int(os.environ.get("LOGIN_ACCOUNT_FAILURES", "5"))
    #: failed logins one client address may have within LOGIN_ADDRESS_WINDOW_SECONDS
    LOGIN_ADDRESS_FAILURES = int(os.environ.get("LOGIN_ADDRESS_FAILURES", "20"))
    LOGIN_ADDRESS_WINDOW_SECONDS = float(os.environ.get("LOGIN_ADDRESS_WINDOW_SECONDS", "900"))
    LOGIN_FIRST_BLOCK_SECONDS = float(os.environ.get("LOGIN_FIRST_BLOCK_SECONDS", "60"))
    LOGIN_LONGEST_BLOCK_SECONDS = float(os.environ.get("LOGIN_LONGEST_BLOCK_SECONDS", "3600"))
    #: send Strict-Transport-Security even on plain-HTTP requests (behind a TLS proxy);
    #: it is always sent on HTTPS requests and when SESSION_COOKIE_SECURE is on
    HSTS = _env_bool("HSTS", False)
    #: how many reverse proxies stand in front of the app and may be believed about the
    #: client's address and scheme (X-Forwarded-For / -Proto); 0: none, use the peer address
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))


class TestConfig(Config):
    """Settings for the test suite: an isolated database given by the fixture."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    MAIL_SUPPRESS_SEND = False
    IMAP_HOST = ""  # the tests that read a mailbox start their own server
