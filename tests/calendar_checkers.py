"""Independent iCalendar readers the tests hold our output against, beside icalendar, vobject
and Mozilla's ical.js (tests/js/parse_ics.mjs):

- libical (Evolution, many CalDAV servers): parsed without errors and within RFC 5546's
  restrictions for its METHOD (`icalrestriction_check`), via the small C program
  tests/libical/itip_check.c, built once a run with gcc against Debian's libical-dev;
- node-ical (many Node.js integrations): tests/js/parse_node_ical.mjs;
- calcurse, a terminal calendar that imports .ics files (`calcurse -i`).

Each is skipped with the reason when it is not installed, and fails instead where the tests
must run it (REQUIRE_CALENDAR_CHECKERS=1, set by .ci/run, which installs them).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
CHECKER_SOURCE = TESTS / "libical" / "itip_check.c"
NODE_ICAL = TESTS / "js" / "parse_node_ical.mjs"


def missing(what: str) -> None:
    """Skip, or fail where the checkers are required (CI)."""
    if os.environ.get("REQUIRE_CALENDAR_CHECKERS") == "1":
        pytest.fail(f"calendar checker required (REQUIRE_CALENDAR_CHECKERS=1): {what}",
                    pytrace=False)
    pytest.skip(what)


def libical_checker() -> Path:
    """The built checker (rebuilt when its source changes), in the system's temp folder."""
    if shutil.which("gcc") is None or shutil.which("pkg-config") is None:
        missing("gcc and pkg-config are needed to build the libical checker")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libical"], capture_output=True,
                           text=True, check=False)
    if flags.returncode != 0:
        missing("libical is not installed: apt-get install libical-dev")
    digest = hashlib.sha256(CHECKER_SOURCE.read_bytes()).hexdigest()[:12]
    binary = Path(tempfile.gettempdir()) / f"nam-briefings-itip-check-{digest}"
    if not binary.exists():
        partial = binary.with_suffix(f".{os.getpid()}")
        subprocess.run(["gcc", "-O1", "-o", str(partial), str(CHECKER_SOURCE),
                        *flags.stdout.split()], check=True)
        partial.replace(binary)  # atomic: parallel test processes may build it at once
    return binary


def libical(text: str) -> dict:
    """What libical reads: {"ok", "errors", "events": [{"uid", "sequence", "start",
    "end"}]}, start and end as aware UTC datetimes (dates for all-day events)."""
    result = subprocess.run([str(libical_checker())], input=text.encode("utf-8"),
                            capture_output=True, timeout=60, check=False)
    assert result.returncode in (0, 1), result.stderr.decode()
    read = json.loads(result.stdout)
    for event in read["events"]:
        event["start"], event["end"] = _instant(event["start"]), _instant(event["end"])
    return read


def node_ical(text: str) -> list[dict]:
    """The events node-ical reads, start and end as aware UTC datetimes (or dates)."""
    if shutil.which("node") is None:
        missing("node is not installed")
    if not (TESTS / "js" / "node_modules" / "node-ical").is_dir():
        missing("node-ical is not installed: make tests/js/node_modules/.installed")
    result = subprocess.run(["node", str(NODE_ICAL)], input=text.encode("utf-8"),
                            capture_output=True, timeout=60, check=False,
                            env={**os.environ, "TZ": "America/New_York"})
    assert result.returncode == 0, result.stderr.decode()
    events = json.loads(result.stdout)["events"]
    for event in events:
        event["start"], event["end"] = _instant(event["start"]), _instant(event["end"])
    return events


#: one appointment line of calcurse's apts file: "04/22/2025 @ 10:00 -> 04/22/2025 @ 11:30>…|…"
_APPOINTMENT = re.compile(r"^(\d\d/\d\d/\d{4}) @ (\d\d:\d\d) -> (\d\d/\d\d/\d{4}) @ (\d\d:\d\d)")


def calcurse(text: str) -> dict:
    """What `calcurse -i` imports, in Geneva time: {"report", "skipped", "appointments":
    [(start, end) naive Geneva datetimes], "events": [day lines]}."""
    if shutil.which("calcurse") is None:
        missing("calcurse is not installed: apt-get install calcurse")
    with tempfile.TemporaryDirectory(prefix="nam-calcurse-") as folder:
        source = Path(folder) / "import.ics"
        source.write_text(text, encoding="utf-8")
        result = subprocess.run(["calcurse", "-D", folder, "-i", str(source)],
                                capture_output=True, text=True, timeout=60, check=False,
                                env={**os.environ, "TZ": "Europe/Zurich", "HOME": folder})
        assert result.returncode == 0, result.stdout + result.stderr
        lines = (Path(folder) / "apts").read_text(encoding="utf-8").splitlines()
    skipped = re.search(r"(\d+) skipped", result.stdout)
    appointments = [(_local(m[1], m[2]), _local(m[3], m[4]))
                    for m in (_APPOINTMENT.match(line) for line in lines) if m]
    return {"report": result.stdout.strip(), "skipped": int(skipped[1]) if skipped else None,
            "appointments": appointments,
            "events": [line for line in lines if not _APPOINTMENT.match(line)]}


def _instant(value):
    if value is None:
        return None
    if isinstance(value, int):
        return datetime.fromtimestamp(value, timezone.utc)
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _local(day: str, hour: str) -> datetime:
    return datetime.strptime(f"{day} {hour}", "%m/%d/%Y %H:%M")


def ical_js(text: str) -> dict:
    """The calendar as Mozilla's ical.js reads it (tests/js/parse_ics.mjs): its properties
    and events."""
    if shutil.which("node") is None:
        missing("node is not installed")
    if not (TESTS / "js" / "node_modules" / "ical.js").is_dir():
        missing("ical.js is not installed: make tests/js/node_modules/.installed")
    result = subprocess.run(["node", str(TESTS / "js" / "parse_ics.mjs")],
                            input=text.encode("utf-8"), capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)
