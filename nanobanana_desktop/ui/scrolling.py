"""A pane that scrolls up and down when the screen is too short for it, never sideways."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def vertical_scroller(content: QWidget, name: str) -> QScrollArea:
    """``content`` in a frameless scroll area as wide as it is: it scrolls only when the
    area is shorter than ``content`` (200 % on a 1080p screen is 540 px tall)."""
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area
