"""The audit log in sentences: "editor@… moved the briefing of Tue 22 Apr 2025 (UPR session
49) to Wed 23 Apr 2025, 10:00–11:30." instead of `briefing.reschedule`.

Each event code the services record has its sentence, built from what the event stored
(its target and its details, written by the service that recorded it) and what the log
looked up (`LoggedEvent.session`, `.rank`, `.name`). Details that do not read as expected
(an older wording) are quoted as they are; an unknown code gets a plain generic sentence.

The sentences are written in the language of a `phrasing.Phrasing` (its gettext, ngettext,
days, times and lists of names; English by default, `services.languages.phrasing()` gives
the page's). What the services recorded in their own words (a planner's reason, the fields
a change touched, a label typed in a form) is quoted as recorded, in English.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from .messages import N_
from .phrasing import ENGLISH, Phrasing



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


#: the words after the actor's name, for one kind of event, in a phrasing's language
Said = Callable[[LoggedEvent, Phrasing], str]
#: the same from the parts of the event's details (see `_reads`)
Reading = Callable[[re.Match, LoggedEvent, Phrasing], str]


def sentence(event: LoggedEvent, phrasing: Phrasing = ENGLISH) -> str:
    """The event as one sentence, its actor first, e.g. "The system planned UPR session 49: 5
    proposals."."""
    words = SENTENCES.get(event.action) or _family(event.action) or _generic
    actor = who(event.actor, phrasing)
    if event.actor in ("system", "scheduler") or actor.startswith("the "):
        actor = actor[:1].upper() + actor[1:]
    return f"{actor} {words(event, phrasing)}".rstrip(".") + "."


def who(actor: str, phrasing: Phrasing = ENGLISH) -> str:
    """Who did it, as people say it: "cli:maria" is "maria (command line)", an answer
    link's "rsvp link: a@b" is "a@b (answer link)"."""
    _ = phrasing.gettext
    if actor == "system":
        return _("the system")
    if actor == "scheduler":
        return _("the scheduler")
    if actor.startswith("cli:"):
        return _("%(name)s (command line)", name=actor[4:])
    if actor.startswith("rsvp link: "):
        return _("%(address)s (answer link)", address=actor.removeprefix("rsvp link: "))
    if actor.startswith("e-mail reply: "):
        return _("%(address)s (e-mail reply)", address=actor.removeprefix("e-mail reply: "))
    portal = re.fullmatch(r"portal: (\S+) \((\w+)\)", actor)
    if portal:
        return _("%(address)s (the %(mission)s mission's page)", address=portal[1],
                 mission=portal[2])
    return actor


# --- pieces of details, as the services write them ----------------------------------------

#: a briefing as `services.briefings` describes it: "Tue 22 Apr 2025 10:00–11:30 (GRD, GIN)"
BRIEFING = re.compile(r"(\w{3} \d{1,2} \w{3} \d{4}) (\d{2}:\d{2})–(\d{2}:\d{2})(?: \(([^)]*)\))?")
ISO_DATE = r"\d{4}-\d{2}-\d{2}"


@dataclass(frozen=True)
class _Meeting:
    """A briefing read from details: its day, its hours and presenting states."""

    day: date
    start: datetime
    end: datetime
    states: str

    def on(self, phrasing: Phrasing) -> str:
        """Its day, in the phrasing's language."""
        return phrasing.day(self.day)

    def when(self, phrasing: Phrasing) -> str:
        """Its day and hours: "Tue 22 Apr 2025, 10:00–11:30"."""
        hours = f"{phrasing.clock(self.start)}–{phrasing.clock(self.end)}"
        return phrasing.gettext("%(day)s, %(hours)s", day=self.on(phrasing), hours=hours)


def _meetings(text: str) -> list[_Meeting]:
    """The briefings a text describes."""
    found = []
    for day, start, end, states in BRIEFING.findall(text):
        try:
            parsed = datetime.strptime(day, "%a %d %b %Y").date()
        except ValueError:
            continue
        found.append(_Meeting(parsed, datetime.combine(parsed, time.fromisoformat(start)),
                              datetime.combine(parsed, time.fromisoformat(end)), states))
    return found


