"""Adding the next session by form (then its states under review) or by CSV import
(check, then import), editing a session, and the newcomer's path from the dashboard to
a confirmed briefing whose invitations wait in the outbox.

"Today" is the service's real day in this project, 1 December 2026. The shipped calendar is
seeded without the rotation's forecast (which would put 52–68 on file as expected): it ends
with session 51 (January 2026), so no session is upcoming and the next to add is 52 — the
secretariat's path when a session is published that is not on file.
"""
from __future__ import annotations

import io
import re
from datetime import date

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import Briefing, OutboxMessage, Proposal, Review, UprSession
from nam_briefings.services import briefings, fanout, outbox
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from nam_briefings.services.demo import create_demo_data
from tests.integration.web_helpers import (
    HTML,
    audit_trail,
    csrf_token,
    field_error,
    page,
    post,
    text,
)

#: the session the form suggests next; its dates are the test's own, ahead of "today"
SESSION_52 = {"number": "52", "cycle": "4", "start_date": "2027-01-25",
              "end_date": "2027-02-05"}
#: NAM members (Namibia, Niger, Mozambique) and one state outside NAM (Belgium), in review
#: order: session 38's states, due again in 52 (states already reviewed in this cycle would
#: be moved here as deferred reviews)
ORDER_52 = "BEL\nNAM\nNER\nMOZ\n"


@pytest.fixture
def shipped(app):
    app.config["TODAY"] = date(2026, 12, 1)
    seed_reference_data(Actor.system(), forecast=False)


def session(number: int) -> UprSession | None:
    db.session.expire_all()
    return db.session.scalar(db.select(UprSession).filter_by(number=number))


def review_order(number: int) -> list[str]:
    return list(db.session.scalars(db.select(Review.state_iso3).join(Review.session)
                                   .where(UprSession.number == number)
                                   .order_by(Review.position)))


# --- the form ------------------------------------------------------------------------------


def test_the_form_suggests_the_next_number_and_adds_the_session(client, login, shipped):
    login("editor")
    html = page(client, "/sessions/new")
    assert re.search(r'id="number"[^>]*value="52"', html)
    assert re.search(r'id="cycle"[^>]*value="4"', html)
    assert '<label for="start_date">First day</label>' in html

    response = post(client, "/sessions/new", SESSION_52)
    # the states form comes next, filled in with the states the rotation expects (38's)
    assert response.status_code == 302 and response.location == "/sessions/52/reviews?forecast=1"
    states_form = page(client, response.location)
    assert re.search(r"<textarea[^>]*>[^<]*\bNAM\b[^<]*\bSGP\b", states_form)
    added = session(52)
    assert (added.cycle, added.start_date, added.end_date) == (4, date(2027, 1, 25),
                                                               date(2027, 2, 5))
    assert audit_trail()[-1][1:] == ("session.create", "session", "52")
    assert "UPR session 52 added." in text(states_form)


@pytest.mark.parametrize("change, field, message", [
    ({"number": "50"}, "number", "session 50 already exists: edit it instead"),
    ({"number": "0"}, "number", "number '0' is not a whole number of at least 1"),
    ({"end_date": "2027-01-20"}, "end_date", "end_date 2027-01-20 is before start_date 2027-01-25"),
    ({"end_date": "2027-04-30"}, "end_date", "a Working Group session lasts weeks, not 96 days"),
    ({"start_date": "25/01/2027"}, "start_date", "Give the first day as YYYY-MM-DD."),
    ({"cycle": ""}, "cycle", "Give the cycle."),
])
def test_bad_input_is_refused_next_to_its_field_and_nothing_changes(client, login, shipped,
                                                                     change, field, message):
    login("editor")
    before = audit_trail()
    response = post(client, "/sessions/new", {**SESSION_52, **change})
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    assert session(52) is None and audit_trail() == before


def test_date_fields_give_no_format_the_browser_does_not_show(client, login, shipped):
    """A browser's date field shows the date its own way (25/01/2027, 1/25/2027): a
    "YYYY-MM-DD" hint above it only confused (issue 14)."""
    login("editor")
    html = page(client, "/sessions/new")
    assert 'type="date"' in html and "YYYY-MM-DD" not in html
    assert "The first day of the session." in text(html)


