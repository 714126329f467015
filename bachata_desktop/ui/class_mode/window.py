"""Run the class: a full-screen, dark view for a projector or TV, readable from across the room.

It shows the count huge, the current move and the next one with a countdown in counts, the section
of the song, and the class-plan item with its elapsed and remaining time. It is driven by a class
plan (items end to end by their minutes; a choreography or song item plays its music) or by one
choreography/song (:class:`~bachata_desktop.services.class_run.Routine`).

The GUI thread only reads positions and paints labels: QMediaPlayer decodes on its own threads, the
routine is loaded by a job, and the live count plays pre-loaded samples (``ui/live_count``).

Keys: Space pause/resume · R restart the phrase · ↓/S slower · ↑/F faster · N/P next/previous
item · C count on/off · M next screen · Esc/Q leave.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QFont, QGuiApplication, QKeyEvent, QResizeEvent, QScreen
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from bachata_desktop.core.class_run import PlanClock, clock_text
from bachata_desktop.services.class_run import Routine, load_routine
from bachata_desktop.ui.live_count import LiveCount

MIN_RATE, MAX_RATE, RATE_STEP = 0.5, 1.0, 0.05
STYLE = """
ClassModeWindow { background: #0b0d12; }
QLabel { color: #e8ecf4; background: transparent; }
QLabel#count { color: #ffd24a; }
QLabel#next { color: #7fd4ff; }
QLabel#dim { color: #8a93a6; }
QLabel#timer { color: #b6f0a0; }
"""
HELP = ("Space pause · R restart phrase · ↓ slower · ↑ faster · N / P next / previous item · "
        "C count · M screen · Esc leave")


class ClassModeWindow(QWidget):
    closed = Signal()
    routine_failed = Signal(str)

    def __init__(self, ctx: Any, plan: Any = None, routine: Routine | None = None,
                 screen: QScreen | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx = ctx
        self.setWindowTitle("Run the class")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(STYLE)
        self.plan_clock = PlanClock.from_plan(plan) if plan is not None else None
        self.plan_title = getattr(plan, "title", "")
        self.routine: Routine | None = routine
        self.rate = 1.0
        self.running = True
        self.message = ""                        # a loading note or a one-line error
        self._closed = False
        self._plan_index = -1
        self._plan_base = 0.0                    # plan seconds before the clock's last start
        self._plan_clock = QElapsedTimer()
        self._plan_clock.start()
        self._build()
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        if hasattr(self.player, "pitchCompensationAvailability") and \
                self.player.pitchCompensationAvailability() == \
                QMediaPlayer.PitchCompensationAvailability.Available:
            self.player.setPitchCompensation(True)   # slower music keeps its pitch (Qt >= 6.10)
        self.live = LiveCount(self)
        self.live.attach(self.player)
        self.live.set_choice("voice", "en")
        self.timer = QTimer(self)
        self.timer.setInterval(33)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        if routine is not None:
            self._set_routine(routine)
        self.refresh()
        self.place_on(screen)

    # -- layout --------------------------------------------------------------------------------------
    def _label(self, name: str = "", align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter) -> QLabel:
        lab = QLabel("")
        if name:
            lab.setObjectName(name)
        lab.setAlignment(align)
        return lab

    def _build(self) -> None:
        self.section = self._label("dim", Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.item = self._label()
        self.clock = self._label("timer", Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.count = self._label("count")
        self.move = self._label()
        self.next = self._label("next")
        self.next_item = self._label("dim")
        self.status = self._label("dim", Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.help = self._label("dim", Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.help.setText(HELP)
        top = QHBoxLayout()
        top.addWidget(self.section, 1)
        top.addWidget(self.item, 2)
        top.addWidget(self.clock, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.help, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(32, 20, 32, 16)
        lay.addLayout(top)
        lay.addWidget(self.count, 5)
        lay.addWidget(self.move, 2)
        lay.addWidget(self.next, 1)
        lay.addWidget(self.next_item, 1)
        lay.addLayout(bottom)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        h = max(300, self.height())
        for lab, share, bold in ((self.count, 0.42, True), (self.move, 0.09, True),
                                 (self.next, 0.055, False), (self.next_item, 0.035, False),
                                 (self.section, 0.04, True), (self.item, 0.04, True),
                                 (self.clock, 0.05, True), (self.status, 0.022, False),
                                 (self.help, 0.02, False)):
            f = QFont(lab.font())
            f.setPixelSize(max(10, int(h * share)))
            f.setBold(bold)
            lab.setFont(f)
        super().resizeEvent(event)

    def place_on(self, screen: QScreen | None) -> None:
        """Show full screen on ``screen`` (default: the last one, a projector when one is there)."""
        screens = QGuiApplication.screens()
        screen = screen or (screens[-1] if screens else None)
        if screen is not None:
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
        self.showFullScreen()

    def next_screen(self) -> None:
        screens = QGuiApplication.screens()
        if len(screens) > 1:
            i = screens.index(self.screen()) if self.screen() in screens else -1
            self.showNormal()
            self.place_on(screens[(i + 1) % len(screens)])

    # -- the plan --------------------------------------------------------------------------------------
    def plan_elapsed(self) -> float:
        return self._plan_base + (self._plan_clock.elapsed() / 1000.0 if self.running else 0.0)

    def go_to_item(self, index: int) -> None:
        if self.plan_clock is None or not self.plan_clock.steps:
            return
        index = max(0, min(index, len(self.plan_clock.steps) - 1))
        self._plan_base = self.plan_clock.start_of(index)
        self._plan_clock.restart()
        self._plan_index = -1
        self.refresh()

    def _on_step(self, index: int) -> None:
        """A new plan item: load its music (a job), or stop the music when it has none."""
        assert self.plan_clock is not None
        self._plan_index = index
        self.player.pause()
        self.routine = None
        self.message = ""
        self.live.set_grid(None)
        if index >= len(self.plan_clock.steps):
            return
        step = self.plan_clock.steps[index]
        if step.kind in ("choreography", "song") and step.ref_id is not None:
            self.message = "Loading the music…"
            self.ctx.jobs.submit(load_routine, self.ctx.store, step.kind, step.ref_id,
                                 title="Class music", key="class-mode-routine", visible=False,
                                 on_finished=lambda r, i=index: self._on_routine(i, r),
                                 on_failed=self._on_routine_failed)

    def _on_routine(self, index: int, routine: Routine | None) -> None:
        if self._closed:
            return                        # the job finished after the window closed
        if index == self._plan_index and routine is not None:
            self._set_routine(routine)

    def _on_routine_failed(self, message: str) -> None:
        if self._closed:
            return
        self.message = message
        self.routine_failed.emit(message)

    def _set_routine(self, routine: Routine) -> None:
        self.routine = routine
        self.live.set_grid(routine.clock)       # it reads the clock's times and counts
        self.player.setSource(QUrl.fromLocalFile(str(routine.media)))
        self.player.setPlaybackRate(self.rate)
        if self.running:
            self.player.play()
        self.message = ""

    # -- controls --------------------------------------------------------------------------------------
    def toggle_pause(self) -> None:
        if self.running:
            self._plan_base = self.plan_elapsed()
            self.running = False
            self.player.pause()
        else:
            self.running = True
            self._plan_clock.restart()
            if self.routine is not None:
                self.player.play()
        self.refresh()

    def restart_phrase(self) -> None:
        if self.routine is None:
            return
        t = self.routine.clock.phrase_start(self.player.position() / 1000.0)
        self.player.setPosition(int(t * 1000))
        if self.running and not self.live.pre_roll(t):
            self.player.play()

    def change_speed(self, step: int) -> None:
        self.rate = round(min(MAX_RATE, max(MIN_RATE, self.rate + step * RATE_STEP)), 2)
        self.player.setPlaybackRate(self.rate)
        self.refresh()

    def toggle_count(self) -> None:
        self.live.set_enabled(not self.live.enabled)
        self.live.pre_roll_enabled = self.live.enabled
        self.refresh()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        k = event.key()
        actions = {
            Qt.Key.Key_Space: self.toggle_pause, Qt.Key.Key_R: self.restart_phrase,
            Qt.Key.Key_Down: lambda: self.change_speed(-1), Qt.Key.Key_S: lambda: self.change_speed(-1),
            Qt.Key.Key_Up: lambda: self.change_speed(+1), Qt.Key.Key_F: lambda: self.change_speed(+1),
            Qt.Key.Key_N: lambda: self.go_to_item(max(self._plan_index, 0) + 1),
            Qt.Key.Key_P: lambda: self.go_to_item(self._plan_index - 1),
            Qt.Key.Key_C: self.toggle_count, Qt.Key.Key_M: self.next_screen,
            Qt.Key.Key_Escape: self.close, Qt.Key.Key_Q: self.close,
        }
        fn = actions.get(Qt.Key(k))
        if fn is None:
            super().keyPressEvent(event)
            return
        fn()

    # -- painting the state ------------------------------------------------------------------------
    def refresh(self) -> None:
        pos = self.player.position() / 1000.0 if self.routine is not None else 0.0
        if self.plan_clock is not None:
            ps = self.plan_clock.state(self.plan_elapsed())
            if ps.index != self._plan_index:
                self._on_step(ps.index)
            if ps.step is None:
                self.item.setText(f"{self.plan_title}: finished")
                self.clock.setText(clock_text(self.plan_clock.total))
                self.next_item.setText("")
            else:
                self.item.setText(f"{ps.step.segment} · {ps.step.title}")
                self.clock.setText(f"{clock_text(ps.elapsed)}  /  −{clock_text(ps.remaining)}")
                self.next_item.setText(f"Then: {ps.next_title}" if ps.next_title else "Last item")
        elif self.routine is not None:
            dur = self.player.duration() / 1000.0
            self.item.setText(self.routine.title)
            self.clock.setText(f"{clock_text(pos)}  /  −{clock_text(max(0.0, dur - pos))}")
        if self.routine is None:
            # no music for this item: its time left, huge, in place of the count
            left = self.plan_clock.state(self.plan_elapsed()).remaining if self.plan_clock else 0.0
            self.count.setText(clock_text(left) if self.plan_clock and self._plan_index >= 0 else "")
            self.move.setText("" if self.plan_clock is None or self._plan_index < 0 else
                              (self.item.text().split(" · ", 1)[-1]))
            self.next.setText("")
            self.section.setText("")
        else:
            st = self.routine.clock.state(pos)
            self.count.setText(str(st.count) if st.count is not None else "·")
            self.move.setText(st.move)
            if st.next_move and st.counts_to_next is not None:
                self.next.setText(f"Next: {st.next_move}  in {st.counts_to_next} "
                              f"count{'' if st.counts_to_next == 1 else 's'}")
            else:
                self.next.setText("")
            self.section.setText(st.section.capitalize())
        state = "PAUSED  ·  " if not self.running else ""
        count = "count on" if self.live.enabled else "count off"
        self.status.setText(self.message or f"{state}{int(round(self.rate * 100))}% speed  ·  {count}")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self._closed = True
        self.timer.stop()
        self.live.stop()
        self.player.pause()               # not stop(): it can deadlock the FFmpeg backend
        self.player.setSource(QUrl())
        self.closed.emit()
        super().closeEvent(event)


__all__ = ["ClassModeWindow"]
