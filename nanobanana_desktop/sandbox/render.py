"""Placeholder images for the offline sandbox.

The sandbox never calls a real model, so successful tasks return a deterministic,
good-looking "mesh gradient" that is unmistakably marked as sandbox output: a
SANDBOX badge, a caption with the prompt and model id, and the reference images
the request carried, drawn as small polaroid cards.

Everything expensive happens on a tiny canvas that is blurred and then upscaled;
full-resolution work is limited to one resize and the small regions the overlays
cover, which keeps a 1K render in the tens of milliseconds.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import random
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

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
_MIDDLE_LONG_SIDE = 512
_SUPERSAMPLE = 4

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

    ``fmt`` is case-insensitive and also accepts "JPG". Width and height must be
    between 1 and 16384; references may be in any Pillow mode and are not modified.

    The result depends only on the arguments, byte for byte, so sandbox runs are
    reproducible; the background depends on ``prompt`` and ``seed`` only.
    """
    _check_dimensions(width, height)
    encoder = _encoder_for(fmt)
    rng = _seeded_rng(prompt, seed)
    image = _background(rng, width, height)
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
    # After PNG's row filters a smooth gradient is mostly runs of zeros, so run-length
    # matching is both faster and smaller here than zlib's default string search.
    image.save(buffer, format="PNG", compress_level=1, compress_type=zlib.Z_RLE)
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
    """Ranges for one family of looks, in OKLCH (lightness 0-1, chroma, hue in degrees)."""

    name: str
    base_lightness: float
    base_chroma: float
    lightness: tuple[float, float]
    chroma: tuple[float, float]
    hue_span: tuple[float, float]
    hue_window: tuple[float, float] = (0.0, 360.0)


_NIGHT = _Mood(
    # Aurora: glowing cool ribbons over a deep sky; warm hues would go brown this dark.
    name="night",
    base_lightness=0.23,
    base_chroma=0.05,
    lightness=(0.45, 0.66),
    chroma=(0.1, 0.16),
    hue_span=(60.0, 110.0),
    hue_window=(150.0, 330.0),
)
_MOODS: tuple[_Mood, ...] = (
    _NIGHT,
    # Vivid mesh gradient, the classic product-page look.
    _Mood("vivid", 0.8, 0.1, lightness=(0.6, 0.86), chroma=(0.12, 0.19), hue_span=(60.0, 130.0)),
    # Pastel: airy and light, still clearly coloured.
    _Mood("pastel", 0.94, 0.04, lightness=(0.8, 0.94), chroma=(0.06, 0.1), hue_span=(90.0, 170.0)),
)
_MOOD_WEIGHTS = (3, 5, 2)
_LIME_HUES = (95.0, 140.0)


def _oklch_to_rgb(lightness: float, chroma: float, hue: float) -> RGB:
    """sRGB for an OKLCH colour, lowering chroma until it is inside the gamut.

    OKLCH is perceptually even, so equal lightness and chroma look equally bright
    and saturated at every hue: no acid greens or muddy yellows next to soft blues.
    """
    low, high = 0.0, chroma
    rgb = _oklch_to_linear(lightness, high, hue)
    if not _in_gamut(rgb):
        for _ in range(14):
            middle = (low + high) / 2
            if _in_gamut(_oklch_to_linear(lightness, middle, hue)):
                low = middle
            else:
                high = middle
        rgb = _oklch_to_linear(lightness, low, hue)
    red, green, blue = (round(_srgb_encode(channel) * 255) for channel in rgb)
    return red, green, blue


