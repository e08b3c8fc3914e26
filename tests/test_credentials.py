"""The key's life in the keyring: stored, found, removed; with no keyring, never on disk."""

from __future__ import annotations

import logging

from nanobanana_desktop.api import ApiKey
from nanobanana_desktop.credentials import (
    ENV_VAR,
    KEYRING_SERVICE,
    KEYRING_USER,
    forget_api_key,
    keyring_available,
    load_api_key,
    save_api_key,
)

KEY = "dk-credentials-test-5c1e"


def test_saved_key_is_found_and_forgotten(memory_keyring):
    assert save_api_key(ApiKey(KEY)) is None
    assert memory_keyring.stored() == KEY
    found = load_api_key()
    assert (found.source, found.key) == ("keyring", ApiKey(KEY))

    assert forget_api_key() is None
    assert memory_keyring.stored() is None
    assert load_api_key().key is None
    assert "nothing to remove" in (forget_api_key() or "")


def test_the_environment_wins_over_the_keyring(memory_keyring, monkeypatch):
    memory_keyring.set_password(KEYRING_SERVICE, KEYRING_USER, KEY)
    monkeypatch.setenv(ENV_VAR, "dk-from-the-environment-01")
    found = load_api_key()
    assert (found.source, found.key) == ("environment", ApiKey("dk-from-the-environment-01"))


def test_without_a_keyring_nothing_is_stored_and_it_says_so(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    assert not keyring_available()  # conftest installs the fail backend
    note = save_api_key(ApiKey(KEY))
    assert note is not None and "kept for this session only" in note
    assert "No system keyring" in (forget_api_key() or "")
    lookup = load_api_key()
    assert lookup.key is None and lookup.problem and "No system keyring" in lookup.problem
    # No fallback file anywhere under this test's folders, and no log line with the key.
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or KEY.encode() not in path.read_bytes(), path
    assert all(KEY not in record.getMessage() for record in caplog.records)


def test_a_working_keyring_is_reported_available(memory_keyring):
    assert keyring_available()
