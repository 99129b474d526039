"""Reading Authentication-Results (RFC 8601) and deciding whether the receiving server vouches
for a reply's From domain (domain/authresults.py).

The samples follow the layouts the big receivers write: Gmail (one header, comments with the
IP), Microsoft 365 / Exchange Online (no authserv-id, `action=` and `compauth=`, no space after
`;`), Postfix with OpenDKIM, OpenDMARC and policyd-spf (one header each), and rspamd (one
header, quoted mailfrom).
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nam_briefings.domain import authresults
from nam_briefings.domain.authresults import MAX_EXPLANATION, aligned, authserv_ids, parse, verify

CHAIR = "mx.chair.example.org"
GUY = "guy.example.org"

GMAIL_PASS = """mx.google.com;
       dkim=pass header.i=@guy.example.org header.s=sel2024 header.b=Q2xp3c+Z;
       spf=pass (google.com: domain of ambassador@guy.example.org designates 203.0.113.5 as
 permitted sender) smtp.mailfrom=ambassador@guy.example.org;
       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=guy.example.org"""

GMAIL_SPOOFED = """mx.google.com;
       spf=softfail (google.com: domain of transitioning ambassador@guy.example.org does not
 designate 198.51.100.7 as permitted sender) smtp.mailfrom=ambassador@guy.example.org;
       dmarc=fail (p=NONE sp=NONE dis=NONE) header.from=guy.example.org"""

EXCHANGE_PASS = """spf=pass (sender IP is 40.107.22.85)
 smtp.mailfrom=guy.example.org; dkim=pass (signature was verified)
 header.d=guy.example.org;dmarc=pass action=none
 header.from=guy.example.org;compauth=pass reason=100"""

EXCHANGE_FAIL = """spf=fail (sender IP is 198.51.100.7)
 smtp.mailfrom=guy.example.org; dkim=none (message not signed)
 header.d=none;dmarc=fail action=none header.from=guy.example.org;compauth=fail
 reason=000"""

# the older Exchange layout: the receiving domain as a bare element after some results
EXCHANGE_OLD = """spf=pass (sender IP is 203.0.113.5)
 smtp.mailfrom=guy.example.org; chair.example.org; dkim=pass (signature was verified)
 header.d=guy.example.org;chair.example.org; dmarc=pass action=none
 header.from=guy.example.org;"""

OPENDKIM = """mx.chair.example.org;
\tdkim=pass (2048-bit key; unprotected) header.d=guy.example.org header.i=@guy.example.org
 header.a=rsa-sha256 header.s=mail header.b="kQ3c9Xy1";
\tdkim-atps=neutral"""
OPENDMARC = "mx.chair.example.org; dmarc=pass (p=reject dis=none) header.from=guy.example.org"
POLICYD_SPF = ("mx.chair.example.org; spf=pass (sender SPF authorized) smtp.mailfrom=guy.example.org"
               " (client-ip=203.0.113.5; helo=mail.guy.example.org; "
               "envelope-from=ambassador@guy.example.org; receiver=<UNKNOWN>)")

RSPAMD = """mx.chair.example.org;
\tdkim=pass header.d=guy.example.org header.s=dkim header.b=dZ2Yt0QJ;
\tdmarc=pass (policy=reject) header.from=guy.example.org;
\tspf=pass (mx.chair.example.org: domain of "ambassador@guy.example.org" designates
 203.0.113.5 as permitted sender) smtp.mailfrom="ambassador@guy.example.org\""""

RSPAMD_NONE = """mx.chair.example.org;
\tdkim=none;
\tspf=none (mx.chair.example.org: domain of ambassador@guy.example.org has no SPF policy
 when checking 198.51.100.7) smtp.mailfrom=ambassador@guy.example.org;
\tdmarc=none"""


# --- parsing ------------------------------------------------------------------------------

