"""Class progress in the library (filter, badges, context menu), clip editor and player."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMenu

from bachata_desktop.core.clip import AnalysisState, Clip, Level
from bachata_desktop.core.groups import Status
from bachata_desktop.services import groups as group_service
from bachata_desktop.ui.groups.models import STATUS_COLORS


@pytest.fixture
def window(qtbot, app_paths):
    from bachata_desktop.app import build_context, make_application
    from bachata_desktop.ui.main_window import MainWindow

    make_application([])
    ctx = build_context(app_paths)
    ids = {}
    for i, (name, cat) in enumerate([("basic_side", "basic"), ("ladyturn_left", "ladyturn"),
                                     ("spin", "spin"), ("cross_body_lead", "cross_body_lead")]):
        ids[name] = ctx.store.clips.add(Clip(None, f"k{i}", name, cat, f"{i}.mp4", f"h{i}",
                                             level=Level.BEGINNER,
                                             analysis_state=AnalysisState.DONE)).id
    g = group_service.create_group(ctx.store, "Tuesday beginners")
    group_service.record_session(ctx.store, g.id, "2026-01-06", clip_ids=[ids["basic_side"]])
    w = MainWindow(ctx)
    w.library.auto_analyze = False
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitUntil(lambda: w.library.model.rowCount() == 4, timeout=20000)
    yield w, ids, g
    ctx.jobs.shutdown(10000)
    ctx.store.close()


def test_library_filter_and_badges_follow_a_class(qtbot, window) -> None:
    w, ids, g = window
    lib, hooks = w.library, w.class_hooks.library_filter
    assert hooks.class_combo.isVisibleTo(lib) and hooks.class_combo.itemText(1) == "Tuesday beginners"
    assert hooks.badge_of(ids["spin"]) is None                # no class chosen: no badges
    hooks.set_class(g.id, "not_taught")
    assert lib.proxy.rowCount() == 3
    assert ids["basic_side"] not in lib.proxy.visible_ids()
    assert hooks.badge_of(ids["basic_side"]) == ("Taught", STATUS_COLORS[Status.TAUGHT])
    assert hooks.badge_of(ids["spin"])[0] == "Not yet taught"
    hooks.mode_combo.setCurrentIndex(hooks.mode_combo.findData("all"))
    assert lib.proxy.rowCount() == 4
    img = lib.grid.grab().toImage()          # the badge is painted on the card
    want = QColor(STATUS_COLORS[Status.TAUGHT]).rgb()
    assert any(img.pixel(x, y) == want for x in range(0, img.width(), 2) for y in range(0, img.height(), 2))


def test_status_from_the_library_context_menu(qtbot, window) -> None:
    w, ids, g = window
    hooks = w.class_hooks.library_filter
    hooks.set_class(g.id, "not_taught")
    menu = QMenu()
    hooks.extend_menu(menu, [ids["spin"], ids["ladyturn_left"]])
    sub = next(a.menu() for a in menu.actions() if a.text() == "Class progress")
    group_menu = next(a.menu() for a in sub.actions() if a.text() == "Tuesday beginners")
    next(a for a in group_menu.actions() if a.text() == "Practising").trigger()
    progress = w.ctx.store.groups.progress(g.id)
    assert progress[ids["spin"]].status is Status.PRACTISING
    assert progress[ids["ladyturn_left"]].status is Status.PRACTISING
    assert w.library.proxy.rowCount() == 1                  # only the cross body lead is left


def test_prerequisites_in_the_clip_editor(qtbot, window) -> None:
    w, ids, _g = window
    box = w.class_hooks.prerequisites
    assert w.library.select_clip(ids["spin"])
    assert box.isVisibleTo(w.library) and box.clip.id == ids["spin"]
    assert box.label.text() == "Needs Lady turn (defaults for Spin)"
    assert not box.reset_button.isEnabled()
    box.save(("family:basic", f"clip:{ids['cross_body_lead']}"))
    assert box.label.text() == "Needs Basic, Cross body lead"
    assert w.ctx.store.groups.prerequisites()[ids["spin"]] == ("family:basic", f"clip:{ids['cross_body_lead']}")
    box.save((f"clip:{ids['spin']}",))                      # refused with a message, nothing lost
    assert w.ctx.store.groups.prerequisites()[ids["spin"]] == ("family:basic", f"clip:{ids['cross_body_lead']}")
    box.reset()
    assert "defaults" in box.label.text() and ids["spin"] not in w.ctx.store.groups.prerequisites()


def test_status_from_the_player(qtbot, window) -> None:
    w, ids, g = window
    w.player.open_clip(ids["ladyturn_left"])
    w.class_hooks._on_player_media_loaded(1.0)
    box = w.class_hooks.player_box
    assert box.clip_id == ids["ladyturn_left"] and box.group_combo.currentData() == g.id
    assert box.status_combo.currentText() == "Not taught yet"
    box.status_combo.setCurrentIndex(box.status_combo.findData("known"))
    assert w.ctx.store.groups.progress(g.id)[ids["ladyturn_left"]].status is Status.KNOWN
    assert w.class_hooks.library_filter.statuses == {}     # no class chosen in the library
    w.class_hooks.library_filter.set_class(g.id)
    assert w.class_hooks.library_filter.statuses[ids["ladyturn_left"]] is Status.KNOWN
    other = group_service.create_group(w.ctx.store, "Privates")
    w.class_hooks.groups_changed()
    w.class_hooks.library_filter.set_class(other.id)
    w.class_hooks._on_player_media_loaded(1.0)         # the player follows the library's class
    assert box.group_combo.currentData() == other.id and box.status_combo.currentText() == "Not taught yet"
