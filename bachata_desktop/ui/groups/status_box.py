"""A move's status for a class, set in one place: the player's side column."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QWidget

from bachata_desktop.core.errors import BachataError
from bachata_desktop.core.groups import Status
from bachata_desktop.services import groups as group_service
from bachata_desktop.ui.context import AppContext

NOT_TAUGHT = "Not taught yet"


class ClassStatusBox(QGroupBox):
    """Pick a class, see and set where it stands with the open move."""

    status_set = Signal(int, int)   # group id, clip id

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Class progress", parent)
        self.ctx = ctx
        self.clip_id: int | None = None
        self._updating = False
        form = QFormLayout(self)
        self.group_combo = QComboBox()
        self.status_combo = QComboBox()
        self.status_combo.addItem(NOT_TAUGHT, None)
        for st in Status:
            self.status_combo.addItem(st.label, st.value)
        self.last = QLabel("")
        self.last.setObjectName("muted")
        form.addRow("Class", self.group_combo)
        form.addRow("Status", self.status_combo)
        form.addRow("", self.last)
        self.group_combo.currentIndexChanged.connect(lambda _i: self._show())
        self.status_combo.currentIndexChanged.connect(self._on_status_combo_changed)
        self.refresh_groups()

    def refresh_groups(self) -> None:
        keep = self.group_combo.currentData()
        self._updating = True
        self.group_combo.clear()
        for g in self.ctx.store.groups.list_groups():
            self.group_combo.addItem(g.name, g.id)
        if keep is not None and self.group_combo.findData(keep) >= 0:
            self.group_combo.setCurrentIndex(self.group_combo.findData(keep))
        self._updating = False
        self._show()

    def set_clip(self, clip_id: int | None) -> None:
        self.clip_id = clip_id
        self._show()

    def _show(self) -> None:
        gid = self.group_combo.currentData()
        usable = self.clip_id is not None and gid is not None
        self.setVisible(self.group_combo.count() > 0)
        self.status_combo.setEnabled(usable)
        self._updating = True
        p = self.ctx.store.groups.progress(gid).get(self.clip_id) if usable else None  # type: ignore[arg-type]
        self.status_combo.setCurrentIndex(self.status_combo.findData(p.status.value) if p else 0)
        self._updating = False
        self.last.setText(f"last taught {p.last_taught}" if p and p.last_taught else "")

    def _on_status_combo_changed(self, _index: int) -> None:
        gid = self.group_combo.currentData()
        if self._updating or self.clip_id is None or gid is None:
            return
        value = self.status_combo.currentData()
        try:
            group_service.set_status(self.ctx.store, gid, self.clip_id, value)
        except BachataError as exc:
            self.ctx.navigator.status.emit(str(exc))
            return
        self.ctx.navigator.status.emit(f"{self.group_combo.currentText()}: "
                                       f"{self.status_combo.currentText().lower()}")
        self.status_set.emit(gid, self.clip_id)
        self._show()
