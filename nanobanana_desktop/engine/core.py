"""The engine: submits, tracks every task to its end, and saves every image at once.

One Engine per process owns the API client, the store, the image-host client, the
optional webhook receiver and one tracking coroutine per unfinished task. The window and
the command line drive the same engine over the same profile.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import httpx

from ..api import (
    ApiError,
    AuthenticationError,
    GenerationRequest,
    NanoBananaClient,
    NanoBananaError,
    NotFoundError,
    OutcomeUnknownError,
    TaskSnapshot,
    TaskStatus,
    TransportError,
    validate_request,
)
from ..messages import translatable
from .downloads import (
    DownloadError,
    SourceExpired,
    StorageError,
    image_http_client,
    stage_image,
    storage_error,
)
from .events import (
    BalanceChanged,
    ConnectionChanged,
    EventBus,
    ImageFailed,
    ImageSaved,
    TaskAdded,
    TaskChanged,
)
from .library import commit_file, existing_file, plan_stem, sha256_file, sweep_partials
from .metadata import ImageMetadata
from .polling import DurationBook, PollPolicy
from .preview import library_file
from .records import ImageRecord, ImageState, TaskRecord, TaskState
from .store import Store
from .thumbnails import PREVIEW_SIZE, SAVE_SIZES, ThumbnailCache, ThumbnailError
from .webhooks import CallbackEvent, WebhookReceiver

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

_LOST_SUBMISSION = translatable(
    "Engine",
    "The app stopped while this task was being sent; it may have "
    "been created and charged. Check your account, or resubmit it.",
)
_OFFLINE = translatable("Engine", "Offline, retrying: {reason}")
_GONE = translatable("Engine", "The server no longer knows this task ({reason})")
_KEY_WAIT = translatable("Engine", "{reason}; tasks wait until the key works again")
_CONNECTED = translatable("Engine", "Connected")
_SERVER_FAILED = translatable("Engine", "The server reported a failure")
_WORDS = translatable("Engine", "The model answered in words instead of an image: {text}")
_NO_IMAGE_SENT = translatable("Engine", "The server reported success but sent no image")
_SOME_LOST = translatable("Engine", "{lost} of {total} images could not be saved")
_NONE_SAVED = translatable("Engine", "No image could be saved")
_NOT_WRITTEN = translatable("Engine", "The image could not be written to {folder}: {reason}")

_SERVER_STATES = {
    TaskStatus.PENDING: TaskState.PENDING,
    TaskStatus.SUBMITTED: TaskState.SUBMITTED,
    TaskStatus.IN_PROGRESS: TaskState.IN_PROGRESS,
}


class _Written(NamedTuple):
    """A library file as the store records it."""

    path: Path
    sha256: str
    size: int
    width: int
    height: int
    format: str


@dataclass
class EngineOptions:
    source: str = "window"
    poll_policy: PollPolicy = field(default_factory=PollPolicy)
    max_polls_in_flight: int = 4
    max_downloads_in_flight: int = 3
    # Webhooks: the public URL the user's tunnel forwards to the local receiver's port.
    webhook_public_url: str | None = None
    webhook_port: int = 0
    # The thumbnail cache: each saved image's thumbnails at SAVE_SIZES are made there from
    # the pixels its download check decoded, before the window hears of it. None: not made.
    thumbnail_folder: Path | None = None


class Engine:
    def __init__(
        self,
        client: NanoBananaClient,
        store: Store,
        library: Path,
        *,
        options: EngineOptions | None = None,
        image_http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.store = store
        self.library = library
        self.options = options or EngineOptions()
        self.events = EventBus()
        self._clock = clock
        self._image_http = image_http or image_http_client()
        folder = self.options.thumbnail_folder
        self.thumbnails = ThumbnailCache(folder) if folder is not None else None
        self._poll_slots = asyncio.Semaphore(self.options.max_polls_in_flight)
        self._download_slots = asyncio.Semaphore(self.options.max_downloads_in_flight)
        self._trackers: dict[int, asyncio.Task[None]] = {}
        self._wake: dict[int, asyncio.Event] = {}
        self._settled: dict[int, asyncio.Event] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._online = True
        self.durations = DurationBook()
        self._polls: dict[int, int] = {}  # polls not yet written to the store
        # Task ids that callbacks named for tasks whose POST has not answered yet.
        self._claims: dict[int, str] = {}
        self._fetch_again: set[int] = set()  # images whose download waits on the network
        self._called_back: set[int] = set()  # tasks a callback said have ended
        self.webhooks: WebhookReceiver | None = None
        if self.options.webhook_public_url:
            self.webhooks = WebhookReceiver(
                self.options.webhook_public_url,
                port=self.options.webhook_port,
                lookup=self.store.has_callback_token,
                on_callback=self._on_callback,
            )

    # ------------------------------------------------------------ lifecycle

    async def start(self, *, resume: bool = True) -> list[TaskRecord]:
        """Start the receiver and, unless told not to, pick up every unfinished task."""
        if self.webhooks is not None:
            await self.webhooks.start()
        for model, seconds in reversed(await self.store.recent_durations()):
            self.durations.add(model, seconds)
        return await self.resume() if resume else []

    async def close(self) -> None:
        """Stop tracking (unfinished tasks resume at the next start) and release everything."""
        tasks = [*self._trackers.values(), *self._background]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.webhooks is not None:
            await self.webhooks.stop()
        await self._image_http.aclose()

    async def resume(self) -> list[TaskRecord]:
        """After a start or a crash: lost submissions are marked, the rest tracked again."""
        resumed = []
        for record in await self.store.list_tasks(states=[TaskState.SUBMITTING]):
            # The process died while the POST was out: the task may exist and be charged.
            await self._set(
                record.id,
                state=TaskState.UNKNOWN,
                status_reason=_LOST_SUBMISSION,
            )
        tracked = [state for state in TaskState if state.needs_tracking]
        records = await self.store.list_tasks(states=tracked)
        await self._sweep_partials([r.id for r in records if r.state is TaskState.DOWNLOADING])
        for record in records:
            if record.task_id is not None:
                self._track(record.id)
                resumed.append(record)
        return resumed

    async def _sweep_partials(self, downloading: list[int]) -> None:
        """Remove what a crash left half-written where these tasks' images go."""
        planned = await self.store.images_for_tasks(downloading)
        folders = {
            (self.library / image.stem).parent
            for images in planned.values()
            for image in images
            if image.state is ImageState.PENDING
        }
        removed = await asyncio.to_thread(
            lambda: [path for folder in sorted(folders) for path in sweep_partials(folder)]
        )
        if removed:
            log.info("removed %d partial file(s) left by an earlier run", len(removed))

    # ------------------------------------------------------------ commands

    async def submit(
        self, request: GenerationRequest, *, retry_of: int | None = None
    ) -> TaskRecord:
        """Record, then send. Returns the task as it stands after the POST's answer.

        Invalid requests raise RequestValidationError before anything is recorded.
        """
        validate_request(request)
        token = WebhookReceiver.new_token() if self.webhooks is not None else None
        record = await self.store.add_task(
            request, source=self.options.source, retry_of=retry_of, callback_token=token
        )
        # wait() on this task must block from now on, not only once tracking starts.
        settled = self._settled.setdefault(record.id, asyncio.Event())
        settled.clear()
        self.events.publish(TaskAdded(record))
        if self.webhooks is not None and token is not None:
            request = dataclasses.replace(request, callback_url=self.webhooks.callback_url(token))
        try:
            task_id = await self.client.generate(request)
        except OutcomeUnknownError as exc:
            settled.set()
            lost = await self._set(record.id, state=TaskState.UNKNOWN, status_reason=str(exc))
            claimed = self._claims.pop(record.id, None)
            if claimed is None:
                return lost
            # Its callback came before the failure was known: that names the task.
            return await self._claim(lost, claimed)
        except NanoBananaError as exc:
            self._claims.pop(record.id, None)
            settled.set()
            # Refused or never delivered: the server created nothing and charged nothing.
            return await self._set(
                record.id, state=TaskState.FAILED, status_reason=str(exc), finished_at=self._clock()
            )
        self._claims.pop(record.id, None)
        record = await self._set(
            record.id, state=TaskState.PENDING, task_id=task_id, submitted_at=self._clock()
        )
        self._track(record.id)
        return record

    async def retry(self, local_id: int) -> TaskRecord:
        """A new task with the same parameters, linked to the old one."""
        old = await self.store.get_task(local_id)
        return await self.submit(old.request(), retry_of=old.id)

    async def hide_task(self, local_id: int) -> TaskRecord:
        """Remove a finished task from the lists; its images and history stay.

        Raises ValueError for an unfinished one: it keeps running, and may be charged and
        save images, so it stays in sight until it ends.
        """
        record = await self.store.hide_task(local_id)
        self.events.publish(TaskChanged(record))
        return record

    def poll_now(self, local_id: int) -> None:
        """Ask the API about a task at once (a callback came, or the user asked)."""
        if local_id in self._wake and local_id in self._trackers:
            self._wake[local_id].set()
        else:
            self._track(local_id)

    async def wait(self, local_id: int) -> TaskRecord:
        """Until the task is final, stalled, or blocked on the disk."""
        settled = self._settled.get(local_id)
        if settled is not None:
            await settled.wait()
        return await self.store.get_task(local_id)

    async def wait_all(self) -> None:
        while self._trackers:
            await asyncio.gather(*self._trackers.values(), return_exceptions=True)

    async def refresh_balance(self) -> None:
        try:
            credit = await self.client.balance()
        except NanoBananaError as exc:
            log.info("balance not refreshed: %s", exc)
            return
        self.events.publish(BalanceChanged(credit))

    # ------------------------------------------------------------ tracking

    def _track(self, local_id: int) -> None:
        if local_id in self._trackers:
            return
        self._wake[local_id] = asyncio.Event()
        self._settled.setdefault(local_id, asyncio.Event()).clear()
        tracker = asyncio.get_running_loop().create_task(
            self._follow(local_id), name=f"track-{local_id}"
        )
        self._trackers[local_id] = tracker
        tracker.add_done_callback(lambda _t: self._tracker_done(local_id))

    def _tracker_done(self, local_id: int) -> None:
        self._called_back.discard(local_id)
        self._trackers.pop(local_id, None)
        self._wake.pop(local_id, None)
        self._settled.setdefault(local_id, asyncio.Event()).set()

    async def _follow(self, local_id: int) -> None:
        try:
            record = await self.store.get_task(local_id)
            if record.task_id is None or record.state.is_final:
                return
            if record.state is TaskState.STALLED:
                # Asked for by the user: one look, and it stays stalled unless it is done.
                await self._poll_once(record, stalled=True)
                return
            await self._poll_until_final(record)
        except asyncio.CancelledError:
            raise
        except Exception:  # a tracker must never die silently: log and leave it resumable
            log.exception("tracking task %s failed", local_id)

    async def _poll_until_final(self, record: TaskRecord) -> None:
        policy = self.options.poll_policy
        polls = 0
        previous: float | None = None  # when we last heard "not done yet"
        while True:
            elapsed = self._clock() - (record.submitted_at or record.created_at)
            downloading = record.state is TaskState.DOWNLOADING
            if not downloading and policy.stalled(elapsed):
                await self._set(record.id, state=TaskState.STALLED)
                return
            if downloading and polls > 0:
                # The network or the image host failed: try again at the polling pace, as
                # long as it takes (an expired link ends it), with no one asking.
                await self._sleep_or_wake(record.id, policy.delay(elapsed, polls))
            elif not downloading:
                delay = policy.delay(
                    elapsed,
                    polls,
                    webhooks=self.webhooks is not None,
                    schedule=self.durations.schedule(record.model),
                    earliest=self.durations.earliest(record.model),
                    called_back=record.id in self._called_back,
                )
                if await self._sleep_or_wake(record.id, delay):
                    previous = None  # a callback: the task has only just finished
            record, done = await self._poll_once(record, previous)
            previous = self._clock()
            polls += 1
            if done:
                return

    async def _sleep_or_wake(self, local_id: int, delay: float) -> bool:
        """Wait ``delay`` seconds or until woken; True when woken."""
        wake = self._wake[local_id]
        try:
            # Not wait_for: on Python 3.11 it swallows a cancel that arrives as the wake-up
            # does, and the tracker then outlives close() by a whole poll.
            async with asyncio.timeout(delay):
                await wake.wait()
        except TimeoutError:
            return False
        finally:
            wake.clear()
        return True

    async def _poll_once(
        self, record: TaskRecord, previous: float | None = None, *, stalled: bool = False
    ) -> tuple[TaskRecord, bool]:
        """One query and what follows from it; True when tracking is over.

        ``previous``: when the task was last seen unfinished, to date its end between.
        """
        assert record.task_id is not None
        try:
            # The slots cap queries on the wire, not their waits between retries: under a
            # storm of 500s, a few polls sleeping in them would hold up every other task.
            snapshot = await self.client.query(
                record.task_id, submitted_at=record.submitted_at, slots=self._poll_slots
            )
        except NotFoundError as exc:
            if exc.code is None:
                # No API envelope (a proxy's page, a garbled answer): that is not the API
                # saying the task is gone, so it is asked again.
                self._connection(False, _OFFLINE.format(reason=exc))
                return record, False
            failed = await self._set(
                record.id,
                state=TaskState.FAILED,
                finished_at=self._clock(),
                status_reason=_GONE.format(reason=exc),
            )
            return failed, True
        except AuthenticationError as exc:
            self._connection(False, _KEY_WAIT.format(reason=exc))
            return record, False
        except (TransportError, ApiError) as exc:
            self._connection(False, _OFFLINE.format(reason=exc))
            return record, False
        finally:
            self._polls[record.id] = self._polls.get(record.id, 0) + 1
        self._connection(True, _CONNECTED)
        if not snapshot.is_final:
            state = TaskState.STALLED if stalled else _SERVER_STATES[snapshot.status]
            if state is record.state:
                # Nothing new: no write. Hundreds of tasks poll; each commit is an fsync.
                return record, False
            return await self._set(record.id, state=state), False
        now = self._clock()
        # It finished between the last "not yet" and now; the midpoint is the fair guess.
        done_at = now if previous is None else (previous + now) / 2
        if record.state is TaskState.DOWNLOADING:
            # Seen finished before (a download tried again, a restart): its times stand.
            record, fetch_again = await self._save_results(record, snapshot)
            return record, not fetch_again
        if snapshot.status is TaskStatus.FAILED:
            failed = await self._set(
                record.id,
                state=TaskState.FAILED,
                finished_at=now,
                consumed=snapshot.consumed,
                status_reason=snapshot.status_reason or _SERVER_FAILED,
            )
            if record.submitted_at is not None:
                self.durations.add_failure(record.model, done_at - record.submitted_at)
            self._after_final()
            return failed, True
        record = await self._set(
            record.id,
            state=TaskState.DOWNLOADING,
            consumed=snapshot.consumed,
            texts=snapshot.texts,
            done_at=done_at,
        )
        if record.submitted_at is not None:
            self.durations.add(record.model, done_at - record.submitted_at)
        self._after_final()
        record, fetch_again = await self._save_results(record, snapshot)
        # Still DOWNLOADING and not fetched again soon: the disk refused, and the next
        # start tries again.
        return record, not fetch_again

    # ------------------------------------------------------------ images

    async def _save_results(
        self, record: TaskRecord, snapshot: TaskSnapshot
    ) -> tuple[TaskRecord, bool]:
        """Save every image; True when some wait on the network and are fetched again soon."""
        if not snapshot.images:
            reason = (
                _WORDS.format(text=" ".join(snapshot.texts)) if snapshot.texts else _NO_IMAGE_SENT
            )
            failed = await self._set(
                record.id, state=TaskState.FAILED, finished_at=self._clock(), status_reason=reason
            )
            return failed, False
        outcomes = await asyncio.gather(
            *(self._save_one(record, index, source) for index, source in enumerate(snapshot.images))
        )
        blocked = [image for image in outcomes if image.state is ImageState.PENDING]
        offline = {image.id for image in blocked if image.id in self._fetch_again}
        self._fetch_again.difference_update(offline)
        if blocked:
            # The images stay planned: a storage problem waits for the next start, a
            # network one for the next attempt, and the disk's message is the one shown.
            shown = next((i for i in blocked if i.id not in offline), blocked[0])
            waiting = await self._set(record.id, status_reason=shown.error)
            return waiting, len(offline) == len(blocked)
        saved = [image for image in outcomes if image.state is ImageState.SAVED]
        if saved:
            lost = len(outcomes) - len(saved)
            note = _SOME_LOST.format(lost=lost, total=len(outcomes)) if lost else None
            done = await self._set(
                record.id,
                state=TaskState.SUCCEEDED,
                finished_at=self._clock(),
                status_reason=note,
            )
            return done, False
        failed = await self._set(
            record.id,
            state=TaskState.FAILED,
            finished_at=self._clock(),
            status_reason=outcomes[0].error or _NONE_SAVED,
        )
        return failed, False

    async def _save_one(self, record: TaskRecord, index: int, source: str) -> ImageRecord:
        origin = "inline" if source.startswith("data:") else source
        stem = plan_stem(record.created_at, record.prompt, record.id, index)
        image = await self.store.plan_image(record.id, index, origin, stem)
        if image.state is not ImageState.PENDING:
            return image
        found = await asyncio.to_thread(existing_file, self.library, image.stem)
        if found is not None:
            # Saved before a crash, not yet recorded: adopt the file, never fetch twice.
            return await self._adopt(record, image, found)
        try:
            async with self._download_slots:
                folder = (self.library / image.stem).parent
                try:
                    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
                except OSError as exc:
                    raise storage_error(exc, folder) from None
                staged = await stage_image(
                    source,
                    folder,
                    http=self._image_http,
                    # The largest is the preview embedded in the file, cache or not.
                    thumbnail_sizes=SAVE_SIZES if self.thumbnails is not None else (PREVIEW_SIZE,),
                )
                written = await asyncio.to_thread(
                    self._commit,
                    record,
                    image,
                    staged.temp_path,
                    staged.format,
                    staged.width,
                    staged.height,
                    staged.thumbnails,
                )
        except StorageError as exc:
            image = dataclasses.replace(image, error=str(exc))
            self.events.publish(ImageFailed(record, image, str(exc)))
            return image
        except OSError as exc:
            message = _NOT_WRITTEN.format(folder=self.library, reason=exc.strerror or exc)
            image = dataclasses.replace(image, error=message)
            self.events.publish(ImageFailed(record, image, message))
            return image
        except DownloadError as exc:
            if exc.transient:
                # The network or the image host failed; the link may work in a moment.
                self._fetch_again.add(image.id)
                image = dataclasses.replace(image, error=str(exc))
                self.events.publish(ImageFailed(record, image, str(exc)))
                return image
            state = ImageState.EXPIRED if isinstance(exc, SourceExpired) else ImageState.FAILED
            image = await self.store.image_failed(image.id, state, str(exc))
            self.events.publish(ImageFailed(record, image, str(exc)))
            return image
        return await self._adopt(record, image, written.path, staged.thumbnails, written)

    def _commit(
        self,
        record: TaskRecord,
        image: ImageRecord,
        staged: Path,
        fmt: str,
        width: int,
        height: int,
        thumbnails: Mapping[int, Image.Image],
    ) -> _Written:
        """Embed the metadata and the preview, and move the file into place (runs in a
        worker thread). What was written is described from the bytes in hand, so the file
        is not read back."""
        try:
            data = staged.read_bytes()
            # Data URIs in the references become "inline:<sha256>" stand-ins.
            meta = ImageMetadata.from_request(
                record.request(),
                task_id=record.task_id,
                local_task_id=record.id,
                image_index=image.index,
                consumed=record.consumed,
                created_at=datetime.fromtimestamp(record.created_at, UTC),
                width=width,
                height=height,
            )
            label = f"task {record.id} image {image.index}"
            data = library_file(data, meta, thumbnails, label=label)
            path = commit_file(self.library, image.stem, fmt, data)
            digest = hashlib.sha256(data).hexdigest()
            return _Written(path, digest, len(data), width, height, fmt)
        finally:
            with contextlib.suppress(OSError):
                staged.unlink()

    async def _adopt(
        self,
        record: TaskRecord,
        image: ImageRecord,
        path: Path,
        thumbnails: Mapping[int, Image.Image] | None = None,
        written: _Written | None = None,
    ) -> ImageRecord:
        """Record a file in the library: one just ``written``, or one found on disk (saved
        before a crash), which is read to describe it."""

        def describe() -> _Written:
            found = written
            if found is None:
                from PIL import Image

                with Image.open(path) as opened:
                    width, height, fmt = opened.width, opened.height, opened.format or "PNG"
                found = _Written(path, sha256_file(path), path.stat().st_size, width, height, fmt)
            if thumbnails and self.thumbnails is not None:
                # Before ImageSaved: the window's first look at the image finds them.
                try:
                    self.thumbnails.put(thumbnails, sha256=found.sha256)
                except ThumbnailError as exc:
                    log.warning("thumbnails of %s not cached: %s", path.name, exc)
            return found

        file = await asyncio.to_thread(describe)
        saved = await self.store.image_saved(
            image.id,
            path=path.relative_to(self.library).as_posix(),
            sha256=file.sha256,
            width=file.width,
            height=file.height,
            format=file.format,
            size=file.size,
        )
        self.events.publish(ImageSaved(record, saved, str(path)))
        return saved

    # ------------------------------------------------------------ plumbing

    async def _set(self, local_id: int, **changes: Any) -> TaskRecord:
        polls = self._polls.pop(local_id, 0)
        record = await self.store.update_task(local_id, polls=polls, **changes)
        self.events.publish(TaskChanged(record))
        return record

    async def _claim(self, record: TaskRecord, task_id: str) -> TaskRecord:
        """Follow a task that only its callback named, once the API confirms it is ours."""
        try:
            # A 404 in the first seconds means "not indexed yet", as for any new task;
            # later it means the id is not one of this account's tasks, whoever posted it.
            await self.client.query(task_id, submitted_at=record.created_at)
        except NanoBananaError as exc:
            if isinstance(exc, NotFoundError) and exc.code is not None:
                log.warning("a callback for task %s names a task the API does not know", record.id)
                return record
            log.info("task %s not confirmed yet (%s); tracking asks again", record.id, exc)
        log.info("task %s found through its callback", record.id)
        record = await self._set(
            record.id,
            state=TaskState.PENDING,
            task_id=task_id,
            submitted_at=record.created_at,
            status_reason=None,
        )
        self._track(record.id)
        return record

    def _connection(self, online: bool, message: str) -> None:
        if online != self._online:
            self._online = online
            self.events.publish(ConnectionChanged(online, message))

    def _after_final(self) -> None:
        task = asyncio.get_running_loop().create_task(self.refresh_balance())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _on_callback(self, event: CallbackEvent) -> None:
        record = await self.store.task_for_token(event.token)
        if record is None:
            return
        if record.task_id is None:
            # The POST's answer never came (or the app stopped while it was out): the
            # callback is the one place the server still says which task it made.
            self._claims[record.id] = event.snapshot.task_id
            if record.state is TaskState.SUBMITTING:
                # submit() takes the claim when the POST fails, unless it has failed while
                # this callback was being read: the store answers in order, so look again.
                record = await self.store.get_task(record.id)
            if record.state is TaskState.SUBMITTING:
                return  # the POST is still out: submit() takes the claim when it ends
            claimed = self._claims.pop(record.id, None)
            if claimed is not None and record.state is TaskState.UNKNOWN:
                await self._claim(record, claimed)
            return
        if event.snapshot.task_id != record.task_id:
            log.warning("callback for task %s names another task id; ignored", record.id)
            return
        # The callback only says "look now": the API's own answer is what counts.
        log.info("callback for task %s (%s)", record.id, event.snapshot.status)
        self._called_back.add(record.id)
        self.poll_now(record.id)
