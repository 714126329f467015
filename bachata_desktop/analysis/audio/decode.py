"""Any common audio (or a video's soundtrack) to mono float32 at the analysis rate.

soundfile (libsndfile) reads wav, flac, ogg and mp3 quickly; everything else (m4a/aac, opus in
mp4/webm, the audio of an mp4 clip, ...) goes through PyAV, which bundles FFmpeg. Bad input (missing,
empty, not audio, truncated, too long) raises :class:`InputError` with one clear line.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bachata_desktop.core.errors import InputError

ANALYSIS_SR = 22050
DEFAULT_MAX_DURATION_S = 20 * 60.0
# A file whose decoded length is below this share of the length its header declares is truncated.
_TRUNCATED_SHARE = 0.9


@dataclass(frozen=True)
class DecodedAudio:
    samples: np.ndarray       # float32, mono, in [-1, 1]
    sr: int
    source_sr: int
    channels: int
    backend: str              # "soundfile" or "pyav"

    @property
    def duration(self) -> float:
        return len(self.samples) / float(self.sr) if self.sr else 0.0


def _name(p: Path) -> str:
    return p.name or str(p)


def _too_long(p: Path, seconds: float, limit: float) -> InputError:
    return InputError(f"{_name(p)} is {seconds / 60:.0f} minutes long; songs up to "
                      f"{limit / 60:.0f} minutes can be analysed")


def _resample(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    if sr_in == sr_out or x.size == 0:
        return x.astype(np.float32, copy=False)
    g = math.gcd(sr_in, sr_out)
    up, down = sr_out // g, sr_in // g
    if up == 1 or max(up, down) <= 8:
        from scipy.signal import resample_poly

        return resample_poly(x, up, down).astype(np.float32, copy=False)
    try:
        import soxr

        return soxr.resample(x, sr_in, sr_out, quality="MQ").astype(np.float32, copy=False)
    except ImportError:  # pragma: no cover - soxr comes with librosa
        from scipy.signal import resample_poly

        return resample_poly(x, up, down).astype(np.float32, copy=False)


def _check_file(p: Path) -> None:
    if not p.exists():
        raise InputError(f"File not found: {p}")
    if p.is_dir():
        raise InputError(f"{_name(p)} is a folder, not an audio file")
    try:
        size = p.stat().st_size
    except OSError as e:
        raise InputError(f"Cannot read {_name(p)}: {e.strerror or e}") from e
    if size == 0:
        raise InputError(f"{_name(p)} is empty (0 bytes)")


def _header_truncation(p: Path) -> str | None:
    """A reason when the container itself shows the file was cut short (WAV size, Ogg end page).

    libsndfile quietly reads what is there for these two, so the check is done on the bytes.
    """
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(12)
            if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
                # walk the chunks to the 'data' chunk and compare its declared size with the file
                pos = 12
                while pos + 8 <= size:
                    fh.seek(pos)
                    hdr = fh.read(8)
                    if len(hdr) < 8:
                        break
                    cid, clen = hdr[:4], int.from_bytes(hdr[4:8], "little")
                    if cid == b"data":
                        if clen not in (0, 0xFFFFFFFF) and pos + 8 + clen > size + 1:
                            return f"{size - pos - 8} of {clen} audio bytes present"
                        return None
                    pos += 8 + clen + (clen & 1)
                return None
            if head[:4] == b"OggS":
                fh.seek(max(0, size - 65536))
                tail = fh.read()
                k = tail.rfind(b"OggS")
                if k < 0 or len(tail) - k < 27:
                    return "the last Ogg page is cut"
                if not tail[k + 5] & 0x04:
                    return "the Ogg stream has no end page"
                n_seg = tail[k + 26]
                if len(tail) - k < 27 + n_seg or len(tail) - k < 27 + n_seg + sum(tail[k + 27: k + 27 + n_seg]):
                    return "the last Ogg page is cut"
    except OSError:
        return None
    return None


_SNDFILE_MAGIC = (b"RIFF", b"RF64", b"riff", b"fLaC", b"OggS", b"ID3", b"FORM", b"caff", b".snd",
                  b"wvpk", b"NIST", b"Crea")


def _soundfile_may_read(p: Path) -> bool:
    """Whether the first bytes look like a format libsndfile reads. Anything else goes straight to
    PyAV, which also keeps libsndfile's mp3 decoder from printing notes about text renamed .mp3."""
    try:
        with p.open("rb") as fh:
            head = fh.read(4)
    except OSError:
        return False
    if head.startswith(_SNDFILE_MAGIC):
        return True
    return len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0   # an MPEG audio frame


