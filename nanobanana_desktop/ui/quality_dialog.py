"""Save As JPEG: the quality to encode at, asked after the file name is chosen.

A native file dialog cannot hold a control of ours, so the choice is a small dialog of its
own. A JPEG source may also be kept as it is: its own bytes with our metadata, no second
round of compression.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..engine.export import DEFAULT_JPEG_QUALITY
from .style import muted

__all__ = ["QualityDialog"]

QUALITY_MIN = 10  # below this JPEG is blocks: no designer saves a result that way


def _hint(quality: int) -> str:
    if quality >= 95:
        return QCoreApplication.translate(
            "QualityDialog", "Largest files; differences from the original are hard to find."
        )
    if quality >= 88:
        return QCoreApplication.translate(
            "QualityDialog", "High: no visible loss for print or review."
        )
    if quality >= 75:
        return QCoreApplication.translate(
            "QualityDialog", "Web: small files, fine detail softens a little."
        )
    return QCoreApplication.translate(
        "QualityDialog", "Small files; blocks and banding show in gradients."
    )


class QualityDialog(QDialog):
    def __init__(
        self,
        file_name: str,
        *,
        source_is_jpeg: bool,
        quality: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("qualityDialog")
        self.setWindowTitle(self.tr("JPEG quality"))
        start = DEFAULT_JPEG_QUALITY if quality is None else quality

        title = QLabel(self.tr("Save “{name}” as JPEG").format(name=file_name))
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setWordWrap(True)
        font = title.font()
        font.setBold(True)
        title.setFont(font)

        self.keep = QCheckBox(self.tr("Keep the original JPEG (no second compression)"))
        self.keep.setObjectName("qualityKeep")
        self.keep.setVisible(source_is_jpeg)
        self.keep.setChecked(source_is_jpeg and quality is None)

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("qualitySlider")
        self.slider.setRange(QUALITY_MIN, 100)
        self.slider.setPageStep(5)
        self.spin = QSpinBox()
        self.spin.setObjectName("qualitySpin")
        self.spin.setRange(QUALITY_MIN, 100)
        self.spin.setAccessibleName(self.tr("Quality"))
        self.slider.valueChanged.connect(self.spin.setValue)
        self.spin.valueChanged.connect(self.slider.setValue)
        self.spin.valueChanged.connect(self._update_hint)
        self.hint = muted(QLabel(""))
        self.hint.setWordWrap(True)
        self.spin.setValue(max(QUALITY_MIN, min(100, start)))
        self._update_hint(self.spin.value())

        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Quality")))
        row.addWidget(self.slider, 1)
        row.addWidget(self.spin)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(self.keep)
        layout.addLayout(row)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        self.keep.toggled.connect(self._kept)
        self._kept(self.keep.isChecked())
        self.setMinimumWidth(420)

    def quality(self) -> int | None:
        """The quality chosen; None keeps the original JPEG's own encoding."""
        return None if self.keep.isChecked() else self.spin.value()

    def _kept(self, keep: bool) -> None:
        for widget in (self.slider, self.spin):
            widget.setEnabled(not keep)
        self._update_hint(self.spin.value())

    def _update_hint(self, quality: int) -> None:
        if self.keep.isChecked():
            self.hint.setText(self.tr("The file is saved as it came, with its details written in."))
        else:
            self.hint.setText(_hint(quality))
