"""Benchmark of start-up: what every CLI call, test process and gunicorn worker pays.

Run with `.venv/bin/python bench/startup.py` (or `make bench`). It prints the machine, then the
median wall time of

1. `flask --app bench/bare_startup_app.py --help`: a bare one-route Flask app, the reference;
2. `flask --app app --help`: our app, every command listed (the target is 0.8 s at most);
3. `python -c "import app"`: building our app, which is what gunicorn and the tests pay;

each with its ratio to the reference, all measured in the same run. With `hyperfine` installed
(Debian package `hyperfine`) it does the timing; otherwise the commands are run in turn, round
after round, and timed here. With --check the exit status is non-zero when figure 2 exceeds
the target (not by default: a busy machine should not stop `make bench`).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._support import machine  # noqa: E402

#: the figure issue 13 asks for `flask --app app --help`, in seconds
TARGET_SECONDS = 0.8


def commands() -> list[tuple[str, list[str]]]:
    """(label, argv) of what is timed, the reference first."""
    flask = str(Path(sys.executable).with_name("flask"))
    return [
        ("bare Flask app: flask --help (reference)",
         [flask, "--app", "bench/bare_startup_app.py", "--help"]),
        ("flask --app app --help", [flask, "--app", "app", "--help"]),
        ('python -c "import app"', [sys.executable, "-c", "import app"]),
    ]


def time_with_hyperfine(argvs: list[list[str]], runs: int,
                        env: dict[str, str]) -> list[tuple[float, float]]:
    """Median wall seconds and mean CPU seconds (user + system) of each command, measured by
    hyperfine (no shell in between)."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "hyperfine.json"
        subprocess.run(
            ["hyperfine", "--shell=none", "--warmup", "1", "--runs", str(runs), "--style", "none",
             "--export-json", str(report), *(subprocess.list2cmdline(argv) for argv in argvs)],
            cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        results = json.loads(report.read_text())["results"]
        return [(result["median"], result["user"] + result["system"]) for result in results]


def time_by_hand(argvs: list[list[str]], runs: int,
                 env: dict[str, str]) -> list[tuple[float, float]]:
    """Median wall and CPU seconds (user + system) of each command, run in turn round after
    round (so that a busy moment of a shared machine falls on all of them), after one warm-up
    round."""
    walls: list[list[float]] = [[] for _ in argvs]
    cpus: list[list[float]] = [[] for _ in argvs]
    for round_number in range(runs + 1):
        for index, argv in enumerate(argvs):
            cpu_before, started = _children_cpu(), time.perf_counter()
            subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
            if round_number:  # round 0 warms the file cache and writes the .pyc files
                walls[index].append(time.perf_counter() - started)
                cpus[index].append(_children_cpu() - cpu_before)
    return [(statistics.median(wall), statistics.median(cpu)) for wall, cpu in zip(walls, cpus)]


def _children_cpu() -> float:
    """CPU seconds used so far by the finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (default 10)")
    parser.add_argument("--no-hyperfine", action="store_true",
                        help="time the commands here even when hyperfine is installed")
    parser.add_argument("--check", action="store_true",
                        help=f"exit non-zero when flask --help takes over {TARGET_SECONDS} s")
    args = parser.parse_args()

    print(machine())
    use_hyperfine = shutil.which("hyperfine") is not None and not args.no_hyperfine
    print(f"timing: {'hyperfine' if use_hyperfine else 'subprocess'}, {args.runs} runs each; "
          f"CPU time (user + system) is the steadier figure on a busy machine")
    labelled = commands()
    with tempfile.TemporaryDirectory() as instance:
        # A throwaway instance folder: the app's start-up makes it and its secret key.
        env = {key: value for key, value in os.environ.items()
               if key not in {"FLASK_APP", "DATABASE_URL", "PYTHONDONTWRITEBYTECODE"}}
        env["INSTANCE_PATH"] = instance
        timer = time_with_hyperfine if use_hyperfine else time_by_hand
        figures = timer([argv for _, argv in labelled], args.runs, env)

    (reference, reference_cpu), width = figures[0], max(len(label) for label, _ in labelled)
    for (label, _), (wall, cpu) in zip(labelled, figures):
        print(f"{label:<{width}}  {wall:6.3f} s ({wall / reference:5.2f}× the reference), "
              f"CPU {cpu:6.3f} s ({cpu / reference_cpu:5.2f}×)")
    wall = figures[1][0]
    within = wall <= TARGET_SECONDS
    print(f"target: flask --app app --help ≤ {TARGET_SECONDS} s (median wall time): "
          f"{'met' if within else 'NOT met'} ({wall:.3f} s)")
    return 1 if args.check and not within else 0


if __name__ == "__main__":
    sys.exit(main())
