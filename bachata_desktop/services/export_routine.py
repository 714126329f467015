"""What a choreography video shows at any song time: shared by the export and the live preview.

:func:`open_routine` checks and opens everything a render needs (the song's grid, each slot's
retiming, one decoder per clip) and decides the part of the song the video covers: the whole song
when the request did not ask for a part of it (the moves before the first slot hold the first
move's first frame, the tail after the last slot keeps dancing the last move), else the slots'
span. The last ``FADE_S`` seconds fade out, sound and picture, so the video does not stop at full
volume. :meth:`Routine.frame_i420` composes one frame (clip frame letterboxed, mirrored, counted,
faded); the export encodes them in order, the preview asks for whichever instant is playing.

A routine's decoders are not shared between threads: the thread that opens it uses and closes it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from bachata_desktop.core.choreography import Choreography
from bachata_desktop.core.clip import move_title
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.song import GridCorrection, SongAnalysis, apply_correction
from bachata_desktop.services import export_render as render
from bachata_desktop.services.export_media import ClipReader
from bachata_desktop.services.export_timing import (
    SlotPlan,
    SongGrid,
    clip_grid_from_analysis,
    dancers_one,
    next_names,
    plan_slot,
    song_grid_from_analysis,
    song_grid_from_choreography,
    span_of,
)

FADE_S = 3.0  # the tail's fade-out (sound and picture)


def resolve_song(store: Any, choreo: Choreography, song_path: str | os.PathLike[str] | None) -> Path:
    raw = song_path if song_path not in (None, "") else choreo.song.path
    if not raw:
        raise InputError("the choreography does not say which song it is for: give the song file")
    p = Path(raw)
    if not p.is_absolute() and store is not None and not p.exists():
        p = store.media_file(str(raw))
    if not p.is_file():
        raise InputError(f"song file not found: {p}")
    return p


def check_slot_times(choreo: Choreography) -> None:
    """Every move starts at or after 0 s and ends after it starts (finite numbers)."""
    for n, s in enumerate(choreo.slots, 1):
        label = f"move {n} ({s.name or 'clip ' + str(s.clip_id)})"
        if not (math.isfinite(s.start) and math.isfinite(s.end)):
            raise InputError(f"{label} has no valid start and end time")
        if s.start < 0 or s.end <= s.start:
            raise InputError(f"{label} runs from {s.start:g} s to {s.end:g} s: times must be 0 "
                             "or more and the end after the start")


def check_within_song(choreo: Choreography, song_file: Path) -> None:
    """Moves must lie within the song: the render's length (and memory) is bounded by it."""
    duration = song_seconds(song_file) or (choreo.song.duration_s or None)
    if duration is None:
        raise InputError(f"the length of {song_file.name} cannot be read; refused")
    for n, s in enumerate(choreo.slots, 1):
        if s.end > duration + 0.5:
            raise InputError(f"move {n} ({s.name or 'clip ' + str(s.clip_id)}) ends at "
                             f"{s.end:g} s, after the end of the song ({duration:.1f} s)")


def check_output(store: Any, out: Path, song_file: Path) -> None:
    """Never write over the library's own files or the song being read."""
    target = out.resolve()
    if store is not None:
        data = Path(store.paths.data).resolve()
        if target == data or data in target.parents:
            raise InputError(f"the video cannot be saved inside the library folder ({data}); "
                             "choose another folder")
    if _same_file(target, song_file):
        raise InputError("the video cannot be saved over the song it is made from")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def song_grid(store: Any, choreo: Choreography, song_file: Path,
              analysis: SongAnalysis | Mapping[str, Any] | None) -> SongGrid:
    """The song's beat grid: given, else the library's (with corrections), else the phrases'."""
    if isinstance(analysis, SongAnalysis):
        analysis = analysis.to_dict()
    if analysis is None and store is not None and choreo.song.song_id is not None:
        song = store.songs.get(choreo.song.song_id)
        if song is not None and _same_file(store.media_file(song.path), song_file):
            stored = store.songs.analysis(song.id)
            if stored:
                corrected = apply_correction(SongAnalysis.from_dict(stored),
                                             GridCorrection.from_dict(store.songs.corrections(song.id)))
                analysis = corrected.to_dict()
    grid = song_grid_from_analysis(analysis) if analysis else None
    return grid if grid is not None else song_grid_from_choreography(choreo)


