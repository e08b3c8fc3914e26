"""The Qt binding keeps Python's books: calls that return nothing must not eat None.

PySide6 6.12.0 on Python 3.11 takes one reference from None on every such call (a pen
set, a painter saved, a model index asked for a role it has no data for). None starts
with a few thousand references, so a window that paints for a while aborts with
"none_dealloc". pyproject.toml keeps that release out; this test catches a binding that
brings it back. On Python 3.12 and later None is immortal and the count does not move.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QModelIndex, QStringListModel, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

CALLS = 300


def _none_refs_lost(call) -> int:
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        call()
    return before - sys.getrefcount(None)


@pytest.fixture
def painter(qapp):
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    yield painter
    painter.end()


def test_painting_calls_leave_none_alone(painter):
    font = QFont()
    calls = {
        "setPen": lambda: painter.setPen(QColor("red")),
        "setBrush": lambda: painter.setBrush(QColor("red")),
        "save/restore": lambda: (painter.save(), painter.restore()),
        "setRenderHint": lambda: painter.setRenderHint(QPainter.RenderHint.Antialiasing),
        "QFont.setWeight": lambda: font.setWeight(QFont.Weight.Bold),
    }
    lost = {name: _none_refs_lost(call) for name, call in calls.items()}
    # A few references may move for other reasons; a leak costs one per call.
    assert all(n < CALLS // 10 for n in lost.values()), lost


def test_model_data_without_a_value_leaves_none_alone(qapp):
    model = QStringListModel(["a"])
    index = model.index(0, 0)
    lost = {
        "data(UserRole)": _none_refs_lost(lambda: index.data(Qt.ItemDataRole.UserRole)),
        "invalid index": _none_refs_lost(lambda: QModelIndex().data()),
    }
    assert all(n < CALLS // 10 for n in lost.values()), lost
