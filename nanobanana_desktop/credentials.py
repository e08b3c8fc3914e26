"""Where the API key comes from: the OS keyring, or NANOBANANA_API_KEY for one session.

The key is never written anywhere else: not to a file, a log, nor the database.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from .api.endpoint import ApiKey
from .messages import translatable

log = logging.getLogger(__name__)

KEYRING_SERVICE = "nanobanana-desktop"
KEYRING_USER = "api-key"
ENV_VAR = "NANOBANANA_API_KEY"

_ENV_UNUSABLE = translatable("Credentials", "{variable} is set but unusable: {reason}")
_NO_KEYRING = translatable(
    "Credentials",
    "No system keyring is available to hold the API key; set "
    "{variable} for this session, or install and unlock a keyring",
)
_NO_PACKAGE = translatable("Credentials", "The keyring package is missing")
_STORED_UNUSABLE = translatable("Credentials", "The key in the keyring is unusable: {reason}")
_SESSION_ONLY = translatable(
    "Credentials",
    "No system keyring could store the key, so it is kept for this session only. "
    "Install and unlock a keyring (GNOME Keyring, KWallet, macOS Keychain, Windows "
    "Credential Locker) to keep it.",
)
_NOTHING_STORED = translatable(
    "Credentials", "No key was stored in the system keyring, so there was nothing to remove."
)
_NOTHING_TO_REMOVE = translatable(
    "Credentials", "No system keyring is available, so no key was stored there to remove."
)


@dataclass(frozen=True)
class KeyLookup:
    key: ApiKey | None
    source: str  # "environment", "keyring" or "none"
    problem: str | None = None  # why the keyring could not be asked, for the user


def load_api_key() -> KeyLookup:
    """The session's key: the environment wins, so one run can use another key."""
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        try:
            return KeyLookup(ApiKey(from_env), "environment")
        except ValueError as exc:
            return KeyLookup(None, "none", _ENV_UNUSABLE.format(variable=ENV_VAR, reason=exc))
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            stored = keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
        except KeyringError as exc:
            log.info("keyring unavailable: %s", type(exc).__name__)
            return KeyLookup(None, "none", _NO_KEYRING.format(variable=ENV_VAR))
    except ImportError:  # pragma: no cover - keyring is a dependency
        return KeyLookup(None, "none", _NO_PACKAGE)
    if stored:
        try:
            return KeyLookup(ApiKey(stored), "keyring")
        except ValueError as exc:
            return KeyLookup(None, "none", _STORED_UNUSABLE.format(reason=exc))
    return KeyLookup(None, "none")


def save_api_key(key: ApiKey) -> str | None:
    """Store the key in the OS keyring; a message for the user if it cannot be stored.

    Without a keyring the key stays in memory for this session only: never in a file.
    """
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, KEYRING_USER, key.reveal())
    except KeyringError as exc:
        log.info("keyring refused the key: %s", type(exc).__name__)
        return _SESSION_ONLY
    return None


def forget_api_key() -> str | None:
    """Delete the key from the OS keyring; a message for the user if nothing was deleted."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, KEYRING_USER)
    except PasswordDeleteError:
        return _NOTHING_STORED
    except KeyringError as exc:
        # The fail backend raises NoKeyringError here, not PasswordDeleteError.
        log.info("keyring unavailable for removal: %s", type(exc).__name__)
        return _NOTHING_TO_REMOVE
    return None


def keyring_available() -> bool:
    """Whether a keyring backend that can hold a key was found (it may still be locked).

    Blocking on first use (backends are probed over D-Bus): call it off the UI thread.
    """
    import keyring
    from keyring.backends import fail, null

    return not isinstance(keyring.get_keyring(), fail.Keyring | null.Keyring)
