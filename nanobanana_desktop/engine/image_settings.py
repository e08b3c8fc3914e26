"""The request settings an image file carries, mapped onto what this app can send.

For restoring the composer from a dropped file: our own metadata (written by
:mod:`.metadata`) gives the request back whole; an AUTOMATIC1111-style ``parameters`` text
gives a prompt, and a size that becomes the nearest aspect ratio. What cannot be used is
said in ``notes`` rather than dropped without a word.

Blocking (disk and Pillow): call :func:`read_image_settings` off the UI thread.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..api.models import ASPECT_RATIOS, IMAGE_SIZES, KNOWN_MODELS
from ..messages import translatable
from .downloads import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS
from .metadata import (
    GenerationParameters,
    ImageMetadata,
    is_stand_in,
    parse_size,
    read_generation_parameters,
    read_metadata,
)

__all__ = [
    "OWN",
    "PARAMETERS",
    "ImageSettings",
    "NoSettingsError",
    "nearest_aspect_ratio",
    "read_image_settings",
    "settings_from_metadata",
    "settings_from_parameters",
]

OWN = "Nano Banana Desktop"
PARAMETERS = "AUTOMATIC1111-style parameters"

# Keys of a parameters line that are used, or that say nothing worth a note (our own
# bookkeeping, and the hash that goes with A1111's model name).
_QUIET_KEYS = frozenset(
    {
        "Model",
        "Model hash",
        "Size",
        "Aspect ratio",
        "Image size",
        "Task",
        "Credits",
        "References",
        "Seed-free",
        "Version",
    }
)
_LISTED_KEYS = 4  # "Not used here: Steps, Sampler, CFG scale, Seed and 3 more"

_LABELS = {
    "aspect_ratio": translatable("ImageSettings", "Aspect ratio"),
    "image_size": translatable("ImageSettings", "Image size"),
}
_NOT_OFFERED = translatable(
    "ImageSettings", "{setting} “{value}” is not one this app offers; yours is kept."
)
_ONE_INLINE = translatable(
    "ImageSettings",
    "1 reference was pasted or dropped as a file when this image was made; "
    "the file holds no copy, so add it again if you need it.",
)
_SOME_INLINE = translatable(
    "ImageSettings",
    "{count} references were pasted or dropped as a file when this image was made; "
    "the file holds no copy, so add it again if you need it.",
)
_FOREIGN_MODEL = translatable(
    "ImageSettings", "Model “{model}” is not a Nano Banana model; yours is kept."
)
_NEGATIVE = translatable("ImageSettings", "The negative prompt is left out: this API takes none.")
_UNUSED = translatable("ImageSettings", "Not used here: {settings}.")
_UNUSED_MORE = translatable("ImageSettings", "Not used here: {settings} and {more} more.")
_A_FOLDER = translatable("ImageSettings", "{name} is a folder; drop one image file.")
_UNREADABLE = translatable("ImageSettings", "{name} could not be read: {reason}.")
_TOO_LARGE = translatable(
    "ImageSettings",
    "{name} is larger than {megabytes} MB; files that large are not read for settings.",
)
_NOT_AN_IMAGE = translatable(
    "ImageSettings",
    "{name} is not a PNG, JPEG or WebP image (or it is damaged), "
    "so it carries no settings to restore.",
)
_TOO_MANY_PIXELS = translatable(
    "ImageSettings",
    "{name} is {width}×{height} pixels; images over "
    "{megapixels} megapixels are not read for settings.",
)
_NOTHING_TO_RESTORE = translatable(
    "ImageSettings",
    "{name} carries no prompt or settings. To use it as a reference image, "
    "drop it on a reference slot.",
)


class NoSettingsError(ValueError):
    """The file gives nothing to restore; the message says why and what to do instead."""


@dataclass(frozen=True, slots=True)
class ImageSettings:
    """What to put in the composer. The prompt always; the other fields only when their
    name is in ``restored`` (otherwise the composer keeps its own choice).

    ``aspect_ratio`` and ``image_size`` of None, when restored, mean "not sent".
    """

    origin: str  # OWN or PARAMETERS
    prompt: str
    model: str = ""
    aspect_ratio: str | None = None
    image_size: str | None = None
    references: tuple[str, ...] = ()
    restored: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()


def nearest_aspect_ratio(width: int, height: int) -> str:
    """The offered ratio closest to ``width`` x ``height`` (compared as log ratios, so
    2:1 is as far from 1:1 as 1:2 is)."""
    shape = math.log(width / height)

    def distance(ratio: str) -> float:
        across, down = (int(part) for part in ratio.split(":"))
        return abs(math.log(across / down) - shape)

    return min((r for r in ASPECT_RATIOS if r != "auto"), key=distance)


def settings_from_metadata(meta: ImageMetadata) -> ImageSettings:
    """Our own metadata: the request as it was sent, minus what the file cannot hold."""
    restored = {"references"}
    notes: list[str] = []
    if meta.model.strip():
        restored.add("model")
    for name, value, offered in (
        ("aspect_ratio", meta.aspect_ratio, ASPECT_RATIOS),
        ("image_size", meta.image_size, IMAGE_SIZES),
    ):
        if value is None or value in offered:
            restored.add(name)
        else:
            notes.append(_NOT_OFFERED.format(setting=_LABELS[name], value=value))
    references = tuple(r for r in meta.references if not is_stand_in(r))
    inline = len(meta.references) - len(references)
    if inline:
        notes.append(_ONE_INLINE if inline == 1 else _SOME_INLINE.format(count=inline))
    return ImageSettings(
        origin=OWN,
        prompt=meta.prompt,
        model=meta.model.strip(),
        aspect_ratio=meta.aspect_ratio,
        image_size=meta.image_size,
        references=references,
        restored=frozenset(restored),
        notes=tuple(notes),
    )


def settings_from_parameters(
    found: GenerationParameters, pixels: tuple[int, int] | None = None
) -> ImageSettings:
    """Another tool's parameters text: the prompt, our models only, a size as a ratio.

    ``pixels`` (the image's own size) stands in for a missing ``Size:``.
    """
    restored: set[str] = set()
    notes: list[str] = []
    model = (found.get("Model") or "").strip()
    if model in KNOWN_MODELS:
        restored.add("model")
    elif model:
        notes.append(_FOREIGN_MODEL.format(model=model))
        model = ""
    ratio = found.get("Aspect ratio")
    if ratio in ASPECT_RATIOS:
        restored.add("aspect_ratio")
    else:
        size = parse_size(found.get("Size") or "") or pixels
        ratio = nearest_aspect_ratio(*size) if size else None
        if ratio is not None:
            restored.add("aspect_ratio")
    image_size = found.get("Image size")
    if image_size in IMAGE_SIZES:
        restored.add("image_size")
    else:
        image_size = None
    if found.negative_prompt:
        notes.append(_NEGATIVE)
    unused = list(dict.fromkeys(k for k, _ in found.settings if k not in _QUIET_KEYS))
    if unused:
        listed = ", ".join(unused[:_LISTED_KEYS])
        more = len(unused) - _LISTED_KEYS
        notes.append(
            _UNUSED_MORE.format(settings=listed, more=more)
            if more > 0
            else _UNUSED.format(settings=listed)
        )
    return ImageSettings(
        origin=PARAMETERS,
        prompt=found.prompt,
        model=model,
        aspect_ratio=ratio,
        image_size=image_size,
        restored=frozenset(restored),
        notes=tuple(notes),
    )


def read_image_settings(
    path: Path, *, max_bytes: int = MAX_IMAGE_BYTES, max_pixels: int = MAX_IMAGE_PIXELS
) -> ImageSettings:
    """The settings ``path`` carries; :class:`NoSettingsError` with the reason otherwise.

    Reads at most ``max_bytes`` and refuses images over ``max_pixels`` before Pillow
    decodes anything (text after the pixel data in a PNG makes Pillow decode them).
    """
    name = f"“{path.name}”"
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except IsADirectoryError:
        raise NoSettingsError(_A_FOLDER.format(name=name)) from None
    except OSError as exc:
        raise NoSettingsError(_UNREADABLE.format(name=name, reason=exc.strerror or exc)) from None
    if len(data) > max_bytes:
        raise NoSettingsError(_TOO_LARGE.format(name=name, megabytes=max_bytes // (1024 * 1024)))
    try:
        with Image.open(io.BytesIO(data), formats=("PNG", "JPEG", "WEBP")) as image:
            pixels = image.size
    except Exception:
        # Pillow raises many types on damaged input; every one means the same here.
        raise NoSettingsError(_NOT_AN_IMAGE.format(name=name)) from None
    if pixels[0] * pixels[1] > max_pixels:
        raise NoSettingsError(
            _TOO_MANY_PIXELS.format(
                name=name, width=pixels[0], height=pixels[1], megapixels=max_pixels // 1_000_000
            )
        )
    meta = read_metadata(data)
    if meta is not None:
        return settings_from_metadata(meta)
    found = read_generation_parameters(data)
    if found is not None and found.prompt:
        return settings_from_parameters(found, pixels)
    raise NoSettingsError(_NOTHING_TO_RESTORE.format(name=name))
