"""Render a choreography to an MP4 the instructor can take away: the moves on the song, counted.

Each slot's clip is retimed so its counts land on the song's beats (see
:mod:`bachata_desktop.services.export_timing`), trimmed to the slot, letterboxed to the preset size,
optionally mirrored, and overlaid with the song's current count and the move's (and next move's)
name (:mod:`bachata_desktop.services.export_render`); the song is the only audio. The video covers
the whole song (or the part the request asked for) and fades out over its last seconds
(:mod:`bachata_desktop.services.export_routine`, shared with the live preview). Video is H.264
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

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from bachata_desktop.core.choreography import Choreography
from bachata_desktop.core.errors import BachataError, InputError
from bachata_desktop.core.song import SongAnalysis
from bachata_desktop.core.task import TaskContext, check_cancelled
from bachata_desktop.services import export_render as render
from bachata_desktop.services.export_files import storage_error, temp_beside
from bachata_desktop.services.export_media import SongAudio, media_error
from bachata_desktop.services.export_routine import Routine, check_output, fade_i420, open_routine

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
            library, a missing or unreadable clip file, a missing output folder, slot times that
            are negative, reversed or past the song's end, an output inside the library or over
            the song.
        StorageError: the folder is not writable or the disk is full (nothing is left behind).
        Cancelled: ``ctx`` was cancelled (nothing is left behind).
    """
    width, height = preset_size(preset)
    out = Path(out_path).expanduser().absolute()
    ctx.report(0.0, "Checking the moves")
    routine = open_routine(store, choreography, song_path, width, height, mirror=mirror,
                           overlays=overlays, show_next=show_next, song_analysis=song_analysis)
    try:
        check_output(store, out, routine.song_file)
    except BaseException:
        routine.close()
        raise
    tmp: Path | None = None
    started = time.perf_counter()
    try:
        audio = SongAudio(routine.song_file, routine.start_s, routine.end_s,
                          fade_s=routine.fade_s)
        tmp = temp_beside(out)
        frames = _render(tmp, routine, audio, x264_preset, crf, choreography, ctx)
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
        routine.close()
        if tmp is not None:
            try:
                tmp.unlink()
            except OSError:
                pass
    elapsed = time.perf_counter() - started
    ctx.report(1.0, f"Saved {out.name}")
    return ExportReport(str(out), width, height, FPS, frames, frames / FPS, len(routine.plans), size,
                        elapsed, mirror, overlays, x264_preset)


def _render(tmp: Path, routine: Routine, audio: SongAudio, x264_preset: str, crf: int,
            choreo: Choreography, ctx: TaskContext) -> int:
    import av

    width, height, plans = routine.width, routine.height, routine.plans
    n_frames = max(1, int(round(routine.duration_s * FPS)))
    times = routine.start_s + np.arange(n_frames, dtype=np.float64) / FPS
    slot_of = routine.slot_of(times)
    counts = routine.grid.count_at(times)
    gains = routine.gain_at(times)
    upcoming = routine.upcoming
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
        step = max(1, n_frames // 200)
        for si, plan in enumerate(plans):
            idx = np.flatnonzero(slot_of == si)
            if idx.size == 0:
                continue
            move = routine.moves[plan.slot.clip_id]
            clip_times = plan.clip_time(times[idx])
            name = plan.slot.name or move.clip.name
            nxt = upcoming[si] if routine.show_next else ""
            for n, ct in zip(idx.tolist(), clip_times.tolist(), strict=True):
                check_cancelled(ctx)
                frame = move.reader.frame_at(ct)
                key = (plan.slot.clip_id, int(frame.pts if frame.pts is not None else -1))
                if key != last_key:
                    src = move.reader.to_i420(frame)
                    base = render.place(src, routine.fit(frame.width, frame.height), width, height,
                                        routine.mirror)
                    last_key = key
                if routine.overlays:
                    np.copyto(scratch, base)
                    render.draw_overlays(scratch, width, height, int(counts[n]), name, nxt)
                    img = scratch
                else:
                    img = base
                if gains[n] < 1.0:
                    img = fade_i420(img, width, height, float(gains[n]))
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
