"""Placeholder images for the offline sandbox.

The sandbox never calls a real model, so successful tasks return a deterministic,
good-looking "mesh gradient" that is unmistakably marked as sandbox output: a
SANDBOX badge, a caption with the prompt and model id, and the reference images
the request carried, drawn as small polaroid cards.

Everything expensive happens on a tiny canvas that is blurred and then upscaled;
full-resolution work is limited to one resize, a tiled grain pass and the small
regions the overlays cover, which keeps a 1K render in the tens of milliseconds.
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import math
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageFont

__all__ = [
    "ASPECT_RATIOS",
    "BADGE_FILL",
    "IMAGE_SIZES",
    "badge_box",
    "draw_badge",
    "output_size",
    "render_image",
    "wrap_text",
]

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

# Pixel sizes of the real Gemini image models at 1K; 2K and 4K are exact multiples.
_BASE_SIZES: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024),
    "2:3": (848, 1264),
    "3:2": (1264, 848),
    "3:4": (896, 1200),
    "4:3": (1200, 896),
    "4:5": (928, 1152),
    "5:4": (1152, 928),
    "9:16": (768, 1376),
    "16:9": (1376, 768),
    "21:9": (1584, 672),
}
_SIZE_SCALES: dict[str, int] = {"1K": 1, "2K": 2, "4K": 4}

ASPECT_RATIOS: tuple[str, ...] = tuple(_BASE_SIZES)
IMAGE_SIZES: tuple[str, ...] = tuple(_SIZE_SCALES)

# Banana yellow: loud enough to be noticed on any gradient, and on-brand.
BADGE_FILL: RGB = (255, 214, 41)
_BADGE_INK: RGB = (33, 27, 6)
_BADGE_TEXT = "SANDBOX"

_PANEL_FILL: RGB = (12, 14, 22)
_PANEL_ALPHA = 0.62  # dark enough for white text to stay readable on pure white
_TEXT_FILL: RGB = (255, 255, 255)
_MUTED_FILL: RGB = (196, 201, 214)
_CARD_FILL: RGB = (250, 250, 247)

# The bundled Aileron font has neither "×" nor "—"; these two glyphs it does have.
_ELLIPSIS = "…"
_SEPARATOR = "  ·  "

_MAX_SIDE = 16384  # far above 4K 21:9; stops accidental multi-gigabyte allocations
_CANVAS_LONG_SIDE = 144
_SUPERSAMPLE = 4
_GRAIN_TILE = 256
_GRAIN_AMPLITUDE = 3

_RESAMPLE = Image.Resampling.BICUBIC


# --------------------------------------------------------------------------- sizes


def output_size(aspect_ratio: str | None, image_size: str | None) -> tuple[int, int]:
    """Pixel size the real Gemini image models produce.

    ``None`` or ``"auto"`` aspect ratio means 1:1 and ``None`` image size means 1K.
    Image size is case-insensitive ("1k", "2K", ...). Unknown values raise ValueError.
    """
    ratio = _normalise_ratio(aspect_ratio)
    scale = _normalise_scale(image_size)
    width, height = _BASE_SIZES[ratio]
    return width * scale, height * scale


def _normalise_ratio(aspect_ratio: str | None) -> str:
    if aspect_ratio is None:
        return "1:1"
    if not isinstance(aspect_ratio, str):
        raise ValueError(f"aspect ratio must be a string, got {aspect_ratio!r}")
    if aspect_ratio.lower() == "auto":
        return "1:1"
    if aspect_ratio not in _BASE_SIZES:
        allowed = ", ".join(ASPECT_RATIOS)
        raise ValueError(f"unsupported aspect ratio {aspect_ratio!r}; expected one of {allowed}")
    return aspect_ratio


def _normalise_scale(image_size: str | None) -> int:
    if image_size is None:
        return 1
    if not isinstance(image_size, str):
        raise ValueError(f"image size must be a string, got {image_size!r}")
    scale = _SIZE_SCALES.get(image_size.upper())
    if scale is None:
        allowed = ", ".join(IMAGE_SIZES)
        raise ValueError(f"unsupported image size {image_size!r}; expected one of {allowed}")
    return scale


# -------------------------------------------------------------------------- render


def render_image(
    *,
    prompt: str,
    seed: int,
    width: int,
    height: int,
    references: Sequence[Image.Image] = (),
    model: str = "",
    fmt: str = "PNG",
) -> bytes:
    """Render the sandbox placeholder and return it encoded as PNG or JPEG.

    The result depends only on the arguments, byte for byte, so sandbox runs are
    reproducible; the background depends on ``prompt`` and ``seed`` only.
    """
    _check_dimensions(width, height)
    encoder = _encoder_for(fmt)
    rng = _seeded_rng(prompt, seed)
    image = _background(rng, width, height)
    _add_grain(image, rng)
    badge = draw_badge(image)
    _draw_references(image, references, rng, avoid=badge)
    _draw_caption(image, prompt=prompt, model=model, seed=seed)
    return encoder(image)


def _check_dimensions(width: int, height: int) -> None:
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an int, got {value!r}")
        if not 1 <= value <= _MAX_SIDE:
            raise ValueError(f"{name} must be between 1 and {_MAX_SIDE}, got {value}")


def _encoder_for(fmt: str) -> Callable[[Image.Image], bytes]:
    name = fmt.upper() if isinstance(fmt, str) else ""
    if name == "PNG":
        return _encode_png
    if name in ("JPEG", "JPG"):
        return _encode_jpeg
    raise ValueError(f"unsupported format {fmt!r}; expected 'PNG' or 'JPEG'")


def _encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # Level 1 is several times faster than the default 6 and only ~10% larger here.
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _encode_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _seeded_rng(prompt: str, seed: int) -> random.Random:
    # hash() is salted per process, so only a cryptographic digest gives the same
    # picture in every run; "surrogatepass" keeps malformed prompts hashable.
    material = f"{seed}\x00{prompt}".encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(material).digest()
    return random.Random(int.from_bytes(digest, "big"))  # noqa: S311 - art, not security


# ---------------------------------------------------------------------- background


@dataclass(frozen=True)
class _Mood:
    base_value: float
    blob_values: tuple[float, float]
    saturation: tuple[float, float]
    hue_span: float


_MOODS: tuple[_Mood, ...] = (
    # Night: bright aurora ribbons over a deep, nearly black sky.
    _Mood(base_value=0.16, blob_values=(0.7, 1.0), saturation=(0.6, 0.9), hue_span=0.28),
    # Day: vivid mesh gradient, the classic product-page look.
    _Mood(base_value=0.9, blob_values=(0.82, 1.0), saturation=(0.45, 0.8), hue_span=0.38),
    # Pastel: airy and light, still clearly coloured.
    _Mood(base_value=0.97, blob_values=(0.9, 1.0), saturation=(0.25, 0.5), hue_span=0.45),
)
_MOOD_WEIGHTS = (3, 5, 2)


def _hsv(hue: float, saturation: float, value: float) -> RGB:
    red, green, blue = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return round(red * 255), round(green * 255), round(blue * 255)


def _canvas_size(width: int, height: int) -> tuple[int, int]:
    scale = _CANVAS_LONG_SIDE / max(width, height)
    return max(8, round(width * scale)), max(8, round(height * scale))


@dataclass(frozen=True)
class _Palette:
    mood: _Mood
    base_hue: float
    angle: float

    def hue_at(self, x: float, y: float) -> float:
        """Hue for a point of the unit square.

        Hue follows position along one direction, so blobs that blur into each
        other are always close on the colour wheel and never mix into mud.
        """
        along = (x - 0.5) * math.cos(self.angle) + (y - 0.5) * math.sin(self.angle)
        return self.base_hue + self.mood.hue_span * (0.5 + 0.5 * along)

    def colour_at(self, rng: random.Random, x: float, y: float) -> RGB:
        return _hsv(
            self.hue_at(x, y) + rng.uniform(-0.03, 0.03),
            rng.uniform(*self.mood.saturation),
            rng.uniform(*self.mood.blob_values),
        )


def _background(rng: random.Random, width: int, height: int) -> Image.Image:
    mood = rng.choices(_MOODS, weights=_MOOD_WEIGHTS)[0]
    palette = _Palette(mood, base_hue=rng.random(), angle=rng.uniform(0, math.tau))
    size = _canvas_size(width, height)
    base = _hsv(palette.hue_at(0.5, 0.5), rng.uniform(0.35, 0.7), mood.base_value)
    canvas = Image.new("RGB", size, base)
    night = mood is _MOODS[0]
    _paint_blobs(canvas, rng, palette, count=rng.randint(2, 4) if night else rng.randint(5, 8))
    if night:
        _paint_ribbons(canvas, rng, palette)
    canvas = canvas.filter(ImageFilter.GaussianBlur(max(size) * 0.11))
    canvas = ImageEnhance.Color(canvas).enhance(1.18)
    _paint_orbs(canvas, rng)
    canvas = _vignette(canvas, strength=0.32 if night else 0.16)
    return canvas.resize((width, height), _RESAMPLE)


def _paint_blobs(canvas: Image.Image, rng: random.Random, palette: _Palette, count: int) -> None:
    draw = ImageDraw.Draw(canvas)
    width, height = canvas.size
    for _ in range(count):
        x, y = rng.uniform(-0.1, 1.1), rng.uniform(-0.1, 1.1)
        radius_x = rng.uniform(0.18, 0.42) * width
        radius_y = rng.uniform(0.18, 0.42) * height
        colour = palette.colour_at(rng, x, y)
        cx, cy = x * width, y * height
        draw.ellipse((cx - radius_x, cy - radius_y, cx + radius_x, cy + radius_y), fill=colour)


def _paint_ribbons(canvas: Image.Image, rng: random.Random, palette: _Palette) -> None:
    draw = ImageDraw.Draw(canvas)
    width, height = canvas.size
    for _ in range(rng.randint(2, 3)):
        y0 = rng.uniform(0.2, 0.75)
        amplitude = rng.uniform(0.06, 0.16)
        frequency = rng.uniform(0.8, 1.8)
        phase = rng.uniform(0, math.tau)
        points = [
            (t * width, (y0 + amplitude * math.sin(frequency * math.tau * t + phase)) * height)
            for t in (i / 24 for i in range(-2, 27))
        ]
        colour = palette.colour_at(rng, 0.5, y0)
        thickness = max(2, round(rng.uniform(0.06, 0.12) * min(width, height)))
        draw.line(points, fill=colour, width=thickness, joint="curve")


def _paint_orbs(canvas: Image.Image, rng: random.Random) -> None:
    # A few soft translucent discs give the flat gradient some depth, like bokeh.
    width, height = canvas.size
    layer = Image.new("L", canvas.size, 0)
    draw = ImageDraw.Draw(layer)
    for _ in range(rng.randint(2, 4)):
        radius = rng.uniform(0.05, 0.16) * min(width, height) * 2
        cx, cy = rng.uniform(0.05, 0.95) * width, rng.uniform(0.05, 0.95) * height
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=rng.randint(40, 80))
    layer = layer.filter(ImageFilter.GaussianBlur(1.2))
    canvas.paste((255, 255, 255), (0, 0), layer)


def _vignette(canvas: Image.Image, strength: float) -> Image.Image:
    radial = Image.radial_gradient("L").resize(canvas.size, _RESAMPLE)
    # Only the outer part darkens; the centre keeps the palette's own brightness.
    mask = radial.point(lambda v: max(0, v - 110) * strength * 255 / 145 if v > 110 else 0)
    canvas.paste((0, 0, 0), (0, 0), mask)
    return canvas


def _add_grain(image: Image.Image, rng: random.Random) -> None:
    # Upscaled 8-bit gradients band visibly; a little film grain hides that. A
    # tiled noise patch is as convincing as full-frame noise at a fraction of the cost.
    span = 2 * _GRAIN_AMPLITUDE + 1
    tile = Image.frombytes("L", (_GRAIN_TILE, _GRAIN_TILE), rng.randbytes(_GRAIN_TILE**2))
    tile = tile.point(lambda v: v * span // 256)
    noise = Image.new("L", image.size)
    for top in range(0, image.height, _GRAIN_TILE):
        for left in range(0, image.width, _GRAIN_TILE):
            noise.paste(tile, (left, top))
    grain = Image.merge("RGB", (noise, noise, noise))
    image.paste(ImageChops.add(image, grain, 1.0, -_GRAIN_AMPLITUDE))


# ------------------------------------------------------------------------ overlays


@functools.lru_cache(maxsize=32)
def _font(size: int) -> Font:
    return ImageFont.load_default(size=max(1, size))


def _short_side(image: Image.Image) -> int:
    return min(image.size)


def _margin(width: int, height: int) -> int:
    return max(2, round(min(width, height) * 0.035))


def _rounded_mask(size: tuple[int, int], radius: float, opacity: float = 1.0) -> Image.Image:
    """An anti-aliased rounded-rectangle mask (ImageDraw alone gives jagged corners)."""
    width, height = size
    big = Image.new("L", (width * _SUPERSAMPLE, height * _SUPERSAMPLE), 0)
    ImageDraw.Draw(big).rounded_rectangle(
        (0, 0, big.width - 1, big.height - 1),
        radius=radius * _SUPERSAMPLE,
        fill=round(255 * opacity),
    )
    return big.reduce(_SUPERSAMPLE)


def _drop_shadow(
    image: Image.Image,
    mask: Image.Image,
    origin: tuple[int, int],
    blur: float,
    opacity: float,
) -> None:
    pad = math.ceil(blur * 2.5)
    spread = Image.new("L", (mask.width + 2 * pad, mask.height + 2 * pad), 0)
    spread.paste(mask, (pad, pad))
    spread = spread.filter(ImageFilter.GaussianBlur(blur))
    spread = spread.point(lambda v: round(v * opacity))
    offset = max(1, round(blur * 0.5))
    image.paste((0, 0, 0), (origin[0] - pad, origin[1] - pad + offset), spread)


def _badge_metrics(width: int, height: int) -> tuple[int, int, int]:
    """Font size, pill height and horizontal padding of the badge."""
    font_size = max(6, round(min(width, height) * 0.021))
    pill_height = round(font_size * 2.0)
    return font_size, pill_height, round(font_size * 0.9)


def _tracked_width(text: str, font: Font, tracking: float) -> float:
    return sum(font.getlength(char) for char in text) + tracking * (len(text) - 1)


def badge_box(width: int, height: int) -> Box:
    """Where :func:`draw_badge` puts the SANDBOX pill, as ``(left, top, right, bottom)``."""
    font_size, pill_height, padding = _badge_metrics(width, height)
    font = _font(font_size)
    dot = pill_height * 0.28
    text_width = _tracked_width(_BADGE_TEXT, font, font_size * 0.14)
    pill_width = round(padding * 2 + dot + padding * 0.6 + text_width)
    margin = _margin(width, height)
    return margin, margin, margin + pill_width, margin + pill_height


def draw_badge(image: Image.Image) -> Box:
    """Draw the SANDBOX pill in the top-left corner of ``image`` and return its box."""
    box = badge_box(image.width, image.height)
    left, top, right, bottom = box
    font_size, pill_height, padding = _badge_metrics(image.width, image.height)
    mask = _rounded_mask((right - left, bottom - top), radius=pill_height / 2)
    _drop_shadow(image, mask, (left, top), blur=pill_height * 0.22, opacity=0.35)
    image.paste(BADGE_FILL, (left, top), mask)
    draw = ImageDraw.Draw(image)
    dot = pill_height * 0.28
    centre_y = (top + bottom) / 2
    dot_left = left + padding
    draw.ellipse(
        (dot_left, centre_y - dot / 2, dot_left + dot, centre_y + dot / 2),
        fill=_BADGE_INK,
    )
    font = _font(font_size)
    tracking = font_size * 0.14
    x = dot_left + dot + padding * 0.6
    for char in _BADGE_TEXT:
        draw.text((x, centre_y), char, font=font, fill=_BADGE_INK, anchor="lm")
        x += font.getlength(char) + tracking
    return box


# ------------------------------------------------------------------------- caption


def _display_text(text: str) -> str:
    """Make arbitrary user text safe to hand to FreeType, on one logical line."""
    chars: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char.isspace():
            chars.append(" ")
        elif category == "Cs":
            chars.append("\ufffd")  # lone surrogates cannot be encoded for FreeType
        elif not category.startswith("C"):
            chars.append(char)
    return " ".join("".join(chars).split())


def _longest_prefix(text: str, fits: Callable[[str], bool], minimum: int) -> int:
    """Largest ``n >= minimum`` with ``fits(text[:n])``, by binary search."""
    low, high = minimum, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


def _ellipsize(line: str, fits: Callable[[str], bool]) -> str:
    keep = _longest_prefix(line, lambda prefix: fits(prefix.rstrip() + _ELLIPSIS), 0)
    return line[:keep].rstrip() + _ELLIPSIS


def wrap_text(text: str, fits: Callable[[str], bool], max_lines: int) -> list[str]:
    """Greedy word wrap into at most ``max_lines`` lines, ending in "…" if cut short."""
    if max_lines < 1:
        raise ValueError("max_lines must be at least 1")
    words = text.split(" ") if text else []
    lines: list[str] = []
    current = ""
    index = 0
    while index < len(words) and len(lines) < max_lines:
        word = words[index]
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current, index = candidate, index + 1
        elif current:
            lines.append(current)
            current = ""
        else:
            # One character per line at worst, so an unbreakable word still ends.
            cut = _longest_prefix(word, fits, 1)
            lines.append(word[:cut])
            words[index] = word[cut:]
    if current and len(lines) < max_lines:
        lines.append(current)
        current = ""
    if index < len(words) or current:
        lines[-1] = _ellipsize(lines[-1], fits)
    return lines


def _fits(font: Font, max_width: float) -> Callable[[str], bool]:
    return lambda text: font.getlength(text) <= max_width


@dataclass(frozen=True)
class _Caption:
    prompt_lines: list[str]
    meta: str
    prompt_font: Font
    meta_font: Font
    line_height: int
    meta_height: int
    padding: int


def _layout_caption(image: Image.Image, prompt: str, model: str, seed: int) -> _Caption:
    short = _short_side(image)
    prompt_size = max(6, round(short * 0.026))
    meta_size = max(5, round(short * 0.018))
    padding = max(2, round(prompt_size * 0.8))
    max_width = image.width - 2 * _margin(*image.size) - 2 * padding
    prompt_font, meta_font = _font(prompt_size), _font(meta_size)
    fits = _fits(prompt_font, max_width)
    text = _display_text(prompt)
    # Nothing past this many characters can fit in three lines, so wrapping a
    # 10,000-character prompt costs the same as wrapping a short one.
    limit = 3 * math.ceil(max_width / max(1.0, prompt_size * 0.15)) + 2
    lines = wrap_text(text[:limit] + (" " + _ELLIPSIS if len(text) > limit else ""), fits, 3)
    lines = lines or ["(empty prompt)"]
    meta_parts = [_display_text(model) or "unknown model", f"seed {seed}"]
    meta_parts.append(f"{image.width}x{image.height}")
    meta = wrap_text(_SEPARATOR.join(meta_parts), _fits(meta_font, max_width), 1)[0]
    return _Caption(
        prompt_lines=lines,
        meta=meta,
        prompt_font=prompt_font,
        meta_font=meta_font,
        line_height=round(prompt_size * 1.32),
        meta_height=round(meta_size * 1.4),
        padding=padding,
    )


def _draw_caption(image: Image.Image, *, prompt: str, model: str, seed: int) -> None:
    caption = _layout_caption(image, prompt, model, seed)
    widths = [caption.prompt_font.getlength(line) for line in caption.prompt_lines]
    widths.append(caption.meta_font.getlength(caption.meta))
    margin = _margin(*image.size)
    panel_width = min(math.ceil(max(widths)) + 2 * caption.padding, image.width - 2 * margin)
    text_height = caption.line_height * len(caption.prompt_lines) + caption.meta_height
    panel_height = text_height + round(caption.padding * 1.7)
    left, top = margin, image.height - margin - panel_height
    if panel_width < 1 or panel_height < 1 or top < 0:
        return  # too small an image for a readable caption
    mask = _rounded_mask((panel_width, panel_height), caption.padding, _PANEL_ALPHA)
    image.paste(_PANEL_FILL, (left, top), mask)
    _draw_caption_text(image, caption, left + caption.padding, top + round(caption.padding * 0.85))


def _draw_caption_text(image: Image.Image, caption: _Caption, x: int, y: int) -> None:
    draw = ImageDraw.Draw(image)
    empty = caption.prompt_lines == ["(empty prompt)"]
    for line in caption.prompt_lines:
        fill = _MUTED_FILL if empty else _TEXT_FILL
        draw.text((x, y), line, font=caption.prompt_font, fill=fill, anchor="la")
        y += caption.line_height
    y += round(caption.line_height * 0.12)
    draw.text((x, y), caption.meta, font=caption.meta_font, fill=_MUTED_FILL, anchor="la")


# ---------------------------------------------------------------------- references


_HIGH_BIT_DEPTH = frozenset({"I", "F", "I;16", "I;16L", "I;16B", "I;16N"})
_RESIZABLE = frozenset({"RGB", "RGBA", "L", "LA", "CMYK", "YCbCr"})


def _stretch_to_grey(image: Image.Image) -> Image.Image:
    # 16-bit and float data would clip to white if converted to 8 bits directly.
    image = image.convert("F")
    low, high = (float(value) for value in image.getextrema())  # type: ignore[arg-type]
    scale = 255.0 / (high - low) if high > low else 0.0
    return image.point(lambda v: v * scale - low * scale).convert("L")


def _to_display_mode(image: Image.Image) -> Image.Image:
    """RGB or RGBA, whatever mode the caller's image was in."""
    if image.mode in ("RGB", "RGBA"):
        return image
    if image.mode in _HIGH_BIT_DEPTH:
        return _stretch_to_grey(image).convert("RGB")
    if "A" in image.getbands() or "a" in image.getbands() or "transparency" in image.info:
        try:
            return image.convert("RGBA")
        except ValueError:
            pass
    try:
        return image.convert("RGB")
    except ValueError:
        return image.getchannel(0).convert("RGB")


