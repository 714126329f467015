"""A move's prerequisites in the clip editor: what a class should know before it is suggested."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.clip import CATEGORIES, Clip, category_label, move_title
from bachata_desktop.core.errors import BachataError
from bachata_desktop.core.suggest import token_label
from bachata_desktop.services import groups as group_service
from bachata_desktop.ui.context import AppContext


class PrerequisitesDialog(QDialog):
    """Tick move families ("any lady turn") and single moves the move needs first."""

    def __init__(self, clip: Clip, tokens: tuple[str, ...], clips: list[Clip],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Prerequisites of {move_title(clip.name)}")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("A class is offered this move once it was taught one move of each "
                             "ticked family and each ticked move."))
        row = QHBoxLayout()
        self.families = QListWidget()
        for cat in CATEGORIES:
            self._add(self.families, category_label(cat), f"family:{cat}", tokens)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter moves…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)
        self.moves = QListWidget()
        for c in clips:
            if c.id is not None and c.id != clip.id:
                self._add(self.moves, move_title(c.name), f"clip:{c.id}", tokens)
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Families</b>"))
        left.addWidget(self.families)
        right = QVBoxLayout()
        right.addWidget(QLabel("<b>Moves</b>"))
        right.addWidget(self.filter_edit)
        right.addWidget(self.moves)
        row.addLayout(left)
        row.addLayout(right, 1)
        lay.addLayout(row, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(560, 480)

    @staticmethod
    def _add(widget: QListWidget, text: str, token: str, tokens: tuple[str, ...]) -> None:
        it = QListWidgetItem(text)
        it.setData(Qt.ItemDataRole.UserRole, token)
        it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        it.setCheckState(Qt.CheckState.Checked if token in tokens else Qt.CheckState.Unchecked)
        widget.addItem(it)

    def _on_filter_edit_text_changed(self, text: str) -> None:
        words = text.lower().split()
        for n in range(self.moves.count()):
            it = self.moves.item(n)
            it.setHidden(not all(w in it.text().lower() for w in words))

    def tokens(self) -> tuple[str, ...]:
        out = []
        for widget in (self.families, self.moves):
            for n in range(widget.count()):
                it = widget.item(n)
                if it.checkState() == Qt.CheckState.Checked:
                    out.append(str(it.data(Qt.ItemDataRole.UserRole)))
        return tuple(out)


class PrerequisitesBox(QGroupBox):
    """Shows the selected move's prerequisites (its own, or its family's defaults) with Edit/Reset."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Prerequisites (what to teach next)", parent)
        self.ctx = ctx
        self.clip: Clip | None = None
        lay = QVBoxLayout(self)
        self.label = QLabel()
        self.label.setWordWrap(True)
        lay.addWidget(self.label)
        row = QHBoxLayout()
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(self.edit)
        self.reset_button = QPushButton("Family defaults")
        self.reset_button.setToolTip("Use the defaults of the move's family again")
        self.reset_button.clicked.connect(self.reset)
        row.addWidget(self.edit_button)
        row.addWidget(self.reset_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.set_clip(None)

    def set_clip(self, clip: Clip | None) -> None:
        self.clip = clip
        self.setVisible(clip is not None and clip.id is not None)
        if clip is None or clip.id is None:
            return
        tokens, own = group_service.prerequisites_of(self.ctx.store, clip)
        wanted = [int(t[5:]) for t in tokens if t.startswith("clip:") and t[5:].isdigit()]
        clips = self.ctx.store.clips.get_many(wanted)  # only the moves named, not the library
        names = ", ".join(token_label(t, clips) for t in tokens) or "nothing"
        self.label.setText(f"Needs {names}" + ("" if own else f" (defaults for {category_label(clip.category)})"))
        self.reset_button.setEnabled(own)

    def edit(self) -> None:
        clip = self.clip
        if clip is None or clip.id is None:
            return
        tokens, _own = group_service.prerequisites_of(self.ctx.store, clip)
        dlg = PrerequisitesDialog(clip, tokens, self.ctx.store.clips.list(), self)
        if dlg.exec():
            self.save(dlg.tokens())

    def save(self, tokens: tuple[str, ...] | None) -> None:
        if self.clip is None or self.clip.id is None:
            return
        try:
            group_service.set_prerequisites(self.ctx.store, self.clip.id, tokens)
        except BachataError as exc:
            self.ctx.navigator.status.emit(str(exc))
        self.set_clip(self.clip)

    def reset(self) -> None:
        self.save(None)
