"""Moving a briefing with help: the planner's free times for it, and a warning (with a
"Move it anyway" tick) before a time that breaks the order of review is sent.

Session 49's two briefings (see `invitation_helpers`): Tue 22 Apr 2025, 10:00–11:30
(Grenada, Guinea, Guinea-Bissau, Guyana) and Wed 23 Apr, 10:00–11:30 (Kenya, Kuwait,
Lesotho, Lao PDR), in the order of review.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from nam_briefings.domain.calendar import GENEVA, is_working_day
from nam_briefings.extensions import db
from nam_briefings.models import Briefing, Fanout
from nam_briefings.services import briefings, clock, outbox
from nam_briefings.services.busy import add_closure
from tests.integration.invitation_helpers import SECRETARIAT, confirm_session_49, fresh
from tests.integration.web_helpers import audit_trail, field_error, page, post, text

ROOM = "Room XXIV, Palais des Nations"


@pytest.fixture
def confirmed(app) -> list[Briefing]:
    """Session 49's two confirmed briefings, in time order."""
    return confirm_session_49(app)


def offered(html: str) -> list[tuple[datetime, str]]:
    """The free times a reschedule page offers, as (Geneva start, its "Choose" link)."""
    found = []
    for href in re.findall(r'href="([^"]*reschedule\?[^"]*)"', html):
        link = unescape(href)
        query = parse_qs(urlsplit(link).query)
        if "day" not in query:  # the language switcher's links to the same page (?lang=)
            continue
        start = datetime.combine(date.fromisoformat(query["day"][0]),
                                 time.fromisoformat(query["start_time"][0]), GENEVA)
        found.append((start, link))
    return found


def nothing_changed(first: Briefing, before: tuple) -> bool:
    """The briefing kept its time and SEQUENCE; no fan-out, outbox message or audit event."""
    unchanged = fresh(first)
    return (unchanged.start_at, unchanged.sequence, _state()) == (first.start_at, 0, before)


def _state() -> tuple:
    fanouts = db.session.scalar(db.select(db.func.count()).select_from(Fanout))
    return fanouts, outbox.status_counts(), audit_trail()


def overlaps(start: datetime, end: datetime, briefing: Briefing) -> bool:
    return start < briefing.end_at and briefing.start_at < end


# --- the free times offered ------------------------------------------------------------------


def test_the_page_offers_free_times_of_the_same_length_clear_of_other_briefings(
        app, client, login, runner, tmp_path, confirmed):
    first, second = confirmed
    # another session's briefing on Thu 24 Apr, 10:00–11:30, and a closure on Thu 17 Apr
    (tmp_path / "s.csv").write_text("number,cycle,start_date,end_date\n"
                                    "149,9,2025-04-28,2025-05-09\n")
    (tmp_path / "r.csv").write_text("session,iso3,position\n149,IND,1\n")
    runner.invoke(args=["import", "sessions", str(tmp_path / "s.csv")])
    runner.invoke(args=["import", "reviews", str(tmp_path / "r.csv")])
    other = briefings.set_by_hand(149, datetime(2025, 4, 24, 10, 0, tzinfo=GENEVA),
                                  datetime(2025, 4, 24, 11, 30, tzinfo=GENEVA), ROOM, ["IND"],
                                  SECRETARIAT).briefing
    add_closure(date(2025, 4, 17), date(2025, 4, 17), "UN Geneva closure", SECRETARIAT)
    login("editor")

    for moving, neighbour in ((first, second), (second, first)):
        html = page(client, f"/briefings/{moving.id}/reschedule")
        times = offered(html)
        assert 3 <= len(times) <= 5, times
        content = text(html)
        assert "Free times for this briefing" in content
        length = moving.end_at - moving.start_at
        for start, _link in times:
            end = start + length
            assert start != moving.start_at and start > clock.now()
            assert is_working_day(start.date()) and start.date() != date(2025, 4, 17)
            assert time(10) <= start.time() and end.time() <= time(13) or \
                time(15) <= start.time() and end.time() <= time(18)
            assert not overlaps(start, end, neighbour) and not overlaps(start, end, other)
            assert f"{start:%a} {start.day} {start:%b %Y, %H:%M} CEST – " \
                   f"{end:%H:%M} CEST" in content
        # in the order of review, on another working day than the other meeting
        if moving is first:
            assert all(start + length <= second.start_at and start.date() < date(2025, 4, 23)
                       for start, _ in times)
        else:
            assert all(start >= first.end_at and start.date() > date(2025, 4, 22)
                       for start, _ in times)
    # each with its label and its reason in words, best first
    assert "Best" in content and re.search(r"\d working days? before the session", content)
    assert "1 working day after the previous meeting" in content


def test_choosing_a_free_time_fills_in_the_form_and_moves_without_a_warning(client, login,
                                                                            confirmed):
    first, _second = confirmed
    login("editor")
    start, link = offered(page(client, f"/briefings/{first.id}/reschedule"))[0]
    html = page(client, link)
    assert f'name="day" required type="date" value="{start:%Y-%m-%d}"' in html
    assert f'value="{start:%H:%M}"' in html
    assert 'class="free-time is-picked"' in html and "In the form" in text(html)

    response = post(client, f"/briefings/{first.id}/reschedule",
                    {"day": f"{start:%Y-%m-%d}", "start_time": f"{start:%H:%M}"})
    assert response.status_code == 302, text(response.get_data(as_text=True))
    assert (fresh(first).start_at, fresh(first).sequence) == (start, 1)


