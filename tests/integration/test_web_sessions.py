"""The sessions list, one session's page, the states roster and the audit log."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from nam_briefings.services import audit
from nam_briefings.services.audit import Actor
from nam_briefings.extensions import db
from tests.factories import create_mission, create_review, create_session, create_state
from tests.integration.web_helpers import page, text

TODAY = date(2024, 1, 24)


@pytest.fixture
def calendar(app):
    """Four sessions around TODAY: two past, one in progress, one upcoming.

    Session 45 (in progress) reviews Guyana (member, with a mission), Norway (not in NAM)
    and Brazil (observer); session 46 reviews Cuba (member).
    """
    app.config["TODAY"] = TODAY
    guyana = create_state("GUY", "Guyana", "member")
    norway = create_state("NOR", "Norway", "none", nam_joined=None)
    brazil = create_state("BRA", "Brazil", "observer")
    cuba = create_state("CUB", "Cuba", "member")
    create_mission("GUY", name="Permanent Mission of Guyana")
    create_session(43, 4, date(2023, 5, 1), date(2023, 5, 12))
    create_session(44, 4, date(2023, 11, 6), date(2023, 11, 17))
    current = create_session(45, 4, date(2024, 1, 22), date(2024, 2, 2))
    upcoming = create_session(46, 4, date(2024, 5, 6), date(2024, 5, 17))
    create_review(current, norway, 1, review_date=date(2024, 1, 22))
    create_review(current, guyana, 2, start_at=datetime(2024, 1, 23, 8, 0, tzinfo=timezone.utc),
                  end_at=datetime(2024, 1, 23, 11, 30, tzinfo=timezone.utc))
    create_review(current, brazil, 3)
    create_review(upcoming, cuba, 1, start_at=datetime(2024, 5, 7, 7, 0, tzinfo=timezone.utc))


def test_home_is_the_dashboard_with_a_link_to_every_session(client, login):
    login("viewer")
    html = page(client, "/")
    assert "<h1>Dashboard</h1>" in html and 'href="/sessions">Sessions</a>' in html


def test_sessions_list_upcoming_first_then_past(client, login, calendar):
    login("viewer")
    html = page(client, "/sessions")
    upcoming, past = html.split("Past sessions")
    order = [int(part.split()[0]) for part in text(html).split("UPR session ")[1:]]
    assert order == [45, 46, 44, 43]
    assert "UPR session 45" in upcoming and "UPR session 46" in upcoming
    assert "UPR session 44" in past and "UPR session 43" in past
    assert "Today is Wed 24 Jan 2024 in Geneva." in text(html)


def test_a_session_that_has_ended_is_shown_held_not_scheduled(client, login, calendar):
    login("viewer")
    content = text(page(client, "/sessions"))
    past = content.split("UPR session 44")[1].split("UPR session 43")[0]
    assert "· Held" in past and "Scheduled" not in past
    assert "Status Held" in text(page(client, "/sessions/44"))
    assert "Status Scheduled" in text(page(client, "/sessions/46"))  # still to come


def test_sessions_list_shows_states_in_review_order_with_their_nam_status(client, login,
                                                                         calendar):
    login("viewer")
    card = text(page(client, "/sessions")).split("UPR session 45")[1].split("UPR session 46")[0]
    assert ("Cycle 4 · 22 Jan – 2 Feb 2024 · Scheduled In progress "
            "1 NAM member under review, of 3 states. "
            "Norway (NOR) Not in NAM Guyana (GUY) NAM member Brazil (BRA) NAM observer") in card


def test_session_page_lists_reviews_and_presenting_candidates(client, login, calendar):
    login("viewer")
    html = page(client, "/sessions/45")
    content = text(html)
    assert "Venue Palais des Nations, Geneva" in content
    assert "Presenting candidates 1 NAM member under review in this session: " \
           "Guyana (GUY), review 2" in content
    assert ("1 Norway NOR Not in NAM Mon 22 Jan 2024 (time not published) No mission on file "
            "2 Guyana GUY Presenting candidate NAM member Tue 23 Jan 2024, 09:00 CET – 12:30 CET "
            "Mission of Guyana "
            "3 Brazil BRA NAM observer Day not published No mission on file") in content
    assert 'href="/missions/GUY"' in html
    summer = text(page(client, "/sessions/46"))
    assert "Tue 7 May 2024, 09:00 CEST" in summer


def test_an_unknown_session_is_404(client, login, calendar):
    login("viewer")
    assert "There is no UPR session number 99." in page(client, "/sessions/99", status=404)


# --- the states roster -----------------------------------------------------------------


@pytest.mark.parametrize("query, listed", [
    ("", ["Brazil", "Cuba", "Guyana"]),
    ("?status=member", ["Cuba", "Guyana"]),
    ("?status=observer", ["Brazil"]),
    ("?status=none", ["Norway"]),
    ("?status=all", ["Brazil", "Cuba", "Guyana", "Norway"]),
    ("?status=bogus", ["Brazil", "Cuba", "Guyana"]),
])
def test_states_roster_filters_by_nam_status(client, login, calendar, query, listed):
    login("viewer")
    html = page(client, f"/states{query}")
    table = text(html.split("<tbody>")[1]) if "<tbody>" in html else ""
    shown = [name for name in ("Brazil", "Cuba", "Guyana", "Norway") if name in table]
    assert shown == listed
    assert "2 NAM members and 1 observer (1 other state on file)." in text(html)


def test_states_roster_links_missions_and_offers_new_ones_to_editors(client, login, calendar):
    login("editor")
    html = page(client, "/states")
    assert '<a href="/missions/GUY">Permanent Mission of Guyana</a>' in html
    assert 'href="/missions/new?state=CUB"' in html


def test_viewers_are_not_offered_new_missions(client, login, calendar):
    login("viewer")
    html = page(client, "/states")
    assert "/missions/new" not in html and "None on file" in html


# --- the audit log ---------------------------------------------------------------------


def test_every_role_reads_the_audit_log_in_geneva_time(client, login):
    login("viewer")
    event = audit.record(Actor("editor@chair.example.org", None), "contact.update", "contact", 7,
                         "role: deputy → ambassador")
    event.at = datetime(2024, 7, 1, 12, 5, tzinfo=timezone.utc)
    db.session.commit()
    content = text(page(client, "/audit"))
    assert ("Mon 1 Jul 2024, 14:05 CEST editor@chair.example.org changed contact 7 "
            "(role: deputy → ambassador). Technical details Event contact.update") in content