def test_viewers_cannot_add_or_edit_sessions(client, login, shipped):
    login("viewer")
    for url in ("/sessions/new", "/sessions/50/edit", "/sessions/50/reviews",
                "/sessions/import"):
        assert client.get(url, headers=HTML).status_code == 403
    assert post(client, "/sessions/new", SESSION_52).status_code == 403
    assert session(52) is None
    html = page(client, "/sessions/50")
    assert "/sessions/50/edit" not in html and "/sessions/50/reviews" not in html


# --- the states under review ---------------------------------------------------------------


def test_the_states_under_review_are_given_in_order(client, login, shipped):
    login("editor")
    post(client, "/sessions/new", SESSION_52)
    response = post(client, "/sessions/52/reviews", {"states": ORDER_52})
    assert response.status_code == 302 and response.location == "/sessions/52"
    assert review_order(52) == ["BEL", "NAM", "NER", "MOZ"]
    html = page(client, "/sessions/52")
    assert "States under review in session 52: 4 added, 0 changed, 0 removed, 0 unchanged." in text(html)
    assert "3 NAM members under review in this session" in text(html)


def test_the_list_is_the_whole_session_a_state_taken_out_is_removed(client, login, shipped):
    login("editor")
    post(client, "/sessions/new", SESSION_52)
    post(client, "/sessions/52/reviews", {"states": ORDER_52})
    kept = briefings.plan_session(52, Actor("test"), from_now=True).proposals
    assert kept
    assert re.search(r"<textarea[^>]*>\s*BEL\s+NAM\s+NER\s+MOZ\s*</textarea>",
                     page(client, "/sessions/52/reviews"))
    response = post(client, "/sessions/52/reviews", {"states": "MOZ\nBEL\nNAM\n"})
    assert response.status_code == 302
    assert review_order(52) == ["MOZ", "BEL", "NAM"]
    assert "0 added, 3 changed, 1 removed, 0 unchanged" in text(page(client, "/sessions/52"))
    assert audit_trail()[-2][1:] == ("import.reviews", "reviews", "review order of session 52")
    db.session.expire_all()
    assert all(p.status == "superseded" for p in db.session.scalars(db.select(Proposal)))


def test_a_state_presenting_at_a_confirmed_briefing_is_not_removed(app, client, login, shipped):
    app.config["TODAY"] = date(2025, 3, 3)
    key = briefings.plan_session(49, Actor("test")).proposals[0].key
    briefings.confirm_proposal(key, Actor("test"))
    before = review_order(49)
    login("editor")
    response = post(client, "/sessions/49/reviews",
                    {"states": "\n".join(code for code in before if code != "KWT")})
    assert response.status_code == 400
    assert ("KWT presents at a confirmed briefing of session 49: reschedule or cancel that "
            "briefing before removing them from the session") in text(response.get_data(as_text=True))
    assert review_order(49) == before
    # a state outside NAM can go: it presents at no briefing
    assert post(client, "/sessions/49/reviews",
                {"states": "\n".join(code for code in before if code != "SWE")}).status_code == 302
    assert review_order(49) == [code for code in before if code != "SWE"]


