"""Fixtures of the integration tests that need more than the app: a real IMAP server."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import free_port
from tests.imap_server import DovecotServer, dovecot_missing, openssl_missing


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """One Dovecot IMAP server for the test run (skipped, with the reason, when not installed)."""
    missing = dovecot_missing()
    if missing:
        pytest.skip(missing)
    server = DovecotServer(free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def imap_server(app, dovecot) -> Iterator[DovecotServer]:
    """The IMAP server with an empty mailbox; the app reads its INBOX (no TLS on loopback)."""
    dovecot.empty()
    app.config.update(dovecot.settings())
    yield dovecot


@pytest.fixture(scope="session")
def dovecot_tls() -> Iterator[DovecotServer]:
    """A second Dovecot with a self-signed certificate: IMAPS and STARTTLS."""
    missing = dovecot_missing() or openssl_missing()
    if missing:
        pytest.skip(missing)
    server = DovecotServer(free_port(), tls_port=free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def imap_tls_server(app, dovecot_tls) -> Iterator[DovecotServer]:
    """The TLS server with an empty mailbox; the app trusts its certificate (IMAP_CA_FILE)."""
    dovecot_tls.empty()
    app.config.update(dovecot_tls.settings(IMAP_CA_FILE=str(dovecot_tls.certificate)))
    yield dovecot_tls
