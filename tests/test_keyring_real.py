"""The key in a real OS keyring (Secret Service via GNOME Keyring), and nowhere else."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

KEY = "dk-keyring-test-7f3a9c2e51b4"

SCRIPT = textwrap.dedent(
    """
    import asyncio, os, keyring
    from nanobanana_desktop.session import Session, SessionOptions
    from nanobanana_desktop.credentials import load_api_key

    async def main():
        session = await Session.open(SessionOptions(base_url=os.environ["SANDBOX_URL"]))
        assert session.engine is None, "no key yet"
        note = await session.use_key(os.environ["THE_KEY"])
        await session.close()
        print("note:", note)
        print("backend:", type(keyring.get_keyring()).__name__)
        stored = keyring.get_password("nanobanana-desktop", "api-key")
        print("stored:", stored == os.environ["THE_KEY"])
        print("loaded:", load_api_key().source)

    asyncio.run(main())
    """
)


def run_in_unlocked_keyring(tmp_path, sandbox, script: str) -> subprocess.CompletedProcess[str]:
    """``script`` in a fresh D-Bus session with an unlocked GNOME Keyring and its own home."""
    assert shutil.which("gnome-keyring-daemon"), "install gnome-keyring (see .ci/run)"
    home = tmp_path / "home"
    home.mkdir()
    env = dict(
        os.environ,
        HOME=str(home),
        SANDBOX_URL=sandbox.api_url,
        THE_KEY=KEY,
        XDG_DATA_HOME=str(home / ".local/share"),
        SCRIPT=script,
    )
    env.pop("PYTHON_KEYRING_BACKEND")  # the real one, this time
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    done = subprocess.run(
        [
            "dbus-run-session",
            "--",
            "sh",
            "-c",
            "echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
            f'{sys.executable} -c "$SCRIPT"',
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_key_is_stored_in_the_secret_service_and_nowhere_on_disk(tmp_path, sandbox):
    done = run_in_unlocked_keyring(tmp_path, sandbox, SCRIPT)
    assert "backend: Keyring" in done.stdout
    assert "note: None" in done.stdout  # stored, no fallback message
    assert "stored: True" in done.stdout
    assert "loaded: keyring" in done.stdout
    # The profile, the library and the logs hold the key nowhere, in any file.
    for root in (tmp_path / "profile", tmp_path / "library"):
        for path in root.rglob("*") if root.exists() else ():
            if path.is_file():
                assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in done.stderr


FORGET_SCRIPT = textwrap.dedent(
    """
    import asyncio, os, keyring
    from nanobanana_desktop.session import Session, SessionOptions
    from nanobanana_desktop.credentials import load_api_key

    async def main():
        keyring.set_password("nanobanana-desktop", "api-key", os.environ["THE_KEY"])
        session = await Session.open(SessionOptions(base_url=os.environ["SANDBOX_URL"]))
        print("source:", session.key_source)
        print("note:", await session.forget_key())
        print("again:", await session.forget_key())
        await session.close()
        print("stored:", keyring.get_password("nanobanana-desktop", "api-key"))
        print("loaded:", load_api_key().source)

    asyncio.run(main())
    """
)


def test_remove_key_deletes_it_from_the_secret_service(tmp_path, sandbox):
    done = run_in_unlocked_keyring(tmp_path, sandbox, FORGET_SCRIPT)
    assert "source: keyring" in done.stdout
    assert "note: Removed from the system keyring." in done.stdout
    assert "again: No key was stored in the system keyring" in done.stdout
    assert "stored: None" in done.stdout
    assert "loaded: none" in done.stdout
    assert KEY not in done.stdout + done.stderr
