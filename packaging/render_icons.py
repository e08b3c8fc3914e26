"""Render the app icon's PNGs at the freedesktop sizes from the SVG master in resources/.

    python packaging/render_icons.py            # write resources/icons/hicolor/NxN/apps/*.png
    python packaging/render_icons.py --check    # exit 1 if a PNG no longer matches the master

Qt's own SVG renderer (QtSvg, part of PySide6-Essentials) draws them, so no other tool is
needed. Small sizes are hinted as the master's comment describes.
"""

from __future__ import annotations

import argparse
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
MASTER = ICONS / "nanobanana-desktop.svg"
ICON_NAME = "nanobanana-desktop"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
CROP_BELOW = 64  # the tile fills the whole image: its edges land on whole pixels
DETAIL_FROM = 32  # elements with a "detail-" id appear from this size on
DETAIL_PREFIX = "detail-"
SVG_NS = "http://www.w3.org/2000/svg"

# Rasterisers differ a little at anti-aliased edges between Qt versions; a changed master
# changes far more pixels than this.
TOLERANCE = 8  # per channel, out of 255
ALLOWED_DIFFERENT = 0.01  # share of pixels beyond the tolerance


def png_path(size: int, folder: Path = ICONS) -> Path:
    return folder / "hicolor" / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"


_app: QGuiApplication | None = None


def _ensure_gui() -> None:
    global _app
    if QGuiApplication.instance() is None:
        # Rendering needs no screen: a build machine or CI has none.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QGuiApplication(sys.argv[:1])


def master_for(size: int, master: Path = MASTER) -> tuple[bytes, tuple[float, ...] | None]:
    """The SVG to draw at ``size`` and the view box to crop it to (None: the whole image)."""
    ET.register_namespace("", SVG_NS)
    tree = ET.parse(master)  # noqa: S314  (our own file, not untrusted input)
    root = tree.getroot()
    if size < DETAIL_FROM:
        for parent in root.iter():
            for child in list(parent):
                if child.get("id", "").startswith(DETAIL_PREFIX):
                    parent.remove(child)
    crop = None
    if size < CROP_BELOW:
        tile = root.find(f".//{{{SVG_NS}}}*[@id='tile']")
        if tile is None:
            raise SystemExit(f"{master}: no element with id 'tile' to crop to")
        crop = tuple(float(tile.get(name, "0")) for name in ("x", "y", "width", "height"))
    return ET.tostring(root, encoding="utf-8"), crop


def render(size: int, master: Path = MASTER) -> QImage:
    _ensure_gui()
    data, crop = master_for(size, master)
    renderer = QSvgRenderer(QByteArray(data))
    if not renderer.isValid():
        raise SystemExit(f"{master}: Qt cannot read this SVG")
    if crop is not None:
        renderer.setViewBox(QRectF(*crop))
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def differs(a: QImage, b: QImage) -> str | None:
    """Why two renderings do not match, or None when they do (within the tolerance)."""
    if a.size() != b.size():
        return f"{b.width()}x{b.height()} instead of {a.width()}x{a.height()}"
    a = a.convertToFormat(QImage.Format.Format_RGBA8888)
    b = b.convertToFormat(QImage.Format.Format_RGBA8888)
    pixels_a, pixels_b = bytes(a.constBits()), bytes(b.constBits())
    different = sum(
        1
        for offset in range(0, len(pixels_a), 4)
        if max(abs(pixels_a[offset + i] - pixels_b[offset + i]) for i in range(4)) > TOLERANCE
    )
    share = different / (a.width() * a.height())
    return f"{share:.1%} of the pixels differ" if share > ALLOWED_DIFFERENT else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--out", type=Path, default=ICONS, help="folder that gets hicolor/")
    args = parser.parse_args(argv)
    stale: list[str] = []
    for size in SIZES:
        image = render(size)
        target = png_path(size, args.out)
        if args.check:
            problem = "missing" if not target.exists() else differs(image, QImage(str(target)))
            if problem:
                stale.append(f"{target.relative_to(args.out)}: {problem}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):  # PNG, from the name
            raise SystemExit(f"could not write {target}")
        print(f"wrote {target}")
    if stale:
        print("The icon PNGs do not match the master; run packaging/render_icons.py:")
        print("\n".join(f"  {line}" for line in stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
