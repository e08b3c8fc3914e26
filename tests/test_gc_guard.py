"""Cyclic garbage is collected on the Qt thread, never in a worker that allocates."""

from __future__ import annotations

import gc
import threading
import weakref

from nanobanana_desktop.ui.gc_guard import MainThreadCollector


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_automatic_collection_is_off_while_the_guard_runs(qapp):
    collector = MainThreadCollector(interval_ms=10_000)
    try:
        assert not gc.isenabled()
    finally:
        collector.stop()
    assert gc.isenabled()


def test_collects_cycles_when_a_threshold_is_passed(qapp):
    collector = MainThreadCollector(interval_ms=10_000)
    try:
        gc.collect()
        probe = Node()
        alive = weakref.ref(probe)
        del probe
        # Allocate past generation 0's threshold, as a busy worker thread would.
        threshold = gc.get_threshold()[0]
        junk = [Node() for _ in range(threshold + 10)]
        del junk
        worker = threading.Thread(target=lambda: [object() for _ in range(50_000)])
        worker.start()
        worker.join()
        assert alive() is not None, "the worker thread must not have collected it"
        assert collector.collect_due() > 0
        assert alive() is None
    finally:
        collector.stop()


def test_nothing_due_collects_nothing(qapp):
    collector = MainThreadCollector(interval_ms=10_000)
    try:
        gc.collect()
        assert collector.collect_due() == 0
    finally:
        collector.stop()


def test_freezing_after_start_up_keeps_what_lives_out_of_later_collections(qapp):
    collector = MainThreadCollector(interval_ms=10_000)
    try:
        started = [Node() for _ in range(1000)]  # what start-up leaves alive
        probe = Node()
        gone = weakref.ref(probe)
        del probe
        frozen = collector.freeze()
        assert gone() is None, "garbage is collected before the freeze, not kept for ever"
        assert frozen >= len(started) and gc.get_freeze_count() == frozen
        tracked = len(gc.get_objects(generation=2))
        assert tracked < frozen  # a full collection now walks these only
        later = Node()
        alive = weakref.ref(later)
        del later
        assert gc.collect() > 0 and alive() is None  # new cycles are still freed
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0 and gc.isenabled()
