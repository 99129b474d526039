"""The audit log in sentences (domain/audit_log.py): every event code the services record
reads as a sentence made of its stored details, never as `briefing.reschedule`."""
from __future__ import annotations

import re

import pytest

from nam_briefings import PROJECT_ROOT
from nam_briefings.domain.audit_log import SENTENCES, LoggedEvent, sentence, who
from nam_briefings.domain.constants import BUSY_KINDS

EDITOR = "editor@chair.example.org"
#: two briefings as `services.briefings` describes them
TUESDAY = "Tue 22 Apr 2025 10:00–11:30 (GRD, GIN, GNB, GUY)"
WEDNESDAY = "Wed 23 Apr 2025 10:00–11:30 (KEN, KWT, LSO, LAO)"


@pytest.mark.parametrize("event, said", [
    (LoggedEvent(EDITOR, "briefing.reschedule", "briefing", "3",
                 f"{TUESDAY} → Wed 23 Apr 2025 10:00–11:30 (GRD, GIN, GNB, GUY); sequence 1",
                 session=49),
     f"{EDITOR} moved the briefing of Tue 22 Apr 2025 (UPR session 49) to "
     "Wed 23 Apr 2025, 10:00–11:30."),
    (LoggedEvent(EDITOR, "briefing.confirm", "proposal", "0e71de88074d",
                 f"{TUESDAY}; {WEDNESDAY}", session=49, rank=1),
     f"{EDITOR} confirmed proposal 1 for UPR session 49: briefings on "
     "Tue 22 Apr 2025, 10:00–11:30 and Wed 23 Apr 2025, 10:00–11:30."),
    (LoggedEvent(EDITOR, "briefing.cancel", "briefing", "4",
                 f"{WEDNESDAY}; sequence 2; 242 notified", session=49),
     f"{EDITOR} cancelled the briefing of Wed 23 Apr 2025, 10:00–11:30 (UPR session 49); "
     "the cancellation went to 242 contacts."),
    (LoggedEvent(EDITOR, "briefing.new_agenda", "briefing", "4",
                 f"{WEDNESDAY}; sequence 3; 1 notified"),
     f"{EDITOR} sent the new agenda of the briefing of Wed 23 Apr 2025, 10:00–11:30; "
     "the new agenda went to 1 contact."),
    (LoggedEvent(EDITOR, "briefing.cancel", "briefing", "4",
                 f"{WEDNESDAY}; sequence 2; 0 notified"),
     f"{EDITOR} cancelled the briefing of Wed 23 Apr 2025, 10:00–11:30; no contact was sent "
     "the cancellation."),
    (LoggedEvent(EDITOR, "briefing.remind", "briefing", "4",
                 "12 reminders to the contacts of missions that have not answered", session=49),
     f"{EDITOR} sent 12 reminders to the contacts of missions that have not answered, for "
     "briefing 4 (UPR session 49)."),
    (LoggedEvent(EDITOR, "briefing.set_by_hand", "briefing", "5", TUESDAY, session=49),
     f"{EDITOR} set a briefing by hand for UPR session 49 on Tue 22 Apr 2025, 10:00–11:30 "
     "(GRD, GIN, GNB, GUY)."),
    (LoggedEvent("scheduler", "proposals.plan", "session", "49", "5 proposals"),
     "The scheduler planned UPR session 49: 5 proposals."),
    (LoggedEvent("system", "proposals.plan", "session", "50", "No NAM member is under review"),
     "The system planned UPR session 50, and no time fit: No NAM member is under review."),
    (LoggedEvent(EDITOR, "session.create", "session", "52", "cycle 5, 2026-01-26 to 2026-02-06"),
     f"{EDITOR} added UPR session 52 (cycle 5, 26 Jan – 6 Feb 2026)."),
    (LoggedEvent(EDITOR, "session.update", "session", "52",
                 "cycle 5 → 5, 2026-01-26 to 2026-02-06 → 2026-02-02 to 2026-02-13"),
     f"{EDITOR} changed UPR session 52: the dates from 26 Jan – 6 Feb 2026 to "
     "2 Feb – 13 Feb 2026."),
    (LoggedEvent(EDITOR, "session.publish", "session", "52",
                 "published by web form: 2026-01-26 to 2026-02-06; states under review in "
                 "order: KWT, NER"),
     f"{EDITOR} published UPR session 52 (26 Jan – 6 Feb 2026) by web form; "
     "order of review: KWT, NER."),
    (LoggedEvent(EDITOR, "review.move", "review", "52:KWT",
                 "KWT moved from session 51 to 52 by web form"),
     f"{EDITOR} moved the review of KWT from UPR session 51 to UPR session 52."),
    (LoggedEvent("system", "import.sessions", "sessions", "shipped upr_sessions.csv",
                 "sessions: added 14, changed 0, 0 already present"),
     "The system imported UPR sessions from shipped upr_sessions.csv: added 14, changed 0, "
     "0 already present."),
    (LoggedEvent(EDITOR, "import.reviews", "reviews", "review order of session 49",
                 "removed Sweden (SWE)"),
     f"{EDITOR} changed the order of review of UPR session 49: removed Sweden (SWE)."),
    (LoggedEvent("system", "forecast.apply", "cycle", "4", "expected sessions written: 52, 53"),
     "The system wrote the expected sessions 52, 53 of cycle 4 (forecast by the UPR rotation)."),
    (LoggedEvent(EDITOR, "closure.create", "busy_period", "9",
                 "UN Geneva closure (Eid al-Fitr): 2025-03-31 to 2025-03-31"),
     f"{EDITOR} added a closure: UN Geneva closure (Eid al-Fitr), Mon 31 Mar 2025."),
    (LoggedEvent(EDITOR, "meeting.create", "busy_period", "10",
                 "Bureau in Room XXIV, Palais des Nations: 2025-04-22 to 2025-04-24, "
                 "10:00–12:00"),
     f"{EDITOR} added a meeting of the chair: Bureau in Room XXIV, Palais des Nations, "
     "22 Apr – 24 Apr 2025, 10:00–12:00."),
    (LoggedEvent(EDITOR, "busy_period.delete", "busy_period", "9", "closure Eid al-Fitr"),
     f"{EDITOR} removed a closure: Eid al-Fitr."),
    (LoggedEvent(EDITOR, "room.update", "room", "2", "capacity 80 → 100", name="Room XX"),
     f"{EDITOR} changed the room Room XX (capacity 80 → 100)."),
    (LoggedEvent(EDITOR, "contact.update", "contact", "7", "role: deputy → ambassador"),
     f"{EDITOR} changed contact 7 (role: deputy → ambassador)."),
    (LoggedEvent(EDITOR, "mission.deactivate", "mission", "GUY", "Permanent Mission of Guyana"),
     f"{EDITOR} deactivated the mission Permanent Mission of Guyana."),
    (LoggedEvent("rsvp link: upr@guy.example.org", "invitation.answer", "invitation", "12",
                 "DECLINED for briefing 3 (NAM briefing before UPR49: Grenada, Guyana); "
                 "slot declined, agenda updated"),
     "upr@guy.example.org (answer link) declined the invitation to the NAM briefing before "
     "UPR49: Grenada, Guyana; slot declined, agenda updated."),
    (LoggedEvent("admin@chair.example.org", "user.set_role", "user", "3",
                 f"{EDITOR}: editor → viewer"),
     f"admin@chair.example.org changed the role of {EDITOR} from editor to viewer."),
    (LoggedEvent("cli:maria", "user.create", "user", "4", "new@chair.example.org as editor"),
     "maria (command line) created the editor account new@chair.example.org."),
    (LoggedEvent(EDITOR, "outbox.retry", "outbox_message", "17", "upr@guy.example.org"),
     f"{EDITOR} sent message 17 to upr@guy.example.org again."),
])
def test_each_event_reads_as_a_sentence_of_its_details(event, said):
    assert sentence(event) == said


