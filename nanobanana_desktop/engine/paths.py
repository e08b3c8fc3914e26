"""Where the profile (settings, database, thumbnail cache) and the library (images) live."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

APP_DIR_NAME = "Nano Banana Desktop"
PROFILE_ENV = "NANOBANANA_PROFILE"
LIBRARY_ENV = "NANOBANANA_LIBRARY"


def default_profile_dir() -> Path:
    """The platform's per-user app-data folder (what QStandardPaths.AppDataLocation gives)."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / APP_DIR_NAME


def default_library_dir() -> Path:
    return Path.home() / "Pictures" / "Nano Banana"


@dataclass(frozen=True)
class Locations:
    profile: Path
    library: Path

    @property
    def database(self) -> Path:
        return self.profile / "history.sqlite3"

    @property
    def thumbnails(self) -> Path:
        """Thumbnails can always be made again from the library: a cache, safe to delete."""
        return self.profile / "thumbnails"

    @classmethod
    def resolve(
        cls,
        profile: str | os.PathLike[str] | None = None,
        library: str | os.PathLike[str] | None = None,
    ) -> Locations:
        """Command-line flags win over the environment, which wins over the defaults."""
        chosen_profile = profile or os.environ.get(PROFILE_ENV) or default_profile_dir()
        chosen_library = library or os.environ.get(LIBRARY_ENV) or default_library_dir()
        return cls(Path(chosen_profile).expanduser(), Path(chosen_library).expanduser())
