"""Reading and checking the CSV files of DESIGN.md, before anything is written.

`parse_file(kind, data, references)` turns the raw bytes of a CSV file into typed records,
or raises `ImportRejected` listing every bad row with its line number and the reason.
What is already in the database comes in as `References` (plain sets and mappings), so
this module stays pure and can be tested without a database.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .calendar import GENEVA, local_to_utc
from .constants import CONTACT_ROLES, NAM_STATUSES, REVIEW_MINUTES
from .errors import Invalid
from .limits import (
    CONTACT_NAME_MAX,
    DATABASE_INT_MAX,
    EMAIL_MAX,
    MISSION_NAME_MAX,
    STATE_NAME_MAX,
    digits_within_int_range,
)
from .messages import N_, Grouped, Joined, Said
from .validation import normalise_email

KINDS = ("states", "sessions", "reviews", "hrc-sessions", "missions", "contacts")


@dataclass(frozen=True)
class RowError:
    """One problem in a file: where (line number, 1 = header) and why.

    `message` is English (a `Said` where it has a template: a page writes it in its
    language; the CLI prints it as it is)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRejected(Invalid):
    """The file cannot be imported; `errors` lists every problem found."""

    def __init__(self, errors: Iterable[RowError]):
        self.errors = sorted(errors, key=lambda error: error.line)
        count = len(self.errors)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found; nothing was imported")


@dataclass(frozen=True)
class References:
    """What the database already holds that rows may refer to."""

    #: ISO codes of known states
    states: frozenset[str] = frozenset()
    #: UPR session number -> (start date, end date)
    sessions: dict[int, tuple[date, date]] = field(default_factory=dict)
    #: ISO codes of states that have a mission
    missions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StateRow:
    iso3: str
    name: str
    nam_status: str
    nam_joined: int | None


@dataclass(frozen=True)
class SessionRow:
    number: int
    cycle: int
    start_date: date
    end_date: date


@dataclass(frozen=True)
class ReviewRow:
    session: int
    iso3: str
    position: int
    review_date: date | None
    start_at: datetime | None
    end_at: datetime | None


@dataclass(frozen=True)
class HrcSessionRow:
    number: int
    start_date: date
    end_date: date


@dataclass(frozen=True)
class MissionRow:
    iso3: str
    name: str
    email: str


@dataclass(frozen=True)
class ContactRow:
    iso3: str
    name: str
    role: str
    email: str
    language: str


Record = StateRow | SessionRow | ReviewRow | HrcSessionRow | MissionRow | ContactRow


@dataclass(frozen=True)
class ParsedRow:
    line: int
    record: Record


@dataclass(frozen=True)
class ParsedFile:
    """A valid file: its records in file order, and how it was read."""

    kind: str
    rows: list[ParsedRow]
    delimiter: str


@dataclass(frozen=True)
class _Format:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    parse: Callable[[dict[str, str], References], Record]
    #: the natural key of a record: two rows with the same key are duplicates
    key: Callable[[Record], tuple]
    describe_key: Callable[[Record], str]
    #: the longest value of a column (its size in the database); others: FIELD_MAX
    lengths: dict[str, int] = field(default_factory=dict)
    #: the columns holding a name: kept on one line, whitespace runs made single spaces
    names: tuple[str, ...] = ()
    #: the columns holding a whole number (their range is checked, not their length)
    numbers: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        optional = "".join(f"[,{name}" for name in self.optional) + "]" * len(self.optional)
        return ",".join(self.required) + optional


# --- single values -----------------------------------------------------------------

#: the longest value of a column not listed in its format's `lengths` (codes, dates, numbers)
FIELD_MAX = 100
#: control characters other than whitespace (tab, line breaks, form feed): never in a value
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
WHITESPACE = re.compile(r"\s+")

ISO3 = re.compile(r"^[A-Z]{3}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
LOCAL_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}$")


def _text(row: dict[str, str], column: str, *, required: bool = True) -> str:
    value = (row.get(column) or "").strip()
    if required and not value:
        raise Invalid(N_("%(column)s is empty"), params={"column": column})
    return value