def _dates(first: str, last: str, phrasing: Phrasing) -> str:
    """Two ISO dates as "28 Apr – 9 May 2025", one day as "Mon 28 Apr 2025"."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return phrasing.day(start) if start == end else phrasing.days(start, end)


def _quoting(said: str, details: str, phrasing: Phrasing) -> str:
    """The words, then the details as they were recorded (when there are some)."""
    if not details:
        return said
    return phrasing.gettext("%(said)s: %(details)s", said=said, details=details)


def _reads(pattern: str, unread: str) -> Callable[[Reading], Said]:
    """A sentence made of details that read as `pattern` (all of them); details that do
    not (an older wording) are quoted after `unread` (a message with the event's
    %(id)s)."""
    def decorate(said: Reading) -> Said:
        def words(event: LoggedEvent, phrasing: Phrasing) -> str:
            found = re.fullmatch(pattern, event.details)
            if found is None:
                return _quoting(phrasing.gettext(unread, id=event.target_id), event.details,
                                phrasing)
            return said(found, event, phrasing)
        return words
    return decorate


# --- briefings and proposals ----------------------------------------------------------------

def _plan(event: LoggedEvent, phrasing: Phrasing) -> str:
    _, ngettext = phrasing.gettext, phrasing.ngettext
    planned = re.fullmatch(r"(\d+) proposals", event.details)
    if planned:  # (the service writes "proposals" whatever the count: English keeps it)
        count = int(planned[1])
        return ngettext("planned UPR session %(number)s: %(num)d proposals",
                        "planned UPR session %(number)s: %(num)d proposals", count,
                        number=event.target_id, num=count)
    if re.fullmatch(r"\d+ proposal", event.details):  # an older wording, quoted
        return _quoting(_("planned UPR session %(number)s", number=event.target_id),
                        event.details, phrasing)
    return _quoting(_("planned UPR session %(number)s, and no time fit",
                      number=event.target_id), event.details, phrasing)


def _confirm(event: LoggedEvent, phrasing: Phrasing) -> str:
    _, ngettext = phrasing.gettext, phrasing.ngettext
    proposal = _("proposal %(rank)s", rank=event.rank) if event.rank else _("a proposal")
    if event.session:
        said = _("confirmed %(proposal)s for UPR session %(number)s", proposal=proposal,
                 number=event.session)
    else:
        said = _("confirmed %(proposal)s", proposal=proposal)
    meetings = _meetings(event.details)
    if not meetings:
        return _quoting(said, event.details, phrasing)
    return ngettext("%(said)s: a briefing on %(when)s", "%(said)s: briefings on %(when)s",
                    len(meetings), said=said,
                    when=phrasing.names([meeting.when(phrasing) for meeting in meetings]))


def _set_by_hand(event: LoggedEvent, phrasing: Phrasing) -> str:
    _ = phrasing.gettext
    meetings = _meetings(event.details)
    if not meetings:
        said = (_("set a briefing by hand for UPR session %(number)s", number=event.session)
                if event.session else _("set a briefing by hand"))
        return _quoting(said, event.details, phrasing)
    meeting = meetings[0]
    if event.session:
        return _("set a briefing by hand for UPR session %(number)s on %(when)s (%(states)s)",
                 number=event.session, when=meeting.when(phrasing), states=meeting.states)
    return _("set a briefing by hand on %(when)s (%(states)s)", when=meeting.when(phrasing),
             states=meeting.states)


def _reschedule(event: LoggedEvent, phrasing: Phrasing) -> str:
    _ = phrasing.gettext
    meetings = _meetings(event.details)
    if len(meetings) != 2:
        said = (_("moved a briefing (UPR session %(number)s)", number=event.session)
                if event.session else _("moved a briefing"))
        return _quoting(said, event.details, phrasing)
    old, new = meetings
    if event.session:
        return _("moved the briefing of %(old)s (UPR session %(number)s) to %(new)s",
                 old=old.on(phrasing), number=event.session, new=new.when(phrasing))
    return _("moved the briefing of %(old)s to %(new)s", old=old.on(phrasing),
             new=new.when(phrasing))


def _notified(details: str) -> int | None:
    """How many contacts were sent a change, from the details' "; 242 notified"."""
    count = re.search(r"; (\d+) notified", details)
    return None if count is None else int(count[1])


