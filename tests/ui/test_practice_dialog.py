"""The practice-track window: pick a section, speed and counts, render as a job, see the result or
one clear line; the Songs view opens it with the song's corrected grid and sections."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

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
def stored_song(ctx, tmp_path):
    from bachata_desktop.core.task import NullContext
    from bachata_desktop.services.songs import add_song, load_analysis

    path = synth_song(124, duration=40.0, seed=5).write(tmp_path / "Práctica.wav")
    song, _ = add_song(NullContext(), ctx.store, path)
    return song, load_analysis(ctx.store, song.id)


def test_section_at_three_quarters_renders_with_count_in(qtbot, ctx, stored_song, tmp_path):
    from bachata_desktop.ui.practice_dialog import PracticeSource, PracticeTrackDialog

    song, analysis = stored_song
    src = PracticeSource.from_analysis(song.title, str(ctx.store.media_file(song.path)), analysis)
    dlg = PracticeTrackDialog(ctx, src)
    qtbot.addWidget(dlg)
    dlg.span.setCurrentIndex(2)                     # the second entry after "Whole song": a section
    label, a, b = src.sections[1]
    assert dlg.start.value() == pytest.approx(a, abs=0.05) and not dlg.start.isEnabled()
    assert dlg.options().speed == 0.75 and dlg.options().count_in
    assert "espeak-ng" in dlg.voice.text() or "own voice" in dlg.voice.text()
    out = tmp_path / "section.m4a"
    dlg.export(str(out))
    qtbot.waitUntil(lambda: dlg.report is not None or dlg.status.text().startswith("⚠"),
                    timeout=60_000)
    assert dlg.report is not None, dlg.status.text()
    rep = dlg.report
    assert out.is_file() and rep.count_in_s > 0
    assert rep.duration_s == pytest.approx(round(b - a, 1) / 0.75 + rep.count_in_s, abs=0.2)
    assert "Saved section.m4a" in dlg.status.text() and dlg.save_button.isEnabled()


def test_a_broken_song_file_gets_one_line(qtbot, ctx, tmp_path):
    from bachata_desktop.ui.practice_dialog import PracticeSource, PracticeTrackDialog

    bad = tmp_path / "broken.mp3"
    bad.write_bytes(b"\x00not audio" * 300)
    src = PracticeSource("Broken", str(bad), [0.5 * i for i in range(40)],
                         [i % 8 + 1 for i in range(40)], 20.0)
    dlg = PracticeTrackDialog(ctx, src)
    qtbot.addWidget(dlg)
    dlg.export(str(tmp_path / "x.m4a"))
    qtbot.waitUntil(lambda: dlg.status.text().startswith("⚠"), timeout=30_000)
    assert "broken.mp3" in dlg.status.text() and "\n" not in dlg.status.text()
    assert not (tmp_path / "x.m4a").exists()


def test_songs_view_opens_it_with_the_sections(qtbot, ctx, stored_song):
    from bachata_desktop.ui.songs.panel import SongsPanel

    song, analysis = stored_song
    panel = SongsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show_song(song)
    dlg = panel.open_practice_track()
    assert dlg is not None and dlg.span.count() == 2 + len(analysis.sections)
    assert dlg.source.duration == pytest.approx(analysis.duration)
    dlg.close()
    panel.shutdown()


def test_player_offers_its_ab_loop_first(qtbot, ctx, stored_song):
    from bachata_desktop.core.loop import LoopRegion
    from bachata_desktop.ui.player.panel import PlayerPanel

    song, analysis = stored_song
    player = PlayerPanel(ctx)
    qtbot.addWidget(player)
    player.autoplay = False
    with qtbot.waitSignal(player.media_loaded, timeout=20_000):
        player.open_media(str(ctx.store.media_file(song.path)), analysis)
    player.set_loop(LoopRegion(4.0, 12.0))
    dlg = player.practice_track()
    assert dlg is not None and dlg.span.currentText().startswith("A-B loop")
    opts = dlg.options()
    assert (opts.start, opts.end) == (pytest.approx(4.0), pytest.approx(12.0))
    dlg.close()
    player.pause()
