"""The Songs view: drop a song, the analysis job runs, the grid appears, counts follow playback,
keys correct the grid and the corrections are saved."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from drop_files import drop_files
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from synth import synth_song  # noqa: E402


@pytest.fixture
def ctx(qtbot, app_paths):
    from bachata_desktop.app import build_context, make_application

    make_application([])
    c = build_context(app_paths)
    yield c
    c.jobs.shutdown(20000)
    c.store.close()


@pytest.fixture
def panel(qtbot, ctx):
    from bachata_desktop.ui.songs.panel import SongsPanel

    w = SongsPanel(ctx)
    w.resize(1100, 520)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.shutdown()


@pytest.fixture(scope="module")
def song_file(tmp_path_factory) -> tuple[Path, object]:
    song = synth_song(124, leading_silence=0.5, pickup_beats=2, duration=40.0, seed=21)
    folder = tmp_path_factory.mktemp("songs")
    return song.write(folder / "Mi canción.wav"), song


def _load(qtbot, panel, song_file):
    path, _ = song_file
    with qtbot.waitSignal(panel.import_finished, timeout=120_000) as blocker:
        drop_files(panel, [path])
    qtbot.waitUntil(lambda: panel.waveform.peaks is not None, timeout=30_000)
    return blocker.args[0]


def test_drop_runs_the_analysis_job_and_shows_the_grid(qtbot, panel, ctx, song_file, tmp_path) -> None:
    result = _load(qtbot, panel, song_file)
    _, truth = song_file
    assert len(result.songs) == 1 and not result.errors
    assert panel.model.rowCount() == 1
    assert "BPM" in panel.model.data(panel.model.index(0)) and "analysed" in panel.model.data(panel.model.index(0))
    a = panel.analysis
    assert a is not None and abs(a.tempo_bpm - 124) < 2.5
    assert panel.waveform.analysis is a and len(a.beats) > 60
    assert abs(a.phrases[0] - truth.ones[0]) < 0.07
    assert panel.stack.currentIndex() == 1 and "124" in panel.info.text()
    shot = panel.grab()
    assert not shot.isNull()
    shot.save(str(tmp_path / "songs_panel.png"))
    # the same song again is recognised by its content, not analysed twice
    with qtbot.waitSignal(panel.import_finished, timeout=60_000) as again:
        ctx.navigator.import_songs.emit([str(song_file[0])])
    assert again.args[0].cached == 1 and panel.model.rowCount() == 1


def test_count_display_follows_playback(qtbot, panel, song_file) -> None:
    _load(qtbot, panel, song_file)
    panel.seek(3.0)
    qtbot.waitUntil(panel.is_playing, timeout=15_000)
    qtbot.waitUntil(lambda: panel.position() > 4.0, timeout=20_000)
    seen = set()
    for _ in range(12):
        qtbot.wait(70)
        shown = panel.waveform.position           # where the last 25 ms tick put the playhead
        assert panel.counts.count == panel.analysis.count_at(shown)
        assert abs(shown - panel.position()) < 0.5  # the playhead keeps up with the player
        seen.add(panel.counts.count)
    assert len(seen) >= 2            # the lit count moved on with the music
    qtbot.keyClick(panel.list, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not panel.is_playing(), timeout=5_000)


def test_keys_correct_the_grid_and_save_it(qtbot, panel, ctx, song_file) -> None:
    _load(qtbot, panel, song_file)
    sid = int(panel.song.id)
    first = panel.analysis.phrases[0]
    period = panel.analysis.beat_period
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Right)
    assert panel.correction.one_shift == 1
    assert panel.analysis.phrases[0] == pytest.approx(first + period, abs=0.03)
    qtbot.keyClick(panel.list, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert panel.correction.offset_s == pytest.approx(-0.01)
    qtbot.waitUntil(lambda: ctx.store.songs.corrections(sid).get("offset_s") == pytest.approx(-0.01),
                    timeout=10_000)
    assert ctx.store.songs.corrections(sid)["one_shift"] == 1
    for _ in range(5):
        qtbot.keyClick(panel.list, Qt.Key.Key_T)
        qtbot.wait(450)
    # a tapped tempo is only a hint: nothing changes until the instructor confirms it
    assert panel.correction.tempo_bpm is None and panel.pending_bpm is not None
    assert "BPM" in panel.status.text() and panel.use_tap_button.isVisible()
    panel.reset_corrections()
    qtbot.waitUntil(lambda: ctx.store.songs.corrections(sid).get("one_shift") == 0, timeout=10_000)
    assert panel.analysis.phrases[0] == pytest.approx(first)


def test_tap_tempo_from_taps() -> None:
    from bachata_desktop.ui.songs.panel import TapTempo

    t = TapTempo()
    assert [t.tap(now=i * 0.5) for i in range(3)] == [None, None, None]
    assert t.tap(now=1.5) == 120.0
    assert t.tap(now=10.0) is None        # a pause starts a new tap sequence


def test_bad_file_drop_says_why(qtbot, panel, tmp_path) -> None:
    fake = tmp_path / "lesson notes.mp3"
    fake.write_text("not a song\n" * 100)
    drop_files(panel, [fake])
    qtbot.waitUntil(lambda: "not a readable audio file" in panel.status.text(), timeout=30_000)
    assert panel.model.rowCount() == 0
    drop_files(panel, [tmp_path / "plan.txt"])
    assert "Not an audio file" in panel.status.text()


def test_songs_dropped_on_the_window_land_in_the_songs_view(qtbot, main_window, song_file) -> None:
    panel = main_window.songs
    with qtbot.waitSignal(panel.import_finished, timeout=120_000):
        main_window.handle_paths([song_file[0]])
    assert main_window.current_area() == "songs"
    assert panel.model.rowCount() == 1 and panel.analysis is not None


def test_open_in_player_hands_over_song_and_grid(qtbot, panel, ctx, song_file) -> None:
    _load(qtbot, panel, song_file)
    with qtbot.waitSignal(ctx.navigator.open_media, timeout=2000) as sig:
        panel.practise_button.click()
    path, grid = sig.args
    assert Path(path).exists() and Path(path).read_bytes() == song_file[0].read_bytes()
    assert grid is panel.analysis and grid.count_at(grid.phrases[1]) == 1


def test_a_song_analysed_by_an_older_version_is_analysed_again_when_shown(qtbot, panel, ctx,
                                                                        song_file) -> None:
    from bachata_desktop.services import songs as song_service

    _load(qtbot, panel, song_file)
    sid = int(panel.song.id)
    old = ctx.store.songs.analysis(sid)
    old.pop("grid_rules")
    ctx.store.songs.set_analysis(sid, old)
    panel.song = None                                   # as on the next start
    with qtbot.waitSignal(panel.import_finished, timeout=120_000) as done:
        panel.show_song(ctx.store.songs.get(sid))
        assert panel.analysis is None and "older version" in panel.status.text()
    assert done.args[0].analysed == 1
    assert not song_service.is_outdated(ctx.store, sid)
    assert panel.analysis is not None and abs(panel.analysis.tempo_bpm - 124) < 2.5


def test_one_here_tap_hint_confidence_and_undo(qtbot, panel, ctx, song_file) -> None:
    _load(qtbot, panel, song_file)
    sid = int(panel.song.id)
    a0 = panel.analysis
    assert "The 1:" in panel.info.text()              # the confidence of the "1" is shown
    # "this beat is a 1 from here" on the 3rd beat of the second phrase
    t = a0.phrases[1] + 2 * a0.beat_period + 0.02
    panel.seek(t)
    qtbot.waitUntil(lambda: abs(panel.position() - t) < 0.05, timeout=5_000)
    panel.one_here_button.click()
    assert panel.analysis.count_at(t) == 1
    assert panel.analysis.count_at(a0.phrases[0] + 0.01) == 1          # before the fix: unchanged
    assert "a 1 from" in panel.info.text() and panel.undo_button.isEnabled()
    qtbot.waitUntil(lambda: bool(ctx.store.songs.corrections(sid).get("ones_from")), timeout=10_000)
    panel.undo_button.click()
    assert panel.analysis.count_at(t) == a0.count_at(t) and not panel.correction.ones_from
    # tap 1.5 % fast, confirm: the beats are tracked again near that tempo, on the music
    true_bpm = a0.tempo_bpm
    panel.pending_bpm = round(true_bpm * 1.015, 1)
    panel.use_tap_button.setVisible(True)
    panel.use_tap_button.click()
    qtbot.waitUntil(lambda: panel.correction.tempo_hint_bpm is not None, timeout=60_000)
    assert abs(panel.analysis.tempo_bpm - true_bpm) / true_bpm < 0.01
    assert abs(panel.analysis.beat_times[-1] - a0.beat_times[-1]) < 0.07
    assert "tracked near" in panel.info.text()
    panel.undo_button.click()                            # back to the detected grid
    qtbot.waitUntil(lambda: panel.correction.tempo_hint_bpm is None, timeout=60_000)
    assert ctx.store.songs.corrections(sid).get("tempo_hint_bpm") is None
    assert len(panel.analysis.beats) == len(a0.beats)


def test_confidence_line_says_when_the_music_is_not_in_four() -> None:
    """A waltz's 8-count grid is laid over bars of three: the Songs view says so instead of a "sure"."""
    import numpy as np

    from bachata_desktop.core.song import Section, SectionLabel, SongAnalysis, build_grid
    from bachata_desktop.ui.songs.panel import confidence_text

    times = np.arange(48) * 0.5
    beats, downbeats, phrases = build_grid(times, np.arange(48) % 8 + 1)
    a = SongAnalysis(duration=24.0, tempo_bpm=120.0, beats=beats, downbeats=downbeats, phrases=phrases,
                     sections=(Section(0.0, 24.0, SectionLabel.VERSE, 0.5, 0.2),),
                     energy=tuple(0.5 for _ in phrases), embedding=np.zeros(128), one_confidence=0.9, meter=3)
    text = confidence_text(a)
    assert text.startswith("Not in 4/4 (3 beats to the bar)") and "guess" in text and "sure (" not in text
