"""From a generated routine: the practice-track window (its move names called) and run-the-class."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_wizard import _run_to_result, ctx, fill_from_shared_clips, song_file  # noqa: E402, F401


def test_routine_opens_practice_track_and_class_mode(qtbot, ctx, song_file, tmp_path):  # noqa: F811
    from bachata_desktop.ui.wizard.panel import GeneratorPanel

    fill_from_shared_clips(ctx.store)
    panel = GeneratorPanel(ctx)
    qtbot.addWidget(panel)
    _song, result = _run_to_result(qtbot, panel, song_file)
    dlg = panel.practice_track()
    assert dlg is not None and dlg.names.isChecked()
    assert dlg.span.currentText().startswith("The choreography")
    slots = result.choreography.slots
    assert dlg.options().start == pytest.approx(slots[0].start, abs=0.05)
    assert dlg.options().end == pytest.approx(slots[-1].end, abs=0.05)
    dlg.close()
    win = panel.run_class()
    assert win is not None and win.routine is not None
    assert [m.start for m in win.routine.clock.moves] == [s.start for s in result.choreography.slots]
    win.refresh()
    assert win.item.text() == panel.song.info.title
    win.close()
