"""Generate the spoken count samples the app ships in ``data/counts/`` (run once, commit the output).

The samples are synthesised here with espeak-ng (``apt-get install espeak-ng``), so nothing recorded
elsewhere is copied into the project. espeak-ng is GPL-3.0 software; the GPL covers the program, not
what a user makes with it (the FSF's GPL FAQ: the output of a program is not, in general, covered by
the copyright on the program's code), and espeak-ng is a formant synthesiser that copies no
recordings into its output. The app only ships these WAV files, never espeak-ng itself.

Each word is synthesised at espeak's own rate, its leading and trailing silence cut (so a sample's
first sample is its onset: the practice track places it exactly on the beat), resampled to 44.1 kHz,
peak-normalised, faded out and written as 16-bit mono WAV (under 32 KB each; QSoundEffect plays WAV
only, and some devices, e.g. WASAPI outputs, refuse a 16 kHz one; 44.1 kHz is also the practice
track's rate, so nothing is resampled there).
Two click sounds (accented "1" and the other counts) are made with numpy.

Usage: python scripts/make_count_samples.py [OUT_DIR]   (default: data/counts)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

RATE = 44100
WORDS = {
    "en": {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"},
    "es": {1: "uno", 2: "dos", 3: "tres", 4: "cuatro", 5: "cinco", 6: "seis", 7: "siete", 8: "ocho"},
}
VOICES = {"en": "en-us", "es": "es"}
SPEED_WPM = 230          # words per minute: a count must fit in one beat at 160 BPM (0.375 s)
MAX_S = 0.36


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    import soundfile as sf

    data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    return data.mean(axis=1), int(sr)


def _trim(x: np.ndarray, sr: int, floor_db: float = -40.0) -> np.ndarray:
    env = np.abs(x)
    thr = env.max() * 10 ** (floor_db / 20)
    idx = np.flatnonzero(env > thr)
    if idx.size == 0:
        return x
    return x[idx[0]: idx[-1] + 1]


def _finish(x: np.ndarray, sr: int) -> np.ndarray:
    from scipy.signal import resample_poly

    x = _trim(x, sr)
    if sr != RATE:
        g = np.gcd(sr, RATE)
        x = resample_poly(x, RATE // g, sr // g).astype(np.float32)
    x = x[: int(MAX_S * RATE)]
    x = x / max(float(np.abs(x).max()), 1e-6) * 0.9
    fade = min(len(x), int(0.02 * RATE))
    x[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return x.astype(np.float32)


def _click(freq: float, dur: float, amp: float) -> np.ndarray:
    t = np.arange(int(dur * RATE)) / RATE
    env = np.exp(-t / (dur / 5))
    return (amp * env * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _write(path: Path, x: np.ndarray) -> None:
    import soundfile as sf

    sf.write(str(path), x, RATE, subtype="PCM_16")


def main(out: Path) -> int:
    exe = shutil.which("espeak-ng")
    if exe is None:
        print("espeak-ng is not installed (apt-get install espeak-ng)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        for lang, words in WORDS.items():
            (out / lang).mkdir(parents=True, exist_ok=True)
            for n, word in words.items():
                wav = Path(tmp) / f"{lang}{n}.wav"
                subprocess.run([exe, "-v", VOICES[lang], "-s", str(SPEED_WPM), "-w", str(wav), word],
                               check=True)
                x, sr = _read_wav(wav)
                _write(out / lang / f"{n}.wav", _finish(x, sr))
    _write(out / "click.wav", _click(1500.0, 0.03, 0.6))
    _write(out / "click_accent.wav", _click(2500.0, 0.04, 0.95))
    print(f"wrote the count samples to {out}")
    return 0


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else root / "data" / "counts"))
