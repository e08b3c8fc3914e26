"""Tests for the sandbox placeholder renderer."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageDraw, ImageStat

from nanobanana_desktop.sandbox.render import (
    ASPECT_RATIOS,
    BADGE_FILL,
    badge_box,
    draw_badge,
    output_size,
    render_image,
    wrap_text,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SOI = b"\xff\xd8"

# The 1K table, written out independently of the implementation.
EXPECTED_1K = {
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


def render(**overrides: Any) -> bytes:
    arguments: dict[str, Any] = {
        "prompt": "a lighthouse at dusk, oil painting",
        "seed": 1234,
        "width": 320,
        "height": 240,
        "model": "gemini-3-pro-image-preview",
    }
    arguments.update(overrides)
    return render_image(**arguments)


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def mean_difference(first: bytes, second: bytes) -> float:
    """Average per-channel difference of two renders seen as 16x16 thumbnails.

    Shrinking first means only large-scale change counts, i.e. what a person
    would notice, not a few pixels of text.
    """
    small = [decode(data).resize((16, 16), Image.Resampling.BOX) for data in (first, second)]
    return sum(ImageStat.Stat(ImageChops.difference(*small)).mean) / 3


# ----------------------------------------------------------------------------- sizes


def test_aspect_ratios_are_the_documented_ones() -> None:
    assert tuple(EXPECTED_1K) == ASPECT_RATIOS


@pytest.mark.parametrize("ratio", list(EXPECTED_1K))
@pytest.mark.parametrize(("image_size", "factor"), [("1K", 1), ("2K", 2), ("4K", 4)])
def test_output_size_table(ratio: str, image_size: str, factor: int) -> None:
    width, height = EXPECTED_1K[ratio]
    assert output_size(ratio, image_size) == (width * factor, height * factor)


def test_output_size_4k_widescreen() -> None:
    assert output_size("16:9", "4K") == (5504, 3072)


@pytest.mark.parametrize("ratio", [None, "auto", "AUTO", "Auto"])
def test_missing_or_auto_aspect_ratio_is_square(ratio: str | None) -> None:
    assert output_size(ratio, "1K") == (1024, 1024)


def test_missing_image_size_is_1k() -> None:
    assert output_size("16:9", None) == (1376, 768)
    assert output_size(None, None) == (1024, 1024)


@pytest.mark.parametrize("image_size", ["2k", "2K"])
def test_image_size_is_case_insensitive(image_size: str) -> None:
    assert output_size("3:4", image_size) == (1792, 2400)


@pytest.mark.parametrize("ratio", ["5:3", "16:10", "1:2", "", "1 : 1", "square", "9x16"])
def test_unknown_aspect_ratio_raises(ratio: str) -> None:
    with pytest.raises(ValueError, match="aspect ratio"):
        output_size(ratio, "1K")


@pytest.mark.parametrize("image_size", ["8K", "512", "", "1", "K", "1KB", "auto"])
def test_unknown_image_size_raises(image_size: str) -> None:
    with pytest.raises(ValueError, match="image size"):
        output_size("1:1", image_size)


def test_non_string_values_raise_value_error() -> None:
    with pytest.raises(ValueError):
        output_size(1.0, "1K")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        output_size("1:1", 2)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- determinism


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_same_arguments_give_identical_bytes(fmt: str) -> None:
    references = [Image.new("RGB", (40, 30), (200, 30, 30)), Image.new("L", (10, 60), 90)]
    assert render(fmt=fmt, references=references) == render(fmt=fmt, references=references)


@pytest.mark.parametrize(("seed_a", "seed_b"), [(0, 1), (1234, 1235), (-7, 7)])
def test_different_seed_gives_visibly_different_image(seed_a: int, seed_b: int) -> None:
    assert mean_difference(render(seed=seed_a), render(seed=seed_b)) > 8


@pytest.mark.parametrize(
    ("prompt_a", "prompt_b"),
    [("a red fox", "a red fax"), ("", " "), ("cat", "Cat")],
)
def test_different_prompt_gives_visibly_different_image(prompt_a: str, prompt_b: str) -> None:
    assert mean_difference(render(prompt=prompt_a), render(prompt=prompt_b)) > 8


def test_model_changes_only_the_caption() -> None:
    first, second = render(model="model-a"), render(model="model-b")
    assert first != second
    assert mean_difference(first, second) < 2


# --------------------------------------------------------------------------- format


@pytest.mark.parametrize("size", [(320, 240), (333, 77), (77, 333), (1024, 1024)])
def test_png_output(size: tuple[int, int]) -> None:
    data = render(width=size[0], height=size[1], fmt="PNG")
    assert data.startswith(PNG_SIGNATURE)
    image = decode(data)
    assert (image.format, image.size, image.mode) == ("PNG", size, "RGB")


@pytest.mark.parametrize("size", [(320, 240), (333, 77), (768, 1376)])
def test_jpeg_output(size: tuple[int, int]) -> None:
    data = render(width=size[0], height=size[1], fmt="JPEG")
    assert data.startswith(JPEG_SOI)
    image = decode(data)
    assert (image.format, image.size, image.mode) == ("JPEG", size, "RGB")


def test_format_name_is_case_insensitive() -> None:
    assert render(fmt="png") == render(fmt="PNG")
    assert render(fmt="jpeg") == render(fmt="JPEG")


def test_real_4k_size_renders() -> None:
    width, height = output_size("16:9", "4K")
    image = decode(render(width=width, height=height))
    assert image.size == (5504, 3072)


@pytest.mark.parametrize("size", [(1, 1), (2, 3), (1, 600), (600, 1), (40, 40)])
def test_tiny_and_extreme_sizes_render(size: tuple[int, int]) -> None:
    references = [Image.new("RGB", (50, 50), "red"), Image.new("RGBA", (10, 400))]
    image = decode(render(width=size[0], height=size[1], references=references))
    assert image.size == size


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "", "PNG "])
def test_unknown_format_raises(fmt: str) -> None:
    with pytest.raises(ValueError, match="format"):
        render(fmt=fmt)


@pytest.mark.parametrize(("width", "height"), [(0, 10), (10, 0), (-5, 10), (100_000, 10)])
def test_bad_dimensions_raise(width: int, height: int) -> None:
    with pytest.raises(ValueError):
        render(width=width, height=height)


# ----------------------------------------------------------------------- references


def palette_reference() -> Image.Image:
    image = Image.new("P", (64, 48))
    image.putpalette([255, 0, 0, 0, 0, 255, 0, 255, 0] + [0, 0, 0] * 253)
    ImageDraw.Draw(image).rectangle((10, 10, 40, 30), fill=1)
    return image


def transparent_palette_reference() -> Image.Image:
    image = palette_reference()
    image.info["transparency"] = 0
    return image


def tall_rgba_reference() -> Image.Image:
    image = Image.new("RGBA", (10, 400), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((0, 100, 9, 300), fill=(0, 160, 80, 200))
    return image


def cmyk_reference() -> Image.Image:
    return Image.new("CMYK", (90, 30), (0, 200, 200, 0))


def sixteen_bit_reference() -> Image.Image:
    image = Image.new("I;16", (30, 30))
    ImageDraw.Draw(image).rectangle((0, 0, 14, 29), fill=60_000)
    return image


REFERENCE_FACTORIES: dict[str, Callable[[], Image.Image]] = {
    "rgb": lambda: Image.new("RGB", (120, 80), (250, 200, 20)),
    "rgba-10x400": tall_rgba_reference,
    "palette": palette_reference,
    "palette-transparent": transparent_palette_reference,
    "grey": lambda: Image.new("L", (50, 50), 30),
    "grey-alpha": lambda: Image.new("LA", (50, 20), (200, 128)),
    "cmyk": cmyk_reference,
    "bilevel": lambda: Image.new("1", (40, 40), 1),
    "16-bit": sixteen_bit_reference,
    "float": lambda: Image.new("F", (20, 20), 0.5),
    "wide-400x10": lambda: Image.new("RGB", (400, 10), (30, 30, 200)),
}


@pytest.mark.parametrize("name", list(REFERENCE_FACTORIES))
def test_reference_of_any_mode_is_drawn(name: str) -> None:
    reference = REFERENCE_FACTORIES[name]()
    without = render()
    with_reference = render(references=[reference])
    assert with_reference != without
    assert decode(with_reference).size == (320, 240)


def test_four_mixed_references_render_deterministically() -> None:
    references = [factory() for factory in list(REFERENCE_FACTORIES.values())[:4]]
    first = render(references=references, width=768, height=1376)
    assert first == render(references=references, width=768, height=1376)
    assert decode(first).size == (768, 1376)


def test_reference_content_appears_in_the_output() -> None:
    # Pure red appears nowhere in a render without references (the badge is yellow,
    # the panel dark), so finding lots of it shows the thumbnail was pasted in.
    reference = Image.new("RGB", (300, 200), (255, 0, 0))

    def red_pixels(data: bytes) -> int:
        image = decode(data)
        red, green, blue = image.split()
        mask = ImageChops.multiply(
            red.point(lambda v: 255 if v > 240 else 0),
            ImageChops.invert(ImageChops.lighter(green, blue)).point(
                lambda v: 255 if v > 240 else 0
            ),
        )
        return int(ImageStat.Stat(mask).sum[0] / 255)

    assert red_pixels(render(width=1024, height=1024)) == 0
    assert red_pixels(render(width=1024, height=1024, references=[reference])) > 2000


def test_references_are_not_modified() -> None:
    reference = palette_reference()
    before = (reference.mode, reference.size, reference.tobytes(), dict(reference.info))
    render(references=[reference])
    assert (reference.mode, reference.size, reference.tobytes(), dict(reference.info)) == before


def test_more_than_four_references_still_fit() -> None:
    references = [Image.new("RGB", (100 + 10 * i, 80), (40 * i, 90, 160)) for i in range(6)]
    assert decode(render(references=references)).size == (320, 240)


def test_empty_reference_is_ignored() -> None:
    assert render(references=[Image.new("RGB", (0, 0))]) == render()


# ---------------------------------------------------------------------------- badge


def badge_fill_fraction(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    region = image.crop(box).convert("RGB")
    difference = ImageChops.difference(region, Image.new("RGB", region.size, BADGE_FILL))
    red, green, blue = difference.split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    exact_matches = largest.histogram()[0]
    return exact_matches / (region.width * region.height)


@pytest.mark.parametrize("ratio", ["1:1", "9:16", "21:9"])
def test_rendered_image_carries_the_badge(ratio: str) -> None:
    width, height = output_size(ratio, "1K")
    image = decode(render(width=width, height=height, fmt="PNG"))
    box = badge_box(width, height)
    assert box[0] >= 0
    assert box[1] >= 0
    assert box[2] <= width
    assert box[3] <= height
    # The pill's flat fill covers most of its box; only text, dot and corners differ.
    assert badge_fill_fraction(image, box) > 0.5


def test_badge_colour_is_absent_without_the_badge() -> None:
    # The counter-check: the same region of an untouched background is not badge yellow.
    plain = Image.new("RGB", (1024, 1024), (250, 210, 60))
    box = badge_box(1024, 1024)
    assert badge_fill_fraction(plain, box) == 0
    returned = draw_badge(plain)
    assert returned == box
    assert badge_fill_fraction(plain, box) > 0.5


def test_badge_has_dark_lettering() -> None:
    image = Image.new("RGB", (1024, 1024), (255, 255, 255))
    box = draw_badge(image)
    histogram = image.crop(box).convert("L").histogram()
    assert sum(histogram[:80]) > 0


# ----------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    "prompt",
    [
        "",
        "   \n\t  ",
        "x" * 10_000,
        "word " * 2_000,
        "🍌🎨🖼️ a banana 👩🏽‍🚀 in space",
        "שלום עולם, תמונה של חתול",
        "مرحبا بالعالم، صورة قطة",
        "mixed English עברית العربية 123",
        "lone surrogate \ud800 here",
        "control\x00chars\x1b[31m\u200f\u202e reversed",
        "\u0301" * 5_000,
    ],
    ids=[
        "empty",
        "blank",
        "10k-chars",
        "10k-words",
        "emoji",
        "hebrew",
        "arabic",
        "mixed-direction",
        "surrogate",
        "control",
        "combining",
    ],
)
def test_awkward_prompts_render(prompt: str) -> None:
    data = render(prompt=prompt, width=640, height=480)
    assert decode(data).size == (640, 480)


@pytest.mark.parametrize("model", ["", "m" * 2_000, "模型-🍌", "\x00"])
def test_awkward_model_ids_render(model: str) -> None:
    assert decode(render(model=model)).size == (320, 240)


def test_wrap_text_fits_and_keeps_all_words() -> None:
    def fits(line: str) -> bool:
        return len(line) <= 12

    lines = wrap_text("the quick brown fox jumps over", fits, 5)
    assert lines == ["the quick", "brown fox", "jumps over"]


def test_wrap_text_truncates_with_an_ellipsis() -> None:
    def fits(line: str) -> bool:
        return len(line) <= 10

    lines = wrap_text("one two three four five six seven eight nine ten", fits, 2)
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(fits(line) for line in lines)


def test_wrap_text_breaks_words_longer_than_a_line() -> None:
    def fits(line: str) -> bool:
        return len(line) <= 4

    assert wrap_text("abcdefghij", fits, 5) == ["abcd", "efgh", "ij"]
    assert wrap_text("abcdefghij", fits, 2) == ["abcd", "efg…"]


def test_wrap_text_of_blank_text_is_empty() -> None:
    assert wrap_text("   ", lambda line: True, 3) == []


def test_wrap_text_rejects_zero_lines() -> None:
    with pytest.raises(ValueError):
        wrap_text("text", lambda line: True, 0)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab c\n"), max_size=120),
    width=st.integers(min_value=1, max_value=30),
    max_lines=st.integers(min_value=1, max_value=4),
)
def test_wrap_text_properties(text: str, width: int, max_lines: int) -> None:
    def fits(line: str) -> bool:
        return len(line) <= width

    lines = wrap_text(text, fits, max_lines)
    assert len(lines) <= max_lines
    assert all(line and fits(line) for line in lines)
    if not any(line.endswith("…") for line in lines):
        # Nothing was cut, so every non-space character survives in order.
        assert "".join("".join(lines).split()) == "".join(text.split())
