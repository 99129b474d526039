"""domain.csv_safety: exported cells are never read as formulas by a spreadsheet (OWASP)."""
import csv
import io

import pytest

from nam_briefings.domain.csv_safety import safe_cell, safe_row


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil","x")', "+41 22 917 1234", "-2+3",
                                   "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "=", "-"])
def test_a_cell_that_would_start_a_formula_is_made_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Jane Doe", "jane@guy.example.org", "2025-04-28T10:00:00+02:00",
                                   "", " =not at the start", "a=b", "'quoted already"])
def test_ordinary_text_is_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [None, 0, -5, 3.5, True])
def test_values_that_are_not_text_are_unchanged(value):
    assert safe_cell(value) is value


def test_a_row_through_the_csv_writer_reads_back_as_text():
    out = io.StringIO()
    csv.writer(out).writerow(safe_row(["GUY", '=HYPERLINK("http://evil","x")', "ok"]))
    assert next(csv.reader(io.StringIO(out.getvalue()))) == [
        "GUY", '\'=HYPERLINK("http://evil","x")', "ok"]
