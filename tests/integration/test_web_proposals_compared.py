"""A session's proposals in one compact table (one row each: Best/Good/Possible, the
meetings' days and times, rooms, who presents at each, the main reason, "Confirm…"), the
best one in full below it and the others folded away in a disclosure each."""
from __future__ import annotations

import re

from tests.integration.invitation_helpers import plan_session_49
from tests.integration.web_helpers import page, text

ROOM = "Room XXIV, Palais des Nations"


def table_rows(html: str) -> list[str]:
    """The rows of the comparison table, as read."""
    table = html.split('<table class="compared-proposals">')[1].split("</table>")[0]
    return [text(row) for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]


def listed(html: str) -> list[str]:
    """The proposals in full, below the table, as HTML."""
    return html.split('<ol class="proposals">')[1].split("</ol>")[0] \
        .split('<li class="card proposal"')[1:]


def test_the_proposals_are_compared_in_one_table_the_first_in_full(app, client, login):
    best = plan_session_49(app)
    login("editor")
    html = page(client, "/sessions/49")
    rows = table_rows(html)
    assert rows[0] == (
        "Proposal 1 Best Tue 22 Apr 2025, 10:00–11:30 CEST Wed 23 Apr 2025, 10:00–11:30 CEST "
        f"{ROOM} GRD, GIN, GNB, GUY KEN, KWT, LSO, LAO "
        "Between the meetings: 1 working day (preferred: 1 working day). Confirm proposal 1 …")
    assert [" ".join(row.split()[:3]) for row in rows] == [
        "Proposal 1 Best", "Proposal 2 Best", "Proposal 3 Possible", "Proposal 4 Possible",
        "Proposal 5 Possible"]
    assert all(f"Confirm proposal {rank} …" in row for rank, row in enumerate(rows, 1))
    assert "Between the meetings: 2 working days (preferred: 1 working day)." in rows[2]
    assert '<abbr title="Guinea-Bissau">GNB</abbr>' in html

    first, *others = listed(html)
    assert "<details" not in first.split('<div class="proposal__details"')[0]
    assert "Meeting 1: Tue 22 Apr 2025, 10:00 CEST – 11:30 CEST" in text(first)
    assert f'href="/sessions/49/proposals/{best}/confirm"' in first
    assert len(others) == 4
    for rank, other in enumerate(others, 2):
        folded = other.split('<details class="proposal__more">')[1]
        assert text(folded.split("</summary>")[0]).startswith(f"Proposal {rank} ")
        assert "Why this proposal" in folded and "/confirm" in folded


def test_a_viewer_compares_them_without_confirm_links(app, client, login):
    plan_session_49(app)
    login("viewer")
    html = page(client, "/sessions/49")
    rows = table_rows(html)
    assert len(rows) == 5 and not any("Confirm" in row for row in rows)
    assert "/confirm" not in html
