"""ORM tables. Datetimes are timezone-aware and stored in UTC; dates are Geneva dates."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    JSON,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from .domain.constants import (
    BRIEFING_STATUSES,
    BUSY_KINDS,
    CONTACT_ROLES,
    FANOUT_KINDS,
    FANOUT_STATUSES,
    INVITATION_ROLES,
    NAM_STATUSES,
    OUTBOX_KINDS,
    OUTBOX_STATUSES,
    PARTSTATS,
    PROPOSAL_STATUSES,
    ROLES,
    SESSION_STATUSES,
    SLOT_STATUSES,
)
from .domain.imip import OUTCOMES as REPLY_OUTCOMES
from .domain.messages import recalled, recorded
from .extensions import db


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored in UTC.

    PostgreSQL keeps it as `timestamptz`; SQLite, which has no time zones, keeps the
    naive UTC value. Either way Python code only ever sees aware UTC datetimes, and a
    naive datetime is refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone-aware value")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class TimestampMixin:
    #: when the row was created (UTC)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    #: when the row last changed (UTC)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


def kept_sentence(column: str) -> tuple[property, object]:
    """What makes a text column keep its sentence (a `Said`) beside its English text, in
    `<column>_said`, whenever it is set (`domain.messages.recorded`): the property reading
    it back (`<column>_sentence`, a Said a page writes in its own language, or the text as
    it is) and the validator storing it. Bulk updates set `<column>_said` themselves."""

    def sentence(self) -> str:
        return recalled(getattr(self, column), getattr(self, f"{column}_said"))

    @validates(column)
    def keep(self, _key: str, text: str) -> str:
        setattr(self, f"{column}_said", recorded(text))
        return text

    return property(sentence, doc=sentence.__doc__), keep


class State(TimestampMixin, db.Model):
    """A UN member or observer state, with its standing in the Non-Aligned Movement."""

    __tablename__ = "states"
    __table_args__ = (CheckConstraint(_in("nam_status", NAM_STATUSES), name="nam_status"),)

    #: ISO 3166-1 alpha-3 code, e.g. "GUY"
    iso3: Mapped[str] = mapped_column(String(3), primary_key=True)
    #: UN short name, e.g. "Guyana"
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: "member", "observer" or "none"
    nam_status: Mapped[str] = mapped_column(String(10), nullable=False, default="none")
    #: year the state joined NAM (members and observers), if known
    nam_joined: Mapped[int | None] = mapped_column(Integer)

    mission: Mapped[Mission | None] = relationship(back_populates="state", uselist=False)
    reviews: Mapped[list[Review]] = relationship(back_populates="state")

    def __repr__(self) -> str:
        return f"<State {self.iso3} {self.name!r} {self.nam_status}>"


class UprSession(TimestampMixin, db.Model):
    """A session of the UPR Working Group (about two weeks, ~14 states reviewed)."""

    __tablename__ = "upr_sessions"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint(_in("status", SESSION_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: session number, e.g. 35 for January 2020
    number: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)
    #: UPR cycle (1-4...)
    cycle: Mapped[int] = mapped_column(Integer, nullable=False)
    #: first day of the session (Geneva date)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    #: last day of the session (Geneva date)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    #: where the Working Group meets
    venue: Mapped[str] = mapped_column(
        String(200), nullable=False, default="Palais des Nations, Geneva"
    )
    #: "expected" (forecast by the rotation, not yet published), "scheduled", "postponed"
    #: or "held"
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="scheduled")
    #: for an expected session: the session of the cycle before whose states it repeats
    forecast_from: Mapped[int | None] = mapped_column(Integer)

    reviews: Mapped[list[Review]] = relationship(
        back_populates="session", order_by="Review.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<UprSession {self.number} {self.start_date}..{self.end_date}>"


class Review(TimestampMixin, db.Model):
    """One state's review within a UPR session (a 3.5-hour slot)."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("session_id", "state_iso3"),
        UniqueConstraint("session_id", "position"),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint("end_at IS NULL OR end_at > start_at", name="times_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the session the review belongs to
    session_id: Mapped[int] = mapped_column(
        ForeignKey("upr_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: the state under review
    state_iso3: Mapped[str] = mapped_column(ForeignKey("states.iso3"), nullable=False, index=True)
    #: order of review within the session (1 = first)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    #: the review day, when only the day is known (or the day of `start_at`)
    review_date: Mapped[date | None] = mapped_column(Date)
    #: start of the review slot (UTC), when published
    start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: end of the review slot (UTC), when published
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the session number the review was moved from (a deferred review), if any
    moved_from_session: Mapped[int | None] = mapped_column(Integer)

    session: Mapped[UprSession] = relationship(back_populates="reviews")
    state: Mapped[State] = relationship(back_populates="reviews")

    def __repr__(self) -> str:
        return f"<Review UPR{self.session_id} #{self.position} {self.state_iso3}>"


class Mission(TimestampMixin, db.Model):
    """A state's Permanent Mission in Geneva."""

    __tablename__ = "missions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the state the mission represents (one mission per state)
    state_iso3: Mapped[str] = mapped_column(
        ForeignKey("states.iso3"), unique=True, nullable=False
    )
    #: e.g. "Permanent Mission of Guyana to the United Nations Office at Geneva"
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    #: the functional mailbox (lower-cased)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    #: deactivated missions receive nothing
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    #: weekdays (0 = Monday) the mission prefers for presenting at a briefing
    preferred_weekdays: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: weekdays it would rather avoid (a preference; a hard "no" is a blackout busy period)
    avoided_weekdays: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: secret of the mission's private calendar feed URL (rotating it voids the old URL)
    feed_token: Mapped[str | None] = mapped_column(String(43), unique=True)
    #: when the secretariat switched the feed off (no new URL is made until it makes one)
    feed_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    state: Mapped[State] = relationship(back_populates="mission")
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="mission", order_by="Contact.name", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Mission {self.state_iso3} {self.email}>"


class Contact(TimestampMixin, db.Model):
    """A person (or mailbox) at a Permanent Mission who receives invitations."""

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("mission_id", "email"),
        CheckConstraint(_in("role", CONTACT_ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the mission the contact belongs to
    mission_id: Mapped[int] = mapped_column(
        ForeignKey("missions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: full name, e.g. "H.E. Ms. Jane Doe"
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: "ambassador", "deputy", "focal_point" or "other"
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    #: e-mail address (lower-cased)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    #: preferred language for messages (ISO 639-1, e.g. "en", "fr", "es", "ar")
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    #: inactive contacts are kept for history but receive nothing
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    mission: Mapped[Mission] = relationship(back_populates="contacts")

    def __repr__(self) -> str:
        return f"<Contact {self.email} ({self.role}) of mission {self.mission_id}>"


class Room(TimestampMixin, db.Model):
    """A meeting room where briefings can take place."""

    __tablename__ = "rooms"
    __table_args__ = (CheckConstraint("capacity > 0", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. "Room XXIV, Palais des Nations"
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    #: number of seats
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    #: street address or building, shown in invitations
    location: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    #: inactive rooms are never proposed
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __repr__(self) -> str:
        return f"<Room {self.name!r} ({self.capacity} seats)>"


class BusyPeriod(TimestampMixin, db.Model):
    """A period when briefings should not (or preferably not) take place.

    Global when neither `room_id` nor `mission_id` is set; otherwise it concerns that
    room or that mission only. `kind` says how the planner treats it: Human Rights
    Council sessions are a soft preference, everything else blocks.
    """

    __tablename__ = "busy_periods"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="times_ordered"),
        CheckConstraint(_in("kind", BUSY_KINDS), name="kind"),
        CheckConstraint("room_id IS NULL OR mission_id IS NULL", name="one_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "hrc_session", "closure", "meeting" or "blackout"
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    #: shown to people, e.g. "HRC58" or "UN Geneva closure (Eid al-Fitr)"
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    #: start (UTC, inclusive)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    #: end (UTC, exclusive)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    #: whole Geneva days (start and end at local midnight)
    all_day: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: the room concerned, for a room booking
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    #: the mission concerned, for a mission's blackout
    mission_id: Mapped[int | None] = mapped_column(
        ForeignKey("missions.id", ondelete="CASCADE")
    )
    #: natural key of imported rows (e.g. "hrc:58"), so re-imports update in place
    source_key: Mapped[str | None] = mapped_column(String(100), unique=True)

    room: Mapped[Room | None] = relationship()
    mission: Mapped[Mission | None] = relationship()

    def __repr__(self) -> str:
        return f"<BusyPeriod {self.kind} {self.label!r} {self.start_at}..{self.end_at}>"


class User(UserMixin, TimestampMixin, db.Model):
    """A secretariat account."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: login name (lower-cased e-mail address)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    #: werkzeug password hash (scrypt)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    #: "admin", "editor" or "viewer"
    role: Mapped[str] = mapped_column(String(10), nullable=False, default="viewer")
    #: inactive users cannot log in
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    #: last successful login (UTC)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: secret of the user's private secretariat feed URL (with proposals)
    feed_token: Mapped[str | None] = mapped_column(String(43), unique=True)
    #: raised at logout and at a password change: login sessions of an older version end
    session_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                                 server_default="0")
    #: the language the user reads the pages in ("en", "fr", "es", "ar"); None follows the
    #: browser's Accept-Language
    language: Mapped[str | None] = mapped_column(String(8))

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def set_password(self, password: str) -> None:
        """Store a salted hash of `password`."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """True when `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def can(self, role: str) -> bool:
        """True when the user's role is at least `role` (viewer < editor < admin)."""
        return ROLES.index(self.role) >= ROLES.index(role)

    def __repr__(self) -> str:
        return f"<User {self.email} ({self.role})>"


class AuditEvent(db.Model):
    """A record of one change: who did what, when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: when it happened (UTC)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    #: the user who did it, when done through the web
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: who did it, as shown: the user's e-mail, "cli:<login>" or "system"
    actor: Mapped[str] = mapped_column(String(254), nullable=False)
    #: what was done, e.g. "contact.create", "import.sessions"
    action: Mapped[str] = mapped_column(String(50), nullable=False, index=True)
    #: the kind of thing changed, e.g. "contact"
    target_type: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    #: its key, e.g. "42" or "GUY"
    target_id: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    #: a short human-readable summary of the change
    details: Mapped[str] = mapped_column(Text, nullable=False, default="")

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}>"


class Proposal(TimestampMixin, db.Model):
    """One ranked alternative from the planner for a session: one or more meetings.

    The meetings are kept as the planner's JSON (times with their UTC offset), so that
    what the secretariat confirms is exactly what it was shown.
    """

    __tablename__ = "proposals"
    __table_args__ = (CheckConstraint(_in("status", PROPOSAL_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the planner's deterministic id of this alternative (shown and used by `confirm`)
    key: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    #: the session the meetings prepare
    session_id: Mapped[int] = mapped_column(
        ForeignKey("upr_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: 1 = the best alternative of its planning run
    rank: Mapped[int] = mapped_column(Integer, nullable=False)
    #: the planner's total score (higher is better)
    score: Mapped[float] = mapped_column(nullable=False)
    #: plain-language reasons for the score (English)
    reasons: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: the reasons in the other written languages, line for line ({"fr": [...], "es": [...],
    #: "ar": [...]}); None for proposals planned before they were translated (English only)
    reasons_by_language: Mapped[dict | None] = mapped_column(JSON)
    #: the meetings with their agenda, as the planner's JSON
    meetings: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: the rules the planner used (overrides only)
    rules: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    #: "open", "confirmed" or "superseded" (by a later planning run)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="open")

    session: Mapped[UprSession] = relationship()

    def __repr__(self) -> str:
        return f"<Proposal {self.key} #{self.rank} session {self.session_id} {self.status}>"


class Briefing(TimestampMixin, db.Model):
    """A confirmed NAM ambassadorial meeting where missions under review brief NAM."""

    __tablename__ = "briefings"
    __table_args__ = (
        # a proposal's meeting becomes at most one briefing, however often it is confirmed
        UniqueConstraint("proposal_id", "proposal_meeting"),
        CheckConstraint("end_at > start_at", name="times_ordered"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint(_in("status", BRIEFING_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the session the briefing prepares
    session_id: Mapped[int] = mapped_column(
        ForeignKey("upr_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: the proposal it was confirmed from (None when set by hand)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    #: which of the proposal's meetings it is (0 = first); None when set by hand
    proposal_meeting: Mapped[int | None] = mapped_column(Integer)
    #: "confirmed", "cancelled" or "held"
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="confirmed")
    #: start (UTC)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    #: end (UTC)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: where it takes place
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    #: iCalendar UID: stable for the life of the briefing, never reused
    uid: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    #: iCalendar SEQUENCE: only goes up (each reschedule or cancellation)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: set when the session's dates changed after confirmation
    needs_review: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: why it needs review, shown to the secretariat
    review_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: its sentence, kept for pages in other languages (`kept_sentence`)
    review_note_said: Mapped[dict | None] = mapped_column(JSON)
    review_note_sentence, _keep_review_note_said = kept_sentence("review_note")
    #: a presenting mission left the agenda; the new agenda waits for the secretariat's
    #: decision (send it, re-plan the meeting or cancel it) before anyone is told
    agenda_pending: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                 server_default=false())

    session: Mapped[UprSession] = relationship()
    proposal: Mapped[Proposal | None] = relationship()
    room: Mapped[Room | None] = relationship()
    items: Mapped[list[BriefingItem]] = relationship(
        back_populates="briefing", order_by="BriefingItem.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Briefing {self.uid} {self.status} {self.start_at} seq {self.sequence}>"


class BriefingItem(TimestampMixin, db.Model):
    """One state's presentation on a briefing's agenda."""

    __tablename__ = "briefing_items"
    __table_args__ = (
        UniqueConstraint("briefing_id", "review_id"),
        CheckConstraint("end_at > start_at", name="times_ordered"),
        CheckConstraint(_in("slot_status", SLOT_STATUSES), name="slot_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the briefing whose agenda this is
    briefing_id: Mapped[int] = mapped_column(
        ForeignKey("briefings.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: the review being presented (and so the presenting state)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False)
    #: order on the agenda (1 = first after the opening)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    #: start of the presentation (UTC)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: end of the presentation (UTC)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: the presenting mission's answer: "invited", "confirmed" or "declined" (off the agenda)
    slot_status: Mapped[str] = mapped_column(String(10), nullable=False, default="invited",
                                             server_default="invited")

    briefing: Mapped[Briefing] = relationship(back_populates="items")
    review: Mapped[Review] = relationship()

    def __repr__(self) -> str:
        return f"<BriefingItem {self.briefing_id} #{self.position} review {self.review_id}>"


class OutboxMessage(TimestampMixin, db.Model):
    """An e-mail waiting to be sent, written in the same transaction as its cause.

    Delivery (services/outbox.py) claims rows, sends them and records the outcome, so a
    crash or an SMTP outage loses nothing: the row stays until it is sent or given up.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(_in("kind", OUTBOX_KINDS), name="kind"),
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what makes this message unique, e.g. "request:12:345:2" (briefing, contact, sequence)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    #: "request", "cancel", "reminder", "chaser" or "notice" (to the secretariat)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    #: "pending", "sending", "sent" or "failed"
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending", index=True)
    #: the one recipient
    to_address: Mapped[str] = mapped_column(String(254), nullable=False)
    #: Subject header
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    #: plain-text body
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    #: HTML body, if any
    body_html: Mapped[str | None] = mapped_column(Text)
    #: the iCalendar object, if any
    ics: Mapped[str | None] = mapped_column(Text)
    #: its METHOD (REQUEST / CANCEL / PUBLISH), the text/calendar part's method= parameter
    ics_method: Mapped[str | None] = mapped_column(String(10))
    #: the language the message is written in (its Content-Language), None for English
    #: messages queued before messages had languages
    language: Mapped[str | None] = mapped_column(String(8))
    #: Message-ID, fixed when queued so that a retry reuses it
    message_id: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    #: the briefing concerned, if any
    briefing_id: Mapped[int | None] = mapped_column(
        ForeignKey("briefings.id", ondelete="SET NULL"), index=True
    )
    #: the contact written to, if any
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    #: the briefing's SEQUENCE the message carries, if any
    sequence: Mapped[int | None] = mapped_column(Integer)
    #: delivery attempts so far
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: not to be tried before this instant (backoff)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow,
                                                      index=True)
    #: when a worker claimed it (a stale claim is taken over)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the SMTP server accepted it
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the last error, shown to the secretariat
    last_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: its sentence, kept for pages in other languages (`kept_sentence`)
    last_error_said: Mapped[dict | None] = mapped_column(JSON)
    last_error_sentence, _keep_last_error_said = kept_sentence("last_error")

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} to {self.to_address} {self.status}>"


class Fanout(TimestampMixin, db.Model):
    """One change of a briefing to be sent to its audience, committed with the change.

    The request that confirms, moves or cancels a briefing writes this one row and
    returns; a delivery worker then composes the messages (services/fanout.py). The row
    is durable: a worker that dies while composing leaves it "composing" with an old
    claim, and the next worker resumes it where the committed messages end.
    """

    __tablename__ = "fanouts"
    __table_args__ = (
        CheckConstraint(_in("kind", FANOUT_KINDS), name="kind"),
        CheckConstraint(_in("status", FANOUT_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    #: "invite", "update" or "cancel"
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    #: the briefing's SEQUENCE when the change was made
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    #: "queued", "composing", "done" or "superseded"
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="queued", index=True)
    #: how many contacts it was for when queued (what the secretariat was told)
    recipients: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: how many messages it has written to the outbox so far
    composed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: when a worker claimed it, refreshed after each chunk (an old claim is taken over)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when its last message was written
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    briefing: Mapped[Briefing] = relationship()

    def __repr__(self) -> str:
        return f"<Fanout {self.id} {self.kind} briefing {self.briefing_id} {self.status}>"


class BriefingVersion(TimestampMixin, db.Model):
    """What one version (SEQUENCE) of a briefing said when it was sent: what an update
    compares with, for each contact the version it last received ("Time changed from …"),
    and the secretariat's note that went with it."""

    __tablename__ = "briefing_versions"
    __table_args__ = (UniqueConstraint("briefing_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: the room as the e-mail named it ("" for none)
    room: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    #: the presenting states' names in agenda order, one a line
    presenters: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="confirmed")
    #: the secretariat's note, put into every e-mail of this version ("" for none)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    def __repr__(self) -> str:
        return f"<BriefingVersion briefing {self.briefing_id} sequence {self.sequence}>"


class Invitation(TimestampMixin, db.Model):
    """One contact's invitation to one briefing, with their answer."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("briefing_id", "contact_id"),
        CheckConstraint(_in("role", INVITATION_ROLES), name="role"),
        CheckConstraint(_in("partstat", PARTSTATS), name="partstat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the briefing
    briefing_id: Mapped[int] = mapped_column(
        ForeignKey("briefings.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: the person invited
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: "presenter" (their mission is on the agenda) or "participant"
    role: Mapped[str] = mapped_column(String(12), nullable=False, default="participant")
    #: the answer: NEEDS-ACTION, ACCEPTED, TENTATIVE or DECLINED
    partstat: Mapped[str] = mapped_column(String(12), nullable=False, default="NEEDS-ACTION")
    #: when the answer was given (UTC)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: how: "link", "email" (iMIP REPLY) or "secretariat"
    answered_via: Mapped[str] = mapped_column(String(12), nullable=False, default="")
    #: the SEQUENCE of the invitation version answered
    answered_sequence: Mapped[int | None] = mapped_column(Integer)
    #: the DTSTAMP of the e-mail reply (iMIP) that gave the answer, to refuse older ones
    answered_stamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: a comment given with the answer
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: random key behind the signed RSVP links (rotating it voids old links)
    token: Mapped[str] = mapped_column(String(43), unique=True, nullable=False)
    #: the last SEQUENCE queued to this contact (None: nothing yet)
    last_sequence_sent: Mapped[int | None] = mapped_column(Integer)

    # No save-update cascade to the parents (they are always in the session already):
    # adding an invitation would otherwise walk every object loaded beside them (the
    # briefing's agenda, the mission's contacts...), which made a fan-out quadratic.
    briefing: Mapped[Briefing] = relationship(cascade="merge")
    contact: Mapped[Contact] = relationship(cascade="merge")

    def __repr__(self) -> str:
        return f"<Invitation briefing {self.briefing_id} contact {self.contact_id} {self.partstat}>"


class InboundReply(db.Model):
    """One iMIP REPLY read from the organizer's mailbox (or a file), and what became of it.

    A message whose replies are all refused is kept as one row with the reason; a message
    already read (same Message-ID) adds no row.
    """

    __tablename__ = "inbound_replies"
    __table_args__ = (CheckConstraint(_in("outcome", REPLY_OUTCOMES), name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: when the service read it (UTC)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False,
                                                  index=True)
    #: the e-mail's Message-ID (or sha256:<hex> of its bytes when it has none)
    message_id: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    #: "imap" (the scheduler's or `replies fetch`) or "file" (`replies apply FILE.eml`)
    source: Mapped[str] = mapped_column(String(10), nullable=False, default="imap")
    #: the From address (lower-cased)
    from_address: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    #: the Subject, e.g. "Accepted: NAM briefing before UPR49"
    subject: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    #: the iCalendar UID answered ("" when the message could not be read)
    event_uid: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    #: the ATTENDEE answering (lower-cased)
    attendee: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    #: the answer: ACCEPTED, TENTATIVE or DECLINED ("" when unreadable)
    partstat: Mapped[str] = mapped_column(String(12), nullable=False, default="")
    #: the SEQUENCE answered
    sequence: Mapped[int | None] = mapped_column(Integer)
    #: the reply's DTSTAMP (UTC)
    dtstamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the reply's COMMENT
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: "applied", "stale", "duplicate", "unknown" (UID), "ignored" (briefing over) or "rejected"
    outcome: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    #: why, in words (empty for a plain "applied")
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: its sentence, kept for pages in other languages (`kept_sentence`)
    reason_said: Mapped[dict | None] = mapped_column(JSON)
    reason_sentence, _keep_reason_said = kept_sentence("reason")
    #: for the secretariat, e.g. that the answer came from another address of the mission
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: its sentence, kept for pages in other languages (`kept_sentence`)
    note_said: Mapped[dict | None] = mapped_column(JSON)
    note_sentence, _keep_note_said = kept_sentence("note")
    #: what the receiving server's Authentication-Results said of the sender, in words
    authentication: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                                server_default="")
    #: who accepted or rejected an unverified reply, and when ("" while undecided)
    decided_by: Mapped[str] = mapped_column(String(254), nullable=False, default="",
                                            server_default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the briefing the UID names, if any
    briefing_id: Mapped[int | None] = mapped_column(
        ForeignKey("briefings.id", ondelete="SET NULL"), index=True
    )
    #: the invitation the answer was recorded against, if any
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )

    briefing: Mapped[Briefing | None] = relationship()
    invitation: Mapped[Invitation | None] = relationship()

    def __repr__(self) -> str:
        return f"<InboundReply {self.id} {self.outcome} {self.attendee} {self.partstat}>"


class LoginThrottle(db.Model):
    """Failed logins counted per account or per client address, to slow down guessing.

    Kept in the database so that every web worker sees the same counts.
    """

    __tablename__ = "login_throttles"

    #: "account:<email>" or "address:<ip>"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    #: failed attempts since `first_failure_at`
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: the first failure of the current run (UTC)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: no attempt is checked before this instant (UTC)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.key} {self.failures} until {self.blocked_until}>"
