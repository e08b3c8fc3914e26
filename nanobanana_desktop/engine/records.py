"""What the engine remembers about tasks and images: plain frozen records."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from ..api import GenerationRequest
from ..messages import translatable


class TaskState(enum.StrEnum):
    SUBMITTING = "submitting"  # recorded; the POST may be on its way
    UNKNOWN = "outcome_unknown"  # sent, but no answer: it may exist and be charged
    PENDING = "pending"
    SUBMITTED = "submitted"
    IN_PROGRESS = "in_progress"
    DOWNLOADING = "downloading"  # the server succeeded; images are being saved
    STALLED = "stalled"  # still running on the server after a long time; polled on demand
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self in (TaskState.SUCCEEDED, TaskState.FAILED, TaskState.UNKNOWN)

    @property
    def needs_tracking(self) -> bool:
        """States a restart must pick up again."""
        return self in (
            TaskState.PENDING,
            TaskState.SUBMITTED,
            TaskState.IN_PROGRESS,
            TaskState.DOWNLOADING,
            TaskState.STALLED,
        )

    @property
    def label(self) -> str:
        return _LABELS[self]


# What the lists and the command line call each state; the UI shows them translated.
_LABELS = {
    TaskState.SUBMITTING: translatable("TaskState", "sending"),
    TaskState.UNKNOWN: translatable("TaskState", "outcome unknown: may have been charged"),
    TaskState.PENDING: translatable("TaskState", "waiting"),
    TaskState.SUBMITTED: translatable("TaskState", "queued"),
    TaskState.IN_PROGRESS: translatable("TaskState", "generating"),
    TaskState.DOWNLOADING: translatable("TaskState", "saving"),
    TaskState.STALLED: translatable("TaskState", "still running on the server"),
    TaskState.SUCCEEDED: translatable("TaskState", "done"),
    TaskState.FAILED: translatable("TaskState", "failed"),
}


class ImageState(enum.StrEnum):
    PENDING = "pending"
    SAVED = "saved"
    EXPIRED = "expired"  # the link died at the source before we had it
    FAILED = "failed"


@dataclass(frozen=True)
class TaskRecord:
    id: int
    task_id: str | None
    created_at: float
    model: str
    prompt: str
    references: tuple[str, ...]
    aspect_ratio: str | None
    image_size: str | None
    state: TaskState
    source: str  # "window" or "cli"
    updated_at: float
    submitted_at: float | None = None
    finished_at: float | None = None
    status_reason: str | None = None
    texts: tuple[str, ...] = ()
    consumed: Decimal | None = None
    retry_of: int | None = None
    callback_token: str | None = None
    poll_count: int = 0
    done_at: float | None = None  # when the server finished, as closely as polling can tell
    hidden: bool = False  # removed from the lists by the user; its files and history stay

    def request(self) -> GenerationRequest:
        return GenerationRequest(
            model=self.model,
            prompt=self.prompt,
            images=self.references,
            aspect_ratio=self.aspect_ratio,
            image_size=self.image_size,
        )


@dataclass(frozen=True)
class ImageRecord:
    id: int
    task: int
    index: int
    origin: str  # the source URL, or "inline" for a data URI
    state: ImageState
    stem: str  # the planned path without extension, relative to the library
    created_at: float
    path: str | None = None  # relative to the library, once saved
    sha256: str | None = None
    width: int | None = None
    height: int | None = None
    format: str | None = None
    bytes: int | None = None
    starred: bool = False
    deleted: bool = False
    error: str | None = None
    saved_at: float | None = None
