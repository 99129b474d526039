"""No N+1 queries: each secretariat page runs as many SQL statements on a small world as on
one three times larger (more briefings, contacts, invitations and outbox messages).

A page that queries once per briefing, per invited contact or per message shows up here as
a count that grows with the data. The worlds are built by `bench.pages.build_world`, the
benchmark's own ten-year world, smaller.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import sqlalchemy as sa

from bench.pages import World, build_world, log_in
from nam_briefings.extensions import db
from tests.conftest import _empty_every_table
from tests.integration.web_helpers import HTML, JSON

SMALL = dict(per_session=1, missions=10, contacts=20, invitations=400,
             outbox_per_invitation=2)
LARGE = dict(per_session=3, missions=30, contacts=60, invitations=3_600,
             outbox_per_invitation=3)
#: a page that needs more statements than this does too much, even without an N+1
MOST = 25


@contextmanager
def counted() -> Iterator[list[str]]:
    """The SQL statements run on the app's engine meanwhile (an executemany counts once)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def json_endpoints(world: World) -> dict[str, str]:
    """What the pages' scripts poll: the delivery panels' figures."""
    return {"briefing progress": f"/briefings/{world.briefing_id}/progress",
            "outbox progress": "/outbox/progress"}


def page_queries(app, client, world: World) -> dict[str, list[str]]:
    """The statements of one request of each page (and of each JSON endpoint), each in an
    app context of its own (a new database session and `g`: nothing already loaded, as in
    a real worker)."""
    found = {}
    requests = [(name, url, HTML) for name, url in world.pages().items()]
    requests += [(name, url, JSON) for name, url in json_endpoints(world).items()]
    for name, url, accept in requests:
        with app.app_context(), counted() as statements:
            response = client.get(url, headers=accept)
        assert response.status_code == 200, (url, response.status_code)
        found[name] = statements
    return found


def pages_of(app, size: dict) -> tuple[World, dict[str, list[str]]]:
    """Build a world of `size` on an empty database; the statements of each of its pages."""
    world = build_world(**size, today=date(2026, 12, 2))
    client = app.test_client()
    with app.app_context():
        log_in(client)
    return world, page_queries(app, client, world)


def test_no_page_runs_more_queries_when_the_data_grows(app):
    app.config["TODAY"] = date(2026, 12, 2)
    small, before = pages_of(app, SMALL)
    db.session.remove()
    _empty_every_table()
    large, after = pages_of(app, LARGE)
    assert large.briefings == 3 * small.briefings and large.contacts == 3 * small.contacts

    grew = {name: (len(before[name]), len(after[name])) for name in before
            if len(after[name]) != len(before[name])}
    assert not grew, (f"queries per page (small world, 3× larger world): {grew}; the larger "
                      "world's statements:\n" + "\n".join(
                          f"{name}:\n  " + "\n  ".join(after[name]) for name in grew))
    heavy = {name: len(found) for name, found in after.items() if len(found) > MOST}
    assert not heavy, f"pages running more than {MOST} statements: {heavy}"


def _what_the_world_holds() -> dict[str, list]:
    """The world's mix, by what it is (never by database ids)."""
    from nam_briefings.models import Briefing, BriefingItem, InboundReply, Invitation, OutboxMessage

    def tally(*columns) -> list:
        return sorted(tuple(row) for row in db.session.execute(
            db.select(*columns, db.func.count()).group_by(*columns)))

    return {"briefings": tally(Briefing.status, Briefing.sequence),
            "slots": tally(BriefingItem.slot_status),
            "answers": tally(Invitation.partstat, Invitation.answered_via),
            "replies": tally(InboundReply.note),
            "outbox": tally(OutboxMessage.kind, OutboxMessage.status)}


def test_the_world_is_the_same_whatever_ids_the_database_hands_out(app):
    """The query counts compare two worlds, so each must be the same world on every run: a
    PostgreSQL database that held rows before numbers the new ones higher, and picks keyed
    by ids gave a small world with no e-mailed reply (one statement fewer) on CI."""
    with app.app_context():
        build_world(**SMALL, today=date(2026, 12, 2))
        first = _what_the_world_holds()
        db.session.remove()
        _empty_every_table()  # PostgreSQL's sequences go on: the second world's ids differ
        build_world(**SMALL, today=date(2026, 12, 2))
        assert _what_the_world_holds() == first
