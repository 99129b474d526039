"""The audit page says each event in a sentence, naming the session of a briefing or a
proposal; the event's code and its details as recorded stay under "Technical details"."""
from __future__ import annotations

import re
from datetime import datetime

from nam_briefings.domain.calendar import GENEVA
from nam_briefings.services import briefings
from tests.integration.invitation_helpers import CONTACTS, SECRETARIAT, confirm_session_49
from tests.integration.web_helpers import page, text

WHO = SECRETARIAT.label


def outside_disclosures(html: str) -> str:
    """The page's text without what its "Technical details" disclosures hold."""
    return text(re.sub(r'<details class="technical">.*?</details>', "", html, flags=re.S))


def test_the_audit_log_reads_in_sentences_with_the_codes_folded_away(app, client, login):
    first, second = sorted(confirm_session_49(app), key=lambda briefing: briefing.start_at)
    briefings.reschedule(first.id, datetime(2025, 4, 24, 15, 0, tzinfo=GENEVA), None,
                         SECRETARIAT)
    briefings.cancel(second.id, SECRETARIAT)
    login("viewer")
    html = page(client, "/audit")
    shown = outside_disclosures(html)
    assert (f"{WHO} cancelled the briefing of Wed 23 Apr 2025, 10:00–11:30 (UPR session 49); "
            f"the cancellation went to {CONTACTS} contacts.") in shown
    assert (f"{WHO} moved the briefing of Tue 22 Apr 2025 (UPR session 49) to "
            "Thu 24 Apr 2025, 15:00–16:30.") in shown
    assert (f"{WHO} confirmed proposal 1 for UPR session 49: briefings on "
            "Tue 22 Apr 2025, 10:00–11:30 and Wed 23 Apr 2025, 10:00–11:30.") in shown
    assert f"{WHO} planned UPR session 49: 5 proposals." in shown
    assert "The system imported UPR sessions from shipped upr_sessions.csv: added" in shown
    assert shown.index("cancelled") < shown.index("moved") < shown.index("confirmed")
    for code in ("briefing.reschedule", "briefing.cancel", "briefing.confirm", "proposals.plan",
                 "import.sessions"):
        assert code not in shown
        assert f"Technical details Event {code} By " in text(html)
