"""The wizard inside the real main window: generate, look at the painted timeline, reopen a saved
choreography through the navigator.

Set ``WIZARD_SCREENSHOT=/path/shot.png`` to keep the window's picture; under Xvfb:
``Xvfb :97 -screen 0 1280x800x24 -nolisten tcp &`` then
``DISPLAY=:97 QT_QPA_PLATFORM=xcb WIZARD_SCREENSHOT=/tmp/wizard.png pytest tests/ui/test_wizard_main_window.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from test_wizard import TEMPO, _run_to_result, fill_from_shared_clips, synth_song

from bachata_desktop.ui.wizard.timeline import category_colour


@pytest.fixture(scope="module")
def song_file(tmp_path_factory) -> Path:
    song = synth_song(TEMPO, leading_silence=0.4, pickup_beats=2, duration=75.0, seed=5)
    return song.write(tmp_path_factory.mktemp("songs") / "Bachata de prueba.wav")


def _close(a: QColor, b: QColor, tol: int = 40) -> bool:
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) <= tol


def test_result_timeline_in_the_main_window(qtbot, main_window, song_file, tmp_path):
    ctx = main_window.ctx
    fill_from_shared_clips(ctx.store)
    main_window.resize(1280, 800)
    main_window.show_area("generator")
    panel = main_window.generator
    _song, result = _run_to_result(qtbot, panel, song_file, "sensual routine with body waves")
    ch = result.choreography
    rv = panel.result_view
    rv.select_slot(3)
    qtbot.wait(100)
    assert main_window.current_area() == "generator" and rv.isVisible()
    shot = main_window.grab()
    out = Path(os.environ.get("WIZARD_SCREENSHOT") or tmp_path / "wizard_main_window.png")
    shot.save(str(out))
    # every block is painted in its family's colour where the timeline says it is
    tl = rv.timeline
    img = tl.grab().toImage()
    for i, s in enumerate(ch.slots):
        r = tl.block_rect(i)
        px = img.pixelColor(int(r.left() + 3), int(r.bottom() - 4))
        want = category_colour(s.category)
        assert _close(px, want) or _close(px, want.lighter(118)), (i, s.category, px.name())
    # the slot detail explains the selected move
    assert rv.detail.slot_index == 3 and rv.detail.reasons.rowCount() >= 3
    assert rv.moves.currentRow() == 3


def test_open_choreography_through_the_navigator(qtbot, main_window, song_file):
    from bachata_desktop.services.generate import save_choreography

    ctx = main_window.ctx
    fill_from_shared_clips(ctx.store)
    panel = main_window.generator
    _song, result = _run_to_result(qtbot, panel, song_file)
    doc = save_choreography(ctx.store, result.choreography, "Para el sábado")
    main_window.show_area("library")
    panel.go_to(0)
    ctx.navigator.open_choreography.emit(doc.id)
    assert main_window.current_area() == "generator"
    qtbot.waitUntil(lambda: panel.doc_id == doc.id and panel.current_step() == 2, timeout=120_000)
    assert panel.choreography.clip_ids == result.choreography.clip_ids
    assert panel.result_view.name.text() == "Para el sábado"
