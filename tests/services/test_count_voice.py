"""The count voice: the shipped samples (small, onset at their first sample, EN and ES), the script
that generates them, and one clear line for a language or voice that does not exist."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bachata_desktop.core.errors import InputError
from bachata_desktop.paths import data_resource, install_root
from bachata_desktop.services.count_voice import load_voice, samples_dir

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_shipped_samples_are_small_and_start_at_their_onset(lang):
    import soundfile as sf

    assert samples_dir() == data_resource("counts") == install_root() / "data" / "counts"
    for n in range(1, 9):
        path = samples_dir() / lang / f"{n}.wav"
        assert path.stat().st_size < 32_000, path
        info = sf.info(str(path))
        assert (info.samplerate, info.channels, info.subtype) == (44100, 1, "PCM_16"), path
        x, sr = sf.read(str(path), dtype="float32")
        assert 0.1 < len(x) / sr <= 0.4
        first = np.flatnonzero(np.abs(x) > 0.02 * np.abs(x).max())[0]   # the trim rule
        assert first / sr < 0.01


def test_every_shipped_sample_is_44k1_16_bit_mono():
    """A 16 kHz WAV is refused by some real outputs (WASAPI): ship the rate every device plays."""
    import soundfile as sf

    wavs = sorted(samples_dir().rglob("*.wav"))
    assert len(wavs) == 18
    for path in wavs:
        info = sf.info(str(path))
        assert (info.samplerate, info.channels, info.subtype) == (44100, 1, "PCM_16"), path
        assert path.stat().st_size < 32_000, path


def test_sample_voice_counts_one_to_eight_at_the_callers_rate():
    voice = load_voice("es", 44100, "samples")
    assert sorted(voice.counts) == list(range(1, 9))
    assert all(v.dtype == np.float32 and v.size > 0.1 * 44100 for v in voice.counts.values())
    assert "built-in count samples" in voice.label


def test_unknown_language_or_voice_gets_one_line():
    with pytest.raises(InputError, match="language"):
        load_voice("fr")
    with pytest.raises(InputError, match="voice"):
        load_voice("en", choice="robot")


def test_generating_script_makes_the_same_set(tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed (apt-get install espeak-ng): the script needs it")
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_count_samples.py"), str(tmp_path)],
                   check=True, capture_output=True, timeout=120)
    made = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.wav"))
    shipped = sorted(p.relative_to(samples_dir()).as_posix() for p in samples_dir().rglob("*.wav"))
    assert made == shipped and len(made) == 18
    import soundfile as sf

    assert {sf.info(str(p)).samplerate for p in tmp_path.rglob("*.wav")} == {44100}
