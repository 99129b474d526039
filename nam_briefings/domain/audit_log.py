"""The audit log in sentences: "editor@… moved the briefing of Tue 22 Apr 2025 (UPR session
49) to Wed 23 Apr 2025, 10:00–11:30." instead of `briefing.reschedule`.

Each event code the services record has its sentence, built from what the event stored
(its target and its details, written by the service that recorded it) and what the log
looked up (`LoggedEvent.session`, `.rank`, `.name`). Details that do not read as expected
(an older wording) are quoted as they are; an unknown code gets a plain generic sentence.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from . import wording


@dataclass(frozen=True)
class LoggedEvent:
    """An audit event as stored, with what the log found out about its target."""

    actor: str
    action: str
    target_type: str = ""
    target_id: str = ""
    details: str = ""
    #: the UPR session of a briefing's or a proposal's event (None: not known)
    session: int | None = None
    #: a proposal's rank in its planning run
    rank: int | None = None
    #: the name of the contact or room changed
    name: str | None = None


#: the words after the actor's name, for one kind of event
Said = Callable[[LoggedEvent], str]
#: the same from the parts of the event's details (see `_reads`)
Reading = Callable[[re.Match, LoggedEvent], str]


def sentence(event: LoggedEvent) -> str:
    """The event as one sentence, its actor first, e.g. "The system planned UPR session 49: 5
    proposals."."""
    words = SENTENCES.get(event.action) or _family(event.action) or _generic
    actor = who(event.actor)
    if actor.startswith("the "):
        actor = actor.replace("the", "The", 1)
    return f"{actor} {words(event)}".rstrip(".") + "."


def who(actor: str) -> str:
    """Who did it, as people say it: "cli:maria" is "maria (command line)", an answer
    link's "rsvp link: a@b" is "a@b (answer link)"."""
    if actor in ("system", "scheduler"):
        return f"the {actor}"
    if actor.startswith("cli:"):
        return f"{actor[4:]} (command line)"
    for prefix, how in (("rsvp link: ", "answer link"), ("e-mail reply: ", "e-mail reply")):
        if actor.startswith(prefix):
            return f"{actor[len(prefix):]} ({how})"
    portal = re.fullmatch(r"portal: (\S+) \((\w+)\)", actor)
    if portal:
        return f"{portal[1]} (the {portal[2]} mission's page)"
    return actor


# --- pieces of details, as the services write them ----------------------------------------

#: a briefing as `services.briefings` describes it: "Tue 22 Apr 2025 10:00–11:30 (GRD, GIN)"
BRIEFING = re.compile(r"(\w{3} \d{1,2} \w{3} \d{4}) (\d{2}:\d{2})–(\d{2}:\d{2})(?: \(([^)]*)\))?")
ISO_DATE = r"\d{4}-\d{2}-\d{2}"


@dataclass(frozen=True)
class _Meeting:
    """A briefing read from details: its day, hours and presenting states."""

    day: str
    hours: str
    states: str

    @property
    def when(self) -> str:
        return f"{self.day}, {self.hours}"


def _meetings(text: str) -> list[_Meeting]:
    """The briefings a text describes, their days written by `wording`."""
    found = []
    for day, start, end, states in BRIEFING.findall(text):
        try:
            parsed = datetime.strptime(day, "%a %d %b %Y")
        except ValueError:
            continue
        found.append(_Meeting(wording.short_date(parsed), f"{start}–{end}", states))
    return found


