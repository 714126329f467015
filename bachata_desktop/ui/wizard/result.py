"""The wizard's result step: the timeline, the move list, the selected move's detail and the actions.

Only widgets and signals live here; the panel runs every action (swap, preview, save, export) as a
job and feeds the results back with :meth:`ResultView.show_result`.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDrag, QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.choreography import Choreography
from bachata_desktop.core.clip import category_label
from bachata_desktop.ui.mime import CHOREOGRAPHY_IDS_MIME, encode_ids
from bachata_desktop.ui.wizard.slot_detail import SlotDetail
from bachata_desktop.ui.wizard.steps import describe_request
from bachata_desktop.ui.wizard.timeline import ChoreographyTimeline, category_icon


class DragHandle(QLabel):
    """Drag the saved choreography from here onto a class plan."""

    def __init__(self) -> None:
        super().__init__("⠿ Drag to a class plan")
        self.doc_id: int | None = None
        self._press: QPoint | None = None
        self.setStyleSheet("border: 1px dashed #5a6170; border-radius: 6px; padding: 4px 8px;")
        self.set_doc(None)

    def set_doc(self, doc_id: int | None) -> None:
        self.doc_id = doc_id
        self.setEnabled(doc_id is not None)
        self.setToolTip("Drag this choreography onto a class plan" if doc_id is not None
                        else "Save the choreography first")
        self.setCursor(Qt.CursorShape.OpenHandCursor if doc_id is not None
                       else Qt.CursorShape.ArrowCursor)

    def mime(self):  # noqa: ANN201 - QMimeData
        return encode_ids(CHOREOGRAPHY_IDS_MIME, [self.doc_id] if self.doc_id is not None else [])

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._press = event.position().toPoint()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self.doc_id is None or self._press is None:
            return
        if (event.position().toPoint() - self._press).manhattanLength() < \
                QApplication.startDragDistance():
            return
        drag = QDrag(self)
        drag.setMimeData(self.mime())
        drag.exec(Qt.DropAction.CopyAction)
        self._press = None


class ResultView(QWidget):
    """Step 3: the generated choreography and what can be done with it."""

    back_requested = Signal()
    regenerate_requested = Signal()
    play_song_requested = Signal()
    preview_requested = Signal()
    save_requested = Signal(str)               # title
    export_requested = Signal(str, bool)       # preset, mirror
    add_to_plan_requested = Signal()
    cancel_requested = Signal()
    play_clip_requested = Signal(int)          # clip id
    undo_requested = Signal()
    practice_track_requested = Signal()        # a counted practice track of the routine
    run_class_requested = Signal()             # the run-the-class full screen of the routine

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choreography: Choreography | None = None
        self.changed: list[int] = []
        # the routine scrolls when the window is short; the actions and the status stay in view
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(0, 0, 4, 0)
        body_scroll = QScrollArea()
        body_scroll.setWidget(body)
        body_scroll.setWidgetResizable(True)
        body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(body_scroll, 1)
        head = QHBoxLayout()
        self.title = QLabel("")
        self.title.setWordWrap(True)    # a long song title wraps instead of widening the window
        self.title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.back_btn = QPushButton("← Preferences")
        self.back_btn.setToolTip("Back to step 2, the preferences")
        self.back_btn.clicked.connect(self.back_requested)
        self.regen_btn = QPushButton("Another version")
        self.regen_btn.setToolTip("Generate again with a new seed")
        self.regen_btn.clicked.connect(self.regenerate_requested)
        self.undo_btn = QPushButton("Undo swap")
        self.undo_btn.setToolTip("Go back to the routine before the last swap (Ctrl+Z)")
        self.undo_btn.setShortcut("Ctrl+Z")
        self.undo_btn.setEnabled(False)
        self.undo_btn.clicked.connect(self.undo_requested)
        head.addWidget(self.back_btn)
        head.addWidget(self.title, 1)
        head.addWidget(self.undo_btn)
        head.addWidget(self.regen_btn)
        for text, tip, signal in (
                ("Practice track…", "Slowed, counted audio of the routine with the move names called",
                 self.practice_track_requested),
                ("Run the class", "Full screen for the projector: count, moves, countdown", self.run_class_requested)):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(signal)
            head.addWidget(b)
        lay.addLayout(head)
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.RichText)
        self.notes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        notes_scroll = QScrollArea()  # many remarks scroll here instead of pushing the work down
        notes_scroll.setWidget(self.notes)
        notes_scroll.setWidgetResizable(True)
        notes_scroll.setFrameShape(QFrame.Shape.NoFrame)
        notes_scroll.setMaximumHeight(5 * self.notes.fontMetrics().lineSpacing() + 6)
        notes_scroll.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.notes_scroll = notes_scroll
        lay.addWidget(notes_scroll)

        self.timeline = ChoreographyTimeline()
        self.timeline.slot_clicked.connect(self.select_slot)
        lay.addWidget(self.timeline)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.moves = QListWidget()
        self.moves.currentRowChanged.connect(self._on_row)
        self.moves.setToolTip("Double-click a move to play its clip")
        self.moves.itemDoubleClicked.connect(lambda _item: self._play_row(self.moves.currentRow()))
        self.detail = SlotDetail()
        split.addWidget(self.moves)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([260, 800])
        # never squeezed below what the move's reasons and alternatives need (text drew over the
        # tables at 1280x720): the step scrolls instead
        split.setMinimumHeight(max(280, self.detail.minimumSizeHint().height()))
        lay.addWidget(split, 1)

        actions = QHBoxLayout()
        self.play_btn = QPushButton("▶ Play song")
        self.play_btn.setToolTip("Open the song in the player with its counts")
        self.play_btn.clicked.connect(self.play_song_requested)
        self.preview_btn = QPushButton("Preview video")
        self.preview_btn.setToolTip("Play the moves on the song at once, with their counts")
        self.preview_btn.clicked.connect(self.preview_requested)
        self.name = QLineEdit()
        self.name.setPlaceholderText("Title")
        self.name.setMinimumWidth(120)     # the row fits the generator area of a 1280 screen
        self.name.setToolTip("The routine's title when saved")
        self.save_btn = QPushButton("Save")
        self.save_btn.setObjectName("primary")
        self.save_btn.setToolTip("Save the routine under this title")
        self.save_btn.clicked.connect(lambda: self.save_requested.emit(self.name.text().strip()))
        self.preset = QComboBox()
        self.preset.addItems(["720p", "1080p", "480p"])
        self.mirror = QComboBox()
        self.mirror.addItems(["As filmed", "Mirrored"])
        self.preset.setToolTip("Size of the exported video")
        self.mirror.setToolTip("Mirror the exported video (to teach facing the class)")
        self.export_btn = QPushButton("Export video…")
        self.export_btn.setToolTip("Render the routine on the song as a video file")
        self.export_btn.clicked.connect(lambda: self.export_requested.emit(
            self.preset.currentText(), self.mirror.currentIndex() == 1))
        self.plan_btn = QPushButton("Add to class plan")
        self.plan_btn.setToolTip("Save it and open the class plans, where it can be added")
        self.plan_btn.clicked.connect(self.add_to_plan_requested)
        self.drag = DragHandle()
        for w in (self.play_btn, self.preview_btn):
            actions.addWidget(w)
        actions.addSpacing(6)
        actions.addWidget(self.name, 1)
        actions.addWidget(self.save_btn)
        actions.addSpacing(6)
        actions.addWidget(self.preset)
        actions.addWidget(self.mirror)
        actions.addWidget(self.export_btn)
        actions.addSpacing(6)
        actions.addWidget(self.plan_btn)
        actions.addWidget(self.drag)
        outer.addLayout(actions)

        busy = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel("")
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setVisible(False)
        self.cancel_btn.clicked.connect(self.cancel_requested)
        self.folder_btn = QPushButton("Show in folder")
        self.folder_btn.setToolTip("Open the folder of the exported video")
        self.folder_btn.setVisible(False)
        self.folder_btn.clicked.connect(self._open_folder)
        self.exported_path = ""
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.status, 2)
        busy.addWidget(self.folder_btn)
        busy.addWidget(self.cancel_btn)
        outer.addLayout(busy)

    # -- content -----------------------------------------------------------------------------------
    def show_result(self, choreo: Choreography, keep_selection: bool = False,
                    changed: list[int] | None = None) -> None:
        """Show ``choreo``; the slots in ``changed`` (by the last swap) are marked with ●."""
        self.choreography = choreo
        self.changed = list(changed or [])
        row = self.timeline.selected if keep_selection else -1
        self.timeline.set_choreography(choreo, keep_selection)
        mins, secs = divmod(int(round(choreo.song.duration_s)), 60)
        self.title.setText(f"{choreo.song.title or 'Song'} · {choreo.tempo:.0f} BPM · "
                           f"{mins}:{secs:02d} · {len(choreo.slots)} moves · seed {choreo.seed}")
        lines = [f"<b>Request:</b> {describe_request(choreo.request)}"]
        if choreo.request.text:
            lines[0] += f" — <i>“{html.escape(choreo.request.text)}”</i>"
        notes = list(dict.fromkeys((*choreo.request.notes, *choreo.notes)))
        lines += [f"<span style='color:#c7722a'>⚠ {html.escape(n)}</span>" for n in notes]
        self.notes.setText("<br>".join(lines))
        if not self.name.text().strip():
            self.name.setText(f"{choreo.song.title or 'Choreography'} "
                              f"({choreo.request.level.value})")
            self.name.setCursorPosition(0)
        self.moves.blockSignals(True)
        self.moves.clear()
        for i, s in enumerate(choreo.slots):
            m0, s0 = divmod(s.start, 60)
            item = QListWidgetItem(category_icon(s.category),
                                   ("● " if i in self.changed else "")
                                   + f"{i + 1}.  {int(m0)}:{int(s0):02d}  {s.name}"
                                   + ("  (kept)" if s.pinned else ""))
            if i in self.changed:
                f = item.font()
                f.setBold(True)
                item.setFont(f)
            item.setToolTip(f"{category_label(s.category)} · {s.counts} counts"
                            + (f" · {s.section}" if s.section else ""))
            self.moves.addItem(item)
        self.moves.blockSignals(False)
        self.select_slot(row)

    def select_slot(self, index: int) -> None:
        ch = self.choreography
        ok = ch is not None and 0 <= index < len(ch.slots)
        self.timeline.select(index if ok else -1)
        self.moves.blockSignals(True)
        self.moves.setCurrentRow(index if ok else -1)
        self.moves.blockSignals(False)
        self.detail.set_slot(index if ok else -1, ch.slots[index] if ok and ch else None)

    def _play_row(self, row: int) -> None:
        if self.choreography is not None and 0 <= row < len(self.choreography.slots):
            self.play_clip_requested.emit(self.choreography.slots[row].clip_id)

    def _on_row(self, row: int) -> None:
        self.select_slot(row)

    def show_exported(self, path: str) -> None:
        """After an export: say where it went and offer to open its folder."""
        self.exported_path = path
        self.folder_btn.setVisible(bool(path))
        self.folder_btn.setToolTip(f"Open {Path(path).parent}" if path else "")

    def _open_folder(self) -> None:
        if self.exported_path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.exported_path).parent)))

    def set_busy(self, busy: bool, message: str = "", cancellable: bool = True) -> None:
        if busy:
            self.folder_btn.setVisible(False)
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.cancel_btn.setVisible(busy and cancellable)
        for w in (self.preview_btn, self.export_btn, self.regen_btn):
            w.setEnabled(not busy)
        self.status.setText(message)

    def set_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(round(fraction * 100)))
        if message:
            self.status.setText(message)
