"""E-mailed replies as the organizer mailbox's own server delivers them: with its
Authentication-Results (authserv-id MX) saying what it checked of the sender."""
from __future__ import annotations

import email
import email.utils

#: the authserv-id of the organizer mailbox's server in the tests (REPLY_AUTHSERV_ID)
MX = "mx.chair.example.org"


def from_domain(data: bytes) -> str:
    """The domain of the message's From address."""
    message = email.message_from_bytes(data)
    [(_, address)] = email.utils.getaddresses([str(message["From"])])
    return address.rsplit("@", 1)[-1].lower()


def with_results(data: bytes, value: str) -> bytes:
    """The message with one more Authentication-Results header on top, as a server adds it."""
    return f"Authentication-Results: {value}\r\n".encode() + data


def vouched(data: bytes, authserv_id: str = MX) -> bytes:
    """The message with the server's word that DKIM and DMARC passed for its From domain
    (the layout of OpenDKIM + OpenDMARC folded into one header, as rspamd writes it)."""
    domain = from_domain(data)
    return with_results(data, f"{authserv_id};\r\n\tdkim=pass header.d={domain} header.s=mail "
                              f'header.b="kQ3c9Xy1";\r\n\tdmarc=pass (p=reject dis=none) '
                              f"header.from={domain}")