def _cancel(event: LoggedEvent, phrasing: Phrasing) -> str:
    """"cancelled the briefing of …; the cancellation went to 242 contacts"."""
    _, ngettext = phrasing.gettext, phrasing.ngettext
    meetings = _meetings(event.details)
    if not meetings:
        said = (_("cancelled a briefing (UPR session %(number)s)", number=event.session)
                if event.session else _("cancelled a briefing"))
        return _quoting(said, event.details, phrasing)
    when = meetings[0].when(phrasing)
    said = (_("cancelled the briefing of %(when)s (UPR session %(number)s)", when=when,
              number=event.session)
            if event.session else _("cancelled the briefing of %(when)s", when=when))
    contacts = _notified(event.details)
    if contacts is None:
        return said
    if not contacts:
        return _("%(said)s; no contact was sent the cancellation", said=said)
    return ngettext("%(said)s; the cancellation went to %(num)d contact",
                    "%(said)s; the cancellation went to %(num)d contacts", contacts,
                    said=said, num=contacts)


def _new_agenda(event: LoggedEvent, phrasing: Phrasing) -> str:
    """"sent the new agenda of the briefing of …; the new agenda went to 242 contacts"."""
    _, ngettext = phrasing.gettext, phrasing.ngettext
    meetings = _meetings(event.details)
    if not meetings:
        said = (_("sent the new agenda of a briefing (UPR session %(number)s)",
                  number=event.session)
                if event.session else _("sent the new agenda of a briefing"))
        return _quoting(said, event.details, phrasing)
    when = meetings[0].when(phrasing)
    said = (_("sent the new agenda of the briefing of %(when)s (UPR session %(number)s)",
              when=when, number=event.session)
            if event.session else _("sent the new agenda of the briefing of %(when)s",
                                    when=when))
    contacts = _notified(event.details)
    if contacts is None:
        return said
    if not contacts:
        return _("%(said)s; no contact was sent the new agenda", said=said)
    return ngettext("%(said)s; the new agenda went to %(num)d contact",
                    "%(said)s; the new agenda went to %(num)d contacts", contacts,
                    said=said, num=contacts)


def _remind(event: LoggedEvent, phrasing: Phrasing) -> str:
    _, ngettext = phrasing.gettext, phrasing.ngettext
    sent = re.fullmatch(r"(\d+) reminders to the contacts of missions that have not answered",
                        event.details)
    if sent:
        count = int(sent[1])  # (the service writes "reminders" whatever the count)
        if event.session:
            return ngettext(
                "sent %(num)d reminders to the contacts of missions that have not answered, "
                "for briefing %(id)s (UPR session %(number)s)",
                "sent %(num)d reminders to the contacts of missions that have not answered, "
                "for briefing %(id)s (UPR session %(number)s)",
                count, num=count, id=event.target_id, number=event.session)
        return ngettext(
            "sent %(num)d reminders to the contacts of missions that have not answered, for "
            "briefing %(id)s",
            "sent %(num)d reminders to the contacts of missions that have not answered, for "
            "briefing %(id)s", count, num=count, id=event.target_id)
    reminders = event.details or _("reminders")
    if event.session:
        return _("sent %(reminders)s, for briefing %(id)s (UPR session %(number)s)",
                 reminders=reminders, id=event.target_id, number=event.session)
    return _("sent %(reminders)s, for briefing %(id)s", reminders=reminders,
             id=event.target_id)


# --- sessions, reviews, imports and the forecast --------------------------------------------

@_reads(rf"cycle (\d+), ({ISO_DATE}) to ({ISO_DATE})", N_("added UPR session %(id)s"))
def _session_create(found: re.Match, event: LoggedEvent, phrasing: Phrasing) -> str:
    return phrasing.gettext("added UPR session %(number)s (cycle %(cycle)s, %(dates)s)",
                            number=event.target_id, cycle=found[1],
                            dates=_dates(found[2], found[3], phrasing))


@_reads(rf"cycle (\d+) → (\d+), ({ISO_DATE}) to ({ISO_DATE}) → ({ISO_DATE}) to ({ISO_DATE})",
        N_("changed UPR session %(id)s"))