def test_a_bad_state_code_is_refused_with_its_line_and_nothing_is_saved(client, login, shipped):
    login("editor")
    post(client, "/sessions/new", SESSION_52)
    before = audit_trail()
    response = post(client, "/sessions/52/reviews", {"states": "NAM\nXYZ\nNER\nNAM"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    problems = text(html.split('id="review-problems"')[1].split("</div>")[0])
    assert "Line 2: unknown state 'XYZ': import it with the states first" in problems
    assert "Line 4:" in problems  # Namibia twice
    assert "2 problems found; nothing was imported" in field_error(html, "states")
    assert review_order(52) == [] and audit_trail() == before


# --- editing ----------------------------------------------------------------------------------


def test_moving_a_session_flags_its_confirmed_briefings(app, client, login, shipped):
    app.config["TODAY"] = date(2025, 3, 3)
    key = briefings.plan_session(49, Actor("test")).proposals[0].key
    briefings.confirm_proposal(key, Actor("test"))
    login("editor")
    html = page(client, "/sessions/49/edit")
    assert re.search(r'id="start_date"[^>]*value="2025-04-28"', html)
    response = post(client, "/sessions/49/edit", {"number": "49", "cycle": "4",
                                                   "start_date": "2025-05-05",
                                                   "end_date": "2025-05-16"})
    assert response.status_code == 302 and response.location == "/sessions/49"
    assert session(49).start_date == date(2025, 5, 5)
    flagged = db.session.scalars(db.select(Briefing)).all()
    assert flagged and all(b.needs_review for b in flagged)
    assert "Needs review:" in text(page(client, "/sessions/49"))
    refused = post(client, "/sessions/49/edit", {"number": "52", "cycle": "4",
                                                 "start_date": "2025-05-05",
                                                 "end_date": "2025-05-16"})
    assert refused.status_code == 400
    assert "A session's number cannot change" in field_error(refused.get_data(as_text=True),
                                                             "number")


# --- CSV import: check, then import ------------------------------------------------------------


def upload(client, kind: str, content: str, **extra) -> str:
    response = client.post("/sessions/import", headers=HTML, data={
        "csrf_token": csrf_token(client), "kind": kind,
        "file": (io.BytesIO(content.encode()), "sessions.csv"), **extra},
        content_type="multipart/form-data")
    db.session.rollback()
    return response


def test_an_upload_is_checked_first_then_imported(client, login, shipped):
    login("editor")
    csv_text = "number,cycle,start_date,end_date\n52,4,2027-01-25,2027-02-05\n" \
               "50,4,2025-11-03,2025-11-14\n"
    checked = upload(client, "sessions", csv_text)
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    preview = text(html.split('id="preview"')[1].split("</section>")[0])
    assert "sessions: would add 1, would change 0, 1 unchanged" in preview
    assert "Would add session 52" in preview
    assert session(52) is None  # checking is not importing

    # the preview carries the file's content to the "Import" button
    data = re.search(r'<textarea name="text" hidden aria-hidden="true">(.*?)</textarea>',
                     html, re.S).group(1)
    response = post(client, "/sessions/import", {"kind": "sessions", "apply": "1",
                                                 "text": data})
    assert response.status_code == 302 and response.location == "/sessions"
    assert session(52).start_date == date(2027, 1, 25)
    assert "Imported. sessions: added 1, changed 0, 1 unchanged." in text(page(client,
                                                                               "/sessions"))
    assert audit_trail()[-1][1] == "import.sessions"


def test_a_bad_file_lists_every_problem_and_imports_nothing(client, login, shipped):
    login("editor")
    before = audit_trail()
    response = upload(client, "reviews",
                      "session,iso3,position\n52,KWT,1\n50,XYZ,20\n")
    assert response.status_code == 400
    problems = text(response.get_data(as_text=True).split('id="import-problems"')[1]
                    .split("</div>")[0])
    assert "Line 2: unknown UPR session 52: import the sessions first" in problems
    assert "Line 3: unknown state 'XYZ'" in problems
    assert "Import" not in problems and audit_trail() == before


def test_an_empty_submission_asks_for_a_file(client, login, shipped):
    login("editor")
    response = post(client, "/sessions/import", {"kind": "sessions", "text": ""})
    assert response.status_code == 400
    assert "Choose a CSV file or paste its content." in field_error(
        response.get_data(as_text=True), "file")


# --- the newcomer's path ---------------------------------------------------------------------


def test_a_newcomer_follows_the_dashboard_to_invitations_in_the_outbox(client, login, shipped):
    """From "no upcoming session" to a confirmed briefing and its invitations queued."""
    create_demo_data(Actor.system())
    login("admin")
    dashboard = page(client, "/")
    assert "Add the next session" in dashboard
    assert post(client, "/sessions/new", SESSION_52).location.startswith("/sessions/52/reviews")
    assert post(client, "/sessions/52/reviews", {"states": ORDER_52}).location == "/sessions/52"

    dashboard = text(page(client, "/"))
    assert "Propose briefing times for session 52" in dashboard
    assert post(client, "/sessions/52/plan").location == "/sessions/52#briefing"
    assert "Confirm a proposal for session 52" in text(page(client, "/"))
    session_page = page(client, "/sessions/52")
    confirm_url = re.search(r'href="(/sessions/52/proposals/\w+/confirm)"', session_page).group(1)
    assert "Confirm" in text(page(client, confirm_url))
    assert post(client, confirm_url).location == "/sessions/52#briefing"

    fanout.compose_pending()  # what the delivery worker does first
    queued = db.session.scalars(db.select(OutboxMessage).filter_by(kind="request")).all()
    assert queued and all(m.status == "pending" for m in queued)
    assert outbox.status_counts()["pending"] >= len(queued)
    board = text(page(client, "/"))
    assert "1 confirmed briefing:" in board
    assert f"Waiting to be sent: {outbox.status_counts()['pending']}" in board
    assert "Invitation" in text(page(client, "/outbox"))
