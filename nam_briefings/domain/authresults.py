"""Does the receiving server vouch for an e-mail's sender? Authentication-Results (RFC 8601).

The organizer mailbox's own server checks DKIM, SPF and DMARC when a message arrives and
writes what it found in an ``Authentication-Results`` header, named by its authserv-id
(e.g. ``mx.chair.example.org``). Anyone can write such a header into a message they send,
so only those with a configured authserv-id count (the server removes headers claiming its
id from incoming mail, RFC 8601 §5), and only a ``pass`` that is about the From domain:

- ``dmarc=pass`` with ``header.from`` equal to the From domain;
- ``dkim=pass`` with ``header.d`` (or the domain of ``header.i``) aligned with it;
- ``spf=pass`` with the domain of ``smtp.mailfrom`` aligned with it.

Aligned: equal, or one a subdomain of the other, the shorter having at least two labels
(``mail.guy.example.org`` and ``guy.example.org``; never a bare ``org``).

Exchange Online writes its header without an authserv-id (and renames the ones it received
to ``Authentication-Results-Original``); the configured name ``exchange-online`` stands for
that header. `parse` and `verify` are pure and never raise, whatever the text.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

#: the configured name for Exchange Online's header, which carries no authserv-id
EXCHANGE_ONLINE = "exchange-online"
#: what each header is read of, at most (a real one is a few hundred characters)
MAX_HEADER = 16 * 1024
#: headers read per message, at most
MAX_HEADERS = 50
#: results read per header, at most
MAX_RESULTS = 100
#: the explanation is cut to this many characters
MAX_EXPLANATION = 500
#: the methods the explanation describes (others, e.g. compauth or arc, vouch for nothing)
DESCRIBED = ("dkim", "spf", "dmarc")

_KEY_VALUE = re.compile(r'([^\s=";]+)\s*=\s*("(?:[^"\\]|\\.)*"?|[^\s;"]*)')
_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?)+")


@dataclass(frozen=True)
class Result:
    """One method's result, e.g. ``dkim=pass header.d=example.org``."""

    #: the method, lower-cased, without a version ("dkim", "spf", "dmarc", ...)
    method: str
    #: the result, lower-cased ("pass", "fail", "softfail", "none", ...)
    result: str
    #: the properties, e.g. {"header.d": "example.org"} (names lower-cased, quotes removed)
    properties: dict[str, str] = field(default_factory=dict)
    #: the reason= given, if any
    reason: str = ""


