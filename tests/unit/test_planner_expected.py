"""The planner on an expected session (forecast by the UPR rotation, not yet published):
it proposes as for any session, and says in every reason that the proposal is tentative."""
from __future__ import annotations

from datetime import date

from nam_briefings.domain.planner import (
    Presenter,
    Room,
    SessionInfo,
    check_meeting,
    propose,
)

from .test_planner import at, days

ROOM = Room("Room XXIV", 150)
PRESENTERS = [Presenter("GUY", "Guyana", 1), Presenter("KEN", "Kenya", 2),
              Presenter("LAO", "Lao People's Democratic Republic", 3)]
UPR54 = SessionInfo(54, date(2027, 1, 18), date(2027, 1, 29), expected=True)
PUBLISHED = SessionInfo(54, date(2027, 1, 18), date(2027, 1, 29))
NOTE = ("Tentative: session 54 is expected (forecast), its dates and order of review are "
        "not yet published.")


def test_a_session_is_published_unless_said_expected():
    assert SessionInfo(54, date(2027, 1, 18), date(2027, 1, 29)).expected is False


def test_an_expected_session_gets_the_same_plans_each_reason_marked_tentative():
    tentative = propose(UPR54, PRESENTERS, [ROOM])
    published = propose(PUBLISHED, PRESENTERS, [ROOM])
    assert tentative.proposals and len(tentative.proposals) == len(published.proposals)
    for mine, plain in zip(tentative.proposals, published.proposals):
        assert mine.meetings == plain.meetings and mine.score == plain.score
        assert mine.reasons[0] == NOTE
        assert mine.reasons[1:] == [f"(Tentative) {reason}" for reason in plain.reasons]


def test_a_published_session_has_no_tentative_reason():
    result = propose(PUBLISHED, PRESENTERS, [ROOM])
    assert not any("entative" in reason for p in result.proposals for reason in p.reasons)


def test_why_nothing_fits_says_it_is_tentative_too():
    closed = days(date(2026, 12, 1), date(2027, 1, 31), "closure", "UN Geneva closure")
    result = propose(UPR54, PRESENTERS, [ROOM], [closed])
    assert not result.proposals
    assert result.why[0] == NOTE
    assert len(result.why) > 1 and all(line.startswith("(Tentative) ") for line in result.why[1:])


def test_no_presenter_and_no_room_explanations_are_tentative():
    nobody = propose(UPR54, [Presenter("FRA", "France", 1, "none")], [ROOM])
    no_room = propose(UPR54, PRESENTERS, [])
    for result in (nobody, no_room):
        assert result.why[0] == NOTE
        assert all(line.startswith("(Tentative) ") for line in result.why[1:])


def test_a_time_set_by_hand_for_an_expected_session_is_warned_about():
    start = at(date(2027, 1, 13), 10)
    check = check_meeting(UPR54, PRESENTERS, start, at(date(2027, 1, 13), 11), ROOM)
    assert check.ok
    assert any("session 54 is expected" in warning for warning in check.warnings)
    plain = check_meeting(PUBLISHED, PRESENTERS, start, at(date(2027, 1, 13), 11), ROOM)
    assert not any("expected" in warning for warning in plain.warnings)
