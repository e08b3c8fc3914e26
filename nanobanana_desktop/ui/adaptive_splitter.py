"""Two panes side by side while both fit at their minimum width, else one above the other.

At 200 % a 1080p screen is 960 logical pixels wide, less than the composer and the task
list need next to each other; stacked, they fit, and the window may shrink to the
stacked arrangement's minimum on any screen.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QScrollArea, QSplitter, QWidget


def least_size(widget: QWidget) -> QSize:
    """What a layout will give ``widget`` at the least: its minimum size where one is set,
    else its minimum size hint (as QLayout decides it)."""
    hint, fixed = widget.minimumSizeHint(), widget.minimumSize()
    return QSize(fixed.width() or hint.width(), fixed.height() or hint.height())


def wanted_height(widget: QWidget) -> int:
    """The height ``widget`` would like; for a scroll area, its contents' (QScrollArea's own
    hint stops at 24 lines of text)."""
    if isinstance(widget, QScrollArea) and widget.widget() is not None:
        inner = widget.widget()
        assert inner is not None
        return inner.sizeHint().height() + 2 * widget.frameWidth()
    return widget.sizeHint().height()


class AdaptiveSplitter(QSplitter):
    def __init__(self, first: QWidget, second: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.addWidget(first)
        self.addWidget(second)
        self.setChildrenCollapsible(False)
        self.setStretchFactor(1, 1)

    @property
    def side_by_side(self) -> bool:
        return self.orientation() is Qt.Orientation.Horizontal

    def side_by_side_width(self) -> int:
        """The least width at which the panes fit next to each other."""
        return sum(least_size(self.widget(i)).width() for i in range(self.count())) + (
            self.handleWidth() * (self.count() - 1)
        )

    def minimumSizeHint(self) -> QSize:
        # The stacked arrangement's: the narrower one, so that the window can be narrow.
        sizes = [least_size(self.widget(i)) for i in range(self.count())]
        width = max((size.width() for size in sizes), default=0)
        height = sum(size.height() for size in sizes) + self.handleWidth() * (self.count() - 1)
        return QSize(width, height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.arrange(event.size())
        super().resizeEvent(event)

    def arrange(self, size: QSize) -> None:
        """Side by side if ``size`` is wide enough for both panes, else stacked."""
        wanted = (
            Qt.Orientation.Horizontal
            if size.width() >= self.side_by_side_width()
            else Qt.Orientation.Vertical
        )
        if wanted is self.orientation():
            return
        self.setOrientation(wanted)
        if wanted is Qt.Orientation.Vertical:
            # The first pane (the composer) as tall as it wants, while the second keeps
            # at least its minimum; the handle moves the line.
            room = max(0, size.height() - self.handleWidth())
            first_wants = wanted_height(self.widget(0))
            second_least = least_size(self.widget(1)).height()
            first = max(0, min(first_wants, room - second_least))
            self.setSizes([first, room - first])
        else:
            # The first pane at its least, the second (it stretches) takes the rest.
            room = max(0, size.width() - self.handleWidth())
            first = least_size(self.widget(0)).width()
            self.setSizes([first, room - first])
