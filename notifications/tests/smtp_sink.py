"""A real SMTP server for the integration tests (aiosmtpd), run as its own
process so a test can start, stop and kill it:

    python -m notifications.tests.smtp_sink --port 2525 --folder /tmp/sink

It writes every message it receives to ``<folder>/messages/`` (one JSON file:
envelope sender, recipients, raw data) and one line per RCPT to
``<folder>/rcpt.log``. ``<folder>/mode`` says how to answer, read on every
command: ``accept`` (250), ``reject`` (550 at RCPT) or ``delay`` (record the
message, then hold the reply to DATA for a minute).
"""

import argparse
import asyncio
import json
import signal
import sys
import time
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        (folder / "messages").mkdir(parents=True, exist_ok=True)

    def mode(self) -> str:
        try:
            return (self.folder / "mode").read_text().strip() or "accept"
        except FileNotFoundError:
            return "accept"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with open(self.folder / "rcpt.log", "a") as log:
            log.write(f"{time.time():.3f} {address}\n")
        if self.mode() == "reject":
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            # Bytes kept exactly (latin-1 maps each byte to one character).
            "data": envelope.original_content.decode("latin-1"),
        }
        name = f"{time.time():.6f}-{uuid.uuid4().hex}.json"
        partial = self.folder / "messages" / (name + ".part")
        partial.write_text(json.dumps(record))
        partial.rename(self.folder / "messages" / name)
        if self.mode() == "delay":
            await asyncio.sleep(60)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", type=Path, required=True)
    options = parser.parse_args()
    controller = Controller(
        RecordingHandler(options.folder), hostname="127.0.0.1", port=options.port
    )
    controller.start()
    (options.folder / "ready").write_text(str(options.port))
    signal.signal(signal.SIGTERM, lambda *_: controller.stop() or sys.exit(0))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
