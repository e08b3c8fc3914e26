"""Reference images as the real server sees them: fetched from URLs or decoded inline."""

from __future__ import annotations

import base64
import binascii
import io
import re

import aiohttp
from PIL import Image

_DATA_URI = re.compile(r"^data:image/[A-Za-z0-9.+-]+;base64,(.*)$", re.DOTALL)
# A reference is drawn small; decoding a huge one is the attack, not the feature.
_MAX_REFERENCE_PIXELS = 40_000_000


class ReferenceUnavailable(Exception):  # noqa: N818 - reads as a state, like the message
    """A reference could not be fetched or decoded; the task fails with this reason."""


async def load_references(
    session: aiohttp.ClientSession, urls: list[str], max_bytes: int
) -> list[Image.Image]:
    images = []
    for index, url in enumerate(urls, start=1):
        data = await _reference_bytes(session, url, index, max_bytes)
        images.append(_decode(data, index))
    return images


async def _reference_bytes(
    session: aiohttp.ClientSession, url: str, index: int, max_bytes: int
) -> bytes:
    match = _DATA_URI.match(url)
    if match:
        try:
            return base64.b64decode(match.group(1), validate=True)
        except (binascii.Error, ValueError):
            raise ReferenceUnavailable(f"reference image {index} is not valid base64") from None
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=20)) as response:
            if response.status != 200:
                raise ReferenceUnavailable(
                    f"reference image {index} could not be fetched (HTTP {response.status})"
                )
            data = await response.content.read(max_bytes + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise ReferenceUnavailable(
            f"reference image {index} could not be fetched ({type(exc).__name__})"
        ) from None
    if len(data) > max_bytes:
        raise ReferenceUnavailable(f"reference image {index} is too large")
    return data


def _decode(data: bytes, index: int) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > _MAX_REFERENCE_PIXELS:
                raise ReferenceUnavailable(f"reference image {index} has too many pixels")
            image.draft("RGB", (512, 512))
            image.thumbnail((512, 512))
            return image.copy()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ReferenceUnavailable(f"reference image {index} is not a readable image") from None
