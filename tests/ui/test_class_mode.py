"""Run-the-class mode on a real plan: a choreography item plays its song with count, moves and
countdown; keys pause, slow down, restart the phrase and step through items; the plans panel opens it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from synth import synth_song  # noqa: E402

from bachata_desktop.core.documents import StoredDocument  # noqa: E402
from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment, SegmentKind  # noqa: E402


@pytest.fixture
def ctx(qtbot, app_paths, tmp_path):
    from bachata_desktop.app import build_context, make_application
    from bachata_desktop.core.task import NullContext
    from bachata_desktop.services.songs import add_song, load_analysis

    make_application([])
    c = build_context(app_paths)
    song_path = synth_song(124, duration=40.0, seed=3).write(tmp_path / "Clase.wav")
    song, _ = add_song(NullContext(), c.store, song_path)
    ones = load_analysis(c.store, song.id).phrases
    slots = [{"start": ones[i], "end": ones[i + 1], "counts": 8, "phrases": [i], "clip_id": i + 1,
              "name": name} for i, name in enumerate(["basic_side", "cross_body_lead", "lady_turn"])]
    doc = c.store.choreographies.save(StoredDocument(None, "Routine", {
        "song": {"id": song.id, "title": "Clase", "path": str(song_path)}, "tempo": 124.0,
        "seed": 0, "slots": slots}, meta={"song_id": song.id}))
    c.test_plan = ClassPlan("Tuesday", segments=(
        Segment(SegmentKind.CHOREOGRAPHY, items=(
            PlanItem(ItemKind.CHOREOGRAPHY, "Routine", 2, ref_id=doc.id),)),
        Segment(SegmentKind.COOLDOWN, items=(PlanItem(ItemKind.EXERCISE, "Stretch", 3),))))
    yield c
    c.jobs.shutdown(20000)
    c.store.close()


@pytest.fixture(autouse=True)
def _close_windows():
    """Class windows delete themselves on close; close any a failing test left open."""
    yield
    from PySide6.QtWidgets import QApplication

    from bachata_desktop.ui.class_mode.window import ClassModeWindow

    for w in QApplication.topLevelWidgets():
        if isinstance(w, ClassModeWindow):
            w.close()


def _key(w, key) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    w.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier))


def test_plan_item_plays_its_choreography_and_keys_drive_it(qtbot, ctx):
    from bachata_desktop.ui.class_mode.window import ClassModeWindow

    w = ClassModeWindow(ctx, ctx.test_plan)
    qtbot.waitUntil(lambda: w.routine is not None, timeout=20_000)
    qtbot.waitUntil(lambda: w.player.position() > 2500, timeout=20_000)
    w.refresh()
    assert w.count.text() in {str(n) for n in range(1, 9)}
    assert w.move.text() in {"Basic side", "Cross body lead", "Lady turn"}
    assert w.item.text() == "Choreography · Routine" and "Then: Stretch" in w.next_item.text()
    assert w.section.text() != ""
    _key(w, Qt.Key.Key_Down)
    assert w.rate == pytest.approx(0.95) and w.player.playbackRate() == pytest.approx(0.95)
    assert "95% speed" in w.status.text()
    _key(w, Qt.Key.Key_Space)
    assert not w.running and w.player.playbackState() != QMediaPlayer.PlaybackState.PlayingState
    frozen = w.plan_elapsed()
    qtbot.wait(200)
    assert w.plan_elapsed() == frozen and "PAUSED" in w.status.text()
    _key(w, Qt.Key.Key_R)
    assert w.player.position() / 1000.0 == pytest.approx(
        w.routine.clock.phrase_start(w.player.position() / 1000.0), abs=0.05)
    _key(w, Qt.Key.Key_N)
    assert w.routine is None and w.item.text() == "Cool-down · Stretch" and w.move.text() == "Stretch"
    _key(w, Qt.Key.Key_C)
    assert w.live.enabled and "count on" in w.status.text()
    with qtbot.waitSignal(w.closed, timeout=5000):
        _key(w, Qt.Key.Key_Escape)


def test_a_missing_choreography_gets_one_line_on_screen(qtbot, ctx):
    from bachata_desktop.ui.class_mode.window import ClassModeWindow

    plan = ClassPlan("Broken", segments=(Segment(SegmentKind.PATTERN, items=(
        PlanItem(ItemKind.CHOREOGRAPHY, "Gone", 5, ref_id=999),)),))
    w = ClassModeWindow(ctx, plan)
    with qtbot.waitSignal(w.routine_failed, timeout=10_000) as sig:
        pass
    assert "999" in sig.args[0] and "\n" not in sig.args[0]
    w.refresh()
    assert w.status.text() == sig.args[0]
    w.close()


def test_plans_panel_runs_the_current_plan(qtbot, ctx):
    from bachata_desktop.services import plans as plan_service
    from bachata_desktop.ui.plans.panel import PlansPanel

    saved = plan_service.save_plan(ctx.store, ctx.test_plan)
    p = PlansPanel(ctx)
    p.reload(select_id=saved.id)
    assert p.current_plan() is not None
    w = p.run_class()
    assert w is not None and w.plan_title == "Tuesday"
    w.close()
    p.shutdown()
    p.deleteLater()
