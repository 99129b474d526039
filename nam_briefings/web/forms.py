"""Web forms (Flask-WTF: every form carries a CSRF token).

Forms only check the shape of the input; the services decide what is acceptable and
say so with `Invalid(message, field=...)`, which `add_error` puts next to the field.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask_babel import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileSize
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.calendar import GENEVA, local_to_utc
from ..domain.constants import CONTACT_ROLES, LANGUAGES
from ..domain.errors import Invalid
from ..domain.limits import (
    BUSY_LABEL_MAX,
    CONTACT_NAME_MAX,
    DATABASE_INT_MAX,
    EMAIL_MAX,
    MISSION_NAME_MAX,
    NOTE_MAX_LENGTH,
    PASSWORD_MAX,
    ROOM_LOCATION_MAX,
    ROOM_NAME_MAX,
)
from ..domain.validation import normalise_email
from ..i18n import LANGUAGES as PAGE_LANGUAGES
from ..i18n import NATIVE_NAMES, N_, gettext, lazy_gettext as _l, lazy_ngettext
from ..i18n import lazy_number, translated

#: the tick that lets invitations go out for a briefing in the past (services: allow_past)
PAST_LABEL = _l("I understand this briefing is in the past: send the invitations anyway")


def expected_label(number: int) -> LazyString:
    """The tick that lets a briefing be confirmed for an expected session (allow_expected),
    written in the language of the page that shows it."""
    return _l("I understand session %(number)s is expected: its dates are not yet published",
              number=number)

#: a contact's role and language, as people read them (translated where shown)
ROLE_LABELS = {
    "ambassador": N_("Ambassador"),
    "deputy": N_("Deputy"),
    "focal_point": N_("Focal point"),
    "other": N_("Other"),
}
LANGUAGE_LABELS = {
    "en": N_("English"),
    "fr": N_("French"),
    "es": N_("Spanish"),
    "ar": N_("Arabic"),
    "ru": N_("Russian"),
    "zh": N_("Chinese"),
    "de": N_("German"),
    "pt": N_("Portuguese"),
}


def valid_email(form: FlaskForm, field) -> None:
    """The service's own e-mail check, run early so that every error shows at once."""
    try:
        normalise_email(field.data)
    except Invalid as error:
        raise StopValidation(translated(error)) from None


def at_most(limit: int, what: Any = _l("This field")) -> Length:
    """A maximum length (the column's size), with the message saying so (in the page's
    language, `what` too when it is marked: `_l("The name")`)."""
    return Length(max=limit, message=lazy_ngettext(
        "%(what)s must be at most %(limit)s character long.",
        "%(what)s must be at most %(limit)s characters long.",
        limit, what=what, limit=lazy_number(limit)))


def storable_number() -> NumberRange:
    """No larger than the database holds (the services check the lower bound, and say why)."""
    return NumberRange(max=DATABASE_INT_MAX, message=_l(
        "Give a whole number no larger than %(limit)s.", limit=lazy_number(DATABASE_INT_MAX)))


#: an e-mail address field's length check (RFC 5321: 254 characters)
EMAIL_LENGTH = at_most(EMAIL_MAX, _l("An e-mail address"))
#: a password field's length check
PASSWORD_LENGTH = at_most(PASSWORD_MAX, _l("A password"))
#: a number typed into a text field (the planner's rules): a few digits at most
RULE_LENGTH = Length(max=20, message=_l("Give a short number (or leave the field empty)."))


class LoginForm(FlaskForm):
    """E-mail address and password."""

    email = EmailField(_l("E-mail address"),
                       validators=[InputRequired(_l("Give your e-mail address.")), EMAIL_LENGTH])
    password = PasswordField(_l("Password"),
                             validators=[InputRequired(_l("Give your password.")),
                                         PASSWORD_LENGTH])