def test_gmail_is_read_with_its_comments_and_folded_lines():
    header = parse(GMAIL_PASS)
    assert header.authserv_id == "mx.google.com"
    assert [(r.method, r.result) for r in header.results] == \
        [("dkim", "pass"), ("spf", "pass"), ("dmarc", "pass")]
    dkim, spf, dmarc = header.results
    assert dkim.properties["header.i"] == "@guy.example.org"
    assert dkim.properties["header.b"] == "Q2xp3c+Z"
    assert spf.properties == {"smtp.mailfrom": "ambassador@guy.example.org"}
    assert dmarc.properties == {"header.from": "guy.example.org"}


def test_exchange_online_writes_no_authserv_id():
    header = parse(EXCHANGE_PASS)
    assert header.authserv_id == ""
    assert [(r.method, r.result) for r in header.results] == \
        [("spf", "pass"), ("dkim", "pass"), ("dmarc", "pass"), ("compauth", "pass")]
    assert header.results[1].properties == {"header.d": "guy.example.org"}
    assert header.results[2].properties == {"header.from": "guy.example.org"}  # not action=
    assert header.results[3].reason == "100"


def test_the_older_exchange_layout_skips_the_bare_domain_elements():
    header = parse(EXCHANGE_OLD)
    assert header.authserv_id == ""
    assert [(r.method, r.result) for r in header.results] == \
        [("spf", "pass"), ("dkim", "pass"), ("dmarc", "pass")]


def test_opendkim_keeps_a_quoted_value_and_a_semicolon_inside_a_comment():
    header = parse(OPENDKIM)
    assert header.authserv_id == CHAIR
    assert [(r.method, r.result) for r in header.results] == \
        [("dkim", "pass"), ("dkim-atps", "neutral")]
    assert header.results[0].properties["header.b"] == "kQ3c9Xy1"
    assert header.results[0].properties["header.d"] == GUY


def test_a_trailing_comment_with_semicolons_and_equals_is_not_read_as_results():
    header = parse(POLICYD_SPF)
    assert [(r.method, r.result, r.properties) for r in header.results] == \
        [("spf", "pass", {"smtp.mailfrom": GUY})]


def test_rspamd_quoted_mailfrom():
    header = parse(RSPAMD)
    assert header.results[2].properties == {"smtp.mailfrom": "ambassador@guy.example.org"}


def test_a_version_after_the_authserv_id_and_a_none_result():
    header = parse("mx.chair.example.org 1; none")
    assert (header.authserv_id, header.results) == (CHAIR, ())


def test_upper_case_is_read_as_lower_case():
    header = parse("MX.Chair.Example.ORG; DKIM=PASS Header.D=GUY.Example.ORG; SPF=SoftFail")
    assert header.authserv_id == CHAIR
    assert [(r.method, r.result, r.properties) for r in header.results] == \
        [("dkim", "pass", {"header.d": "GUY.Example.ORG"}), ("spf", "softfail", {})]
    assert verify(["MX.Chair.Example.ORG; DKIM=PASS Header.D=GUY.Example.ORG"],
                  "GUY.example.org", ["mx.chair.example.org"]).verified


def test_a_quoted_authserv_id_and_a_method_version():
    header = parse('"mx.chair.example.org"; dkim/1=pass header.d=guy.example.org')
    assert header.authserv_id == CHAIR
    assert [(r.method, r.result) for r in header.results] == [("dkim", "pass")]


def test_nested_comments_and_escapes():
    header = parse(r"mx.chair.example.org (a (nested \) comment); x) ; dmarc=pass "
                   r'(p=none; "sp=none) header.from=guy.example.org')
    assert header.authserv_id == CHAIR
    assert [(r.method, r.result, r.properties) for r in header.results] == \
        [("dmarc", "pass", {"header.from": GUY})]


def test_an_address_with_equals_signs_is_one_value():
    header = parse("mx.chair.example.org; spf=pass smtp.mailfrom=bounce+srs=x=guy.example.org@lists.example.net")
    assert header.results[0].properties == \
        {"smtp.mailfrom": "bounce+srs=x=guy.example.org@lists.example.net"}


