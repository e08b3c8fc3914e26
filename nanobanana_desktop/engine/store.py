"""The history: tasks, their status history and their images, in SQLite (WAL mode).

Every call runs on one dedicated thread that owns the connection, so the event loop (the Qt
thread in the app) never waits on the disk, and SQLite sees one writer.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from ..api import GenerationRequest
from ..messages import translatable
from . import gallery
from .gallery import GalleryCursor, GalleryFilter, GalleryItem, fold
from .records import ImageRecord, ImageState, TaskRecord, TaskState

T = TypeVar("T")

# Each step moves the schema from version i to i + 1; never edit a released step.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE tasks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id TEXT UNIQUE,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        submitted_at REAL,
        finished_at REAL,
        model TEXT NOT NULL,
        prompt TEXT NOT NULL,
        refs TEXT NOT NULL DEFAULT '[]',
        aspect_ratio TEXT,
        image_size TEXT,
        state TEXT NOT NULL,
        status_reason TEXT,
        texts TEXT NOT NULL DEFAULT '[]',
        consumed TEXT,
        source TEXT NOT NULL,
        retry_of INTEGER REFERENCES tasks(id),
        callback_token TEXT UNIQUE,
        poll_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX tasks_state ON tasks(state);
    CREATE TABLE task_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        task INTEGER NOT NULL REFERENCES tasks(id),
        state TEXT NOT NULL,
        at REAL NOT NULL,
        detail TEXT
    );
    CREATE INDEX task_events_task ON task_events(task);
    CREATE TABLE images (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        task INTEGER NOT NULL REFERENCES tasks(id),
        idx INTEGER NOT NULL,
        origin TEXT NOT NULL,
        state TEXT NOT NULL,
        stem TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL,
        path TEXT,
        sha256 TEXT,
        width INTEGER,
        height INTEGER,
        format TEXT,
        bytes INTEGER,
        starred INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        saved_at REAL,
        UNIQUE(task, idx)
    );
    CREATE INDEX images_saved_at ON images(saved_at);
    """,
    # v2: when the server finished, as well as polling can tell; polling learns from it.
    """
    ALTER TABLE tasks ADD COLUMN done_at REAL;
    """,
    # v3: "remove from list" hides a finished task; its files and history stay.
    """
    ALTER TABLE tasks ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
    """,
    # v4: the gallery. Prompts folded for case-insensitive search in any script (see
    # gallery.fold; nb_fold is registered by migrate()); deletion to the trash with the
    # time and the file's place in the trash, for undo; one index in the gallery's order.
    """
    ALTER TABLE tasks ADD COLUMN prompt_fold TEXT NOT NULL DEFAULT '';
    UPDATE tasks SET prompt_fold = nb_fold(prompt);
    ALTER TABLE images ADD COLUMN deleted_at REAL;
    ALTER TABLE images ADD COLUMN trashed_path TEXT;
    CREATE INDEX images_gallery ON images(deleted, saved_at) WHERE state = 'saved';
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_TASK_COLUMNS = (
    "id, task_id, created_at, model, prompt, refs, aspect_ratio, image_size, state, source, "
    "updated_at, submitted_at, finished_at, status_reason, texts, consumed, retry_of, "
    "callback_token, poll_count, done_at, hidden"
)
_IMAGE_COLUMNS = (
    "id, task, idx, origin, state, stem, created_at, path, sha256, width, height, format, "
    "bytes, starred, deleted, error, saved_at"
)
_UNSET: Any = object()
_FINAL_STATES = tuple(state.value for state in TaskState if state.is_final)
# SQLite's smallest default limit on bound parameters is 999: stay well under it.
_IDS_PER_QUERY = 500


class StoreError(Exception):
    """The database cannot be used; the message says what to do."""


class DamagedDatabaseError(StoreError):
    """The file is damaged or not an SQLite database at all: it can be moved aside.

    Never raised for a database that is locked or that the user may not read: moving one
    of those aside would hide a history that is still whole.
    """


# SQLite's words for a damaged file, as opposed to a busy or forbidden one.
_DAMAGED_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})

_TOO_NEW = translatable(
    "Store",
    "The history database was written by a newer version of the app (schema {found}, "
    "this app knows {known}); update the app",
)
_CANNOT_OPEN = translatable(
    "Store",
    "The history database {path} cannot be opened ({reason}); check that it is a file you "
    "may read and write",
)
_DAMAGED = translatable("Store", "The history database {path} is damaged")
_DAMAGED_BECAUSE = translatable("Store", "The history database {path} is damaged ({reason})")
_UNREADABLE = translatable("Store", "The history database {path} cannot be read: {reason}")
_CLOSED = translatable("Store", "The history database is closed")
_STILL_RUNNING = translatable(
    "Store",
    "Task {id} is {state}; it can be removed from the list once it has finished",
)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema forward to SCHEMA_VERSION; returns the version found first."""
    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        raise StoreError(_TOO_NEW.format(found=found, known=SCHEMA_VERSION))
    # Deterministic: SQLite may then use it in indexes and WHERE clauses it plans ahead.
    conn.create_function("nb_fold", 1, fold, deterministic=True)
    for version in range(found, SCHEMA_VERSION):
        with conn:
            conn.executescript(f"BEGIN; {MIGRATIONS[version]} PRAGMA user_version = {version + 1};")
    return found


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nanobanana-store")
        self._conn: sqlite3.Connection | None = None

    @classmethod
    async def open(cls, path: Path) -> Store:
        store = cls(path)
        try:
            await store._call(store._connect)
        except BaseException:
            store._executor.shutdown(wait=False)  # its thread would outlive the refusal
            raise
        return store

    def _connect(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:  # a folder in its place, or no permission: not damage
            raise StoreError(_CANNOT_OPEN.format(path=self.path, reason=exc)) from exc
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed task id or saved-image row survives power loss, and those
            # rows are what stops a resubmission or a second download after a crash.
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=5000")
            # A file that opens can still have damaged pages; quick_check reads each page
            # once (about 30 ms for 20,000 tasks, on this thread, not the UI's).
            found = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            if found != "ok":
                conn.close()
                raise DamagedDatabaseError(_DAMAGED.format(path=self.path))
            migrate(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            if exc.sqlite_errorcode in _DAMAGED_CODES:
                raise DamagedDatabaseError(
                    _DAMAGED_BECAUSE.format(path=self.path, reason=exc)
                ) from exc
            raise StoreError(_UNREADABLE.format(path=self.path, reason=exc)) from exc
        self._conn = conn

    async def close(self) -> None:
        def shut() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        await self._call(shut)
        self._executor.shutdown(wait=True)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(_CLOSED)
        return self._conn

    # ---------------------------------------------------------------- tasks

    async def add_task(
        self,
        request: GenerationRequest,
        *,
        source: str,
        retry_of: int | None = None,
        callback_token: str | None = None,
        now: float | None = None,
    ) -> TaskRecord:
        """Record a task as submitting, before anything is sent."""
        return await self._call(self._add_task, request, source, retry_of, callback_token, now)

    def _add_task(
        self,
        request: GenerationRequest,
        source: str,
        retry_of: int | None,
        callback_token: str | None,
        now: float | None,
    ) -> TaskRecord:
        at = now if now is not None else time.time()
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO tasks (created_at, updated_at, model, prompt, prompt_fold, refs, "
                "aspect_ratio, image_size, state, source, retry_of, callback_token) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    at,
                    at,
                    request.model,
                    request.prompt,
                    fold(request.prompt),
                    json.dumps(list(request.images)),
                    request.aspect_ratio,
                    request.image_size,
                    TaskState.SUBMITTING.value,
                    source,
                    retry_of,
                    callback_token,
                ),
            )
            local_id = int(cursor.lastrowid or 0)
            self._event(local_id, TaskState.SUBMITTING, at, None)
        return self._get_task(local_id)

    async def update_task(
        self,
        local_id: int,
        *,
        state: TaskState | None = None,
        task_id: str | None = _UNSET,
        submitted_at: float | None = _UNSET,
        finished_at: float | None = _UNSET,
        done_at: float | None = _UNSET,
        status_reason: str | None = _UNSET,
        texts: Sequence[str] = _UNSET,
        consumed: Decimal | None = _UNSET,
        polls: int = 0,
        detail: str | None = None,
    ) -> TaskRecord:
        """Change a task; a new state is also written to its history with the time."""
        changes: dict[str, Any] = {}
        if task_id is not _UNSET:
            changes["task_id"] = task_id
        if submitted_at is not _UNSET:
            changes["submitted_at"] = submitted_at
        if finished_at is not _UNSET:
            changes["finished_at"] = finished_at
        if done_at is not _UNSET:
            changes["done_at"] = done_at
        if status_reason is not _UNSET:
            changes["status_reason"] = status_reason
        if texts is not _UNSET:
            changes["texts"] = json.dumps(list(texts))
        if consumed is not _UNSET:
            changes["consumed"] = None if consumed is None else str(consumed)
        return await self._call(self._update_task, local_id, state, changes, polls, detail)

    def _update_task(
        self,
        local_id: int,
        state: TaskState | None,
        changes: dict[str, Any],
        polls: int,
        detail: str | None,
    ) -> TaskRecord:
        at = time.time()
        with self._db:
            current = self._get_task(local_id)
            if state is not None and state != current.state:
                changes["state"] = state.value
                self._event(local_id, state, at, detail)
            changes["updated_at"] = at
            sets = ", ".join(f"{column} = ?" for column in changes)
            self._db.execute(
                f"UPDATE tasks SET {sets}, poll_count = poll_count + ? WHERE id = ?",
                (*changes.values(), polls, local_id),
            )
        return self._get_task(local_id)

    def _event(self, local_id: int, state: TaskState, at: float, detail: str | None) -> None:
        self._db.execute(
            "INSERT INTO task_events (task, state, at, detail) VALUES (?, ?, ?, ?)",
            (local_id, state.value, at, detail),
        )

    async def get_task(self, local_id: int) -> TaskRecord:
        return await self._call(self._get_task, local_id)

    def _get_task(self, local_id: int) -> TaskRecord:
        row = self._db.execute(
            f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?",
            (local_id,),
        ).fetchone()
        if row is None:
            raise KeyError(f"no task {local_id} in the history")
        return _task(row)

    async def find_task(self, task_id: str) -> TaskRecord | None:
        return await self._call(self._task_where, "task_id", task_id)

    async def task_for_token(self, token: str) -> TaskRecord | None:
        return await self._call(self._task_where, "callback_token", token)

    async def has_callback_token(self, token: str) -> bool:
        return await self.task_for_token(token) is not None

    def _task_where(self, column: str, value: object) -> TaskRecord | None:
        row = self._db.execute(
            f"SELECT {_TASK_COLUMNS} FROM tasks WHERE {column} = ?", (value,)
        ).fetchone()
        return None if row is None else _task(row)

    async def list_tasks(
        self,
        *,
        states: Sequence[TaskState] | None = None,
        limit: int | None = None,
        include_hidden: bool = False,
    ) -> list[TaskRecord]:
        """Newest first; tasks removed from the list only when asked for.

        Only finished tasks can be hidden (see hide_task), so the lookups for unfinished
        ones that resume() makes never miss a task by leaving hidden ones out.
        """

        def query() -> list[TaskRecord]:
            sql = f"SELECT {_TASK_COLUMNS} FROM tasks"
            where: list[str] = []
            params: list[Any] = []
            if states is not None:
                where.append(f"state IN ({', '.join('?' for _ in states)})")
                params.extend(s.value for s in states)
            if not include_hidden:
                where.append("hidden = 0")
            if where:
                sql += " WHERE " + " AND ".join(where)
            sql += " ORDER BY id DESC"
            if limit is not None:
                sql += " LIMIT ?"
                params.append(limit)
            return [_task(row) for row in self._db.execute(sql, params)]

        return await self._call(query)

    async def hide_task(self, local_id: int) -> TaskRecord:
        """Take a finished task off the lists; its history and image files stay.

        Raises ValueError for an unfinished task: it is still tracked and may still be
        charged and save images, which must not happen out of the user's sight.
        """

        def hide() -> TaskRecord:
            marks = ", ".join("?" for _ in _FINAL_STATES)
            with self._db:
                changed = self._db.execute(
                    f"UPDATE tasks SET hidden = 1, updated_at = ? "
                    f"WHERE id = ? AND state IN ({marks})",
                    (time.time(), local_id, *_FINAL_STATES),
                ).rowcount
            task = self._get_task(local_id)  # KeyError for an unknown id
            if not changed:
                raise ValueError(_STILL_RUNNING.format(id=local_id, state=task.state.label))
            return task

        return await self._call(hide)

    async def recent_durations(self, limit: int = 200) -> list[tuple[str, float]]:
        """(model, seconds from submission until the server finished), newest first."""

        def query() -> list[tuple[str, float]]:
            rows = self._db.execute(
                "SELECT model, done_at - submitted_at FROM tasks "
                "WHERE done_at IS NOT NULL AND submitted_at IS NOT NULL AND state = ? "
                "ORDER BY id DESC LIMIT ?",
                (TaskState.SUCCEEDED.value, limit),
            )
            return [(str(model), float(seconds)) for model, seconds in rows]

        return await self._call(query)

    async def task_history(self, local_id: int) -> list[tuple[TaskState, float, str | None]]:
        def query() -> list[tuple[TaskState, float, str | None]]:
            rows = self._db.execute(
                "SELECT state, at, detail FROM task_events WHERE task = ? ORDER BY id", (local_id,)
            )
            return [(TaskState(s), float(at), d) for s, at, d in rows]

        return await self._call(query)

    # ---------------------------------------------------------------- images

    async def plan_image(self, local_id: int, index: int, origin: str, stem: str) -> ImageRecord:
        """Reserve the image's row and file name; idempotent for the same task and index."""

        def plan() -> ImageRecord:
            with self._db:
                self._db.execute(
                    "INSERT OR IGNORE INTO images (task, idx, origin, state, stem, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (local_id, index, origin, ImageState.PENDING.value, stem, time.time()),
                )
            return self._image_where("task = ? AND idx = ?", (local_id, index))

        return await self._call(plan)

    async def image_saved(
        self,
        image_id: int,
        *,
        path: str,
        sha256: str,
        width: int,
        height: int,
        format: str,
        size: int,
        now: float | None = None,
    ) -> ImageRecord:
        at = time.time() if now is None else now

        def save() -> ImageRecord:
            with self._db:
                self._db.execute(
                    "UPDATE images SET state = ?, path = ?, sha256 = ?, width = ?, height = ?, "
                    "format = ?, bytes = ?, error = NULL, saved_at = ? WHERE id = ?",
                    (
                        ImageState.SAVED.value,
                        path,
                        sha256,
                        width,
                        height,
                        format,
                        size,
                        at,
                        image_id,
                    ),
                )
            return self._image_where("id = ?", (image_id,))

        return await self._call(save)

    async def image_failed(self, image_id: int, state: ImageState, error: str) -> ImageRecord:
        def fail() -> ImageRecord:
            with self._db:
                self._db.execute(
                    "UPDATE images SET state = ?, error = ? WHERE id = ?",
                    (state.value, error, image_id),
                )
            return self._image_where("id = ?", (image_id,))

        return await self._call(fail)

    async def images_for(self, local_id: int) -> list[ImageRecord]:
        def query() -> list[ImageRecord]:
            rows = self._db.execute(
                f"SELECT {_IMAGE_COLUMNS} FROM images WHERE task = ? ORDER BY idx",
                (local_id,),
            )
            return [_image(row) for row in rows]

        return await self._call(query)

    async def images_for_tasks(self, local_ids: Sequence[int]) -> dict[int, list[ImageRecord]]:
        """Each task's images in order, for many tasks in a few queries (a list's first load)."""

        def query() -> dict[int, list[ImageRecord]]:
            found: dict[int, list[ImageRecord]] = {}
            ids = list(dict.fromkeys(local_ids))
            for start in range(0, len(ids), _IDS_PER_QUERY):
                chunk = ids[start : start + _IDS_PER_QUERY]
                rows = self._db.execute(
                    f"SELECT {_IMAGE_COLUMNS} FROM images "
                    f"WHERE task IN ({', '.join('?' for _ in chunk)}) ORDER BY task, idx",
                    chunk,
                )
                for row in rows:
                    image = _image(row)
                    found.setdefault(image.task, []).append(image)
            return found

        return await self._call(query)

    async def saved_images(self, *, limit: int | None = None) -> list[ImageRecord]:
        """Newest first, without deleted ones."""

        def query() -> list[ImageRecord]:
            sql = (
                f"SELECT {_IMAGE_COLUMNS} FROM images WHERE state = ? AND deleted = 0 "
                "ORDER BY saved_at DESC"
            )
            params: list[Any] = [ImageState.SAVED.value]
            if limit is not None:
                sql += " LIMIT ?"
                params.append(limit)
            return [_image(row) for row in self._db.execute(sql, params)]

        return await self._call(query)

    # ---------------------------------------------------------------- gallery

    async def gallery(
        self,
        chosen: GalleryFilter | None = None,
        *,
        limit: int = 200,
        offset: int = 0,
        after: GalleryCursor | None = None,
    ) -> list[GalleryItem]:
        """A page of saved images with their task, newest first.

        Page on with ``after=items[-1].cursor`` (images that arrive meanwhile do not shift
        the pages), or with ``offset`` for a jump to a row (they do).
        """
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset count rows; they cannot be negative")
        sql, params = gallery.page_query(chosen or GalleryFilter(), limit, offset, after)

        def query() -> list[GalleryItem]:
            return [gallery.item(row) for row in self._db.execute(sql, params)]

        return await self._call(query)

    async def gallery_count(self, chosen: GalleryFilter | None = None) -> int:
        """How many images :meth:`gallery` finds for the same filter, over all pages."""
        sql, params = gallery.count_query(chosen or GalleryFilter())

        def query() -> int:
            return int(self._db.execute(sql, params).fetchone()[0])

        return await self._call(query)

    async def gallery_models(self, chosen: GalleryFilter | None = None) -> list[tuple[str, int]]:
        """(model, images) among the images the filter finds, most images first.

        For a model menu: pass the filter without its model to list the choices.
        """
        sql, params = gallery.models_query(chosen or GalleryFilter())

        def query() -> list[tuple[str, int]]:
            return [(str(model), int(n)) for model, n in self._db.execute(sql, params)]

        return await self._call(query)

    async def gallery_items(self, image_ids: Sequence[int]) -> list[GalleryItem]:
        """These saved images (deleted ones too), newest first; unknown ids are skipped.

        For an image that has just been saved (ImageSaved carries its id).
        """
        return await self._call(self._gallery_items, list(dict.fromkeys(image_ids)))

    def _gallery_items(self, ids: list[int]) -> list[GalleryItem]:
        found: list[GalleryItem] = []
        for start in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[start : start + _IDS_PER_QUERY]
            rows = self._db.execute(gallery.items_query(len(chunk)), chunk)
            found.extend(gallery.item(row) for row in rows)
        found.sort(key=lambda i: i.cursor, reverse=True)
        return found

    async def set_starred(self, image_ids: Sequence[int], starred: bool) -> int:
        """Star or unstar images; returns how many changed (already so: not counted)."""
        ids = list(dict.fromkeys(image_ids))

        def change() -> int:
            changed = 0
            with self._db:
                for start in range(0, len(ids), _IDS_PER_QUERY):
                    chunk = ids[start : start + _IDS_PER_QUERY]
                    changed += self._db.execute(
                        f"UPDATE images SET starred = ? WHERE starred != ? "
                        f"AND id IN ({', '.join('?' for _ in chunk)})",
                        (int(starred), int(starred), *chunk),
                    ).rowcount
            return changed

        return await self._call(change)

    async def mark_deleted(
        self,
        image_ids: Sequence[int],
        *,
        trashed_paths: Mapping[int, str] | None = None,
        now: float | None = None,
    ) -> list[GalleryItem]:
        """Take images out of the gallery after their files went to the trash.

        ``trashed_paths``: where each file is now, when the trash said (QFile.moveToTrash
        does on most systems), so that a later undo can move it back to ``item.path``.
        The rows stay, with their history; :meth:`restore` brings them back. Returns the
        images as they now stand (``deleted`` set). Only saved images can be deleted.
        """
        ids = list(dict.fromkeys(image_ids))
        paths = dict(trashed_paths or {})
        at = time.time() if now is None else now

        def delete() -> list[GalleryItem]:
            with self._db:
                self._db.executemany(
                    "UPDATE images SET deleted = 1, deleted_at = ?, trashed_path = ? "
                    "WHERE id = ? AND state = ?",
                    [(at, paths.get(i), i, ImageState.SAVED.value) for i in ids],
                )
            return self._gallery_items(ids)

        return await self._call(delete)

    async def restore(self, image_ids: Sequence[int]) -> list[GalleryItem]:
        """Undo :meth:`mark_deleted`: the images are in the gallery again.

        Move each file back from ``trashed_path`` to its ``path`` first; restore only the
        ones that made it, so that the gallery never lists a file that is not there.
        """
        ids = list(dict.fromkeys(image_ids))

        def undo() -> list[GalleryItem]:
            with self._db:
                self._db.executemany(
                    "UPDATE images SET deleted = 0, deleted_at = NULL, trashed_path = NULL "
                    "WHERE id = ? AND deleted = 1",
                    [(i,) for i in ids],
                )
            return self._gallery_items(ids)

        return await self._call(undo)

    def _image_where(self, where: str, params: tuple[Any, ...]) -> ImageRecord:
        row = self._db.execute(
            f"SELECT {_IMAGE_COLUMNS} FROM images WHERE {where}",
            params,
        ).fetchone()
        if row is None:
            raise KeyError("no such image")
        return _image(row)


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _task(row: tuple[Any, ...]) -> TaskRecord:
    (
        id_,
        task_id,
        created_at,
        model,
        prompt,
        refs,
        aspect_ratio,
        image_size,
        state,
        source,
        updated_at,
        submitted_at,
        finished_at,
        status_reason,
        texts,
        consumed,
        retry_of,
        callback_token,
        poll_count,
        done_at,
        hidden,
    ) = row
    return TaskRecord(
        id=int(id_),
        task_id=task_id,
        created_at=float(created_at),
        model=model,
        prompt=prompt,
        references=tuple(json.loads(refs)),
        aspect_ratio=aspect_ratio,
        image_size=image_size,
        state=TaskState(state),
        source=source,
        updated_at=float(updated_at),
        submitted_at=submitted_at,
        finished_at=finished_at,
        status_reason=status_reason,
        texts=tuple(json.loads(texts)),
        consumed=_decimal(consumed),
        retry_of=retry_of,
        callback_token=callback_token,
        poll_count=int(poll_count),
        done_at=done_at,
        hidden=bool(hidden),
    )


def _image(row: tuple[Any, ...]) -> ImageRecord:
    (
        id_,
        task,
        idx,
        origin,
        state,
        stem,
        created_at,
        path,
        sha256,
        width,
        height,
        fmt,
        size,
        starred,
        deleted,
        error,
        saved_at,
    ) = row
    return ImageRecord(
        id=int(id_),
        task=int(task),
        index=int(idx),
        origin=origin,
        state=ImageState(state),
        stem=stem,
        created_at=float(created_at),
        path=path,
        sha256=sha256,
        width=width,
        height=height,
        format=fmt,
        bytes=size,
        starred=bool(starred),
        deleted=bool(deleted),
        error=error,
        saved_at=saved_at,
    )
