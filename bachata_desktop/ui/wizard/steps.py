"""The wizard's first two steps: choose the song, then say what kind of choreography to make.

Kept apart from the panel so each step is a plain widget that only collects input and emits it;
the panel owns the jobs (song analysis, generation) and the result view.
"""

from __future__ import annotations

import html
import random
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.choreography import Request, Style
from bachata_desktop.core.clip import CATEGORIES, Energy, Level, RoleFocus, category_label
from bachata_desktop.core.media_types import AUDIO_EXTENSIONS

AUDIO_FILTER = "Audio files (" + " ".join(f"*{e}" for e in sorted(AUDIO_EXTENSIONS)) + ")"


def describe_request(req: Request) -> str:
    """One line an instructor can check: how the form and the text were understood."""
    parts = [req.level.value.capitalize()]
    parts.append(f"{req.energy.value} energy" if req.energy else "energy follows the song")
    parts.append(f"{req.style.value} style" if req.style else "any style")
    if req.role_focus is not RoleFocus.BOTH:
        parts.append(f"focus on the {req.role_focus.value}")
    if req.include:
        parts.append("include " + ", ".join(category_label(c) for c in req.include))
    if req.avoid:
        parts.append("avoid " + ", ".join(category_label(c) for c in req.avoid))
    if req.end_with_dip:
        parts.append("end with a dip")
    src = {"gemini": "Gemini", "offline": "offline parser", "form": "form"}.get(req.source,
                                                                               req.source)
    return " · ".join(parts) + f"  (read by: {src})"


