"""Render a choreography to an MP4 the instructor can take away: the moves on the song, counted.

Each slot's clip is retimed so its counts land on the song's beats (see
:mod:`bachata_desktop.services.export_timing`), trimmed to the slot, letterboxed to the preset size,
optionally mirrored, and overlaid with the song's current count and the move's (and next move's)
name (:mod:`bachata_desktop.services.export_render`); the song is the only audio. Video is H.264
(libx264, yuv420p) and audio AAC, written with PyAV one frame at a time, so memory stays flat
whatever the song's length.

The export is a plain long-running function (:func:`export_video`) with progress and cancel through
a :class:`~bachata_desktop.core.task.TaskContext`, so the wizard runs it as a job and the CLI on
stderr. Everything that can be checked before writing (moves deleted from the library, missing or
unreadable clip files, the song, the folder) is checked first; the file is written under a hidden
temporary name in the target folder and moved into place only when complete, and removed on
failure or cancel, so a broken MP4 is never left behind.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from bachata_desktop.core.choreography import Choreography
from bachata_desktop.core.errors import BachataError, InputError
from bachata_desktop.core.song import GridCorrection, SongAnalysis, apply_correction
from bachata_desktop.core.task import TaskContext, check_cancelled
from bachata_desktop.services import export_render as render
from bachata_desktop.services.export_files import storage_error, temp_beside
from bachata_desktop.services.export_media import ClipReader, SongAudio, media_error
from bachata_desktop.services.export_timing import (
    SlotPlan,
    SongGrid,
    clip_grid_from_analysis,
    next_names,
    plan_slot,
    song_grid_from_analysis,
    song_grid_from_choreography,
    span_of,
)

PRESETS: dict[str, tuple[int, int]] = {"480p": (854, 480), "720p": (1280, 720),
                                       "1080p": (1920, 1080)}
FPS = 30
# x264 speed preset, chosen by benchmarks/bench_export.py (3-min choreography, 720p, 2 shared and
# busy cores): "superfast" 2.3x real time, 0.30 CPU s per video s, 17.6 MB/min; "veryfast" 1.2x,
# 0.41 CPU s/s, 11.6 MB/min. Only superfast met the >= 2x goal; "ultrafast" is faster still but
# makes files about three times the size of veryfast's.
X264_PRESET = "superfast"
CRF = 23


@dataclass(frozen=True)
class ExportReport:
    """What was written: where, how big, how long, and how fast."""

    path: str
    width: int
    height: int
    fps: int
    frames: int
    duration_s: float
    slots: int
    size_bytes: int
    elapsed_s: float
    mirror: bool
    overlays: bool
    encoder_preset: str

    @property
    def realtime_factor(self) -> float:
        """Seconds of video made per second of work (2.0: twice as fast as real time)."""
        return self.duration_s / self.elapsed_s if self.elapsed_s > 0 else float("inf")

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "width": self.width, "height": self.height, "fps": self.fps,
                "frames": self.frames, "duration_s": round(self.duration_s, 3),
                "slots": self.slots, "size_bytes": self.size_bytes,
                "elapsed_s": round(self.elapsed_s, 3),
                "realtime_factor": round(self.realtime_factor, 3), "mirror": self.mirror,
                "overlays": self.overlays, "encoder_preset": self.encoder_preset}


def preset_size(preset: str) -> tuple[int, int]:
    """Output ``(width, height)`` of a preset name ("480p", "720p", "1080p")."""
    try:
        return PRESETS[preset.strip().lower()]
    except (KeyError, AttributeError):
        raise InputError(f"unknown video size '{preset}': use one of {', '.join(PRESETS)}") from None


# ---------------------------------------------------------------------------------------------
# Checks before anything is written
# ---------------------------------------------------------------------------------------------
def _resolve_song(store: Any, choreo: Choreography, song_path: str | os.PathLike[str] | None) -> Path:
    raw = song_path if song_path not in (None, "") else choreo.song.path
    if not raw:
        raise InputError("the choreography does not say which song it is for: give the song file")
    p = Path(raw)
    if not p.is_absolute() and store is not None and not p.exists():
        p = store.media_file(str(raw))
    if not p.is_file():
        raise InputError(f"song file not found: {p}")
    return p


def _check_slot_times(choreo: Choreography) -> None:
    """Every move starts at or after 0 s and ends after it starts (finite numbers)."""
    for n, s in enumerate(choreo.slots, 1):
        label = f"move {n} ({s.name or 'clip ' + str(s.clip_id)})"
        if not (math.isfinite(s.start) and math.isfinite(s.end)):
            raise InputError(f"{label} has no valid start and end time")
        if s.start < 0 or s.end <= s.start:
            raise InputError(f"{label} runs from {s.start:g} s to {s.end:g} s: times must be 0 "
                             "or more and the end after the start")


def song_duration(song_file: Path) -> float | None:
    """The song's length in seconds from its container (no decoding); None if unknown."""
    import av

    try:
        with av.open(str(song_file)) as c:
            if c.duration:
                return float(c.duration) / 1e6
            streams = [st for st in c.streams if st.type == "audio" and st.duration]
            if streams:
                return float(streams[0].duration * streams[0].time_base)
    except (av.FFmpegError, OSError, ValueError, IndexError):
        raise InputError(f"{song_file.name} is not a readable song file") from None
    return None