@pytest.mark.parametrize("garbage", [
    "", " ", ";", ";;;", "(((", ")))", '"', '"unterminated; dkim=pass', "mx.chair.example.org; dkim=",
    "=pass", "mx.chair.example.org; =pass", "mx.chair.example.org; dkim=pass header.d=",
    "\x00\x01\x02", "mx.chair.example.org;\x00dkim=pass", "ünïcödé; dkim=pass", "a" * 100_000,
    "mx.chair.example.org; " + "dkim=pass; " * 10_000, "(" * 10_000, "\\", "x; \\", "x; (\\",
])
def test_garbage_never_raises(garbage):
    header = parse(garbage)
    assert header is None or isinstance(header, authresults.AuthResults)
    assert verify([garbage], GUY, [CHAIR]).verified is False


def test_an_empty_authserv_id_is_not_read_as_exchange_online():
    assert parse("; dkim=pass header.d=guy.example.org") is None


# --- alignment ----------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, expected", [
    (GUY, GUY, True),
    ("GUY.example.org.", GUY, True),
    ("mail.guy.example.org", GUY, True),
    (GUY, "mail.guy.example.org", True),
    (GUY, "example.org", True),
    ("example.org", "org", False),
    ("org", "org", False),
    ("evilguy.example.org", GUY, False),
    (GUY, "ind.example.org", False),
    ("", GUY, False),
    (GUY, "", False),
])
def test_alignment(a, b, expected):
    assert aligned(a, b) is expected


# --- the configuration --------------------------------------------------------------------

def test_authserv_ids_from_the_configuration():
    assert authserv_ids(" MX.Chair.example.org , mx2.chair.example.org,,") == \
        (CHAIR, "mx2.chair.example.org")
    assert authserv_ids("exchange-online") == ("",)
    assert authserv_ids("") == () and authserv_ids(None) == ()


# --- the verdict ----------------------------------------------------------------------------

@pytest.mark.parametrize("headers, trusted", [
    ([GMAIL_PASS], "mx.google.com"),
    ([EXCHANGE_PASS], "exchange-online"),
    ([EXCHANGE_OLD], "exchange-online"),
    ([OPENDKIM, OPENDMARC, POLICYD_SPF], CHAIR),
    ([RSPAMD], CHAIR),
    ([OPENDKIM], CHAIR),
    ([OPENDMARC], CHAIR),
    ([POLICYD_SPF], CHAIR),
])
def test_each_layout_vouches_for_the_sender(headers, trusted):
    verdict = verify(headers, GUY, authserv_ids(trusted))
    assert verdict.verified, verdict.explanation


def test_the_explanation_says_what_vouched():
    assert verify([OPENDKIM, OPENDMARC], GUY, [CHAIR]).explanation == \
        "dmarc=pass for guy.example.org (mx.chair.example.org)"
    assert verify([OPENDKIM], GUY, [CHAIR]).explanation == \
        "dkim=pass for guy.example.org (mx.chair.example.org)"
    assert verify([EXCHANGE_PASS], GUY, [""]).explanation == \
        "dmarc=pass for guy.example.org (Exchange Online)"


def test_a_mail_subdomain_signature_is_aligned():
    verdict = verify(["mx.chair.example.org; dkim=pass header.i=ambassador@mail.guy.example.org"],
                     GUY, [CHAIR])
    assert verdict.verified


def test_no_header_from_the_trusted_server():
    verdict = verify([], GUY, [CHAIR])
    assert (verdict.verified, verdict.explanation) == \
        (False, "no Authentication-Results from mx.chair.example.org")
    verdict = verify([], GUY, [CHAIR, "mx2.chair.example.org", ""])
    assert verdict.explanation == ("no Authentication-Results from mx.chair.example.org, "
                                   "mx2.chair.example.org or Exchange Online")


def test_a_forged_header_with_another_authserv_id_is_ignored():
    forged = "mx.attacker.example; dmarc=pass header.from=guy.example.org; dkim=pass header.d=guy.example.org"
    verdict = verify([forged, GMAIL_PASS], GUY, [CHAIR])
    assert (verdict.verified, verdict.explanation) == (
        False, "no Authentication-Results from mx.chair.example.org "
               "(2 from other servers ignored)")


