"""Real servers on this machine for the tests that need them: an S3-compatible one (moto's server mode) and
Redis. Each listens on a free loopback port, is waited for, and is stopped when its fixture ends."""

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
