"""The "Practice track…" window: a counted, slowed copy of a song (or part of it) for a phone.

Opened from the Songs view (whole song or a section), the player (its A-B loop) and the generator
(a choreography, whose move names can be called). The track is rendered by a job
(``services.practice_audio``) with progress and cancel; the window says which voice counts.
It is not modal: the instructor can keep working while it renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.class_run import clock_text
from bachata_desktop.services.count_voice import system_speech_name
from bachata_desktop.services.practice_audio import PracticeOptions, render_practice_track

SPEEDS = (50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100)
FORMATS = (("M4A (AAC) – phones", ".m4a"), ("MP3", ".mp3"), ("WAV", ".wav"))


@dataclass(frozen=True)
class PracticeSource:
    """What the track is made from: the song file, its (corrected) grid and optional parts."""

    title: str
    media: str
    times: Sequence[float]
    counts: Sequence[int]
    duration: float
    sections: Sequence[tuple[str, float, float]] = ()      # (label, start, end)
    moves: Sequence[tuple[float, str]] = ()                # (start, name) of a choreography
    span: tuple[str, float, float] | None = None           # offered first (A-B loop, routine)

    @classmethod
    def from_analysis(cls, title: str, media: str, analysis: Any, **kw: Any) -> PracticeSource:
        return cls(title, media, [b.time for b in analysis.beats], [b.count for b in analysis.beats],
                   float(analysis.duration),
                   [(s.label.value.capitalize(), s.start, s.end) for s in analysis.sections], **kw)


def voice_description() -> str:
    engine = system_speech_name()
    if engine in ("say", "SAPI"):
        return f"Counts are spoken by this computer's own voice ({engine})."
    text = "Counts are spoken by the app's built-in samples (synthesised with espeak-ng)."
    if engine:
        return text + f" Move names by {engine}."
    return text + " Move names need a system voice (macOS, Windows or espeak-ng)."


class PracticeTrackDialog(QDialog):
    def __init__(self, ctx: Any, source: PracticeSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.source = ctx, source
        self.job: Any = None
        self.report: Any = None
        self.setWindowTitle(f"Practice track – {source.title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        form = QFormLayout()
        self.span = QComboBox()
        self._spans: list[tuple[float, float]] = []
        if source.span is not None:
            self._add_span(f"{source.span[0]} ({clock_text(source.span[1])}–{clock_text(source.span[2])})",
                           (source.span[1], source.span[2]))
        self._add_span(f"Whole song ({clock_text(source.duration)})", (0.0, source.duration))
        for label, a, b in source.sections:
            self._add_span(f"{label} ({clock_text(a)}–{clock_text(b)})", (a, b))
        self._add_span("From … to …", (-1.0, -1.0))
        self.span.currentIndexChanged.connect(self._on_span)
        self.start = QDoubleSpinBox()
        self.end = QDoubleSpinBox()
        for box in (self.start, self.end):
            box.setRange(0.0, max(source.duration, 0.0))
            box.setSuffix(" s")
            box.setDecimals(2)
        self.end.setValue(source.duration)
        times = QHBoxLayout()
        times.addWidget(self.start)
        times.addWidget(QLabel("to"))
        times.addWidget(self.end)
        self.speed = QComboBox()
        for s in SPEEDS:
            self.speed.addItem(f"{s}%", s / 100.0)
        self.speed.setCurrentIndex(SPEEDS.index(75))
        self.counts = QComboBox()
        for label, value in (("Spoken counts", "voice"), ("Click (accented 1)", "click"), ("None", "none")):
            self.counts.addItem(label, value)
        self.lang = QComboBox()
        self.lang.addItem("English", "en")
        self.lang.addItem("Español", "es")
        self.steps = QComboBox()
        self.steps.addItem("All eight counts", "eight")
        self.steps.addItem("The six steps (1 2 3, 5 6 7)", "six")
        self.count_in = QCheckBox('Count-in "5 6 7 8" before the music')
        self.count_in.setChecked(True)
        self.names = QCheckBox("Call the move names a phrase ahead")
        self.names.setChecked(bool(source.moves))
        self.names.setVisible(bool(source.moves))
        self.balance = QSlider(Qt.Orientation.Horizontal)
        self.balance.setRange(0, 100)
        self.balance.setValue(50)
        bal = QHBoxLayout()
        bal.addWidget(QLabel("Music"))
        bal.addWidget(self.balance, 1)
        bal.addWidget(QLabel("Counts"))
        self.format = QComboBox()
        for label, ext in FORMATS:
            self.format.addItem(label, ext)
        form.addRow("Part", self.span)
        form.addRow("", times)
        form.addRow("Speed (pitch kept)", self.speed)
        form.addRow("Counts", self.counts)
        form.addRow("Language", self.lang)
        form.addRow("Say", self.steps)
        form.addRow("", self.count_in)
        form.addRow("", self.names)
        form.addRow("Balance", bal)
        form.addRow("Format", self.format)
        self.voice = QLabel(voice_description())
        self.voice.setObjectName("muted")
        self.voice.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.save_button = QPushButton("Save track…")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self._choose_file)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self._cancel_or_close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.voice)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addLayout(buttons)
        self._on_span(0)

    def _add_span(self, label: str, span: tuple[float, float]) -> None:
        self.span.addItem(label)
        self._spans.append(span)

    def _on_span(self, index: int) -> None:
        span = self._spans[index] if 0 <= index < len(self._spans) else None
        custom = span == (-1.0, -1.0)
        for box in (self.start, self.end):
            box.setEnabled(custom)
        if span is not None and not custom:
            self.start.setValue(span[0])
            self.end.setValue(span[1])

    def options(self) -> PracticeOptions:
        start, end = self.start.value(), self.end.value()
        return PracticeOptions(speed=float(self.speed.currentData()), counts=self.counts.currentData(),
                               lang=self.lang.currentData(), steps=self.steps.currentData(),
                               start=start, end=end, count_in=self.count_in.isChecked(),
                               balance=self.balance.value() / 100.0,
                               title=f"{self.source.title} – {self.speed.currentText()} counted")

    def _choose_file(self) -> None:
        ext = self.format.currentData()
        suggested = str(Path.home() / f"{self.source.title} {self.speed.currentText()}{ext}")
        path, _ = QFileDialog.getSaveFileName(self, "Save the practice track", suggested,
                                              f"Audio (*{ext})")
        if path:
            self.export(path if path.lower().endswith(ext) else path + ext)

    def export(self, out: str) -> Any:
        """Render to ``out`` as a job; the window shows progress, then the result or the error."""
        moves = list(self.source.moves) if self.names.isChecked() else []
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText("Making the track…")
        self.save_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.job = self.ctx.jobs.submit(
            render_practice_track, self.source.media, list(self.source.times),
            list(self.source.counts), self.source.duration, out, self.options(), moves,
            title=f"Practice track: {self.source.title}", pool="io", key="practice-track",
            on_progress=lambda f, _m: self.progress.setValue(int(f * 100)),
            on_finished=self._on_done, on_failed=self._on_failed,
            on_cancelled=lambda: self._on_failed("cancelled"))
        return self.job

    def _reset(self) -> None:
        self.job = None
        self.progress.hide()
        self.save_button.setEnabled(True)
        self.cancel_button.setText("Close")

    def _on_done(self, report: Any) -> None:
        self._reset()
        self.report = report
        extra = "".join(f" {n}." for n in report.notes)
        self.status.setText(f"Saved {Path(report.path).name}: {clock_text(report.duration_s)} at "
                            f"{int(round(report.speed * 100))}%, counts: {report.voice}.{extra}")

    def _on_failed(self, message: str) -> None:
        self._reset()
        self.status.setText(f"⚠ {message}")

    def _cancel_or_close(self) -> None:
        if self.job is not None:
            self.job.cancel()
        else:
            self.close()


def open_practice_dialog(parent: QWidget, ctx: Any, source: PracticeSource) -> PracticeTrackDialog:
    dlg = PracticeTrackDialog(ctx, source, parent)
    dlg.setWindowFlag(Qt.WindowType.Window, True)
    dlg.show()
    return dlg


__all__ = ["PracticeSource", "PracticeTrackDialog", "open_practice_dialog", "voice_description"]
