"""Reading the media of a choreography export: clip frames by time, and the song as AAC-ready audio.

:class:`ClipReader` keeps one open decoder per clip for the whole export and serves "the frame
showing at clip time t" in (mostly) increasing t: it decodes forward and seeks only when time goes
back (a looped 4-count move, the same clip in a later slot) or jumps far ahead, so every needed frame
is decoded about once. :class:`SongAudio` decodes the song, resamples it to 48 kHz stereo, cuts the
choreography's span out of it (padding with silence if the song is shorter), fades its tail out, and feeds the AAC
encoder in step with the video, so the muxer interleaves without buffering the whole track.
PyAV is imported inside functions (it is not needed to start the app).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from bachata_desktop.core.errors import InputError

AUDIO_RATE = 48000
AAC_FRAME = 1024
SEEK_AHEAD_S = 2.0


def media_error(exc: BaseException, what: str) -> InputError:
    """An InputError for a media failure, with FFmpeg's reason when there is one."""
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return InputError(f"{what}: {reason}")



def _close_container(owner: Any) -> None:
    """Close ``owner._container`` once; a container that fails to close is already gone."""
    c = getattr(owner, "_container", None)
    if c is not None:
        try:
            c.close()
        except Exception:
            pass
        owner._container = None

class ClipReader:
    """Frames of one clip by presentation time (seconds from the clip's first frame)."""

    def __init__(self, path: Path, label: str) -> None:
        import av

        self.path, self.label = path, label
        try:
            self._container = av.open(str(path))
            streams = self._container.streams.video
            if not streams:
                raise InputError(f"the clip file of '{label}' has no video: {path}")
            self._stream = streams[0]
            self._stream.thread_type = "AUTO"
            tb = self._stream.time_base
            self._tb = float(tb) if tb else 1.0 / 30
            self._start = float(self._stream.start_time or 0) * self._tb
            rate = self._stream.average_rate or self._stream.guessed_rate
            self.fps = float(rate) if rate else 30.0
            dur = (float(self._stream.duration) * self._tb if self._stream.duration
                   else (self._container.duration or 0) / 1e6)
            self.duration = max(0.0, float(dur))
            self.width = self._stream.codec_context.width
            self.height = self._stream.codec_context.height
        except InputError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise media_error(exc, f"cannot read the video of the move '{label}' ({path.name})") from exc
        if self.width <= 0 or self.height <= 0:
            self.close()
            raise InputError(f"the video of the move '{label}' has no picture size: {path}")
        self._iter: Any = None
        self._cur: Any = None
        self._next: Any = None

    def _time(self, frame: Any) -> float:
        return (float(frame.pts) * self._tb - self._start) if frame.pts is not None else 0.0

    def _pull(self) -> Any:
        try:
            return next(self._iter, None)
        except Exception as exc:
            raise media_error(exc, f"the video of the move '{self.label}' is damaged") from exc

    def _seek(self, t: float) -> None:
        try:
            target = int((max(0.0, t) + self._start) / self._tb)
            self._container.seek(target, stream=self._stream, backward=True, any_frame=False)
        except Exception as exc:
            raise media_error(exc, f"cannot seek in the video of the move '{self.label}'") from exc
        self._iter = self._container.decode(self._stream)
        self._cur = self._pull()
        self._next = self._pull() if self._cur is not None else None
        if self._cur is None:
            raise InputError(f"the video of the move '{self.label}' has no frames: {self.path}")

    def frame_at(self, t: float) -> Any:
        """The decoded frame showing at clip time ``t`` (the nearest one at or before it)."""
        half = 0.5 / self.fps
        if (self._cur is None or t + half < self._time(self._cur)
                or t - self._time(self._cur) > SEEK_AHEAD_S):
            self._seek(t)
        while self._next is not None and self._time(self._next) <= t + half:
            self._cur, self._next = self._next, self._pull()
        return self._cur

    @staticmethod
    def to_i420(frame: Any) -> np.ndarray:
        """The frame as one contiguous I420 array (converted if the clip is not 4:2:0 8-bit)."""
        arr = frame.to_ndarray(format="yuv420p")
        return np.ascontiguousarray(arr)

    def close(self) -> None:
        _close_container(self)