def form_status(form: FlaskForm) -> int:
    """The status of a page showing `form`: 400 when a submission was refused, else 200."""
    return 400 if form.is_submitted() and form.errors else 200


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (the template wraps them in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MissionForm(FlaskForm):
    """A mission's name and functional mailbox."""

    name = StringField(_l("Mission name"),
                       validators=[InputRequired(_l("Give the mission's name.")),
                                   at_most(MISSION_NAME_MAX, _l("The name"))])
    email = EmailField(_l("Functional mailbox"),
                       validators=[InputRequired(_l("Give the mission's e-mail address.")),
                                   EMAIL_LENGTH, valid_email])


#: the working days, as the pages name them (domain.constants.WEEKDAY_NAMES, translated)
WEEKDAY_LABELS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"))
WEEKDAY_CHOICES = [SelectChoice(day, _l(WEEKDAY_LABELS[day])) for day in range(5)]


class EditMissionForm(MissionForm):
    """An existing mission, with the weekdays it prefers or avoids for presenting."""

    preferred_weekdays = MultiCheckboxField(_l("Preferred weekdays"), coerce=int,
                                            choices=WEEKDAY_CHOICES, validate_choice=True)
    avoided_weekdays = MultiCheckboxField(_l("Weekdays to avoid"), coerce=int,
                                          choices=WEEKDAY_CHOICES, validate_choice=True)


class NewMissionForm(MissionForm):
    """A mission for a state that has none yet."""

    state = SelectField(_l("State"), validators=[InputRequired(_l("Choose a state."))])

    def set_states(self, states: list) -> None:
        """Offer `states` (State rows) as the choices."""
        self.state.choices = [SelectChoice("", _l("Choose a state…"))] + [
            SelectChoice(state.iso3, f"{state.name} ({state.iso3})") for state in states
        ]


class ContactForm(FlaskForm):
    """A person (or mailbox) at a mission (also on the mission portal: in its language)."""

    name = StringField(_l("Name"), validators=[InputRequired(_l("Give the contact's name.")),
                                               at_most(CONTACT_NAME_MAX, _l("The name"))])
    role = SelectField(_l("Role"), choices=[SelectChoice(role, _l(ROLE_LABELS[role]))
                                            for role in CONTACT_ROLES])
    email = EmailField(_l("E-mail address"),
                       validators=[InputRequired(_l("Give the contact's e-mail address.")),
                                   EMAIL_LENGTH, valid_email])
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, _l("%(language)s (%(code)s)",
                                       language=_l(LANGUAGE_LABELS[code]), code=code))
                 for code in LANGUAGES],
    )

    def keep_language(self, code: str) -> None:
        """Offer `code` too (a language an import allowed), so that saving keeps it."""
        if code not in LANGUAGES:
            self.language.choices = [*self.language.choices, SelectChoice(code)]


class RulesForm(FlaskForm):
    """The planner's main rules, as text: the services check the values and name the rule.

    The full form also sends `change_rules=1`, so that an unticked "observers" box means
    "no"; the short "Propose times" form sends no rule at all (plan as configured).
    """

    change_rules = HiddenField(validators=[Length(max=1)])
    window_working_days = StringField(_l("Window (working days before the session)"),
                                      validators=[RULE_LENGTH],
                                      render_kw={"inputmode": "numeric"})
    preferred_lead_working_days = StringField(_l("Preferred lead time (working days before)"),
                                              validators=[RULE_LENGTH],
                                              render_kw={"inputmode": "numeric"})
    meeting_hours = StringField(_l("Meeting hours (Geneva time)"), validators=[Length(
        max=100, message=_l("Give the hours as HH:MM-HH:MM (at most 100 characters)."))])
    minutes_per_state = StringField(_l("Minutes per presenting state"),
                                    validators=[RULE_LENGTH],
                                    render_kw={"inputmode": "numeric"})
    opening_minutes = StringField(_l("Minutes for the opening"), validators=[RULE_LENGTH],
                                  render_kw={"inputmode": "numeric"})
    max_states_per_meeting = StringField(_l("At most this many states per meeting"),
                                         validators=[RULE_LENGTH],
                                         render_kw={"inputmode": "numeric"})
    min_gap_working_days = StringField(_l("Working days between meetings, at least"),
                                       validators=[RULE_LENGTH],
                                       render_kw={"inputmode": "numeric"})
    expected_audience = StringField(_l("Expected audience (seats needed)"),
                                    validators=[RULE_LENGTH],
                                    render_kw={"inputmode": "numeric"})
    include_observers = BooleanField(_l("NAM observers under review present too"))

    TEXT_RULES = ("window_working_days", "preferred_lead_working_days", "meeting_hours",
                  "minutes_per_state", "opening_minutes", "max_states_per_meeting",
                  "min_gap_working_days", "expected_audience")

    def rule_values(self) -> dict[str, Any]:
        """The rules as submitted (empty text: as configured), for `rule_overrides`."""
        values: dict[str, Any] = {name: self[name].data or "" for name in self.TEXT_RULES}
        if self.change_rules.data:
            values["include_observers"] = bool(self.include_observers.data)
        return values


