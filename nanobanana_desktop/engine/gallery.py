"""The gallery's view of the library: saved images with the task that made them.

Plain records and the SQL that selects them; the queries run in :class:`~.store.Store`, on
its database thread. Newest first means by the moment the image was saved, then by its id,
so that an image that arrives while the gallery is open always belongs at the top, and a
page boundary (a :class:`GalleryCursor`) never moves.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["GalleryCursor", "GalleryFilter", "GalleryItem", "fold"]


def fold(text: str) -> str:
    """Text as search compares it: NFKC-normalised and case-folded, for every script.

    SQLite's own LIKE and lower() fold ASCII only; "ÄPFEL" would not find "äpfel". Stored
    prompts are folded once when the task is recorded, and each query is folded the same
    way, so that the search is a plain substring test in SQL.
    """
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class GalleryFilter:
    """Which images a gallery shows; every field narrows, the defaults show all."""

    text: str = ""  # a case-insensitive piece of the prompt; blank matches everything
    model: str | None = None  # exactly this model id
    since: float | None = None  # saved at or after (seconds since the epoch)
    until: float | None = None  # saved before
    starred: bool = False  # only starred images
    task: int | None = None  # only this task's images (its local id)
    trashed: bool = False  # the images deleted to the trash instead of the others

    def accepts(self, item: GalleryItem) -> bool:
        """Whether the query of this filter would find ``item``: the same test in Python,
        for an image that arrives while a gallery shows the filter's pages."""
        needle = fold(self.text.strip())
        return (
            item.deleted == self.trashed
            and (not needle or needle in fold(item.prompt))
            and (self.model is None or item.model == self.model)
            and (self.since is None or item.saved_at >= self.since)
            and (self.until is None or item.saved_at < self.until)
            and (not self.starred or item.starred)
            and (self.task is None or item.task == self.task)
        )


@dataclass(frozen=True, order=True)
class GalleryCursor:
    """Where a page ended: the next page starts after this image."""

    saved_at: float
    image_id: int


@dataclass(frozen=True)
class GalleryItem:
    """One saved image, with what the gallery shows about the task that made it."""

    image_id: int
    task: int  # the task's local id
    index: int  # the image's position among the task's results
    path: str  # relative to the library, with "/" separators
    sha256: str | None  # of the file as saved: the thumbnail cache's key
    width: int | None
    height: int | None
    format: str | None  # "PNG", "JPEG" or "WEBP"
    bytes: int | None
    saved_at: float
    starred: bool
    prompt: str
    model: str
    created_at: float  # when the task was made
    task_id: str | None  # the server's id for the task
    aspect_ratio: str | None = None
    image_size: str | None = None
    deleted: bool = False
    deleted_at: float | None = None
    trashed_path: str | None = None  # where the file went in the trash, when known
    origin: str | None = None  # the result link the image was downloaded from, or "inline"

    @property
    def cursor(self) -> GalleryCursor:
        return GalleryCursor(self.saved_at, self.image_id)

    def file(self, library: Path) -> Path:
        """The image's file in ``library`` (where it was, for a deleted one)."""
        return library.joinpath(*self.path.split("/"))


# ------------------------------------------------------------------------------ SQL

_SELECT = (
    "SELECT i.id, i.task, i.idx, i.path, i.sha256, i.width, i.height, i.format, i.bytes, "
    "i.saved_at, i.starred, t.prompt, t.model, t.created_at, t.task_id, t.aspect_ratio, "
    "t.image_size, i.deleted, i.deleted_at, i.trashed_path, i.origin "
    "FROM images AS i JOIN tasks AS t ON t.id = i.task"
)
# 'saved' is written out, not bound: SQLite uses the partial index images_gallery only when
# the query's WHERE repeats the index's own condition literally.
_SAVED = "i.state = 'saved'"
_ORDER = " ORDER BY i.saved_at DESC, i.id DESC"


def where(chosen: GalleryFilter) -> tuple[str, list[Any]]:
    """The WHERE clause (with its parameters) for the images ``chosen`` selects."""
    terms = [_SAVED, "i.deleted = ?"]
    params: list[Any] = [1 if chosen.trashed else 0]
    needle = fold(chosen.text.strip())
    if needle:
        terms.append("instr(t.prompt_fold, ?) > 0")
        params.append(needle)
    if chosen.model is not None:
        terms.append("t.model = ?")
        params.append(chosen.model)
    if chosen.since is not None:
        terms.append("i.saved_at >= ?")
        params.append(chosen.since)
    if chosen.until is not None:
        terms.append("i.saved_at < ?")
        params.append(chosen.until)
    if chosen.starred:
        terms.append("i.starred = 1")
    if chosen.task is not None:
        terms.append("i.task = ?")
        params.append(chosen.task)
    return " WHERE " + " AND ".join(terms), params


def page_query(
    chosen: GalleryFilter, limit: int, offset: int, after: GalleryCursor | None
) -> tuple[str, list[Any]]:
    clause, params = where(chosen)
    if after is not None:
        clause += " AND (i.saved_at < ? OR (i.saved_at = ? AND i.id < ?))"
        params += [after.saved_at, after.saved_at, after.image_id]
    return _SELECT + clause + _ORDER + " LIMIT ? OFFSET ?", [*params, limit, offset]


def count_query(chosen: GalleryFilter) -> tuple[str, list[Any]]:
    clause, params = where(chosen)
    return "SELECT count(*) FROM images AS i JOIN tasks AS t ON t.id = i.task" + clause, params


def models_query(chosen: GalleryFilter) -> tuple[str, list[Any]]:
    clause, params = where(chosen)
    return (
        "SELECT t.model, count(*) FROM images AS i JOIN tasks AS t ON t.id = i.task"
        + clause
        + " GROUP BY t.model ORDER BY count(*) DESC, t.model",
        params,
    )


def items_query(count: int) -> str:
    marks = ", ".join("?" for _ in range(count))
    return f"{_SELECT} WHERE {_SAVED} AND i.id IN ({marks}){_ORDER}"


def item(row: tuple[Any, ...]) -> GalleryItem:
    (
        image_id,
        task,
        index,
        path,
        sha256,
        width,
        height,
        fmt,
        size,
        saved_at,
        starred,
        prompt,
        model,
        created_at,
        task_id,
        aspect_ratio,
        image_size,
        deleted,
        deleted_at,
        trashed_path,
        origin,
    ) = row
    return GalleryItem(
        image_id=int(image_id),
        task=int(task),
        index=int(index),
        path=str(path),
        sha256=sha256,
        width=width,
        height=height,
        format=fmt,
        bytes=size,
        saved_at=float(saved_at),
        starred=bool(starred),
        prompt=prompt,
        model=model,
        created_at=float(created_at),
        task_id=task_id,
        aspect_ratio=aspect_ratio,
        image_size=image_size,
        deleted=bool(deleted),
        deleted_at=deleted_at,
        trashed_path=trashed_path,
        origin=origin,
    )
