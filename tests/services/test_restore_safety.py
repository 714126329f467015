"""Items 3, 4, 11, 12 and 13 of issue 16 for library backups and the library folder.

Real processes are killed (SIGKILL) at the exact step under test (an audit hook in the child
fires on the rename or copy in question); the next start finishes or undoes the restore and says
so. A generated corpus of hostile backups is refused in one line with the library unchanged.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bachata_desktop.core.errors import InputError, StorageError
from bachata_desktop.core.task import RecordingContext
from bachata_desktop.services.backup import export_library, restore_library
from bachata_desktop.services.library_import import import_clips
from tests.conftest import REPO
from tests.library_state import data_fingerprint
from tests.readonly import read_only
from tests.services.hostile_archives import BACKUP_CASES, write_backup_case

CLIPS = ("basic/slow_basic3.mp4", "spin/spin2.mp4")
PROGRESS = re.compile(r"^[\w -]+: +\d+\.\d% ")


def messages(stderr: str) -> list[str]:
    """stderr without the progress lines long work prints (``restore:   0.0% checking ...``)."""
    return [ln for ln in stderr.strip().splitlines() if not PROGRESS.match(ln)]

_KILL_AT = """
import os, signal, sys
when, needle = sys.argv[1], sys.argv[2]
def hook(event, args):
    if event == when and needle in str(args[0] if event == "open" else args[0]) + "|" + (
            str(args[1]) if event == "os.rename" else ""):
        os.kill(os.getpid(), signal.SIGKILL)