def song_seconds(path: Path) -> float | None:
    """The song file's length in seconds (its audio stream's, else the container's), or None."""
    import av

    try:
        with av.open(str(path)) as c:
            if c.streams.audio:
                a = c.streams.audio[0]
                if a.duration and a.time_base:
                    return float(a.duration * a.time_base)
            return c.duration / 1e6 if c.duration else None
    except Exception:  # an unreadable song is reported by the audio reader with its reason
        return None


@dataclass
class Move:
    clip: Any
    reader: ClipReader
    grid: Mapping[str, Any] | None


def open_moves(store: Any, choreo: Choreography) -> dict[int, Move]:
    """Every clip the choreography uses, checked and opened once (decoders are reused)."""
    moves: dict[int, Move] = {}
    try:
        for slot in choreo.slots:
            if slot.clip_id in moves:
                continue
            label = slot.name or f"clip {slot.clip_id}"
            clip = store.clips.get(slot.clip_id)
            if clip is None:
                if store.clips.is_deleted(slot.clip_id):
                    raise InputError(f"the move '{label}' (clip {slot.clip_id}) was deleted from the "
                                     "library: restore it or swap it for another move")
                raise InputError(f"the move '{label}' (clip {slot.clip_id}) is not in this library")
            path = store.media_file(clip.media_path)
            if not path.is_file():
                raise InputError(f"the video of the move '{move_title(clip.name)}' is missing: {path}")
            reader = ClipReader(path, move_title(clip.name))
            moves[slot.clip_id] = Move(clip, reader, store.analyses.get("clip", clip.id, "audio"))
    except BaseException:
        for m in moves.values():
            m.reader.close()
        raise
    return moves


def fade_i420(img: np.ndarray, width: int, height: int, gain: float) -> np.ndarray:
    """``img`` faded towards black by ``gain`` (1: as is, 0: black), as a new array."""
    out = img.astype(np.float32)
    ysz = width * height
    flat = out.reshape(-1)
    flat[:ysz] = 16.0 + (flat[:ysz] - 16.0) * gain
    flat[ysz:] = 128.0 + (flat[ysz:] - 128.0) * gain
    return np.clip(out, 0, 255).astype(np.uint8)


@dataclass
class Routine:
    """A choreography ready to render: retimed slots, open clips, the covered span and its fade."""

    plans: list[SlotPlan]
    moves: dict[int, Move]
    grid: SongGrid
    song_file: Path
    start_s: float
    end_s: float
    width: int
    height: int
    mirror: bool = False
    overlays: bool = True
    show_next: bool = True
    fade_s: float = FADE_S
    _fits: dict[tuple[int, int], render.Fit] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def upcoming(self) -> list[str]:
        return next_names([p.slot for p in self.plans])

    def slot_of(self, times: np.ndarray) -> np.ndarray:
        starts = np.array([p.slot.start for p in self.plans])
        i = np.searchsorted(starts, np.asarray(times, dtype=np.float64) + 1e-6, side="right") - 1
        return np.clip(i, 0, len(self.plans) - 1)

    def gain_at(self, t: np.ndarray | float) -> np.ndarray:
        """Volume (and brightness) at song time ``t``: 1, falling linearly to 0 at the end."""
        if self.fade_s <= 0:
            return np.ones_like(np.asarray(t, dtype=np.float64))
        return np.clip((self.end_s - np.asarray(t, dtype=np.float64)) / self.fade_s, 0.0, 1.0)

    def fit(self, w: int, h: int) -> render.Fit:
        key = (w, h)
        if key not in self._fits:
            self._fits[key] = render.fit_for(w, h, self.width, self.height)
        return self._fits[key]

    def frame_i420(self, t: float) -> np.ndarray:
        """The whole output frame at song time ``t`` (I420, ``height * 3 // 2`` rows)."""
        si = int(self.slot_of(np.array([t]))[0])
        plan = self.plans[si]
        move = self.moves[plan.slot.clip_id]
        frame = move.reader.frame_at(float(plan.clip_time(np.array([t]))[0]))
        img = render.place(move.reader.to_i420(frame), self.fit(frame.width, frame.height),
                           self.width, self.height, self.mirror).copy()
        if self.overlays:
            nxt = self.upcoming[si] if self.show_next else ""
            render.draw_overlays(img, self.width, self.height, int(self.grid.count_at(t)),
                                 plan.slot.name or move_title(move.clip.name), nxt)
        g = float(self.gain_at(t))
        return fade_i420(img, self.width, self.height, g) if g < 1.0 else img

    def close(self) -> None:
        for m in self.moves.values():
            m.reader.close()


