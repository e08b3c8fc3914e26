"""Build Nano Banana Desktop as a one-folder bundle for this OS with PyInstaller.

    pip install -e '.[package]'
    python packaging/build.py              # -> dist/nanobanana-desktop/
    python packaging/build.py --archive    # and dist/nanobanana-desktop-VERSION-OS-ARCH.tar.gz

Then ``dist/nanobanana-desktop/nanobanana-desktop --sandbox --smoke-test`` checks it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "nanobanana_desktop.spec"
LINUX = ROOT / "packaging" / "linux"
ICONS = ROOT / "resources" / "icons"
NAME = "nanobanana-desktop"


def bundle_size(folder: Path) -> tuple[int, int]:
    """Bytes on disk (as ``du`` counts them, each hard link once) and the number of files."""
    seen: set[tuple[int, int]] = set()
    total = files = 0
    for path in folder.rglob("*"):
        info = path.lstat()
        if path.is_symlink() or not path.is_file() or (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        total += info.st_blocks * 512 if hasattr(info, "st_blocks") else info.st_size
        files += 1
    return total, files


def executable(bundle: Path) -> Path:
    """The app's executable inside a built bundle folder."""
    return bundle / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def build(dist: Path, work: Path, *, trim: bool = True, clean: bool = False) -> Path:
    """Run PyInstaller on the spec; returns the bundle folder."""
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        f"--distpath={dist}",
        f"--workpath={work}",
        str(SPEC),
    ]
    if clean:
        command.insert(3, "--clean")
    env = dict(os.environ, NANOBANANA_BUNDLE_TRIM="1" if trim else "0")
    subprocess.run(command, check=True, cwd=ROOT, env=env)  # noqa: S603  (our own command)
    return dist / NAME


def add_desktop_files(bundle: Path) -> None:
    """Put what packaging/linux/install.sh installs into the bundle, beside a copy of it,
    so that an unpacked archive installs with ``./install.sh`` alone."""
    share = bundle / "share"
    for folder, pattern in (("applications", "*.desktop"), ("metainfo", "*.metainfo.xml")):
        (share / folder).mkdir(parents=True, exist_ok=True)
        for path in LINUX.glob(pattern):
            shutil.copy2(path, share / folder / path.name)
    icons = share / "icons" / "hicolor"
    shutil.copytree(ICONS / "hicolor", icons, dirs_exist_ok=True)
    (icons / "scalable" / "apps").mkdir(parents=True, exist_ok=True)
    shutil.copy2(ICONS / f"{NAME}.svg", icons / "scalable" / "apps" / f"{NAME}.svg")
    shutil.copy2(LINUX / "install.sh", bundle / "install.sh")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundle goes")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller's cache"
    )
    parser.add_argument(
        "--no-trim", action="store_true", help="keep every Qt plugin (to measure the trimming)"
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument("--archive", action="store_true", help="also pack the folder as .tar.gz")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("PyInstaller") is None:
        print("PyInstaller is not installed here: pip install -e '.[package]'", file=sys.stderr)
        return 2
    try:
        app_version = version("nanobanana-desktop")
    except PackageNotFoundError:
        print("Install the app first: pip install -e '.[package]'", file=sys.stderr)
        return 2

    started = time.monotonic()
    dist, work = args.dist.resolve(), args.work.resolve()
    bundle = build(dist, work, trim=not args.no_trim, clean=args.clean)
    if sys.platform.startswith("linux"):
        add_desktop_files(bundle)
    seconds = time.monotonic() - started
    size, files = bundle_size(bundle)
    print(f"Nano Banana Desktop {app_version}: {bundle}")
    print(f"  {size / 2**20:.1f} MiB in {files} files, built in {seconds:.0f} s")
    print(f"  try it: {executable(bundle)} --sandbox --smoke-test")
    if sys.platform.startswith("linux"):
        print(f"  install it for this user: {bundle / 'install.sh'}")
    if args.archive:
        system = platform.system().lower()
        stem = f"{NAME}-{app_version}-{system}-{platform.machine().lower()}"
        archive = shutil.make_archive(str(bundle.parent / stem), "gztar", bundle.parent, NAME)
        print(f"  archive: {archive} ({Path(archive).stat().st_size / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