def test_details_in_an_unexpected_wording_are_quoted_as_they_are():
    event = LoggedEvent(EDITOR, "briefing.reschedule", "briefing", "3", "moved by hand")
    assert sentence(event) == f"{EDITOR} moved a briefing: moved by hand."


def test_an_unknown_code_gets_a_generic_sentence_without_the_code():
    said = sentence(LoggedEvent(EDITOR, "thing.frobnicate", "some_thing", "8", "x → y"))
    assert said == f"{EDITOR} made a change to some thing 8: x → y."
    assert "frobnicate" not in said


@pytest.mark.parametrize("actor, said", [
    ("system", "the system"), ("cli:maria", "maria (command line)"),
    ("e-mail reply: upr@guy.example.org", "upr@guy.example.org (e-mail reply)"),
    ("portal: upr@guy.example.org (GUY)", "upr@guy.example.org (the GUY mission's page)"),
    (EDITOR, EDITOR)])
def test_who_did_it_reads_as_people_say_it(actor, said):
    assert who(actor) == said


def recorded_codes() -> set[str]:
    """Every event code the code base records: the literal codes next to `audit.record`, and
    the codes made from a kind (`import.<kind>`, `<busy kind>.create`)."""
    source = "\n".join(path.read_text() for path in (PROJECT_ROOT / "nam_briefings").rglob("*.py"))
    near_record = re.findall(r'(?:audit\.record\(\s*\w+,\s*|action = |_decided\(row, actor, )'
                             r'(f?"[^"]+"(?: if \w+ else "[^"]+")?)', source)
    codes = set()
    for found in near_record:
        codes.update(re.findall(r'"([^"]+)"', found))
    kinds = re.search(r"\n_APPLY: [^\n]* = \{([^}]*)\}", source)[1]  # services/calendar.py
    expanded = {f"import.{kind}" for kind in re.findall(r'"([\w-]+)":', kinds)}
    expanded |= {f"{kind}.create" for kind in BUSY_KINDS}
    return {code for code in codes if "{" not in code} | expanded