def test_exchange_online_headers_are_not_trusted_unless_configured():
    assert not verify([EXCHANGE_PASS], GUY, [CHAIR]).verified


def test_failures_are_described():
    verdict = verify([GMAIL_SPOOFED], GUY, ["mx.google.com"])
    assert (verdict.verified, verdict.explanation) == (
        False, "spf=softfail for guy.example.org, dmarc=fail for guy.example.org")
    verdict = verify(["mx.chair.example.org; dkim=fail header.d=example.net; spf=softfail"],
                     GUY, [CHAIR])
    assert verdict.explanation == "dkim=fail for example.net, spf=softfail"
    verdict = verify([EXCHANGE_FAIL], GUY, [""])
    assert verdict.explanation == ("spf=fail for guy.example.org, dkim=none, "
                                   "dmarc=fail for guy.example.org")


@pytest.mark.parametrize("result", ["fail", "softfail", "none", "neutral", "temperror",
                                    "permerror", "policy", "passed", "PASS?"])
def test_only_pass_vouches(result):
    header = (f"mx.chair.example.org; dkim={result} header.d=guy.example.org; "
              f"spf={result} smtp.mailfrom=guy.example.org; dmarc={result} header.from=guy.example.org")
    assert not verify([header], GUY, [CHAIR]).verified


def test_a_pass_for_an_unrelated_domain_does_not_vouch():
    header = ("mx.chair.example.org; dkim=pass header.d=sendgrid.example.net; "
              "spf=pass smtp.mailfrom=bounces@mailer.example.net; dmarc=pass header.from=example.net")
    verdict = verify([header], GUY, [CHAIR])
    assert (verdict.verified, verdict.explanation) == (
        False, "dkim=pass for sendgrid.example.net, spf=pass for mailer.example.net, "
               "dmarc=pass for example.net (nothing for guy.example.org)")


def test_dmarc_needs_the_very_from_domain():
    assert not verify(["mx.chair.example.org; dmarc=pass header.from=example.org"],
                      GUY, [CHAIR]).verified
    assert not verify(["mx.chair.example.org; dmarc=pass"], GUY, [CHAIR]).verified


def test_a_public_suffix_signature_is_not_aligned():
    assert not verify(["mx.chair.example.org; dkim=pass header.d=org"], "guy.org", [CHAIR]).verified


def test_a_header_with_no_results():
    verdict = verify(["mx.chair.example.org; none"], GUY, [CHAIR])
    assert (verdict.verified, verdict.explanation) == \
        (False, "mx.chair.example.org checked nothing (none)")
    verdict = verify([RSPAMD_NONE], GUY, [CHAIR])
    assert verdict.explanation == "dkim=none, spf=none for guy.example.org, dmarc=none"


def test_no_from_domain():
    assert verify([OPENDMARC], "", [CHAIR]) == authresults.Verdict(False, "no From address to check")


def test_no_trusted_server_configured():
    assert verify([OPENDMARC], GUY, []) == authresults.Verdict(
        False, "REPLY_AUTHSERV_ID is not set: no e-mailed answer is trusted")


def test_the_explanation_is_bounded():
    header = "mx.chair.example.org; " + "; ".join(
        f"dkim=fail header.d={'x' * 60}{n}.example.net" for n in range(200))
    assert len(verify([header], GUY, [CHAIR]).explanation) <= authresults.MAX_EXPLANATION


_PIECES = st.sampled_from(["mx.chair.example.org", ";", " ", "=", "(", ")", '"', "\\", ".",
                           "@", "dkim", "spf", "dmarc", "pass", "fail", "header.d", "header.i",
                           "header.from", "smtp.mailfrom", GUY, "\r\n ", "\x00", "é", "/1"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_any_mix_of_the_grammar_never_raises(value):
    verdict = verify([value], GUY, [CHAIR])
    assert isinstance(verdict.explanation, str) and len(verdict.explanation) <= MAX_EXPLANATION


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_never_raises(value):
    parse(value)
    verify([value], GUY, [CHAIR, ""])
