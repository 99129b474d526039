"""A real IMAP server for the tests (Dovecot on loopback) and the golden iMIP replies.

`DovecotServer` starts `/usr/sbin/dovecot -F` (Debian package `dovecot-imapd`) with a
throwaway configuration in a temporary folder: IMAP only, plain-text login on 127.0.0.1,
one user with a password from a passwd-file, Maildir storage. Tests deliver messages with
`IMAP4.append` and look at their flags as a mail client would.

`golden_reply(name, ...)` fills the placeholders (``{{UID}}``, ``{{ATTENDEE}}``...) of a
golden e-mail in tests/fixtures/replies/ (see its README), also inside base64 parts.
"""
from __future__ import annotations

import base64
import email
import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from email.generator import BytesGenerator
from io import BytesIO
from pathlib import Path

from zoneinfo import ZoneInfo

DOVECOT = Path("/usr/sbin/dovecot")
REPLIES = Path(__file__).parent / "fixtures" / "replies"
USER, PASSWORD = "organizer@chair.example.org", "imap-test-password"
GENEVA = ZoneInfo("Europe/Zurich")
VERBS = {"ACCEPTED": "Accepted", "TENTATIVE": "Tentative", "DECLINED": "Declined"}

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
auth_mechanisms = plain
disable_plaintext_auth = no
mail_location = maildir:{root}/Maildir
first_valid_uid = 1
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  {imaps}
  {chroot}
}}
"""


def openssl_missing() -> str:
    """Why a test certificate cannot be made here ("" when it can)."""
    return "" if shutil.which("openssl") else "openssl is not installed (for a test certificate)"


def dovecot_missing() -> str:
    """Why Dovecot cannot be used here ("" when it can)."""
    if not DOVECOT.exists():
        return f"Dovecot is not installed ({DOVECOT}: Debian package dovecot-imapd)"
    return ""


class DovecotServer:
    """A throwaway Dovecot IMAP server on a free loopback port."""

    def __init__(self, port: int, tls_port: int | None = None) -> None:
        """With `tls_port`: TLS on that port (IMAPS) and STARTTLS on `port`, with a
        self-signed certificate for 127.0.0.1 (`certificate`, to trust in the client)."""
        self.host, self.port, self.user, self.password = "127.0.0.1", port, USER, PASSWORD
        self.tls_port = tls_port
        self.root = Path(tempfile.mkdtemp(prefix="nam-dovecot-"))
        self.certificate = self.root / "cert.pem"
        self.process: subprocess.Popen | None = None

    def start(self) -> DovecotServer:
        root = self.root
        root.chmod(0o755)  # the mail processes run as the mail user
        for folder in ("run", "state", "Maildir", "home"):
            (root / folder).mkdir()
        (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        if os.geteuid() == 0:  # Dovecot refuses to give root's mail: use its own account
            mail_user = pwd.getpwnam("dovecot")
            users, chroot = "", ""
            for folder in ("Maildir", "home"):
                os.chown(root / folder, mail_user.pw_uid, mail_user.pw_gid)
        else:  # an ordinary user runs every process as itself, without chroot
            mail_user = pwd.getpwuid(os.geteuid())
            group = grp.getgrgid(mail_user.pw_gid).gr_name
            users = (f"default_internal_user = {mail_user.pw_name}\n"
                     f"default_internal_group = {group}\n"
                     f"default_login_user = {mail_user.pw_name}\n"
                     "service anvil {\n  chroot =\n}\n")
            chroot = "chroot ="
        (root / "dovecot.conf").write_text(CONFIG.format(
            root=root, port=self.port, uid=mail_user.pw_uid, gid=mail_user.pw_gid,
            users=users, chroot=chroot, ssl=self._ssl(), imaps=(
                f"inet_listener imaps {{\n    address = 127.0.0.1\n    port = {self.tls_port}\n"
                "    ssl = yes\n  }" if self.tls_port else "")))
        self.process = subprocess.Popen([str(DOVECOT), "-F", "-c", str(root / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_until_ready()
        return self

    def _ssl(self) -> str:
        """The ssl settings: off, or a fresh self-signed certificate for 127.0.0.1."""
        if not self.tls_port:
            return "ssl = no"
        key = self.root / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(self.certificate)],
                       check=True, capture_output=True)
        return f"ssl = yes\nssl_cert = <{self.certificate}\nssl_key = <{key}"

    def _wait_until_ready(self, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.process.stderr.read().decode()}"
                                   f"{self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as probe:
                    if probe.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not answer on port {self.port}: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def settings(self, **overrides) -> dict:
        """The app's IMAP_* settings for this server."""
        return {"IMAP_HOST": self.host, "IMAP_PORT": self.port, "IMAP_TLS": "none",
                "IMAP_USER": self.user, "IMAP_PASSWORD": self.password, "IMAP_FOLDER": "INBOX",
                "IMAP_PROCESSED_FOLDER": "", "IMAP_TIMEOUT_SECONDS": 10, **overrides}

    # --- as a mail client -------------------------------------------------------------------

    def client(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        imap.login(self.user, self.password)
        return imap

    def deliver(self, message: bytes, folder: str = "INBOX") -> None:
        """Put a message in a folder, unread, as the mail server's delivery would."""
        imap = self.client()
        try:
            imap.create(f'"{folder}"')
            status, detail = imap.append(f'"{folder}"', None, None, message)
            assert status == "OK", detail
        finally:
            imap.logout()

    def flags(self, folder: str = "INBOX") -> list[set[str]]:
        """Each message's flags in the folder, oldest first (empty when the folder is missing)."""
        imap = self.client()
        try:
            status, _ = imap.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            _, data = imap.fetch("1:*", "(FLAGS)")
            found = []
            for item in data:
                if isinstance(item, bytes) and b"FLAGS (" in item:
                    flags = item.split(b"FLAGS (", 1)[1].split(b")", 1)[0].decode()
                    found.append(set(flags.split()) - {"\\Recent"})
            return found
        finally:
            imap.logout()

    def empty(self) -> None:
        """Remove every message and every folder but INBOX (between tests)."""
        imap = self.client()
        try:
            _, folders = imap.list()
            for line in folders or []:
                name = line.decode().rsplit(' "', 1)[-1].rstrip('"')
                if name != "INBOX":
                    imap.delete(f'"{name}"')
            imap.select("INBOX")
            status, data = imap.search(None, "ALL")
            if data and data[0]:
                imap.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
                imap.expunge()
        finally:
            imap.logout()


def golden_reply(name: str, *, uid: str, attendee: str, organizer: str, partstat: str,
                 sequence: int, dtstamp: datetime, start: datetime, end: datetime,
                 sender: str | None = None, attendee_name: str = "Ambassador",
                 comment: str = "", message_id: str | None = None) -> bytes:
    """A golden e-mail of tests/fixtures/replies/ with its placeholders filled in."""
    values = {
        "UID": uid, "ATTENDEE": attendee, "ORGANIZER": organizer, "PARTSTAT": partstat,
        "SEQUENCE": str(sequence), "DTSTAMP": f"{dtstamp.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}",
        "START_LOCAL": f"{start.astimezone(GENEVA):%Y%m%dT%H%M%S}",
        "END_LOCAL": f"{end.astimezone(GENEVA):%Y%m%dT%H%M%S}",
        "START_UTC": f"{start.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}",
        "END_UTC": f"{end.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}",
        "FROM": sender or attendee, "NAME": attendee_name, "COMMENT": comment,
        "VERB": VERBS.get(partstat, partstat.title()),
        "VERB_LOWER": VERBS.get(partstat, partstat).lower(),
        "MESSAGE_ID": message_id or f"{uuid.uuid4().hex}@mail.example.org",
    }
    return fill(REPLIES.joinpath(name).read_bytes(), values)


def fill(raw: bytes, values: dict[str, str]) -> bytes:
    """Replace ``{{NAME}}`` placeholders in a message, in its headers, text and base64 parts."""
    def substitute(text: str) -> str:
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        return text

    raw = substitute(raw.decode("utf-8")).encode("utf-8")
    message = email.message_from_bytes(raw)
    changed = False
    for part in message.walk():
        if part.is_multipart() or part.get("Content-Transfer-Encoding", "").lower() != "base64":
            continue
        decoded = part.get_payload(decode=True).decode("utf-8")
        filled = substitute(decoded)
        if filled != decoded:
            encoded = base64.encodebytes(filled.encode("utf-8")).decode()
            part.set_payload(encoded.replace("\n", "\r\n"))
            changed = True
    if not changed:
        return raw
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False).flatten(message, linesep="\r\n")
    return out.getvalue()


def reply_to(invitation, partstat: str = "ACCEPTED", *, fixture: str = "outlook.eml",
             sequence: int | None = None, dtstamp: datetime | None = None,
             attendee: str | None = None, sender: str | None = None, comment: str = "",
             message_id: str | None = None, start: datetime | None = None,
             uid: str | None = None) -> bytes:
    """A golden client's reply to an invitation (by default: its contact, its current version,
    made a few minutes ago)."""
    from flask import current_app

    briefing = invitation.briefing
    start = start or briefing.start_at
    return golden_reply(
        fixture, uid=uid or briefing.uid, attendee=attendee or invitation.contact.email,
        organizer=current_app.config["ORGANIZER_EMAIL"], partstat=partstat,
        sequence=briefing.sequence if sequence is None else sequence,
        dtstamp=dtstamp or datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=5),
        start=start, end=start + (briefing.end_at - briefing.start_at), sender=sender,
        attendee_name=invitation.contact.name, comment=comment, message_id=message_id)
