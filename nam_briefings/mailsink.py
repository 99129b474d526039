"""The local mail sink of `make run`: an SMTP server on loopback that keeps each message.

Development only: every message received is written as one `.eml` file, so what the
service sends can be opened in any mail client or read as text. Nothing leaves the machine.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class EmlDirectory:
    """An aiosmtpd handler writing each message to `<folder>/<time>-<n>-<recipient>.eml`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.count += 1
        recipient = re.sub(r"[^A-Za-z0-9@._-]", "_", envelope.rcpt_tos[0])[:80]
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{self.count:05d}-{recipient}.eml"
        temporary = self.folder / f".{name}.tmp"
        temporary.write_bytes(envelope.original_content or envelope.content)
        temporary.rename(self.folder / name)  # readers never see half a message
        return "250 Message accepted for delivery"


def start_sink(folder: Path, host: str, port: int) -> Controller:
    """Start the sink in a background thread; call `.stop()` on the result to stop it."""
    controller = Controller(EmlDirectory(folder), hostname=host, port=port)
    controller.start()
    return controller