def ticked_at_least_one(form: FlaskForm, field: MultiCheckboxField) -> None:
    """At least one box ticked (without marking every box `required`, as InputRequired would)."""
    if not field.data:
        raise StopValidation(_l("Tick at least one presenting state."))


NOTE_LABEL = _l("A note from the secretariat (optional)")


def note_field() -> TextAreaField:
    """The secretariat's note to put into every e-mail of a change."""
    return TextAreaField(NOTE_LABEL, validators=[Optional(), Length(
        max=NOTE_MAX_LENGTH, message=_l("Keep the note under %(limit)s characters.",
                                        limit=lazy_number(NOTE_MAX_LENGTH)))])


class ManualBriefingForm(FlaskForm):
    """A briefing at a time the secretariat chooses (Geneva wall-clock time)."""

    day = DateField(_l("Date"), validators=[InputRequired(_l("Give the date."))],
                    invalid_value_message=_l("Give the date as YYYY-MM-DD."))
    start_time = TimeField(_l("Start (Geneva time)"), format=["%H:%M", "%H:%M:%S"],
                           validators=[InputRequired(_l("Give the start time."))],
                           invalid_value_message=_l("Give the start time as HH:MM, e.g. 10:00."))
    end_time = TimeField(_l("End (Geneva time)"), format=["%H:%M", "%H:%M:%S"],
                         validators=[InputRequired(_l("Give the end time."))],
                         invalid_value_message=_l("Give the end time as HH:MM, e.g. 11:30."))
    room = SelectField(_l("Room"), validators=[InputRequired(_l("Choose a room."))])
    states = MultiCheckboxField(_l("Presenting states"), validators=[ticked_at_least_one])
    allow_past = BooleanField(PAST_LABEL)
    #: views give the label the session's number (`expected_label`)
    allow_expected = BooleanField(_l("I understand this session is expected: its dates are "
                                     "not yet published"))
    note = note_field()

    def set_choices(self, rooms: list, reviews: list) -> None:
        """Offer `rooms` (Room rows) and the states of `reviews` (Review rows, in order)."""
        self.room.choices = [SelectChoice(room.name, gettext("%(room)s (%(seats)s seats)",
                                                             room=room.name,
                                                             seats=room.capacity))
                             for room in rooms]
        self.states.choices = [
            SelectChoice(review.state_iso3, f"{review.position}. {review.state.name} "
                                            f"({review.state_iso3})")
            for review in reviews
        ]

    def presenting_in_review_order(self) -> list[str]:
        """The ticked states, in the order of the choices (the order of review)."""
        ticked = set(self.states.data or ())
        return [choice.value for choice in self.states.choices if choice.value in ticked]

    def geneva_times(self) -> tuple[datetime, datetime]:
        """Start and end as aware UTC instants; Invalid for a time skipped by a clock change."""
        return (geneva_instant(self.day.data, self.start_time),
                geneva_instant(self.day.data, self.end_time))