class SongAudio:
    """The song between ``start`` and ``end`` seconds as 48 kHz stereo AAC, fed on demand."""

    def __init__(self, path: Path, start: float, end: float, fade_s: float = 0.0) -> None:
        import av

        self.path = path
        self._first = int(round(start * AUDIO_RATE))
        self._total = max(0, int(round((end - start) * AUDIO_RATE)))
        # the last ``fade_s`` seconds fall linearly to silence (from this sample of the span on)
        self._fade_n = max(0, min(self._total, int(round(fade_s * AUDIO_RATE))))
        try:
            self._container = av.open(str(path))
            if not self._container.streams.audio:
                raise InputError(f"the song file has no audio: {path}")
            self._in = self._container.streams.audio[0]
        except InputError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise media_error(exc, f"cannot read the song {path.name}") from exc
        self._resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
        self._chunks = self._decoded()
        self._buf = np.zeros((2, 0), dtype=np.float32)
        self._pos = 0        # samples of the song decoded so far (48 kHz, from the song's start)
        self._written = 0    # samples sent to the encoder (from the span's start)
        self._stream: Any = None
        self._eof = False

    def attach(self, container: Any) -> None:
        """Add the AAC stream to the output ``container``."""
        self._stream = container.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
        self._stream.bit_rate = 160_000

    def _decoded(self) -> Any:
        try:
            for frame in self._container.decode(self._in):
                frame.pts = None  # let the resampler count samples (some formats lack timestamps)
                for out in self._resampler.resample(frame):
                    yield out.to_ndarray().reshape(2, -1)
            for out in self._resampler.resample(None):
                yield out.to_ndarray().reshape(2, -1)
        except InputError:
            raise
        except Exception as exc:
            raise media_error(exc, f"the song {self.path.name} could not be decoded") from exc

    def _fill(self, need: int) -> None:
        """Buffer at least ``need`` samples of the span (silence after the song's end)."""
        parts = [self._buf]
        have = self._buf.shape[1]
        while have < need and not self._eof:
            chunk = next(self._chunks, None)
            if chunk is None:
                self._eof = True
                break
            a, b = self._pos, self._pos + chunk.shape[1]
            self._pos = b
            lo = max(a, self._first + self._written + have)
            if b <= lo:
                continue
            piece = chunk[:, lo - a:]
            parts.append(piece.astype(np.float32, copy=False))
            have += piece.shape[1]
        if have < need and self._eof:
            parts.append(np.zeros((2, need - have), dtype=np.float32))
        self._buf = np.concatenate(parts, axis=1) if len(parts) > 1 else self._buf

    def write_until(self, container: Any, t: float | None) -> None:
        """Encode and mux the span's audio up to ``t`` seconds of output (None: all of it)."""
        import av

        target = self._total if t is None else min(self._total, int(t * AUDIO_RATE))
        while self._written < target:
            n = min(AAC_FRAME, self._total - self._written)
            self._fill(n)
            block, self._buf = self._buf[:, :n], self._buf[:, n:]
            fade_from = self._total - self._fade_n
            if self._fade_n and self._written + n > fade_from:
                pos = self._written + np.arange(n, dtype=np.float64)
                gain = np.clip((self._total - pos) / self._fade_n, 0.0, 1.0)
                block = (block * gain[None, :]).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block), format="fltp",
                                               layout="stereo")
            frame.sample_rate = AUDIO_RATE
            frame.pts = self._written
            self._written += n
            for packet in self._stream.encode(frame):
                container.mux(packet)
        if t is None:
            for packet in self._stream.encode(None):
                container.mux(packet)

    def close(self) -> None:
        _close_container(self)


__all__ = ["AUDIO_RATE", "ClipReader", "SongAudio", "media_error"]
