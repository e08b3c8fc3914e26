"""Window settings in the profile folder (an INI file). Never the API key: that is the keyring's.

The keys that take effect at start live in :mod:`nanobanana_desktop.preferences`, which
reads this same file without Qt.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QSettings

from ..preferences import KEYS, SETTINGS_FILE, Preferences


def profile_settings(profile: Path) -> QSettings:
    """The profile's settings file. QSettings flushes changes from the event loop of its thread,
    and a flush waits for the disk: frequent writes (the draft) go through ui/draft_writer."""
    return QSettings(str(profile / SETTINGS_FILE), QSettings.Format.IniFormat)


def stored_preferences(settings: QSettings) -> Preferences:
    """What the next start will read, checked the same way the session checks it."""
    values: dict[str, str] = {}
    for key in KEYS:
        value = settings.value(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            values[key] = str(value)
    return Preferences.from_values(values)


def store_preferences(settings: QSettings, changes: Mapping[str, str | None]) -> None:
    """Write start-time settings; None removes one, so its default applies again.

    Always as text: the reader without Qt then sees exactly what was meant, with no
    QVariant type encoding in between.
    """
    for key, value in changes.items():
        if key not in KEYS:
            raise KeyError(f"not a start-time setting: {key}")
        if value is None:
            settings.remove(key)
        else:
            settings.setValue(key, value)