def geneva_instant(day: date, field: TimeField) -> datetime:
    """A Geneva wall-clock time on `day` as an aware UTC instant.

    Invalid (naming the field) for a time that does not exist because the clocks go
    forward that night.
    """
    local = datetime.combine(day, field.data)
    try:
        return local_to_utc(local)
    except ValueError:  # worded as local_to_utc's ValueError, then what to do
        raise Invalid(N_("%(moment)s does not exist in %(zone)s (clock change): the clocks go "
                         "forward that night, choose another time"), field=field.name,
                      params={"moment": f"{local:%Y-%m-%d %H:%M}", "zone": GENEVA.key}) from None


class NoteForm(FlaskForm):
    """A step that sends e-mails (a cancellation, a new agenda): an optional note."""

    note = note_field()


class RescheduleForm(FlaskForm):
    """A new time for a confirmed briefing (Geneva wall-clock time); no end keeps the length."""

    day = DateField(_l("New date"), validators=[InputRequired(_l("Give the date."))],
                    invalid_value_message=_l("Give the date as YYYY-MM-DD."))
    start_time = TimeField(_l("New start (Geneva time)"), format=["%H:%M", "%H:%M:%S"],
                           validators=[InputRequired(_l("Give the start time."))],
                           invalid_value_message=_l("Give the start time as HH:MM, e.g. 10:00."))
    end_time = TimeField(_l("New end (Geneva time, optional)"), format=["%H:%M", "%H:%M:%S"],
                         validators=[Optional()],
                         invalid_value_message=_l("Give the end time as HH:MM, e.g. 11:30."))
    send_for_past = BooleanField(_l("Yes, send the update although this time is in the past"))
    #: asked for when the new time breaks the order of review (services: allow_out_of_order)
    move_anyway = BooleanField(_l("Move it anyway"))
    note = note_field()

    def geneva_times(self) -> tuple[datetime, datetime | None]:
        """Start and end (None: keep the length) as aware UTC instants.

        Invalid, naming the field, for a time skipped by a clock change or an end that
        is not after the start.
        """
        start = geneva_instant(self.day.data, self.start_time)
        if self.end_time.data is None:
            return start, None
        end = geneva_instant(self.day.data, self.end_time)
        if end <= start:
            raise Invalid(N_("The end must be after the start (same day)."), field="end_time")
        return start, end


class ConfirmForm(FlaskForm):
    """A confirmation step: only the CSRF token (e.g. cancelling a briefing)."""


class RsvpForm(FlaskForm):
    """An answer to an invitation, given through its signed link, with an optional comment."""

    comment = TextAreaField(_l("Comment for the secretariat (optional)"),
                            validators=[Optional(), Length(max=2000, message=_l(
                                "Keep the comment under 2,000 characters."))])


class LanguageForm(FlaskForm):
    """The language a contact reads the portal and the answer pages in; the service refuses
    any other (with its reason), so the form does not check the choice itself."""

    language = SelectField(_l("Language"), validate_choice=False,
                           choices=[SelectChoice(code, NATIVE_NAMES[code])
                                    for code in PAGE_LANGUAGES])


def add_error(form: FlaskForm, error: Invalid) -> None:
    """Show a service's refusal next to the field it names (or above the form), in the
    page's language when the catalogs know the message."""
    field = form._fields.get(error.field or "")
    message = translated(error)
    if field is None:
        form.form_errors.append(message)
    else:
        field.errors = [*field.errors, message]


class ConfirmProposalForm(FlaskForm):
    """The confirmation step of a proposal; the tick is needed only for a past meeting."""

    allow_past = BooleanField(PAST_LABEL)
    #: views give the label the session's number (`expected_label`)
    allow_expected = BooleanField(_l("I understand this session is expected: its dates are "
                                     "not yet published"))
    note = note_field()


