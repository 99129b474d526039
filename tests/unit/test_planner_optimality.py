"""The planner's search is exact: it matches an exhaustive search on small instances."""
from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.planner import exhaustive_scores, small_instance
from nam_briefings.domain.planner import propose


@settings(deadline=None, derandomize=True)
@given(st.integers(0, 10**9))
def test_best_proposals_score_as_well_as_trying_every_plan(seed):
    session, presenters, rooms, busy, rules, preferences = small_instance(seed)
    result = propose(session, presenters, rooms, busy, rules, preferences)
    reference = exhaustive_scores(session, presenters, rooms, busy, rules, preferences)
    found = [p.score for p in result.proposals]
    assert len(found) == len(reference[:rules.max_proposals])
    assert all(math.isclose(a, b, abs_tol=1e-6) for a, b in zip(found, reference))