def _session_update(found: re.Match, event: LoggedEvent, phrasing: Phrasing) -> str:
    _ = phrasing.gettext
    changes = ([_("the cycle from %(old)s to %(new)s", old=found[1], new=found[2])]
               if found[1] != found[2] else [])
    old, new = _dates(found[3], found[4], phrasing), _dates(found[5], found[6], phrasing)
    if old != new:
        changes.append(_("the dates from %(old)s to %(new)s", old=old, new=new))
    return _("changed UPR session %(number)s: %(changes)s", number=event.target_id,
             changes=phrasing.names(changes) if changes else _("nothing"))


#: who publishes a session, as `services.calendar` names it
SOURCES = {"web form": N_("web form")}


@_reads(rf"published(?: by (.+?))?: ({ISO_DATE}) to ({ISO_DATE}); "
        r"states under review in order: (.*)", N_("published UPR session %(id)s"))
def _publish(found: re.Match, event: LoggedEvent, phrasing: Phrasing) -> str:
    _ = phrasing.gettext
    dates = _dates(found[2], found[3], phrasing)
    if found[1] and found[1] != "import":
        source = found[1]
        return _("published UPR session %(number)s (%(dates)s) by %(source)s; order of "
                 "review: %(states)s", number=event.target_id, dates=dates,
                 source=_(SOURCES[source]) if source in SOURCES else source, states=found[4])
    return _("published UPR session %(number)s (%(dates)s); order of review: %(states)s",
             number=event.target_id, dates=dates, states=found[4])


@_reads(r"(\w+) moved from session (\d+) to (\d+).*", N_("moved a review"))
def _review_move(found: re.Match, event: LoggedEvent, phrasing: Phrasing) -> str:
    return phrasing.gettext("moved the review of %(state)s from UPR session %(old)s to UPR "
                            "session %(new)s", state=found[1], old=found[2], new=found[3])


#: what each CSV import brings in: the sentence with its source, and without
IMPORTED = {
    "states": (N_("imported states from %(source)s: %(counts)s"),
               N_("imported states: %(counts)s")),
    "sessions": (N_("imported UPR sessions from %(source)s: %(counts)s"),
                 N_("imported UPR sessions: %(counts)s")),
    "reviews": (N_("imported states under review from %(source)s: %(counts)s"),
                N_("imported states under review: %(counts)s")),
    "hrc-sessions": (N_("imported Human Rights Council sessions from %(source)s: %(counts)s"),
                     N_("imported Human Rights Council sessions: %(counts)s")),
    "missions": (N_("imported missions from %(source)s: %(counts)s"),
                 N_("imported missions: %(counts)s")),
    "contacts": (N_("imported contacts from %(source)s: %(counts)s"),
                 N_("imported contacts: %(counts)s")),
}
#: an import's figures, as `services.calendar` writes them
IMPORT_COUNTS = re.compile(r"added (\d+), changed (\d+), (\d+) (already present|unchanged)"
                           r"(?:, removed (\d+))?")


def _counts(counts: str, phrasing: Phrasing) -> str:
    """An import's figures ("added 14, changed 0, 0 already present"); others as they are."""
    _ = phrasing.gettext
    found = IMPORT_COUNTS.fullmatch(counts)
    if found is None:
        return counts
    figures = {"added": found[1], "changed": found[2], "kept": found[3]}
    if found[4] == "already present":
        if found[5]:
            return _("added %(added)s, changed %(changed)s, %(kept)s already present, removed "
                     "%(removed)s", removed=found[5], **figures)
        return _("added %(added)s, changed %(changed)s, %(kept)s already present", **figures)
    if found[5]:
        return _("added %(added)s, changed %(changed)s, %(kept)s unchanged, removed %(removed)s",
                 removed=found[5], **figures)
    return _("added %(added)s, changed %(changed)s, %(kept)s unchanged", **figures)


def _import(event: LoggedEvent, phrasing: Phrasing) -> str:
    _ = phrasing.gettext
    kind = event.action.removeprefix("import.")
    counts = event.details.removeprefix(f"{kind}: ")
    order = re.fullmatch(r"review order of session (\d+)", event.target_id)
    if order:
        if counts.startswith("removed "):
            counts = _("removed %(states)s", states=counts.removeprefix("removed "))
        return _("changed the order of review of UPR session %(number)s: %(changes)s",
                 number=order[1], changes=counts)
    counts = _counts(counts, phrasing)
    if kind in IMPORTED:
        with_source, without = IMPORTED[kind]
        return (_(with_source, source=event.target_id, counts=counts) if event.target_id
                else _(without, counts=counts))
    if event.target_id:
        return _("imported %(what)s from %(source)s: %(counts)s", what=kind,
                 source=event.target_id, counts=counts)
    return _("imported %(what)s: %(counts)s", what=kind, counts=counts)


