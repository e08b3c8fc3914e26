"""A keyring that works, in memory, for the tests that need one (the real one has its own
test under dbus-run-session)."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from nanobanana_desktop.credentials import KEYRING_SERVICE, KEYRING_USER


class MemoryKeyring(KeyringBackend):
    """A keyring that works, in memory. Never picked on its own (negative priority):
    only where a test installs it."""

    priority = -1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.passwords:
            raise PasswordDeleteError("not found")
        del self.passwords[(service, username)]

    def stored(self) -> str | None:
        return self.passwords.get((KEYRING_SERVICE, KEYRING_USER))


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
