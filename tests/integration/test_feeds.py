"""Calendar feeds: content, HTTP caching (ETag / 304 / HEAD), tokens, three parsers."""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import icalendar
import pytest
import vobject

from nam_briefings.domain.calendar import GENEVA
from nam_briefings.extensions import db
from nam_briefings.models import Mission, OutboxMessage
from nam_briefings.services import briefings, fanout, feeds, outbox
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from tests.factories import create_contact, create_mission
from tests.integration.web_helpers import page, post

ROOT = Path(__file__).resolve().parents[2]
ICAL_JS = ROOT / "tests" / "js"
SECRETARIAT = Actor("secretariat@chair.example.org")


@pytest.fixture
def calendar(app):
    app.config["TODAY"] = date(2025, 3, 3)  # before session 49: its briefings are ahead
    seed_reference_data(Actor.system())
    for iso3 in ("GUY", "KEN", "LAO", "IND"):
        create_contact(create_mission(iso3), email=f"upr@{iso3.lower()}.example.org")
    return app


def confirm_49() -> list:
    """Plan and confirm session 49; the delivery worker composes the invitations."""
    plan = briefings.plan_session(49, SECRETARIAT)
    created = briefings.confirm_proposal(plan.proposals[0].key, SECRETARIAT)
    fanout.compose_pending()
    return created


def events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert not calendar.errors
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def ical_js(body: bytes) -> dict[str, dict] | None:
    """uid -> event as Mozilla's ical.js reads the feed; None when node or ical.js is missing."""
    if not shutil.which("node") or not (ICAL_JS / "node_modules" / "ical.js").exists():
        return None
    result = subprocess.run(["node", str(ICAL_JS / "parse_ics.mjs")], input=body,
                            capture_output=True, check=True, timeout=60)
    return {event["uid"]: event for event in json.loads(result.stdout)["events"]}


