"""Hear the grid while working: the count (voice or click) played live on the beats of a media player.

:class:`LiveCount` follows a ``QMediaPlayer``: it keeps a position estimate (the player's last
reported position plus the time since, times the rate) and arms one precise single-shot timer for
the next beat of the grid, then plays that count's ``QSoundEffect``. The sounds are the short WAV
samples shipped in ``data/counts`` (loaded once; Qt decodes them on its own thread): the GUI thread
only starts sounds, it decodes nothing. A new grid (a correction) takes effect at the next beat.

:meth:`LiveCount.pre_roll` counts "5 6 7 8" (the four counts before the loop start) at the
player's speed while the player waits, then resumes it: the player's count-in before each loop.
:class:`LiveCountBar` is the toggle + voice + volume widget the Songs view and the player show.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QMediaPlayer, QSoundEffect
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QWidget,
)

from bachata_desktop.core.count_cues import SIX_STEPS, local_period
from bachata_desktop.paths import data_resource

# (label, mode, lang)
CHOICES = (("Voice (English)", "voice", "en"), ("Voz (español)", "voice", "es"),
           ("Voice, six steps", "six", "en"), ("Click (accented 1)", "click", "en"))
VOICE_LABEL = "Counts: espeak-ng voice"
VOICE_DETAIL = "The counts are built-in samples, generated with espeak-ng"
CLICK_LABEL = "Counts: built-in click"
EARLY_S = 0.004        # fire this much before the beat (timer wake-up and audio start latency)
LATE_S = 0.060         # a beat found later than this after its time is skipped, not played late


def device_note() -> str:
    """Why the count may stay silent on this machine ("" when the samples' format plays)."""
    from PySide6.QtMultimedia import QAudioFormat, QMediaDevices

    dev = QMediaDevices.defaultAudioOutput()
    if dev.isNull():
        return "no audio output device"
    fmt = QAudioFormat()
    fmt.setSampleRate(samples_rate())   # the shipped samples: 44.1 kHz mono 16-bit
    fmt.setChannelCount(1)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    return "" if dev.isFormatSupported(fmt) else f"{dev.description()} cannot play the count samples"


def samples_rate() -> int:
    """The sample rate of the shipped count samples (read from one, so the check follows them)."""
    import wave

    with wave.open(str(data_resource("counts") / "click.wav"), "rb") as w:
        return int(w.getframerate())


def grid_of(obj: Any) -> tuple[list[float], list[int]]:
    """(times, counts) of a SongAnalysis, a core.loop.BeatGrid, a dict with ``beats``, or None."""
    if obj is None:
        return [], []
    beats = getattr(obj, "beats", None)
    if beats is not None and not isinstance(obj, dict):
        return [float(b.time) for b in beats], [int(b.count) for b in beats]
    if hasattr(obj, "times") and hasattr(obj, "counts"):
        return [float(t) for t in obj.times], [int(c) for c in obj.counts]
    if isinstance(obj, dict):
        from bachata_desktop.core.loop import BeatGrid

        g = BeatGrid.from_dict(obj)
        return grid_of(g) if g is not None else ([], [])
    return [], []


class LiveCount(QObject):
    """Plays the count on the beats of a grid in step with a media player."""

    beat_played = Signal(float, int)      # (media time of the beat, count)
    pre_roll_finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = False
        self.mode, self.lang = "voice", "en"
        self.volume = 0.8
        self.pre_roll_enabled = False
        self.times: list[float] = []
        self.counts: list[int] = []
        self.player: QMediaPlayer | None = None
        self._anchor_t = 0.0
        self._clock = QElapsedTimer()
        self._last_index = -1
        self._effects: dict[tuple[str, int], QSoundEffect] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer)
        self._pre: list[int] = []
        self._pre_timer = QTimer(self)
        self._pre_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._pre_timer.timeout.connect(self._on_pre_roll_tick)
        self._pre_done: Callable[[], None] | None = None

    # -- configuration -----------------------------------------------------------------------------
    def attach(self, player: QMediaPlayer) -> None:
        """Follow ``player`` (its position, play state and rate)."""
        self.player = player
        player.positionChanged.connect(self._on_position)
        player.playbackStateChanged.connect(lambda _s: self._resync())
        player.playbackRateChanged.connect(lambda _r: self._resync())

    def set_grid(self, grid: Any) -> None:
        """The (corrected) grid to count; takes effect from the next beat."""
        self.times, self.counts = grid_of(grid)
        self._last_index = -1
        self._resync()

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        if self.enabled:
            self._load_sounds()
        self._resync()

    def set_choice(self, mode: str, lang: str) -> None:
        self.mode, self.lang = mode, lang
        if self.enabled:
            self._load_sounds()

    def set_volume(self, volume: float) -> None:
        self.volume = max(0.0, min(1.0, float(volume)))
        for eff in self._effects.values():
            eff.setVolume(self.volume)

    # -- sounds ------------------------------------------------------------------------------------
    def _key(self, count: int) -> tuple[str, int]:
        if self.mode == "click":
            return ("click", 1 if count == 1 else 2)
        return (self.lang, count)

    def _load_sounds(self) -> None:
        for c in range(1, 9):
            key = self._key(c)
            if key in self._effects:
                continue
            folder = data_resource("counts")
            path = (folder / ("click_accent.wav" if key[1] == 1 else "click.wav")) \
                if key[0] == "click" else folder / key[0] / f"{c}.wav"
            eff = QSoundEffect(self)
            eff.setSource(QUrl.fromLocalFile(str(path)))
            eff.setVolume(self.volume)
            self._effects[key] = eff

    def sound_for(self, count: int) -> QSoundEffect | None:
        """The effect that plays ``count`` now (None: a silent tap in six-step mode)."""
        if self.mode == "six" and count not in SIX_STEPS:
            return None
        return self._effects.get(self._key(count))

    def _play(self, count: int) -> None:
        eff = self.sound_for(count)
        if eff is not None:
            eff.play()

    # -- following the player ----------------------------------------------------------------------
    def _rate(self) -> float:
        return float(self.player.playbackRate()) if self.player is not None else 1.0

    def _playing(self) -> bool:
        return self.player is not None and \
            self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def position(self) -> float:
        """Media time now (s): the last reported position plus the time since, at the rate."""
        if not self._clock.isValid():
            return self._anchor_t
        if not self._playing():
            return self._anchor_t
        return self._anchor_t + self._clock.elapsed() / 1000.0 * self._rate()

    def _on_position(self, ms: int) -> None:
        t = ms / 1000.0
        if abs(t - self.position()) > 0.25:        # a seek or a loop jump: start over from there
            self._last_index = bisect.bisect_left(self.times, t - 1e-3) - 1
        self._anchor_t = t
        self._clock.restart()
        self._arm()

    def _resync(self) -> None:
        if self.player is not None:
            self._anchor_t = self.player.position() / 1000.0
            self._clock.restart()
            self._last_index = bisect.bisect_left(self.times, self._anchor_t - 1e-3) - 1
        self._arm()

    def _arm(self) -> None:
        if not (self.enabled and self._playing() and self.times) or self._pre:
            self._timer.stop()
            return
        i = max(self._last_index + 1, bisect.bisect_left(self.times, self.position() - LATE_S))
        if i >= len(self.times):
            self._timer.stop()
            return
        wait = (self.times[i] - self.position()) / max(self._rate(), 0.05) - EARLY_S
        self._timer.start(max(0, int(wait * 1000)))

    def _on_timer(self) -> None:
        if not (self.enabled and self._playing()):
            return
        pos = self.position() + EARLY_S * self._rate()
        i = bisect.bisect_right(self.times, pos + 0.002) - 1
        if i > self._last_index and i >= 0 and pos - self.times[i] <= LATE_S:
            self._last_index = i
            self._play(self.counts[i])
            self.beat_played.emit(self.times[i], self.counts[i])
        elif i > self._last_index:
            self._last_index = i                   # too late for this one: skip it
        self._arm()

    # -- count-in before a loop --------------------------------------------------------------------
    def pre_roll(self, start: float, then: Callable[[], None] | None = None) -> bool:
        """Pause the player, count the four counts before ``start`` at its speed, then resume.

        Returns False (and does nothing) when off or without a grid.
        """
        if not (self.enabled and self.pre_roll_enabled and self.times and self.player is not None):
            return False
        self._load_sounds()
        i = bisect.bisect_left(self.times, start - 0.05)
        first = self.counts[i] if i < len(self.counts) else 1
        self._pre = [(first - 1 - k) % 8 + 1 for k in range(4, 0, -1)]
        period = local_period(self.times, start, start + 8.0) / max(self._rate(), 0.05)
        self._pre_done = then
        self._timer.stop()
        self.player.pause()
        self._pre_timer.start(int(period * 1000))
        self._on_pre_roll_tick()
        return True

    def _on_pre_roll_tick(self) -> None:
        if not self._pre:
            self._pre_timer.stop()
            if self.player is not None:
                self.player.play()
            done, self._pre_done = self._pre_done, None
            if done is not None:
                done()
            self.pre_roll_finished.emit()
            return
        self._play(self._pre.pop(0))

    def stop(self) -> None:
        self._timer.stop()
        self._pre_timer.stop()
        self._pre = []


