"""The loop-point player: practise a move with an A-B loop, slower, mirrored, counted, step by step.

The panel drives a ``QMediaPlayer`` and paints its ``QVideoSink`` frames in a :class:`VideoView`
(mirror and overlays). Every rule (where to jump, nudges, speeds, the trainer) lives in
``core.loop``; this module only turns them into player calls.

The A-B loop jumps back within a frame of B: each shown frame anchors a position estimate
(frame time + elapsed wall time x rate) and re-arms a precise single-shot timer for the moment the
playhead reaches B minus half a frame; frames still in flight from before the jump are dropped
so nothing past B is shown. Every jump is logged in ``loop_jumps`` (position at the jump, B, last
frame shown) so tests and the benchmark can measure the overshoot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame, QVideoSink
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from bachata_desktop.core.clip import move_title
from bachata_desktop.core.loop import (
    BeatGrid,
    LoopRegion,
    NudgeUnit,
    SpeedTrainer,
    clamp_speed,
    frame_index,
    frame_time,
    loop_phrase,
    loop_whole,
    nudge,
    step_frame,
    step_speed,
)
from bachata_desktop.services.clip_analysis import keypoints_path
from bachata_desktop.services.songs import title_for_media
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.live_count import LiveCount, LiveCountBar
from bachata_desktop.ui.player.markers import MarkerController
from bachata_desktop.ui.player.side import MarkersBox, TrainerBox, fmt_time
from bachata_desktop.ui.player.skeleton import KeypointTrack
from bachata_desktop.ui.player.timeline import Timeline
from bachata_desktop.ui.player.transport import TransportBar, make_actions
from bachata_desktop.ui.player.video_view import VideoView
from bachata_desktop.ui.player.window import DetachedWindow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoopJump:
    position: float     # estimated playhead (s) when the jump was made
    b: float            # loop end (s)
    last_frame: float   # start time (s) of the last frame shown before the jump
    frame_dur: float

    @property
    def overshoot(self) -> float:
        return self.position - self.b


def coerce_grid(grid: object) -> BeatGrid | None:
    """A BeatGrid from a BeatGrid, a SongAnalysis(-like) object or its dict; None otherwise."""
    if grid is None or isinstance(grid, BeatGrid):
        return grid
    if hasattr(grid, "to_dict"):
        grid = grid.to_dict()
    return BeatGrid.from_dict(grid) if isinstance(grid, dict) else None


class PlayerPanel(QWidget):
    frame_shown = Signal(float)          # start time (s) of a frame just handed to the view
    loop_jumped = Signal(object)         # LoopJump
    speed_changed = Signal(float)
    media_loaded = Signal(float)         # duration (s)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clip_id: int | None = None
        self.path: str = ""
        self.grid: BeatGrid | None = None
        self.track: KeypointTrack | None = None
        self.fps = 30.0
        self.duration = 0.0
        self.speed = 1.0
        self.loop: LoopRegion | None = None
        self.loop_jumps: list[LoopJump] = []
        self.loops_done = 0
        self.trainer: SpeedTrainer | None = None
        self.autoplay = True
        self.player: QMediaPlayer | None = None
        self._frame_t = 0.0                 # start time of the frame on screen
        self._anchor_t = 0.0                # position estimate anchor (s) ...
        self._anchor_clock = QElapsedTimer()  # ... and when it was taken
        self._jump_pending = False
        self._loaded = False
        # setSource() on a player that had media first re-announces the OLD media as "loaded"
        # (with its duration) while it stops it; only statuses after the new "loading" count.
        self._loading_seen = False
        self._loop_timer = QTimer(self)
        self._loop_timer.setSingleShot(True)
        self._loop_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._loop_timer.timeout.connect(self._check_loop)
        self._window: DetachedWindow | None = None
        self._detached_for_full_screen = False  # F detached the video: leaving full screen docks it
        # (mirror, speed) of the practice session, put aside while a rendered preview plays
        self._practice_settings: tuple[bool, float] | None = None
        self._build()
        # Keys work whenever focus is in the panel: it takes focus itself when media opens.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.timeline.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.markers = MarkerController(ctx, self)
        self.markers.load(None)
        self._set_overlay_availability()

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.actions_by_name = make_actions(self)
        self.title = QLabel("No move open")
        self.title.setObjectName("panelTitle")
        self.info = QLabel("")
        self.info.setObjectName("muted")
        self.view = VideoView()
        self.view_holder = QWidget()
        hv = QVBoxLayout(self.view_holder)
        hv.setContentsMargins(0, 0, 0, 0)
        hv.addWidget(self.view)
        self.detached_note = QLabel("The video is in its own window. Close that window (or press D)"
                                    " to bring it back here.")
        self.detached_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detached_note.hide()
        hv.addWidget(self.detached_note)
        self.timeline = Timeline()
        self.transport = TransportBar(self.actions_by_name)
        self.markers_box = MarkersBox()
        self.trainer_box = TrainerBox()
        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.markers_box, 1)
        sl.addWidget(self.trainer_box)
        side.setMinimumWidth(200)
        side.setMaximumWidth(300)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.view_holder, 1)
        ll.addWidget(self.timeline)
        ll.addWidget(self.transport)
        self.live_count = LiveCount(self)   # hear the count; a count-in before each loop
        count_bar = LiveCountBar(self.live_count, pre_roll=True)
        count_bar.add_button("Practice track…", "A slowed, counted audio file of the A-B loop or the song",
                             self.practice_track)
        ll.addWidget(count_bar)
        self.loop_jumped.connect(lambda _j: self.loop and self.live_count.pre_roll(self.loop.a))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(side)
        split.setStretchFactor(0, 1)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.info, 1)
        # a long move name or info line gives way to the view toggles rather than pushing them out
        self.info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(120)   # a long song or render file name: cut, whole in the tip
        head.addWidget(self.transport.view_bar)
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addWidget(split, 1)

        a = self.actions_by_name
        a["play"].triggered.connect(self.toggle_play)
        a["frame_back"].triggered.connect(lambda: self.step_frames(-1))
        a["frame_fwd"].triggered.connect(lambda: self.step_frames(+1))
        a["beat_back"].triggered.connect(lambda: self.jump(NudgeUnit.BEAT, -1))
        a["beat_fwd"].triggered.connect(lambda: self.jump(NudgeUnit.BEAT, +1))
        a["eight_back"].triggered.connect(lambda: self.jump(NudgeUnit.EIGHT, -1))
        a["eight_fwd"].triggered.connect(lambda: self.jump(NudgeUnit.EIGHT, +1))
        a["set_a"].triggered.connect(self.set_a_here)
        a["set_b"].triggered.connect(self.set_b_here)
        a["nudge_a_back"].triggered.connect(lambda: self.nudge_loop("a", -1))
        a["nudge_a_fwd"].triggered.connect(lambda: self.nudge_loop("a", +1))
        a["nudge_b_back"].triggered.connect(lambda: self.nudge_loop("b", -1))
        a["nudge_b_fwd"].triggered.connect(lambda: self.nudge_loop("b", +1))
        a["loop"].toggled.connect(self.set_loop_enabled)
        a["loop_eight"].triggered.connect(self.loop_current_eight)
        a["loop_whole"].triggered.connect(lambda: self.set_loop(loop_whole(self.duration)))
        a["slower"].triggered.connect(lambda: self.set_speed(step_speed(self.speed, -1)))
        a["faster"].triggered.connect(lambda: self.set_speed(step_speed(self.speed, +1)))
        a["mirror"].toggled.connect(self.view.set_mirror)
        a["counts"].toggled.connect(self._on_counts_toggled)
        a["skeleton"].toggled.connect(self._on_skeleton_toggled)
        a["swap_roles"].triggered.connect(self.swap_roles)
        a["trainer"].toggled.connect(self.trainer_box.setChecked)
        a["detach"].toggled.connect(self.set_detached)
        a["fullscreen"].triggered.connect(self.toggle_full_screen)
        a["counts"].setChecked(True)
        a["skeleton"].setChecked(True)
        self.trainer_box.toggled.connect(a["trainer"].setChecked)
        self.trainer_box.changed.connect(self._on_trainer_changed)
        self.transport.speed_requested.connect(self.set_speed)
        self.timeline.seek_requested.connect(self.seek)
        self.timeline.loop_edited.connect(self.set_loop)
        self.markers_box.seek_requested.connect(self.seek)

    def practice_track(self) -> Any:
        """The practice-track window for this media's audio, its A-B loop offered first."""
        from bachata_desktop.ui.practice_dialog import PracticeSource, open_practice_dialog

        if not self.path or self.grid is None or self.duration <= 0:
            self.ctx.navigator.status.emit("A practice track needs media with a beat grid")
            return None
        span = ("A-B loop", self.loop.a, self.loop.b) if self.loop is not None else None
        return open_practice_dialog(self, self.ctx, PracticeSource(
            Path(self.path).stem, self.path, self.grid.times, self.grid.counts, self.duration,
            span=span))

    # -- the media player (created on first use: loading the backend costs start-up time) -------
    def _ensure_player(self) -> QMediaPlayer:
        if self.player is None:
            self.player = QMediaPlayer(self)
            self.audio = QAudioOutput(self)
            self.player.setAudioOutput(self.audio)
            self.transport.volume.attach(self.audio)
            self.sink = QVideoSink(self)
            self.player.setVideoSink(self.sink)
            self.sink.videoFrameChanged.connect(self._on_sink_frame)
            self.player.positionChanged.connect(self._on_player_position)
            self.player.mediaStatusChanged.connect(self._on_player_status)
            self.player.durationChanged.connect(self._on_player_duration)
            self.player.playbackStateChanged.connect(self._on_player_state)
            self.player.errorOccurred.connect(self._on_player_error)
            self.live_count.attach(self.player)
            # Qt >= 6.10: keep the music's pitch when slowed down where the backend can.
            if hasattr(self.player, "pitchCompensationAvailability"):
                avail = self.player.pitchCompensationAvailability()
                if avail == QMediaPlayer.PitchCompensationAvailability.Available:
                    self.player.setPitchCompensation(True)
        return self.player

    def pitch_kept(self) -> bool | None:
        """True if slowed audio keeps its pitch, False if it drops, None if unknown."""
        p = self._ensure_player()
        if not hasattr(p, "pitchCompensation"):
            return None
        return bool(p.pitchCompensation())

    # -- opening ---------------------------------------------------------------------------------
    def open_clip(self, clip_id: int) -> None:
        """Open a library clip with its beat grid, keypoints and markers (what exists of them)."""
        store = self.ctx.store
        clip = store.clips.get(clip_id)
        if clip is None:
            self.ctx.navigator.status.emit(f"Clip {clip_id} is not in the library any more.")
            return
        grid = BeatGrid.from_dict(store.analyses.get("clip", clip_id, "audio"))
        pose = store.analyses.get("clip", clip_id, "pose") or {}
        stored = pose.get("keypoints_file")
        # the analysis stores the file name relative to the poses folder (a restored or moved
        # library still finds it); keypoints_path() is where the analysis service writes it
        candidates = [keypoints_path(store, clip),
                      (self.ctx.paths.poses / stored) if stored else None]
        track = next((t for t in (KeypointTrack.load(c) for c in candidates if c) if t), None)
        if track is not None and track.flipped != clip.lead_follow_flipped:
            track = track.swapped()  # flipped by the user after the analysis wrote the file
        self._restore_practice_settings()
        self._open(str(store.media_file(clip.media_path)), grid, track, clip_id, move_title(clip.name))
        if clip.fps > 0:
            self.fps = clip.fps

    def swap_roles(self) -> None:
        """Lead is follow and follow is lead in this clip, from now on (saved with the clip)."""
        if self.clip_id is None or self.track is None:
            return
        clip = self.ctx.store.clips.get(self.clip_id)
        if clip is None:
            return
        self.ctx.store.clips.update(clip.with_(lead_follow_flipped=not clip.lead_follow_flipped))
        self.track = self.track.swapped()
        self.view.set_overlays(self.view.count, self.track.at(self._frame_t))
        self.ctx.navigator.library_changed.emit()
        self.ctx.navigator.status.emit(f"{clip.name}: lead and follow swapped")

    def open_media(self, path: str, grid: object = None, keypoints: str | Path | None = None) -> None:
        """Open any media file; ``grid``: a beat grid (dict / SongAnalysis / BeatGrid) or None."""
        self._restore_practice_settings()
        self._open(str(path), coerce_grid(grid), KeypointTrack.load(keypoints), None,
                   title_for_media(self.ctx.store, path))  # a song's title, not its hashed file

    def open_rendered(self, path: str) -> None:
        """Play a rendered video (a choreography preview) as it was made: not mirrored (its text
        is burned in) and at 1x (it is already timed to the song). The practice settings come back
        with the next clip or media opened."""
        if self._practice_settings is None:
            self._practice_settings = (self.view.mirror, self.speed)
        self.actions_by_name["mirror"].setChecked(False)
        self.set_speed(1.0)
        self._open(str(path), None, None, None, Path(path).stem)

    def _restore_practice_settings(self) -> None:
        if self._practice_settings is not None:
            mirror, speed = self._practice_settings
            self._practice_settings = None
            self.actions_by_name["mirror"].setChecked(mirror)
            self.set_speed(speed)

    def _open(self, path: str, grid: BeatGrid | None, track: KeypointTrack | None,
              clip_id: int | None, name: str) -> None:
        player = self._ensure_player()
        player.pause()  # not stop(): it can deadlock the FFmpeg backend; setSource stops the old media
        self.path, self.grid, self.track, self.clip_id = path, grid, track, clip_id
        self.live_count.set_grid(grid)
        self.loop, self.loop_jumps, self.loops_done = None, [], 0
        self.duration, self._frame_t, self._jump_pending = 0.0, 0.0, False
        self._loaded = False
        self._loading_seen = False
        self.view.clear()
        self.view.pose_size = track.size if track else (0, 0)
        self.title.setText(name)
        self.title.setToolTip(name)
        self.actions_by_name["loop"].setChecked(False)
        self.timeline.set_loop(None)
        self._set_overlay_availability()
        self.markers.load(clip_id)
        self._on_player_state(QMediaPlayer.PlaybackState.StoppedState)
        self._anchor(0.0)
        self.timeline.set_media(0.0, self.fps, grid)
        self.timeline.set_position(0.0)
        self.transport.time_label.setText(f"{fmt_time(0.0)} / …")
        url = QUrl.fromLocalFile(path)
        if player.source() == url:
            player.setSource(QUrl())  # the same file again: Qt ignores it unless it is dropped first
        player.setSource(url)
        self.setFocus()

    def _set_overlay_availability(self) -> None:
        a = self.actions_by_name
        has_grid, has_pose = self.grid is not None, self.track is not None
        a["counts"].setEnabled(has_grid)
        a["counts"].setToolTip("Show the count on the video (C)" if has_grid else
                               "No beat grid for this media yet: analyse its music first (C)")
        a["skeleton"].setEnabled(has_pose)
        a["skeleton"].setToolTip("Show both dancers' skeletons, lead blue, follow pink (S)"
                                 if has_pose else
                                 "No pose analysis for this clip yet: analyse it first (S)")
        for n in ("beat_back", "beat_fwd", "eight_back", "eight_fwd", "loop_eight"):
            a[n].setEnabled(has_grid)
        # With nothing open these did nothing; mirror, speed, trainer and the window stay settable.
        has_media = bool(self.path)
        for n in ("play", "frame_back", "frame_fwd", "set_a", "set_b", "nudge_a_back", "nudge_a_fwd",
                  "nudge_b_back", "nudge_b_fwd", "loop", "loop_whole", "add_marker"):
            a[n].setEnabled(has_media)
        a["swap_roles"].setEnabled(has_pose and self.clip_id is not None)
        self.view.show_counts = has_grid and a["counts"].isChecked()
        self.view.show_skeleton = has_pose and a["skeleton"].isChecked()
        parts = []
        if self.grid is not None:
            parts.append(f"{self.grid.tempo_bpm:.0f} BPM")
        parts.append("beats ✓" if has_grid else "no beat grid")
        parts.append("pose ✓" if has_pose else "no pose")
        self.info.setText("  ·  ".join(parts) if self.path else "")

    # -- player events ---------------------------------------------------------------------------
    def _on_player_status(self, status: QMediaPlayer.MediaStatus) -> None:
        p = self._ensure_player()
        st = QMediaPlayer.MediaStatus
        if status in (st.LoadingMedia, st.BufferingMedia, st.BufferedMedia, st.EndOfMedia,
                      st.InvalidMedia):
            self._loading_seen = True  # past the old media's farewell: these are the new one's
        if status == st.LoadedMedia and not self._loaded and self._loading_seen:
            # LoadedMedia comes again after every seek: only the first one opens the media.
            self._loaded = True
            rate = p.metaData().value(p.metaData().Key.VideoFrameRate)
            if isinstance(rate, (int, float)) and rate > 0:
                self.fps = float(rate)
            self._set_duration(p.duration(), force=True)
            p.setPlaybackRate(self.speed)
            self.media_loaded.emit(self.duration)
            if self.autoplay:
                p.play()
            else:
                p.pause()
        elif status == st.EndOfMedia and self.loop and self.loop.enabled:
            self._jump_to_a(self.duration)
            p.play()
        elif status == st.InvalidMedia:
            self.view.placeholder = f"Cannot play {Path(self.path).name}: {p.errorString()}"
            self.view.clear()

    def _on_player_duration(self, ms: int) -> None:
        # The length is known when the player says so, not when it says "loaded" (which can be
        # the previous media's farewell): take it only for the media being opened.
        if ms > 0 and self._loading_seen:
            self._set_duration(ms)

    def _set_duration(self, ms: int, force: bool = False) -> None:
        duration = max(0.0, ms / 1000.0)
        if not force and abs(duration - self.duration) < 1e-6:
            return
        self.duration = duration
        self.timeline.set_media(self.duration, self.fps, self.grid)
        if self.loop is not None:
            self.set_loop(self.loop)  # clamp to the new length
        self._after_position(self.position())

    def _on_player_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        self.actions_by_name["play"].setText("❚❚" if playing else "▶")
        self._anchor(self.position())
        if not playing:
            self._loop_timer.stop()

    def _on_player_error(self, _err: QMediaPlayer.Error, message: str) -> None:
        log.warning("player error on %s: %s", self.path, message)
        self.ctx.navigator.status.emit(f"Cannot play {Path(self.path).name}: {message}")

    def _on_player_position(self, ms: int) -> None:
        if self.player is not None and not self.player.hasVideo():  # audio only: no frames
            self._anchor(ms / 1000.0)
            self._after_position(ms / 1000.0)

    def _on_sink_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        t = frame.startTime() / 1e6 if frame.startTime() >= 0 else self.position()
        fd = 1.0 / self.fps
        if self._jump_pending:
            if self.loop is not None and not (self.loop.a - 2 * fd <= t < self.loop.b - fd / 2):
                return  # still from before the jump back: never show it
            self._jump_pending = False
        elif self.is_playing() and self.loop is not None and self.loop.should_jump(t, fd):
            self._jump_to_a(t)
            return
        self._frame_t = t
        self._anchor(t)
        self.view.set_frame(frame)
        self._after_position(t)
        self.frame_shown.emit(t)

    def _after_position(self, t: float) -> None:
        self.view.set_overlays(self.grid.count_at(t) if self.grid else None,
                               self.track.at(t) if self.track else None)
        self.timeline.set_position(t)
        count = self.view.count
        self.transport.time_label.setText(
            f"{fmt_time(t)} / {fmt_time(self.duration)} · frame {frame_index(t, self.fps)}"
            + (f" · count {count}" if count else ""))
        self._arm_loop_timer()

    # -- position estimate and the loop ----------------------------------------------------------
    def _anchor(self, t: float) -> None:
        self._anchor_t = t
        self._anchor_clock.start()

    def position(self) -> float:
        """Best estimate of the playhead now (s): last frame time + elapsed time x rate."""
        if not self._anchor_clock.isValid():
            return self._anchor_t
        if self.is_playing():
            return self._anchor_t + self._anchor_clock.nsecsElapsed() / 1e9 * self.speed
        return self._anchor_t

    def is_playing(self) -> bool:
        return (self.player is not None
                and self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState)

    def _arm_loop_timer(self) -> None:
        if self.loop is None or not self.is_playing() or self._jump_pending:
            self._loop_timer.stop()
            return
        wait = self.loop.time_to_jump(self.position(), 1.0 / self.fps, self.speed)
        if wait is None or wait > 1.0:
            self._loop_timer.stop()
        elif wait <= 0.002:
            self._check_loop()
        else:
            self._loop_timer.start(max(0, int(wait * 1000) - 1))

    def _check_loop(self) -> None:
        if self.loop is None or not self.is_playing() or self._jump_pending:
            return
        pos, fd = self.position(), 1.0 / self.fps
        if self.loop.should_jump(pos + 0.002, fd):
            self._jump_to_a(pos)
        else:
            self._arm_loop_timer()

    def _jump_to_a(self, pos: float) -> None:
        assert self.loop is not None and self.player is not None
        jump = LoopJump(pos, self.loop.b, self._frame_t, 1.0 / self.fps)
        self.loop_jumps.append(jump)
        self._jump_pending = True
        self._loop_timer.stop()
        self.player.setPosition(round(self.loop.a * 1000))
        self._anchor(self.loop.a)
        self.loops_done += 1
        if self.trainer is not None:
            self._apply_trainer()
        self.loop_jumped.emit(jump)

    # -- commands --------------------------------------------------------------------------------
    def play(self) -> None:
        if self.player is not None:
            self.player.play()

    def pause(self) -> None:
        if self.player is not None:
            self.player.pause()

    def toggle_play(self) -> None:
        if self.is_playing():
            self.pause()
        else:
            self.play()

    def seek(self, t: float) -> None:
        """Go to ``t`` seconds (a paused player shows that frame)."""
        if self.player is None:
            return
        t = min(max(0.0, t), self.duration) if self.duration > 0 else max(0.0, t)
        self._jump_pending = False
        self.player.setPosition(round(t * 1000))
        self._anchor(t)
        self.timeline.set_position(t)

    def step_frames(self, delta: int) -> None:
        """Pause and show the frame ``delta`` frames away (exact: seeks to the frame's middle)."""
        self.pause()
        base = self._frame_t if self.view.has_frame() else self.position()
        target = step_frame(base, self.fps, delta, self.duration)
        self._frame_t = frame_index(target, self.fps) / self.fps
        self.seek(target)

    def jump(self, unit: NudgeUnit, direction: int) -> None:
        """Jump by a beat or an 8-count, onto the frame in which that beat falls."""
        t = nudge(self.position(), unit, direction, self.fps, self.grid, self.duration)
        self.seek(frame_time(frame_index(t, self.fps), self.fps))

    def set_speed(self, speed: float) -> None:
        self.speed = clamp_speed(speed)
        if self.player is not None:
            self.player.setPlaybackRate(self.speed)
        self._anchor(self._anchor_t)
        self.transport.show_speed(self.speed)
        pitch = self.pitch_kept()
        self.transport.speed_label.setToolTip(
            "Playback speed (+ / −). Click for 1×, the arrow for presets. "
            + ("The music keeps its pitch." if pitch else "The music's pitch follows the speed."))
        self._arm_loop_timer()
        self.speed_changed.emit(self.speed)

    # -- loop editing ----------------------------------------------------------------------------
    def set_loop(self, loop: LoopRegion | None) -> None:
        if loop is not None and self.duration > 0:
            loop = LoopRegion.between(loop.a, min(loop.b, self.duration), loop.enabled)
        self.loop = loop
        self.timeline.set_loop(loop)
        act = self.actions_by_name["loop"]
        act.blockSignals(True)
        act.setChecked(bool(loop and loop.enabled))
        act.blockSignals(False)
        self._arm_loop_timer()

    def set_loop_enabled(self, on: bool) -> None:
        if self.loop is None:
            if not on:
                return
            self.loop = loop_whole(self.duration) if self.duration > 0 else None
        self.set_loop(self.loop.with_enabled(on) if self.loop else None)

    def set_a_here(self) -> None:
        t = frame_index(self.position(), self.fps) / self.fps
        self.set_loop(self.loop.with_a(t) if self.loop else LoopRegion.between(t, self.duration))

    def set_b_here(self) -> None:
        t = (frame_index(self.position(), self.fps) + 1) / self.fps
        self.set_loop(self.loop.with_b(t) if self.loop else LoopRegion.between(0.0, t))

    def nudge_loop(self, which: str, direction: int) -> None:
        if self.loop is None:
            return
        unit = self.transport.unit()
        t = self.loop.a if which == "a" else self.loop.b
        t = nudge(t, unit, direction, self.fps, self.grid, self.duration)
        if unit is NudgeUnit.FRAME:
            t = frame_index(t, self.fps) / self.fps
        self.set_loop(self.loop.with_a(t) if which == "a" else self.loop.with_b(t))

    def loop_current_eight(self) -> None:
        region = loop_phrase(self.grid, self.position(), self.duration)
        if region is not None:
            self.set_loop(region)
            self.seek(region.a)

    # -- trainer ---------------------------------------------------------------------------------
    def _on_trainer_changed(self) -> None:
        if not self.trainer_box.isChecked():
            self.trainer = None
            self.trainer_box.status.setText("")
            return
        try:
            self.trainer = self.trainer_box.trainer()
        except ValueError as exc:
            self.trainer = None
            self.trainer_box.status.setText(str(exc))
            return
        self.loops_done = 0
        if self.loop is None or not self.loop.enabled:
            self.set_loop(self.loop.with_enabled(True) if self.loop else loop_whole(self.duration))
        self._apply_trainer()

    def _apply_trainer(self) -> None:
        tr = self.trainer
        assert tr is not None
        speed = tr.speed_after(self.loops_done)
        if abs(speed - self.speed) > 1e-6:
            self.set_speed(speed)
        left = "target reached" if tr.finished(self.loops_done) else \
            f"next step in {tr.every - self.loops_done % tr.every} loop(s)"
        self.trainer_box.status.setText(f"Loop {self.loops_done} · {self.speed:.2f}× · {left}")

    # -- overlays, detach, full screen -----------------------------------------------------------
    def _on_counts_toggled(self, on: bool) -> None:
        self.view.show_counts = on and self.grid is not None
        self.view.update()

    def _on_skeleton_toggled(self, on: bool) -> None:
        self.view.show_skeleton = on and self.track is not None
        self.view.update()

    def set_detached(self, on: bool) -> None:
        if on and self._window is None:
            self._window = DetachedWindow(f"{self.title.text()} · Bachata Buddy player")
            self._window.addActions(list(self.actions_by_name.values()))
            self._window.closed.connect(lambda: self.actions_by_name["detach"].setChecked(False))
            self._window.full_screen_left.connect(self._on_window_full_screen_left)
            self._window.hold(self.view)
            self.detached_note.show()
            self._window.show()
        elif not on and self._window is not None:
            win, self._window = self._window, None
            self.view_holder.layout().insertWidget(0, self.view)
            self.detached_note.hide()
            self._detached_for_full_screen = False
            win.closed.disconnect()
            win.close()
            win.deleteLater()

    def toggle_full_screen(self) -> None:
        if self._window is None:
            self.actions_by_name["detach"].setChecked(True)
            self._detached_for_full_screen = self._window is not None
        if self._window is not None:
            self._window.toggle_full_screen()

    def _on_window_full_screen_left(self) -> None:
        # F then Esc is "full screen for a moment": the video comes back into the panel instead
        # of staying in a floating window. A window opened with D stays a window.
        if self._detached_for_full_screen:
            self.actions_by_name["detach"].setChecked(False)

    def detached_window(self) -> DetachedWindow | None:
        return self._window

    def shutdown(self) -> None:
        self.loop = None
        self._loop_timer.stop()
        if self.player is not None:
            # stop() at a rate != 1 hung the Qt 6.12 FFmpeg backend once (a deadlock in
            # teardown): go back to 1x, pause, then drop the source (which stops it).
            self.player.setPlaybackRate(1.0)
            self.player.pause()
            self.player.setSource(QUrl())
        self.set_detached(False)

    def state(self) -> dict[str, Any]:
        """A summary for tests and the status bar."""
        return {"path": self.path, "clip_id": self.clip_id, "speed": self.speed,
                "loop": self.loop, "mirror": self.view.mirror, "count": self.view.count}