# --- sessions, their reviews and CSV imports -------------------------------------------------

class SessionForm(FlaskForm):
    """A UPR Working Group session: number, cycle and dates (Geneva dates)."""

    number = IntegerField(_l("Session number"),
                          validators=[InputRequired(_l("Give the number.")), storable_number()],
                          render_kw={"inputmode": "numeric"})
    cycle = IntegerField(_l("UPR cycle"),
                         validators=[InputRequired(_l("Give the cycle.")), storable_number()],
                         render_kw={"inputmode": "numeric"})
    start_date = DateField(_l("First day"), validators=[InputRequired(_l("Give the first day."))],
                           invalid_value_message=_l("Give the first day as YYYY-MM-DD."))
    end_date = DateField(_l("Last day"), validators=[InputRequired(_l("Give the last day."))],
                         invalid_value_message=_l("Give the last day as YYYY-MM-DD."))


class ReviewOrderForm(FlaskForm):
    """The states under review in a session, in order, one ISO code per line."""

    states = TextAreaField(_l("States under review, in order of review"),
                           validators=[InputRequired(_l("Give at least one state.")),
                                       at_most(10_000, _l("The list"))])

    def codes(self) -> list[str]:
        """The codes given, one per line (commas and spaces also separate them)."""
        return [code for code in re.split(r"[\s,;]+", self.states.data or "") if code]


class PublishSessionForm(ReviewOrderForm):
    """An expected session as OHCHR publishes it: its dates and states in order of review."""

    start_date = DateField(_l("First day"), validators=[InputRequired(_l("Give the first day."))],
                           invalid_value_message=_l("Give the first day as YYYY-MM-DD."))
    end_date = DateField(_l("Last day"), validators=[InputRequired(_l("Give the last day."))],
                         invalid_value_message=_l("Give the last day as YYYY-MM-DD."))


#: CSV kinds the web import page offers (missions and contacts have their own pages)
WEB_IMPORT_KINDS = ("sessions", "reviews", "hrc-sessions")
#: the largest CSV file the web import accepts
MAX_IMPORT_BYTES = 1_000_000


class ImportForm(FlaskForm):
    """A CSV file to check (dry run) before importing: uploaded, or pasted."""

    kind = SelectField(_l("What the file holds"), choices=[
        SelectChoice("sessions", _l("UPR sessions (number, cycle, start_date, end_date)")),
        SelectChoice("reviews",
                     _l("States under review (session, iso3, position[, start[, end]])")),
        SelectChoice("hrc-sessions", _l("Human Rights Council sessions (number, start_date, "
                                        "end_date)"))])
    file = FileField(_l("CSV file"), validators=[FileSize(MAX_IMPORT_BYTES, message=_l(
        "The file is larger than 1 MB: split it."))])
    text = TextAreaField(_l("Or paste the CSV here"),
                         validators=[Optional(), Length(max=MAX_IMPORT_BYTES)])
    #: set by the preview page's "Import" button: apply what was checked
    apply = HiddenField(validators=[Length(max=1)])

    def data_given(self) -> bytes | str:
        """The uploaded file's bytes, else the pasted text; Invalid when neither is given."""
        if self.file.data:
            return self.file.data.read()
        if (self.text.data or "").strip():
            return self.text.data
        raise Invalid(N_("Choose a CSV file or paste its content."), field="file")


# --- busy periods and rooms --------------------------------------------------------------

BUSY_KIND_LABELS = {"closure": N_("Closure (no briefing anywhere)"),
                    "meeting": N_("The chair's other meeting"),
                    "blackout": N_("A mission's blackout (it cannot present)"),
                    "hrc_session": N_("Human Rights Council session (avoided when possible)")}


