"""The player's keyboard actions and the transport bar built from them.

Every control is a ``QAction`` with its key in the tooltip, so the same action serves the
button, the keyboard (on the panel and on the detached window) and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.loop import MAX_SPEED, MIN_SPEED, NudgeUnit
from bachata_desktop.ui.widgets.volume import VolumeControl

SPEED_PRESETS: tuple[float, ...] = (0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5)
# The widest the time label gets: it is sized for this so it is never cut short.
WIDEST_TIME = "0:00.00 / 0:00.00 · frame 0000 · count 8"   # moves and songs are under 10 min


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    keys: tuple[str, ...]
    tip: str
    checkable: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("play", "▶", ("Space",), "Play / pause"),
    ActionSpec("frame_back", "◀|", ("Left",), "One frame back (pauses)"),
    ActionSpec("frame_fwd", "|▶", ("Right",), "One frame forward (pauses)"),
    ActionSpec("beat_back", "◀ beat", ("Shift+Left",), "Jump to the previous beat"),
    ActionSpec("beat_fwd", "beat ▶", ("Shift+Right",), "Jump to the next beat"),
    ActionSpec("eight_back", "◀ 8", ("Ctrl+Left",), "Jump back one 8-count"),
    ActionSpec("eight_fwd", "8 ▶", ("Ctrl+Right",), "Jump forward one 8-count"),
    ActionSpec("set_a", "A", ("[",), "Set loop start A at the playhead"),
    ActionSpec("set_b", "B", ("]",), "Set loop end B at the playhead"),
    ActionSpec("nudge_a_back", "A◀", ("Alt+Left",), "Nudge A back by the nudge unit"),
    ActionSpec("nudge_a_fwd", "A▶", ("Alt+Right",), "Nudge A forward by the nudge unit"),
    ActionSpec("nudge_b_back", "B◀", ("Alt+Shift+Left",), "Nudge B back by the nudge unit"),
    ActionSpec("nudge_b_fwd", "B▶", ("Alt+Shift+Right",), "Nudge B forward by the nudge unit"),
    ActionSpec("loop", "⟲ Loop", ("L",), "Loop A-B on / off", True),
    ActionSpec("loop_eight", "Loop 8", ("P",), "Loop the 8-count at the playhead"),
    ActionSpec("loop_whole", "Loop all", ("W",), "Loop the whole move"),
    ActionSpec("slower", "−", ("-",), "Slower"),
    ActionSpec("faster", "+", ("+", "="), "Faster"),
    ActionSpec("mirror", "⇋ Mirror", ("M",), "Mirror the video (teach facing the class)", True),
    ActionSpec("counts", "1-8", ("C",), "Show the count on the video", True),
    ActionSpec("skeleton", "Skeleton", ("S",), "Show both dancers' skeletons (lead blue, "
               "follow pink)", True),
    ActionSpec("swap_roles", "Lead ⇄ follow", ("X",), "Swap who is lead and who is follow in "
               "this clip (saved with the clip; used by search and the generator)"),
    ActionSpec("trainer", "Trainer", ("T",), "Speed trainer: start slow, speed up every N loops",
               True),
    ActionSpec("detach", "Window", ("D",), "Move the video to its own window (close it to bring it "
               "back)", True),
    ActionSpec("fullscreen", "Full screen", ("F",), "Full screen (Esc leaves)"),
    ActionSpec("add_marker", "Add marker", ("Ctrl+B",), "Add a marker at the playhead, or save "
               "the A-B loop as a marker when looping"),
)


def make_actions(parent: QWidget) -> dict[str, QAction]:
    """The player's actions, with shortcuts live while focus is in ``parent`` (or its children)."""
    out: dict[str, QAction] = {}
    for spec in ACTIONS:
        act = QAction(spec.text, parent)
        act.setObjectName(f"player_{spec.name}")
        act.setShortcuts([QKeySequence(k) for k in spec.keys])
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shown = " / ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)
                           for k in spec.keys)
        act.setToolTip(f"{spec.tip} ({shown})")
        act.setCheckable(spec.checkable)
        parent.addAction(act)
        out[spec.name] = act
    return out


def _button(action: QAction) -> QToolButton:
    b = QToolButton()
    b.setDefaultAction(action)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    b.setAutoRaise(False)
    return b


