"""The ``nanobanana`` command line, run as a real process where it matters."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest
from engine_harness import free_port

from nanobanana_desktop.cli import build_parser, main, sandbox_config
from nanobanana_desktop.sandbox import FaultSwitch


def test_sandbox_options_reach_the_config():
    args = build_parser().parse_args(
        [
            "sandbox",
            "--server-errors",
            "30%",
            "--drop",
            "2",
            "--format",
            "jpeg",
            "--results",
            "data",
            "--expire-after",
            "60",
            "--retry-after",
            "4",
            "--refuse-key",
            "dk-revoked",
            "--running",
            "0.5",
        ]
    )
    config = sandbox_config(args)
    assert config.faults.server_error.rate == pytest.approx(0.3)
    assert config.faults.drop_connection.count == 2
    assert config.faults.rate_limit == FaultSwitch()
    assert (config.image_format, config.result_mode, config.result_ttl) == ("jpeg", "data", 60)
    assert config.faults.retry_after == 4
    assert config.refused_keys == {"dk-revoked"}
    assert config.in_progress_seconds == 0.5


@pytest.mark.parametrize("bad", ["1.5", "-0.1", "150%", "often"])
def test_fault_switch_rejects_nonsense(bad):
    with pytest.raises(ValueError, match=r"."):
        FaultSwitch.parse(bad)


def test_standalone_sandbox_serves_and_stops_on_sigterm():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanobanana_desktop.cli", "sandbox", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    try:
        banner = proc.stdout.readline()
        assert banner.strip() == f"Nano Banana sandbox API on http://127.0.0.1:{port}"
        balance = subprocess.run(
            [
                sys.executable,
                "-m",
                "nanobanana_desktop.cli",
                "balance",
                "--sandbox-url",
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert balance.stdout.strip() == "credit: 100"  # as the window shows it
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err


def test_sandbox_port_in_use_says_what_to_do(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code = main(["sandbox", "--port", str(taken.getsockname()[1])])
    assert code == 2
    assert "choose another port with --port" in capsys.readouterr().err


def test_sandbox_refuses_a_non_loopback_host(capsys):
    with pytest.raises(ValueError, match="loopback only"):
        main(["sandbox", "--host", "0.0.0.0", "--port", "0"])


def test_balance_without_key_explains(monkeypatch, capsys):
    assert main(["balance"]) == 2
    assert "NANOBANANA_API_KEY" in capsys.readouterr().err


def test_balance_with_refused_key_exits_1_with_a_message(sandbox, monkeypatch, capsys):
    monkeypatch.setenv("NANOBANANA_API_KEY", "dk-revoked-key-0001")
    sandbox.config.refused_keys.add("dk-revoked-key-0001")
    assert main(["balance", "--base-url", sandbox.api_url]) == 1
    err = capsys.readouterr().err
    assert "check it in Settings" in err
    assert "dk-revoked-key-0001" not in err
