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
from .languages import _, phrasing

@dataclass(frozen=True)
class Setting:
    """One setting: the environment variable that sets it, its value as shown and what it
    does (both in the page's language; names and values from the configuration as they are)."""

    variable: str
    value: str
    meaning: str


def effective_settings(config: Mapping[str, Any]) -> dict[str, list[Setting]]:
    """The settings in force, grouped (mail, invitations, planning, service), secrets masked,
    the groups' names and the words in the current language."""
    rules = configured_rules()
    not_set = _("not set")
    processed = config.get("IMAP_PROCESSED_FOLDER") or _("keyword $NamProcessed")
    return {
        _("Mail"): [
            Setting("MAIL_SERVER", f"{config.get('MAIL_SERVER')}:{config.get('MAIL_PORT')}",
                    _("SMTP relay (host:port)")),
            Setting("MAIL_USE_TLS / MAIL_USE_SSL",
                    f"{_yes(config.get('MAIL_USE_TLS'))} / {_yes(config.get('MAIL_USE_SSL'))}",
                    _("STARTTLS / implicit TLS to the relay")),
            Setting("MAIL_USERNAME", config.get("MAIL_USERNAME") or not_set, _("SMTP login")),
            Setting("MAIL_PASSWORD", _secret(config.get("MAIL_PASSWORD")), _("SMTP password")),
            Setting("MAIL_DEFAULT_SENDER", str(config.get("MAIL_DEFAULT_SENDER") or not_set),
                    _("the From address")),
        ],
        _("Invitations"): [
            Setting("ORGANIZER_EMAIL", str(config.get("ORGANIZER_EMAIL")),
                    _("the invitations' ORGANIZER; replies come back here")),
            Setting("ORGANIZER_NAME", str(config.get("ORGANIZER_NAME")),
                    _("the organizer's name")),
            Setting("SECRETARIAT_EMAIL", str(config.get("SECRETARIAT_EMAIL")),
                    _("where notices go (new proposals, moved sessions)")),
            Setting("PUBLIC_BASE_URL", str(config.get("PUBLIC_BASE_URL")),
                    _("base of the links in e-mails and feeds")),
            Setting("INVITE_OBSERVERS", _yes(config.get("INVITE_OBSERVERS")),
                    _("also invite NAM observer missions")),
            Setting("AUTO_AGENDA_UPDATES", _yes(config.get("AUTO_AGENDA_UPDATES")),
                    _("a presenter's decline sends the new agenda at once (else it waits for "
                      "the secretariat's decision)")),
            Setting("REMINDER_WORKING_DAYS", str(config.get("REMINDER_WORKING_DAYS")),
                    _("reminders, working days before a briefing")),
            Setting("CHASER_WORKING_DAYS", str(config.get("CHASER_WORKING_DAYS")),
                    _("chasers to presenters who have not confirmed, working days before")),
        ],
        _("Answers by e-mail"): [
            Setting("IMAP_HOST", f"{config.get('IMAP_HOST')}:{config.get('IMAP_PORT')}"
                    if config.get("IMAP_HOST") else _("not set (replies are not read)"),
                    _("the organizer's mailbox (host:port)")),
            Setting("IMAP_TLS", str(config.get("IMAP_TLS")), _("ssl, starttls or none")),
            Setting("IMAP_USER", config.get("IMAP_USER") or not_set, _("mailbox login")),
            Setting("IMAP_PASSWORD", _secret(config.get("IMAP_PASSWORD")),
                    _("mailbox password")),
            Setting("IMAP_FOLDER / IMAP_PROCESSED_FOLDER",
                    f"{config.get('IMAP_FOLDER')} / {processed}",
                    _("where replies are read, and where read ones go")),
            Setting("REPLY_AUTHSERV_ID", config.get("REPLY_AUTHSERV_ID")
                    or _("not set: no e-mailed answer is trusted (each waits on /replies)"),
                    _("the mailbox's server, as its Authentication-Results name it: only "
                      "answers whose sender it verified are applied by themselves")),
        ],
        _("Mission portal"): [
            Setting("PORTAL_LINK_MAX_AGE_DAYS", str(config.get("PORTAL_LINK_MAX_AGE_DAYS")),
                    _("how long the link in an e-mail opens the mission's page")),
        ],
        _("Planning"): [
            Setting("PLANNING_HORIZON_DAYS", str(config.get("PLANNING_HORIZON_DAYS")),
                    _("sessions starting within this many days get proposals automatically")),
            Setting("PLANNER_RULES", describe_rules(rules),
                    _("the planner's rules in force (defaults with the overrides)")),
            Setting("TODAY", str(config.get("TODAY") or _("not pinned (the real date)")),
                    _("pins the service's day")),
        ],
        _("Service"): [
            Setting("DATABASE_URL", database_shown(str(config.get("SQLALCHEMY_DATABASE_URI"))),
                    _("the database (password hidden)")),
            Setting("SECRET_KEY", _secret(config.get("SECRET_KEY")),
                    _("signs sessions, CSRF tokens and RSVP links")),
            Setting("TIMEZONE", str(config.get("TIMEZONE")), _("every time shown or entered")),
            Setting("SESSION_COOKIE_SECURE", _yes(config.get("SESSION_COOKIE_SECURE")),
                    _("cookies only over HTTPS")),
        ],
    }


def describe_rules(rules: planner.Rules) -> str:
    """The main planner rules in one line, e.g. "window 15 working days; hours 10:00–13:00, …"
    (in the current language)."""
    w = phrasing()
    return w.gettext(
        "window %(window)s; hours %(hours)s; %(minutes)s min per state, at most %(most)s per "
        "meeting; audience %(audience)s; %(observers)s",
        window=w.ngettext("%(num)d working day", "%(num)d working days",
                          rules.window_working_days, num=rules.window_working_days),
        hours=rules.describe_hours(w), minutes=rules.minutes_per_state, most=rules.max_states_per_meeting,
        audience=rules.expected_audience,
        observers=w.gettext("observers present") if rules.include_observers
        else w.gettext("observers do not present"))


def database_shown(url: str) -> str:
    """A database URL with its password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as its scheme only
        return url.split(":", 1)[0] + ":…"


def _secret(value: Any) -> str:
    return _("set (hidden)") if value else _("not set")


def _yes(value: Any) -> str:
    return _("yes") if value else _("no")