def _checkerboard(size: tuple[int, int], cell: int) -> Image.Image:
    # Shows that a reference is transparent instead of silently flattening it.
    board = Image.new("RGB", size, (236, 236, 236))
    draw = ImageDraw.Draw(board)
    for top in range(0, size[1], cell):
        for left in range((top // cell) % 2 * cell, size[0], 2 * cell):
            draw.rectangle((left, top, left + cell - 1, top + cell - 1), fill=(208, 208, 208))
    return board


def _thumbnail(reference: Image.Image, box: tuple[int, int]) -> Image.Image:
    scale = min(box[0] / reference.width, box[1] / reference.height)
    size = max(1, round(reference.width * scale)), max(1, round(reference.height * scale))
    if reference.mode in _RESIZABLE:
        # Shrinking first means big references are converted at thumbnail size.
        thumb = _to_display_mode(reference.resize(size, _RESAMPLE, reducing_gap=2.0))
    else:
        thumb = _to_display_mode(reference).resize(size, _RESAMPLE, reducing_gap=2.0)
    if thumb.mode == "RGBA":
        backing = _checkerboard(size, max(2, min(box) // 10))
        backing.paste(thumb, (0, 0), thumb)
        return backing
    return thumb


def _polaroid(photo: Image.Image, border: int, angle: float) -> Image.Image:
    pad = 2  # transparent margin so the rotated edge gets interpolated, not jagged
    width = photo.width + 2 * border
    height = photo.height + border + round(border * 2.6)
    card = Image.new("RGBA", (width + 2 * pad, height + 2 * pad), (*_CARD_FILL, 0))
    card.paste((*_CARD_FILL, 255), (pad, pad, pad + width, pad + height))
    card.paste(photo, (pad + border, pad + border))
    return card.rotate(angle, resample=_RESAMPLE, expand=True, fillcolor=(*_CARD_FILL, 0))


def _draw_references(
    image: Image.Image,
    references: Sequence[Image.Image],
    rng: random.Random,
    avoid: Box,
) -> None:
    usable = [ref for ref in references if ref.width > 0 and ref.height > 0]
    if not usable:
        return
    margin = _margin(*image.size)
    photo_height = max(4, round(_short_side(image) * 0.13))
    border = max(1, round(photo_height * 0.06))
    # Tilts are drawn once so a strip that has to be re-laid out smaller looks the same.
    tilts = [rng.uniform(-4.0, 4.0) for _ in usable]
    cards = _make_cards(usable, tilts, photo_height, border)
    beside = image.width - 2 * margin - avoid[2]
    total = sum(card.width for card in cards) + margin // 2 * (len(cards) - 1)
    if total > beside:
        available = beside if beside >= 0.6 * total else image.width - 2 * margin
        factor = max(0.2, available / total)
        cards = _make_cards(usable, tilts, max(4, round(photo_height * factor)), border)
    _place_cards(image, cards, margin, avoid)


def _make_cards(
    references: Sequence[Image.Image],
    tilts: Sequence[float],
    photo_height: int,
    border: int,
) -> list[Image.Image]:
    box = (round(photo_height * 1.5), photo_height)
    return [
        _polaroid(_thumbnail(reference, box), border, tilt)
        for reference, tilt in zip(references, tilts, strict=True)
    ]


def _place_cards(image: Image.Image, cards: list[Image.Image], margin: int, avoid: Box) -> None:
    gap = margin // 2
    total = sum(card.width for card in cards) + gap * (len(cards) - 1)
    fits_beside = total <= image.width - 2 * margin - avoid[2]
    x = image.width - margin - total if fits_beside else margin
    top = margin if fits_beside else avoid[3] + margin // 2
    for card in cards:
        alpha = card.getchannel("A")
        _drop_shadow(image, alpha, (x, top), blur=max(1.0, card.height * 0.05), opacity=0.4)
        image.paste(card.convert("RGB"), (x, top), alpha)
        x += card.width + gap
