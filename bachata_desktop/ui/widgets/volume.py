"""A mute button and a volume slider for a ``QAudioOutput`` (the player and the Songs view).

The slider is perceptual (logarithmic, as a listener hears it) and converted to the linear gain
``QAudioOutput`` takes. The control can exist before its output does (the players create theirs
on first use): :meth:`VolumeControl.attach` applies what the instructor already chose.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtMultimedia import QAudio, QAudioOutput
from PySide6.QtWidgets import QHBoxLayout, QSlider, QStyle, QToolButton, QWidget


def linear_gain(level: int) -> float:
    """Gain (0..1) for a slider level (0..100) on the perceptual scale."""
    return float(QAudio.convertVolume(max(0, min(100, level)) / 100.0,
                                      QAudio.VolumeScale.LogarithmicVolumeScale,
                                      QAudio.VolumeScale.LinearVolumeScale))


class VolumeControl(QWidget):
    """Mute toggle + slider; keeps its state and applies it to the attached output."""

    changed = Signal(int, bool)   # level 0..100, muted

    def __init__(self, level: int = 100, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._outputs: list[QAudioOutput] = []
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.mute_button = QToolButton()
        self.mute_button.setCheckable(True)
        self.mute_button.setAutoRaise(True)
        self.mute_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 100)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(10)
        self.slider.setValue(level)
        self.slider.setFixedWidth(80)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        lay.addWidget(self.mute_button)
        lay.addWidget(self.slider)
        self.mute_button.toggled.connect(self._apply)
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self._apply()

    @property
    def level(self) -> int:
        return int(self.slider.value())

    @property
    def muted(self) -> bool:
        return self.mute_button.isChecked()

    def attach(self, output: QAudioOutput) -> None:
        self._outputs.append(output)
        self._apply()

    def set_muted(self, muted: bool) -> None:
        self.mute_button.setChecked(muted)

    def set_level(self, level: int) -> None:
        self.slider.setValue(level)

    def _on_slider_value_changed(self, value: int) -> None:
        if value > 0 and self.muted:
            self.mute_button.setChecked(False)  # moving the slider up means "I want to hear it"
        self._apply()

    def _apply(self, *_: object) -> None:
        muted = self.muted or self.level == 0
        icon = QStyle.StandardPixmap.SP_MediaVolumeMuted if muted else \
            QStyle.StandardPixmap.SP_MediaVolume
        self.mute_button.setIcon(self.style().standardIcon(icon))
        self.mute_button.setToolTip("Unmute" if self.muted else "Mute")
        self.slider.setToolTip(f"Volume {self.level}%")
        gain = linear_gain(self.level)
        for out in self._outputs:
            out.setVolume(gain)
            out.setMuted(self.muted)
        self.changed.emit(self.level, self.muted)
