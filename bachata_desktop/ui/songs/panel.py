"""The Songs area: drop songs, see where the "1" is, play with the counts lit, correct the grid.

Left, the list of songs (title, duration, BPM, analysed state). Right, the waveform with sections,
beat grid, counts and energy; a large 1-8 count display that follows playback; and the instructor's
corrections: tap tempo (T), shift the "1" (left/right arrows), nudge the grid (shift+arrows), all
applied at once on screen by the pure ``core.song.apply_correction`` and saved with the song.
"This beat is a 1 (from here)" (key 1) fixes the count from the playing beat up to the next such
fix; a tapped tempo is a hint: after a confirmation the beats are tracked again near it (a job),
and every correction can be undone. The info line says how sure the analysis is of its "1", per
section, and where the count changes after a break.
Importing and analysing run as jobs (``services.songs``) on the background ``songs`` pool, so a
search or an already-analysed song in the generator never waits for them; this panel only shows
and asks.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeyEvent
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.media_types import AUDIO_EXTENSIONS
from bachata_desktop.core.song import (
    UNSURE_ONE,
    GridCorrection,
    Song,
    SongAnalysis,
    apply_correction,
    one_here_shift,
)
from bachata_desktop.services import songs as song_service
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.live_count import LiveCount, LiveCountBar
from bachata_desktop.ui.songs.model import SongListModel
from bachata_desktop.ui.songs.waveform import CountDisplay, WaveformView
from bachata_desktop.ui.widgets.empty_state import EmptyState
from bachata_desktop.ui.widgets.volume import VolumeControl

NUDGE_S = 0.01
TAP_RESET_S = 2.5
UNSURE = UNSURE_ONE   # a "1" confidence below this is called unsure


def _mmss(t: float) -> str:
    return f"{int(t // 60)}:{int(t % 60):02d}"


def confidence_text(a: SongAnalysis) -> str:
    """One line on how sure the "1" is: the song, the unsure sections, the count changes."""
    pct = round(100 * a.one_confidence)
    if a.meter != 4:
        head = f"Not in 4/4 ({a.meter} beats to the bar): the 8-count grid and its 1 are a guess"
    elif a.grid_guess:
        head = f"The 1 is a guess (only {a.duration:.0f} s of music)"
    elif a.one_confidence >= UNSURE:
        head = f"The 1: sure ({pct}%)"
    else:
        head = f"The 1: unsure ({pct}%), check it by ear; fix it with “This beat is a 1”"
    unsure = [s for s in a.sections if s.confidence < UNSURE]
    if unsure and not a.grid_guess and a.meter == 4 and a.one_confidence >= UNSURE:
        head += " · unsure in " + ", ".join(f"{s.label.value} {_mmss(s.start)}" for s in unsure[:3])
        head += f" and {len(unsure) - 3} more" if len(unsure) > 3 else ""
    if a.count_changes:
        head += " · count restarts after a break at " + ", ".join(_mmss(t) for t in a.count_changes[:4])
    return head


def _save_correction_job(_ctx: Any, store: Any, song_id: int, correction: GridCorrection) -> int:
    store.songs.set_corrections(song_id, correction.to_dict())
    return song_id


class TapTempo:
    """Tempo from taps: the median interval of the last taps, reset after a pause."""

    def __init__(self, min_taps: int = 4) -> None:
        self.min_taps = min_taps
        self.taps: list[float] = []

    def tap(self, now: float | None = None) -> float | None:
        now = time.monotonic() if now is None else now
        if self.taps and now - self.taps[-1] > TAP_RESET_S:
            self.taps = []
        self.taps = (self.taps + [now])[-9:]
        if len(self.taps) < self.min_taps:
            return None
        bpm = 60.0 / float(np.median(np.diff(self.taps)))
        return round(bpm, 1) if 50.0 <= bpm <= 240.0 else None


class SongsPanel(QWidget):
    song_shown = Signal(int)          # a song's grid is on screen
    import_finished = Signal(object)  # services.songs.SongImportResult

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.song: Song | None = None
        self.base: SongAnalysis | None = None        # as analysed
        self.analysis: SongAnalysis | None = None    # with the instructor's corrections
        self.correction = GridCorrection()
        self.tapper = TapTempo()
        self.undo_stack: list[GridCorrection] = []
        self.pending_bpm: float | None = None
        self.player: QMediaPlayer | None = None
        self.audio: QAudioOutput | None = None
        self._peaks: dict[int, tuple[np.ndarray, float]] = {}
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(25)
        self.timer.timeout.connect(self._tick)
        ctx.navigator.import_songs.connect(self.import_paths)
        ctx.navigator.open_song.connect(self.select_song)
        self.reload()

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        self.model = SongListModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(False)
        self.list.setSpacing(2)
        self.list.installEventFilter(self)
        self.list.selectionModel().currentChanged.connect(self._on_current_changed)
        self.add_button = QPushButton("Add songs…")
        self.add_button.clicked.connect(self._choose_files)
        lv.addWidget(self.list, 1)
        lv.addWidget(self.add_button)
        left.setMinimumWidth(170)   # the splitter squeezed the titles to a few letters at 1280
        split.addWidget(left)

        self.stack = QStackedWidget()
        self.empty = EmptyState("Songs", "Drop songs here (several at once) to see their tempo, "
                                "beats, 8-counts, sections and energy.", "Add songs…")
        if self.empty.button is not None:
            self.empty.button.clicked.connect(self._choose_files)
        self.stack.addWidget(self.empty)
        detail = QWidget()
        dv = QVBoxLayout(detail)
        self.title = QLabel("")
        self.title.setObjectName("songTitle")
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.4)
        f.setBold(True)
        self.title.setFont(f)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.waveform = WaveformView()
        self.waveform.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.waveform.seek_requested.connect(self.seek)
        self.closeup = WaveformView(window_s=8.0)
        self.closeup.setMinimumHeight(84)     # 110 before the row of fixes was added: same total
        self.closeup.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.closeup.seek_requested.connect(self.seek)
        self.counts = CountDisplay()
        row = QHBoxLayout()
        self.play_button = QPushButton("▶ Play")
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.clicked.connect(self.toggle_play)
        self.tap_button = QPushButton("Tap tempo (T)")
        self.tap_button.clicked.connect(self.tap)
        self.earlier_button = QPushButton("◀ 1")
        self.earlier_button.setToolTip("The 1 is one beat earlier (←)")
        self.earlier_button.clicked.connect(lambda: self.shift_one(-1))
        self.later_button = QPushButton("1 ▶")
        self.later_button.setToolTip("The 1 is one beat later (→)")
        self.later_button.clicked.connect(lambda: self.shift_one(1))
        self.nudge_minus = QPushButton("−10 ms")
        self.nudge_minus.setToolTip("Move the whole grid earlier (Shift+←)")
        self.nudge_minus.clicked.connect(lambda: self.nudge(-NUDGE_S))
        self.nudge_plus = QPushButton("+10 ms")
        self.nudge_plus.setToolTip("Move the whole grid later (Shift+→)")
        self.nudge_plus.clicked.connect(lambda: self.nudge(NUDGE_S))
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Forget the corrections of this song")
        self.reset_button.clicked.connect(self.reset_corrections)
        self.practise_button = QPushButton("Open in player")
        self.practise_button.setToolTip("Loop, slow down and count this song in the player")
        self.practise_button.clicked.connect(self.open_in_player)
        self.tap_button.setToolTip("Tap along with the beat to measure the tempo (T)")
        # Playing and sharing on this row, fixing the grid on the next: one row of all of them
        # is wider than the Songs area of a 1280-wide screen.
        for b in (self.play_button, self.tap_button, self.practise_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            row.addWidget(b)
        self.practice_track_button = QPushButton("Practice track…")
        self.practice_track_button.setToolTip("A slowed, counted copy of the song (or a section) for practice")
        self.practice_track_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.practice_track_button.clicked.connect(self.open_practice_track)
        row.addWidget(self.practice_track_button)
        row.addStretch(1)
        self.volume = VolumeControl()
        row.addWidget(self.volume)
        fix_row = QHBoxLayout()
        self.one_here_button = QPushButton("This beat is a 1 (from here)")
        self.one_here_button.setToolTip("The beat playing now is a 1, up to the next such fix (1)")
        self.one_here_button.clicked.connect(self.one_here)
        self.use_tap_button = QPushButton("Re-track at tapped tempo")
        self.use_tap_button.setToolTip("Track the beats again near the tempo you tapped (they stay on "
                                       "the music); undo brings the previous grid back")
        self.use_tap_button.clicked.connect(self.use_tapped_tempo)
        self.use_tap_button.setVisible(False)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Undo the last correction of this song")
        self.undo_button.clicked.connect(self.undo)
        self.undo_button.setEnabled(False)
        for b in (self.earlier_button, self.later_button, self.nudge_minus, self.nudge_plus,
                  self.one_here_button, self.undo_button, self.reset_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            fix_row.addWidget(b)
        self.use_tap_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row.insertWidget(row.indexOf(self.tap_button) + 1, self.use_tap_button)  # it follows a tap
        fix_row.addStretch(1)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        dv.addWidget(self.title)
        dv.addWidget(self.info)
        dv.addWidget(self.waveform, 3)
        dv.addWidget(self.closeup, 2)
        dv.addWidget(self.counts)
        dv.addLayout(row)
        dv.addLayout(fix_row)
        self.live_count = LiveCount(self)   # hear the grid: the count played on the beats
        dv.addWidget(LiveCountBar(self.live_count))
        dv.addWidget(self.status)
        self.stack.addWidget(detail)
        split.addWidget(self.stack)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([260, 780])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(split)

    def shutdown(self) -> None:
        """Release the audio player without QMediaPlayer.stop(), which can deadlock the FFmpeg
        backend in teardown: pause, then drop the source (that stops it)."""
        self.timer.stop()
        if self.player is not None:
            self.player.pause()
            self.player.setSource(QUrl())

    def open_in_player(self) -> None:
        """Hand the song, with its corrected grid, to the loop player."""
        if self.song is None:
            return
        if self.player is not None:
            self.player.pause()
        media = self.ctx.store.media_file(self.song.path)
        self.ctx.navigator.open_media.emit(str(media), self.analysis)

    def open_practice_track(self) -> Any:
        """The practice-track window for this song with its corrected grid."""
        from bachata_desktop.ui.practice_dialog import PracticeSource, open_practice_dialog

        if self.song is None or self.analysis is None:
            return None
        media = str(self.ctx.store.media_file(self.song.path))
        return open_practice_dialog(self, self.ctx, PracticeSource.from_analysis(
            self.song.title, media, self.analysis))

    # -- the list --------------------------------------------------------------------------------
    def reload(self) -> None:
        songs = self.ctx.store.songs.list()
        states = {int(s.id): self.ctx.store.songs.state(int(s.id))[0] for s in songs if s.id is not None}
        self.model.set_rows(songs, states)
        if self.song is not None and (row := self.model.row_of(int(self.song.id or 0))) >= 0:
            self.list.setCurrentIndex(self.model.index(row))
        elif songs and self.song is None:
            self.list.setCurrentIndex(self.model.index(0))

    def select_song(self, song_id: int) -> None:
        row = self.model.row_of(song_id)
        if row < 0:
            self.reload()
            row = self.model.row_of(song_id)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        song = self.model.song_at(current.row()) if current.isValid() else None
        if song is not None and (self.song is None or song.id != self.song.id):
            self.show_song(song)

    # -- import ----------------------------------------------------------------------------------
    def _choose_files(self) -> None:
        exts = " ".join(f"*{e}" for e in sorted(AUDIO_EXTENSIONS))
        files, _ = QFileDialog.getOpenFileNames(self, "Add songs", str(Path.home()), f"Songs ({exts})")
        if files:
            self.import_paths(files)

    def import_paths(self, paths: list[str]) -> Any:
        """Add and analyse songs as one job; returns the job (None if nothing to import)."""
        songs = [str(p) for p in paths if Path(p).suffix.lower() in AUDIO_EXTENSIONS]
        skipped = len(paths) - len(songs)
        if not songs:
            self._say("Not an audio file: drop wav, flac, mp3, ogg or m4a songs here.")
            return None
        self._say(f"Analysing {len(songs)} song{'s' if len(songs) > 1 else ''}…"
                  + (f" ({skipped} other file{'s' if skipped > 1 else ''} ignored)" if skipped else ""))
        return self.ctx.jobs.submit(
            song_service.import_songs, self.ctx.store, songs, title="Analysing songs", pool="songs",
            on_partial=self._on_song_ready, on_finished=self._on_import_finished,
            on_failed=self._on_import_failed)

    def _on_song_ready(self, song: Song) -> None:
        row = self.model.upsert(song, "done")
        if self.song is None:
            self.list.setCurrentIndex(self.model.index(row))     # shows it
        elif self.song.id == song.id:
            self.show_song(song)                                 # analysed again: refresh
        self.ctx.navigator.songs_changed.emit()

    def _on_import_finished(self, result: Any) -> None:
        self._say(result.summary())
        self.ctx.navigator.status.emit(result.summary())
        self.import_finished.emit(result)

    def _on_import_failed(self, error: str) -> None:
        self._say(error)
        self.ctx.navigator.status.emit(error)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        self.import_paths(paths)
        event.acceptProposedAction()

    # -- one song --------------------------------------------------------------------------------
    def show_song(self, song: Song) -> None:
        self.pause()
        self.song = song
        sid = int(song.id or 0)
        self.base = song_service.cached_analysis(self.ctx.store, sid)
        self.correction = song_service.get_correction(self.ctx.store, sid)
        self.analysis = apply_correction(self.base, self.correction) if self.base else None
        self.undo_stack = []
        self.pending_bpm = None
        self.use_tap_button.setVisible(False)
        self.undo_button.setEnabled(False)
        self.live_count.set_grid(self.analysis)
        self.title.setText(song.title)
        self.stack.setCurrentIndex(1)
        for view in (self.waveform, self.closeup):
            view.clear()
            view.set_analysis(self.analysis)
        media = self.ctx.store.media_file(song.path)
        if sid in self._peaks:
            self.waveform.set_peaks(*self._peaks[sid])
            self.closeup.set_peaks(*self._peaks[sid])
        elif media.is_file():
            self.ctx.jobs.submit(song_service.waveform_peaks, str(media), 12000, title="Waveform",
                                 pool="io", key="songs-waveform", visible=False,
                                 on_finished=lambda res, sid=sid: self._on_peaks(sid, res))
        self._ensure_player().setSource(QUrl.fromLocalFile(str(media)))
        self.counts.set_count(None)
        self._update_info()
        self.song_shown.emit(sid)
        if self.base is None and media.is_file() and song_service.is_outdated(self.ctx.store, sid):
            # analysed by an older version: analyse it again (corrections are kept); the view
            # refreshes when the job hands the song back
            self.import_paths([str(media)])
            self._say(f"Updating the analysis of “{song.title}” (made by an older version)…")

    def _on_peaks(self, song_id: int, result: tuple[np.ndarray, float]) -> None:
        self._peaks[song_id] = result
        if self.song is not None and self.song.id == song_id:
            self.waveform.set_peaks(*result)
            self.closeup.set_peaks(*result)

    def _update_info(self) -> None:
        a, c = self.analysis, self.correction
        if a is None:
            self.info.setText("Not analysed yet.")
            return
        first = f"{a.phrases[0]:.2f} s" if a.phrases else "–"
        secs = " · ".join(f"{s.label.value} {s.start:.0f}s" for s in a.sections)
        parts = [f"{a.tempo_bpm:.1f} BPM", f"{len(a.beats)} beats", f"{len(a.phrases)} phrases",
                 f"first 1 at {first}"]
        corr = []
        if c.tempo_bpm is not None:
            corr.append(f"tapped {c.tempo_bpm:g} BPM")
        if c.tempo_hint_bpm is not None:
            corr.append(f"beats tracked near {c.tempo_hint_bpm:g} BPM")
        if c.ones_from:
            corr.append(", ".join(f"a 1 from {_mmss(t)}" for t, _ in c.ones_from[:3]))
        if c.one_shift % 8:
            corr.append(f"1 moved {c.one_shift:+d} beat{'s' if abs(c.one_shift) > 1 else ''}")
        if c.offset_s:
            corr.append(f"grid {c.offset_s * 1000:+.0f} ms")
        # the sections are drawn on the waveform; their list goes to the tooltip to keep the view short
        text = " · ".join(parts) + f"\n{confidence_text(a)}"
        self.info.setToolTip(secs)
        if corr:
            text += "\nYour corrections: " + ", ".join(corr)
        self.info.setText(text)

    # -- corrections -----------------------------------------------------------------------------
    def set_correction(self, correction: GridCorrection, undoable: bool = True) -> None:
        if self.song is None or self.base is None:
            return
        if undoable and correction != self.correction:
            self.undo_stack.append(self.correction)
            self.undo_button.setEnabled(True)
        self.correction = correction
        self.analysis = apply_correction(self.base, correction)
        self.live_count.set_grid(self.analysis)
        self.waveform.set_analysis(self.analysis)
        self.closeup.set_analysis(self.analysis)
        self._update_info()
        self._update_count(self.position())
        self.ctx.jobs.submit(_save_correction_job, self.ctx.store, int(self.song.id or 0), correction,
                             title="Save song corrections", pool="write", visible=False)

    def shift_one(self, beats: int) -> None:
        self.set_correction(replace(self.correction, one_shift=self.correction.one_shift + beats))

    def nudge(self, seconds: float) -> None:
        self.set_correction(replace(self.correction, offset_s=round(self.correction.offset_s + seconds, 4)))

    def tap(self) -> None:
        bpm = self.tapper.tap()
        if bpm is None:
            self._say(f"Tap along with the beat… ({len(self.tapper.taps)} tap"
                      f"{'s' if len(self.tapper.taps) != 1 else ''})")
            return
        self.pending_bpm = bpm
        self.use_tap_button.setText(f"Re-track at {bpm:g} BPM")
        self.use_tap_button.setVisible(self.base is not None)
        self._say(f"Tapped tempo: {bpm:g} BPM (detected {self.base.tempo_bpm:.1f}). Press "
                  f"“Re-track at {bpm:g} BPM” to track the beats near it." if self.base else
                  f"Tapped tempo: {bpm:g} BPM")

    def one_here(self) -> None:
        """The beat playing now (or the one just before the cursor) is a 1, up to the next fix."""
        if self.analysis is None or not self.analysis.beats:
            return
        pos = self.position()
        beat = self.analysis.beats[max(0, self.analysis.beat_index_at(pos))].time
        self.set_correction(one_here_shift(self.analysis, self.correction, pos))
        self._say(f"The beat at {_mmss(beat)} is now a 1 (up to the next fix). Undo brings the count back.")

    def use_tapped_tempo(self) -> None:
        if self.song is None or self.pending_bpm is None:
            return
        self._retrack(self.pending_bpm, push=True)

    def _retrack(self, bpm: float | None, push: bool, keep: GridCorrection | None = None) -> None:
        sid = int(self.song.id or 0) if self.song else 0
        before = self.correction
        self.use_tap_button.setVisible(False)
        self.use_tap_button.setEnabled(False)
        self._say(f"Tracking the beats near {bpm:g} BPM…" if bpm else "Tracking the beats again…")

        def done(result: Any, sid: int = sid) -> None:
            self.use_tap_button.setEnabled(True)
            if self.song is None or self.song.id != sid:
                return
            self.base, self.analysis = result
            if push:
                self.undo_stack.append(before)
                self.undo_button.setEnabled(True)
            self.correction = song_service.get_correction(self.ctx.store, sid)
            self.live_count.set_grid(self.analysis)
            for view in (self.waveform, self.closeup):
                view.set_analysis(self.analysis)
            self._update_info()
            self._say(f"Beats tracked near {bpm:g} BPM: now {self.analysis.tempo_bpm:.1f} BPM. Undo "
                      "brings the previous grid back." if bpm else "Back to the detected tempo.")

        def failed(error: str) -> None:
            self.use_tap_button.setEnabled(True)
            self._say(error)

        self.ctx.jobs.submit(song_service.retrack_with_tempo, self.ctx.store, sid, bpm, keep,
                             title="Track the beats again", pool="ml", key="songs-retrack",
                             on_finished=done, on_failed=failed)

    def undo(self) -> None:
        if not self.undo_stack or self.song is None:
            return
        previous = self.undo_stack.pop()
        self.undo_button.setEnabled(bool(self.undo_stack))
        if previous.tempo_hint_bpm != self.correction.tempo_hint_bpm:
            # the grid came from tracking at another tempo: track again with the previous hint
            self._retrack(previous.tempo_hint_bpm, push=False, keep=previous)
            return
        self.set_correction(previous, undoable=False)
        self._say("Undone.")

    def reset_corrections(self) -> None:
        self.tapper.taps = []
        self.pending_bpm = None
        self.use_tap_button.setVisible(False)
        if self.correction.tempo_hint_bpm is not None:
            self.undo_stack.append(self.correction)
            self.undo_button.setEnabled(True)
            self._retrack(None, push=False, keep=GridCorrection())
            return
        self.set_correction(GridCorrection())

    # -- playback --------------------------------------------------------------------------------
    def _ensure_player(self) -> QMediaPlayer:
        if self.player is None:
            self.player = QMediaPlayer(self)
            self.audio = QAudioOutput(self)
            self.player.setAudioOutput(self.audio)
            self.volume.attach(self.audio)
            self.live_count.attach(self.player)
            self.player.playbackStateChanged.connect(self._on_state)
            self.player.errorOccurred.connect(lambda _e, msg: self._say(f"Cannot play: {msg}"))
        return self.player

    def is_playing(self) -> bool:
        return self.player is not None and \
            self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def position(self) -> float:
        return (self.player.position() / 1000.0) if self.player is not None else 0.0

    def toggle_play(self) -> None:
        if self.song is None:
            return
        if self.is_playing():
            self.pause()
        else:
            self._ensure_player().play()

    def pause(self) -> None:
        if self.player is not None and self.is_playing():
            self.player.pause()

    def seek(self, seconds: float) -> None:
        if self.song is None:
            return
        player = self._ensure_player()
        player.setPosition(int(max(0.0, seconds) * 1000))
        self.waveform.set_position(seconds)
        self.closeup.set_position(seconds)
        self._update_count(seconds)
        if not self.is_playing():
            player.play()

    def _on_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        self.play_button.setText("❚❚ Pause" if playing else "▶ Play")
        if playing:
            self.timer.start()
        else:
            self.timer.stop()
            self._tick()

    def _tick(self) -> None:
        pos = self.position()
        self.waveform.set_position(pos)
        self.closeup.set_position(pos)
        self._update_count(pos)

    def _update_count(self, pos: float) -> None:
        self.counts.set_count(self.analysis.count_at(pos) if self.analysis is not None else None)

    def hideEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self.pause()
        super().hideEvent(event)

    # -- keys ------------------------------------------------------------------------------------
    def handle_key(self, key: int, modifiers: Qt.KeyboardModifier) -> bool:
        shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
        if key == Qt.Key.Key_Space:
            self.toggle_play()
        elif key == Qt.Key.Key_T:
            self.tap()
        elif key == Qt.Key.Key_1:
            self.one_here()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            sign = -1 if key == Qt.Key.Key_Left else 1
            if shift:
                self.nudge(sign * NUDGE_S)
            else:
                self.shift_one(sign)
        else:
            return False
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not self.handle_key(event.key(), event.modifiers()):
            super().keyPressEvent(event)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj is self.list and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Space, Qt.Key.Key_T, Qt.Key.Key_Left, Qt.Key.Key_Right):
            return self.handle_key(event.key(), event.modifiers())
        return super().eventFilter(obj, event)

    def _say(self, text: str) -> None:
        self.status.setText(text)


__all__ = ["SongsPanel", "TapTempo"]
