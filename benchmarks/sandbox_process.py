"""A sandbox in its own process, so that its work does not share the measured interpreter."""

from __future__ import annotations

import os
import socket
import subprocess
import sys


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sandbox(port: int, *options: str) -> subprocess.Popen[str]:
    """``nanobanana sandbox`` on ``port``; returns once it listens."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanobanana_desktop.cli", "sandbox", "--port", str(port), *options],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    assert proc.stdout is not None
    if not proc.stdout.readline():  # the banner: the server is listening
        code = proc.wait(10)
        raise RuntimeError(f"the sandbox exited with code {code} before it listened")
    return proc