def _dates(first: str, last: str) -> str:
    """Two ISO dates as "28 Apr – 9 May 2025", one day as "Mon 28 Apr 2025"."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return wording.short_date(start) if start == end else wording.date_range(start, end)


def _session(event: LoggedEvent, shown: str = " (UPR session {})") -> str:
    return shown.format(event.session) if event.session else ""


def _quoted(details: str) -> str:
    return f": {details}" if details else ""


def _reads(pattern: str, unread: str) -> Callable[[Reading], Said]:
    """A sentence made of details that read as `pattern` (all of them); details that do
    not (an older wording) are quoted after `unread`, formatted with the event."""
    def decorate(said: Reading) -> Said:
        def words(event: LoggedEvent) -> str:
            found = re.fullmatch(pattern, event.details)
            if found is None:
                return unread.format(event=event) + _quoted(event.details)
            return said(found, event)
        return words
    return decorate


# --- briefings and proposals ----------------------------------------------------------------

def _plan(event: LoggedEvent) -> str:
    if re.fullmatch(r"\d+ proposals?", event.details):
        return f"planned UPR session {event.target_id}: {event.details}"
    return f"planned UPR session {event.target_id}, and no time fit{_quoted(event.details)}"


def _confirm(event: LoggedEvent) -> str:
    proposal = f"proposal {event.rank}" if event.rank else "a proposal"
    session = _session(event, " for UPR session {}")
    meetings = _meetings(event.details)
    if not meetings:
        return f"confirmed {proposal}{session}{_quoted(event.details)}"
    made = "a briefing" if len(meetings) == 1 else "briefings"
    return (f"confirmed {proposal}{session}: {made} on "
            + wording.join_names([meeting.when for meeting in meetings]))


def _set_by_hand(event: LoggedEvent) -> str:
    session = _session(event, " for UPR session {}")
    meetings = _meetings(event.details)
    if not meetings:
        return f"set a briefing by hand{session}{_quoted(event.details)}"
    return f"set a briefing by hand{session} on {meetings[0].when} ({meetings[0].states})"


def _reschedule(event: LoggedEvent) -> str:
    meetings = _meetings(event.details)
    if len(meetings) != 2:
        return f"moved a briefing{_session(event)}{_quoted(event.details)}"
    old, new = meetings
    return f"moved the briefing of {old.day}{_session(event)} to {new.when}"


def _notified(details: str, what: str) -> str:
    """"; the <what> went to 242 contacts" from the details' "; 242 notified"."""
    count = re.search(r"; (\d+) notified", details)
    if count is None:
        return ""
    contacts = int(count[1])
    if not contacts:
        return f"; no contact was sent the {what}"
    return f"; the {what} went to {contacts} contact{'' if contacts == 1 else 's'}"


def _told(verb: str, what: str) -> Said:
    """A change everyone invited is sent: "cancelled the briefing of …; the cancellation
    went to 242 contacts" (`verb` "cancelled", `what` "cancellation")."""
    def words(event: LoggedEvent) -> str:
        meetings = _meetings(event.details)
        if not meetings:
            return f"{verb} a briefing{_session(event)}{_quoted(event.details)}"
        return (f"{verb} the briefing of {meetings[0].when}{_session(event)}"
                + _notified(event.details, what))
    return words


def _remind(event: LoggedEvent) -> str:
    reminders = event.details or "reminders"
    return f"sent {reminders}, for briefing {event.target_id}{_session(event)}"


# --- sessions, reviews, imports and the forecast --------------------------------------------

@_reads(rf"cycle (\d+), ({ISO_DATE}) to ({ISO_DATE})", "added UPR session {event.target_id}")
def _session_create(found: re.Match, event: LoggedEvent) -> str:
    return (f"added UPR session {event.target_id} (cycle {found[1]}, "
            f"{_dates(found[2], found[3])})")


@_reads(rf"cycle (\d+) → (\d+), ({ISO_DATE}) to ({ISO_DATE}) → ({ISO_DATE}) to ({ISO_DATE})",
        "changed UPR session {event.target_id}")
def _session_update(found: re.Match, event: LoggedEvent) -> str:
    changes = [f"the cycle from {found[1]} to {found[2]}"] if found[1] != found[2] else []
    old, new = _dates(found[3], found[4]), _dates(found[5], found[6])
    if old != new:
        changes.append(f"the dates from {old} to {new}")
    return f"changed UPR session {event.target_id}: " + (wording.join_names(changes) or "nothing")