def _forecast(event: LoggedEvent, phrasing: Phrasing) -> str:
    sessions = event.details.removeprefix("expected sessions written: ")
    return phrasing.gettext("wrote the expected sessions %(sessions)s of cycle %(cycle)s "
                            "(forecast by the UPR rotation)", sessions=sessions,
                            cycle=event.target_id)


# --- busy periods and rooms -----------------------------------------------------------------

#: a busy period of each kind, as the sentence names it
BUSY = {"closure": N_("a closure"), "meeting": N_("a meeting of the chair"),
        "blackout": N_("a mission's blackout"),
        "hrc_session": N_("a Human Rights Council session")}
#: the hours of a busy period's details: ", 10:00–12:00"
HOURS = re.compile(r", (\d{2}:\d{2})–(\d{2}:\d{2})")


@_reads(rf"(.*): ({ISO_DATE}) to ({ISO_DATE})(, .*)?", N_("added a busy period"))
def _busy_create(found: re.Match, event: LoggedEvent, phrasing: Phrasing) -> str:
    _ = phrasing.gettext
    kind = BUSY.get(event.action.removesuffix(".create"), N_("a busy period"))
    dates = _dates(found[2], found[3], phrasing)
    hours = HOURS.fullmatch(found[4] or "")
    if hours:
        first = date.fromisoformat(found[2])
        start, end = (datetime.combine(first, time.fromisoformat(hours[1])),
                      datetime.combine(first, time.fromisoformat(hours[2])))
        return _("added %(kind)s: %(what)s, %(dates)s, %(hours)s", kind=_(kind), what=found[1],
                 dates=dates, hours=f"{phrasing.clock(start)}–{phrasing.clock(end)}")
    return _("added %(kind)s: %(what)s, %(dates)s", kind=_(kind), what=found[1],
             dates=dates) + (found[4] or "")


def _busy_delete(event: LoggedEvent, phrasing: Phrasing) -> str:
    _ = phrasing.gettext
    kind, _space, label = event.details.partition(" ")
    if kind not in BUSY:
        return _quoting(_("removed a busy period"), event.details, phrasing)
    return _("removed %(kind)s: %(what)s", kind=_(BUSY[kind]), what=label)


def _room_create(event: LoggedEvent, phrasing: Phrasing) -> str:
    _ = phrasing.gettext
    if event.details.startswith("default room "):
        return _("added the default room, %(name)s",
                 name=event.details.removeprefix("default room "))
    seats = re.fullmatch(r"(.+), (\d+) seats", event.details)
    if seats:
        return _("added the room %(name)s, %(seats)s seats", name=seats[1], seats=seats[2])
    return _("added the room %(details)s", details=event.details)


def _room_update(event: LoggedEvent, phrasing: Phrasing) -> str:
    """"changed the room Room XXIV (capacity 80 → 100)"."""
    _ = phrasing.gettext
    if event.name:
        said = _("changed the room %(name)s", name=event.name)
        return (_("changed the room %(name)s (%(details)s)", name=event.name,
                  details=event.details) if event.details else said)
    return (_("changed room %(id)s (%(details)s)", id=event.target_id, details=event.details)
            if event.details else _("changed room %(id)s", id=event.target_id))


def _contact_update(event: LoggedEvent, phrasing: Phrasing) -> str:
    """"changed the contact Jane Doe (role: deputy → ambassador)"."""
    _ = phrasing.gettext
    if event.name:
        said = _("changed the contact %(name)s", name=event.name)
        return (_("changed the contact %(name)s (%(details)s)", name=event.name,
                  details=event.details) if event.details else said)
    return (_("changed contact %(id)s (%(details)s)", id=event.target_id,
              details=event.details)
            if event.details else _("changed contact %(id)s", id=event.target_id))


