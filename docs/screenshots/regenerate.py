"""Regenerate the README screenshots in this folder from the real app.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/screenshots/regenerate.py

(``QT_QPA_PLATFORM=offscreen`` works too, without Xvfb, and draws the same pixels.) It
takes about 25 seconds and writes, at twice the pixels (``--scale``) so that they stay
sharp on HiDPI screens:

- ``welcome.png``: the first run: no key in the environment, none in the keyring.
- ``window.png``: the window over an in-process sandbox: a prompt with four reference
  images in the composer, and a task list with tasks generating, done (with their
  images), failed, and one whose outcome is unknown.
- ``tasks.png``: the task panel of that window on its own.
- ``settings.png``: the Settings dialog of someone whose key is in the system keyring.

Nothing in the window is staged: every task is a real submission to a real sandbox server
over HTTP, followed by the real engine; the failures come from the sandbox's fault
switches, and the running tasks run because the sandbox was told to take an hour over
them. The reference images are files, drawn here with Pillow and dropped on the composer
as a file manager drops them. Profiles, library and keyring (an in-memory one, as a
working keyring that holds no key yet) are throwaway: nothing of yours is read or written.

The app uses the desktop's font. Xvfb has no desktop, so the pictures use Inter when it
is installed (Debian: ``apt-get install fonts-inter``), as a stand-in for the UI fonts
designers see on macOS and current Linux desktops; ``--font ""`` keeps Qt's default.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import keyring
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from PySide6.QtCore import QAbstractItemModel, QMimeData, QPointF, QSize, Qt, QUrl
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QFontDatabase,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import QApplication, QWidget

from nanobanana_desktop.api import ApiKey, GenerationRequest
from nanobanana_desktop.credentials import save_api_key
from nanobanana_desktop.engine.records import TaskState
from nanobanana_desktop.session import Session, SessionOptions
from nanobanana_desktop.ui.main_window import MainWindow
from nanobanana_desktop.ui.settings_dialog import SettingsDialog
from nanobanana_desktop.ui.translations import install_language

HERE = Path(__file__).resolve().parent
# The tests' in-memory keyring: one working keyring double for the tests and the pictures.
sys.path.insert(0, str(HERE.parents[1] / "tests"))
from keyring_double import MemoryKeyring  # noqa: E402 - found through the path set above

WINDOW_SIZE = (1360, 860)  # the height is then fitted to the task list
WELCOME_SIZE = (1040, 680)
LIBRARY = "Pictures/Nano Banana"  # under the throwaway folder, as under a home folder
SHOTS = ("welcome", "window", "tasks", "settings")

# ---------------------------------------------------------------- what the designer does

# The composer: the next round of a product shot, with its four references.
PROMPT = (
    "Product photo for the webshop hero: the terracotta vase from image 1 on a travertine "
    "plinth (the texture of image 2). Dappled window light and leaf shadows as in image 3, "
    "late afternoon. Colours from the palette in image 4.\n\n"
    "Calm, warm, minimal. 90 mm lens at eye level, soft fill from the right, a faint "
    "reflection on the plinth. No props, no text. Leave empty space on the left for a "
    "headline."
)
MODEL = "google/nano-banana-pro"


class Past(NamedTuple):
    """A task of the history. ``fate``: "done", "expired-reference" (its one reference
    link has gone), "with-references" (the four files, inline), "text-only" (the model
    answers in words) or "connection-lost" (the answer to the POST never arrives)."""

    prompt: str
    model: str = "google/gempix2"
    ratio: str | None = None
    size: str | None = None
    seconds: float = 8.0  # on the sandbox's server, once running
    images: int = 1
    fate: str = "done"


# Oldest first; the list shows it newest first.
HISTORY = (
    Past(
        "Isometric tiny greenhouse full of succulents, pastel palette, soft global illumination",
        model="google/nano-banana-pro",
        ratio="4:3",
        size="2K",
        seconds=16,
        images=2,
    ),
    Past(
        "Lookbook cover: the linen jacket from image 1 on a model in a sunlit courtyard, 35mm",
        ratio="2:3",
        seconds=7,
        fate="expired-reference",
    ),
    Past(
        "Poster for a riverside summer jazz night, two-colour risograph, bold condensed type",
        ratio="2:3",
        seconds=9,
        images=2,
    ),
    Past(
        "Neon sign that says OPEN in a rainy shop window, bokeh city lights",
        ratio="16:9",
        fate="connection-lost",
    ),
    Past(
        "Our three brand colour rules as a one-page style guide, swatches and short captions",
        seconds=6,
        fate="text-only",
    ),
    Past(
        "Terracotta vase on a travertine plinth, dappled window light, warm minimal palette",
        model=MODEL,
        ratio="1:1",
        size="2K",
        seconds=14,
        images=2,
        fate="with-references",
    ),
)
# The sandbox's placeholder images take their colours from the seed: 9 gives this history
# a varied set, warm where the prompts are.
SANDBOX_SEED = 9
RUNNING_SECONDS = 3600.0  # the composer's two tasks: still generating when the shot is taken


# ---------------------------------------------------------------- reference images


def _lerp(a: tuple[int, ...], b: tuple[int, ...], t: float) -> tuple[int, ...]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _ramp(stops: list[tuple[float, tuple[int, int, int]]], t: float) -> tuple[int, ...]:
    t = min(1.0, max(0.0, t))
    for (t0, c0), (t1, c1) in itertools.pairwise(stops):
        if t <= t1:
            return _lerp(c0, c1, (t - t0) / (t1 - t0))
    return stops[-1][1]


def _vertical(size: tuple[int, int], top: tuple[int, ...], bottom: tuple[int, ...]) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _grain(image: Image.Image, sigma: float, strength: float) -> Image.Image:
    noise = Image.effect_noise(image.size, sigma).convert("RGB")
    return Image.blend(image, ImageChops.overlay(image, noise), strength)


def draw_vase(s: int = 1600) -> Image.Image:
    """A terracotta vase on a studio sweep, lit from the left."""
    image = _vertical((s, s), (238, 229, 216), (220, 205, 188))
    floor = int(s * 0.70)
    image.paste(_vertical((s, s - floor), (206, 188, 166), (176, 153, 128)), (0, floor))
    image = image.filter(ImageFilter.GaussianBlur(3))
    cx, base, height = s // 2, int(s * 0.82), int(s * 0.58)

    def half_width(t: float) -> float:
        body = 0.045 + 0.165 * math.sin(math.pi * min(1.0, t / 0.80)) ** 0.75
        neck = 0.052 + 0.035 * max(0.0, (t - 0.88) / 0.12) ** 2
        if t < 0.70:
            return body * s
        k = min(1.0, (t - 0.70) / 0.18)
        k = k * k * (3 - 2 * k)
        return (body * (1 - k) + neck * k) * s

    steps = 160
    right = [(cx + half_width(i / steps), base - i / steps * height) for i in range(steps + 1)]
    left = [(cx - half_width(i / steps), base - i / steps * height) for i in range(steps + 1)]
    outline = right + left[::-1]
    shadow = Image.new("L", (s, s), 0)
    pen = ImageDraw.Draw(shadow)
    pen.polygon([(x + (base - y) * 1.1, base + (base - y) * 0.16) for x, y in outline], fill=110)
    pen.ellipse((cx - s * 0.16, base - s * 0.02, cx + s * 0.16, base + s * 0.02), fill=200)
    shadow = shadow.filter(ImageFilter.GaussianBlur(s * 0.018))
    image = Image.composite(Image.new("RGB", (s, s), (112, 86, 66)), image, shadow)
    mask = Image.new("L", (s, s), 0)
    ImageDraw.Draw(mask).polygon(outline, fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(1.5))
    x0, width = int(cx - 0.22 * s), int(0.44 * s)
    stops = [
        (0.0, (74, 40, 30)),
        (0.14, (148, 80, 54)),
        (0.32, (222, 146, 106)),
        (0.40, (236, 170, 132)),
        (0.52, (200, 116, 80)),
        (0.80, (120, 62, 42)),
        (1.0, (66, 36, 28)),
    ]
    row = Image.new("RGB", (width, 1))
    row.putdata([_ramp(stops, x / (width - 1)) for x in range(width)])
    body = row.resize((width, s), Image.Resampling.BILINEAR)
    body = ImageChops.multiply(body, _vertical((width, s), (255,) * 3, (150,) * 3))
    layer = Image.new("RGB", (s, s))
    layer.paste(body, (x0, 0))
    image = Image.composite(layer, image, mask)
    top, rim = base - height, half_width(1.0)
    ImageDraw.Draw(image).ellipse(
        (cx - rim, top - rim * 0.24, cx + rim, top + rim * 0.24),
        fill=(58, 32, 24),
        outline=(226, 160, 124),
        width=6,
    )
    return _grain(image, 40, 0.25)


def draw_travertine(s: int = 1600) -> Image.Image:
    """Travertine: warm bands, fine horizontal veins and the stone's pores."""
    rng = random.Random(7)  # noqa: S311 - a texture, not a secret
    image = _vertical((s, s), (228, 214, 194), (214, 196, 172))
    bands = Image.effect_noise((4, s // 10), 60).resize((s, s), Image.Resampling.BICUBIC)
    bands = bands.filter(ImageFilter.GaussianBlur(4)).point(lambda v: max(0, v - 110) * 2)
    image = Image.composite(Image.new("RGB", (s, s), (196, 170, 138)), image, bands)
    veins = Image.effect_noise((s // 40, s // 3), 80).resize((s, s), Image.Resampling.BICUBIC)
    veins = veins.point(lambda v: max(0, v - 150) * 2)
    image = Image.composite(Image.new("RGB", (s, s), (240, 230, 214)), image, veins)
    pores = Image.new("L", (s, s), 0)
    pen = ImageDraw.Draw(pores)
    for _ in range(900):
        x, y = rng.uniform(0, s), rng.uniform(0, s)
        pen.ellipse(
            (x, y, x + rng.uniform(4, 34), y + rng.uniform(2, 7)), fill=rng.randint(90, 200)
        )
    pores = pores.filter(ImageFilter.GaussianBlur(1.6))
    image = Image.composite(Image.new("RGB", (s, s), (150, 122, 92)), image, pores)
    return _grain(image, 30, 0.3)


def draw_window_light(s: int = 1600) -> Image.Image:
    """Late sun through a window onto a plaster wall, with the shadow of a branch."""
    rng = random.Random(3)  # noqa: S311 - a texture, not a secret
    wall = _vertical((s, s), (222, 196, 168), (196, 160, 128))
    light = Image.new("L", (s, s), 0)
    pen = ImageDraw.Draw(light)
    for i in range(2):
        for j in range(2):
            x, y = s * (0.12 + 0.30 * i) + s * 0.056 * j, s * (0.08 + 0.36 * j)
            w, h, skew = s * 0.26, s * 0.32, s * 0.16
            pen.polygon([(x + skew, y), (x + w + skew, y), (x + w, y + h), (x, y + h)], fill=255)
    light = light.filter(ImageFilter.GaussianBlur(s * 0.008))
    leaves = Image.new("L", (s, s), 0)
    pen = ImageDraw.Draw(leaves)
    for _ in range(70):
        cx, cy = rng.uniform(0.0, 0.75) * s, rng.uniform(-0.05, 0.55) * s
        r = rng.uniform(0.015, 0.05) * s
        pen.ellipse((cx - r * 1.6, cy - r * 0.7, cx + r * 1.6, cy + r * 0.7), fill=255)
    pen.line([(0, s * 0.05), (s * 0.7, s * 0.42)], fill=255, width=int(s * 0.008))
    leaves = leaves.rotate(-18, resample=Image.Resampling.BICUBIC)
    leaves = leaves.filter(ImageFilter.GaussianBlur(s * 0.006))
    light = ImageChops.subtract(light, leaves.point(lambda v: v * 0.85))
    image = Image.composite(
        Image.new("RGB", (s, s), (255, 236, 204)), wall, light.point(lambda v: v * 0.8)
    )
    corners = Image.radial_gradient("L").resize((s, s)).point(lambda v: max(0, v - 120))
    image = Image.composite(Image.new("RGB", (s, s), (150, 112, 84)), image, corners)
    return _grain(image, 30, 0.25)


def draw_palette(s: int = 1600) -> Image.Image:
    """A colour palette card, as designers export them."""
    image = Image.new("RGB", (s, s), (246, 243, 237))
    pen = ImageDraw.Draw(image)
    colours = [
        ("Clay", (196, 112, 76)),
        ("Sand", (226, 201, 164)),
        ("Sage", (150, 164, 132)),
        ("Olive", (92, 98, 64)),
        ("Ink", (44, 42, 46)),
    ]
    margin, gap = int(s * 0.08), int(s * 0.02)
    width = (s - 2 * margin - (len(colours) - 1) * gap) / len(colours)
    name_font = _font(["Inter-Medium.otf", "DejaVuSans.ttf"], int(s * 0.032))
    code_font = _font(["Inter-Regular.otf", "DejaVuSansMono.ttf"], int(s * 0.024))
    for index, (name, rgb) in enumerate(colours):
        x = margin + index * (width + gap)
        pen.rounded_rectangle((x, margin, x + width, s * 0.74), radius=int(s * 0.02), fill=rgb)
        pen.text((x, s * 0.78), name, fill=(40, 38, 36), font=name_font)
        pen.text(
            (x, s * 0.83), "#{:02X}{:02X}{:02X}".format(*rgb), fill=(120, 114, 106), font=code_font
        )
    return image


def _font(names: list[str], size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in names:
        for folder in ("/usr/share/fonts/opentype/inter", "/usr/share/fonts/truetype/dejavu"):
            try:
                return ImageFont.truetype(str(Path(folder) / name), size)
            except OSError:
                continue
    return ImageFont.load_default(size)


def write_references(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        (draw_vase, "vase.jpg"),
        (draw_travertine, "stone.jpg"),
        (draw_window_light, "light.jpg"),
        (draw_palette, "palette.png"),
    ]
    paths = []
    for draw, name in files:
        path = folder / name
        image = draw()
        if name.endswith(".png"):
            image.save(path, optimize=True)
        else:
            image.save(path, quality=88)
        paths.append(path)
    return paths


# ---------------------------------------------------------------- waiting on real state


async def until(what: str, condition: Callable[[], bool], model: QAbstractItemModel) -> None:
    """Until ``condition()`` holds, checked each time ``model`` says that it changed."""
    changed = asyncio.Event()
    signals = (model.dataChanged, model.rowsInserted, model.rowsRemoved, model.modelReset)
    for signal in signals:
        signal.connect(changed.set)
    try:
        async with asyncio.timeout(60):
            while not condition():
                changed.clear()
                await changed.wait()
    except TimeoutError:
        raise TimeoutError(f"gave up waiting for {what}") from None
    finally:
        for signal in signals:
            signal.disconnect(changed.set)


async def settle(window: MainWindow) -> None:
    """Paint, let every thumbnail that painting asked for load, and paint again."""
    for _ in range(3):
        window.grab()
        await window.thumbnails.wait_idle()
        await window.composer.references.wait_idle()
        await asyncio.sleep(0.1)
        QApplication.processEvents()


def save(widget: QWidget, path: Path, margin: int = 0) -> None:
    """``widget`` as it is on screen; ``margin``: a border of the window's background."""
    QApplication.processEvents()
    pixmap: QPixmap = widget.grab()
    if margin:
        ratio = pixmap.devicePixelRatio()
        framed = QPixmap((pixmap.deviceIndependentSize() + QSize(2, 2) * margin).toSize() * ratio)
        framed.setDevicePixelRatio(ratio)
        framed.fill(widget.palette().color(QPalette.ColorRole.Window))
        painter = QPainter(framed)
        painter.drawPixmap(margin, margin, pixmap)
        painter.end()
        pixmap = framed
    if not pixmap.save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"wrote {path} ({pixmap.width()}x{pixmap.height()})")


@contextmanager
def environment(home: Path) -> Iterator[None]:
    """A working, empty keyring, no key, profile or library from the environment, and
    ``home`` as the home folder (Settings shows the library as ``~/Pictures/…``)."""
    saved = {
        name: os.environ.pop(name, None)
        for name in ("NANOBANANA_API_KEY", "NANOBANANA_PROFILE", "NANOBANANA_LIBRARY", "HOME")
    }
    os.environ["HOME"] = str(home)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)
        os.environ.pop("HOME", None)
        for name, value in saved.items():
            if value is not None:
                os.environ[name] = value


# ---------------------------------------------------------------- the shots


async def shoot_welcome(root: Path, out: Path) -> None:
    """A first start: no key anywhere, so the window opens on the welcome panel."""
    session = await Session.open(
        SessionOptions(profile=str(root / "first-run"), library=str(root / LIBRARY))
    )
    assert session.engine is None, "a key was found: the welcome panel would not show"
    window = MainWindow(session)
    window.resize(*WELCOME_SIZE)
    window.show()
    window.activateWindow()  # as a desktop does: the key field shows its focus
    window.start()
    await window.tasks_loaded.wait()
    await window.credit_loaded.wait()
    await asyncio.sleep(0.2)
    save(window, out / "welcome.png")
    window.hide()
    await window.stop()
    await session.close()


async def submit_history(session: Session, references: list[Path]) -> list[int]:
    """Every task of HISTORY, sent as the engine sends any task."""
    engine, sandbox = session.engine, session.sandbox
    assert engine is not None and sandbox is not None
    config = sandbox.config
    config.seed = SANDBOX_SEED
    inline = tuple(_data_uri(path) for path in references)
    expired = sandbox.cdn_url + "/shared/linen-jacket.jpg"  # a link nobody serves any more
    ids = []
    for past in HISTORY:
        config.in_progress_seconds = past.seconds
        config.images_per_task = past.images
        refs: tuple[str, ...] = ()
        if past.fate == "expired-reference":
            refs = (expired,)
        elif past.fate == "with-references":
            refs = inline
        elif past.fate == "text-only":
            config.faults.text_only.count = 1
        elif past.fate == "connection-lost":
            # Endpoints first: a poll of another task must not take the fault.
            config.faults.drop_connection.endpoints = frozenset({"gen"})
            config.faults.drop_connection.count = 1
        request = GenerationRequest(past.model, past.prompt, refs, past.ratio, past.size)
        task = await engine.submit(request)
        ids.append(task.id)
        # The sandbox reads images_per_task as the task starts, on its own loop: after one
        # round trip through that loop the next task's settings cannot leak into this one.
        await asyncio.to_thread(sandbox.call, lambda: None)
    return ids


def _data_uri(path: Path) -> str:
    mime = "image/png" if path.suffix == ".png" else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def drop_files(window: MainWindow, paths: list[Path]) -> None:
    """What a file manager's drop of these files on the first slot delivers: Qt sends a
    drag-enter, then the drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    slot = window.composer.references.slots[0]
    position = QPointF(slot.width() / 2, slot.height() / 2)
    action, button = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    modifiers = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(position, action, mime, button, modifiers)
    QApplication.sendEvent(slot, enter)
    if not enter.isAccepted():
        raise RuntimeError("the reference slot refused the drag")
    QApplication.sendEvent(slot, QDropEvent(position, action, mime, button, modifiers))


def fit_list(window: MainWindow) -> None:
    """Make the window just tall enough for every card: no half card at the bottom."""
    view = window.task_panel.view
    rows = view.model().rowCount()
    needed = sum(view.sizeHintForRow(row) for row in range(rows))
    missing = needed - view.viewport().height()
    window.resize(window.width(), window.height() + missing)
    QApplication.processEvents()


async def shoot_window(root: Path, out: Path, wanted: set[str]) -> None:
    references = write_references(root / "moodboard")
    session = await Session.open(
        SessionOptions(use_sandbox=True, profile=str(root / "profile"), library=str(root / LIBRARY))
    )
    engine, sandbox = session.engine, session.sandbox
    assert engine is not None and sandbox is not None
    await engine.start()
    window = MainWindow(session)
    window.resize(*WINDOW_SIZE)
    window.show()
    window.start()
    await window.tasks_loaded.wait()

    history = await submit_history(session, references)

    # The designer's next round, through the composer, as a person would do it.
    composer = window.composer
    composer.prompt.setPlainText(PROMPT)
    composer.model.setCurrentText(MODEL)
    composer.aspect_ratio.setCurrentText("4:5")
    composer.image_size.setCurrentText("2K")
    composer.variations.setValue(2)
    drop_files(window, references)
    await composer.references.wait_idle()
    if any(slot.reference is None for slot in composer.references.slots):
        errors = [slot.error for slot in composer.references.slots]
        raise RuntimeError(f"a reference did not load: {errors}")
    sandbox.config.in_progress_seconds = RUNNING_SECONDS
    before = window.tasks.rowCount()
    composer.submit()
    await until(
        "the composer's two tasks", lambda: window.tasks.rowCount() == before + 2, window.tasks
    )
    running = [window.tasks.task_at(row).id for row in range(2)]

    def state(local_id: int) -> TaskState | None:
        row = window.tasks.row_of(local_id)
        return None if row is None else window.tasks.task_at(row).state

    for local_id in history:
        await engine.wait(local_id)
    await until(
        "the list to show every finished task",
        lambda: all((state(i) or TaskState.PENDING).is_final for i in history),
        window.tasks,
    )
    await until(
        "the composer's tasks to be generating",
        lambda: all(state(i) is TaskState.IN_PROGRESS for i in running),
        window.tasks,
    )
    window.task_panel.select_task(history[-1])
    window.task_panel.view.setFocus()
    composer.prompt.moveCursor(composer.prompt.textCursor().MoveOperation.End)
    fit_list(window)
    await settle(window)
    # The clocks of running tasks tick once a second: shoot just after a tick.
    await asyncio.sleep(1.05 - time.time() % 1.0)
    await settle(window)
    if "window" in wanted:
        save(window, out / "window.png")
    if "tasks" in wanted:
        save(window.task_panel, out / "tasks.png", margin=16)
    for row in reversed(range(window.tasks.rowCount())):
        task = window.tasks.task_at(row)
        print(f"  task {task.id}: {task.state.value:<16} {task.prompt[:56]}")
    window.hide()
    await window.stop()
    await session.close()


async def shoot_settings(root: Path, out: Path) -> None:
    """Settings as a designer with an account sees them: a key in the system keyring.

    Opening the dialog sends nothing: the key is only checked when Test is pressed.
    """
    save_api_key(ApiKey("dk-" + "7f3a9c" * 6))
    session = await Session.open(
        SessionOptions(profile=str(root / "account"), library=str(root / LIBRARY))
    )
    assert session.key_source == "keyring", session.key_source
    dialog = SettingsDialog(session)
    dialog.open()
    await dialog.settle()
    await asyncio.sleep(0.2)
    save(dialog, out / "settings.png")
    dialog.close()
    await dialog.aclose()
    await session.close()


async def main(out: Path, wanted: set[str]) -> None:
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(6))
    with tempfile.TemporaryDirectory(prefix="nb-") as tmp:
        root = Path(tmp)
        with environment(root):
            if "welcome" in wanted:
                await shoot_welcome(root, out)
            if wanted & {"window", "tasks"}:
                await shoot_window(root, out, wanted)
            if "settings" in wanted:
                await shoot_settings(root, out)


def run(argv: list[str] | None = None) -> int:
    import qasync

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the PNGs")
    parser.add_argument(
        "--only", default=",".join(SHOTS), help=f"comma-separated subset of {', '.join(SHOTS)}"
    )
    parser.add_argument("--font", default="Inter", help="UI font family, if installed")
    parser.add_argument("--font-size", type=float, default=10.0, help="UI font size in points")
    parser.add_argument(
        "--scale",
        type=float,
        default=2.0,
        help="device pixels per pixel: 2 (the default) stays sharp on HiDPI screens",
    )
    args = parser.parse_args(argv)
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = wanted - set(SHOTS)
    if unknown:
        parser.error(f"unknown shots: {', '.join(sorted(unknown))}")
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["QT_SCALE_FACTOR"] = f"{args.scale:g}"  # read when the QApplication is made
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Nano Banana Desktop")
    app.setOrganizationName("Nano Banana")
    app.setQuitOnLastWindowClosed(False)  # closing one shot's window must not end the run
    install_language(app, "en")
    if args.font and args.font in QFontDatabase.families():
        app.setFont(QFont(args.font, args.font_size))
    elif args.font:
        print(f"font {args.font!r} is not installed; using {app.font().family()}")
    qasync.run(main(args.out, wanted))
    return 0


if __name__ == "__main__":
    sys.exit(run())
