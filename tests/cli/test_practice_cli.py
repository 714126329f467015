"""``bachata-desktop practice-audio``: JSON report, choreography names, one-line errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from synth import synth_song  # noqa: E402

from bachata_desktop.cli import run_cli  # noqa: E402


@pytest.fixture(scope="module")
def song(tmp_path_factory) -> tuple[Path, object]:
    s = synth_song(124.0, form=(("verse", 3), ("chorus", 3)))
    return s.write(tmp_path_factory.mktemp("song") / "Bachata test.wav"), s


def test_practice_audio_json_reports_the_track(song, tmp_path, capsys):
    path, s = song
    out = tmp_path / "practice.m4a"
    rc = run_cli(["practice-audio", str(path), str(out), "--speed", "0.75", "--counts", "click",
                  "--count-in", "--from", "1", "--to", "15", "--json", "--quiet"])
    assert rc == 0
    rep = json.loads(capsys.readouterr().out)
    assert out.is_file() and rep["path"] == str(out)
    assert rep["duration_s"] == pytest.approx(14 / 0.75 + rep["count_in_s"], abs=1e-3)
    assert rep["count_in_s"] == pytest.approx(4 * 60 / 124 / 0.75, rel=0.05)
    beats_inside = int(np.sum((s.beat_times >= 1) & (s.beat_times < 15)))
    assert abs(rep["cues"] - (beats_inside + 4)) <= 1


def test_choreography_names_are_called_or_the_reason_is_given(song, tmp_path, capsys):
    from bachata_desktop.services.count_voice import system_speech_name

    path, s = song
    ones = s.ones
    choreo = {"song": {"title": "t"}, "tempo": 124.0, "seed": 0, "slots": [
        {"start": float(ones[i]), "end": float(ones[i + 1]), "counts": 8, "phrases": [i],
         "clip_id": i + 1, "name": name}
        for i, name in enumerate(["basic_side", "cross_body_lead", "lady_turn"])]}
    cfile = tmp_path / "choreo.json"
    cfile.write_text(json.dumps(choreo))
    out = tmp_path / "names.wav"
    rc = run_cli(["practice-audio", str(path), str(out), "--choreography", str(cfile), "--json",
                  "--quiet", "--voice", "samples"])
    assert rc == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["start_s"] == pytest.approx(ones[0], abs=1e-3)
    assert rep["end_s"] == pytest.approx(ones[3], abs=1e-3)
    if system_speech_name() is None:
        assert rep["names_called"] == 0 and "no speech voice" in rep["notes"][0]
    else:
        assert rep["names_called"] == 3


@pytest.mark.parametrize(("args", "why"), [
    (["--speed", "2"], "speed"), (["--from", "500"], "outside the song"),
    (["--from", "10", "--to", "5"], "not after its start"),
])
def test_bad_options_get_one_line_and_exit_2(song, tmp_path, capsys, args, why):
    path, _ = song
    rc = run_cli(["practice-audio", str(path), str(tmp_path / "x.m4a"), "--quiet", *args])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and why in err and "\n" not in err
    assert not (tmp_path / "x.m4a").exists()


def test_corrupt_song_gets_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.m4a"
    bad.write_bytes(b"\x00garbage" * 500)
    rc = run_cli(["practice-audio", str(bad), str(tmp_path / "x.mp3"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "bad.m4a" in err and "\n" not in err