_NOT_WHOLE = N_("%(column)s %(value)s is not a whole number of at least %(minimum)s")


def _int(row: dict[str, str], column: str, *, minimum: int = 1,
         maximum: int = DATABASE_INT_MAX) -> int:
    value = _text(row, column)
    if not re.fullmatch(r"\d+", value):
        raise Invalid(_NOT_WHOLE, params={"column": column, "value": repr(_shown(value)),
                                          "minimum": minimum})
    if not digits_within_int_range(value, maximum=maximum):
        raise Invalid(N_("%(column)s %(value)s is too large: at most %(maximum)s"),
                      params={"column": column, "value": repr(_shown(value)),
                              "maximum": Grouped(maximum)})
    if int(value) < minimum:
        raise Invalid(_NOT_WHOLE, params={"column": column, "value": repr(value),
                                          "minimum": minimum})
    return int(value)


def _shown(value: str) -> str:
    """A value fit to quote in a message: at most about 30 characters."""
    return value if len(value) <= 30 else f"{value[:12]}…{value[-6:]} ({len(value):,} characters)"


def clean_row(row: dict[str, str], spec: _Format) -> dict[str, str]:
    """The row's values with every name on one line; Invalid for a control character (a NUL
    byte first of all) or a value longer than its column holds.

    Runs before the kind's own checks, so that no message quotes a huge or binary value.
    """
    cleaned = {}
    for column, value in row.items():
        if "\x00" in value:
            raise Invalid(N_("%(column)s contains a NUL byte"), params={"column": column})
        control = CONTROL.search(value)
        if control:
            raise Invalid(N_("%(column)s contains a control character (U+%(code)s)"),
                          params={"column": column, "code": f"{ord(control.group()):04X}"})
        value = value.strip()
        if column in spec.names:
            value = WHITESPACE.sub(" ", value)
        limit = spec.lengths.get(column, FIELD_MAX)
        if len(value) > limit and not (column in spec.numbers and value.isascii()
                                       and value.isdigit()):
            raise Invalid(N_("%(column)s is %(length)s characters long: at most %(limit)s "
                             "characters fit"),
                          params={"column": column, "length": Grouped(len(value)),
                                  "limit": Grouped(limit)})
        cleaned[column] = value
    return cleaned


def parse_date(value: str, column: str = "date") -> date:
    """A `YYYY-MM-DD` date; raises Invalid naming the column for anything else."""
    value = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise Invalid(N_("%(column)s %(value)s is not a date in the form YYYY-MM-DD"),
                      params={"column": column, "value": repr(value)})
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(N_("%(column)s %(value)s is not a real day of the calendar"),
                      params={"column": column, "value": repr(value)}) from None


def parse_local_datetime(value: str, column: str = "datetime") -> datetime:
    """A Geneva wall-clock `YYYY-MM-DDTHH:MM`, returned as an aware UTC datetime."""
    value = value.strip()
    if not LOCAL_DATETIME.fullmatch(value):
        raise Invalid(N_("%(column)s %(value)s is not a Geneva time in the form "
                         "YYYY-MM-DDTHH:MM"), params={"column": column, "value": repr(value)})
    try:
        local = datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        raise Invalid(N_("%(column)s %(value)s is not a real day and time"),
                      params={"column": column, "value": repr(value)}) from None
    try:
        return local_to_utc(local)
    except ValueError:  # the hour skipped when the clocks go forward
        raise Invalid(N_("%(column)s: %(time)s does not exist in %(zone)s (clock change)"),
                      params={"column": column, "time": f"{local:%Y-%m-%d %H:%M}",
                              "zone": GENEVA.key}) from None


def _iso3(row: dict[str, str], references: References | None) -> str:
    iso3 = _text(row, "iso3").upper()
    if not ISO3.fullmatch(iso3):
        raise Invalid(N_("iso3 %(value)s is not a three-letter ISO 3166-1 code"),
                      params={"value": repr(iso3)})
    if references is not None and iso3 not in references.states:
        raise Invalid(N_("unknown state %(value)s: import it with the states first"),
                      params={"value": repr(iso3)})
    return iso3


