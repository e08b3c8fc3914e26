"""The main window in the light and the dark scheme, for the README and for review.

    xvfb-run -a -s "-screen 0 3000x2400x24" .venv/bin/python docs/screenshots/color_schemes.py

writes ``window-light.png`` and ``window-dark.png`` here, at twice the pixels (``--scale``):
the window over an in-process sandbox, with a prompt and four references in the composer
and tasks in several states (generating, done, failed) in the list. It is the same
scene as regenerate.py's ``window.png`` (and made by its code), shot once per scheme: the
scheme is switched through the app's own hook, as ``--color-scheme`` does, because Xvfb
and the offscreen platform have no desktop to switch it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

# regenerate.py, beside this file: the scene, and the way it is shot, are the same.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import regenerate

from nanobanana_desktop.ui.style import SCHEMES, follow_color_scheme


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=regenerate.HERE, help="folder for the PNGs")
    parser.add_argument("--schemes", default=",".join(SCHEMES), help="light, dark or both")
    parser.add_argument("--scale", type=float, default=2.0, help="device pixels per pixel")
    args, passed_on = parser.parse_known_args(argv)  # --font, --font-size: regenerate's
    wanted = [name.strip() for name in args.schemes.split(",") if name.strip()]
    if not wanted or set(wanted) - set(SCHEMES):
        parser.error(f"--schemes: a comma-separated subset of {', '.join(SCHEMES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["QT_SCALE_FACTOR"] = f"{args.scale:g}"  # read when the QApplication is made
    # Made here, so that it follows a scheme before regenerate.py takes it over.
    app = QApplication(sys.argv[:1])
    schemes = follow_color_scheme(app, wanted[0])
    for scheme in wanted:
        schemes.set_scheme(scheme)
        with tempfile.TemporaryDirectory(prefix="nb-shots-") as shots:
            regenerate.run(["--only", "window", "--out", shots, *passed_on])
            target = args.out / f"window-{scheme}.png"
            shutil.move(Path(shots) / "window.png", target)
            print(f"  -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(run())
