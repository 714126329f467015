"""The main window opens offscreen, dispatches drops by file type and remembers its state."""

from __future__ import annotations

from pathlib import Path

from drop_files import drop_files
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox


def test_window_has_four_areas_and_player(main_window) -> None:
    labels = [main_window.nav.item(i).text() for i in range(main_window.nav.count())]
    assert any("Library" in t for t in labels) and any("Songs" in t for t in labels)
    assert any("Generator" in t for t in labels) and any("Class plans" in t for t in labels)
    assert any("Player" in t for t in labels)
    main_window.show_area("plans")
    assert main_window.stack.currentWidget() is main_window.plans
    assert main_window.windowTitle() == "Bachata Buddy"


def test_drop_videos_and_folders_go_to_library(qtbot, main_window, tmp_path: Path) -> None:
    clip = tmp_path / "vuelta ñ.mp4"
    clip.write_bytes(b"\0")
    folder = tmp_path / "moves"
    folder.mkdir()
    main_window.show_area("songs")
    with qtbot.waitSignal(main_window.ctx.navigator.import_clips, timeout=2000) as sig:
        drop_files(main_window, [clip, folder])
    assert sig.args[0] == [str(clip), str(folder)]
    assert main_window.current_area() == "library"


def test_drop_audio_goes_to_songs(qtbot, main_window, tmp_path: Path) -> None:
    song = tmp_path / "song.m4a"
    song.write_bytes(b"\0")
    with qtbot.waitSignal(main_window.ctx.navigator.import_songs, timeout=2000) as sig:
        drop_files(main_window, [song])
    assert sig.args[0] == [str(song)]
    assert main_window.current_area() == "songs"


def test_drop_of_unknown_file_is_refused_with_message(qtbot, main_window, tmp_path: Path,
                                                      monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: shown.append(text))
    doc = tmp_path / "notes.docx"
    doc.write_bytes(b"PK")
    with qtbot.waitSignal(main_window.drop_rejected, timeout=2000) as sig:
        drop_files(main_window, [doc])
    assert "notes.docx" in sig.args[0] and "Not a video, audio or plan file" in sig.args[0]
    assert shown and "notes.docx" in shown[0]
    assert "notes.docx" in main_window.statusBar().currentMessage()


def test_mixed_drop_imports_good_and_reports_bad(qtbot, main_window, tmp_path: Path,
                                                 monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    clip, junk = tmp_path / "a.mov", tmp_path / "b.exe"
    clip.write_bytes(b"\0")
    junk.write_bytes(b"\0")
    with qtbot.waitSignal(main_window.ctx.navigator.import_clips, timeout=2000):
        drop_files(main_window, [clip, junk])
    assert "b.exe" in main_window.statusBar().currentMessage()


def test_window_state_is_saved_and_restored(qtbot, main_window) -> None:
    from bachata_desktop.ui.main_window import MainWindow

    main_window.show_area("plans")
    main_window.resize(1100, 700)
    main_window.close()
    again = MainWindow(main_window.ctx)
    qtbot.addWidget(again)
    assert again.current_area() == "plans"
    # the offscreen screen is small, so Qt may clamp the width; the saved height comes back as is
    assert again.size().height() == 700
    assert again.size().width() != 1280


def test_jobs_show_in_status_bar_and_dock(qtbot, main_window) -> None:
    import threading

    from bachata_desktop.core.task import check_cancelled

    gate = threading.Event()

    def work(ctx):
        ctx.report(0.5, "half way")
        while not gate.is_set():
            check_cancelled(ctx)
            gate.wait(0.01)

    job = main_window.ctx.jobs.submit(work, title="Analysing clips")
    qtbot.waitUntil(lambda: "Analysing clips" in main_window.jobs_button.text(), timeout=3000)
    # work starting does not open the dock (the layout would jump); the button shows it and opens it
    central = main_window.centralWidget().geometry()
    assert not main_window.jobs_dock.isVisible()
    assert main_window.centralWidget().geometry() == central
    qtbot.mouseClick(main_window.jobs_button, Qt.MouseButton.LeftButton)
    assert main_window.jobs_dock.isVisible()
    row = main_window.jobs_panel.rows[job.id]
    with qtbot.waitSignal(job.signals.cancelled, timeout=5000):
        row.cancel.click()
    qtbot.waitUntil(lambda: main_window.jobs_button.text() == "Ready", timeout=3000)
    gate.set()
    assert main_window.jobs_dock.isVisible()  # opened by the instructor: stays until closed


def test_about_dialog_lists_versions_and_data_locations(main_window) -> None:
    from bachata_desktop.ui.about import about_html

    html = about_html(main_window.ctx.paths)
    assert str(main_window.ctx.paths.data) in html
    assert "openvino" in html and "tokenizers" in html and "PySide6" in html


def test_gemini_key_goes_to_the_keychain_only(qtbot, main_window, monkeypatch, app_paths) -> None:
    """The key typed in Settings reaches the OS keyring (an in-memory one here), no file."""
    import keyring
    from keyring.backend import KeyringBackend
    from PySide6.QtWidgets import QInputDialog

    from bachata_desktop.analysis.llm import gemini

    class MemoryKeyring(KeyringBackend):
        priority = 1
        store: dict = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    try:
        secret = "AIza-test-secret-123"
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (secret, True))
        main_window.action_gemini_key.trigger()
        qtbot.waitUntil(lambda: gemini.get_api_key() == secret, timeout=5000)
        qtbot.waitUntil(lambda: "keychain" in main_window.statusBar().currentMessage(), timeout=5000)
        for f in app_paths.data.parent.rglob("*"):
            if f.is_file():
                assert secret.encode() not in f.read_bytes(), f"key written to {f}"
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", True))
        main_window.action_gemini_key.trigger()
        qtbot.waitUntil(lambda: gemini.get_api_key() is None, timeout=5000)
    finally:
        keyring.set_keyring(previous)