def _covered(choreo: Choreography, song_file: Path) -> tuple[float, float]:
    start_s, end_s = span_of(choreo.slots)
    if choreo.request.span is not None:
        return start_s, end_s  # the instructor asked for a part of the song: that part
    length = song_seconds(song_file) or choreo.song.duration_s
    return 0.0, max(end_s, float(length or 0.0))


def open_routine(store: Any, choreography: Choreography, song_path: str | os.PathLike[str] | None,
                 width: int, height: int, *, mirror: bool = False, overlays: bool = True,
                 show_next: bool = True,
                 song_analysis: SongAnalysis | Mapping[str, Any] | None = None) -> Routine:
    """Check and open everything a render of ``choreography`` needs (see the module docstring).

    Raises:
        InputError: empty choreography, a slot without valid times (negative, reversed, past the
            song's end), a missing song, a move deleted from the library, a missing or
            unreadable clip file.
    """
    if not choreography.slots:
        raise InputError("the choreography has no moves to export")
    check_slot_times(choreography)
    # in song order (a hand-edited file may not be); a later slot takes over where slots overlap
    choreography = replace(choreography, slots=tuple(sorted(choreography.slots,
                                                            key=lambda s: s.start)))
    a, b = span_of(choreography.slots)
    if not b > a:
        raise InputError("the choreography covers no time of the song")
    song_file = resolve_song(store, choreography, song_path)
    check_within_song(choreography, song_file)
    grid = song_grid(store, choreography, song_file, song_analysis)
    start_s, end_s = _covered(choreography, song_file)
    moves = open_moves(store, choreography)
    song_period = 60.0 / choreography.tempo if choreography.tempo > 0 else 0.5
    plans = []
    for slot in choreography.slots:
        m = moves[slot.clip_id]
        cgrid = clip_grid_from_analysis(m.grid, m.clip.tempo_bpm, dancers_one(m.clip.extra))
        plans.append(plan_slot(slot, grid, cgrid, m.clip.counts, m.reader.duration, song_period))
    last = plans[-1]
    if end_s > last.slot.end + 1e-3 and last.loop_s is None:
        # the tail after the last slot keeps dancing the last move over its own counts
        plans[-1] = replace(last, loop_s=(last.slot.end - last.slot.start) * last.rate)
    fade = min(FADE_S, max(0.0, (end_s - start_s) / 4))
    return Routine(plans, moves, grid, song_file, start_s, end_s, width, height, mirror, overlays,
                   show_next, fade)


__all__ = ["FADE_S", "Move", "Routine", "check_output", "check_slot_times", "check_within_song",
           "fade_i420", "open_moves", "open_routine", "resolve_song", "song_grid", "song_seconds"]
