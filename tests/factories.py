"""`create_*` factories with sensible defaults, for tests that need a few rows."""
from __future__ import annotations

import itertools
from datetime import date, datetime

from werkzeug.security import generate_password_hash

from nam_briefings.extensions import db
from nam_briefings.models import Contact, Mission, Review, Room, State, UprSession, User

_counter = itertools.count(1)


def create_state(iso3: str = "GUY", name: str = "Guyana", nam_status: str = "member",
                 nam_joined: int | None = 1970) -> State:
    state = State(iso3=iso3, name=name, nam_status=nam_status, nam_joined=nam_joined)
    db.session.add(state)
    db.session.commit()
    return state


def create_session(number: int = 35, cycle: int = 3, start_date: date = date(2020, 1, 20),
                   end_date: date = date(2020, 1, 31)) -> UprSession:
    session = UprSession(number=number, cycle=cycle, start_date=start_date, end_date=end_date)
    db.session.add(session)
    db.session.commit()
    return session


def create_review(session: UprSession, state: State, position: int,
                  review_date: date | None = None, start_at: datetime | None = None,
                  end_at: datetime | None = None) -> Review:
    review = Review(session=session, state=state, position=position, review_date=review_date,
                    start_at=start_at, end_at=end_at)
    db.session.add(review)
    db.session.commit()
    return review


def create_mission(iso3: str = "GUY", email: str | None = None, name: str | None = None) -> Mission:
    state = db.session.get(State, iso3) or create_state(iso3=iso3, name=f"State {iso3}")
    mission = Mission(
        state_iso3=iso3,
        name=name or f"Permanent Mission of {state.name} in Geneva",
        email=email or f"mission.{iso3.lower()}@example.org",
    )
    db.session.add(mission)
    db.session.commit()
    return mission


def create_contact(mission: Mission, name: str = "Focal Point", role: str = "focal_point",
                   email: str | None = None, language: str = "en") -> Contact:
    contact = Contact(
        mission=mission, name=name, role=role, language=language,
        email=email or f"contact{next(_counter)}.{mission.state_iso3.lower()}@example.org",
    )
    db.session.add(contact)
    db.session.commit()
    return contact


def create_room(name: str = "Room XXIV", capacity: int = 150) -> Room:
    room = Room(name=name, capacity=capacity, location="Palais des Nations")
    db.session.add(room)
    db.session.commit()
    return room


def create_user(email: str = "admin@chair.example.org", role: str = "admin",
                password: str = "correct horse battery") -> User:
    # a cheap hash keeps logging in fast in tests; real accounts get scrypt (User.set_password)
    user = User(email=email, role=role,
                password_hash=generate_password_hash(password, method="pbkdf2:sha256:1000"))
    db.session.add(user)
    db.session.commit()
    return user