class _SongDropArea(QLabel):
    dropped = Signal(str)

    def __init__(self) -> None:
        super().__init__("Drop an audio file here")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAcceptDrops(True)
        self.setMinimumHeight(70)
        self.setStyleSheet("border: 2px dashed #5a6170; border-radius: 8px; color: #8a8f98;")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if any(Path(u.toLocalFile()).suffix.lower() in AUDIO_EXTENSIONS
               for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        for u in event.mimeData().urls():
            p = Path(u.toLocalFile())
            if p.suffix.lower() in AUDIO_EXTENSIONS:
                self.dropped.emit(str(p))
                event.acceptProposedAction()
                return


class SongStep(QWidget):
    """Step 1: a song from the library, or any audio file (browse or drop)."""

    song_chosen = Signal(str)   # path of the audio file
    cancel_requested = Signal()

    def __init__(self, store: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setAcceptDrops(True)
        lay = QVBoxLayout(self)
        intro = QLabel("<b>1. Choose the song</b> — a song from your library, or any audio file. "
                       "New songs are analysed once (tempo, counts, sections) and kept.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.songs = QListWidget()
        self.songs.setAlternatingRowColors(True)
        self.songs.itemDoubleClicked.connect(lambda _i: self._use_selected())
        self.songs.currentItemChanged.connect(lambda *_: self._update_buttons())
        lay.addWidget(self.songs, 1)
        row = QHBoxLayout()
        self.use_btn = QPushButton("Use this song")
        self.use_btn.setObjectName("primary")
        self.use_btn.clicked.connect(self._use_selected)
        self.browse_btn = QPushButton("Browse for a file…")
        self.browse_btn.clicked.connect(self._browse)
        row.addWidget(self.use_btn)
        row.addWidget(self.browse_btn)
        row.addStretch(1)
        lay.addLayout(row)
        self.drop = _SongDropArea()
        self.drop.dropped.connect(self.song_chosen)
        lay.addWidget(self.drop)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setVisible(False)
        self.cancel_btn.clicked.connect(self.cancel_requested)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        busy = QHBoxLayout()
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.cancel_btn)
        lay.addLayout(busy)
        lay.addWidget(self.status)
        self.songs.setSpacing(2)
        self.reload()

    def reload(self) -> None:
        current = self.songs.currentItem().data(Qt.ItemDataRole.UserRole) if \
            self.songs.currentItem() else None
        self.songs.clear()
        for s in self.store.songs.list():  # type: ignore[attr-defined]
            mins, secs = divmod(int(round(s.duration_s or 0)), 60)
            tempo = f"{s.tempo_bpm:.0f} BPM · " if s.tempo_bpm else ""
            item = QListWidgetItem(f"{s.title}    {tempo}{mins}:{secs:02d}")
            path = str(self.store.media_file(s.path))  # type: ignore[attr-defined]
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.songs.addItem(item)
            if path == current:
                self.songs.setCurrentItem(item)
        if self.songs.count() and self.songs.currentItem() is None:
            self.songs.setCurrentRow(0)
        if not self.songs.count():
            empty = QListWidgetItem("No songs in the library yet: browse for an audio file or "
                                    "drop one below.")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.songs.addItem(empty)
        self._update_buttons()

    def select_path(self, path: str) -> bool:
        for i in range(self.songs.count()):
            if self.songs.item(i).data(Qt.ItemDataRole.UserRole) == path:
                self.songs.setCurrentRow(i)
                return True
        return False

    def set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.cancel_btn.setVisible(busy)
        for w in (self.use_btn, self.browse_btn, self.songs, self.drop):
            w.setEnabled(not busy)
        if not busy:
            self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.songs.currentItem()
        self.use_btn.setEnabled(item is not None and bool(item.data(Qt.ItemDataRole.UserRole)))

    def _use_selected(self) -> None:
        item = self.songs.currentItem()
        if item is not None and item.data(Qt.ItemDataRole.UserRole):
            self.song_chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        self.drop.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        self.drop.dropEvent(event)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a song", "", AUDIO_FILTER)
        if path:
            self.song_chosen.emit(path)


class PreferencesStep(QWidget):
    """Step 2: level, energy, style, role focus, families, seed and the free-text request."""

    generate_requested = Signal()
    understand_requested = Signal()
    cancel_requested = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.song_label = QLabel("")
        self.song_label.setWordWrap(True)
        lay.addWidget(self.song_label)
        top = QHBoxLayout()
        form_box = QGroupBox("Preferences")
        form = QFormLayout(form_box)
        self.level = QComboBox()
        for lv in Level:
            self.level.addItem(lv.value.capitalize(), lv.value)
        self.level.setCurrentIndex(list(Level).index(Level.INTERMEDIATE))
        self.energy = QComboBox()
        self.energy.addItem("Follow the song", "")
        for e in Energy:
            self.energy.addItem(e.value.capitalize(), e.value)
        self.style = QComboBox()
        self.style.addItem("Any style", "")
        for st in Style:
            self.style.addItem(st.value.capitalize(), st.value)
        self.role = QComboBox()
        for r in RoleFocus:
            self.role.addItem({"both": "Both roles"}.get(r.value, f"Focus on the {r.value}"), r.value)
        self.seed = QSpinBox()
        self.seed.setRange(0, 999_999)
        self.seed.setToolTip("The same seed gives the same choreography; change it for another one")
        dice = QPushButton("New")
        dice.setToolTip("Pick another seed")
        dice.clicked.connect(lambda: self.seed.setValue(random.randint(0, 999_999)))
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(dice)
        self.dip = QCheckBox("End with a dip")
        form.addRow("Level", self.level)
        form.addRow("Energy", self.energy)
        form.addRow("Style", self.style)
        form.addRow("Role focus", self.role)
        form.addRow("Seed", seed_row)
        form.addRow("", self.dip)
        top.addWidget(form_box, 2)

        fam_box = QGroupBox("Move families")
        fam = QGridLayout(fam_box)
        fam.addWidget(QLabel("Include"), 0, 0)
        fam.addWidget(QLabel("Avoid"), 0, 1)
        self.include = self._category_list()
        self.avoid = self._category_list()
        fam.addWidget(self.include, 1, 0)
        fam.addWidget(self.avoid, 1, 1)
        top.addWidget(fam_box, 3)
        lay.addLayout(top, 1)

        text_box = QGroupBox("Describe it in your own words (optional)")
        tl = QVBoxLayout(text_box)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("e.g. “sensual routine for intermediates, lots of body waves, "
                                     "no spins, finish with a dip” — English or Spanish")
        self.text.setMaximumHeight(70)
        tl.addWidget(self.text)
        urow = QHBoxLayout()
        self.understand_btn = QPushButton("Check how it is understood")
        self.understand_btn.clicked.connect(self.understand_requested)
        urow.addWidget(self.understand_btn)
        urow.addStretch(1)
        tl.addLayout(urow)
        self.understood = QLabel("")
        self.understood.setWordWrap(True)
        self.understood.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tl.addWidget(self.understood)
        lay.addWidget(text_box)

        bottom = QHBoxLayout()
        self.back_btn = QPushButton("← Song")
        self.back_btn.clicked.connect(self.back_requested)
        self.generate_btn = QPushButton("Generate choreography")
        self.generate_btn.setObjectName("primary")
        self.generate_btn.clicked.connect(self.generate_requested)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.clicked.connect(self.cancel_requested)
        self.cancel_btn.setVisible(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        bottom.addWidget(self.back_btn)
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.cancel_btn)
        bottom.addWidget(self.generate_btn)
        lay.addLayout(bottom)

    @staticmethod
    def _category_list() -> QListWidget:
        lst = QListWidget()
        for c in CATEGORIES:
            item = QListWidgetItem(category_label(c))
            item.setData(Qt.ItemDataRole.UserRole, c)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            lst.addItem(item)
        return lst

    @staticmethod
    def _checked(lst: QListWidget) -> tuple[str, ...]:
        return tuple(str(lst.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(lst.count())
                     if lst.item(i).checkState() == Qt.CheckState.Checked)

    def set_categories(self, lst: QListWidget, cats: tuple[str, ...]) -> None:
        for i in range(lst.count()):
            item = lst.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in cats
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def request(self) -> Request:
        """The form as a request (the free text is understood separately, as a job)."""
        energy, style = self.energy.currentData(), self.style.currentData()
        return Request(level=Level(self.level.currentData()),
                       energy=Energy(energy) if energy else None,
                       style=Style(style) if style else None,
                       role_focus=RoleFocus(self.role.currentData()),
                       include=self._checked(self.include), avoid=self._checked(self.avoid),
                       text=self.text.toPlainText().strip(), seed=self.seed.value(),
                       end_with_dip=self.dip.isChecked(), source="form")

    def set_request(self, req: Request) -> None:
        """Fill the form from a request (an opened choreography's)."""
        self.level.setCurrentIndex(max(0, self.level.findData(req.level.value)))
        self.energy.setCurrentIndex(max(0, self.energy.findData(req.energy.value if req.energy else "")))
        self.style.setCurrentIndex(max(0, self.style.findData(req.style.value if req.style else "")))
        self.role.setCurrentIndex(max(0, self.role.findData(req.role_focus.value)))
        self.set_categories(self.include, req.include)
        self.set_categories(self.avoid, req.avoid)
        self.seed.setValue(int(req.seed))
        self.dip.setChecked(req.end_with_dip)
        self.text.setPlainText(req.text)

    def apply_understood(self, req: Request) -> None:
        """Put what the sentence was understood as into the form (style, families, dip...), so
        the form and the sentence agree; the typed text and the seed stay as they are."""
        text, seed = self.text.toPlainText(), self.seed.value()
        self.set_request(req)
        self.text.setPlainText(text)
        self.seed.setValue(seed)

    def show_understood(self, req: Request) -> None:
        lines = [f"<b>Understood as:</b> {html.escape(describe_request(req))}"]
        lines += [f"<span style='color:#c7722a'>⚠ {html.escape(n)}</span>" for n in req.notes]
        self.understood.setText("<br>".join(lines))

    def set_busy(self, busy: bool, message: str = "") -> None:
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.cancel_btn.setVisible(busy)
        self.generate_btn.setEnabled(not busy)
        self.understand_btn.setEnabled(not busy)
        self.back_btn.setEnabled(not busy)
        self.status.setText(message)
