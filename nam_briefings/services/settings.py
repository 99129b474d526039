"""The effective configuration, as the admin's Settings page shows it (secrets masked).

Read-only: settings come from environment variables (see the README), so the page says
what is in force and where to change it, never a secret's value.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import make_url

from ..domain import planner
from .briefings import configured_rules

#: shown instead of a secret's value
HIDDEN = "set (hidden)"
NOT_SET = "not set"


@dataclass(frozen=True)
class Setting:
    """One setting: the environment variable that sets it and its value as shown."""

    variable: str
    value: str
    meaning: str


def effective_settings(config: Mapping[str, Any]) -> dict[str, list[Setting]]:
    """The settings in force, grouped (mail, invitations, planning, service), secrets masked."""
    rules = configured_rules()
    return {
        "Mail": [
            Setting("MAIL_SERVER", f"{config.get('MAIL_SERVER')}:{config.get('MAIL_PORT')}",
                    "SMTP relay (host:port)"),
            Setting("MAIL_USE_TLS / MAIL_USE_SSL",
                    f"{_yes(config.get('MAIL_USE_TLS'))} / {_yes(config.get('MAIL_USE_SSL'))}",
                    "STARTTLS / implicit TLS to the relay"),
            Setting("MAIL_USERNAME", config.get("MAIL_USERNAME") or NOT_SET, "SMTP login"),
            Setting("MAIL_PASSWORD", _secret(config.get("MAIL_PASSWORD")), "SMTP password"),
            Setting("MAIL_DEFAULT_SENDER", str(config.get("MAIL_DEFAULT_SENDER") or NOT_SET),
                    "the From address"),
        ],
        "Invitations": [
            Setting("ORGANIZER_EMAIL", str(config.get("ORGANIZER_EMAIL")),
                    "the invitations' ORGANIZER; replies come back here"),
            Setting("ORGANIZER_NAME", str(config.get("ORGANIZER_NAME")), "the organizer's name"),
            Setting("SECRETARIAT_EMAIL", str(config.get("SECRETARIAT_EMAIL")),
                    "where notices go (new proposals, moved sessions)"),
            Setting("PUBLIC_BASE_URL", str(config.get("PUBLIC_BASE_URL")),
                    "base of the links in e-mails and feeds"),
            Setting("INVITE_OBSERVERS", _yes(config.get("INVITE_OBSERVERS")),
                    "also invite NAM observer missions"),
            Setting("AUTO_AGENDA_UPDATES", _yes(config.get("AUTO_AGENDA_UPDATES")),
                    "a presenter's decline sends the new agenda at once (else it waits for "
                    "the secretariat's decision)"),
            Setting("REMINDER_WORKING_DAYS", str(config.get("REMINDER_WORKING_DAYS")),
                    "reminders, working days before a briefing"),
            Setting("CHASER_WORKING_DAYS", str(config.get("CHASER_WORKING_DAYS")),
                    "chasers to presenters who have not confirmed, working days before"),
        ],
        "Answers by e-mail": [
            Setting("IMAP_HOST", f"{config.get('IMAP_HOST')}:{config.get('IMAP_PORT')}"
                    if config.get("IMAP_HOST") else "not set (replies are not read)",
                    "the organizer's mailbox (host:port)"),
            Setting("IMAP_TLS", str(config.get("IMAP_TLS")), "ssl, starttls or none"),
            Setting("IMAP_USER", config.get("IMAP_USER") or NOT_SET, "mailbox login"),
            Setting("IMAP_PASSWORD", _secret(config.get("IMAP_PASSWORD")), "mailbox password"),
            Setting("IMAP_FOLDER / IMAP_PROCESSED_FOLDER",
                    f"{config.get('IMAP_FOLDER')} / "
                    f"{config.get('IMAP_PROCESSED_FOLDER') or 'keyword $NamProcessed'}",
                    "where replies are read, and where read ones go"),
            Setting("REPLY_AUTHSERV_ID", config.get("REPLY_AUTHSERV_ID")
                    or "not set: no e-mailed answer is trusted (each waits on /replies)",
                    "the mailbox's server, as its Authentication-Results name it: only "
                    "answers whose sender it verified are applied by themselves"),
        ],
        "Mission portal": [
            Setting("PORTAL_LINK_MAX_AGE_DAYS", str(config.get("PORTAL_LINK_MAX_AGE_DAYS")),
                    "how long the link in an e-mail opens the mission's page"),
        ],
        "Planning": [
            Setting("PLANNING_HORIZON_DAYS", str(config.get("PLANNING_HORIZON_DAYS")),
                    "sessions starting within this many days get proposals automatically"),
            Setting("PLANNER_RULES", describe_rules(rules),
                    "the planner's rules in force (defaults with the overrides)"),
            Setting("TODAY", str(config.get("TODAY") or "not pinned (the real date)"),
                    "pins the service's day"),
        ],
        "Service": [
            Setting("DATABASE_URL", database_shown(str(config.get("SQLALCHEMY_DATABASE_URI"))),
                    "the database (password hidden)"),
            Setting("SECRET_KEY", _secret(config.get("SECRET_KEY")),
                    "signs sessions, CSRF tokens and RSVP links"),
            Setting("TIMEZONE", str(config.get("TIMEZONE")), "every time shown or entered"),
            Setting("SESSION_COOKIE_SECURE", _yes(config.get("SESSION_COOKIE_SECURE")),
                    "cookies only over HTTPS"),
        ],
    }


def describe_rules(rules: planner.Rules) -> str:
    """The main planner rules in one line, e.g. "window 15 working days; hours 10:00–13:00, …"."""
    return (f"window {rules.window_working_days} working days; hours {rules.describe_hours()}; "
            f"{rules.minutes_per_state} min per state, at most {rules.max_states_per_meeting} "
            f"per meeting; audience {rules.expected_audience}; observers "
            f"{'present' if rules.include_observers else 'do not present'}")


def database_shown(url: str) -> str:
    """A database URL with its password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as its scheme only
        return url.split(":", 1)[0] + ":…"


def _secret(value: Any) -> str:
    return HIDDEN if value else NOT_SET


def _yes(value: Any) -> str:
    return "yes" if value else "no"
