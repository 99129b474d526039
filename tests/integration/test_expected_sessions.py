"""Expected sessions (foreseen by the UPR rotation, not yet published by OHCHR) wherever a
session shows; tentative proposals; confirming only with an explicit tick; publishing them
(by form or CSV import), with a deferred state's review moved from its old session.

On 2 December 2026: session 51 (January 2026, published) holds Myanmar, whose review was
deferred; session 54 (January 2027) is expected, forecast from session 40.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import icalendar
import pytest

from nam_briefings.domain.errors import Invalid
from nam_briefings.domain.imports import ImportRejected
from nam_briefings.extensions import db
from nam_briefings.models import (
    AuditEvent,
    Briefing,
    BriefingItem,
    Proposal,
    Review,
    UprSession,
)
from nam_briefings.services import briefings, calendar
from nam_briefings.services.audit import Actor
from tests.factories import create_room, create_state
from tests.integration.web_helpers import field_error, page, post, text

TODAY = date(2026, 12, 2)
SECRETARIAT = Actor("secretariat@chair.example.org")
EXPECTED = "expected (forecast from session 40; dates and order not yet published)"
NOTE = ("Tentative: session 54 is expected (forecast), its dates and order of review are "
        "not yet published.")
TICK = "I understand session 54 is expected: its dates are not yet published"
ROOM = "Room XXIV"


@pytest.fixture
def calendar_2026(app):
    """States, a room, session 51 (held in January 2026, with Myanmar) and session 54,
    expected from 18 to 29 January 2027 with three NAM members and France."""
    app.config["TODAY"] = TODAY
    for iso3, name, status in [("LBN", "Lebanon", "member"), ("MRT", "Mauritania", "member"),
                               ("RWA", "Rwanda", "member"), ("FRA", "France", "none"),
                               ("MMR", "Myanmar", "member"), ("NPL", "Nepal", "member")]:
        create_state(iso3, name, status)
    create_room(ROOM)
    s51 = UprSession(number=51, cycle=4, start_date=date(2026, 1, 19),
                     end_date=date(2026, 1, 30))
    s54 = UprSession(number=54, cycle=4, start_date=date(2027, 1, 18),
                     end_date=date(2027, 1, 29), status="expected", forecast_from=40)
    db.session.add_all([s51, s54])
    db.session.flush()
    for position, iso3 in enumerate(["NPL", "MMR"], 1):
        db.session.add(Review(session_id=s51.id, state_iso3=iso3, position=position))
    for position, iso3 in enumerate(["LBN", "FRA", "MRT", "RWA"], 1):
        db.session.add(Review(session_id=s54.id, state_iso3=iso3, position=position))
    db.session.commit()
    return s54


def session(number: int) -> UprSession:
    db.session.expire_all()
    return db.session.scalar(db.select(UprSession).filter_by(number=number))


def states_of(number: int) -> list[str]:
    return [review.state_iso3 for review in session(number).reviews]


def open_proposals(number: int) -> list[Proposal]:
    return briefings.open_proposals(number)


def audit_details(action: str) -> list[str]:
    return list(db.session.scalars(db.select(AuditEvent.details).filter_by(action=action)
                                   .order_by(AuditEvent.id)))


def _briefing(number: int, status: str, iso3: str, day: date) -> Briefing:
    """A briefing of session `number` (stored directly) with `iso3` on its agenda."""
    target = session(number)
    review = next(r for r in target.reviews if r.state_iso3 == iso3)
    start = datetime.combine(day, datetime.min.time(), timezone.utc) + timedelta(hours=9)
    briefing = Briefing(session=target, status=status, start_at=start,
                        end_at=start + timedelta(hours=1), uid=f"test-{number}-{iso3}@x",
                        sequence=1 if status == "cancelled" else 0)
    briefing.items.append(BriefingItem(review=review, position=1, start_at=start,
                                       end_at=start + timedelta(minutes=30),
                                       slot_status="declined"))
    db.session.add(briefing)
    db.session.commit()
    return briefing


# --- marked as expected wherever it shows ---------------------------------------------------


def test_the_dashboard_marks_the_expected_session(client, login, calendar_2026):
    login("viewer")
    shown = text(page(client, "/"))
    card = shown.split("UPR session 54", 1)[1]
    assert "Expected" in card and EXPECTED in card
    assert "order of review not yet published" in card
    assert "Lebanon" in card and "Rwanda" in card


def test_the_sessions_list_and_the_session_page_mark_it(client, login, calendar_2026):
    login("viewer")
    listing = text(page(client, "/sessions"))
    assert EXPECTED in listing.split("UPR session 54", 1)[1].split("UPR session 51")[0]
    shown = text(page(client, "/sessions/54"))
    assert EXPECTED in shown
    assert "order of review not yet published" in shown
    assert "review 1" not in shown  # no position is said where the order shows
    published = text(page(client, "/sessions/51"))
    assert "forecast" not in published and "not yet published" not in published
    assert "review 1" in published


def test_the_timeline_draws_the_session_as_expected_with_a_legend_and_says_so(client, login,
                                                                           calendar_2026):
    login("viewer")
    html = page(client, "/sessions/54")
    assert 'class="session session--expected"' in html
    legend = text(html.split('class="legend"')[1].split("</ul>")[0])
    assert "UPR session, expected (dashed: dates not yet published)" in legend
    table = html.split("The timeline as a table")[1].split("</table>")[0]
    row = next(r for r in table.split("<tr")[1:] if "UPR54" in r)
    assert "UPR session 54 (expected)" in text(row) and EXPECTED in text(row)
    assert "session--expected" not in page(client, "/sessions/51")


def feed_events(client) -> tuple[dict[str, icalendar.Event], bytes, str]:
    response = client.get("/feeds/upr.ics")
    assert response.status_code == 200
    parsed = icalendar.Calendar.from_ical(response.data)
    return ({str(e["UID"]): e for e in parsed.walk("VEVENT")}, response.data,
            response.headers["ETag"])


def test_the_upr_feed_has_the_expected_session_tentative_and_stable(client, calendar_2026):
    events, body, etag = feed_events(client)
    expected = events["upr-session-54@nam-briefings"]
    assert str(expected["STATUS"]) == "TENTATIVE"
    assert "(expected)" in str(expected["SUMMARY"])
    assert EXPECTED in str(expected["DESCRIPTION"])
    assert "order of review not yet published" in str(expected["DESCRIPTION"])
    published = events["upr-session-51@nam-briefings"]
    assert str(published["STATUS"]) == "CONFIRMED" and "expected" not in str(published["SUMMARY"])
    client.application.extensions.pop("nam_feeds", None)  # forget the rendered feeds
    again = feed_events(client)
    assert (again[1], again[2]) == (body, etag)


# --- the planner proposes for it, tentatively ------------------------------------------------


def test_proposals_for_an_expected_session_are_tentative_in_every_reason(calendar_2026):
    plan = briefings.plan_session(54, SECRETARIAT, from_now=True)
    assert plan.proposals
    for proposal in plan.proposals:
        assert proposal.reasons[0] == NOTE
        assert all(reason.startswith("(Tentative) ") for reason in proposal.reasons[1:])


def test_nothing_fits_for_an_expected_session_says_it_is_tentative(calendar_2026):
    plan = briefings.plan_session(54, SECRETARIAT, {"expected_audience": 1000})
    assert not plan.proposals and plan.result.why[0] == NOTE


def test_the_planning_job_proposes_for_an_expected_session_entering_the_horizon(app,
                                                                            calendar_2026):
    plans = briefings.plan_upcoming_sessions(Actor.system(), horizon_days=60)
    assert [plan.session.number for plan in plans] == [54]
    assert all(p.reasons[0] == NOTE for p in open_proposals(54))


# --- confirming asks for an explicit tick ----------------------------------------------------


def test_confirming_for_an_expected_session_needs_allow_expected(calendar_2026):
    key = briefings.plan_session(54, SECRETARIAT, from_now=True).proposals[0].key
    with pytest.raises(Invalid) as refused:
        briefings.confirm_proposal(key, SECRETARIAT)
    assert refused.value.field == "allow_expected" and "session 54 is expected" in str(refused.value)
    assert not db.session.scalars(db.select(Briefing)).all()
    made = briefings.confirm_proposal(key, SECRETARIAT, allow_expected=True)
    assert made and not made.already


def test_the_web_confirm_page_asks_for_the_tick(client, login, calendar_2026):
    login("editor")
    key = briefings.plan_session(54, SECRETARIAT, from_now=True).proposals[0].key
    url = f"/sessions/54/proposals/{key}/confirm"
    assert TICK in text(page(client, url))
    refused = post(client, url)
    assert refused.status_code == 400
    assert "session 54 is expected" in field_error(refused.get_data(as_text=True),
                                                   "allow_expected")
    assert not db.session.scalars(db.select(Briefing)).all()
    confirmed = post(client, url, {"allow_expected": "y"})
    assert confirmed.status_code == 302
    assert len(db.session.scalars(db.select(Briefing)).all()) == 1


def test_a_time_set_by_hand_for_an_expected_session_needs_the_tick(client, login,
                                                                   calendar_2026):
    login("editor")
    assert TICK in text(page(client, "/sessions/54"))
    form = {"day": "2027-01-13", "start_time": "10:00", "end_time": "11:30", "room": ROOM,
            "states": ["LBN", "MRT"]}
    refused = post(client, "/sessions/54/briefings/manual", form)
    assert refused.status_code == 400
    assert "session 54 is expected" in field_error(refused.get_data(as_text=True),
                                                   "allow_expected")
    assert post(client, "/sessions/54/briefings/manual",
                {**form, "allow_expected": "y"}).status_code == 302
    assert len(briefings.session_briefings(54)) == 1


def test_set_by_hand_refuses_without_allow_expected(calendar_2026):
    start = datetime(2027, 1, 13, 9, tzinfo=timezone.utc)
    args = (54, start, start + timedelta(hours=1), ROOM, ["LBN"], SECRETARIAT)
    with pytest.raises(Invalid) as refused:
        briefings.set_by_hand(*args)
    assert refused.value.field == "allow_expected"
    assert briefings.set_by_hand(*args, allow_expected=True).briefing.id


def test_the_cli_confirm_needs_allow_expected(runner, calendar_2026):
    key = briefings.plan_session(54, SECRETARIAT, from_now=True).proposals[0].key
    refused = runner.invoke(args=["confirm", key])
    assert refused.exit_code != 0 and "--allow-expected" in refused.output
    assert "session 54 is expected" in refused.output
    confirmed = runner.invoke(args=["confirm", key, "--allow-expected"])
    assert confirmed.exit_code == 0, confirmed.output
    assert "confirmed briefing" in confirmed.output


# --- publishing -----------------------------------------------------------------------------


def test_publishing_by_form_sets_dates_and_order_and_replans(client, login, calendar_2026):
    login("editor")
    tentative = {p.key for p in briefings.plan_session(54, SECRETARIAT, from_now=True).proposals}
    shown = page(client, "/sessions/54")
    assert "Publish this session" in shown
    form = page(client, "/sessions/54/publish")
    assert "LBN\nFRA\nMRT\nRWA" in form and 'value="2027-01-18"' in form
    response = post(client, "/sessions/54/publish", {"start_date": "2027-01-25",
                                                     "end_date": "2027-02-05",
                                                     "states": "RWA\nMRT\nLBN\nFRA"})
    assert response.status_code == 302, response.get_data(as_text=True)
    published = session(54)
    assert (published.status, published.forecast_from) == ("scheduled", None)
    assert (published.start_date, published.end_date) == (date(2027, 1, 25), date(2027, 2, 5))
    assert states_of(54) == ["RWA", "MRT", "LBN", "FRA"]
    now_open = open_proposals(54)
    assert now_open and not tentative & {p.key for p in now_open}
    assert not any("entative" in reason for p in now_open for reason in p.reasons)
    assert [p.meetings[0]["agenda"][0]["iso3"] for p in now_open][0] == "RWA"
    assert audit_details("session.publish")
    after = text(page(client, "/sessions/54"))
    assert "Publish this session" not in after and EXPECTED not in after
    assert "not yet published" not in after
    assert "review 1" in after


def test_publishing_a_published_session_is_refused(client, login, calendar_2026):
    login("editor")
    refused = post(client, "/sessions/51/publish", {"start_date": "2026-01-19",
                                                    "end_date": "2026-01-30", "states": "NPL"})
    assert refused.status_code == 400
    assert "already published" in text(refused.get_data(as_text=True))
    assert states_of(51) == ["NPL", "MMR"]


def test_a_bad_state_in_the_publish_form_changes_nothing(client, login, calendar_2026):
    login("editor")
    refused = post(client, "/sessions/54/publish", {"start_date": "2027-01-25",
                                                    "end_date": "2027-02-05",
                                                    "states": "RWA\nXXX"})
    assert refused.status_code == 400
    assert session(54).status == "expected" and session(54).start_date == date(2027, 1, 18)
    assert states_of(54) == ["LBN", "FRA", "MRT", "RWA"]


def test_the_feed_confirms_a_session_once_published(client, calendar_2026):
    calendar.import_csv("sessions", "number,cycle,start_date,end_date\n54,4,2027-01-25,2027-02-05\n",
                        SECRETARIAT)
    events, _, _ = feed_events(client)
    event = events["upr-session-54@nam-briefings"]
    assert str(event["STATUS"]) == "CONFIRMED" and "expected" not in str(event["SUMMARY"])


def test_importing_its_dates_publishes_an_expected_session(calendar_2026):
    briefings.plan_session(54, SECRETARIAT, from_now=True)
    report = calendar.import_csv(
        "sessions", "number,cycle,start_date,end_date\n54,4,2027-01-25,2027-02-05\n", SECRETARIAT)
    assert any("status expected → scheduled" in line for line in report.changed)
    published = session(54)
    assert (published.status, published.forecast_from) == ("scheduled", None)
    assert audit_details("session.publish")
    assert all(p.meetings[0]["start"] >= "2027-01" for p in open_proposals(54))
    assert not any(p.reasons[0] == NOTE for p in open_proposals(54))


def test_a_dry_run_import_publishes_nothing(calendar_2026):
    report = calendar.import_csv(
        "sessions", "number,cycle,start_date,end_date\n54,4,2027-01-18,2027-01-29\n",
        SECRETARIAT, dry_run=True)
    assert any("status expected → scheduled" in line for line in report.changed)
    assert session(54).status == "expected" and not audit_details("session.publish")


def test_the_seed_never_publishes_an_expected_session(calendar_2026):
    calendar.import_csv("sessions", "number,cycle,start_date,end_date\n54,4,2027-01-25,2027-02-05\n",
                        SECRETARIAT, update_existing=False)
    assert session(54).status == "expected"


def test_importing_its_reviews_publishes_an_expected_session_with_the_published_list(
        calendar_2026):
    report = calendar.import_csv("reviews", "session,iso3,position\n54,RWA,1\n54,LBN,2\n",
                                 SECRETARIAT)
    assert session(54).status == "scheduled" and session(54).forecast_from is None
    assert states_of(54) == ["RWA", "LBN"]
    assert report.removed  # the forecast states OHCHR did not list
    assert audit_details("session.publish")


# --- a deferred state moves with its history ------------------------------------------------


def test_publishing_moves_a_deferred_state_with_its_history(client, login, calendar_2026):
    login("editor")
    old = _briefing(51, "cancelled", "MMR", date(2026, 1, 14))
    review = next(r for r in session(51).reviews if r.state_iso3 == "MMR")
    review_id = review.id
    response = post(client, "/sessions/54/publish", {"start_date": "2027-01-18",
                                                     "end_date": "2027-01-29",
                                                     "states": "LBN\nMMR\nFRA\nMRT\nRWA"})
    assert response.status_code == 302, text(response.get_data(as_text=True))
    assert states_of(51) == ["NPL"]
    assert states_of(54) == ["LBN", "MMR", "FRA", "MRT", "RWA"]
    moved = db.session.get(Review, review_id)
    assert (moved.session.number, moved.position, moved.moved_from_session) == (54, 2, 51)
    item = db.session.scalars(db.select(BriefingItem).filter_by(briefing_id=old.id)).one()
    assert item.review_id == review_id and item.slot_status == "declined"
    assert any("MMR moved from session 51 to 54" in d for d in audit_details("review.move"))
    shown = text(page(client, "/sessions/54"))
    assert "Myanmar" in shown and "deferred from session 51" in shown


def test_moving_a_state_replans_the_open_proposals_of_its_old_session(calendar_2026):
    briefings.plan_session(51, SECRETARIAT)
    assert any("MMR" in str(p.meetings) for p in open_proposals(51))
    calendar.import_review_order(54, ["LBN", "MMR", "MRT"], SECRETARIAT)
    assert open_proposals(51)
    assert not any("MMR" in str(p.meetings) for p in open_proposals(51))
    assert session(54).status == "scheduled"


def test_a_state_reviewed_in_another_cycle_or_in_a_held_session_is_not_moved(calendar_2026):
    create_state("LCA", "Saint Lucia", "member")
    s40 = UprSession(number=40, cycle=3, start_date=date(2022, 1, 24), end_date=date(2022, 2, 4))
    db.session.add(s40)
    db.session.flush()
    db.session.add(Review(session_id=s40.id, state_iso3="LCA", position=1))
    session(51).status = "held"
    db.session.commit()
    calendar.import_review_order(54, ["LBN", "LCA", "MMR"], SECRETARIAT)
    assert states_of(40) == ["LCA"] and states_of(51) == ["NPL", "MMR"]
    assert states_of(54) == ["LBN", "LCA", "MMR"]
    assert not any(r.moved_from_session for r in session(54).reviews)


def test_a_state_presenting_at_a_confirmed_briefing_of_its_old_session_is_not_moved(
        client, login, calendar_2026):
    login("editor")
    _briefing(51, "confirmed", "MMR", date(2026, 1, 14))
    refused = post(client, "/sessions/54/publish", {"start_date": "2027-01-18",
                                                    "end_date": "2027-01-29",
                                                    "states": "LBN\nMMR"})
    assert refused.status_code == 400
    message = text(refused.get_data(as_text=True))
    assert "MMR presents at a confirmed briefing of session 51" in message
    assert "reschedule or cancel" in message
    assert states_of(51) == ["NPL", "MMR"] and session(54).status == "expected"
    with pytest.raises(ImportRejected):
        calendar.import_csv("reviews", "session,iso3,position\n54,MMR,5\n", SECRETARIAT)


def test_keeping_what_is_on_file_neither_publishes_nor_moves(calendar_2026):
    calendar.import_csv("reviews", "session,iso3,position\n54,MMR,5\n", SECRETARIAT,
                        update_existing=False)
    assert session(54).status == "expected" and states_of(51) == ["NPL", "MMR"]
    assert states_of(54) == ["LBN", "FRA", "MRT", "RWA", "MMR"]


def test_a_briefing_confirmed_while_expected_is_flagged_for_review_once_published(
        calendar_2026):
    key = briefings.plan_session(54, SECRETARIAT, from_now=True).proposals[0].key
    briefings.confirm_proposal(key, SECRETARIAT, allow_expected=True)
    calendar.import_review_order(54, ["LBN", "MRT", "RWA", "FRA"], SECRETARIAT)
    db.session.expire_all()
    flagged = briefings.session_briefings(54)
    assert flagged and all(b.needs_review for b in flagged)
    assert "UPR session 54 is published" in flagged[0].review_note