def _date_range(row: dict[str, str]) -> tuple[date, date]:
    start = parse_date(_text(row, "start_date"), "start_date")
    end = parse_date(_text(row, "end_date"), "end_date")
    if end < start:
        raise Invalid(N_("end_date %(end)s is before start_date %(start)s"),
                      params={"end": end, "start": start})
    return start, end


# --- one parser per kind -------------------------------------------------------------

def _parse_state(row: dict[str, str], references: References) -> StateRow:
    iso3 = _iso3(row, None)
    status = _text(row, "nam_status").lower()
    if status not in NAM_STATUSES:
        raise Invalid(N_("nam_status %(value)s must be one of %(choices)s"),
                      params={"value": repr(status), "choices": ", ".join(NAM_STATUSES)})
    joined_text = _text(row, "nam_joined", required=False)
    joined = None
    if joined_text:
        joined = _int(row, "nam_joined", minimum=1961)
        if joined > date.today().year:
            raise Invalid(N_("nam_joined %(year)s is in the future"), params={"year": joined})
    return StateRow(iso3, _text(row, "name"), status, joined)


def _parse_session(row: dict[str, str], references: References) -> SessionRow:
    number, cycle = _int(row, "number"), _int(row, "cycle")
    start, end = _date_range(row)
    if (end - start).days > 31:
        raise Invalid(N_("a Working Group session lasts weeks, not %(days)s days"),
                      params={"days": (end - start).days + 1})
    return SessionRow(number, cycle, start, end)


def _parse_review(row: dict[str, str], references: References) -> ReviewRow:
    number = _int(row, "session")
    if number not in references.sessions:
        raise Invalid(N_("unknown UPR session %(number)s: import the sessions first"),
                      params={"number": number})
    iso3 = _iso3(row, references)
    # at most 1,000: reordering moves positions up by 100,000 for a moment (services)
    position = _int(row, "position", maximum=1_000)
    start_text, end_text = _text(row, "start", required=False), _text(row, "end", required=False)
    review_date = start_at = end_at = None
    if re.fullmatch(r"[\d-]+", start_text):
        review_date = parse_date(start_text, "start")
    elif start_text:
        start_at = parse_local_datetime(start_text, "start")
        review_date = datetime.fromisoformat(start_text.replace(" ", "T")).date()
    if end_text:
        if start_at is None:
            raise Invalid(N_("end is given but start has no time of day"))
        end_at = parse_local_datetime(end_text, "end")
        if end_at <= start_at:
            raise Invalid(N_("end %(end)s is not after start %(start)s"),
                          params={"end": end_text, "start": start_text})
    elif start_at is not None:
        end_at = start_at + timedelta(minutes=REVIEW_MINUTES)
    first, last = references.sessions[number]
    if review_date is not None and not first <= review_date <= last:
        raise Invalid(N_("review day %(day)s is outside session %(number)s (%(first)s to "
                         "%(last)s)"), params={"day": review_date, "number": number,
                                               "first": first, "last": last})
    return ReviewRow(number, iso3, position, review_date, start_at, end_at)


def _parse_hrc_session(row: dict[str, str], references: References) -> HrcSessionRow:
    number = _int(row, "number")
    start, end = _date_range(row)
    return HrcSessionRow(number, start, end)


def _parse_mission(row: dict[str, str], references: References) -> MissionRow:
    iso3 = _iso3(row, references)
    return MissionRow(iso3, _text(row, "mission_name"), normalise_email(_text(row, "email")))


def _parse_contact(row: dict[str, str], references: References) -> ContactRow:
    iso3 = _iso3(row, references)
    if iso3 not in references.missions:
        raise Invalid(N_("state %(iso3)s has no mission yet: import the missions first"),
                      params={"iso3": iso3})
    role = re.sub(r"[\s-]+", "_", _text(row, "role").lower())
    if role not in CONTACT_ROLES:
        raise Invalid(N_("role %(value)s must be one of %(choices)s"),
                      params={"value": repr(row.get("role")), "choices": ", ".join(CONTACT_ROLES)})
    language = _text(row, "language", required=False).lower() or "en"
    if not LANGUAGE.fullmatch(language):
        raise Invalid(N_("language %(value)s is not a two-letter ISO 639-1 code (e.g. en, fr)"),
                      params={"value": repr(language)})
    email = normalise_email(_text(row, "email"))
    return ContactRow(iso3, _text(row, "name"), role, email, language)


