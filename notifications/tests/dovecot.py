"""A real Dovecot IMAP server for the integration tests: Debian's
``dovecot-imapd`` started as a normal user, with its own base_dir, state_dir
and log in a temporary folder, a passwd-file user, no TLS, on a loopback
port. Run as root, the whole server runs as ``nobody`` (Dovecot refuses to
run its login processes as root)."""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import missing_service
from notifications.tests.live import ServiceUnavailable, free_port, wait_for

DOVECOT = "/usr/sbin/dovecot"
USER = "desk"
PASSWORD = "desk-secret"

CONFIG = """\
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
info_log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:~/Maildir
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {folder}/passwd
}}
userdb {{
  driver = passwd-file
  args = {folder}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0600
  }}
  unix_listener stats-writer {{
    mode = 0600
  }}
}}
"""


class Dovecot:
    def __init__(self, folder: Path, *, port: int | None = None) -> None:
        if not os.path.exists(DOVECOT) or shutil.which("setpriv") is None:
            raise ServiceUnavailable("dovecot-imapd is not installed")
        self.folder = folder
        self.port = port or free_port()
        self.as_root = os.geteuid() == 0
        account = pwd.getpwnam("nobody") if self.as_root else pwd.getpwuid(os.getuid())
        self.uid, self.gid = account.pw_uid, account.pw_gid
        import grp

        group = grp.getgrgid(self.gid).gr_name
        for name in ("run", "state", "mail"):
            (folder / name).mkdir(parents=True, exist_ok=True)
        (folder / "passwd").write_text(
            f"{USER}:{{PLAIN}}{PASSWORD}:{self.uid}:{self.gid}::{folder}/mail/{USER}::\n"
        )
        (folder / "dovecot.conf").write_text(
            CONFIG.format(folder=folder, user=account.pw_name, group=group, port=self.port)
        )
        if self.as_root:
            os.chmod(folder, 0o755)
            for path in [folder, *folder.rglob("*")]:
                os.chown(path, self.uid, self.gid)
        self.start()

    def start(self) -> "Dovecot":
        command = [DOVECOT, "-c", str(self.folder / "dovecot.conf")]
        if self.as_root:
            command = [
                "setpriv",
                f"--reuid={self.uid}",
                f"--regid={self.gid}",
                "--clear-groups",
                *command,
            ]
        # Dovecot forks into the background; its output goes to a file, not a
        # pipe the daemon would hold open.
        with open(self.folder / "start.log", "a") as output:
            result = subprocess.run(
                command, stdin=subprocess.DEVNULL, stdout=output, stderr=output, timeout=20
            )
        if result.returncode != 0:
            started = (self.folder / "start.log").read_text(errors="replace")
            raise ServiceUnavailable(f"dovecot did not start: {started}{self.log()}")
        if not wait_for(self._answers, timeout=10):
            self.stop()
            raise ServiceUnavailable("dovecot does not answer:\n" + self.log())
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                return sock.recv(64).startswith(b"* OK")
        except OSError:
            return False

    def stop(self) -> None:
        pid_file = self.folder / "run" / "master.pid"
        try:
            pid = int(pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        wait_for(lambda: not self._answers(), timeout=5)

    def log(self) -> str:
        try:
            return (self.folder / "dovecot.log").read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""

    def client(self):
        from imapclient import IMAPClient

        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=5)
        client.login(USER, PASSWORD)
        return client

    def settings(self, folder: str = "Desk") -> dict[str, object]:
        return {
            "ITSM_IMAP_HOST": "127.0.0.1",
            "ITSM_IMAP_PORT": self.port,
            "ITSM_IMAP_USER": USER,
            "ITSM_IMAP_PASSWORD": PASSWORD,
            "ITSM_IMAP_FOLDER": folder,
            "ITSM_IMAP_SSL": False,
            "ITSM_IMAP_TIMEOUT": 5,
        }

    def append(self, messages: list[bytes], folder: str = "Desk") -> None:
        client = self.client()
        try:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            for raw in messages:
                client.append(folder, raw)
        finally:
            client.logout()

    def flags(self, folder: str = "Desk") -> dict[int, tuple]:
        client = self.client()
        try:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            return {uid: data[b"FLAGS"] for uid, data in client.fetch(uids, ["FLAGS"]).items()}
        finally:
            client.logout()

    def recreate_folder(self, folder: str, messages: list[bytes]) -> None:
        """Delete and create the folder again: a new UIDVALIDITY, UIDs from 1."""
        client = self.client()
        try:
            client.delete_folder(folder)
            client.create_folder(folder)
        finally:
            client.logout()
        self.append(messages, folder)


@contextmanager
def dovecot_running(prefix: str) -> Iterator[Dovecot]:
    """A Dovecot in a temporary folder of its own, stopped and removed after;
    without Dovecot the test is skipped (or fails where services are required)."""
    # Not under tmp_path: as root the server runs as nobody, who cannot
    # enter pytest's private (0700) folders.
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        server = Dovecot(folder)
    except ServiceUnavailable as error:
        shutil.rmtree(folder, ignore_errors=True)
        missing_service(str(error))
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
