"""Real servers on this machine for the tests that need them: an S3-compatible one (moto's server mode), Redis
and an SMTP server (aiosmtpd). Each listens on a free loopback port, is waited for, and is stopped when its fixture
ends."""

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, name: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}: {process.stderr.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{name} did not listen on port {port} within {seconds} s")


@contextmanager
def _running(command: list[str], port: int, name: str):
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, process, name)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def s3_server():
    """moto's S3-compatible server; yields its endpoint URL."""
    port = free_port()
    with _running([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], port, "moto_server"):
        yield f"http://127.0.0.1:{port}"


def redis_server_binary() -> str | None:
    """redis-server from PATH (Debian's redis-server package; .ci/run installs it), or None."""
    return shutil.which("redis-server")


def require_redis_server() -> str:
    """The redis-server binary; without one the test is skipped with the reason, except under CI, where it fails."""
    binary = redis_server_binary()
    if binary is None:
        message = "redis-server is not installed (apt-get install redis-server; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ", and CI=true requires it")
        pytest.skip(message)
    return binary


@contextmanager
def redis_server(port: int | None = None):
    """A throwaway Redis that keeps nothing on disk, on `port` or a free one; yields its URL."""
    binary = require_redis_server()
    port = port or free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with _running(command, port, "redis-server"):
        yield f"redis://127.0.0.1:{port}/0"


class SMTPInbox:
    """What an aiosmtpd server received: each message parsed (email.parser), with its envelope recipients.
    Recipients in `refuse` are answered 550 at RCPT, as a mail server refuses an unknown mailbox."""

    def __init__(self):
        self.messages = []
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import policy
        from email.parser import BytesParser

        raw = envelope.original_content or envelope.content
        message = BytesParser(policy=policy.default).parsebytes(raw)
        message.raw = raw  # as it came over the wire, for what parsing would smooth over
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        address = address.lower()
        return [message for recipients, message in self.messages if address in {r.lower() for r in recipients}]


@contextmanager
def smtp_server():
    """An SMTP server on a free loopback port (aiosmtpd, in a thread of this process); yields (port, inbox)."""
    from aiosmtpd.controller import Controller

    inbox = SMTPInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()
