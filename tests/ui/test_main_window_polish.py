"""Main-window polish with the real window, store and clips: it opens on the library, sees a CLI
import made while it is open, imports a folder whose annotations file is kept elsewhere, remembers
the last folder of each file dialog, has a Help menu (shortcuts, guide), and announces a long
job when it ends."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from shared_assets import ANNOTATIONS, CLIPS_DIR, MODELS_DIR, REPO, need

from bachata_desktop.core.clip import AnalysisState, unset_fields


def test_opens_on_the_library_even_if_it_closed_on_the_player(qtbot, app_paths) -> None:
    from bachata_desktop.app import build_context, make_application
    from bachata_desktop.ui.main_window import MainWindow

    make_application([])
    ctx = build_context(app_paths)
    first = MainWindow(ctx)
    qtbot.addWidget(first)
    first.show_area("player")
    first.save_state()
    first.db_watcher.stop()
    again = MainWindow(ctx)
    qtbot.addWidget(again)
    try:
        assert again.current_area() == "library"
        again.show_area("plans")
        again.save_state()
        third = MainWindow(ctx)
        qtbot.addWidget(third)
        assert third.current_area() == "plans"  # other areas are remembered as before
        third.db_watcher.stop()
    finally:
        again.db_watcher.stop()
        ctx.jobs.shutdown(10000)
        ctx.store.close()


def test_a_cli_import_shows_up_in_the_open_window(qtbot, main_window, tmp_path: Path) -> None:
    lib = main_window.library
    lib.auto_analyze = False
    qtbot.waitUntil(lambda: lib.loaded, timeout=20000)
    assert lib.model.rowCount() == 0
    clip = need(CLIPS_DIR / "basic" / "slow_basic3.mp4")
    # the same BACHATA_HOME as the window (set for each test), another process
    env = {**os.environ, "BACHATA_MODELS": str(MODELS_DIR), "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-m", "bachata_desktop", "library", "import",
                          "--no-analyze", "--json", str(clip)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["imported"]
    qtbot.waitUntil(lambda: lib.model.rowCount() == 1, timeout=20000)
    lib.grid.setCurrentIndex(lib.proxy.index(0, 0))
    assert lib.detail.clip is not None and lib.detail.clip.analysis_state is not AnalysisState.DONE
    # analysed by another process too: the card and the editor follow, no restart
    out = subprocess.run([sys.executable, "-m", "bachata_desktop", "library", "analyze"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    qtbot.waitUntil(lambda: lib.detail.clip.analysis_state is AnalysisState.DONE, timeout=20000)
    assert lib.model.clip_at(0).analysis_state is AnalysisState.DONE


def test_import_a_folder_with_an_annotations_file_kept_elsewhere(qtbot, main_window,
                                                                 tmp_path: Path) -> None:
    lib = main_window.library
    lib.auto_analyze = False
    folder = tmp_path / "clips from the course" / "basic"
    folder.mkdir(parents=True)
    shutil.copy(need(CLIPS_DIR / "basic" / "slow_basic3.mp4"), folder / "slow_basic3.mp4")
    notes = tmp_path / "elsewhere" / "bachata_annotations.json"
    notes.parent.mkdir()
    shutil.copy(need(ANNOTATIONS), notes)
    job = main_window.import_with_annotations(str(folder.parent), str(notes))
    assert main_window.current_area() == "library"
    qtbot.waitUntil(lambda: job.state == "finished", timeout=60000)
    clip = main_window.ctx.store.clips.list()[0]
    entry = next(e for e in json.loads(notes.read_text("utf-8"))["clips"]
                 if e["clip_id"] == "slow_basic3")
    assert clip.level.value == {"low": "beginner", "medium": "intermediate", "high": "advanced"}.get(
        entry["difficulty"], entry["difficulty"])
    assert not unset_fields(clip)      # level and energy came from the file kept elsewhere


def test_file_dialogs_start_in_the_last_folder(app_paths, tmp_path: Path) -> None:
    from bachata_desktop.ui.last_folder import last_folder, remember_folder

    assert last_folder(app_paths, "songs") == str(Path.home())
    song = tmp_path / "música" / "song.ogg"
    song.parent.mkdir()
    song.write_bytes(b"x")
    remember_folder(app_paths, "songs", song)
    assert last_folder(app_paths, "songs") == str(song.parent)
    assert last_folder(app_paths, "clips") == str(Path.home())  # per kind
    shutil.rmtree(song.parent)
    assert last_folder(app_paths, "songs", tmp_path) == str(tmp_path)  # gone: the default


def test_help_menu_has_shortcuts_and_a_guide(qtbot, main_window) -> None:
    titles = [a.text() for a in main_window.menuBar().actions()]
    help_menu = main_window.menuBar().actions()[titles.index("&Help")].menu()
    items = [a.text() for a in help_menu.actions() if a.text()]
    assert items[:2] == ["Getting started", "Keyboard shortcuts"] and "About" in items[-1]
    keys = main_window.show_shortcuts()
    text = keys.text.toPlainText()
    assert keys.isVisible() and not keys.isModal()
    for must in ("Ctrl+1", "Library", "Space", "Play / pause", "Ctrl+I", "Import clips", "Del"):
        assert must in text, must
    guide = main_window.show_guide()
    assert "Getting started" in guide.text.toPlainText() and "annotations file" in \
        guide.text.toPlainText()
    keys.close()
    guide.close()


def test_a_long_job_is_announced_when_it_ends(qtbot, main_window) -> None:
    from bachata_desktop.ui.notify import JobNotifier

    notifier = JobNotifier(main_window, main_window.ctx.jobs, long_s=0.0)
    done = main_window.ctx.jobs.submit(lambda _ctx: 42, title="Import 104 clips", pool="io")
    qtbot.waitUntil(lambda: done.state == "finished" and bool(notifier.sent), timeout=10000)
    assert notifier.sent == ["Import 104 clips: done"]
    assert "Import 104 clips: done" in main_window.statusBar().currentMessage()
    quiet = main_window.ctx.jobs.submit(lambda _ctx: 1, title="hidden", pool="io", visible=False)
    qtbot.waitUntil(lambda: quiet.state == "finished", timeout=10000)
    qtbot.waitUntil(lambda: not main_window.ctx.jobs.active(), timeout=10000)
    assert notifier.sent == ["Import 104 clips: done"]  # background chores are not announced