def _oklch_to_linear(lightness: float, chroma: float, hue: float) -> tuple[float, float, float]:
    # Matrices from Björn Ottosson's OKLab definition.
    a = chroma * math.cos(math.radians(hue))
    b = chroma * math.sin(math.radians(hue))
    long = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    medium = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    short = (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    return (
        4.0767416621 * long - 3.3077115913 * medium + 0.2309699292 * short,
        -1.2684380046 * long + 2.6097574011 * medium - 0.3413193965 * short,
        -0.0041960863 * long - 0.7034186147 * medium + 1.7076147010 * short,
    )


def _in_gamut(rgb: tuple[float, float, float]) -> bool:
    return all(-1e-4 <= channel <= 1.0001 for channel in rgb)


def _srgb_encode(linear: float) -> float:
    linear = min(1.0, max(0.0, linear))
    if linear <= 0.0031308:
        return 12.92 * linear
    return 1.055 * math.pow(linear, 1 / 2.4) - 0.055


def _warm_floor(hue: float) -> float:
    """Lowest lightness at which a hue still looks clean rather than brown or olive."""
    hue %= 360.0
    if 80.0 <= hue <= 135.0:
        return 0.86
    if 40.0 <= hue <= 150.0:
        return 0.76
    return 0.0


@dataclass(frozen=True)
class _Palette:
    mood: _Mood
    base_hue: float
    hue_span: float
    angle: float

    def hue_at(self, x: float, y: float) -> float:
        """Hue in degrees for a point of the unit square.

        Hue follows position along one direction, so blobs that blur into each
        other are always close on the colour wheel and never mix into grey.
        """
        along = (x - 0.5) * math.cos(self.angle) + (y - 0.5) * math.sin(self.angle)
        return self.base_hue + self.hue_span * min(1.0, max(0.0, 0.5 + along))

    def colour_at(self, rng: random.Random, x: float, y: float, lift: float = 0.0) -> RGB:
        hue = self.hue_at(x, y) + rng.uniform(-8.0, 8.0)
        lightness = rng.uniform(*self.mood.lightness) + lift
        if self.mood is not _NIGHT:
            lightness = max(lightness, _warm_floor(hue))
        return _oklch_to_rgb(min(0.97, lightness), rng.uniform(*self.mood.chroma), hue)

    def base(self) -> RGB:
        hue = self.hue_at(0.5, 0.5)
        return _oklch_to_rgb(self.mood.base_lightness, self.mood.base_chroma, hue)


def _pick_palette(rng: random.Random) -> _Palette:
    mood = rng.choices(_MOODS, weights=_MOOD_WEIGHTS)[0]
    span = rng.uniform(*mood.hue_span)
    window_start, window_end = mood.hue_window
    base_hue = 0.0
    for _ in range(4):
        base_hue = rng.uniform(window_start, max(window_start, window_end - span))
        # Palettes centred on chartreuse look sickly rather than fresh; re-roll those.
        if not _LIME_HUES[0] <= (base_hue + span / 2) % 360.0 <= _LIME_HUES[1]:
            break
    return _Palette(mood, base_hue=base_hue, hue_span=span, angle=rng.uniform(0, math.tau))


def _fit_long_side(width: int, height: int, long_side: int) -> tuple[int, int]:
    scale = long_side / max(width, height)
    return max(8, round(width * scale)), max(8, round(height * scale))


def _background(rng: random.Random, width: int, height: int) -> Image.Image:
    palette = _pick_palette(rng)
    size = _fit_long_side(width, height, _CANVAS_LONG_SIDE)
    canvas = Image.new("RGB", size, palette.base())
    night = palette.mood is _NIGHT
    _paint_blobs(canvas, rng, palette, count=rng.randint(3, 4) if night else rng.randint(6, 9))
    canvas = canvas.filter(ImageFilter.GaussianBlur(max(size) * 0.11))
    if night:
        canvas = ImageChops.screen(canvas, _aurora_layer(size, rng, palette))
        # Darkening warm light colours turns them brown, so only the night sky gets one.
        _vignette(canvas, strength=0.4)
    canvas = _smooth_upscale(canvas, _fit_long_side(width, height, _MIDDLE_LONG_SIDE))
    if not night:
        _paint_orbs(canvas, rng, palette)
    image = canvas.resize((width, height), _RESAMPLE)
    if night:
        _paint_stars(image, rng)
    return image


def _smooth_upscale(canvas: Image.Image, size: tuple[int, int]) -> Image.Image:
    # The tiny canvas holds 8-bit steps on its own pixel grid; upscaled directly they
    # come out as a blocky pattern of faint rectangles, worst at 4K. A blur of a few
    # source pixels at a middle size turns them into smooth, unremarkable contours.
    middle = canvas.resize(size, _RESAMPLE)
    return middle.filter(ImageFilter.GaussianBlur(3 * size[0] / canvas.width))


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


def _aurora_layer(size: tuple[int, int], rng: random.Random, palette: _Palette) -> Image.Image:
    """Glowing curtains, blurred less than the blobs so they keep some shape.

    The bands share one wave with small offsets: independent waves cross each
    other and read as a twisted rope rather than an aurora.
    """
    layer = Image.new("RGB", size, (0, 0, 0))
    draw = ImageDraw.Draw(layer)
    width, height = size
    centre = rng.uniform(0.3, 0.55)
    amplitude = rng.uniform(0.06, 0.13)
    frequency = rng.uniform(0.5, 1.1)
    phase = rng.uniform(0, math.tau)
    for band in range(rng.randint(2, 3)):
        offset = band * rng.uniform(0.07, 0.12)
        shift = rng.uniform(-0.4, 0.4)
        points = [
            (
                t * width,
                (centre + offset + amplitude * math.sin(frequency * math.tau * t + phase + shift))
                * height,
            )
            for t in (i / 24 for i in range(-2, 27))
        ]
        colour = palette.colour_at(rng, 0.5 + offset, centre + offset, lift=0.12 - band * 0.06)
        thickness = max(2, round(rng.uniform(0.06, 0.11) * min(width, height)))
        draw.line(points, fill=colour, width=thickness, joint="curve")
    return layer.filter(ImageFilter.GaussianBlur(max(size) * 0.045))


def _paint_orbs(canvas: Image.Image, rng: random.Random, palette: _Palette) -> None:
    # A couple of faint, soft discs add depth to the flat gradient, like bokeh.
    width, height = canvas.size
    layer = Image.new("L", canvas.size, 0)
    draw = ImageDraw.Draw(layer)
    for _ in range(rng.randint(1, 3)):
        radius = rng.uniform(0.06, 0.14) * min(width, height)
        cx, cy = rng.uniform(0.1, 0.9) * width, rng.uniform(0.1, 0.9) * height
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=rng.randint(28, 55))
    layer = layer.filter(ImageFilter.GaussianBlur(max(1.0, min(width, height) * 0.012)))
    tint = _oklch_to_rgb(0.97, 0.03, palette.hue_at(0.5, 0.5))
    canvas.paste(tint, (0, 0), layer)