#: activating and deactivating an account, mission, contact or room: "activated the room X"
SWITCHED = {
    "room.activate": N_("activated the room %(what)s"),
    "room.deactivate": N_("deactivated the room %(what)s"),
    "mission.activate": N_("activated the mission %(what)s"),
    "mission.deactivate": N_("deactivated the mission %(what)s"),
    "contact.activate": N_("activated the contact %(what)s"),
    "contact.deactivate": N_("deactivated the contact %(what)s"),
    "user.activate": N_("activated the account %(what)s"),
    "user.deactivate": N_("deactivated the account %(what)s"),
}


def _switched(event: LoggedEvent, phrasing: Phrasing) -> str:
    return phrasing.gettext(SWITCHED[event.action], what=event.details).rstrip()


# --- missions, contacts, feeds ----------------------------------------------------------------

def _mission_create(event: LoggedEvent, phrasing: Phrasing) -> str:
    return phrasing.gettext("added the mission of %(state)s: %(details)s",
                            state=event.target_id, details=event.details)


def _mission_update(event: LoggedEvent, phrasing: Phrasing) -> str:
    return phrasing.gettext("changed the mission of %(state)s (%(details)s)",
                            state=event.target_id, details=event.details)


def _contact_create(event: LoggedEvent, phrasing: Phrasing) -> str:
    return phrasing.gettext("added the contact %(details)s", details=event.details)


def _feed_rotate(event: LoggedEvent, phrasing: Phrasing) -> str:
    return phrasing.gettext("replaced the calendar feed address of the mission of %(state)s",
                            state=event.target_id)


def _feed_revoke(event: LoggedEvent, phrasing: Phrasing) -> str:
    return phrasing.gettext("switched off the calendar feed of the mission of %(state)s",
                            state=event.target_id)


# --- invitations, replies, the outbox ----------------------------------------------------------

#: an answer (iCalendar PARTSTAT) as a verb, to the briefing `services.invitations.summary`
#: described (in English)
ANSWERED_TO = {
    "ACCEPTED": N_("accepted the invitation to the NAM briefing before UPR%(number)s: "
                   "%(states)s"),
    "TENTATIVE": N_("tentatively accepted the invitation to the NAM briefing before "
                    "UPR%(number)s: %(states)s"),
    "DECLINED": N_("declined the invitation to the NAM briefing before UPR%(number)s: "
                   "%(states)s"),
    "NEEDS-ACTION": N_("took back the answer to the invitation to the NAM briefing before "
                       "UPR%(number)s: %(states)s")}
#: the same, to a briefing described otherwise
ANSWERED = {"ACCEPTED": N_("accepted the invitation to the %(briefing)s"),
            "TENTATIVE": N_("tentatively accepted the invitation to the %(briefing)s"),
            "DECLINED": N_("declined the invitation to the %(briefing)s"),
            "NEEDS-ACTION": N_("took back the answer to the invitation to the %(briefing)s")}
#: what an answer did besides, as `services.invitations` records it
RELEASED = {"slot declined, agenda updated": N_("slot declined, agenda updated"),
            "slot declined, new agenda waiting for the secretariat's decision":
                N_("slot declined, new agenda waiting for the secretariat's decision")}
#: a briefing as `services.invitations.summary` described it (in English)
SUMMARY = re.compile(r"NAM briefing before UPR(\d+): (.*)")


@_reads(rf"({'|'.join(ANSWERED)}) for briefing \d+ \((.*?)\)((?:; [^;]*)*)",
        N_("answered an invitation"))
def _answer(found: re.Match, event: LoggedEvent, phrasing: Phrasing) -> str:
    _ = phrasing.gettext
    briefing = SUMMARY.fullmatch(found[2])
    said = (_(ANSWERED_TO[found[1]], number=briefing[1], states=briefing[2]) if briefing
            else _(ANSWERED[found[1]], briefing=found[2]))
    for extra in found[3].split("; ")[1:]:
        said = _("%(said)s; %(more)s", said=said,
                 more=_(RELEASED[extra]) if extra in RELEASED else extra)
    return said


def _reply_accept(event: LoggedEvent, phrasing: Phrasing) -> str:
    """The secretariat's decision on an unverified e-mail reply."""
    return _quoting(phrasing.gettext("accepted an unverified e-mail reply"), event.details,
                    phrasing)


def _reply_reject(event: LoggedEvent, phrasing: Phrasing) -> str:
    return _quoting(phrasing.gettext("rejected an unverified e-mail reply"), event.details,
                    phrasing)