@dataclass(frozen=True)
class AuthResults:
    """One Authentication-Results header."""

    #: who wrote it, lower-cased ("" for Exchange Online's, which names no one)
    authserv_id: str
    results: tuple[Result, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """Whether the receiving server vouches for the From domain, and what it said, in words."""

    verified: bool
    explanation: str


def authserv_ids(configured: str | None) -> tuple[str, ...]:
    """The trusted authserv-ids of a comma-separated setting, lower-cased
    (``exchange-online`` becomes "", the id of Exchange Online's header)."""
    ids = []
    for item in (configured or "").split(","):
        item = item.strip().lower()
        if item:
            ids.append("" if item == EXCHANGE_ONLINE else item)
    return tuple(dict.fromkeys(ids))


def parse(value: str) -> AuthResults | None:
    """One header's value (folded or not); None when it names no authserv-id and starts
    with no result. Never raises."""
    try:
        elements = _elements(_without_comments(str(value)[:MAX_HEADER]))
    except Exception:  # garbage must never stop the caller
        return None
    if not elements or not elements[0].strip():
        return None
    first = elements[0]
    if _KEY_VALUE.match(first.strip()):  # Exchange Online: results straight away
        authserv_id, rest = "", elements
    else:
        words = first.split()
        authserv_id, rest = _unquote(words[0]).lower(), elements[1:]
    results = []
    for element in rest[:MAX_RESULTS]:
        result = _result(element)
        if result is not None:
            results.append(result)
    return AuthResults(authserv_id, tuple(results))


def verify(headers: Iterable[str], from_domain: str, trusted: Iterable[str]) -> Verdict:
    """Does a trusted server's Authentication-Results vouch for `from_domain`? Never raises.

    `headers`: the values of every Authentication-Results header of the message;
    `trusted`: the authserv-ids to believe (see `authserv_ids`).
    """
    trusted = tuple(trusted)
    if not trusted:
        return Verdict(False, "REPLY_AUTHSERV_ID is not set: no e-mailed answer is trusted")
    from_domain = _domain(from_domain)
    if not from_domain:
        return Verdict(False, "no From address to check")
    parsed = [parse(value) for value in list(headers)[:MAX_HEADERS]]
    ours = [header for header in parsed if header is not None and header.authserv_id in trusted]
    if not ours:
        others = len(parsed)
        return Verdict(False, _cut(f"no Authentication-Results from {_names(trusted)}"
                                   + (f" ({others} from other servers ignored)" if others else "")))
    for method in ("dmarc", "dkim", "spf"):
        for header in ours:
            for result in header.results:
                if result.method == method and _vouches(result, from_domain):
                    return Verdict(True, f"{method}=pass for {from_domain} "
                                         f"({_name(header.authserv_id)})")
    return Verdict(False, _cut(_describe(ours, from_domain)))


def aligned(one: str, other: str) -> bool:
    """Equal domains, or one a subdomain of the other; the shorter with at least two labels."""
    one, other = _domain(one), _domain(other)
    if not one or not other:
        return False
    shorter, longer = sorted((one, other), key=len)
    return longer == shorter or longer.endswith("." + shorter)


# --- reading ----------------------------------------------------------------------------------

def _without_comments(text: str) -> str:
    """The text with its (nested) comments replaced by a space; quoted strings kept."""
    out: list[str] = []
    depth, quoted, index = 0, False, 0
    while index < len(text):
        char = text[index]
        if char == "\\" and (depth or quoted):
            if quoted:
                out.append(text[index:index + 2])
            index += 2
            continue
        if quoted:
            quoted = char != '"'
            out.append(char)
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if not depth:
                out.append(" ")
        elif not depth:
            quoted = char == '"'
            out.append(char)
        index += 1
    return "".join(out)


def _elements(text: str) -> list[str]:
    """The ";"-separated parts (outside quoted strings), unfolded."""
    elements, current, quoted, index = [], [], False, 0
    text = " ".join(text.split())
    while index < len(text):
        char = text[index]
        if quoted and char == "\\":
            current.append(text[index:index + 2])
            index += 2
            continue
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            elements.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    elements.append("".join(current))
    return elements


def _result(element: str) -> Result | None:
    """One ``method=result [reason=...] [ptype.property=value ...]``; None when it is not."""
    pairs = [(key.lower(), _unquote(value)) for key, value in _KEY_VALUE.findall(element)]
    if not pairs or not element.strip().lower().startswith(pairs[0][0]):
        return None
    (method, result), rest = pairs[0], pairs[1:]
    method = method.split("/", 1)[0].strip()
    result = result.lower()
    if not method or not result:
        return None
    properties = {key: value[:255] for key, value in rest if "." in key and value}
    reason = next((value[:255] for key, value in rest if key == "reason"), "")
    return Result(method, result, properties, reason)


def _unquote(value: str) -> str:
    value = value.strip()
    if value.startswith('"'):
        value = value[1:-1] if value.endswith('"') and len(value) > 1 else value[1:]
        value = re.sub(r"\\(.)", r"\1", value)
    return "".join(char for char in value if char.isprintable())


# --- deciding ---------------------------------------------------------------------------------

def _vouches(result: Result, from_domain: str) -> bool:
    if result.result != "pass":
        return False
    if result.method == "dmarc":
        return _domain(result.properties.get("header.from", "")) == from_domain
    return aligned(_about(result), from_domain)


def _about(result: Result) -> str:
    """The domain a result is about: DKIM's signing domain, SPF's MAIL FROM, DMARC's From."""
    properties = result.properties
    if result.method == "dkim":
        return _domain(properties.get("header.d") or properties.get("header.i", ""))
    if result.method == "spf":
        return _domain(properties.get("smtp.mailfrom", ""))
    if result.method == "dmarc":
        return _domain(properties.get("header.from", ""))
    return ""


def _domain(value: str) -> str:
    """The domain of an address or domain ("" unless it has at least two labels)."""
    value = value.strip().strip("<>").rsplit("@", 1)[-1].strip().rstrip(".").lower()
    return value if _DOMAIN.fullmatch(value) else ""


def _describe(headers: list[AuthResults], from_domain: str) -> str:
    """What the trusted headers said, e.g. "dkim=fail for example.net, spf=softfail"."""
    parts: list[str] = []
    passed = False
    for header in headers:
        for result in header.results:
            if result.method not in DESCRIBED:
                continue
            passed = passed or result.result == "pass"
            about = _about(result)
            part = f"{result.method}={result.result}" + (f" for {about}" if about else "")
            if part not in parts:
                parts.append(part)
    if not parts:
        return f"{_names(tuple(h.authserv_id for h in headers))} checked nothing (none)"
    return ", ".join(parts) + (f" (nothing for {from_domain})" if passed else "")


def _name(authserv_id: str) -> str:
    return authserv_id or "Exchange Online"


def _names(ids: tuple[str, ...]) -> str:
    names = [_name(i) for i in dict.fromkeys(ids)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _cut(text: str) -> str:
    return text if len(text) <= MAX_EXPLANATION else text[:MAX_EXPLANATION - 1] + "…"
