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
