"""The bundle's entry point: PyInstaller needs a script, and the package's __main__ uses a
relative import that only works under ``python -m``."""

import sys

from nanobanana_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
