"""Gallery queries in the store: newest first, filters, counts, stars, delete and undo, the
v4 migration, and pages read from the index in order on 10,000 images (how fast they come
is measured by benchmarks/gallery.py, not here)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from conftest import run

from nanobanana_desktop.api import GenerationRequest
from nanobanana_desktop.engine import gallery
from nanobanana_desktop.engine.gallery import GalleryCursor, GalleryFilter, GalleryItem, fold
from nanobanana_desktop.engine.records import ImageState
from nanobanana_desktop.engine.store import MIGRATIONS, SCHEMA_VERSION, Store

DAY = 86_400.0
T0 = 1_780_000_000.0  # a fixed moment, so date ranges are exact


async def add(
    store: Store,
    prompt: str,
    *,
    model: str = "google/nano-banana-pro",
    at: float,
    images: int = 1,
    saved: bool = True,
) -> list[int]:
    """A task made at ``at`` with ``images`` images saved a few seconds later; their ids."""
    task = await store.add_task(GenerationRequest(model, prompt), source="window", now=at)
    await store.update_task(task.id, task_id=f"ta-{task.id}")
    ids = []
    for index in range(images):
        stem = f"day/{task.id}-{index}"
        image = await store.plan_image(task.id, index, "https://cdn.example/x.png", stem)
        if saved:
            image = await store.image_saved(
                image.id,
                path=f"{stem}.png",
                sha256=f"{task.id:032x}{index:032x}",
                width=1024,
                height=1024,
                format="PNG",
                size=1000 + index,
                now=at + 5 + index,
            )
        ids.append(image.id)
    return ids


def with_store(tmp_path: Path, scenario):
    async def body():
        store = await Store.open(tmp_path / "history.sqlite3")
        try:
            return await scenario(store)
        finally:
            await store.close()

    return run(body())


def test_the_listing_is_saved_images_newest_first_with_their_task(tmp_path):
    async def scenario(store: Store):
        old = await add(store, "An old lemon", at=T0, images=2)
        pending = await add(store, "Still downloading", at=T0 + 50, saved=False)
        failed = await add(store, "Expired link", at=T0 + 60, saved=False)
        await store.image_failed(failed[0], ImageState.EXPIRED, "gone")
        new = await add(store, "A new pear", model="google/nano-banana", at=T0 + 100)
        return old, pending, new, await store.gallery(), await store.gallery_count()

    old, pending, new, items, count = with_store(tmp_path, scenario)
    assert [i.image_id for i in items] == [new[0], old[1], old[0]]
    assert count == 3 and pending[0] not in [i.image_id for i in items]
    first = items[0]
    assert isinstance(first, GalleryItem)
    assert (first.prompt, first.model, first.created_at) == (
        "A new pear",
        "google/nano-banana",
        T0 + 100,
    )
    assert first.task_id == f"ta-{first.task}" and first.saved_at == T0 + 105
    assert (first.path, first.width, first.format, first.starred) == (
        f"day/{first.task}-0.png",
        1024,
        "PNG",
        False,
    )
    assert first.file(tmp_path / "lib") == tmp_path / "lib" / "day" / f"{first.task}-0.png"
    assert first.sha256 is not None and len(first.sha256) == 64


def test_pages_by_cursor_stay_put_when_new_images_arrive(tmp_path):
    async def scenario(store: Store):
        for n in range(10):
            await add(store, f"prompt {n}", at=T0 + n * 10)
        everything = [i.image_id for i in await store.gallery()]
        first = await store.gallery(limit=4)
        arrived = await add(store, "arrives while the user scrolls", at=T0 + 1000)
        second = await store.gallery(limit=4, after=first[-1].cursor)
        third = await store.gallery(limit=4, after=second[-1].cursor)
        by_offset = await store.gallery(limit=4, offset=4)
        with pytest.raises(ValueError, match="cannot be negative"):
            await store.gallery(offset=-1)
        return everything, first, second, third, arrived, by_offset

    everything, first, second, third, arrived, by_offset = with_store(tmp_path, scenario)
    paged = [i.image_id for i in first + second + third]
    assert paged == everything  # each image once, in order, the newcomer not among them
    assert len(third) == 2 and arrived[0] not in paged
    # An offset counts from the top, so the newcomer shifts it by one.
    assert [i.image_id for i in by_offset] == [first[-1].image_id, *paged[4:7]]
    assert GalleryCursor(1.0, 2) < GalleryCursor(1.0, 3) < GalleryCursor(2.0, 1)


def test_text_search_is_a_case_insensitive_substring_in_any_script(tmp_path):
    prompts = [
        "A LEMON on a blue plate",
        "Äpfel und Birnen im Korb",
        "100% cotton_texture",
        "Straße bei Nacht",
        "ﬁne print",  # the "fi" ligature: NFKC makes it two letters
    ]

    async def scenario(store: Store):
        for n, prompt in enumerate(prompts):
            await add(store, prompt, at=T0 + n)
        found = {}
        for needle in ("lemon", "äPFEL", "% c", "n_t", "_", "STRASSE", "fine", "  ", "pear"):
            items = await store.gallery(GalleryFilter(text=needle))
            count = await store.gallery_count(GalleryFilter(text=needle))
            assert count == len(items)
            found[needle] = sorted(i.prompt for i in items)
        return found

    found = with_store(tmp_path, scenario)
    assert found["lemon"] == ["A LEMON on a blue plate"]
    assert found["äPFEL"] == ["Äpfel und Birnen im Korb"]
    # % and _ are plain characters, not LIKE's wildcards.
    assert found["% c"] == ["100% cotton_texture"] and found["n_t"] == ["100% cotton_texture"]
    assert found["_"] == ["100% cotton_texture"]
    assert found["STRASSE"] == ["Straße bei Nacht"]  # casefold: ß is ss
    assert found["fine"] == ["ﬁne print"]
    assert found["  "] == sorted(prompts)  # blank matches everything
    assert found["pear"] == []
    assert fold("ÄPFEL") == fold("äpfel") == "äpfel"


FILTERS = {
    "model": GalleryFilter(model="google/nano-banana"),
    # Day 1's image was saved at exactly T0 + DAY + 5: since includes it, until does not.
    "since": GalleryFilter(since=T0 + DAY + 5),
    "until": GalleryFilter(until=T0 + DAY + 5),
    "range": GalleryFilter(since=T0 + DAY, until=T0 + 2 * DAY),
    "starred": GalleryFilter(starred=True),
    "text+model": GalleryFilter(text="lemon", model="google/nano-banana-pro"),
    "everything": GalleryFilter(
        text="LEMON", model="google/nano-banana-pro", since=T0, until=T0 + 3 * DAY, starred=True
    ),
}


def test_each_filter_narrows_and_the_count_agrees(tmp_path):
    async def scenario(store: Store):
        day0 = await add(store, "lemon, day 0", at=T0, images=2)
        day1 = await add(store, "pear, day 1", model="google/nano-banana", at=T0 + DAY)
        day2 = await add(store, "lemon, day 2", at=T0 + 2 * DAY, images=2)
        changed = await store.set_starred([day0[1], day2[0], day2[0]], True)
        again = await store.set_starred([day0[1]], True)
        task = (await store.gallery_items([day2[0]]))[0].task
        results = {}
        for name, chosen in {**FILTERS, "task": GalleryFilter(task=task)}.items():
            items = await store.gallery(chosen)
            assert await store.gallery_count(chosen) == len(items), name
            results[name] = [i.image_id for i in items]
        models = await store.gallery_models()
        return day0, day1, day2, changed, again, results, models

    day0, day1, day2, changed, again, results, models = with_store(tmp_path, scenario)
    assert (changed, again) == (2, 0)  # a repeated id counts once; already starred: none
    assert results["model"] == day1
    assert results["since"] == [*reversed(day2), *day1]
    assert results["until"] == list(reversed(day0))
    assert results["range"] == day1
    assert results["starred"] == [day2[0], day0[1]]
    assert results["text+model"] == [*reversed(day2), *reversed(day0)]
    assert results["everything"] == [day2[0], day0[1]]
    assert results["task"] == list(reversed(day2))
    assert models == [("google/nano-banana-pro", 4), ("google/nano-banana", 1)]


def test_delete_to_trash_and_undo(tmp_path):
    async def scenario(store: Store):
        kept = await add(store, "kept", at=T0)
        gone = await add(store, "to the trash", at=T0 + 10, images=2)
        pending = await add(store, "not saved yet", at=T0 + 20, saved=False)
        await store.set_starred([gone[0]], True)
        deleted = await store.mark_deleted(
            [*gone, *pending],
            trashed_paths={gone[0]: "/home/u/.local/share/Trash/files/a.png"},
            now=T0 + 500,
        )
        listed = [i.image_id for i in await store.gallery()]
        trash = await store.gallery(GalleryFilter(trashed=True))
        counts = (
            await store.gallery_count(),
            await store.gallery_count(GalleryFilter(trashed=True)),
        )
        restored = await store.restore([gone[0], kept[0]])
        after = [i.image_id for i in await store.gallery()]
        return kept, gone, deleted, listed, trash, counts, restored, after

    kept, gone, deleted, listed, trash, counts, restored, after = with_store(tmp_path, scenario)
    # Only saved images can be deleted: the pending one is not among the answers.
    assert [i.image_id for i in deleted] == list(reversed(gone))
    by_id = {i.image_id: i for i in deleted}
    assert by_id[gone[0]].trashed_path == "/home/u/.local/share/Trash/files/a.png"
    assert by_id[gone[1]].trashed_path is None  # the trash did not say where
    assert all(i.deleted and i.deleted_at == T0 + 500 for i in deleted)
    assert by_id[gone[0]].path == f"day/{by_id[gone[0]].task}-0.png"  # where it goes back to
    assert listed == kept and counts == (1, 2)
    assert sorted(i.image_id for i in trash) == sorted(gone)
    # Undo: back in the list, flags cleared, the star kept; a never-deleted id is untouched.
    assert {i.image_id: (i.deleted, i.deleted_at, i.trashed_path) for i in restored} == {
        gone[0]: (False, None, None),
        kept[0]: (False, None, None),
    }
    assert next(i for i in restored if i.image_id == gone[0]).starred
    assert after == [gone[0], kept[0]]


def test_a_version_3_database_gains_the_gallery(tmp_path):
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript("".join(MIGRATIONS[:3]))
        conn.execute("PRAGMA user_version = 3")
        conn.execute(
            "INSERT INTO tasks (task_id, created_at, updated_at, model, prompt, state, source) "
            "VALUES ('ta-old', 1, 1, 'google/gempix2', 'Ein GROSSER Apfel', 'succeeded', 'cli')"
        )
        conn.execute(
            "INSERT INTO images (task, idx, origin, state, stem, created_at, path, saved_at, "
            "deleted) VALUES (1, 0, 'inline', 'saved', 'd/a', 1, 'd/a.png', 2, 0)"
        )
    conn.close()

    async def scenario(store: Store):
        return await store.gallery(GalleryFilter(text="großer apfel"))

    [item] = with_store(tmp_path, scenario)
    assert (item.prompt, item.path, item.trashed_path) == ("Ein GROSSER Apfel", "d/a.png", None)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "images_gallery" in indexes
    conn.close()


# --------------------------------------------------------------------------- 10,000 images

ROWS = 10_000
WORDS = [
    "lemon",
    "pear",
    "plate",
    "blue",
    "red",
    "castle",
    "harbour",
    "neon",
    "forest",
    "portrait",
    "fog",
    "river",
]


def fill(path: Path) -> None:
    """10,000 one-image tasks over a year, written in one transaction (as startup.py's
    profile holds them, but without the files, which the queries never touch)."""

    async def create_schema() -> None:
        await (await Store.open(path)).close()

    run(create_schema())
    tasks, images = [], []
    for n in range(ROWS):
        words = [WORDS[(n * k) % len(WORDS)] for k in (1, 3, 7, 11)]
        prompt = f"A {' '.join(words)} scene, number {n}, with some more words to be realistic"
        at = T0 + n * 3153.6  # a year in 10,000 steps
        model = ("google/nano-banana-pro", "google/nano-banana", "google/gempix2")[n % 3]
        tasks.append((n + 1, f"ta-{n}", at, at, model, prompt, fold(prompt)))
        images.append((n + 1, n + 1, f"d/{n}", at, f"d/{n}.png", at + 9, n % 17 == 0))
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO tasks (id, task_id, created_at, updated_at, model, prompt, prompt_fold, "
            "state, source) VALUES (?, ?, ?, ?, ?, ?, ?, 'succeeded', 'window')",
            tasks,
        )
        conn.executemany(
            "INSERT INTO images (id, task, idx, origin, state, stem, created_at, path, saved_at, "
            "starred, sha256, width, height, format, bytes) "
            "VALUES (?, ?, 0, 'inline', 'saved', ?, ?, ?, ?, ?, 'ab', 1024, 1024, 'PNG', 1)",
            images,
        )
    conn.close()


def test_ten_thousand_images_page_from_the_index_and_agree_with_the_filter(tmp_path):
    path = tmp_path / "history.sqlite3"
    fill(path)
    cases = {
        "first page": GalleryFilter(),
        "text, rare": GalleryFilter(text="NUMBER 9999,"),
        "text, common": GalleryFilter(text="castle"),
        "text, none": GalleryFilter(text="no such words"),
        "model+starred": GalleryFilter(model="google/gempix2", starred=True),
        "date range": GalleryFilter(since=T0 + 100 * DAY, until=T0 + 130 * DAY),
    }

    async def scenario(store: Store):
        everything = await store.gallery(limit=ROWS + 1)
        answers = {
            name: (await store.gallery(chosen, limit=200), await store.gallery_count(chosen))
            for name, chosen in cases.items()
        }
        deep = await store.gallery(limit=200, after=GalleryCursor(T0 + 9000 * 3153.6 + 9, 9001))
        return everything, answers, deep

    everything, answers, deep = with_store(tmp_path, scenario)
    assert len(everything) == ROWS
    assert [i.cursor for i in everything] == sorted((i.cursor for i in everything), reverse=True)
    for name, chosen in cases.items():
        # Each page is what the filter's own test picks from all 10,000, newest first.
        page, count = answers[name]
        wanted = [i for i in everything if chosen.accepts(i)]
        assert count == len(wanted), name
        assert [i.image_id for i in page] == [i.image_id for i in wanted[:200]], name
    assert answers["first page"][1] == ROWS and answers["text, rare"][1] == 1
    assert answers["text, none"][1] == 0
    assert 0 < answers["model+starred"][1] < answers["text, common"][1] < ROWS
    assert [i.image_id for i in deep[:2]] == [9000, 8999] and len(deep) == 200

    with sqlite3.connect(path) as conn:
        for name, chosen in cases.items():
            sql, params = gallery.page_query(chosen, 200, 0, None)
            plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
            # The page is read from the index in order: no sort of 10,000 rows for 200.
            assert "images_gallery" in plan and "TEMP B-TREE" not in plan, (name, plan)
    conn.close()


# ---------------------------------------------------------------- result links


def test_gallery_items_carry_the_link_each_image_came_from(tmp_path):
    async def scenario(store):
        [image_id] = await add(store, "a lemon", at=T0)
        return await store.gallery_items([image_id])

    [item] = with_store(tmp_path, scenario)
    assert item.origin == "https://cdn.example/x.png"


async def _serving(routes, scenario):
    """Run ``scenario(base_url, client)`` against a real aiohttp server on loopback."""
    from aiohttp import web

    from nanobanana_desktop.engine.downloads import image_http_client

    app = web.Application()
    app.add_routes(routes)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with image_http_client() as client:
            return await scenario(f"http://127.0.0.1:{port}", client)
    finally:
        await runner.cleanup()


def test_a_link_is_used_while_it_answers_as_an_image_and_is_recent(monkeypatch):
    from aiohttp import web

    from nanobanana_desktop.engine import result_links
    from nanobanana_desktop.engine.result_links import LINK_MAX_AGE, usable_link

    seen: list[tuple[str, str, str | None]] = []
    never = asyncio.Event()

    def record(request):
        seen.append((request.method, request.path, request.headers.get("Authorization")))

    async def image(request):
        record(request)
        return web.Response(body=b"\x89PNG....", content_type="image/png")

    async def no_head(request):
        record(request)
        if request.method == "HEAD":
            return web.Response(status=405)
        return web.Response(body=b"\xff\xd8\xff....", content_type="image/jpeg")

    async def expired(request):
        record(request)
        return web.Response(status=403, text="<Error/>", content_type="application/xml")

    async def error_page(request):
        record(request)
        return web.Response(text="<html>gone</html>", content_type="text/html")

    async def silent(request):
        record(request)
        await never.wait()  # never answers: the check's own time limit ends it

    routes = [
        web.route("*", "/ok.png", image),
        web.route("*", "/no-head.png", no_head),
        web.route("*", "/expired.png", expired),
        web.route("*", "/page.png", error_page),
        web.route("*", "/silent.png", silent),
    ]
    monkeypatch.setattr(result_links, "LINK_CHECK_TIMEOUT", 0.5)
    now = 1_800_000_000.0

    async def scenario(base, client):
        def check(path, age=60.0, origin=None):
            return usable_link(origin or base + path, now - age, client, now=now)

        found = {
            "ok": await check("/ok.png"),
            "no head": await check("/no-head.png"),
            "expired": await check("/expired.png"),
            "error page": await check("/page.png"),
            "silent": await check("/silent.png"),
            "old": await check("/ok.png", age=LINK_MAX_AGE + 1),
            "inline": await check("", origin="inline"),
            "not web": await check("", origin="file:///etc/passwd"),
            "base": base,
        }
        never.set()  # the silent handler may end now, so the server can shut down
        return found

    found = run(_serving(routes, scenario))
    base = found["base"]
    assert found["ok"] == base + "/ok.png"
    assert found["no head"] == base + "/no-head.png"  # a GET, its body never read
    assert found["expired"] is None and found["error page"] is None
    assert found["silent"] is None
    assert found["old"] is None and found["inline"] is None and found["not web"] is None
    # Old, inline and non-web links cost no request; nothing carried a credential.
    paths = [(method, path) for method, path, _ in seen]
    assert paths == [
        ("HEAD", "/ok.png"),
        ("HEAD", "/no-head.png"),
        ("GET", "/no-head.png"),
        ("HEAD", "/expired.png"),
        ("HEAD", "/page.png"),
        ("HEAD", "/silent.png"),
    ]
    assert all(auth is None for _, _, auth in seen)