def test_no_free_time_is_in_the_past(app, client, login, confirmed):
    first, _second = confirmed
    app.config["TODAY"] = date(2025, 4, 17)
    times = briefings.reschedule_suggestions(first.id)
    assert times and all(t.start >= datetime(2025, 4, 17, tzinfo=GENEVA) for t in times)
    assert all(t.start != first.start_at for t in times)


# --- warnings before anything is sent ----------------------------------------------------------


@pytest.mark.parametrize("moved, day, sentence", [
    (0, "2025-04-24", "Grenada, Guinea, Guinea-Bissau and Guyana are reviewed before Kenya, "
                      "Kuwait, Lesotho and Lao People's Democratic Republic, so this briefing "
                      "should come before theirs (Wed 23 Apr 2025, 10:00)."),
    (1, "2025-04-14", "Kenya, Kuwait, Lesotho and Lao People's Democratic Republic are reviewed "
                      "after Grenada, Guinea, Guinea-Bissau and Guyana, so this briefing should "
                      "come after theirs (Tue 22 Apr 2025, 10:00)."),
])
def test_a_time_out_of_review_order_warns_first_and_changes_nothing(client, login, confirmed,
                                                                   moved, day, sentence):
    briefing = confirmed[moved]
    login("editor")
    before = _state()
    response = post(client, f"/briefings/{briefing.id}/reschedule",
                    {"day": day, "start_time": "15:00"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    warning = text(html.split('id="order-warning"')[1].split("</div>")[0])
    assert sentence in warning and "Move it anyway" in warning
    assert "This time breaks the order of review" in field_error(html, "move_anyway")
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert "This time breaks the order of review" in text(summary)  # at the top of the form
    assert nothing_changed(briefing, before)


def test_with_the_tick_the_briefing_moves_out_of_order(client, login, confirmed):
    first, _second = confirmed
    login("editor")
    response = post(client, f"/briefings/{first.id}/reschedule",
                    {"day": "2025-04-24", "start_time": "15:00", "move_anyway": "y"})
    assert response.status_code == 302
    moved = fresh(first)
    assert moved.start_at == datetime(2025, 4, 24, 15, 0, tzinfo=GENEVA) and moved.sequence == 1
    assert [f.kind for f in db.session.scalars(db.select(Fanout).filter_by(
        briefing_id=first.id).order_by(Fanout.id))] == ["invite", "update"]
    after = text(page(client, f"/briefings/{first.id}"))
    assert "Please note: Grenada, Guinea, Guinea-Bissau and Guyana are reviewed before" in after


def test_a_time_over_another_briefing_is_refused_at_the_top_of_the_form(client, login,
                                                                        confirmed):
    first, _second = confirmed
    login("editor")
    before = _state()
    for tick in ({}, {"move_anyway": "y"}):  # no tick lets it through
        response = post(client, f"/briefings/{first.id}/reschedule",
                        {"day": "2025-04-23", "start_time": "10:30", **tick})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        summary = text(html.split('class="error-summary"')[1].split("</div>")[0])
        assert ("this time does not work: overlaps this session's briefing of "
                "Wed 23 Apr 2025, 10:00–11:30") in summary
        assert 'id="order-warning"' not in html
    assert nothing_changed(first, before)


def test_another_sessions_briefing_far_from_the_window_is_a_collision_too(
        app, client, login, runner, tmp_path, confirmed):
    first, _second = confirmed
    app.config["TODAY"] = date(2024, 11, 4)
    (tmp_path / "s.csv").write_text("number,cycle,start_date,end_date\n"
                                    "148,9,2025-01-27,2025-02-07\n")
    (tmp_path / "r.csv").write_text("session,iso3,position\n148,IND,1\n")
    runner.invoke(args=["import", "sessions", str(tmp_path / "s.csv")])
    runner.invoke(args=["import", "reviews", str(tmp_path / "r.csv")])
    briefings.set_by_hand(148, datetime(2025, 1, 20, 10, 0, tzinfo=GENEVA),
                          datetime(2025, 1, 20, 11, 30, tzinfo=GENEVA), ROOM, ["IND"], SECRETARIAT)
    login("editor")
    before = _state()
    response = post(client, f"/briefings/{first.id}/reschedule",
                    {"day": "2025-01-20", "start_time": "11:00"})
    assert response.status_code == 400
    assert ("overlaps UPR session 148's briefing of Mon 20 Jan 2025, 10:00–11:30"
            in text(response.get_data(as_text=True)))
    assert nothing_changed(first, before)


def test_the_cli_still_moves_out_of_order_and_says_so(runner, confirmed):
    first, second = confirmed
    result = runner.invoke(args=["briefings", "reschedule", str(first.id),
                                 "--start", "2025-04-24T15:00"])
    assert result.exit_code == 0, result.output
    assert "note: Grenada, Guinea, Guinea-Bissau and Guyana are reviewed before" in result.stderr
    assert fresh(first).start_at == second.start_at + timedelta(days=1, hours=5)


def test_the_sessions_other_briefing_is_busy_even_with_no_order_to_keep(confirmed):
    first, second = confirmed
    guyana, kenya = (next(i.review for i in b.items if i.review.state_iso3 == iso3)
                     for b, iso3 in ((first, "GUY"), (second, "KEN")))
    positions = guyana.position, kenya.position
    for review, position in ((guyana, 999), (kenya, positions[0]), (guyana, positions[1])):
        review.position = position
        db.session.flush()
    db.session.commit()  # the two briefings' states now interleave in the order of review
    times = briefings.reschedule_suggestions(first.id)
    assert any(t.start.date() == date(2025, 4, 23) for t in times)
    assert not any(overlaps(t.start, t.end, second) for t in times)
