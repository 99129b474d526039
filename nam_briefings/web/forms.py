"""Web forms (Flask-WTF: every form carries a CSRF token).

Forms only check the shape of the input; the services decide what is acceptable and
say so with `Invalid(message, field=...)`, which `add_error` puts next to the field.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, StopValidation

from ..domain.constants import CONTACT_ROLES, LANGUAGES
from ..domain.errors import Invalid
from ..domain.validation import normalise_email

ROLE_LABELS = {
    "ambassador": "Ambassador",
    "deputy": "Deputy",
    "focal_point": "Focal point",
    "other": "Other",
}
LANGUAGE_LABELS = {
    "en": "English",
    "fr": "French",
    "es": "Spanish",
    "ar": "Arabic",
    "ru": "Russian",
    "zh": "Chinese",
    "de": "German",
    "pt": "Portuguese",
}


def valid_email(form: FlaskForm, field) -> None:
    """The service's own e-mail check, run early so that every error shows at once."""
    try:
        normalise_email(field.data)
    except Invalid as error:
        raise StopValidation(str(error)) from None


class LoginForm(FlaskForm):
    """E-mail address and password."""

    email = EmailField("E-mail address", validators=[InputRequired("Give your e-mail address.")])
    password = PasswordField("Password", validators=[InputRequired("Give your password.")])


class MissionForm(FlaskForm):
    """A mission's name and functional mailbox."""

    name = StringField("Mission name", validators=[InputRequired("Give the mission's name."),
                                                   Length(max=300)])
    email = EmailField("Functional mailbox",
                       validators=[InputRequired("Give the mission's e-mail address."),
                                   valid_email])


class NewMissionForm(MissionForm):
    """A mission for a state that has none yet."""

    state = SelectField("State", validators=[InputRequired("Choose a state.")])

    def set_states(self, states: list) -> None:
        """Offer `states` (State rows) as the choices."""
        self.state.choices = [SelectChoice("", "Choose a state…")] + [
            SelectChoice(state.iso3, f"{state.name} ({state.iso3})") for state in states
        ]


class ContactForm(FlaskForm):
    """A person (or mailbox) at a mission."""

    name = StringField("Name", validators=[InputRequired("Give the contact's name."),
                                           Length(max=200)])
    role = SelectField("Role",
                       choices=[SelectChoice(role, ROLE_LABELS[role]) for role in CONTACT_ROLES])
    email = EmailField("E-mail address",
                       validators=[InputRequired("Give the contact's e-mail address."),
                                   valid_email])
    language = SelectField(
        "Language",
        choices=[SelectChoice(code, f"{LANGUAGE_LABELS[code]} ({code})") for code in LANGUAGES],
    )

    def keep_language(self, code: str) -> None:
        """Offer `code` too (a language an import allowed), so that saving keeps it."""
        if code not in LANGUAGES:
            self.language.choices = [*self.language.choices, SelectChoice(code)]


def add_error(form: FlaskForm, error: Invalid) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    field = form._fields.get(error.field or "")
    if field is None:
        form.form_errors.append(str(error))
    else:
        field.errors = [*field.errors, str(error)]