def test_every_recorded_code_has_its_own_sentence():
    codes = recorded_codes()
    assert {"briefing.reschedule", "briefing.confirm", "briefing.cancel", "user.deactivate",
            "import.hrc-sessions", "closure.create", "reply.reject"} <= codes  # the scan works
    generic = {code for code in codes
               if sentence(LoggedEvent(EDITOR, code, "x", "1", "d")).startswith(
                   f"{EDITOR} made a change")}
    assert generic == set()
    assert set(SENTENCES) <= codes, "a sentence for a code nobody records"


def test_the_sentences_are_written_by_the_phrasing_given():
    """Every word goes through the phrasing (its gettext, ngettext, days, times and lists):
    here one that marks each message <…> and writes days the ISO way."""
    from nam_briefings.domain.phrasing import Phrasing

    marked = Phrasing(gettext=lambda message, **values: f"<{message % values}>",
                      ngettext=lambda one, many, count, **values:
                          f"<{(one if count == 1 else many) % values}>",
                      day=lambda day: day.isoformat(), clock=lambda moment: f"{moment:%Hh%M}",
                      names=" + ".join, days=lambda first, last: f"{first}/{last}")
    cancelled = LoggedEvent(EDITOR, "briefing.cancel", "briefing", "4",
                            f"{WEDNESDAY}; sequence 2; 242 notified", session=49)
    assert sentence(cancelled, marked) == (
        f"{EDITOR} <<cancelled the briefing of <2025-04-23, 10h00–11h30> (UPR session 49)>; "
        "the cancellation went to 242 contacts>.")
    added = LoggedEvent("system", "session.create", "session", "52",
                        "cycle 5, 2026-01-26 to 2026-02-06")
    assert sentence(added, marked) == (
        "<the system> <added UPR session 52 (cycle 5, 2026-01-26/2026-02-06)>.")
    quoted = LoggedEvent("cli:maria", "briefing.reschedule", "briefing", "3", "moved by hand")
    assert sentence(quoted, marked) == "<maria (command line)> <<moved a briefing>: moved by hand>."
