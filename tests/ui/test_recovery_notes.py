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
