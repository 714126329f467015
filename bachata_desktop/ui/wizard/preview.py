"""The choreography preview: the retimed clips played live on the song, starting at once.

Nothing is rendered to a file first. A worker thread owns a
:class:`~bachata_desktop.services.export_routine.Routine` (the export's own frame composer: same
retiming, counts, names, tail and fade) and composes the frame for whatever song time is asked;
the window plays the song with a :class:`QMediaPlayer` and asks for the frame at the song's
position on every tick, one request in flight at a time, so a slow machine drops frames instead of
falling behind. The player area's settings (speed, mirror) play no part here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QElapsedTimer, QObject, Qt, QThread, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.choreography import Choreography

PREVIEW_SIZE = (854, 480)
TICK_MS = 33


def fmt(t: float) -> str:
    m, s = divmod(max(0, int(t)), 60)
    return f"{m}:{s:02d}"


class FrameWorker(QObject):
    """Composes preview frames in its own thread (the routine's decoders never leave it)."""

    opened = Signal(float, float)          # covered start and end (song seconds)
    frame_ready = Signal(QImage, float)    # the frame, and the song time it shows
    failed = Signal(str)

    def __init__(self, store: Any, choreo: Choreography, song_path: str, analysis: Any) -> None:
        super().__init__()
        self._args = (store, choreo, song_path, analysis)
        self.routine: Any = None

    @Slot()
    def open(self) -> None:
        from bachata_desktop.core.errors import BachataError
        from bachata_desktop.services.export_routine import open_routine

        store, choreo, song_path, analysis = self._args
        try:
            self.routine = open_routine(store, choreo, song_path, *PREVIEW_SIZE,
                                        song_analysis=analysis)
        except BachataError as exc:
            self.failed.emit(str(exc))
            return
        self.opened.emit(self.routine.start_s, self.routine.end_s)

    @Slot(float)
    def render(self, t: float) -> None:
        import av  # swscale, as the export uses: the runtime ships no OpenCV

        from bachata_desktop.core.errors import BachataError

        if self.routine is None:
            return
        try:
            i420 = self.routine.frame_i420(t)
        except BachataError as exc:
            self.failed.emit(str(exc))
            return
        rgb = av.VideoFrame.from_ndarray(i420, format="yuv420p").reformat(format="rgb24").to_ndarray()
        rgb = np.ascontiguousarray(rgb)  # PyAV pads rows to its alignment; QImage wants them packed
        h, w = rgb.shape[:2]
        img = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self.frame_ready.emit(img, t)

    @Slot()
    def close(self) -> None:
        if self.routine is not None:
            self.routine.close()
            self.routine = None


class PreviewWindow(QDialog):
    """A small player for the routine: play/pause, a position slider, the time, the video."""

    frame_shown = Signal(float)            # song time of the frame now on screen
    _request = Signal(float)
    _open = Signal()

    def __init__(self, store: Any, choreo: Choreography, song_path: str, analysis: Any,
                 duration_s: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Preview · {choreo.song.title or Path(song_path).stem}")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.start_s, self.end_s = 0.0, max(0.1, float(duration_s))
        self.position = 0.0            # song seconds on screen / playing
        self.shown_t: float | None = None
        self.image: QImage | None = None
        self._in_flight = False
        self._wanted: float | None = None
        self.error = ""

        lay = QVBoxLayout(self)
        self.video = QLabel("Opening the moves…")
        self.video.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.video.setMinimumSize(427, 240)
        self.video.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.video.setStyleSheet("background: #111; color: #ccc;")
        lay.addWidget(self.video, 1)
        row = QHBoxLayout()
        self.play_btn = QPushButton("▶ Play")
        self.play_btn.setToolTip("Play or pause (Space)")
        self.play_btn.setShortcut(Qt.Key.Key_Space)
        self.play_btn.clicked.connect(self.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, int(self.end_s * 1000))
        self.slider.sliderMoved.connect(lambda ms: self.seek(ms / 1000.0))
        self.time = QLabel()
        self.time.setMinimumWidth(self.time.fontMetrics().horizontalAdvance("00:00 / 00:00") + 8)
        row.addWidget(self.play_btn)
        row.addWidget(self.slider, 1)
        row.addWidget(self.time)
        lay.addLayout(row)
        self._show_time()
        self.resize(880, 560)

        self.audio = QAudioOutput(self)
        self.player = QMediaPlayer(self)
        self.player.setAudioOutput(self.audio)
        self.player.setSource(QUrl.fromLocalFile(str(song_path)))
        self.clock = QElapsedTimer()
        self._clock_base = 0.0
        self.playing = False
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

        self.thread_ = QThread(self)
        self.worker = FrameWorker(store, choreo, song_path, analysis)
        self.worker.moveToThread(self.thread_)
        self._open.connect(self.worker.open)
        self._request.connect(self.worker.render)
        self.worker.opened.connect(self._on_opened)
        self.worker.frame_ready.connect(self._on_frame)
        self.worker.failed.connect(self._on_failed)
        self.thread_.start()
        self._open.emit()

    # -- time ----------------------------------------------------------------------------------
    def _show_time(self) -> None:
        self.time.setText(f"{fmt(self.position - self.start_s)} / {fmt(self.end_s - self.start_s)}")
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(int((self.position - self.start_s) * 1000))
            self.slider.blockSignals(False)

    def _on_opened(self, start: float, end: float) -> None:
        self.start_s, self.end_s = start, end
        self.position = start
        self.slider.setRange(0, int((end - start) * 1000))
        self._show_time()
        self._want(start)

    def _on_failed(self, message: str) -> None:
        self.error = message
        self.pause()
        self.video.setText(f"⚠ {message}")

    def seek(self, t: float) -> None:
        self.position = min(max(self.start_s, float(t)), self.end_s)
        if self.playing:
            self._clock_base = self.position
            self.clock.restart()
        self.player.setPosition(int(self.position * 1000))
        self._show_time()
        self._want(self.position)

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if self.error:
            return
        if self.position >= self.end_s - 0.05:
            self.position = self.start_s
        self.playing = True
        self._clock_base = self.position
        self.clock.start()
        self.player.setPosition(int(self.position * 1000))
        self.player.play()
        self.timer.start()
        self.play_btn.setText("⏸ Pause")

    def pause(self) -> None:
        self.playing = False
        self.timer.stop()
        self.player.pause()
        self.play_btn.setText("▶ Play")

    def _tick(self) -> None:
        t = self._clock_base + self.clock.elapsed() / 1000.0
        audio = self.player.position() / 1000.0
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState and \
                audio > 0 and abs(audio - t) > 0.15:
            # the song is the clock when it plays: follow it
            self._clock_base, t = audio, audio
            self.clock.restart()
        self.position = min(t, self.end_s)
        self._show_time()
        self._want(self.position)
        if self.position >= self.end_s:
            self.pause()

    # -- frames --------------------------------------------------------------------------------
    def _want(self, t: float) -> None:
        """Ask for the frame at ``t``; while one is being made, only the latest wish is kept."""
        if self._in_flight:
            self._wanted = t
            return
        self._in_flight = True
        self._request.emit(float(t))

    def _on_frame(self, img: QImage, t: float) -> None:
        self._in_flight = False
        self.image, self.shown_t = img, t
        self._paint()
        self.frame_shown.emit(t)
        if self._wanted is not None:
            nxt, self._wanted = self._wanted, None
            self._want(nxt)

    def _paint(self) -> None:
        if self.image is None:
            return
        pm = QPixmap.fromImage(self.image).scaled(
            self.video.size(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation)
        self.video.setPixmap(pm)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._paint()

    def shutdown(self) -> None:
        """Stop the song and the frame thread (the routine's files are closed in that thread)."""
        self.pause()
        self.player.stop()
        if self.thread_.isRunning():
            self.thread_.quit()
            self.thread_.wait(10000)
        self.worker.close()  # the thread has stopped: nothing else touches the decoders now

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self.shutdown()
        super().closeEvent(event)


__all__ = ["PREVIEW_SIZE", "FrameWorker", "PreviewWindow"]
