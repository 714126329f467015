"""The player's side column: the clip's markers (named bookmarks) and the speed trainer settings."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.clip import Marker
from bachata_desktop.core.loop import MAX_SPEED, MIN_SPEED, SpeedTrainer

MarkerRole = Qt.ItemDataRole.UserRole + 1


def fmt_time(t: float) -> str:
    m, s = divmod(max(0.0, t), 60.0)
    return f"{int(m)}:{s:05.2f}"


class MarkersBox(QGroupBox):
    """Markers of the open clip; double-click one to jump there."""

    add_requested = Signal()
    delete_requested = Signal(object)     # Marker
    loop_requested = Signal(object)       # Marker
    seek_requested = Signal(float)
    rename_requested = Signal(object, str)  # Marker, new name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Markers", parent)
        lay = QVBoxLayout(self)
        self.list = QListWidget()
        self.list.setEditTriggers(QListWidget.EditTrigger.EditKeyPressed
                                  | QListWidget.EditTrigger.SelectedClicked)
        self.list.setToolTip("Named bookmarks saved with the clip. Double-click: jump there. "
                             "Click a selected one to rename it.")
        self.list.itemDoubleClicked.connect(self._on_list_double_clicked)
        self.list.itemChanged.connect(self._on_list_item_changed)
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add")
        self.add_button.setToolTip("Add a marker at the playhead (or for the A-B loop) (Ctrl+B)")
        self.loop_button = QPushButton("Loop")
        self.loop_button.setToolTip("Loop this marker: its saved A-B range, or up to the next marker")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected marker")
        for b in (self.add_button, self.loop_button, self.delete_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            row.addWidget(b)
        lay.addLayout(row)
        self.add_button.clicked.connect(self.add_requested)
        self.loop_button.clicked.connect(lambda: self._emit_selected(self.loop_requested))
        self.delete_button.clicked.connect(lambda: self._emit_selected(self.delete_requested))
        self._filling = False

    def set_markers(self, markers: list[Marker]) -> None:
        self._filling = True
        self.list.clear()
        for m in markers:
            span = f"{fmt_time(m.time_s)}–{fmt_time(m.end_s)}" if m.end_s is not None \
                else fmt_time(m.time_s)
            item = QListWidgetItem(m.name)
            item.setData(MarkerRole, m)
            item.setToolTip(span)
            item.setText(f"{m.name}")
            item.setData(Qt.ItemDataRole.StatusTipRole, span)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            self.list.addItem(item)
        self._filling = False

    def markers(self) -> list[Marker]:
        return [self.list.item(i).data(MarkerRole) for i in range(self.list.count())]

    def selected(self) -> Marker | None:
        item = self.list.currentItem()
        return item.data(MarkerRole) if item is not None else None

    def _emit_selected(self, signal: object) -> None:
        m = self.selected()
        if m is not None:
            signal.emit(m)  # type: ignore[attr-defined]

    def _on_list_double_clicked(self, item: QListWidgetItem) -> None:
        self.seek_requested.emit(float(item.data(MarkerRole).time_s))

    def _on_list_item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        m: Marker = item.data(MarkerRole)
        name = item.text().strip()
        if name and name != m.name:
            self.rename_requested.emit(m, name)


class TrainerBox(QGroupBox):
    """Speed trainer: start slower, raise by a step every N loops up to a target."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Speed trainer (T)", parent)
        self.setCheckable(True)
        self.setChecked(False)
        self.setToolTip("Loop the A-B section, start slow and speed up by a step after every N "
                        "loops until the target speed (T)")
        form = QFormLayout(self)
        self.start = self._speed_box(0.5)
        self.target = self._speed_box(1.0)
        self.step = QDoubleSpinBox()
        self.step.setRange(0.05, 0.5)
        self.step.setSingleStep(0.05)
        self.step.setValue(0.1)
        self.step.setSuffix("×")
        self.every = QSpinBox()
        self.every.setRange(1, 20)
        self.every.setValue(2)
        self.every.setSuffix(" loops")
        form.addRow("Start", self.start)
        form.addRow("Step", self.step)
        form.addRow("Target", self.target)
        form.addRow("Every", self.every)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        form.addRow(self.status)
        for w in (self.start, self.target, self.step, self.every):
            w.valueChanged.connect(self.changed)
        self.toggled.connect(lambda _on: self.changed.emit())

    @staticmethod
    def _speed_box(value: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(MIN_SPEED, MAX_SPEED)
        box.setSingleStep(0.05)
        box.setValue(value)
        box.setSuffix("×")
        return box

    def trainer(self) -> SpeedTrainer:
        start = min(self.start.value(), self.target.value())
        return SpeedTrainer(start=start, step=self.step.value(), target=self.target.value(),
                            every=self.every.value())

    def set_trainer(self, tr: SpeedTrainer) -> None:
        for box, v in ((self.start, tr.start), (self.step, tr.step), (self.target, tr.target),
                       (self.every, tr.every)):
            box.blockSignals(True)
            box.setValue(v)
            box.blockSignals(False)
        self.changed.emit()
