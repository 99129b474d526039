"""A briefing's own page: its roster and CSV export, and moving or cancelling it."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import Briefing
from nam_briefings.services import briefings, invitations, outbox
from tests.integration.invitation_helpers import (
    CONTACTS,
    MISSIONS,
    compose,
    confirm_session_49,
    invitation_for,
    outbox_messages,
    plan_session_49,
)
from tests.integration.web_helpers import HTML, audit_trail, field_error, page, post, text


@pytest.fixture
def confirmed(app) -> list[Briefing]:
    """Session 49's two briefings: Tue 22 Apr (Guyana presents), Wed 23 Apr (Kenya, Lao PDR)."""
    return confirm_session_49(app)


def fresh(briefing: Briefing) -> Briefing:
    db.session.expire_all()
    return db.session.get(Briefing, briefing.id)


def answer(briefing: Briefing, email: str, reply: str, comment: str = "") -> None:
    token = invitations.rsvp_token(invitation_for(briefing, email))
    briefings.answer_by_link(token, reply, comment=comment)


# --- the briefing's page and its roster ------------------------------------------------


def test_the_roster_lists_presenting_missions_first_with_each_contacts_answer(client, login,
                                                                            confirmed):
    second = confirmed[1]
    answer(second, "upr@lao.example.org", "accept", comment="Vice-minister presents")
    answer(second, "ambassador@ind.example.org", "decline")
    answer(second, "upr@ind.example.org", "tentative")
    login("viewer")
    html = page(client, f"/briefings/{second.id}")
    content = text(html)
    assert "Briefing of Wed 23 Apr 2025, 10:00 CEST – 11:30 CEST Confirmed" in content
    assert f"UID {second.uid} SEQUENCE 0" in content
    assert "Room Room XXIV, Palais des Nations" in content
    assert "Invited 8 contacts at 4 missions" in content
    assert "E-mails 16 pending" not in content and "E-mails 8 pending · 0 sending" in content
    # the agenda with each presenter's answer about its slot
    assert "1 Kenya KEN 10:10 CEST – 10:30 CEST Awaiting confirmation" in content
    assert "4 Lao People's Democratic Republic LAO 11:10 CEST – 11:30 CEST Confirmed" in content

    roster = content.split("Contacts' answers", 1)[1]
    order = [roster.index(name) for name in ("Kenya KEN", "Lao People's Democratic Republic LAO",
                                             "Guyana GUY", "India IND")]
    assert order == sorted(order), "presenters first (in agenda order), then the others"
    assert "Kenya KEN Presenter Awaiting confirmation No answer yet" in roster
    assert ("Lao People's Democratic Republic LAO Presenter Confirmed Accepted "
            "Ambassador LAO (Ambassador, ambassador@lao.example.org): No answer yet "
            "Focal point LAO (Focal point, upr@lao.example.org): Accepted, ") in roster
    assert "via link “Vice-minister presents”" in roster
    assert "India IND Tentative" in roster  # a mission counts by its best answer
    assert ("Missions' answers (each mission counts by its contacts' best answer): "
            "1 accepted · 1 tentative · 0 declined · 2 no answer yet.") in content
    assert f'href="/briefings/{second.id}/roster.csv"' in html
    # viewers may look, not change
    assert "/reschedule" not in html and "/cancel" not in html


def test_the_roster_downloads_as_csv(client, login, confirmed):
    second = confirmed[1]
    answer(second, "upr@ken.example.org", "accept", comment="Ambassador, 2 delegates")
    login("viewer")
    response = client.get(f"/briefings/{second.id}/roster.csv", headers=HTML)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="roster-upr49-2025-04-23-briefing-{second.id}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == CONTACTS
    assert [r["iso3"] for r in rows[::2]] == ["KEN", "LAO", "GUY", "IND"]
    assert {r["presenter"] for r in rows[:4]} == {"yes"} and {r["presenter"] for r in rows[4:]} == {"no"}
    kenya = next(r for r in rows if r["email"] == "upr@ken.example.org")
    assert (kenya["slot"], kenya["mission_answer"], kenya["answer"], kenya["answered_via"],
            kenya["comment"]) == ("confirmed", "ACCEPTED", "ACCEPTED", "link",
                                  "Ambassador, 2 delegates")
    assert kenya["answered_at"].endswith(("+01:00", "+02:00"))  # Geneva time


def test_the_session_page_links_each_briefing_to_its_page(client, login, confirmed):
    login("viewer")
    html = page(client, "/sessions/49")
    for briefing in confirmed:
        assert f'href="/briefings/{briefing.id}"' in html
    assert "Roster and answers" in text(html)