def _read_soundfile(p: Path, sr: int, max_s: float) -> DecodedAudio | None:
    """Decode with libsndfile; None when it does not know the format (try PyAV)."""
    import soundfile as sf

    if not _soundfile_may_read(p):
        return None
    try:
        info = sf.info(str(p))
    except Exception:  # noqa: BLE001 - libsndfile raises several types for unknown formats
        return None
    if info.samplerate <= 0 or info.frames <= 0:
        return None
    if info.frames / info.samplerate > max_s:
        raise _too_long(p, info.frames / info.samplerate, max_s)
    reason = _header_truncation(p)
    if reason:
        raise InputError(f"{_name(p)} is truncated ({reason})")
    file_sr = int(info.samplerate)
    try:
        mono = _read_mono_parallel(p, info.frames) if info.frames > 60 * file_sr else None
        if mono is None:
            data, _ = sf.read(str(p), dtype="float32", always_2d=True)
            mono = _mix(data)
    except Exception:  # noqa: BLE001 - a damaged stream inside a known container: let PyAV try
        return None
    if mono.shape[0] < _TRUNCATED_SHARE * info.frames:
        raise InputError(f"{_name(p)} is truncated: only {mono.shape[0] / file_sr:.1f} s of "
                         f"{info.frames / file_sr:.1f} s could be decoded")
    return DecodedAudio(_resample(mono, file_sr, sr), sr, file_sr, int(info.channels), "soundfile")


def _mix(data: np.ndarray) -> np.ndarray:
    if data.shape[1] == 1:
        return data[:, 0]
    if data.shape[1] == 2:
        out = data[:, 0] + data[:, 1]
        out *= 0.5
        return out
    return data.mean(axis=1, dtype=np.float32)


def _read_mono_parallel(p: Path, frames: int) -> np.ndarray | None:
    """Decode the two halves of a long file on two threads (libsndfile releases the GIL and
    seeks sample-exactly); None on one core, or if seeking is not supported."""
    if (os.cpu_count() or 1) < 2:
        return None
    from concurrent.futures import ThreadPoolExecutor

    import soundfile as sf

    half = frames // 2

    def part(a: int, b: int) -> np.ndarray:
        with sf.SoundFile(str(p)) as fh:
            if not fh.seekable():
                raise OSError("not seekable")
            fh.seek(a)
            return _mix(fh.read(b - a, dtype="float32", always_2d=True))

    try:
        with ThreadPoolExecutor(2) as ex:
            first, second = ex.submit(part, 0, half), ex.submit(part, half, frames)
            a, b = first.result(), second.result()
    except OSError:
        return None
    return np.concatenate([a, b])


def _read_pyav(p: Path, sr: int, max_s: float) -> DecodedAudio:
    import av

    try:
        container = av.open(str(p))
    except Exception as e:  # noqa: BLE001 - av.error.* (InvalidDataError, ...) all mean the same here
        raise InputError(f"{_name(p)} is not a readable audio file (unknown format or damaged)") from e
    try:
        streams = [s for s in container.streams if s.type == "audio"]
        if not streams:
            raise InputError(f"{_name(p)} has no audio track")
        stream = streams[0]
        declared = None
        if stream.duration is not None and stream.time_base is not None:
            declared = float(stream.duration * stream.time_base)
        elif container.duration:
            declared = container.duration / 1e6
        if declared is not None and declared > max_s:
            raise _too_long(p, declared, max_s)
        source_sr = int(stream.codec_context.sample_rate or stream.rate or 0)
        channels = int(getattr(stream.codec_context, "channels", 0) or 0)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sr)
        chunks: list[np.ndarray] = []
        n = 0
        max_n = int(max_s * sr) + sr

        def take(frames: list) -> None:
            nonlocal n
            for f in frames:
                a = f.to_ndarray().reshape(-1)
                chunks.append(a)
                n += a.size

        damaged = False
        try:
            for frame in container.decode(stream):
                take(resampler.resample(frame))
                if n > max_n:
                    raise _too_long(p, n / sr, max_s)
        except InputError:
            raise
        except Exception:  # noqa: BLE001 - corrupt packets: keep what decoded, judge below
            damaged = True
        take(resampler.resample(None))
    finally:
        container.close()
    if n == 0:
        raise InputError(f"{_name(p)} contains no decodable audio")
    samples = np.concatenate(chunks).astype(np.float32, copy=False)
    got = samples.size / sr
    if declared is not None and declared > 1.0 and got < _TRUNCATED_SHARE * declared:
        raise InputError(f"{_name(p)} is truncated: only {got:.1f} s of {declared:.1f} s could be decoded")
    if damaged and got < 1.0:
        raise InputError(f"{_name(p)} is damaged: no usable audio could be decoded")
    return DecodedAudio(samples, sr, source_sr or sr, channels or 1, "pyav")


def decode_audio(path: str | os.PathLike[str], sr: int = ANALYSIS_SR,
                 max_duration_s: float = DEFAULT_MAX_DURATION_S) -> DecodedAudio:
    """Decode ``path`` to mono float32 at ``sr`` Hz (soundfile first, then PyAV)."""
    p = Path(path)
    _check_file(p)
    out = _read_soundfile(p, sr, max_duration_s)
    if out is None:
        out = _read_pyav(p, sr, max_duration_s)
    if not np.all(np.isfinite(out.samples)):
        out = DecodedAudio(np.nan_to_num(out.samples, nan=0.0, posinf=0.0, neginf=0.0), out.sr,
                           out.source_sr, out.channels, out.backend)
    return out


__all__ = ["ANALYSIS_SR", "DEFAULT_MAX_DURATION_S", "DecodedAudio", "decode_audio"]
