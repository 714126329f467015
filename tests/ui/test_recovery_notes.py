"""Item 3 of issue 16 in the app: what start-up put right is shown, in a dialog that does not block."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox


def test_recovery_notes_are_shown_without_blocking(qtbot, main_window) -> None:
    from bachata_desktop import recovery
    from bachata_desktop.app import _show_recovery_notes

    recovery.NOTES[:] = ["a restore was interrupted after it had been checked; it was finished"]
    _show_recovery_notes(main_window)
    boxes = [w for w in main_window.findChildren(QMessageBox) if w.isVisible()]
    assert len(boxes) == 1 and not boxes[0].isModal()
    assert "A restore was interrupted" in boxes[0].text()
    assert recovery.NOTES == []          # shown once
    boxes[0].close()
    _show_recovery_notes(main_window)    # nothing new: no dialog
    assert not [w for w in main_window.findChildren(QMessageBox) if w.isVisible()]


def test_a_read_only_library_opens_in_the_app_and_says_so(store, app_paths) -> None:
    from bachata_desktop import recovery
    from bachata_desktop.app import build_context
    from tests.readonly import read_only

    store.close()
    recovery.NOTES.clear()
    with read_only(app_paths.data.parent):
        ctx = build_context(app_paths)
        try:
            assert ctx.store.db.read_only and ctx.store.clips.count() == 0
            assert any("read-only" in n for n in recovery.NOTES), recovery.NOTES
        finally:
            ctx.jobs.shutdown(5000)
            ctx.store.close()
            recovery.NOTES.clear()