def _retry(event: LoggedEvent, phrasing: Phrasing) -> str:
    return phrasing.gettext("sent message %(id)s to %(address)s again", id=event.target_id,
                            address=event.details)


def _retry_failed(event: LoggedEvent, phrasing: Phrasing) -> str:
    return _quoting(phrasing.gettext("sent the failed messages again"), event.details, phrasing)


# --- accounts ---------------------------------------------------------------------------------

#: an account's role, as the sentences name it
ROLES = {"admin": N_("admin"), "editor": N_("editor"), "viewer": N_("viewer")}
#: a secretariat user's language (None, "browser": the browser's)
LANGUAGES = {"en": N_("English"), "fr": N_("French"), "es": N_("Spanish"), "ar": N_("Arabic"),
             "browser": N_("the browser's language")}


def _role(role: str, phrasing: Phrasing) -> str:
    return phrasing.gettext(ROLES[role]) if role in ROLES else role


def _user_create(event: LoggedEvent, phrasing: Phrasing) -> str:
    _ = phrasing.gettext
    email, _as, role = event.details.rpartition(" as ")
    if not email:
        return _quoting(_("created an account"), event.details, phrasing)
    return _("created the %(role)s account %(email)s", role=_role(role, phrasing), email=email)


@_reads(r"(.+): (\w+) → (\w+)", N_("changed an account's role"))
def _set_role(found: re.Match, event: LoggedEvent, phrasing: Phrasing) -> str:
    return phrasing.gettext("changed the role of %(email)s from %(old)s to %(new)s",
                            email=found[1], old=_role(found[2], phrasing),
                            new=_role(found[3], phrasing))


@_reads(r"(.+): (\w+) → (\w+)", N_("changed an account's language"))
def _set_language(found: re.Match, event: LoggedEvent, phrasing: Phrasing) -> str:
    _ = phrasing.gettext
    old, new = (_(LANGUAGES[code]) if code in LANGUAGES else code for code in found.group(2, 3))
    return _("changed the language of %(email)s from %(old)s to %(new)s", email=found[1],
             old=old, new=new)


def _set_password(event: LoggedEvent, phrasing: Phrasing) -> str:
    return phrasing.gettext("set a new password for %(email)s", email=event.details)


def _generic(event: LoggedEvent, phrasing: Phrasing) -> str:
    """An event this module does not know: what was changed, and its details."""
    _ = phrasing.gettext
    target = " ".join(part for part in (event.target_type.replace("_", " "), event.target_id)
                      if part)
    said = _("made a change to %(target)s", target=target) if target else _("made a change")
    return _quoting(said, event.details, phrasing)


#: the sentence of each event code the services record (`_family` adds import.* and *.create)
SENTENCES: dict[str, Said] = {
    "proposals.plan": _plan,
    "briefing.confirm": _confirm,
    "briefing.set_by_hand": _set_by_hand,
    "briefing.reschedule": _reschedule,
    "briefing.cancel": _cancel,
    "briefing.new_agenda": _new_agenda,
    "briefing.remind": _remind,
    "session.create": _session_create,
    "session.update": _session_update,
    "session.publish": _publish,
    "review.move": _review_move,
    "forecast.apply": _forecast,
    "busy_period.delete": _busy_delete,
    "room.create": _room_create,
    "room.update": _room_update,
    "mission.create": _mission_create,
    "mission.update": _mission_update,
    "contact.create": _contact_create,
    "contact.update": _contact_update,
    "feed.rotate": _feed_rotate,
    "feed.revoke": _feed_revoke,
    "invitation.answer": _answer,
    "reply.accept": _reply_accept,
    "reply.reject": _reply_reject,
    "outbox.retry": _retry,
    "outbox.retry_failed": _retry_failed,
    "user.create": _user_create,
    "user.set_password": _set_password,
    "user.set_role": _set_role,
    "user.set_language": _set_language,
    **{code: _switched for code in SWITCHED},
}


def _family(action: str) -> Said | None:
    """The codes made from a kind: "import.<kind>" and "<busy kind>.create"."""
    if action.startswith("import."):
        return _import
    if action.endswith(".create") and action.removesuffix(".create") in BUSY:
        return _busy_create
    return None
