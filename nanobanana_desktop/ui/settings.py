"""Window settings in the profile folder (an INI file). Never the API key: that is the keyring's."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings


def profile_settings(profile: Path) -> QSettings:
    """QSettings batches writes and flushes them itself, so the UI thread does not wait."""
    return QSettings(str(profile / "settings.ini"), QSettings.Format.IniFormat)