def _vignette(canvas: Image.Image, strength: float) -> None:
    radial = Image.radial_gradient("L").resize(canvas.size, _RESAMPLE)
    # Only the outer part darkens; the centre keeps the palette's own brightness.
    mask = radial.point(lambda v: max(0, v - 110) * strength * 255 / 145 if v > 110 else 0)
    canvas.paste((0, 0, 0), (0, 0), mask)


def _paint_stars(image: Image.Image, rng: random.Random) -> None:
    # Drawn at full size because a dot this small would vanish in the upscale.
    draw = ImageDraw.Draw(image)
    unit = min(image.size) / 1024
    for _ in range(rng.randint(25, 45)):
        x, y = rng.random() * image.width, rng.random() ** 1.6 * image.height * 0.7
        radius = max(0.5, rng.uniform(0.6, 1.8) * unit)
        level = rng.randint(150, 255)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(level, level, 255))


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


@dataclass(frozen=True)
class _BadgeLayout:
    font_size: int
    height: int
    padding: int
    dot: int
    # Spaced-out capitals read as a label rather than as part of the picture.
    tracking: float
    # Letters placed one by one snap to whole pixels, which at small sizes leaves
    # uneven gaps ("SAN DBOX"); drawing them larger and shrinking keeps the rhythm.
    supersample: int

    @classmethod
    def for_size(cls, width: int, height: int) -> _BadgeLayout:
        font_size = max(9, round(min(width, height) * 0.021))
        pill_height = round(font_size * 2.0)
        return cls(
            font_size=font_size,
            height=pill_height,
            padding=round(font_size * 0.9),
            dot=max(1, round(pill_height * 0.28)),
            tracking=font_size * 0.14,
            supersample=max(1, min(4, 64 // font_size)),
        )

    def text_width(self) -> float:
        font = _font(self.font_size * self.supersample)
        letters = sum(font.getlength(char) for char in _BADGE_TEXT) / self.supersample
        return letters + self.tracking * (len(_BADGE_TEXT) - 1)

    def width(self) -> int:
        return round(self.padding * 2 + self.dot + self.padding * 0.6 + self.text_width())

    def text_mask(self) -> Image.Image:
        scale = self.supersample
        size = (math.ceil(self.text_width() + 2) * scale, self.height * scale)
        mask = Image.new("L", size, 0)
        draw = ImageDraw.Draw(mask)
        font = _font(self.font_size * scale)
        x = float(scale)
        for char in _BADGE_TEXT:
            draw.text((x, size[1] / 2), char, font=font, fill=255, anchor="lm")
            x += font.getlength(char) + self.tracking * scale
        return mask.reduce(scale) if scale > 1 else mask


def badge_box(width: int, height: int) -> Box:
    """Where :func:`draw_badge` puts the SANDBOX pill, as ``(left, top, right, bottom)``."""
    layout = _BadgeLayout.for_size(width, height)
    margin = _margin(width, height)
    return margin, margin, margin + layout.width(), margin + layout.height


def draw_badge(image: Image.Image) -> Box:
    """Draw the SANDBOX pill in the top-left corner of ``image`` and return its box."""
    layout = _BadgeLayout.for_size(image.width, image.height)
    box = badge_box(image.width, image.height)
    left, top, right, bottom = box
    mask = _rounded_mask((right - left, bottom - top), radius=layout.height / 2)
    _drop_shadow(image, mask, (left, top), blur=layout.height * 0.22, opacity=0.35)
    image.paste(BADGE_FILL, (left, top), mask)
    dot_left = left + layout.padding
    dot_mask = _rounded_mask((layout.dot, layout.dot), radius=layout.dot / 2)
    image.paste(_BADGE_INK, (dot_left, round((top + bottom - layout.dot) / 2)), dot_mask)
    text_left = round(dot_left + layout.dot + layout.padding * 0.6) - 1
    image.paste(_BADGE_INK, (text_left, top), layout.text_mask())
    return box


# ------------------------------------------------------------------------- caption


def _display_text(text: str) -> str:
    """Make arbitrary user text safe to hand to FreeType, on one logical line."""
    if not text.isprintable():  # the per-character pass is only for unusual text
        text = "".join(_display_char(char) for char in text)
    return " ".join(text.split())


def _display_char(char: str) -> str:
    if char.isspace():
        return " "
    category = unicodedata.category(char)
    if category == "Cs":
        return "\ufffd"  # a lone surrogate cannot be encoded for FreeType
    return "" if category.startswith("C") else char


# Stand-ins for common characters the bundled font lacks; accented letters are
# handled by dropping the accent instead (see _renderable).
_FALLBACKS: dict[str, str] = {
    "\u2014": "-",  # em dash
    "\u2013": "-",  # en dash
    "\u2212": "-",  # minus sign
    "\u2022": "·",  # bullet
    "\u00d7": "x",  # multiplication sign
    "\u2192": "->",
    "\u2190": "<-",
    "\u00df": "ss",
    "\u00e6": "ae",
    "\u00c6": "AE",
    "\u0153": "oe",
    "\u0152": "OE",
    "\u00f8": "o",
    "\u00d8": "O",
    "\u0142": "l",
    "\u0141": "L",
    "\u00bf": "",
    "\u00a1": "",
}
_GLYPH_PROBE_SIZE = 24


@functools.lru_cache(maxsize=1)
def _missing_glyph() -> bytes:
    return bytes(_font(_GLYPH_PROBE_SIZE).getmask("\uffff"))


@functools.lru_cache(maxsize=4096)
def _has_glyph(char: str) -> bool:
    return char.isascii() or bytes(_font(_GLYPH_PROBE_SIZE).getmask(char)) != _missing_glyph()


@functools.lru_cache(maxsize=4096)
def _renderable(char: str) -> str:
    """``char``, or a readable stand-in when the bundled font has no glyph for it.

    The font covers little beyond ASCII, so "café" would otherwise come out with a
    box in it. Scripts with no stand-in (CJK, Arabic, emoji...) keep the box, which
    at least shows that something was there.
    """
    if _has_glyph(char):
        return char
    if char in _FALLBACKS:
        return _FALLBACKS[char]
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and all(_has_glyph(c) for c in base) else char


def _fold_to_font(text: str) -> str:
    return text if text.isascii() else "".join(_renderable(char) for char in text)


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


def _longest_run(words: Sequence[str], fits: Callable[[str], bool]) -> int:
    """How many leading ``words`` fit on one line.

    Galloping then bisecting keeps every measured string at most about twice a
    line long, so a prompt with thousands of words costs a few dozen measurements
    per line instead of one per word, each over the whole line.
    """
    fitting, probe = 0, 1
    while probe <= len(words) and fits(" ".join(words[:probe])):
        fitting, probe = probe, probe * 2
    low, high = fitting, min(probe, len(words) + 1) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if fits(" ".join(words[:middle])):
            low = middle
        else:
            high = middle - 1
    return low


def wrap_text(text: str, fits: Callable[[str], bool], max_lines: int) -> list[str]:
    """Greedy word wrap into at most ``max_lines`` lines, ending in "…" if cut short.

    ``fits`` says whether a candidate line is narrow enough. Words wider than a
    whole line are broken between characters. Empty or blank text gives ``[]``.
    """
    if max_lines < 1:
        raise ValueError("max_lines must be at least 1")
    words = text.split()
    lines: list[str] = []
    while words and len(lines) < max_lines:
        count = _longest_run(words, fits)
        if count:
            lines.append(" ".join(words[:count]))
            del words[:count]
        else:
            # At least one character per line, so an unbreakable word still ends.
            cut = _longest_prefix(words[0], fits, 1)
            lines.append(words[0][:cut])
            words[0] = words[0][cut:]
    if words:
        lines[-1] = _ellipsize(lines[-1], fits)
    return lines


def _fits(font: Font, max_width: float) -> Callable[[str], bool]:
    return lambda text: font.getlength(text) <= max_width


@dataclass(frozen=True)
class _CaptionStyle:
    prompt_size: int
    prompt_font: Font
    meta_font: Font
    line_height: int
    meta_height: int
    padding: int
    margin: int

    @classmethod
    def for_image(cls, image: Image.Image) -> _CaptionStyle:
        # Floors keep thumbnails legible; tinier images simply drop the caption.
        prompt_size = max(11, round(_short_side(image) * 0.026))
        meta_size = max(9, round(_short_side(image) * 0.018))
        return cls(
            prompt_size=prompt_size,
            prompt_font=_font(prompt_size),
            meta_font=_font(meta_size),
            line_height=round(prompt_size * 1.32),
            meta_height=round(meta_size * 1.4),
            padding=max(2, round(prompt_size * 0.8)),
            margin=_margin(*image.size),
        )

    def panel_height(self, prompt_lines: int) -> int:
        return self.line_height * prompt_lines + self.meta_height + round(self.padding * 1.7)

    def lines_that_fit(self, image_height: int) -> int:
        spare = image_height - 2 * self.margin - self.panel_height(0)
        return min(3, spare // self.line_height)

    def text_width(self, image_width: int) -> int:
        return image_width - 2 * self.margin - 2 * self.padding


_EMPTY_PROMPT = "(empty prompt)"


def _prompt_lines(prompt: str, style: _CaptionStyle, max_width: int, max_lines: int) -> list[str]:
    text = _display_text(prompt)
    # No glyph of the bundled font is narrower than 0.18 em, so nothing past this
    # many characters can be shown and a 10,000-character prompt costs no more.
    limit = max_lines * math.ceil(max_width / (style.prompt_size * 0.15)) + 2
    if len(text) > limit:
        text = text[:limit] + " " + _ELLIPSIS
    return wrap_text(_fold_to_font(text), _fits(style.prompt_font, max_width), max_lines)


def _meta_line(image: Image.Image, model: str, seed: int, style: _CaptionStyle) -> str:
    fits = _fits(style.meta_font, style.text_width(image.width))
    model_name = _fold_to_font(_display_text(model)[:200]) or "unknown model"
    details = f"{_SEPARATOR}seed {seed}{_SEPARATOR}{image.width}x{image.height}"
    if fits(model_name + details):
        return model_name + details
    # A long model id gives way first: seed and size are what tell renders apart.
    if fits(_ELLIPSIS + details):
        return _ellipsize(model_name, lambda head: fits(head + details)) + details
    return _ellipsize(model_name + details, fits)


def _draw_caption(image: Image.Image, *, prompt: str, model: str, seed: int) -> None:
    style = _CaptionStyle.for_image(image)
    max_width = style.text_width(image.width)
    max_lines = style.lines_that_fit(image.height)
    if max_lines < 1 or max_width < 1:
        return  # too small an image for a readable caption
    lines = _prompt_lines(prompt, style, max_width, max_lines)
    placeholder = not lines
    lines = lines or [_EMPTY_PROMPT]
    meta = _meta_line(image, model, seed, style)
    widths = [style.prompt_font.getlength(line) for line in lines]
    widths.append(style.meta_font.getlength(meta))
    panel_width = min(math.ceil(max(widths)) + 2 * style.padding, image.width - 2 * style.margin)
    panel_height = style.panel_height(len(lines))
    left, top = style.margin, image.height - style.margin - panel_height
    mask = _rounded_mask((panel_width, panel_height), style.padding, _PANEL_ALPHA)
    image.paste(_PANEL_FILL, (left, top), mask)
    draw = ImageDraw.Draw(image)
    x, y = left + style.padding, top + round(style.padding * 0.85)
    for line in lines:
        fill = _MUTED_FILL if placeholder else _TEXT_FILL
        draw.text((x, y), line, font=style.prompt_font, fill=fill, anchor="la")
        y += style.line_height
    y += round(style.line_height * 0.12)
    draw.text((x, y), meta, font=style.meta_font, fill=_MUTED_FILL, anchor="la")


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


def _photo_size(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    scale = min(box[0] / size[0], box[1] / size[1])
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _thumbnail(reference: Image.Image, box: tuple[int, int]) -> Image.Image:
    size = _photo_size(reference.size, box)
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


@dataclass(frozen=True)
class _CardStyle:
    photo_height: int

    @property
    def box(self) -> tuple[int, int]:
        return round(self.photo_height * 1.5), self.photo_height

    @property
    def border(self) -> int:
        return max(1, round(self.photo_height * 0.06))

    @property
    def chin(self) -> int:
        return round(self.border * 2.6)  # the thick polaroid bottom edge

    def card_size(self, reference: tuple[int, int]) -> tuple[int, int]:
        width, height = _photo_size(reference, self.box)
        return width + 2 * self.border, height + self.border + self.chin


def _rotated_width(size: tuple[int, int], angle: float) -> float:
    radians = math.radians(angle)
    return abs(size[0] * math.cos(radians)) + abs(size[1] * math.sin(radians))


def _polaroid(photo: Image.Image, style: _CardStyle, angle: float) -> Image.Image:
    pad = 2  # transparent margin so the rotated edge gets interpolated, not jagged
    border = style.border
    width, height = photo.width + 2 * border, photo.height + border + style.chin
    card = Image.new("RGBA", (width + 2 * pad, height + 2 * pad), (*_CARD_FILL, 0))
    card.paste((*_CARD_FILL, 255), (pad, pad, pad + width, pad + height))
    card.paste(photo, (pad + border, pad + border))
    return card.rotate(angle, resample=_RESAMPLE, expand=True, fillcolor=(*_CARD_FILL, 0))


def _strip_width(
    references: Sequence[Image.Image], tilts: Sequence[float], style: _CardStyle, gap: int
) -> float:
    widths = [
        _rotated_width(style.card_size(ref.size), tilt) + 4
        for ref, tilt in zip(references, tilts, strict=True)
    ]
    return sum(widths) + gap * (len(widths) - 1)


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
    gap = margin // 2
    tilts = [rng.uniform(-4.0, 4.0) for _ in usable]
    style = _CardStyle(max(4, round(_short_side(image) * 0.13)))
    # Sizes are worked out before any card is drawn, so big references are only
    # resampled once even when the strip has to shrink to fit.
    total = _strip_width(usable, tilts, style, gap)
    beside = image.width - 2 * margin - avoid[2]
    if total <= beside:
        origin = (round(image.width - margin - total), margin)
    else:
        below_badge = beside < 0.6 * total
        available = image.width - 2 * margin if below_badge else beside
        style = _CardStyle(max(4, math.floor(style.photo_height * available / total)))
        total = _strip_width(usable, tilts, style, gap)
        left = margin if below_badge else round(image.width - margin - total)
        origin = (left, avoid[3] + gap if below_badge else margin)
    cards = [
        _polaroid(_thumbnail(ref, style.box), style, tilt)
        for ref, tilt in zip(usable, tilts, strict=True)
    ]
    _place_cards(image, cards, origin, gap)


def _place_cards(
    image: Image.Image, cards: list[Image.Image], origin: tuple[int, int], gap: int
) -> None:
    x, top = origin
    for card in cards:
        alpha = card.getchannel("A")
        _drop_shadow(image, alpha, (x, top), blur=max(1.0, card.height * 0.05), opacity=0.4)
        image.paste(card.convert("RGB"), (x, top), alpha)
        x += card.width + gap