class TransportBar(QWidget):
    """Two rows of buttons: playback, jumps, speed and volume, then loop and view toggles."""

    speed_requested = Signal(float)

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons = {name: _button(a) for name, a in actions.items() if name != "add_marker"}
        self.time_label = QLabel("0:00.00 / 0:00.00")
        self.time_label.setMinimumWidth(self.time_label.fontMetrics().horizontalAdvance(WIDEST_TIME)
                                        + 8)
        self.time_label.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        self.time_label.setToolTip("Time / length · frame number · count")
        # The speed: click the value for 1x, its arrow for presets, or drag the slider.
        self.speed_label = QToolButton()
        self.speed_label.setObjectName("speedButton")
        self.speed_label.setText("1.00×")
        self.speed_label.setMinimumWidth(64)
        self.speed_label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speed_label.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.speed_label.setToolTip("Playback speed: click for normal speed, the arrow for presets")
        self.speed_label.clicked.connect(lambda: self.speed_requested.emit(1.0))
        presets = QMenu(self.speed_label)
        for v in SPEED_PRESETS:
            presets.addAction(f"{v:g}×", lambda v=v: self.speed_requested.emit(v))
        self.speed_label.setMenu(presets)
        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setObjectName("speedSlider")
        self.speed_slider.setRange(round(MIN_SPEED * 100), round(MAX_SPEED * 100))
        self.speed_slider.setSingleStep(5)
        self.speed_slider.setPageStep(10)
        self.speed_slider.setValue(100)
        self.speed_slider.setFixedWidth(90)
        self.speed_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speed_slider.setToolTip("Playback speed: drag (25% to 150%)")
        self.speed_slider.valueChanged.connect(self._on_speed_slider_value_changed)
        self.volume = VolumeControl()
        self.nudge_unit = QComboBox()
        for unit in NudgeUnit:
            self.nudge_unit.addItem(f"by {unit.value}", unit)
        self.nudge_unit.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.nudge_unit.setToolTip("What the A◀ A▶ B◀ B▶ nudges move by "
                                   "(Alt+←/→ nudge A, Alt+Shift+←/→ nudge B)")
        row1 = QHBoxLayout()
        for n in ("frame_back", "play", "frame_fwd", "beat_back", "beat_fwd", "eight_back",
                  "eight_fwd"):
            row1.addWidget(self.buttons[n])
        row1.addStretch(1)
        row1.addWidget(self.buttons["slower"])
        row1.addWidget(self.speed_slider)
        row1.addWidget(self.buttons["faster"])
        row1.addWidget(self.speed_label)
        row1.addSpacing(8)
        row1.addWidget(self.volume)
        # The view toggles sit in the panel's header (``view_bar``): two rows of controls under
        # the video fit a 1280-wide window only without them.
        self.view_bar = QWidget()
        vb = QHBoxLayout(self.view_bar)
        vb.setContentsMargins(0, 0, 0, 0)
        vb.setSpacing(4)
        for n in ("mirror", "counts", "skeleton", "swap_roles", "trainer", "detach", "fullscreen"):
            vb.addWidget(self.buttons[n])
        row2 = QHBoxLayout()
        for n in ("loop", "set_a", "set_b", "loop_eight", "loop_whole"):
            row2.addWidget(self.buttons[n])
        row2.addSpacing(12)
        row2.addWidget(QLabel("Nudge"))
        row2.addWidget(self.nudge_unit)
        for n in ("nudge_a_back", "nudge_a_fwd", "nudge_b_back", "nudge_b_fwd"):
            row2.addWidget(self.buttons[n])
        row2.addStretch(1)
        row2.addWidget(self.time_label)
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.addLayout(row1)
        v.addLayout(row2)

    def unit(self) -> NudgeUnit:
        return NudgeUnit(self.nudge_unit.currentData())

    def show_speed(self, speed: float) -> None:
        """Show ``speed`` on the button and the slider (without asking for it again)."""
        self.speed_label.setText(f"{speed:.2f}×")
        self.speed_slider.blockSignals(True)
        self.speed_slider.setValue(round(speed * 100))
        self.speed_slider.blockSignals(False)

    def _on_speed_slider_value_changed(self, value: int) -> None:
        self.speed_requested.emit(round(value / 5) * 5 / 100.0)  # 5% steps
