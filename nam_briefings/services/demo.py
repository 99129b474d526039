"""Demo data for a first run: an admin account and missions with contacts on example.org."""
from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass

from ..extensions import db
from ..models import State, User
from . import audit
from .calendar import ImportReport, import_csv
from .users import create_user

DEMO_ADMIN_EMAIL = "admin@example.org"
DEMO_DOMAIN = "example.org"


@dataclass
class DemoResult:
    admin_email: str
    #: the generated password, only when the account was created just now
    admin_password: str | None
    missions: ImportReport
    contacts: ImportReport


def create_demo_data(actor: audit.Actor) -> DemoResult:
    """Create the demo admin (once) and a mission with two contacts per NAM member/observer.

    Missing rows are added; existing ones are left as they are, so it can run every time.
    """
    password = None
    if db.session.scalar(db.select(User).filter_by(email=DEMO_ADMIN_EMAIL)) is None:
        password = secrets.token_urlsafe(12)
        create_user(DEMO_ADMIN_EMAIL, password, "admin", actor)
    states = list(db.session.scalars(
        db.select(State).where(State.nam_status != "none").order_by(State.iso3)))
    missions = import_csv("missions", _missions_csv(states), actor, source="demo",
                          update_existing=False)
    contacts = import_csv("contacts", _contacts_csv(states), actor, source="demo",
                          update_existing=False)
    return DemoResult(DEMO_ADMIN_EMAIL, password, missions, contacts)


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _missions_csv(states: list[State]) -> str:
    return _csv(["iso3", "mission_name", "email"], [
        [s.iso3, f"Permanent Mission of {s.name} to the United Nations Office at Geneva",
         f"mission.{s.iso3.lower()}@{DEMO_DOMAIN}"] for s in states])


def _contacts_csv(states: list[State]) -> str:
    rows = []
    for s in states:
        code = s.iso3.lower()
        rows.append([s.iso3, f"Ambassador of {s.name} (demo)", "ambassador",
                     f"ambassador.{code}@{DEMO_DOMAIN}", "en"])
        rows.append([s.iso3, f"UPR focal point of {s.name} (demo)", "focal_point",
                     f"upr.{code}@{DEMO_DOMAIN}", "en"])
    return _csv(["iso3", "name", "role", "email", "language"], rows)