@_reads(rf"published(?: by (.+?))?: ({ISO_DATE}) to ({ISO_DATE}); "
        r"states under review in order: (.*)", "published UPR session {event.target_id}")
def _publish(found: re.Match, event: LoggedEvent) -> str:
    source = f" by {found[1]}" if found[1] and found[1] != "import" else ""
    return (f"published UPR session {event.target_id} ({_dates(found[2], found[3])}){source}; "
            f"order of review: {found[4]}")


@_reads(r"(\w+) moved from session (\d+) to (\d+).*", "moved a review")
def _review_move(found: re.Match, event: LoggedEvent) -> str:
    return (f"moved the review of {found[1]} from UPR session {found[2]} to UPR session "
            f"{found[3]}")


#: what each CSV import brings in
IMPORTED = {"states": "states", "sessions": "UPR sessions", "reviews": "states under review",
            "hrc-sessions": "Human Rights Council sessions", "missions": "missions",
            "contacts": "contacts"}


def _import(event: LoggedEvent) -> str:
    kind = event.action.removeprefix("import.")
    counts = event.details.removeprefix(f"{kind}: ")
    order = re.fullmatch(r"review order of session (\d+)", event.target_id)
    if order:
        return f"changed the order of review of UPR session {order[1]}: {counts}"
    source = f" from {event.target_id}" if event.target_id else ""
    return f"imported {IMPORTED.get(kind, kind)}{source}: {counts}"


def _forecast(event: LoggedEvent) -> str:
    sessions = event.details.removeprefix("expected sessions written: ")
    return (f"wrote the expected sessions {sessions} of cycle {event.target_id} "
            "(forecast by the UPR rotation)")


# --- busy periods and rooms -----------------------------------------------------------------

#: a busy period of each kind, as the sentence names it
BUSY = {"closure": "a closure", "meeting": "a meeting of the chair",
        "blackout": "a mission's blackout", "hrc_session": "a Human Rights Council session"}


@_reads(rf"(.*): ({ISO_DATE}) to ({ISO_DATE})(, .*)?", "added a busy period")
def _busy_create(found: re.Match, event: LoggedEvent) -> str:
    kind = BUSY.get(event.action.removesuffix(".create"), "a busy period")
    return f"added {kind}: {found[1]}, {_dates(found[2], found[3])}{found[4] or ''}"


def _busy_delete(event: LoggedEvent) -> str:
    kind, _, label = event.details.partition(" ")
    if kind not in BUSY:
        return f"removed a busy period{_quoted(event.details)}"
    return f"removed {BUSY[kind]}: {label}"


def _room_create(event: LoggedEvent) -> str:
    if event.details.startswith("default room "):
        return f"added the default room, {event.details.removeprefix('default room ')}"
    return f"added the room {event.details}"


def _changed(what: str) -> Said:
    """A change to a room or contact: "changed the room Room XXIV (capacity: 80 → 100)"."""
    def words(event: LoggedEvent) -> str:
        named = f"the {what} {event.name}" if event.name else f"{what} {event.target_id}"
        return f"changed {named} ({event.details})" if event.details else f"changed {named}"
    return words


def _switched(what: str, on: bool) -> Said:
    """Activating or deactivating an account, mission, contact or room."""
    def words(event: LoggedEvent) -> str:
        verb = "activated" if on else "deactivated"
        return f"{verb} {what} {event.details}".rstrip()
    return words


# --- missions, contacts, feeds ----------------------------------------------------------------

def _mission_create(event: LoggedEvent) -> str:
    return f"added the mission of {event.target_id}: {event.details}"


def _mission_update(event: LoggedEvent) -> str:
    return f"changed the mission of {event.target_id} ({event.details})"


# --- invitations, replies, the outbox ----------------------------------------------------------