def _check_within_song(choreo: Choreography, song_file: Path) -> None:
    """Moves must lie within the song: the render's length (and memory) is bounded by it."""
    duration = song_duration(song_file) or (choreo.song.duration_s or None)
    if duration is None:
        raise InputError(f"the length of {song_file.name} cannot be read; refused")
    for n, s in enumerate(choreo.slots, 1):
        if s.end > duration + 0.5:
            raise InputError(f"move {n} ({s.name or 'clip ' + str(s.clip_id)}) ends at "
                             f"{s.end:g} s, after the end of the song ({duration:.1f} s)")


def _check_output(store: Any, out: Path, song_file: Path) -> None:
    """Never write over the library's own files or the song being read."""
    target = out.resolve()
    if store is not None:
        data = Path(store.paths.data).resolve()
        if target == data or data in target.parents:
            raise InputError(f"the video cannot be saved inside the library folder ({data}); "
                             "choose another folder")
    if _same_file(target, song_file):
        raise InputError("the video cannot be saved over the song it is made from")


def _song_grid(store: Any, choreo: Choreography, song_file: Path,
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


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and os.path.samefile(a, b))
    except OSError:
        return False


@dataclass
class _Move:
    clip: Any
    reader: ClipReader
    grid: Mapping[str, Any] | None


def _open_moves(store: Any, choreo: Choreography) -> dict[int, _Move]:
    """Every clip the choreography uses, checked and opened once (decoders are reused)."""
    moves: dict[int, _Move] = {}
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
                raise InputError(f"the video of the move '{clip.name}' is missing: {path}")
            reader = ClipReader(path, clip.name)
            moves[slot.clip_id] = _Move(clip, reader, store.analyses.get("clip", clip.id, "audio"))
    except BaseException:
        for m in moves.values():
            m.reader.close()
        raise
    return moves


# ---------------------------------------------------------------------------------------------
# The export
# ---------------------------------------------------------------------------------------------
def export_video(store: Any, choreography: Choreography, song_path: str | os.PathLike[str] | None,
                 out_path: str | os.PathLike[str], ctx: TaskContext, preset: str = "720p",
                 mirror: bool = False, overlays: bool = True, show_next: bool = True, *,
                 song_analysis: SongAnalysis | Mapping[str, Any] | None = None,
                 x264_preset: str = X264_PRESET, crf: int = CRF) -> ExportReport:
    """Render ``choreography`` on its song to an H.264 + AAC MP4 at ``out_path``.

    Args:
        store: the library (clips, their beat grids and media files; the song's analysis).
        choreography: what ``generate`` produced (slots with clip ids, song seconds and rates).
        song_path: the song file; None takes ``choreography.song.path`` (relative: library media).
        out_path: the MP4 to write; replaced only when the export succeeds.
        ctx: progress and cancel.
        preset: "480p", "720p" or "1080p".
        mirror: flip the dancers left-right (overlays stay readable).
        overlays: draw the song's count (1-8) and the move's name; ``show_next`` adds the next move.
        song_analysis: the song's beat grid; default the library's analysis of that song, else
            beats laid evenly through the choreography's phrases.

    Raises:
        InputError: unknown preset, empty choreography, missing song, a move deleted from the
            library, a missing or unreadable clip file, a missing output folder.
        StorageError: the folder is not writable or the disk is full (nothing is left behind).
        Cancelled: ``ctx`` was cancelled (nothing is left behind).
    """
    width, height = preset_size(preset)
    if not choreography.slots:
        raise InputError("the choreography has no moves to export")
    _check_slot_times(choreography)
    # in song order (a hand-edited file may not be); a later slot takes over where slots overlap
    choreography = replace(choreography, slots=tuple(sorted(choreography.slots,
                                                            key=lambda s: s.start)))
    out = Path(out_path).expanduser().absolute()
    start_s, end_s = span_of(choreography.slots)
    if not end_s > start_s:
        raise InputError("the choreography covers no time of the song")
    song_file = _resolve_song(store, choreography, song_path)
    _check_output(store, out, song_file)
    _check_within_song(choreography, song_file)
    ctx.report(0.0, "Checking the moves")
    grid = _song_grid(store, choreography, song_file, song_analysis)
    moves = _open_moves(store, choreography)
    tmp: Path | None = None
    started = time.perf_counter()
    try:
        song_period = 60.0 / choreography.tempo if choreography.tempo > 0 else 0.5
        plans = []
        for slot in choreography.slots:
            m = moves[slot.clip_id]
            cgrid = clip_grid_from_analysis(m.grid, m.clip.tempo_bpm)
            plans.append(plan_slot(slot, grid, cgrid, m.clip.counts, m.reader.duration, song_period))
        audio = SongAudio(song_file, start_s, end_s)
        tmp = temp_beside(out)
        frames = _render(tmp, plans, moves, audio, grid, start_s, end_s, width, height, mirror,
                         overlays, show_next, x264_preset, crf, choreography, ctx)
        size = tmp.stat().st_size
        os.replace(tmp, out)
        tmp = None
    except BachataError:
        raise
    except OSError as exc:
        raise storage_error(exc, out) from exc
    except Exception as exc:  # an encoder or muxer failure we did not foresee
        raise media_error(exc, f"could not write the video {out.name}") from exc
    finally:
        for m in moves.values():
            m.reader.close()
        if tmp is not None:
            try:
                tmp.unlink()
            except OSError:
                pass
    elapsed = time.perf_counter() - started
    ctx.report(1.0, f"Saved {out.name}")
    return ExportReport(str(out), width, height, FPS, frames, frames / FPS, len(plans), size,
                        elapsed, mirror, overlays, x264_preset)