#: how the reports name a session, a review and a mission (the services' reports too)
SESSION = N_("session %(number)s")
REVIEW = N_("review of %(iso3)s in session %(number)s")
MISSION = N_("mission of %(iso3)s")

FORMATS: dict[str, _Format] = {
    "states": _Format(("iso3", "name", "nam_status"), ("nam_joined",), _parse_state,
                      lambda r: (r.iso3,), lambda r: Said(N_("state %(iso3)s"), iso3=r.iso3),
                      lengths={"name": STATE_NAME_MAX}, names=("name",),
                      numbers=("nam_joined",)),
    "sessions": _Format(("number", "cycle", "start_date", "end_date"), (), _parse_session,
                        lambda r: (r.number,), lambda r: Said(SESSION, number=r.number),
                        numbers=("number", "cycle")),
    "reviews": _Format(("session", "iso3", "position"), ("start", "end"), _parse_review,
                       lambda r: (r.session, r.iso3),
                       lambda r: Said(REVIEW, iso3=r.iso3, number=r.session),
                       numbers=("session", "position")),
    "hrc-sessions": _Format(("number", "start_date", "end_date"), (), _parse_hrc_session,
                            lambda r: (r.number,),
                            lambda r: Said(N_("HRC session %(number)s"), number=r.number),
                            numbers=("number",)),
    "missions": _Format(("iso3", "mission_name", "email"), (), _parse_mission,
                        lambda r: (r.iso3,), lambda r: Said(MISSION, iso3=r.iso3),
                        lengths={"mission_name": MISSION_NAME_MAX, "email": EMAIL_MAX},
                        names=("mission_name",)),
    "contacts": _Format(("iso3", "name", "role", "email"), ("language",), _parse_contact,
                        lambda r: (r.iso3, r.email),
                        lambda r: Said(N_("contact %(email)s of %(iso3)s"), email=r.email,
                                       iso3=r.iso3),
                        lengths={"name": CONTACT_NAME_MAX, "email": EMAIL_MAX},
                        names=("name",)),
}


def expected_header(kind: str) -> str:
    """The header line a file of this kind should start with (optional columns bracketed)."""
    return FORMATS[kind].header


def describe(kind: str, record: Record) -> Said:
    """A short name for a record, e.g. 'session 45', used in reports."""
    return FORMATS[kind].describe_key(record)


def record_key(kind: str, record: Record) -> tuple:
    """The natural key of a record within its kind."""
    return FORMATS[kind].key(record)


# --- the file as a whole ----------------------------------------------------------------

def decode(data: bytes | str) -> str:
    """The file's text: UTF-8, with or without a byte-order mark."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected([RowError(1, Said(
            N_("the file is not UTF-8 text (byte 0x%(byte)s at offset %(offset)s): save it "
               "as 'CSV UTF-8'"), byte=f"{data[error.start]:02x}", offset=error.start))]) from None


def detect_delimiter(header_line: str) -> str:
    """The delimiter of a header line: ',' or ';' (as Excel writes in many locales) or tab."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def parse_file(kind: str, data: bytes | str, references: References) -> ParsedFile:
    """Check a whole file; return its records or raise ImportRejected with every problem."""
    if kind not in FORMATS:
        raise Invalid(N_("unknown kind %(kind)s: use one of %(kinds)s"),
                      params={"kind": repr(kind), "kinds": ", ".join(KINDS)})
    spec = FORMATS[kind]
    text = decode(data)
    if not text.strip():
        raise ImportRejected([RowError(1, Said(
            N_("the file is empty: expected the header %(header)s"), header=spec.header))])
    delimiter = detect_delimiter(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in _first_row(reader)]
    _check_header(header, spec, delimiter)

    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    first_line_of: dict[tuple, int] = {}
    for line, fields in _rows(reader, errors):
        if not any(value.strip() for value in fields):
            continue
        if len(fields) != len(header):
            errors.append(RowError(line, Said(
                N_("expected %(count)s fields (%(header)s), found %(found)s"),
                count=len(header), header=",".join(header), found=len(fields))))
            continue
        try:
            record = spec.parse(clean_row(dict(zip(header, fields)), spec), references)
        except Invalid as error:
            errors.append(RowError(line, Said.of(error)))
            continue
        key = spec.key(record)
        if key in first_line_of:
            errors.append(RowError(line, Said(
                N_("duplicate %(what)s (first given on line %(line)s)"),
                what=spec.describe_key(record), line=first_line_of[key])))
            continue
        first_line_of[key] = line
        rows.append(ParsedRow(line, record))

    if kind == "reviews":
        errors.extend(_duplicate_positions(rows))
    if not rows and not errors:
        errors.append(RowError(1, Said(N_("the file has a header but no rows"))))
    if errors:
        raise ImportRejected(errors)
    return ParsedFile(kind, rows, delimiter)