sys.addaudithook(hook)
from bachata_desktop.__main__ import main
sys.exit(main(sys.argv[3:]))
"""


def _run(args: list[str], home: Path, kill_at: tuple[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BACHATA_HOME": str(home), "PYTHONPATH": str(REPO)}
    if kill_at is None:
        cmd = [sys.executable, "-m", "bachata_desktop", *args]
    else:
        cmd = [sys.executable, "-c", _KILL_AT, *kill_at, *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def backup(store, shared_clips_dir: Path, tmp_path: Path) -> Path:
    import_clips(store, [shared_clips_dir / c for c in CLIPS], RecordingContext())
    out = tmp_path / "backup.zip"
    export_library(store, out, RecordingContext())
    return out


def _clip_names(home: Path) -> list[str]:
    r = _run(["library", "list", "--json"], home)
    assert r.returncode == 0, r.stderr
    return sorted(c["name"] for c in json.loads(r.stdout))


def test_restore_killed_between_its_renames_is_finished_at_next_start(store, backup: Path,
                                                                      tmp_path: Path) -> None:
    home = store.paths.data.parent
    store.clips.delete(store.clips.list()[0].id)   # the live library differs from the backup
    store.close()
    # killed at the second rename: data/ already moved aside, the staging not yet in place
    r = _run(["library", "restore", str(backup)], home, kill_at=("os.rename", "-restore-"))
    assert r.returncode == -signal.SIGKILL
    assert not (home / "data").exists()
    assert list(home.glob(".data-old-*")) and list(home.glob(".data-restore-*"))
    r = _run(["library", "list", "--json"], home)
    assert r.returncode == 0, r.stderr
    assert "restore was interrupted" in r.stderr and "finished" in r.stderr
    assert len(json.loads(r.stdout)) == len(CLIPS)          # the restored library, all of it
    assert not [p for p in home.iterdir() if p.name.startswith(".data-")]


def test_restore_killed_while_extracting_leaves_the_library_and_is_cleaned(store, backup: Path,
                                                                           tmp_path: Path) -> None:
    home = store.paths.data.parent
    before = data_fingerprint(store.paths.data)
    store.close()
    r = _run(["library", "restore", str(backup)], home, kill_at=("open", "/media/"))
    assert r.returncode == -signal.SIGKILL
    assert list(home.glob(".data-restore-*"))              # what the kill left
    r = _run(["library", "list", "--json"], home)
    assert r.returncode == 0 and "unfinished restore" in r.stderr, r.stderr
    assert not list(home.glob(".data-restore-*"))
    assert data_fingerprint(home / "data") == before


def test_import_killed_mid_copy_leaves_no_part_file_after_next_start(shared_clips_dir: Path,
                                                                      tmp_path: Path) -> None:
    home = tmp_path / "home"
    r = _run(["library", "import", str(shared_clips_dir / CLIPS[0]), "--no-analyze"], home,
             kill_at=("os.rename", ".import-"))
    assert r.returncode == -signal.SIGKILL
    assert list((home / "data" / "media").rglob(".import-*.part"))
    assert _clip_names(home) == []
    assert not list((home / "data" / "media").rglob("*.part"))


def test_a_live_import_s_part_file_is_left_alone(app_paths) -> None:
    from bachata_desktop.recovery import recover

    part = app_paths.media / "basic" / f".import-{os.getpid()}-x.part"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"in progress")
    assert recover(app_paths.data) == [] and part.exists()


@pytest.mark.parametrize("case", list(BACKUP_CASES))
def test_hostile_backup_is_refused_and_changes_nothing(case: str, store, backup: Path,
                                                       tmp_path: Path) -> None:
    bad = write_backup_case(backup, tmp_path / "bad.zip", case)
    before = data_fingerprint(store.paths.data)
    with pytest.raises(InputError) as err:
        restore_library(store, bad, RecordingContext())
    assert BACKUP_CASES[case][1] in str(err.value) and "\n" not in str(err.value)
    store.close()
    assert data_fingerprint(store.paths.data) == before
    assert not [p for p in store.paths.data.parent.iterdir() if p.name.startswith(".data-")]


def test_a_backup_s_trigger_never_runs(store, backup: Path, tmp_path: Path,
                                       shared_clips_dir: Path) -> None:
    """The reported attack: a trigger deleting other clips on insert, then an import."""
    bad = write_backup_case(backup, tmp_path / "trigger.zip", "trigger")
    with pytest.raises(InputError):
        restore_library(store, bad, RecordingContext())
    import_clips(store, [shared_clips_dir / "shadow" / "shadow.mp4"], RecordingContext())
    assert store.clips.count() == len(CLIPS) + 1


def test_restore_into_a_read_only_library_says_so(store, backup: Path, tmp_path: Path) -> None:
    home = store.paths.data.parent
    store.close()
    before = data_fingerprint(home / "data")
    with read_only(home):
        with pytest.raises(StorageError, match="read-only") as err:
            restore_library(store.paths, backup, RecordingContext())
        assert "\n" not in str(err.value)
        r = _run(["library", "restore", str(backup)], home)
        assert r.returncode == 2 and "read-only" in r.stderr
        assert len(messages(r.stderr)) == 1, r.stderr
    assert data_fingerprint(home / "data") == before


def test_healthy_read_only_library_opens_read_only(store, backup: Path, tmp_path: Path) -> None:
    home = store.paths.data.parent
    n = store.clips.count()
    store.close()   # clean shutdown: no -wal / -shm left
    assert not list((home / "data").glob("*-wal"))
    with read_only(home):
        r = _run(["library", "list", "--json"], home)
        assert r.returncode == 0, r.stderr
        assert len(json.loads(r.stdout)) == n and "read-only" in r.stderr
        r = _run(["library", "import", str(backup)], home)   # any write: one clear line
        assert r.returncode == 2 and "read-only" in r.stderr, r.stderr


def test_home_under_a_read_only_parent_is_one_line(tmp_path: Path) -> None:
    parent = tmp_path / "locked"
    parent.mkdir()
    with read_only(parent):
        r = _run(["library", "list"], parent / "missing-home")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "cannot create" in r.stderr, r.stderr


def test_a_restore_running_in_a_live_process_is_left_alone(tmp_path: Path) -> None:
    from bachata_desktop.recovery import RESTORE_MARK, recover, restore_staging_name

    data = tmp_path / "home" / "data"
    staging = restore_staging_name(data, os.getpid(), "live")
    staging.mkdir(parents=True)
    (staging / RESTORE_MARK).touch()
    assert recover(data) == [] and staging.is_dir() and not data.exists()
