"""A refusal with values: English text for the CLI, its template for the catalogs."""
from __future__ import annotations

from nam_briefings.domain.errors import Invalid, NotFound


def test_an_error_with_values_reads_in_english_and_keeps_its_template():
    error = Invalid("%(name)s is listed twice", field="states", params={"name": "Kenya"})
    assert str(error) == "Kenya is listed twice" and error.field == "states"
    assert error.template == "%(name)s is listed twice" and error.params == {"name": "Kenya"}


def test_an_error_without_values_is_its_message_even_with_a_percent_sign():
    assert str(NotFound("100% gone")) == "100% gone"
    assert NotFound("100% gone").template == "100% gone"


def test_translated_fills_the_translated_template_with_the_values(app):
    from flask_babel import force_locale

    from nam_briefings import i18n

    error = Invalid(i18n.N_("Choose one of the languages offered: English, French, Spanish "
                            "or Arabic. Nothing was changed."))
    with app.test_request_context(), force_locale("fr"):
        assert i18n.translated(error).startswith("Choisissez")
        unknown = Invalid("%(n)s things nobody translated", params={"n": 3})
        assert i18n.translated(unknown) == "3 things nobody translated"