def _first_row(reader: Iterator[list[str]]) -> list[str]:
    """The header row; ImportRejected (line 1) when it holds a control character or is
    longer than the CSV reader takes."""
    try:
        header = next(reader)
    except csv.Error as error:
        raise ImportRejected([RowError(1, Said(N_("the header cannot be read: %(reason)s"),
                                               reason=str(error)))]) from None
    for name in header:
        control = CONTROL.search(name)
        if control and control.group() == "\x00":
            raise ImportRejected([RowError(1, Said(N_("the header contains a NUL byte")))])
        if control:
            raise ImportRejected([RowError(1, Said(
                N_("the header contains a control character (U+%(code)s)"),
                code=f"{ord(control.group()):04X}"))])
    return header


def _rows(reader, errors: list[RowError]) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of each row; a row the CSV reader refuses (a field longer than
    it takes) is added to `errors` and ends the reading."""
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                message = Said(N_("a field is too long (more than %(limit)s characters): the "
                                  "rest of the file was not read"),
                               limit=Grouped(csv.field_size_limit()))
            else:
                message = Said(N_("the row cannot be read (%(reason)s): the rest of the file "
                                  "was not read"), reason=str(error))
            errors.append(RowError(line, message))
            return
        yield line, fields


def _check_header(header: list[str], spec: _Format, delimiter: str) -> None:
    known = set(spec.required) | set(spec.optional)
    missing = [name for name in spec.required if name not in header]
    unknown = [name for name in header if name not in known]
    problems = []
    if missing:
        problems.append(Said(N_("missing columns %(columns)s") if len(missing) > 1 else
                             N_("missing column %(columns)s"), columns=", ".join(missing)))
    if unknown:
        problems.append(Said(N_("unknown columns %(columns)s") if len(unknown) > 1 else
                             N_("unknown column %(columns)s"),
                             columns=", ".join(repr(name) for name in unknown)))
    if len(set(header)) != len(header):
        problems.append(Said(N_("a column is named twice")))
    if problems:
        found = Joined(problems, "; ")
        if delimiter != ",":
            said = Said(N_("%(problems)s (expected header: %(header)s; read with delimiter "
                           "%(delimiter)s)"), problems=found, header=spec.header,
                        delimiter=repr(delimiter))
        else:
            said = Said(N_("%(problems)s (expected header: %(header)s)"), problems=found,
                        header=spec.header)
        raise ImportRejected([RowError(1, said)])


def _duplicate_positions(rows: list[ParsedRow]) -> list[RowError]:
    errors = []
    seen: dict[tuple[int, int], ParsedRow] = {}
    for row in rows:
        key = (row.record.session, row.record.position)
        if key in seen:
            errors.append(RowError(row.line, Said(
                N_("position %(position)s in session %(number)s is already taken by %(iso3)s "
                   "(line %(line)s)"), position=key[1], number=key[0],
                iso3=seen[key].record.iso3, line=seen[key].line)))
        else:
            seen[key] = row
    return errors
