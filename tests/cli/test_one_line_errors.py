"""Items 11 and 13 of issue 16: inputs that printed a traceback now give one line, a non-zero
exit and an unchanged library."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bachata_desktop.cli import run_cli
from tests.conftest import REPO, SONGS_DIR, need
from tests.library_state import data_fingerprint

PROGRESS = re.compile(r"^[\w .-]+: +\d+\.\d% ")


def messages(stderr: str) -> list[str]:
    return [ln for ln in stderr.strip().splitlines() if not PROGRESS.match(ln)]


def _clips_folder(tmp_path: Path, shared_clips_dir: Path, entries_text: str) -> Path:
    src = tmp_path / "clips"
    (src / "basic").mkdir(parents=True)
    for name in ("a.mp4", "b.mp4"):
        (src / "basic" / name).write_bytes((shared_clips_dir / "basic" / (
            "slow_basic3.mp4" if name == "a.mp4" else "basic_2.mp4")).read_bytes())
    (src / "bachata_annotations.json").write_text(entries_text, "utf-8")
    return src


def _entries(**second: object) -> str:
    first = {"clip_id": "a", "video_path": "basic/a.mp4", "move_label": "basic",
             "difficulty": "low", "energy_level": "low", "estimated_tempo": 120}
    return json.dumps({"clips": [first, {"clip_id": "b", "video_path": "basic/b.mp4",
                                         "move_label": "basic", **second}]})


@pytest.mark.parametrize("text, word", [
    (_entries(difficulty=3), "difficulty must be text"),
    (_entries(energy_level=["high"]), "energy_level must be text"),
    (_entries(move_label="ba\u0000sic"), "NUL"),
    (_entries(clip_id="\ud800"), "lone surrogate"),
    (_entries(estimated_tempo="fast"), "must be a number"),
    ('{"clips": ' + "[" * 200_000 + "]" * 200_000 + "}", "nests deeper"),
    ('{"clips": [], "clips": []}', "appears twice"),
])
def test_bad_annotations_import_nothing_and_say_it_in_one_line(
        store, shared_clips_dir: Path, tmp_path: Path, capsys, text: str, word: str) -> None:
    app_paths = store.paths
    store.close()
    src = _clips_folder(tmp_path, shared_clips_dir, text)
    before = data_fingerprint(app_paths.data)
    assert run_cli(["library", "import", str(src), "--no-analyze"]) == 2
    err = messages(capsys.readouterr().err)
    assert len(err) == 1 and word in err[0], err
    assert data_fingerprint(app_paths.data) == before


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BACHATA_HOME": str(home), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "bachata_desktop", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_negative_seed_and_bad_span_are_one_line(tmp_path: Path) -> None:
    song = need(SONGS_DIR / "Kevin_MacLeod-Samba_Isobel.ogg")
    for args, word in ((["--seed", "-1"], "between 0 and"), (["--start", "nan"], "0 or more"),
                       (["--seed", "x"], "not a whole number")):
        r = _cli("generate", "--song", str(song), *args, home=tmp_path / "home")
        assert r.returncode == 2 and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and word in r.stderr, r.stderr


@pytest.mark.parametrize("song, word", [("Kevin_MacLeod_-_Vibe_Ace.hq.ogg", "cover art"),
                                        ("Kevin_MacLeod-Samba_Isobel.ogg", "no video stream")])
def test_analyze_clip_refuses_a_song(tmp_path: Path, song: str, word: str) -> None:
    r = _cli("analyze-clip", str(need(SONGS_DIR / song)), "--json", home=tmp_path / "home")
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and word in r.stderr, r.stderr


def test_an_unforeseen_error_is_one_line_with_the_details_in_the_log(app_paths, capsys,
                                                                      monkeypatch) -> None:
    """The safety net behind the checks: a bug still gives one line, exit 1, and a log entry."""
    import bachata_desktop.cli.library as library_cli

    def broken(store):  # a real defect would raise like this
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(library_cli, "_run_queue", broken)
    assert run_cli(["library", "analyze"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "ZeroDivisionError" in err and "cli-errors.log" in err
    assert "ZeroDivisionError" in (app_paths.logs / "cli-errors.log").read_text("utf-8")