def test_the_public_upr_feed_parses_everywhere_with_the_right_instants(calendar, client):
    response = client.get("/feeds/upr.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.data
    found = events(body)
    session_49 = found["upr-session-49@nam-briefings"]
    assert session_49.decoded("DTSTART").isoformat() == "2025-04-28"
    assert session_49.decoded("DTEND").isoformat() == "2025-05-10"  # the day after the last
    assert "upr-review-45-NGA@nam-briefings" in found  # Nigeria's known review day
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body and b"X-PUBLISHED-TTL:PT1H" in body
    assert b"ATTENDEE" not in body and b"RSVP" not in body
    assert len(list(vobject.readComponents(body.decode()))) == 1
    parsed = ical_js(body)
    if parsed is not None:
        assert parsed["upr-session-49@nam-briefings"]["start"] == "2025-04-28"
        assert parsed["upr-session-49@nam-briefings"]["all_day"] is True


def test_unchanged_feeds_answer_304_and_head_works(calendar, client):
    first = client.get("/feeds/upr.ics")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith('W/')  # strong
    again = client.get("/feeds/upr.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/feeds/upr.ics",
                       headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    head = client.head("/feeds/upr.ics")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag
    assert client.get("/feeds/upr.ics").data == first.data  # stable bytes


def test_a_change_changes_the_etag(calendar, client, tmp_path, runner):
    etag = client.get("/feeds/upr.ics").headers["ETag"]
    moved = tmp_path / "s.csv"
    moved.write_text("number,cycle,start_date,end_date\n50,4,2025-11-10,2025-11-21\n")
    assert runner.invoke(args=["import", "sessions", str(moved)]).exit_code == 0
    response = client.get("/feeds/upr.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag
    assert events(response.data)["upr-session-50@nam-briefings"].decoded("DTSTART").day == 10


def test_a_mission_feed_shows_briefings_marked_when_it_presents(calendar, client):
    created = confirm_49()
    token = feeds.mission_feed_token("GUY")
    response = client.get(f"/feeds/missions/{token}.ics")
    assert response.status_code == 200
    assert "private" in response.headers["Cache-Control"]
    found = events(response.data)
    assert {b.uid for b in created} <= set(found)
    guyana = [found[b.uid] for b in created
              if "GUY" in {i.review.state_iso3 for i in b.items}]
    assert guyana and all(str(e["SUMMARY"]).startswith("Your Mission presents") for e in guyana)
    for briefing in created:
        event = found[briefing.uid]
        assert event.decoded("DTSTART") == briefing.start_at
        assert int(event["SEQUENCE"]) == briefing.sequence
    india = events(client.get(f"/feeds/missions/{feeds.mission_feed_token('IND')}.ics").data)
    assert not any(str(e["SUMMARY"]).startswith("Your Mission presents") for e in india.values())


def test_a_rescheduled_briefing_appears_once_at_its_new_time_under_its_old_uid(calendar, client):
    first, *_ = confirm_49()
    token = feeds.mission_feed_token("KEN")
    etag = client.get(f"/feeds/missions/{token}.ics").headers["ETag"]
    new_start = datetime(2025, 4, 24, 15, 0, tzinfo=GENEVA)
    briefings.reschedule(first.id, new_start, None, SECRETARIAT)
    response = client.get(f"/feeds/missions/{token}.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200
    calendar_ = icalendar.Calendar.from_ical(response.data)
    matching = [e for e in calendar_.walk("VEVENT") if str(e["UID"]) == first.uid]
    assert len(matching) == 1
    assert matching[0].decoded("DTSTART") == new_start
    assert matching[0].decoded("DTSTART").astimezone(timezone.utc).hour == 13  # CEST
    assert int(matching[0]["SEQUENCE"]) == 1
    as_vobject = vobject.readOne(response.data.decode())
    [moved] = [e for e in as_vobject.vevent_list if e.uid.value == first.uid]
    assert moved.dtstart.value.astimezone(timezone.utc) == new_start.astimezone(timezone.utc)
    parsed = ical_js(response.data)
    if parsed is not None:
        assert parsed[first.uid]["start"] == "2025-04-24T13:00:00.000Z"
        assert parsed[first.uid]["start_tzid"] == "Europe/Zurich"


def test_a_cancelled_briefing_leaves_the_feed(calendar, client):
    first, *_ = confirm_49()
    token = feeds.mission_feed_token("GUY")
    briefings.cancel(first.id, SECRETARIAT)
    assert first.uid not in events(client.get(f"/feeds/missions/{token}.ics").data)


def test_rotating_a_token_makes_the_old_url_404(calendar, client, runner):
    url = runner.invoke(args=["feeds", "url", "GUY"]).output.strip()
    assert url.startswith("http://127.0.0.1:5000/feeds/missions/") and url.endswith(".ics")
    path = url.removeprefix("http://127.0.0.1:5000")
    assert client.get(path).status_code == 200
    rotated = runner.invoke(args=["feeds", "rotate", "GUY"]).output.strip()
    assert rotated != url
    assert client.get(path).status_code == 404
    assert client.get(rotated.removeprefix("http://127.0.0.1:5000")).status_code == 200
    assert runner.invoke(args=["feeds", "revoke", "GUY"]).exit_code == 0
    assert client.get(rotated.removeprefix("http://127.0.0.1:5000")).status_code == 404


def test_tokens_are_long_and_unguessable(calendar, client):
    token = feeds.mission_feed_token("GUY")
    assert len(token) >= 43  # 256 bits, URL-safe base64
    assert client.get(f"/feeds/missions/{token[:-1]}x.ics").status_code == 404
    assert client.get("/feeds/missions/.ics").status_code == 404


def test_an_inactive_missions_feed_is_gone(calendar, client):
    token = feeds.mission_feed_token("GUY")
    db.session.scalar(db.select(Mission).filter_by(state_iso3="GUY")).active = False
    db.session.commit()
    assert client.get(f"/feeds/missions/{token}.ics").status_code == 404


def test_the_secretariat_feed_shows_proposals(calendar, client, login):
    user = login("editor")
    briefings.plan_session(49, SECRETARIAT)
    token = feeds.user_feed_token(user.id)
    found = events(client.get(f"/feeds/secretariat/{token}.ics").data)
    proposals = [e for uid, e in found.items() if uid.startswith("proposal-")]
    assert proposals and all(str(e["STATUS"]) == "TENTATIVE" for e in proposals)
    assert client.get("/feeds/secretariat/nope.ics").status_code == 404


def test_the_mission_page_offers_the_feed_and_editors_rotate_it(calendar, client, login):
    login("editor")
    html = page(client, "/missions/GUY")
    assert "No feed address yet" in html
    assert post(client, "/missions/GUY/feed/rotate").status_code == 302
    token = feeds.mission_feed_token("GUY")
    html = page(client, "/missions/GUY")
    assert f"webcal://127.0.0.1:5000/feeds/missions/{token}.ics" in html
    assert "Google refreshes" in html
    assert post(client, "/missions/GUY/feed/rotate").status_code == 302
    assert client.get(f"/feeds/missions/{token}.ics").status_code == 404
    assert post(client, "/missions/GUY/feed/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(db.select(Mission).filter_by(state_iso3="GUY")).feed_token is None
    assert "The feed was switched off on" in page(client, "/missions/GUY")


def test_viewers_cannot_rotate_feeds(calendar, client, login):
    login("viewer")
    token = feeds.mission_feed_token("GUY")
    assert post(client, "/missions/GUY/feed/rotate").status_code == 403
    assert client.get(f"/feeds/missions/{token}.ics").status_code == 200


def test_the_calendars_page_gives_both_subscriptions(calendar, client, login):
    user = login("viewer")
    html = page(client, "/calendars")
    assert "webcal://127.0.0.1:5000/feeds/upr.ics" in html
    assert f"/feeds/secretariat/{feeds.user_feed_token(user.id)}.ics" in html


def test_invitations_carry_the_missions_feed_link(calendar, smtp_server):
    confirm_49()
    outbox.deliver_all()
    token = feeds.mission_feed_token("GUY")
    [message, *_] = [m for r, m in smtp_server.messages if r == ["upr@guy.example.org"]]
    assert f"/feeds/missions/{token}.ics" in message.get_body(("plain",)).get_content()


def test_a_feed_with_events_on_both_sides_of_the_clock_change(calendar, client):
    """A briefing in winter time and one in summer time: each at its right UTC instant."""
    winter = datetime(2025, 3, 28, 10, 0, tzinfo=GENEVA)   # Friday before the change, CET
    summer = datetime(2025, 3, 31, 10, 0, tzinfo=GENEVA)   # Monday after it, CEST
    made = [briefings.set_by_hand(number, moment, moment.replace(hour=11),
                                "Room XXIV, Palais des Nations", [iso3], SECRETARIAT).briefing
            for number, moment, iso3 in ((49, winter, "GUY"), (50, summer, "JAM"))]
    body = client.get(f"/feeds/missions/{feeds.mission_feed_token('GUY')}.ics").data
    found = events(body)
    assert found[made[0].uid].decoded("DTSTART").astimezone(timezone.utc).hour == 9
    assert found[made[1].uid].decoded("DTSTART").astimezone(timezone.utc).hour == 8
    as_vobject = {e.uid.value: e for e in vobject.readOne(body.decode()).vevent_list}
    assert as_vobject[made[0].uid].dtstart.value.astimezone(timezone.utc).hour == 9
    assert as_vobject[made[1].uid].dtstart.value.astimezone(timezone.utc).hour == 8
    parsed = ical_js(body)
    if parsed is not None:
        assert parsed[made[0].uid]["start"] == "2025-03-28T09:00:00.000Z"
        assert parsed[made[1].uid]["start"] == "2025-03-31T08:00:00.000Z"


def test_a_switched_off_feed_stays_off_until_a_new_address_is_made(calendar, client, runner):
    token = feeds.mission_feed_token("GUY")
    assert runner.invoke(args=["feeds", "revoke", "GUY"]).exit_code == 0
    confirm_49()  # invitations go out: they must not switch the feed back on
    db.session.expire_all()
    guyana = db.session.scalar(db.select(Mission).filter_by(state_iso3="GUY"))
    assert guyana.feed_token is None and guyana.feed_revoked_at is not None
    sent = db.session.scalars(db.select(OutboxMessage).filter_by(
        to_address="upr@guy.example.org", kind="request")).all()
    assert sent and all("/feeds/missions/" not in m.body_text + (m.body_html or "") for m in sent)
    refused = runner.invoke(args=["feeds", "url", "GUY"])
    assert refused.exit_code != 0 and "switched off" in refused.output
    assert client.get(f"/feeds/missions/{token}.ics").status_code == 404
    rotated = runner.invoke(args=["feeds", "rotate", "GUY"]).output.strip()
    assert client.get(rotated.removeprefix("http://127.0.0.1:5000")).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(db.select(Mission).filter_by(state_iso3="GUY")).feed_revoked_at is None


# --- polls answered before Flask (FeedPolls) ----------------------------------------------------

def _feed_paths(client, login) -> list[str]:
    user = login("viewer")
    client.get("/logout")
    return ["/feeds/upr.ics", f"/feeds/missions/{feeds.mission_feed_token('GUY')}.ics",
            f"/feeds/secretariat/{feeds.user_feed_token(user.id)}.ics"]


def _comparable(response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k not in ("Vary", "Set-Cookie")}
    return response.status_code, headers, response.data


def test_a_repeated_poll_costs_no_sql_nor_flask_machinery(calendar, client, login,
                                                         monkeypatch):
    """Answered from the rendered bytes: no SQL, and no request hook (session, login) runs."""
    from sqlalchemy import event

    # within the once-a-second check of the data version, however slow the machine is today
    monkeypatch.setattr(feeds, "RECHECK_SECONDS", 120.0)
    paths = _feed_paths(client, login)
    statements, hooks = [], []

    def count(*args) -> None:
        statements.append(args[2])

    calendar.before_request_funcs.setdefault(None, []).append(lambda: hooks.append(1))

    for path in paths:
        etag = client.get(path).headers["ETag"]  # rendered (or checked) the full way
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert statements == [], f"{path}: {statements}"
        assert hooks == [1], path  # only the first (full-way) request ran the hooks
        hooks.clear()


@pytest.mark.parametrize("headers", [
    {}, {"Accept-Encoding": "gzip, deflate, br"}, {"Accept-Encoding": "gzip;q=0"},
    {"Accept-Encoding": "*"}, {"If-None-Match": "*"}, {"If-None-Match": '"nope", W/"x"'},
    {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"},
    {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, {"If-Modified-Since": "garbage"}])
def test_the_fast_path_answers_as_the_routes_do(calendar, client, login, headers):
    """The same status, headers and bytes with and without the fast path (a query string
    sends a poll the full way through Flask), for GET, HEAD and conditional polls."""
    for path in _feed_paths(client, login):
        for method in (client.get, client.head):
            full_way = _comparable(method(path + "?via=flask", headers=headers))
            client.get(path)  # rendered: the memo holds it
            assert _comparable(method(path, headers=headers)) == full_way, (path, headers)
            etag = full_way[1].get("ETag")
            if etag:
                again = {**headers, "If-None-Match": etag}
                assert _comparable(method(path, headers=again)) == \
                    _comparable(method(path + "?via=flask", headers=again))
                assert method(path, headers=again).status_code == 304


def test_gzip_for_clients_that_ask_with_its_own_etag(calendar, client):
    import gzip

    plain = client.get("/feeds/upr.ics")
    packed = client.get("/feeds/upr.ics", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert not packed.headers["ETag"].startswith("W/")
    assert client.get("/feeds/upr.ics", headers={"Accept-Encoding": "gzip"}).data == packed.data
    assert client.get("/feeds/upr.ics", headers={
        "Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}).status_code == 304


def test_polls_over_https_get_hsts_from_the_fast_path_too(calendar, client):
    client.get("/feeds/upr.ics", base_url="https://localhost")
    response = client.get("/feeds/upr.ics", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/feeds/upr.ics").headers


def test_behind_a_proxy_the_fast_path_sees_the_forwarded_scheme(calendar, migrated_database_url):
    """FeedPolls sits inside ProxyFix: a poll forwarded over HTTPS gets HSTS on both paths."""
    from nam_briefings import create_app
    from tests.conftest import app_config

    proxied = create_app(app_config(migrated_database_url, TRUSTED_PROXIES=1))
    try:
        client = proxied.test_client()
        for _ in range(2):  # the full way, then from memory
            response = client.get("/feeds/upr.ics", headers={"X-Forwarded-Proto": "https"})
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    finally:
        with proxied.app_context():
            db.engine.dispose()
