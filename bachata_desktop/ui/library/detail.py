"""The editor beside the library grid: every field an instructor keeps about one move.

Edits are committed as soon as a field is left (or a choice is made, or after a short pause in the
notes): the editor emits ``clip_edited(Clip)`` and the panel saves it on the write pool and
re-embeds its text in the background. :func:`save_edits` copies only the editable fields onto the
stored row, so an edit never undoes what the analysis wrote meanwhile.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.clip import (
    CATEGORIES,
    UNSET_KEY,
    AnalysisState,
    Clip,
    Energy,
    Hold,
    Level,
    RoleFocus,
    category_label,
    move_title,
    unset_fields,
)
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.task import TaskContext
from bachata_desktop.store import Store
from bachata_desktop.ui.library.model import format_duration
from bachata_desktop.ui.library.move_facts import hold_note, lead_note, length_note, measured_counts

EDITABLE_FIELDS: tuple[str, ...] = (
    "name", "category", "level", "energy", "role_focus", "counts", "start_hold", "end_hold", "tags",
    "notes", "teaching_notes", "lead_follow_flipped")

HOLD_LABELS = {Hold.UNKNOWN: "Not set", Hold.OPEN: "Open", Hold.CLOSED: "Closed", Hold.SHADOW: "Shadow",
               Hold.HAMMERLOCK: "Hammerlock", Hold.CROSS_HAND: "Cross hand"}
NOTES_PAUSE_MS = 700
MEASURED = "measured"  # extra["counts_source"] of an edit that asks for the measured length again


def save_edits(ctx: TaskContext, store: Store, clip: Clip) -> Clip:
    """Write pool job: apply the editable fields of ``clip`` to the stored row and return it."""
    assert clip.id is not None
    current = store.clips.get(clip.id)
    if current is None:
        raise InputError(f"“{move_title(clip.name)}” is no longer in the library; the edit was not saved.")
    merged = current.with_(**{f: getattr(clip, f) for f in EDITABLE_FIELDS})
    if (merged.start_hold, merged.end_hold) != (current.start_hold, current.end_hold):
        # the analysis only fills holds nobody chose: from now on they are the user's
        merged = merged.with_(extra={**merged.extra, "holds_source": "user"})
    if clip.extra.get("counts_source") == MEASURED:  # back to the length the analysis measured
        merged = merged.with_(counts=measured_counts(current) or merged.counts,
                              extra={**merged.extra, "counts_source": "auto"})
    elif merged.counts != current.counts:  # the analysis no longer replaces a length the user set
        merged = merged.with_(extra={**merged.extra, "counts_source": "user"})
    unset = unset_fields(current)
    now_set = {f for f in unset if getattr(merged, f) != getattr(current, f)}
    if now_set:  # a level or energy chosen in the editor is known from now on
        merged = merged.with_(extra={**merged.extra, UNSET_KEY: sorted(unset - now_set)})
    return store.clips.update(merged) if merged != current else current


def category_key(text: str) -> str:
    """A category typed by the user: a known label maps to its key, anything else is normalised."""
    t = text.strip()
    for key in CATEGORIES:
        if t.casefold() in (key, category_label(key).casefold()):
            return key
    return "_".join(t.casefold().split())


def parse_tags(text: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for part in text.split(","):
        tag = " ".join(part.split())
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)


class ClipDetail(QWidget):
    """Shows and edits one clip; ``set_clip(None)`` shows a hint instead."""

    clip_edited = Signal(object)        # Clip with the user's changes (not yet saved)
    play_requested = Signal(int)
    similar_requested = Signal(int)
    delete_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clipDetail")
        self._clip: Clip | None = None
        self._loading = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 12, 14, 12)
        self.hint = QLabel("Select a move to see and edit its details.\n\n"
                           "Double-click a move to open it in the player.")
        self.hint.setObjectName("emptyText")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.hint)
        self.body = QWidget()
        outer.addWidget(self.body, 1)
        lay = QVBoxLayout(self.body)
        lay.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel()
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        self.info = QLabel()
        self.info.setObjectName("detailInfo")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.title)
        lay.addWidget(self.info)
        buttons = QHBoxLayout()
        self.play_button = QPushButton("▶ Play")
        self.play_button.setObjectName("primary")
        self.similar_button = QPushButton("Similar moves")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("danger")
        for b in (self.play_button, self.similar_button, self.delete_button):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setObjectName("detailRule")
        lay.addWidget(line)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit()
        self.category_combo = QComboBox()
        self.category_combo.setEditable(True)
        self.category_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.category_combo.setToolTip("Pick one of the categories or type a new one")
        self.set_categories(())
        self.level_combo = _enum_combo([(lv, lv.value.capitalize()) for lv in Level])
        self.energy_combo = _enum_combo([(e, e.value.capitalize()) for e in Energy])
        self.role_combo = _enum_combo([(RoleFocus.BOTH, "Both"), (RoleFocus.LEAD, "Lead"),
                                       (RoleFocus.FOLLOW, "Follow")])
        self.counts_spin = QSpinBox()
        self.counts_spin.setRange(1, 64)
        self.counts_spin.setSuffix(" counts")
        self.counts_reset = QPushButton("Use measured")
        self.counts_reset.setToolTip("Go back to the length read from the dance; a new analysis "
                                     "may then change it again")
        self.counts_reset.clicked.connect(self.use_measured_length)
        self.start_hold_combo = _enum_combo(list(HOLD_LABELS.items()))
        self.end_hold_combo = _enum_combo(list(HOLD_LABELS.items()))
        self.flip_check = QCheckBox("Swap lead and follow")
        # Where each value came from (set by you / seen in the video, how sure / family default).
        self.length_note, self.start_hold_note, self.end_hold_note, self.lead_note = (
            _note_label() for _ in range(4))
        self.tags_edit = QLineEdit()
        self.tags_edit.setPlaceholderText("comma, separated, tags")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setPlaceholderText("Your notes about this move")
        self.notes_edit.setFixedHeight(64)
        self.teaching_edit = QPlainTextEdit()
        self.teaching_edit.setPlaceholderText("How you teach it: counts, cues, common mistakes")
        self.teaching_edit.setFixedHeight(80)
        form.addRow("Name", self.name_edit)
        form.addRow("Category", self.category_combo)
        form.addRow("Level", self.level_combo)
        form.addRow("Energy", self.energy_combo)
        form.addRow("Role focus", self.role_combo)
        length_box = _with_note(self.counts_spin, self.length_note)
        length_box.layout().addWidget(self.counts_reset, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow("Length", length_box)
        form.addRow("Starts in", _with_note(self.start_hold_combo, self.start_hold_note))
        form.addRow("Ends in", _with_note(self.end_hold_combo, self.end_hold_note))
        form.addRow("Lead / follow", _with_note(self.flip_check, self.lead_note))
        form.addRow("Tags", self.tags_edit)
        form.addRow("Notes", self.notes_edit)
        form.addRow("Teaching", self.teaching_edit)
        lay.addLayout(form)
        lay.addStretch(1)

        self._notes_timer = QTimer(self)
        self._notes_timer.setSingleShot(True)
        self._notes_timer.setInterval(NOTES_PAUSE_MS)
        self._notes_timer.timeout.connect(self.commit)
        self.name_edit.editingFinished.connect(self.commit)
        self.tags_edit.editingFinished.connect(self.commit)
        self.category_combo.activated.connect(lambda _i: self.commit())
        self.category_combo.lineEdit().editingFinished.connect(self.commit)
        for combo in (self.level_combo, self.energy_combo, self.role_combo, self.start_hold_combo,
                      self.end_hold_combo):
            combo.currentIndexChanged.connect(lambda _i: self.commit())
        self.counts_spin.valueChanged.connect(lambda _v: self.commit())
        self.flip_check.toggled.connect(lambda _b: self.commit())
        for edit in (self.notes_edit, self.teaching_edit):
            edit.textChanged.connect(self._on_notes_text_changed)
        self.play_button.clicked.connect(lambda: self._emit_for_clip(self.play_requested))
        self.similar_button.clicked.connect(lambda: self._emit_for_clip(self.similar_requested))
        self.delete_button.clicked.connect(lambda: self._emit_for_clip(self.delete_requested))
        self.set_clip(None)

    # -- showing ---------------------------------------------------------------------------------
    @property
    def clip(self) -> Clip | None:
        return self._clip

    def set_categories(self, extra: tuple[str, ...] | list[str]) -> None:
        """The 16 original categories plus the user's own (keys as stored)."""
        keys = list(CATEGORIES) + sorted(k for k in set(extra) if k and k not in CATEGORIES)
        current = self._clip.category if self._clip is not None else None
        self._loading = True
        self.category_combo.clear()
        for k in keys:
            self.category_combo.addItem(category_label(k), k)
        if current is not None:
            self._select_category(current)
        self._loading = False

    def set_clip(self, clip: Clip | None) -> None:
        """Show ``clip``; a newer copy of the clip already shown keeps what is being typed."""
        self.flush()
        previous = self._clip
        same = clip is not None and previous is not None and clip.id == previous.id
        self._clip = clip
        self.hint.setVisible(clip is None)
        self.body.setVisible(clip is not None)
        if clip is None:
            return
        self._show_info(clip)
        self._loading = True
        try:
            if same:
                # Refresh only the fields the user has not touched (the analysis may have set
                # counts or holds meanwhile); what is being typed stays as it is.
                assert previous is not None
                for name, (getter, setter) in self._fields().items():
                    if getter() == getattr(previous, name) != getattr(clip, name):
                        setter(getattr(clip, name))
            else:
                for name, (_getter, setter) in self._fields().items():
                    setter(getattr(clip, name))
        finally:
            self._loading = False

    def _fields(self) -> dict[str, tuple[Any, Any]]:
        """Per editable field: read the form value, write a clip value into the form."""
        return {
            "name": (lambda: self.name_edit.text().strip(), self.name_edit.setText),
            "category": (self._category_value, self._select_category),
            "level": (lambda: Level(self.level_combo.currentData()),
                      lambda v: _select(self.level_combo, v)),
            "energy": (lambda: Energy(self.energy_combo.currentData()),
                       lambda v: _select(self.energy_combo, v)),
            "role_focus": (lambda: RoleFocus(self.role_combo.currentData()),
                           lambda v: _select(self.role_combo, v)),
            "counts": (self.counts_spin.value, lambda v: self.counts_spin.setValue(int(v))),
            "start_hold": (lambda: Hold(self.start_hold_combo.currentData()),
                           lambda v: _select(self.start_hold_combo, v)),
            "end_hold": (lambda: Hold(self.end_hold_combo.currentData()),
                         lambda v: _select(self.end_hold_combo, v)),
            "tags": (lambda: parse_tags(self.tags_edit.text()),
                     lambda v: self.tags_edit.setText(", ".join(v))),
            "notes": (self.notes_edit.toPlainText, self.notes_edit.setPlainText),
            "teaching_notes": (self.teaching_edit.toPlainText, self.teaching_edit.setPlainText),
            "lead_follow_flipped": (self.flip_check.isChecked,
                                    lambda v: self.flip_check.setChecked(bool(v))),
        }

    def _show_info(self, clip: Clip) -> None:
        self.title.setText(move_title(clip.name))
        bits = [format_duration(clip.duration_s)]
        if clip.width and clip.height:
            bits.append(f"{clip.width}×{clip.height}")
        if clip.tempo_bpm:
            bits.append(f"{clip.tempo_bpm:.0f} BPM")
        state = {AnalysisState.DONE: "analysed", AnalysisState.PENDING: "waiting for analysis",
                 AnalysisState.RUNNING: "analysing…", AnalysisState.FAILED: "analysis failed"}
        bits.append(state[clip.analysis_state])
        text = " · ".join(bits)
        if clip.analysis_state is AnalysisState.FAILED and clip.analysis_error:
            text += f"\n{clip.analysis_error}"
        self.info.setText(text)
        self._show_notes(clip)

    def _show_notes(self, clip: Clip) -> None:
        self.length_note.setText(length_note(clip))
        measured = measured_counts(clip)
        self.counts_reset.setVisible(clip.extra.get("counts_source") == "user" and measured is not None)
        if measured is not None:
            self.counts_reset.setText(f"Use measured ({measured})")
        self.start_hold_note.setText(hold_note(clip, "start"))
        self.end_hold_note.setText(hold_note(clip, "end"))
        self.lead_note.setText(lead_note(clip))

    def _select_category(self, key: str) -> None:
        i = self.category_combo.findData(key)
        if i < 0:
            self.category_combo.addItem(category_label(key), key)
            i = self.category_combo.count() - 1
        self.category_combo.setCurrentIndex(i)

    # -- editing ---------------------------------------------------------------------------------
    def edited_clip(self) -> Clip | None:
        """The shown clip with the form's values (None when nothing is shown)."""
        if self._clip is None:
            return None
        values = {name: getter() for name, (getter, _setter) in self._fields().items()}
        values["name"] = values["name"] or self._clip.name
        values["category"] = values["category"] or self._clip.category
        return self._clip.with_(**values)

    def _category_value(self) -> str:
        text = self.category_combo.currentText()
        idx = self.category_combo.currentIndex()
        if idx >= 0 and self.category_combo.itemText(idx) == text:
            return str(self.category_combo.itemData(idx))
        return category_key(text)

    def commit(self) -> None:
        """Emit ``clip_edited`` if the form differs from the clip shown."""
        self._notes_timer.stop()
        if self._loading or self._clip is None:
            return
        edited = self.edited_clip()
        if edited is not None and edited != self._clip:
            if (edited.start_hold, edited.end_hold) != (self._clip.start_hold, self._clip.end_hold):
                edited = edited.with_(extra={**edited.extra, "holds_source": "user"})
            if edited.counts != self._clip.counts:
                edited = edited.with_(extra={**edited.extra, "counts_source": "user"})
            self._clip = edited
            self.title.setText(move_title(edited.name))
            self._show_notes(edited)
            self.clip_edited.emit(edited)

    def use_measured_length(self) -> None:
        """Undo the user's length: the measured one comes back (saved by ``save_edits``)."""
        measured = measured_counts(self._clip) if self._clip is not None else None
        if self._clip is None or measured is None:
            return
        self._loading = True
        try:
            self.counts_spin.setValue(measured)
        finally:
            self._loading = False
        edited = self._clip.with_(counts=measured,
                                  extra={**self._clip.extra, "counts_source": MEASURED})
        self._clip = edited.with_(extra={**edited.extra, "counts_source": "auto"})
        self._show_notes(self._clip)
        self.clip_edited.emit(edited)

    def flush(self) -> None:
        """Commit a pending notes edit now (before switching clips or closing)."""
        if self._notes_timer.isActive():
            self.commit()

    def _on_notes_text_changed(self) -> None:
        if not self._loading:
            self._notes_timer.start()

    def _emit_for_clip(self, signal: Signal) -> None:  # type: ignore[type-arg]
        if self._clip is not None and self._clip.id is not None:
            self.flush()
            signal.emit(self._clip.id)  # type: ignore[attr-defined]


def _note_label() -> QLabel:
    label = QLabel()
    label.setObjectName("detailInfo")
    label.setWordWrap(True)
    return label


def _with_note(field: QWidget, note: QLabel) -> QWidget:
    """A form field with its one-line explanation under it."""
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(1)
    lay.addWidget(field)
    lay.addWidget(note)
    return box


def _enum_combo(items: list[tuple[object, str]]) -> QComboBox:
    combo = QComboBox()
    for value, label in items:
        combo.addItem(label, getattr(value, "value", value))
    return combo


def _select(combo: QComboBox, value: object) -> None:
    for i in range(combo.count()):
        if combo.itemData(i) == getattr(value, "value", value):
            combo.setCurrentIndex(i)
            return