def test_confirming_says_who_is_invited_and_queues_the_invitations(app, client, login):
    key = plan_session_49(app)
    login("editor")
    assert ("Invitations to each go to the 8 active contacts of the invited NAM missions "
            "(queued in the outbox).") in text(page(client, f"/sessions/49/proposals/{key}/confirm"))
    post(client, f"/sessions/49/proposals/{key}/confirm")
    assert (f"Confirmed: 2 briefings for session 49; {2 * CONTACTS} invitations are being "
            "prepared and sent — follow them on the briefing pages: ") in text(
                page(client, "/sessions/49"))
    compose()
    assert len(outbox_messages(kind="request")) == 2 * CONTACTS


def test_an_unknown_briefing_is_404(client, login, confirmed):
    login("viewer")
    page(client, "/briefings/999999", status=404)
    page(client, "/briefings/999999/roster.csv", status=404)


def test_every_new_page_needs_a_login(client, confirmed):
    first = confirmed[0]
    for url in (f"/briefings/{first.id}", f"/briefings/{first.id}/roster.csv",
                f"/briefings/{first.id}/reschedule", f"/briefings/{first.id}/cancel",
                "/outbox", "/outbox/1", "/outbox/1.eml", "/outbox/1.ics"):
        response = client.get(url, headers=HTML)
        assert response.status_code == 302, url
        assert response.location.startswith("/login?next="), url


# --- rescheduling ------------------------------------------------------------------------


def test_rescheduling_previews_who_is_notified_then_sends_the_update(client, login, confirmed):
    first = confirmed[0]
    login("editor")
    assert 'href="/briefings/%d/reschedule"' % first.id in page(client, f"/briefings/{first.id}")
    html = page(client, f"/briefings/{first.id}/reschedule")
    content = text(html)
    assert (f"The updated invitation will be queued to 8 contacts at {len(MISSIONS)} missions."
            in content)
    assert (f"Technical details Calendar message METHOD:REQUEST Calendar UID {first.uid} "
            "(the same) SEQUENCE 0 → 1") in content
    assert 'name="day" required type="date" value="2025-04-22"' in html
    assert 'value="10:00"' in html
    assert "Leave empty to keep the length (90 minutes)." in content
    assert "Move the briefing and notify 8 contacts" in content
    assert fresh(first).sequence == 0  # looking changes nothing

    response = post(client, f"/briefings/{first.id}/reschedule",  # after the second briefing
                    {"day": "2025-04-24", "start_time": "15:00", "end_time": "",
                     "move_anyway": "y"})
    assert response.status_code == 302 and response.location == f"/briefings/{first.id}"
    moved = fresh(first)
    assert moved.uid == first.uid and moved.sequence == 1
    assert moved.start_at == datetime(2025, 4, 24, 13, 0, tzinfo=timezone.utc)
    assert moved.end_at == datetime(2025, 4, 24, 14, 30, tzinfo=timezone.utc)  # same length
    compose()
    updates = outbox_messages(briefing_id=first.id, sequence=1)
    assert len(updates) == CONTACTS
    assert {(m.kind, m.status) for m in updates} == {("request", "pending")}
    assert all("SEQUENCE:1" in m.ics and first.uid in m.ics.replace("\r\n ", "") for m in updates)
    after = text(page(client, f"/briefings/{first.id}"))
    assert ("Briefing moved to Thu 24 Apr 2025, 15:00 CEST – 16:30 CEST (SEQUENCE 1); "
            "update queued to 8 contacts — follow the delivery.") in after
    assert "SEQUENCE 1" in after
    assert audit_trail()[-1][1:] == ("briefing.reschedule", "briefing", str(first.id))


def test_rescheduling_with_an_end_time(client, login, confirmed):
    first = confirmed[0]
    login("editor")
    response = post(client, f"/briefings/{first.id}/reschedule",
                    {"day": "2025-04-24", "start_time": "10:00", "end_time": "12:00",
                     "move_anyway": "y"})
    assert response.status_code == 302
    moved = fresh(first)
    assert (moved.start_at.hour, moved.end_at.hour) == (8, 10)