#: an answer (iCalendar PARTSTAT) as a verb
ANSWERED = {"ACCEPTED": "accepted", "TENTATIVE": "tentatively accepted",
            "DECLINED": "declined", "NEEDS-ACTION": "took back the answer to"}


@_reads(rf"({'|'.join(ANSWERED)}) for briefing \d+ \((.*?)\)((?:; [^;]*)*)",
        "answered an invitation")
def _answer(found: re.Match, event: LoggedEvent) -> str:
    return f"{ANSWERED[found[1]]} the invitation to the {found[2]}{found[3]}"


def _reply(verdict: str) -> Said:
    """The secretariat's decision on an unverified e-mail reply."""
    def words(event: LoggedEvent) -> str:
        return f"{verdict} an unverified e-mail reply{_quoted(event.details)}"
    return words


def _retry(event: LoggedEvent) -> str:
    return f"sent message {event.target_id} to {event.details} again"


def _retry_failed(event: LoggedEvent) -> str:
    return f"sent the failed messages again{_quoted(event.details)}"


# --- accounts ---------------------------------------------------------------------------------

def _user_create(event: LoggedEvent) -> str:
    email, _, role = event.details.rpartition(" as ")
    if not email:
        return f"created an account{_quoted(event.details)}"
    return f"created the {role} account {email}"


@_reads(r"(.+): (\w+) → (\w+)", "changed an account's role")
def _set_role(found: re.Match, event: LoggedEvent) -> str:
    return f"changed the role of {found[1]} from {found[2]} to {found[3]}"


def _generic(event: LoggedEvent) -> str:
    """An event this module does not know: what was changed, and its details."""
    target = " ".join(part for part in (event.target_type.replace("_", " "), event.target_id)
                      if part)
    return f"made a change{f' to {target}' if target else ''}{_quoted(event.details)}"


#: the sentence of each event code the services record (`_family` adds import.* and *.create)
SENTENCES: dict[str, Said] = {
    "proposals.plan": _plan,
    "briefing.confirm": _confirm,
    "briefing.set_by_hand": _set_by_hand,
    "briefing.reschedule": _reschedule,
    "briefing.cancel": _told("cancelled", "cancellation"),
    "briefing.new_agenda": _told("sent the new agenda of", "new agenda"),
    "briefing.remind": _remind,
    "session.create": _session_create,
    "session.update": _session_update,
    "session.publish": _publish,
    "review.move": _review_move,
    "forecast.apply": _forecast,
    "busy_period.delete": _busy_delete,
    "room.create": _room_create,
    "room.update": _changed("room"),
    "room.activate": _switched("the room", True),
    "room.deactivate": _switched("the room", False),
    "mission.create": _mission_create,
    "mission.update": _mission_update,
    "mission.activate": _switched("the mission", True),
    "mission.deactivate": _switched("the mission", False),
    "contact.create": lambda event: f"added the contact {event.details}",
    "contact.update": _changed("contact"),
    "contact.activate": _switched("the contact", True),
    "contact.deactivate": _switched("the contact", False),
    "feed.rotate": lambda event: ("replaced the calendar feed address of the mission of "
                                  f"{event.target_id}"),
    "feed.revoke": lambda event: f"switched off the calendar feed of the mission of "
                                 f"{event.target_id}",
    "invitation.answer": _answer,
    "reply.accept": _reply("accepted"),
    "reply.reject": _reply("rejected"),
    "outbox.retry": _retry,
    "outbox.retry_failed": _retry_failed,
    "user.create": _user_create,
    "user.set_password": lambda event: f"set a new password for {event.details}",
    "user.set_role": _set_role,
    "user.activate": _switched("the account", True),
    "user.deactivate": _switched("the account", False),
}


def _family(action: str) -> Said | None:
    """The codes made from a kind: "import.<kind>" and "<busy kind>.create"."""
    if action.startswith("import."):
        return _import
    if action.endswith(".create") and action.removesuffix(".create") in BUSY:
        return _busy_create
    return None
