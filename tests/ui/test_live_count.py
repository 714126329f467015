"""The live count: counts played on the grid's beats in step with a real QMediaPlayer, following a
new grid at once, and the count-in before a loop (the player paused, 5 6 7 8, then resumed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

P = 0.5


@pytest.fixture
def media(tmp_path: Path) -> Path:
    import soundfile as sf

    sr = 22050
    t = np.arange(int(12 * sr)) / sr
    path = tmp_path / "tone.wav"
    sf.write(str(path), (0.2 * np.sin(2 * np.pi * 330 * t)).astype(np.float32), sr)
    return path


@pytest.fixture
def player(qtbot, media):
    p = QMediaPlayer()
    out = QAudioOutput()
    p.setAudioOutput(out)
    p.setSource(QUrl.fromLocalFile(str(media)))
    qtbot.waitUntil(lambda: p.mediaStatus() == QMediaPlayer.MediaStatus.LoadedMedia, timeout=10_000)
    yield p
    p.pause()
    p.setSource(QUrl())


def _grid(first_count: int = 1) -> dict:
    times = np.arange(0.25, 12.0, P)
    return {"beats": [{"time": float(t), "count": int((first_count - 1 + i) % 8 + 1)}
                      for i, t in enumerate(times)]}


def test_counts_follow_the_grid_while_playing_and_a_correction_at_once(qtbot, player):
    from bachata_desktop.ui.live_count import LiveCount

    live = LiveCount()
    live.attach(player)
    live.set_grid(_grid(1))
    live.set_enabled(True)
    assert live.sound_for(1) is not None and live.sound_for(1).source().isLocalFile()
    played: list[tuple[float, int]] = []
    live.beat_played.connect(lambda t, c: played.append((t, c)))
    player.play()
    qtbot.waitUntil(lambda: len(played) >= 3, timeout=15_000)
    grid = dict((round(b["time"], 3), b["count"]) for b in _grid(1)["beats"])
    assert all(grid[round(t, 3)] == c for t, c in played)
    assert [t for t, _ in played] == sorted(t for t, _ in played)
    live.set_grid(_grid(5))            # the instructor moved the "1" by four beats
    n = len(played)
    qtbot.waitUntil(lambda: len(played) >= n + 2, timeout=15_000)
    moved = dict((round(b["time"], 3), b["count"]) for b in _grid(5)["beats"])
    assert all(moved[round(t, 3)] == c for t, c in played[n + 1:])
    live.set_enabled(False)
    live.stop()


def test_pre_roll_pauses_counts_five_to_eight_and_resumes(qtbot, player):
    from bachata_desktop.ui.live_count import LiveCount

    live = LiveCount()
    live.attach(player)
    live.set_grid(_grid(1))
    assert not live.pre_roll(0.25)     # off until asked for
    live.set_enabled(True)
    live.pre_roll_enabled = True
    player.play()
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PlayingState,
                    timeout=10_000)
    heard: list[int] = []
    original = live._play
    live._play = lambda c: (heard.append(c), original(c))   # record what it counts, still play it
    with qtbot.waitSignal(live.pre_roll_finished, timeout=10_000):
        assert live.pre_roll(0.25)
        assert player.playbackState() != QMediaPlayer.PlaybackState.PlayingState
    assert heard[:4] == [5, 6, 7, 8]
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PlayingState,
                    timeout=5_000)
    live.stop()


def test_bar_switches_voice_language_click_and_volume(qtbot):
    from bachata_desktop.ui.live_count import LiveCount, LiveCountBar

    live = LiveCount()
    bar = LiveCountBar(live, pre_roll=True)
    qtbot.addWidget(bar)
    bar.toggle.setChecked(True)
    bar.choice.setCurrentIndex(1)
    assert (live.mode, live.lang) == ("voice", "es")
    assert "/es/" in live.sound_for(3).source().toLocalFile().replace("\\", "/")
    bar.choice.setCurrentIndex(3)
    assert live.mode == "click" and "click" in bar.source.text().lower()
    assert live.sound_for(1).source() != live.sound_for(2).source()      # the accented 1
    bar.volume.setValue(30)
    assert live.sound_for(2).volume() == pytest.approx(0.3, abs=0.01)
    bar.choice.setCurrentIndex(2)
    assert live.sound_for(4) is None and live.sound_for(5) is not None   # six steps: taps silent
    bar.pre_roll.setChecked(True)
    assert live.pre_roll_enabled


def test_the_device_check_asks_for_the_shipped_samples_format():
    """The samples are 44.1 kHz (issue 19: some WASAPI outputs refuse 16 kHz) and the device check
    asks the default output about exactly that format."""
    from PySide6.QtMultimedia import QAudioFormat, QMediaDevices

    from bachata_desktop.ui.live_count import device_note, samples_rate

    assert samples_rate() == 44100
    dev = QMediaDevices.defaultAudioOutput()
    fmt = QAudioFormat()
    fmt.setSampleRate(44100)
    fmt.setChannelCount(1)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    expected = ("no audio output device" if dev.isNull() else
                "" if dev.isFormatSupported(fmt) else f"{dev.description()} cannot play the count samples")
    assert device_note() == expected
