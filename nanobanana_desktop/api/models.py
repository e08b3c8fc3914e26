"""Requests, snapshots and the vocabulary of the API, as frozen dataclasses."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

DOCUMENTED_MODELS: tuple[str, ...] = ("google/gempix2", "google/gemini-2.5-flash-image")
# Seen in public clients of the same API; the server decides what it accepts.
KNOWN_MODELS: tuple[str, ...] = (
    *DOCUMENTED_MODELS,
    "google/nano-banana",
    "google/nano-banana-pro",
    "google/nano-banana-2",
    "google/gemini-3.1-flash-image-preview",
)
# Only the "Pro" generation takes an output size; the others answer at 1K.
MODELS_WITH_IMAGE_SIZE: frozenset[str] = frozenset(
    {
        "google/gempix2",
        "google/nano-banana-pro",
        "google/nano-banana-2",
        "google/gemini-3.1-flash-image-preview",
    }
)
ASPECT_RATIOS: tuple[str, ...] = (
    "auto",
    "1:1",
    "16:9",
    "21:9",
    "2:3",
    "3:2",
    "3:4",
    "4:3",
    "4:5",
    "5:4",
    "9:16",
)
IMAGE_SIZES: tuple[str, ...] = ("1K", "2K", "4K")
MAX_REFERENCES = 4
MAX_REFERENCE_DATA_URI_BYTES = 5 * 1024 * 1024


class TaskStatus(enum.StrEnum):
    PENDING = "pending"
    SUBMITTED = "submitted"
    IN_PROGRESS = "in_progress"
    SUCCESS = "success"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self in (TaskStatus.SUCCESS, TaskStatus.FAILED)


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """What ``POST /api/image/gen`` takes. Validate with :func:`validate_request`."""

    model: str
    prompt: str
    images: tuple[str, ...] = ()
    aspect_ratio: str | None = None
    image_size: str | None = None
    callback_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The body, with optional fields only where they are set."""
        body: dict[str, Any] = {"model": self.model.strip(), "prompt": self.prompt}
        if self.images:
            body["images"] = list(self.images)
        if self.aspect_ratio:
            body["aspect_ratio"] = self.aspect_ratio
        if self.image_size:
            body["image_size"] = self.image_size.upper()
        if self.callback_url:
            body["callback_url"] = self.callback_url
        return body

    def __repr__(self) -> str:
        # References can be megabytes of base64: a repr that prints them floods logs.
        refs = [r if len(r) <= 80 else f"{r[:40]}…({len(r)} chars)" for r in self.images]
        return (
            f"GenerationRequest(model={self.model!r}, prompt={self.prompt[:60]!r}, "
            f"images={refs!r}, aspect_ratio={self.aspect_ratio!r}, "
            f"image_size={self.image_size!r}, callback_url={self.callback_url!r})"
        )


@dataclass(frozen=True, slots=True)
class TaskSnapshot:
    """One answer of ``GET /api/task/query`` (or a callback), parsed.

    ``indexed`` is False when the server did not know the task yet but it was submitted
    so recently that this is expected; the status then reads ``pending``.
    """

    task_id: str
    status: TaskStatus
    images: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    consumed: Decimal | None = None
    status_reason: str | None = None
    created_at: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    indexed: bool = True

    @property
    def is_final(self) -> bool:
        return self.status.is_final

    @property
    def is_text_only(self) -> bool:
        """A success that holds words but no image: the model declined or explained."""
        return self.status is TaskStatus.SUCCESS and not self.images and bool(self.texts)