class LiveCountBar(QWidget):
    """Toggle, voice/click choice and volume of a :class:`LiveCount` (and its pre-roll toggle)."""

    def __init__(self, live: LiveCount, pre_roll: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.live = live
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.toggle = QCheckBox("Hear the count")
        self.toggle.setToolTip("Play the count on every beat of the grid while the music plays")
        self.toggle.toggled.connect(live.set_enabled)
        self.choice = QComboBox()
        self.choice.setToolTip("What counts: a voice in English or Spanish, the six steps, or a click")
        for label, _mode, _lang in CHOICES:
            self.choice.addItem(label)
        self.choice.currentIndexChanged.connect(self._on_choice)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(int(live.volume * 100))
        self.volume.setMaximumWidth(110)
        self.volume.setMinimumWidth(50)    # squeezed to nothing in a narrow window otherwise
        self.volume.setToolTip("Volume of the count (not of the music)")
        self.volume.valueChanged.connect(lambda v: live.set_volume(v / 100.0))
        lay.addWidget(self.toggle)
        lay.addWidget(self.choice)
        vol_label = QLabel("Count vol.")
        vol_label.setToolTip(self.volume.toolTip())
        lay.addWidget(vol_label)
        lay.addWidget(self.volume)
        self.pre_roll: QCheckBox | None = None
        if pre_roll:
            self.pre_roll = QCheckBox("Count-in before each loop")
            self.pre_roll.setToolTip('Count "5 6 7 8" before the loop starts again')
            self.pre_roll.toggled.connect(lambda on: setattr(live, "pre_roll_enabled", bool(on)))
            lay.addWidget(self.pre_roll)
        self.source = QLabel(VOICE_LABEL)
        self.source.setObjectName("muted")
        self._device_note = device_note()
        self._set_source(VOICE_LABEL)
        lay.addWidget(self.source)
        lay.addStretch(1)

    def add_button(self, text: str, tip: str, slot: Callable[[], Any]) -> QPushButton:
        """A button at the end of the bar (the panel's practice-track entry)."""
        b = QPushButton(text)
        b.setToolTip(tip)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.clicked.connect(lambda: slot())
        self.layout().addWidget(b)
        return b

    def _on_choice(self, index: int) -> None:
        _label, mode, lang = CHOICES[index]
        self.live.set_choice(mode, lang)
        self._set_source(CLICK_LABEL if mode == "click" else VOICE_LABEL)

    def _set_source(self, text: str) -> None:
        """Say which sound counts, short on the bar; the detail and any device trouble in its tip."""
        self.source.setText(text)
        tip = "The count is a built-in click, accented on the 1" if text == CLICK_LABEL else VOICE_DETAIL
        if self._device_note:
            tip += f"\nThe count may stay silent: {self._device_note}"
        self.source.setToolTip(tip)


__all__ = ["CHOICES", "LiveCount", "LiveCountBar", "grid_of"]