class BusyPeriodForm(FlaskForm):
    """Days (and optionally hours) when briefings cannot, or preferably should not, be held."""

    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, _l(label))
                                            for k, label in BUSY_KIND_LABELS.items()])
    label = StringField(_l("Label"), validators=[InputRequired(_l("Give the period a label.")),
                                                 at_most(BUSY_LABEL_MAX, _l("The label"))])
    first_day = DateField(_l("First day"), validators=[InputRequired(_l("Give the first day."))],
                          invalid_value_message=_l("Give the first day as YYYY-MM-DD."))
    last_day = DateField(_l("Last day (optional)"), validators=[Optional()],
                         invalid_value_message=_l("Give the last day as YYYY-MM-DD."))
    start_time = TimeField(_l("From (Geneva time, optional)"), format=["%H:%M", "%H:%M:%S"],
                           validators=[Optional()],
                           invalid_value_message=_l("Give the time as HH:MM, e.g. 10:00."))
    end_time = TimeField(_l("To (Geneva time, optional)"), format=["%H:%M", "%H:%M:%S"],
                         validators=[Optional()],
                         invalid_value_message=_l("Give the time as HH:MM, e.g. 12:00."))
    room = SelectField(_l("Room (for a room booking)"))
    mission = SelectField(_l("Mission (for a mission's blackout)"))

    def set_choices(self, rooms: list, missions: list) -> None:
        """Offer `rooms` (Room rows) and the missions of `missions` (MissionListing rows)."""
        self.room.choices = [SelectChoice("", _l("Any room (not a booking)"))] + [
            SelectChoice(room.name, room.name) for room in rooms]
        self.mission.choices = [SelectChoice("", _l("Every mission (not a blackout)"))] + [
            SelectChoice(m.mission.state_iso3, f"{m.mission.state.name} ({m.mission.state_iso3})")
            for m in missions]


class RoomForm(FlaskForm):
    """A meeting room: name, seats and address."""

    name = StringField(_l("Name"), validators=[InputRequired(_l("Give the room's name.")),
                                               at_most(ROOM_NAME_MAX, _l("The name"))])
    capacity = IntegerField(_l("Seats"),
                            validators=[InputRequired(_l("Give the number of seats.")),
                                        storable_number()],
                            render_kw={"inputmode": "numeric"})
    location = StringField(_l("Address or building (shown in invitations)"),
                           validators=[Optional(),
                                       at_most(ROOM_LOCATION_MAX, _l("The address"))])


# --- users ---------------------------------------------------------------------------------

ROLE_CHOICES = [SelectChoice("viewer", _l("Viewer (reads everything, changes nothing)")),
                SelectChoice("editor", _l("Editor (schedules briefings and sends invitations)")),
                SelectChoice("admin", _l("Administrator (also manages users)"))]


class NewUserForm(FlaskForm):
    """A secretariat account with its role and initial password."""

    email = EmailField(_l("E-mail address"),
                       validators=[InputRequired(_l("Give the e-mail address.")), EMAIL_LENGTH,
                                   valid_email])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    password = PasswordField(_l("Initial password"),
                             validators=[InputRequired(_l("Give an initial password.")),
                                         PASSWORD_LENGTH])


class UserRoleForm(FlaskForm):
    """A new role for an account."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class PasswordResetForm(FlaskForm):
    """A new password for an account."""

    password = PasswordField(_l("New password"),
                             validators=[InputRequired(_l("Give the new password.")),
                                         PASSWORD_LENGTH])


def _multi_line_fields() -> frozenset[str]:
    """The names of the text areas of every form here: the only fields where line breaks
    and tabs belong (the input guard refuses them elsewhere)."""
    forms = [value for value in globals().values()
             if isinstance(value, type) and issubclass(value, FlaskForm)]
    return frozenset(name for form in forms for klass in form.__mro__
                     for name, value in vars(klass).items()
                     if isinstance(value, UnboundField) and issubclass(value.field_class,
                                                                       TextAreaField))


#: names of the text-area fields (see `_multi_line_fields`)
MULTI_LINE_FIELDS = _multi_line_fields()
