"""Garbage collection on the Qt thread only.

Python's cyclic collector runs in whichever thread happens to allocate. When it reaps a
Qt object there (a worker thread running Pillow or the keyring), Qt tears down timers from
the wrong thread and warns or crashes. So automatic collection is switched off and this
timer collects on the GUI thread, generation by generation, as the thresholds would.

A full collection walks every tracked object: with the ~73,000 the app holds once started
it took ~40 ms on the UI thread, a visible stall. ``freeze()``, called once start-up is
done, moves those objects into the permanent generation, which collections skip; a full
collection then walks only what was made since (benchmarks/ui_latency.py times them).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadCollector(QObject):
    def __init__(self, interval_ms: int = 500, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._froze = False
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(interval_ms)

    def collect_due(self) -> int:
        """Collect the oldest generation whose count passed its threshold; objects freed."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                return gc.collect(generation)
        return 0

    def freeze(self) -> int:
        """Once start-up is done: collect, then let later collections skip what survived.

        Returns how many objects were frozen. Garbage made later is still collected; what
        is frozen stays until the process ends (the modules, the window, the engine).
        """
        gc.collect()
        gc.freeze()
        self._froze = True
        return gc.get_freeze_count()

    def stop(self) -> None:
        self._timer.stop()
        if self._froze:
            gc.unfreeze()
            self._froze = False
        gc.enable()
