"""The development mail sink keeps each message as an .eml file."""
import smtplib
from email import message_from_bytes

from nam_briefings.mailsink import start_sink
from tests.conftest import free_port


def test_each_message_becomes_one_eml_file(tmp_path):
    port = free_port()
    sink = start_sink(tmp_path / "mail", "127.0.0.1", port)
    try:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for n in range(2):
                smtp.sendmail("a@example.org", [f"b{n}@example.org"],
                              f"Subject: test {n}\r\nMessage-ID: <m{n}@x>\r\n\r\nbody {n}\r\n")
    finally:
        sink.stop()
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert [f.name.split("-", 2)[2] for f in files] == ["b0@example.org.eml", "b1@example.org.eml"]
    message = message_from_bytes(files[1].read_bytes())
    assert message["Subject"] == "test 1" and message["Message-ID"] == "<m1@x>"
    assert not list((tmp_path / "mail").glob(".*.tmp"))