def _render(tmp: Path, plans: list[SlotPlan], moves: dict[int, _Move], audio: SongAudio,
            grid: SongGrid, start_s: float, end_s: float, width: int, height: int, mirror: bool,
            overlays: bool, show_next: bool, x264_preset: str, crf: int, choreo: Choreography,
            ctx: TaskContext) -> int:
    import av

    n_frames = max(1, int(round((end_s - start_s) * FPS)))
    times = start_s + np.arange(n_frames, dtype=np.float64) / FPS
    starts = np.array([p.slot.start for p in plans])
    slot_of = np.clip(np.searchsorted(starts, times + 1e-6, side="right") - 1, 0, len(plans) - 1)
    counts = grid.count_at(times)
    upcoming = next_names([p.slot for p in plans])
    container = av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"})
    try:
        container.metadata["title"] = f"{choreo.song.title or 'Choreography'} (Bachata Buddy)"
        vstream = container.add_stream("libx264", rate=FPS,
                                       options={"preset": x264_preset, "crf": str(int(crf))})
        vstream.width, vstream.height, vstream.pix_fmt = width, height, "yuv420p"
        vstream.codec_context.time_base = Fraction(1, FPS)
        audio.attach(container)
        scratch = np.empty((height * 3 // 2, width), dtype=np.uint8)
        last_key: tuple[int, int] | None = None
        base = scratch
        fits: dict[tuple[int, int], render.Fit] = {}
        step = max(1, n_frames // 200)
        for si, plan in enumerate(plans):
            idx = np.flatnonzero(slot_of == si)
            if idx.size == 0:
                continue
            move = moves[plan.slot.clip_id]
            clip_times = plan.clip_time(times[idx])
            name = plan.slot.name or move.clip.name
            nxt = upcoming[si] if show_next else ""
            for n, ct in zip(idx.tolist(), clip_times.tolist(), strict=True):
                check_cancelled(ctx)
                frame = move.reader.frame_at(ct)
                key = (plan.slot.clip_id, int(frame.pts if frame.pts is not None else -1))
                if key != last_key:
                    src = move.reader.to_i420(frame)
                    fkey = (frame.width, frame.height)
                    fit = fits.get(fkey) or fits.setdefault(
                        fkey, render.fit_for(frame.width, frame.height, width, height))
                    base = render.place(src, fit, width, height, mirror)
                    last_key = key
                if overlays:
                    np.copyto(scratch, base)
                    render.draw_overlays(scratch, width, height, int(counts[n]), name, nxt)
                    img = scratch
                else:
                    img = base
                vf = av.VideoFrame.from_ndarray(img, format="yuv420p")
                vf.pts = n
                vf.time_base = Fraction(1, FPS)
                audio.write_until(container, (n + 1) / FPS + 0.5)
                for packet in vstream.encode(vf):
                    container.mux(packet)
                if n % step == 0:
                    ctx.report(0.02 + 0.96 * n / n_frames, f"Rendering frame {n + 1} of {n_frames}")
        for packet in vstream.encode():
            container.mux(packet)
        audio.write_until(container, None)
        ctx.report(0.99, "Finishing the file")
    except BaseException:
        try:
            container.close()
        except Exception:
            pass
        raise
    finally:
        audio.close()
    container.close()
    return n_frames


__all__ = ["CRF", "FPS", "PRESETS", "X264_PRESET", "ExportReport", "export_video", "preset_size"]
