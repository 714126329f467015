"""Every area of the main window fits a 1280x720 screen (a 13" laptop, a projector), with a
class in the library so that the class pickers and the player's class progress are there."""

from __future__ import annotations

SCREEN_W, SCREEN_H = 1280, 720
TITLE_BAR = 32   # the window manager's frame above the window


def test_every_area_fits_1280x720(qtbot, main_window) -> None:
    from bachata_desktop.services import groups

    g = groups.create_group(main_window.ctx.store, "Thursday beginners with a long name")
    main_window.classes.reload(select_id=g.id)
    main_window.class_hooks.groups_changed()
    for key in main_window.pages:
        main_window.show_area(key)
        qtbot.wait(20)
        hint = main_window.minimumSizeHint()
        assert hint.width() <= SCREEN_W, (key, hint)
        assert hint.height() <= SCREEN_H - TITLE_BAR, (key, hint)
    assert g.id is not None


def test_first_window_fits_the_screen_and_a_tasks_list_the_user_opened_stays_open(
        qtbot, main_window) -> None:
    free = main_window.screen().availableGeometry()
    assert main_window.width() <= max(free.width(), main_window.minimumWidth())
    assert main_window.height() <= max(free.height(), main_window.minimumHeight())
    assert not main_window.jobs_dock.isVisible()      # it never opens by itself
    main_window.jobs_dock.show()                      # one the user opened stays open
    main_window.save_state()
    main_window.jobs_dock.hide()
    main_window._restore_state()
    assert main_window.jobs_dock.isVisible()


def test_library_pickers_shrink_in_a_narrow_window_and_keep_their_full_width(qtbot, main_window):
    from PySide6.QtWidgets import QComboBox

    bar = main_window.library.filters
    combos = bar.findChildren(QComboBox)
    assert len(combos) >= 6
    for combo in combos:
        assert combo.minimumSizeHint().width() < combo.maximumWidth() or combo.maximumWidth() < 120
        assert combo.toolTip()
    assert bar.minimumSizeHint().width() < 900
    main_window.show_area("library")
    bar.window().resize(1920, 1000)
    qtbot.wait(50)
    widest = max(combos, key=lambda c: c.maximumWidth())
    assert widest.width() == widest.maximumWidth()    # room: the full text shows


def test_live_count_bar_says_which_voice_counts_briefly_with_the_detail_in_its_tip(qtbot):
    from bachata_desktop.ui.live_count import LiveCount, LiveCountBar

    bar = LiveCountBar(LiveCount(), pre_roll=True)
    qtbot.addWidget(bar)
    assert bar.source.text() == "Counts: espeak-ng voice"
    assert "espeak-ng" in bar.source.toolTip() and "built-in" in bar.source.toolTip()
    bar.choice.setCurrentIndex(3)
    assert bar.source.text() == "Counts: built-in click" and "accented" in bar.source.toolTip()
    assert bar.volume.minimumWidth() >= 50
    assert bar.minimumSizeHint().width() < 760


def test_songs_view_keeps_the_grid_fixes_on_their_own_row(qtbot, main_window) -> None:
    songs = main_window.songs
    fixes = (songs.earlier_button, songs.later_button, songs.nudge_minus, songs.nudge_plus,
             songs.one_here_button, songs.undo_button, songs.reset_button)
    main_window.show_area("songs")
    songs.stack.setCurrentIndex(1)
    qtbot.wait(20)
    ys = {b.geometry().y() for b in fixes}
    assert len(ys) == 1 and ys != {songs.play_button.geometry().y()}
    assert songs.tap_button.toolTip()
    songs.use_tap_button.setVisible(True)        # shown after a tap: beside "Tap tempo", still fits
    qtbot.wait(20)
    assert songs.use_tap_button.geometry().y() == songs.tap_button.geometry().y()
    assert songs.minimumSizeHint().width() <= 980      # 1073 with it on the row of fixes
    assert songs.list.parentWidget().minimumWidth() >= 170


def test_a_long_song_title_wraps_in_the_generator_instead_of_widening_the_window(qtbot, main_window):
    rv = main_window.generator.result_view
    rv.title.setText("Romeo Santos – Propuesta Indecente (Live at Madison Square Garden, remastered)"
                     " · 130 BPM · 4:12 · 32 moves · seed 12345")
    assert main_window.minimumSizeHint().width() <= SCREEN_W


def test_plan_items_get_the_width_the_number_columns_do_not_need(qtbot, main_window) -> None:
    main_window.resize(SCREEN_W, SCREEN_H - TITLE_BAR)
    main_window.show_area("plans")
    main_window.plans.new_plan(title="Thursday beginners")
    qtbot.wait(50)
    header = main_window.plans.editor.tree.header()
    counts, minutes = header.sectionSize(1), header.sectionSize(2)
    assert counts < 90 and minutes < 90
    assert header.sectionSize(0) > 2 * max(counts, minutes)


def test_the_controls_added_in_parallel_say_what_they_do(qtbot, main_window) -> None:
    from PySide6.QtWidgets import QComboBox

    w = main_window
    rv = w.generator.result_view
    controls = [w.plans.new_button, w.plans.duplicate_button, w.plans.editor.add_segment_button,
                w.plans.editor.remove_button, w.classes.new_button, w.classes.overview.record_button,
                w.classes.overview.status_button, w.classes.overview.export_button,
                w.classes.students.existing_button, w.classes.students.remove_button,
                w.player.transport.speed_label, w.songs.tap_button, rv.back_btn, rv.name, rv.save_btn,
                rv.preset, rv.mirror, rv.export_btn]
    controls += [c for c in w.songs.findChildren(QComboBox) + w.player.findChildren(QComboBox)
                 if c is not None and c.parent() is not None
                 and type(c.parent()).__name__ == "LiveCountBar"]
    assert len(controls) >= 20
    missing = [c.text() if hasattr(c, "text") else type(c).__name__ for c in controls if not c.toolTip()]
    assert missing == []
    assert w.classes.new_button.text() == "New group…"    # it opens a dialog, like "New student…"


def test_a_long_media_name_in_the_player_does_not_widen_the_window(qtbot, main_window) -> None:
    name = "Romeo Santos – Propuesta Indecente (Live at Madison Square Garden, remastered 2024) " * 2
    main_window.player.title.setText(name)
    main_window.show_area("player")
    qtbot.wait(20)
    assert main_window.minimumSizeHint().width() <= SCREEN_W