@pytest.mark.parametrize("form, message, field", [
    ({"day": "2025-04-18", "start_time": "10:00"}, "Good Friday", None),
    ({"day": "2025-03-30", "start_time": "02:30"},
     "2025-03-30 02:30 does not exist in Europe/Zurich (clock change): the clocks go forward "
     "that night, choose another time", "start_time"),
    ({"day": "2025-04-24", "start_time": "10:00", "end_time": "09:00"},
     "The end must be after the start (same day).", "end_time"),
    ({"day": "24.04.2025", "start_time": "10:00"}, "Give the date as YYYY-MM-DD.", "day"),
    ({"day": "2025-04-24", "start_time": ""}, "Give the start time.", "start_time"),
])
def test_a_time_that_does_not_work_is_refused_and_nothing_changes(client, login, confirmed,
                                                                  form, message, field):
    first = confirmed[0]
    login("editor")
    pending = outbox.status_counts()["pending"]
    before = audit_trail()
    response = post(client, f"/briefings/{first.id}/reschedule", form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    if field:
        assert message in field_error(html, field)
    else:
        assert message in text(html.split('class="error-summary"')[1].split("</div>")[0])
    unchanged = fresh(first)
    assert (unchanged.sequence, unchanged.start_at) == (0, first.start_at)
    assert outbox.status_counts()["pending"] == pending
    assert audit_trail() == before


def test_a_time_in_the_past_needs_an_explicit_tick(client, login, confirmed):
    first = confirmed[0]
    login("editor")
    form = {"day": "2025-02-28", "start_time": "10:00"}
    refused = post(client, f"/briefings/{first.id}/reschedule", form)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert ("Fri 28 Feb 2025, 10:00 CET is in the past: tick the box to send the update for a "
            "past date anyway.") in field_error(html, "send_for_past")
    assert "Yes, send the update although this time is in the past" in text(html)
    assert fresh(first).sequence == 0

    response = post(client, f"/briefings/{first.id}/reschedule", {**form, "send_for_past": "y"})
    assert response.status_code == 302, text(response.get_data(as_text=True))
    assert fresh(first).sequence == 1


def test_a_briefing_in_the_past_shows_a_note(app, client, login, confirmed):
    first = confirmed[0]
    app.config["TODAY"] = date(2025, 5, 2)
    login("editor")
    assert "This briefing is in the past: it started Tue 22 Apr 2025, 10:00 CEST." in \
        text(page(client, f"/briefings/{first.id}"))
    assert "A new time in the past would send invitations for a past date" in \
        text(page(client, f"/briefings/{first.id}/reschedule"))
    assert "the cancellation will be sent for a past date" in \
        text(page(client, f"/briefings/{first.id}/cancel"))


# --- cancelling ----------------------------------------------------------------------------


def test_cancelling_previews_then_sends_method_cancel_to_everyone(client, login, confirmed):
    first = confirmed[0]
    login("editor")
    content = text(page(client, f"/briefings/{first.id}/cancel"))
    assert "A cancellation will be queued to 8 contacts at 4 missions" in content
    assert (f"Technical details Calendar message METHOD:CANCEL Calendar UID {first.uid} "
            "(the same) SEQUENCE 0 → 1") in content
    assert fresh(first).status == "confirmed"

    response = post(client, f"/briefings/{first.id}/cancel")
    assert response.status_code == 302 and response.location == f"/briefings/{first.id}"
    cancelled = fresh(first)
    assert (cancelled.status, cancelled.sequence, cancelled.uid) == ("cancelled", 1, first.uid)
    compose()
    messages = outbox_messages(briefing_id=first.id, kind="cancel")
    assert len(messages) == CONTACTS
    assert all(m.ics_method == "CANCEL" and m.sequence == 1 and "METHOD:CANCEL" in m.ics
               for m in messages)
    html = page(client, f"/briefings/{first.id}")
    assert ("Briefing cancelled; cancellation queued to 8 contacts — follow the delivery."
            in text(html))
    assert "Cancelled" in text(html) and "/reschedule" not in html

    again = post(client, f"/briefings/{first.id}/cancel")  # a double click: nothing more sent
    assert again.status_code in (302, 303)
    assert "already cancelled; nothing more was sent" in \
        text(client.get(again.headers["Location"], headers=HTML).get_data(as_text=True))
    assert len(outbox_messages(kind="cancel")) == CONTACTS
    assert "only a confirmed briefing can be moved" in \
        text(page(client, f"/briefings/{first.id}/reschedule"))
    moved = post(client, f"/briefings/{first.id}/reschedule",
                 {"day": "2025-04-24", "start_time": "15:00"})
    assert moved.status_code == 400
    assert "is cancelled: only a confirmed one moves" in text(moved.get_data(as_text=True))
    assert fresh(first).sequence == 1


def test_viewers_cannot_reschedule_or_cancel(client, login, confirmed):
    first = confirmed[0]
    login("viewer")
    before = (audit_trail(), outbox.status_counts())
    for url in (f"/briefings/{first.id}/reschedule", f"/briefings/{first.id}/cancel"):
        page(client, url, status=403)
    assert post(client, f"/briefings/{first.id}/reschedule",
                {"day": "2025-04-24", "start_time": "15:00"}).status_code == 403
    assert post(client, f"/briefings/{first.id}/cancel").status_code == 403
    unchanged = fresh(first)
    assert (unchanged.status, unchanged.sequence) == ("confirmed", 0)
    assert (audit_trail(), outbox.status_counts()) == before
