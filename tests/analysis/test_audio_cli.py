"""``bachata-desktop analyze-song FILE --json`` end to end, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from synth import synth_song  # tests/analysis is on sys.path (pytest rootdir-relative import)

REPO = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "bachata_desktop", "analyze-song", *args],
                          capture_output=True, text=True, env=env, timeout=300, cwd=REPO)


def test_analyze_song_json(tmp_path: Path) -> None:
    song = synth_song(132, leading_silence=1.0, pickup_beats=3, duration=30.0, seed=11)
    p = song.write(tmp_path / "canción.wav")
    r = _cli(str(p), "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert set(d) >= {"tempo_bpm", "beats", "downbeats", "phrases", "sections", "energy", "duration"}
    assert abs(d["tempo_bpm"] - 132) < 132 * 0.02
    assert all(set(b) == {"time", "count"} and 1 <= b["count"] <= 8 for b in d["beats"])
    assert abs(d["phrases"][0] - song.ones[0]) < 0.07
    assert len(d["energy"]) == len(d["phrases"])
    assert d["sections"][0]["start"] == 0.0 and d["sections"][-1]["end"] == d["duration"]


def test_analyze_song_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    p = tmp_path / "fake.mp3"
    p.write_text("not music\n" * 50)
    r = _cli(str(p), "--json")
    assert r.returncode == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("bachata-desktop analyze-song:") and "fake.mp3" in lines[0]
