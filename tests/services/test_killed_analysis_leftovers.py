"""Issue 16 item 3 for analysis: what a killed pose analysis or song import leaves is removed at
the next start, and only when the process that wrote it is gone.

Real processes are killed (SIGKILL) at the exact rename under test by an audit hook in the child;
the next start (the CLI opening the library) clears the leftovers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.services.test_restore_safety import _run

CLIP = "basic/slow_basic3.mp4"

_KILLED_SONG_IMPORT = """
import os, signal, sys
def hook(event, args):
    if event == "os.rename" and ".import-" in str(args[0]):
        os.kill(os.getpid(), signal.SIGKILL)
sys.addaudithook(hook)
from bachata_desktop.core.task import RecordingContext
from bachata_desktop.paths import app_paths
from bachata_desktop.services.songs import add_song
from bachata_desktop.store import Store
add_song(RecordingContext(), Store.open(app_paths().ensure()), sys.argv[1])
"""


def _dead_pid() -> int:
    """The pid of a process that has exited (and been waited for)."""
    p = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                       capture_output=True, text=True, check=True)
    return int(p.stdout)


@pytest.mark.parametrize("needle, left", [(".kp-", ".kp-*.npz"), (".npz.part|", ".pose-*.part")])
def test_pose_analysis_killed_leaves_no_keypoints_temp_after_next_start(
        needle: str, left: str, shared_clips_dir: Path, pose_model_dir: Path,
        tmp_path: Path) -> None:
    home = tmp_path / "home"
    r = _run(["library", "import", str(shared_clips_dir / CLIP), "--no-analyze"], home)
    assert r.returncode == 0, r.stderr
    # killed while writing the keypoints, or once written but before the analysis is committed
    r = _run(["library", "analyze"], home, kill_at=("os.rename", needle))
    assert r.returncode == -signal.SIGKILL, r.stderr
    poses = home / "data" / "poses"
    assert list(poses.glob(left))                      # what the kill left
    r = _run(["library", "list", "--json"], home)
    assert r.returncode == 0, r.stderr
    assert "interrupted pose analysis were removed" in r.stderr
    assert [p.name for p in poses.iterdir() if p.name.startswith(".")] == []


def test_song_import_killed_leaves_no_part_and_no_song_file_after_next_start(
        shared_songs_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    song = sorted(shared_songs_dir.glob("*.ogg"))[-1]
    env = {**os.environ, "BACHATA_HOME": str(home), "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-c", _KILLED_SONG_IMPORT, str(song)], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == -signal.SIGKILL, r.stderr
    songs = home / "data" / "media" / "songs"
    assert [p.name for p in songs.iterdir()][0].startswith(".import-")   # only the .part
    assert len(list(songs.iterdir())) == 1
    r = _run(["library", "list", "--json"], home)
    assert r.returncode == 0, r.stderr
    assert "interrupted import were removed" in r.stderr
    assert list(songs.iterdir()) == []                 # no file without its row either


def test_keypoints_temps_of_a_dead_process_go_and_a_live_one_s_stay(app_paths) -> None:
    from bachata_desktop.recovery import recover

    poses = app_paths.poses
    poses.mkdir(parents=True, exist_ok=True)
    dead, live = _dead_pid(), os.getpid()
    gone = [poses / f".kp-{dead}-abc.npz", poses / f".pose-{dead}-0123456789abcdef.npz.part"]
    kept = [poses / f".kp-{live}-abc.npz", poses / f".pose-{live}-0123456789abcdef.npz.part",
            poses / "0123456789abcdef.npz", poses / ".kp-notapid.npz"]
    for p in gone + kept:
        p.write_bytes(b"x")
    notes = recover(app_paths.data)
    assert notes == ["2 partial file(s) left by an interrupted pose analysis were removed"]
    assert not any(p.exists() for p in gone) and all(p.exists() for p in kept)
