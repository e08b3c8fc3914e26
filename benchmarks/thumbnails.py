"""Thumbnails per second: the engine's ThumbnailCache against a naive Pillow loop.

Pictures are made here with Pillow in a temporary folder: 1K, 2K and 4K squares (1024,
2048 and 4096 px, the sizes the API returns at 1:1), as PNG (zlib level 6, Pillow's
default) and JPEG (quality 92), photo-like (smooth colour fields, mid-frequency texture and
sensor-like grain) so that PNG sizes are realistic: about 2, 8 and 33 MB. Every file has
its own grain, so no two share a digest. Each picture is written twice:

- as a library file: through ``preview.library_file``, the function the engine writes
  every downloaded image with (its metadata, and a 320 px preview made by ``shrink_each``
  from the pixels the download check decoded). Every image in the gallery is one of
  these; the goal is judged on them;
- as a foreign file: the plain Pillow file, without metadata or preview, as an image from
  elsewhere or one saved by an older version would be. Reported on rows of their own.

Measured per repeat, on the same files, in this process, taking turns in a rotating
order so that machine noise hits all alike:

- naive: ``im = Image.open(p); im.thumbnail((256, 256))``, one file after another;
- decode: ``Image.open`` and ``load()`` (after ``draft()`` for JPEG, as ``thumbnail()``
  does): what any correct thumbnail of the file must pay, the floor;
- cold, 1 thread: ``ThumbnailCache.pixels(p, 256, sha256=...)`` on an empty cache, one
  after another (decode, shrink, orient, colour-manage, write the cache file);
- cold, app pool: the same calls through ``run_blocking``, all at once, as the window
  makes them (the app's pool of 4 threads; Pillow releases the GIL while decoding);
- warm, 1 thread and app pool: the same calls again, answered from the cache; for
  library files, from their previews again (a thumbnail made from a preview is not
  copied to the cache, which would be slower to read), so warm is cold there.

Naive reads the same files as the variant it is compared with. Reports thumbnails per
second (median over the repeats) and the ratio to naive (median of each repeat's ratio).
Goal: cold at least 2x naive for JPEG and for 4K PNG, on library files.

``--quick``: 1K and 2K only, 2 files each, 2 repeats.

    python benchmarks/thumbnails.py [--repeats 5] [--files 8] [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageChops
from protocol import Figure, Results, add_arguments, compared, write

from nanobanana_desktop.blocking import run_blocking
from nanobanana_desktop.engine.metadata import ImageMetadata
from nanobanana_desktop.engine.preview import library_file
from nanobanana_desktop.engine.thumbnails import SAVE_SIZES, ThumbnailCache, shrink_each

SIZE = 256
GOAL = 2.0
RESOLUTIONS = {"1K": 1024, "2K": 2048, "4K": 4096}
FORMATS = {"PNG": ".png", "JPEG": ".jpg"}
VARIANTS = ("naive", "decode", "cold", "cold_pool", "warm", "warm_pool")
QUICK = {"files": 2, "repeats": 2, "resolutions": ("1K", "2K")}


def photo_base(side: int) -> Image.Image:
    """Smooth colour fields with mid-frequency texture: the look of a photograph."""
    size = (side, side)
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    blue = Image.linear_gradient("L").rotate(90).resize(size)
    base = Image.merge("RGB", (red, green, blue))
    texture = Image.effect_noise((side // 8, side // 8), 64).resize(size, Image.Resampling.BICUBIC)
    mirrored = texture.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    texture_rgb = Image.merge("RGB", (texture, texture.rotate(180), mirrored))
    return Image.blend(base, texture_rgb, 0.35)


def with_grain(base: Image.Image) -> Image.Image:
    """The base with its own sensor-like grain: a distinct file, a distinct digest."""
    grain = Image.effect_noise(base.size, 6)
    return ImageChops.add(base, Image.merge("RGB", (grain, grain, grain)), 1.0, -128)


FOREIGN = ", foreign"  # the suffix of a foreign-file case's name


@dataclass
class Case:
    name: str
    files: list[Path]
    digests: list[str]
    megabytes: float
    # Library files: mean bytes the app adds to the plain file, metadata and preview apart.
    metadata_bytes: float = 0.0
    preview_bytes: float = 0.0

    @property
    def library(self) -> bool:
        return not self.name.endswith(FOREIGN)


def library_bytes(plain: bytes, name: str) -> tuple[bytes, int]:
    """``plain`` as the engine saves a download, and how many bytes its preview takes."""
    with Image.open(io.BytesIO(plain)) as image:
        image.load()  # the download check's full decode, whose pixels the thumbnails reuse
        thumbnails = shrink_each(image, SAVE_SIZES)
        width, height = image.size
    meta = ImageMetadata(
        prompt=f"a benchmark picture, {name}",
        model="google/nano-banana-pro",
        width=width,
        height=height,
        created_at="2026-01-01T12:00:00Z",
    )
    saved = library_file(plain, meta, thumbnails, label=name)
    return saved, len(saved) - len(library_file(plain, meta, {}, label=name))


def make_sources(folder: Path, files: int, resolutions: dict[str, int]) -> list[Case]:
    cases: list[Case] = []
    for label, side in resolutions.items():
        base = photo_base(side)
        plain: dict[str, list[Path]] = {fmt: [] for fmt in FORMATS}
        library: dict[str, list[Path]] = {fmt: [] for fmt in FORMATS}
        added: dict[str, list[tuple[int, int]]] = {fmt: [] for fmt in FORMATS}
        for n in range(files):
            picture = with_grain(base)
            for fmt, extension in FORMATS.items():
                buffer = io.BytesIO()
                options = {"quality": 92} if fmt == "JPEG" else {}
                picture.save(buffer, fmt, **options)
                foreign = folder / "foreign" / f"{label}-{n}{extension}"
                foreign.write_bytes(buffer.getvalue())
                saved, preview_bytes = library_bytes(buffer.getvalue(), foreign.name)
                own = folder / "library" / foreign.name
                own.write_bytes(saved)
                plain[fmt].append(foreign)
                library[fmt].append(own)
                added[fmt].append((len(saved) - buffer.tell() - preview_bytes, preview_bytes))
            print(f"  made {label} source {n + 1}/{files}", file=sys.stderr, end="\r")
        for fmt in FORMATS:
            for paths, suffix in ((library[fmt], ""), (plain[fmt], FOREIGN)):
                digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
                megabytes = statistics.mean(p.stat().st_size for p in paths) / 1e6
                case = Case(f"{label} {fmt}{suffix}", paths, digests, megabytes)
                if not suffix:
                    case.metadata_bytes = statistics.mean(m for m, _ in added[fmt])
                    case.preview_bytes = statistics.mean(p for _, p in added[fmt])
                cases.append(case)
    print(file=sys.stderr)
    return cases


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def naive(case: Case) -> None:
    for path in case.files:
        im = Image.open(path)
        im.thumbnail((SIZE, SIZE))


def decode_only(case: Case) -> None:
    for path in case.files:
        with Image.open(path) as im:
            im.draft(None, (2 * SIZE, 2 * SIZE))  # a no-op for PNG
            im.load()


def serial(cache: ThumbnailCache, case: Case) -> None:
    for path, digest in zip(case.files, case.digests, strict=True):
        cache.pixels(path, SIZE, sha256=digest)


def pooled(loop: asyncio.AbstractEventLoop, cache: ThumbnailCache, case: Case) -> None:
    async def all_at_once() -> None:
        await asyncio.gather(
            *(
                run_blocking(cache.pixels, path, SIZE, sha256=digest)
                for path, digest in zip(case.files, case.digests, strict=True)
            )
        )

    loop.run_until_complete(all_at_once())


@dataclass
class Figures:
    seconds: dict[str, list[float]] = field(default_factory=lambda: {v: [] for v in VARIANTS})


def measure(cases: list[Case], repeats: int, scratch: Path) -> dict[str, Figures]:
    loop = asyncio.new_event_loop()
    results = {case.name: Figures() for case in cases}
    try:
        # One untimed pass: imports, the pool's threads and the page cache are warm.
        for case in cases:
            naive(case)
            warmup = ThumbnailCache(scratch / "warm-up")
            pooled(loop, warmup, case)
        shutil.rmtree(scratch / "warm-up", ignore_errors=True)
        for repeat in range(repeats):
            for index, case in enumerate(cases):
                serial_cache = ThumbnailCache(scratch / f"serial-{repeat}-{index}")
                pool_cache = ThumbnailCache(scratch / f"pool-{repeat}-{index}")
                # Warm needs cold first; the pair goes as one unit in the rotation.
                units: list[tuple[tuple[str, Callable[[], object]], ...]] = [
                    (("naive", lambda c=case: naive(c)),),
                    (("decode", lambda c=case: decode_only(c)),),
                    (
                        ("cold", lambda c=case, k=serial_cache: serial(k, c)),
                        ("warm", lambda c=case, k=serial_cache: serial(k, c)),
                    ),
                    (
                        ("cold_pool", lambda c=case, k=pool_cache: pooled(loop, k, c)),
                        ("warm_pool", lambda c=case, k=pool_cache: pooled(loop, k, c)),
                    ),
                ]
                shift = (repeat + index) % len(units)
                for unit in units[shift:] + units[:shift]:
                    for variant, work in unit:
                        results[case.name].seconds[variant].append(timed(work))
                shutil.rmtree(serial_cache.folder, ignore_errors=True)
                shutil.rmtree(pool_cache.folder, ignore_errors=True)
            print(f"  repeat {repeat + 1}/{repeats}", file=sys.stderr, end="\r")
        print(file=sys.stderr)
    finally:
        loop.close()
    return results


def summarise(cases: list[Case], results: dict[str, Figures]) -> dict[str, dict[str, float]]:
    summary: dict[str, dict[str, float]] = {}
    for case in cases:
        seconds = results[case.name].seconds
        count = len(case.files)
        row: dict[str, float] = {"source_mb": round(case.megabytes, 2), "files": count}
        if case.library:
            row["metadata_kb"] = round(case.metadata_bytes / 1000, 1)
            row["preview_kb"] = round(case.preview_bytes / 1000, 1)
        for variant in VARIANTS:
            row[f"{variant}_per_s"] = round(count / statistics.median(seconds[variant]), 1)
            if variant != "naive":
                # Paired per repeat: the ratio of two runs that met the same machine state.
                ratios = [n / v for n, v in zip(seconds["naive"], seconds[variant], strict=True)]
                row[f"{variant}_ratio"] = round(statistics.median(ratios), 2)
        summary[case.name] = row
    return summary


def goal_applies(name: str) -> bool:
    """JPEG and 4K PNG, on library files: every image in the gallery is one."""
    return name.endswith("JPEG") or name == "4K PNG"


def print_table(summary: dict[str, dict[str, float]], repeats: int, cpus: int) -> None:
    print(
        f"thumbnails per second ({SIZE} px), median of {repeats} repeats; "
        f"(x) = ratio to naive; {cpus} CPUs, app pool of 4 threads"
    )
    header = (
        f"{'source':<19}{'MB':>6}{'naive':>8}{'decode':>15}{'cold 1 thr':>16}"
        f"{'cold pool':>16}{'warm 1 thr':>17}{'warm pool':>17}"
    )
    print(header)
    for name, row in summary.items():
        cells = [f"{name:<19}{row['source_mb']:>6.1f}{row['naive_per_s']:>8.1f}"]
        for variant, width in (
            ("decode", 15),
            ("cold", 16),
            ("cold_pool", 16),
            ("warm", 17),
            ("warm_pool", 17),
        ):
            text = f"{row[f'{variant}_per_s']:.1f} ({row[f'{variant}_ratio']:.2f})"
            cells.append(f"{text:>{width}}")
        print("".join(cells))
    print()
    for name, row in summary.items():
        if "preview_kb" in row:
            print(
                f"{name}: the app adds {row['metadata_kb']:.1f} KB of metadata and "
                f"{row['preview_kb']:.1f} KB of preview to a {row['source_mb']:.2f} MB file"
            )
    print()
    for name, row in summary.items():
        if goal_applies(name):
            best = max(row["cold_ratio"], row["cold_pool_ratio"])
            verdict = "met" if best >= GOAL else "not met"
            print(
                f"goal cold >= {GOAL:g}x naive, {name}: {verdict} "
                f"(1 thread {row['cold_ratio']:.2f}x, app pool {row['cold_pool_ratio']:.2f}x; "
                f"decode alone {row['decode_ratio']:.2f}x)"
            )


def thumbnail_figures(summary: dict[str, dict[str, float]]) -> list[Figure]:
    """Cold and warm through the app's pool, as the window asks for thumbnails."""
    figures = []
    for variant, label in (("cold_pool", "cold, app pool"), ("warm_pool", "warm, app pool")):
        for name, row in summary.items():
            goal = variant == "cold_pool" and goal_applies(name)
            figures.append(
                compared(
                    f"{name}, {label}",
                    row[f"{variant}_per_s"],
                    "thumbnails/s",
                    row["naive_per_s"],
                    "naive Image.thumbnail loop",
                    ratio=row[f"{variant}_ratio"],
                    goal=f"ratio ≥ {GOAL:g}" if goal else None,
                    met=row[f"{variant}_ratio"] >= GOAL if goal else None,
                )
            )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--files", type=int, default=8, help="source files per size and format")
    add_arguments(parser)
    args = parser.parse_args()
    resolutions = RESOLUTIONS
    if args.quick:
        args.files, args.repeats = QUICK["files"], QUICK["repeats"]
        resolutions = {label: RESOLUTIONS[label] for label in QUICK["resolutions"]}
    cpus = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="nanobanana-thumbs-") as temp:
        folder = Path(temp)
        for kind in ("foreign", "library"):
            (folder / "sources" / kind).mkdir(parents=True)
        print("making sources...", file=sys.stderr)
        cases = make_sources(folder / "sources", args.files, resolutions)
        results = measure(cases, args.repeats, folder)
    summary = summarise(cases, results)
    print_table(summary, args.repeats, cpus)
    if args.json:
        raw = {name: figures.seconds for name, figures in results.items()}
        report = Results(
            "thumbnails",
            f"Thumbnails at {SIZE} px: ThumbnailCache against a naive Pillow loop",
            args.quick,
            thumbnail_figures(summary),
            [
                f"{args.files} photo-like files per size and format, {args.repeats} repeats, "
                f"{cpus} CPUs; app pool: run_blocking's 4 threads",
                "library files (the goal's rows): each picture passed through "
                "preview.library_file, as the engine saves every download, so each carries "
                "its metadata and a 320 px preview; foreign files (', foreign'): the same "
                "pictures as plain Pillow files, without either. Naive reads the same files",
                "value and baseline: median thumbnails per second; ratio: median of each "
                "repeat's ratio to naive in that repeat",
                "warm on library files is their preview read again: a thumbnail made from a "
                "preview is not copied to the cache",
            ],
        )
        write(
            args.json,
            report,
            details={"size": SIZE, "cpus": cpus, "summary": summary, "seconds": raw},
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
