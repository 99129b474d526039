"""A small, fast MIME writer for the outbox's e-mails: the exact bytes handed to the relay.

One layout, the one Flask-Mail used to build (iMIP, RFC 6047):

    multipart/mixed
      multipart/alternative
        text/plain; charset="utf-8"
        text/html; charset="utf-8"                 (when there is an HTML body)
        text/calendar; method=…; charset="utf-8"   (when there is a calendar)
      application/ics; name="invite.ics"           (attachment; filename="invite.ics")

and a lone text/plain part for a message with neither HTML nor calendar. Every text part is
quoted-printable in UTF-8, the attachment base64: the whole message is 7-bit, with CRLF line
ends and no line longer than 76 characters, so no relay has to convert it (and none can
mangle it). A line that starts with "From " or "." has its first character encoded, for
the mailboxes and relays that would otherwise change it. Non-ASCII header values are RFC
2047 encoded. A CR or LF in a header value (header injection) raises ValueError.

Writing is plain string work over `binascii` (C): about ten times faster than building an
`email.message` tree and generating it, which is what dominated a fan-out's delivery.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr

CRLF = "\r\n"
#: the longest line the writer produces (RFC 2045 for encoded bodies, under RFC 5322's 78)
MAX_LINE = 76
ATTACHMENT_NAME = "invite.ics"


@dataclass(frozen=True)
class Email:
    """What an e-mail says; `render(email)` writes it."""

    sender_name: str
    sender_address: str
    to_address: str
    subject: str
    date: datetime
    message_id: str
    text: str
    html: str | None = None
    ics: str | None = None
    ics_method: str = "REQUEST"
    #: further top-level headers, e.g. ("Content-Language", "fr"), written after Message-ID
    extra_headers: tuple[tuple[str, str], ...] = field(default=())


def render(email: Email) -> bytes:
    """The e-mail as bytes, ready for SMTP DATA (7-bit, CRLF, lines of at most 76 chars).

    The MIME boundaries derive from the Message-ID, so the same message written twice (a
    resend, the Outbox page's download) differs only by its Date.
    """
    headers = _top_headers(email)
    seed = hashlib.sha256(email.message_id.encode("utf-8", "replace")).hexdigest()[:24]
    text_part = _text_part("plain", email.text)
    if email.html is None and email.ics is None:
        # the body runs to the end: no line end of ours after it unless SMTP needs one
        data = _join(headers + text_part)
        return data[:-2] if data.endswith(b"\r\n\r\n") else data
    alternatives = [text_part]
    if email.html is not None:
        alternatives.append(_text_part("html", email.html))
    if email.ics is not None:
        alternatives.append(_text_part("calendar", email.ics, method=email.ics_method))
    inner = f"=_alt_{seed}"
    mixed = [[f'Content-Type: multipart/alternative;{CRLF} boundary="{inner}"', "",
              *_multipart_body(inner, alternatives)]]
    if email.ics is not None:
        mixed.append(_attachment(email.ics))
    outer = f"=_mix_{seed}"
    return _join(headers + [f'Content-Type: multipart/mixed;{CRLF} boundary="{outer}"', "",
                            *_multipart_body(outer, mixed)])


# --- headers ---------------------------------------------------------------------------------

def _top_headers(email: Email) -> list[str]:
    sender = _checked_address(email.sender_address, "sender")
    headers = [
        "From: " + formataddr((_checked(email.sender_name, "sender name"), sender),
                              charset="utf-8"),
        "To: " + _checked_address(email.to_address, "recipient"),
        _encoded_header("Subject", email.subject),
        "Date: " + format_datetime(email.date),
        "Message-ID: " + _checked(email.message_id, "Message-ID"),
    ]
    headers += [_encoded_header(_checked(name, "header name"), value)
                for name, value in email.extra_headers]
    return headers + ["MIME-Version: 1.0"]


def _checked(value: str, what: str) -> str:
    """The value, refused (ValueError) when it holds a line break: header injection."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"the {what} contains a line break")
    return value


def _checked_address(address: str, what: str) -> str:
    """An address for a header: no line break, no angle bracket or space, ASCII local part;
    a non-ASCII domain is written in IDNA."""
    address = _checked(address, what).strip()
    if not address or any(c in address for c in "<>, \t\"") or address.count("@") != 1:
        raise ValueError(f"the {what} is not a plain address: {address!r}")
    local, _, domain = address.partition("@")
    if not local.isascii():
        raise ValueError(f"the {what} has a non-ASCII local part: {address!r}")
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


def _encoded_header(name: str, value: str) -> str:
    """`Name: value`, RFC 2047 encoded when not ASCII, folded when long."""
    value = _checked(value, name)
    if value.isascii() and len(name) + 2 + len(value) <= 78:
        return f"{name}: {value}"
    charset = "us-ascii" if value.isascii() else "utf-8"
    folded = Header(value, charset, maxlinelen=MAX_LINE, header_name=name).encode(linesep=CRLF)
    return f"{name}: {folded}"


# --- parts -----------------------------------------------------------------------------------

def _text_part(subtype: str, text: str, method: str | None = None) -> list[str]:
    content_type = f"Content-Type: text/{subtype}"
    if method is not None:
        content_type += f"; method={_checked(method, 'calendar method')}"
    content_type += '; charset="utf-8"'
    return [content_type, "Content-Transfer-Encoding: quoted-printable", "",
            quoted_printable(text)]


def _attachment(ics: str) -> list[str]:
    return [f'Content-Type: application/ics; name="{ATTACHMENT_NAME}"',
            f'Content-Disposition: attachment; filename="{ATTACHMENT_NAME}"',
            "Content-Transfer-Encoding: base64", "",
            base64.encodebytes(ics.encode("utf-8")).decode("ascii")
            .replace("\n", CRLF).rstrip(CRLF)]


def _multipart_body(boundary: str, parts: list[list[str]]) -> list[str]:
    # "=_" can occur in neither quoted-printable nor base64 text: no body can hold a boundary
    lines: list[str] = []
    for part in parts:
        lines += [f"--{boundary}", *part]
    return lines + [f"--{boundary}--"]


def _join(lines: list[str]) -> bytes:
    return (CRLF.join(lines) + CRLF).encode("ascii")


# --- quoted-printable ------------------------------------------------------------------------

def quoted_printable(text: str) -> str:
    """The text in UTF-8, quoted-printable, with CRLF line ends (its own line ends, whatever
    they were, become CRLF, the canonical form of text) and lines of at most 76 characters.
    A line that starts with "." or "From " has that first character encoded.
    """
    canonical = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", CRLF)
    encoded = binascii.b2a_qp(canonical.encode("utf-8"), istext=True).decode("ascii")
    if CRLF not in canonical:  # then b2a_qp breaks its long lines with a bare LF
        encoded = encoded.replace("\n", CRLF)
    if "\n." not in "\n" + encoded and "\nFrom " not in "\n" + encoded:
        return encoded
    fixed: list[str] = []
    for line in encoded.split(CRLF):
        fixed += _guarded(line) if line.startswith((".", "From ")) else [line]
    return CRLF.join(fixed)


def _guarded(line: str) -> list[str]:
    """One encoded line that starts with "." or "From ", rewritten as one or more lines
    whose first character is encoded, none longer than MAX_LINE."""
    soft = line.endswith("=")  # a soft line break (an escape ends with a hex digit)
    tokens = _tokens(line[:-1] if soft else line)
    out: list[str] = []
    current = ""
    for index, token in enumerate(tokens):
        if current and len(current) + len(token) > MAX_LINE - 1:  # room for a soft break
            out.append(current + "=")
            current = ""
        if not current and _starts_risky_line(tokens, index):
            token = f"={ord(token):02X}"
        current += token
    out.append(current + ("=" if soft else ""))
    return out


def _starts_risky_line(tokens: list[str], index: int) -> bool:
    token = tokens[index]
    return token == "." or (token == "F" and "".join(tokens[index:index + 5]) == "From ")


def _tokens(encoded: str) -> list[str]:
    """An encoded line cut into its units: "=XX" escapes and single characters."""
    tokens, index = [], 0
    while index < len(encoded):
        step = 3 if encoded[index] == "=" and index + 2 < len(encoded) else 1
        tokens.append(encoded[index:index + step])
        index += step
    return tokens
