"""Item 1 and 2 of issue 16: concurrent imports and ``move_label: ".."`` never lose a clip's file.

Real processes on one real library: two ``library import`` runs of the same clips at once, a few
rounds; afterwards every row has its file and a backup of the library restores.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bachata_desktop.core.errors import InputError
from bachata_desktop.core.task import RecordingContext
from bachata_desktop.services.backup import export_library, restore_library
from bachata_desktop.services.library_import import import_clips
from bachata_desktop.store import Store
from tests.conftest import REPO

CLIPS = ("basic/slow_basic3.mp4", "spin/spin2.mp4", "shadow/shadow.mp4", "basic/basic_2.mp4")
ROUNDS = 3


def cli_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(BACHATA_HOME=str(home), PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    return env


def _rows_without_files(home: Path) -> list[str]:
    data = home / "data"
    conn = sqlite3.connect(data / "library.sqlite3")
    try:
        paths = [r[0] for r in conn.execute("SELECT media_path FROM clips")]
    finally:
        conn.close()
    return [p for p in paths if not (data / "media" / p).is_file()]


def test_two_processes_importing_the_same_clips_lose_nothing(shared_clips_dir: Path,
                                                             tmp_path: Path) -> None:
    files = [str(shared_clips_dir / c) for c in CLIPS if (shared_clips_dir / c).is_file()]
    assert len(files) >= 3
    for n in range(ROUNDS):
        home = tmp_path / f"home{n}"
        cmd = [sys.executable, "-m", "bachata_desktop", "library", "import", *files,
               "--no-analyze", "--json"]
        procs = [subprocess.Popen(cmd, env=cli_env(home), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [p.communicate(timeout=300) for p in procs]
        for p, (out, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0, err[-2000:]
            assert "Traceback" not in err and "IntegrityError" not in err
            rep = json.loads(out)
            assert len(rep["imported"]) + len(rep["duplicates"]) == len(files)
        assert _rows_without_files(home) == []
        # every clip was imported exactly once between the two processes
        imported = sum(len(json.loads(o)["imported"]) for o, _ in outs)
        assert imported == len(files)
        from bachata_desktop.paths import app_paths

        paths = app_paths(home)
        store = Store.open(paths)
        try:
            assert store.clips.count() == len(files)
            archive = tmp_path / f"backup{n}.zip"
            export_library(store, archive, RecordingContext())
        finally:
            store.close()
        restore_library(paths, archive, RecordingContext())
        assert _rows_without_files(home) == []


def test_dot_dot_move_label_is_refused_and_nothing_is_imported(store, shared_clips_dir: Path,
                                                                tmp_path: Path) -> None:
    src = tmp_path / "clips"
    (src / "basic").mkdir(parents=True)
    clip = src / "basic" / "a.mp4"
    clip.write_bytes((shared_clips_dir / CLIPS[0]).read_bytes())
    (src / "bachata_annotations.json").write_text(json.dumps({"clips": [
        {"clip_id": "a", "video_path": "basic/a.mp4", "move_label": ".."}]}), "utf-8")
    with pytest.raises(InputError, match="move_label") as err:
        import_clips(store, [src], RecordingContext())
    assert "\n" not in str(err.value)
    assert store.clips.count() == 0
    assert not [p for p in store.paths.data.parent.rglob("*.mp4")]


def test_export_refuses_a_library_whose_clip_file_is_gone(store, shared_clips_dir: Path,
                                                          tmp_path: Path) -> None:
    from bachata_desktop.core.errors import StorageError

    rep = import_clips(store, [shared_clips_dir / CLIPS[0], shared_clips_dir / CLIPS[1]],
                       RecordingContext())
    gone = store.media_file(rep.imported[0].media_path)
    gone.unlink()
    archive = tmp_path / "b.zip"
    with pytest.raises(StorageError, match="missing") as err:
        export_library(store, archive, RecordingContext())
    assert rep.imported[0].name in str(err.value) and "\n" not in str(err.value)
    assert not archive.exists() and not list(tmp_path.glob(".*partial*"))
