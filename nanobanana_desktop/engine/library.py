"""The library folder: names a person can read, and files that appear whole or not at all."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import unicodedata
from datetime import datetime
from pathlib import Path

from . import checkpoints

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: an open file cannot be deleted anyway
    fcntl = None  # type: ignore[assignment]

EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}
_SLUG_MAX = 48
# Files on their way into the library; a crash can leave one behind.
PARTIAL_PREFIX = ".incoming-"
PARTIAL_SUFFIX = ".part"


def slugify(text: str, max_length: int = _SLUG_MAX) -> str:
    """A file-name-safe slug of the prompt; letters of any script are kept."""
    normal = unicodedata.normalize("NFKC", text).lower()
    slug = re.sub(r"[^\w]+", "-", normal).strip("-_")
    slug = slug[:max_length].rstrip("-_")
    return slug or "image"


def plan_stem(created_at: float, prompt: str, local_id: int, index: int) -> str:
    """``2026-11-24/153012_a-lemon-on-a-table_42-1``: day folder, local time, prompt, task, image.

    Nothing the server sent goes into it. The local task id keeps variations of one prompt
    made in the same second apart.
    """
    when = datetime.fromtimestamp(created_at)
    return f"{when:%Y-%m-%d}/{when:%H%M%S}_{slugify(prompt)}_{local_id}-{index + 1}"


def existing_file(library: Path, stem: str) -> Path | None:
    """The file a stem was saved as, whatever its extension (a crash can leave it unrecorded)."""
    for extension in EXTENSIONS.values():
        candidate = library / (stem + extension)
        if candidate.is_file():
            return candidate
    return None


def commit_file(library: Path, stem: str, fmt: str, data: bytes) -> Path:
    """Write ``data`` as the stem's final file, atomically: whole, or not there at all."""
    final = library / (stem + EXTENSIONS[fmt])
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = final.with_name(f"{PARTIAL_PREFIX}{final.name}{PARTIAL_SUFFIX}")
    try:
        with temp.open("wb") as handle:
            claim_partial(handle.fileno())
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        checkpoints.reached("before-rename")
        temp.replace(final)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(final.parent)
    checkpoints.reached("after-rename")
    return final


def claim_partial(fd: int) -> None:
    """Mark an open partial file as in use, so that no sweep removes it under its writer.

    An advisory lock, which the kernel drops when the writer dies, however it dies. Raises
    BlockingIOError when another writer holds it.
    """
    if fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise
    except OSError:  # a filesystem without locks: sweeps then leave its files alone too
        return


def sweep_partials(folder: Path) -> list[Path]:
    """Remove the partial files a crash left in ``folder``; files being written stay."""
    try:
        candidates = [
            p
            for p in folder.iterdir()
            if p.name.startswith(PARTIAL_PREFIX) and p.name.endswith(PARTIAL_SUFFIX)
        ]
    except OSError:  # no folder, no leftovers
        return []
    removed: list[Path] = []
    for path in candidates:
        try:
            if fcntl is None:
                path.unlink()  # Windows refuses while a writer has it open
            else:
                with path.open("rb") as handle:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    path.unlink()
        except OSError:  # held by a live writer, or gone already
            continue
        removed.append(path)
    return removed


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry is; not possible on Windows.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
