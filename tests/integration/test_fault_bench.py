"""The fault benchmark as a CI check: `bench/faults.py --quick --json` runs the confirm race
(gunicorn, 2 workers), the outage-then-cancel sequence and three kill -9s of the scheduler
(the first while it composes the fan-out, the others while it sends) with real processes,
and must end with 0 lost, 0 duplicates, 0 mail after a cancellation.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_fault_benchmark_loses_duplicates_and_sends_after_cancel_nothing(backend, tmp_path):
    if backend == "postgresql" and not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL "
                    "(e.g. postgresql://postgres@127.0.0.1/test)")
    url = POSTGRES_URL if backend == "postgresql" else "sqlite"
    run = subprocess.run([sys.executable, "bench/faults.py", "--quick", "--json", "--seed", "11",
                          "--database-url", url], cwd=ROOT, capture_output=True, text=True,
                         timeout=900)
    assert run.stdout, run.stderr[-3000:]
    report = json.loads(run.stdout)
    [database] = report["runs"]
    scenarios = {s["scenario"].split(" (")[0]: s for s in database["scenarios"]}
    assert set(scenarios) == {"confirm race", "outage, then cancel", "kill -9 of the scheduler ×3"}
    figures = {name: {k: s[k] for k in ("tried", "held", "failed", "lost", "duplicates",
                                       "after_cancel", "resent_in_flight", "notes")}
               for name, s in scenarios.items()}
    totals = report["totals"]
    assert (totals["lost"], totals["duplicates"], totals["after_cancel"]) == (0, 0, 0), figures
    assert all(s["tried"] and s["held"] == s["tried"] for s in scenarios.values()), figures
    kills = scenarios["kill -9 of the scheduler ×3"]["notes"]
    assert any(note.startswith("killed while composing") for note in kills), kills
    assert run.returncode == 0 and report["ok"], figures
