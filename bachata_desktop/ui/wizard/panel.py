"""The generator area: a three-step wizard from a song to a saved, exportable choreography.

Song → preferences → result. Every slow step is a job (song analysis and generation on the ``ml``
pool, swaps and previews on ``io``, saving on ``write``) so the window never freezes; the panel
keeps the current :class:`~bachata_desktop.services.generate.GenerationResult` (with its
candidates) so a swap (which keeps the other moves, or re-optimises them when asked) needs no
second read of the library; the moves a swap changed are marked and named.
A saved choreography opened from elsewhere (``navigator.open_choreography``) comes back here with
its candidates rebuilt, so it can be edited the same way.
"""

from __future__ import annotations

import html
import random
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.choreographer import changed_slots
from bachata_desktop.core.choreography import Choreography
from bachata_desktop.services.generate import GenerationResult
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.last_folder import last_folder, remember_folder
from bachata_desktop.ui.wizard import jobs
from bachata_desktop.ui.wizard.preview import PreviewWindow
from bachata_desktop.ui.wizard.result import ResultView
from bachata_desktop.ui.wizard.steps import PreferencesStep, SongStep

STEPS = ("1  Song", "2  Preferences", "3  Choreography")


def describe_swap(before: Choreography | None, after: Choreography, slot_index: int,
                  changed: list[int]) -> str:
    """One line saying what a swap changed ("Move 3: A → B; the other moves are unchanged")."""
    if before is None or not 0 <= slot_index < len(before.slots):
        return f"{len(changed)} moves changed"
    old = before.slots[slot_index]
    here = next((s for s in after.slots if s.phrases[:1] == old.phrases[:1]), None)
    head = f"Move {slot_index + 1}: {old.name} → {here.name if here else '?'}"
    others = [i for i in changed if here is None or after.slots[i] is not here]
    if not others:
        return f"{head}; the other moves are unchanged"
    nums = ", ".join(str(i + 1) for i in others[:8]) + ("…" if len(others) > 8 else "")
    return f"{head}; also changed: move{'s' if len(others) > 1 else ''} {nums} (marked ●)"


class GeneratorPanel(QWidget):
    song_ready = Signal(object)          # jobs.PreparedSong
    generated = Signal(object)           # GenerationResult
    swapped = Signal(object)             # GenerationResult
    saved = Signal(int)                  # document id
    exported = Signal(str)               # path of the written video
    failed = Signal(str)                 # any job's error, also shown in the step

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.song: jobs.PreparedSong | None = None
        self.result: GenerationResult | None = None
        self.doc_id: int | None = None
        self._job: Any = None          # the running cancellable job (analysis, generation, export)
        self._after_save: str = ""
        self._warmed = False           # the text model is loaded once, in the background
        self._undo: list[GenerationResult] = []   # results before each swap, latest last
        self.preview_window: PreviewWindow | None = None

        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.step_buttons = QButtonGroup(self)
        for i, text in enumerate(STEPS):
            b = QPushButton(text)
            b.setCheckable(True)
            b.setFlat(True)
            b.setObjectName("wizardStep")
            self.step_buttons.addButton(b, i)
            bar.addWidget(b)
        bar.addStretch(1)
        self.step_buttons.idClicked.connect(self.go_to)
        lay.addLayout(bar)

        self.stack = QStackedWidget()
        self.song_step = SongStep(ctx.store)
        self.prefs = PreferencesStep()
        self.result_view = ResultView()
        for w in (self.song_step, self.prefs):
            # a short window scrolls the step instead of squeezing its text on top of each other
            # (1280x720 with the tasks dock or a progress bar showing); the result view scrolls
            # its routine itself, keeping its actions in view
            scroll = QScrollArea()
            scroll.setWidget(w)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            self.stack.addWidget(scroll)
        self.stack.addWidget(self.result_view)
        lay.addWidget(self.stack, 1)

        self.song_step.song_chosen.connect(self.choose_song)
        self.song_step.cancel_requested.connect(self.cancel)
        self.prefs.generate_requested.connect(self.generate)
        self.prefs.understand_requested.connect(self.understand)
        self.prefs.cancel_requested.connect(self.cancel)
        self.prefs.back_requested.connect(lambda: self.go_to(0))
        rv = self.result_view
        rv.back_requested.connect(lambda: self.go_to(1))
        rv.regenerate_requested.connect(self.regenerate)
        rv.detail.swap_requested.connect(self.swap)
        rv.undo_requested.connect(self.undo_swap)
        rv.detail.play_clip_requested.connect(ctx.navigator.open_clip)
        rv.play_clip_requested.connect(ctx.navigator.open_clip)
        rv.detail.notes_requested.connect(self.teaching_notes)
        rv.play_song_requested.connect(self.play_song)
        rv.preview_requested.connect(self.preview)
        rv.save_requested.connect(self.save)
        rv.export_requested.connect(self.export)
        rv.add_to_plan_requested.connect(self.add_to_plan)
        rv.practice_track_requested.connect(self.practice_track)
        rv.run_class_requested.connect(self.run_class)
        rv.cancel_requested.connect(self.cancel)
        ctx.navigator.open_choreography.connect(self.open_saved)
        ctx.navigator.songs_changed.connect(self.song_step.reload)
        self.go_to(0)

    # -- navigation --------------------------------------------------------------------------------
    def go_to(self, step: int) -> None:
        if step == 1 and self.song is None:
            step = 0
        if step == 2 and self.result is None:
            step = 1 if self.song is not None else 0
        self.stack.setCurrentIndex(step)
        for i, b in enumerate(self.step_buttons.buttons()):
            b.setChecked(i == step)
        self.step_buttons.button(1).setEnabled(self.song is not None)
        self.step_buttons.button(2).setEnabled(self.result is not None)

    def current_step(self) -> int:
        return self.stack.currentIndex()

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _say(self, text: str) -> None:
        self.ctx.navigator.status.emit(text)

    def _fail(self, where: Any, error: str) -> None:
        self._job = None
        where.set_busy(False)
        where.status.setText(f"⚠ {error}")
        self.failed.emit(error)

    # -- step 1: the song --------------------------------------------------------------------------
    def choose_song(self, path: str) -> Any:
        """Analyse (or look up) the song as a job, then move on to the preferences."""
        self.song_step.set_busy(True)
        self.song_step.status.setText(f"Reading {Path(path).name}…")
        self._job = self.ctx.jobs.submit(
            jobs.prepare_song, self.ctx.store, path, title=f"Analyse {Path(path).name}",
            pool="ml", key="wizard-song", on_finished=self._on_song,
            on_failed=lambda e: self._fail(self.song_step, e),
            on_cancelled=lambda: self._fail(self.song_step, "analysis cancelled"),
            on_progress=lambda f, m: (self.song_step.progress.setValue(int(f * 100)),
                                      self.song_step.status.setText(m)))
        return self._job

    def _on_song(self, song: jobs.PreparedSong) -> None:
        self._job = None
        self.song = song
        self.song_step.set_busy(False)
        self.song_step.status.setText("")
        if song.added:
            self.ctx.navigator.songs_changed.emit()
        self.song_step.select_path(song.info.path)
        a = song.analysis
        mins, secs = divmod(int(round(a.duration)), 60)
        sections = " → ".join(s.label.value for s in a.sections[:12])
        self.prefs.song_label.setText(
            f"<b>2. Preferences</b> for <b>{song.info.title}</b> · {a.tempo_bpm:.0f} BPM · "
            f"{mins}:{secs:02d} · {len(a.phrases)} phrases of 8 counts"
            + (f"<br><span style='color:#8a8f98'>{sections}</span>" if sections else ""))
        self.result = None
        self.doc_id = None
        self.go_to(1)
        if not self._warmed:
            self._warmed = True
            self.ctx.jobs.submit(jobs.warm_up, title="Load the text model", pool="ml",
                                 visible=False)
        self.song_ready.emit(song)

    # -- step 2: preferences and generation --------------------------------------------------------
    def understand(self) -> None:
        form = self.prefs.request()
        if not form.text:
            self.prefs.show_understood(form)
            return
        self.prefs.status.setText("Reading your request…")
        self.ctx.jobs.submit(jobs.understand, form, title="Understand the request", pool="io",
                             key="wizard-understand", visible=False,
                             on_finished=self._on_understood,
                             on_failed=lambda e: self.prefs.status.setText(f"⚠ {e}"))

    def _on_understood(self, req: Any) -> None:
        self.prefs.status.setText("")
        self.prefs.apply_understood(req)
        self.prefs.show_understood(req)

    def generate(self) -> Any:
        if self.song is None:
            self.go_to(0)
            return None
        form = self.prefs.request()
        self.prefs.set_busy(True, "Generating…")
        self._job = self.ctx.jobs.submit(
            jobs.understand_and_generate, self.ctx.store, self.song.info, self.song.analysis,
            form, title=f"Generate for {self.song.info.title}", pool="ml", key="wizard-generate",
            on_finished=self._on_generated,
            on_failed=lambda e: self._fail(self.prefs, e),
            on_cancelled=lambda: self._fail(self.prefs, "generation cancelled"),
            on_progress=lambda f, m: (self.prefs.progress.setValue(int(f * 100)),
                                      self.prefs.status.setText(m)))
        return self._job

    def regenerate(self) -> Any:
        self.prefs.seed.setValue(random.randint(0, 999_999))
        self.go_to(1)
        return self.generate()

    def _on_generated(self, result: GenerationResult) -> None:
        self._job = None
        self.prefs.set_busy(False)
        if self.song is None or result.choreography.song.path != self.song.info.path:
            return  # another song was chosen while this one was being generated
        if result.choreography.request.text:
            self.prefs.apply_understood(result.choreography.request)
        self.prefs.show_understood(result.choreography.request)
        self._show(result, new=True)
        self.generated.emit(result)
        self._say(f"Generated {len(result.choreography.slots)} moves")

    def _show(self, result: GenerationResult, new: bool, changed: list[int] | None = None) -> None:
        self.result = result
        rv = self.result_view
        if new:
            self._undo.clear()
            self.doc_id = None
            rv.drag.set_doc(None)
            rv.name.clear()
        rv.timeline.set_analysis(self.song.analysis if self.song else None)
        rv.timeline.set_peaks(self.song.peaks if self.song else None)
        rv.show_result(result.choreography, keep_selection=not new, changed=changed)
        rv.detail.set_swap_enabled(bool(result.candidates),
                                   "" if result.candidates else "The library has no moves to swap in")
        rv.undo_btn.setEnabled(bool(self._undo))
        rv.preview_btn.setEnabled(self._song_path() is not None)
        rv.play_btn.setEnabled(self._song_path() is not None)
        self.go_to(2)

    @property
    def choreography(self) -> Choreography | None:
        return self.result.choreography if self.result else None

    # -- step 3: swap, preview, save, export -------------------------------------------------------
    def swap(self, slot_index: int, clip_id: int) -> Any:
        if self.result is None or not self.result.candidates:
            return None
        reopt = self.result_view.detail.reoptimise.isChecked()
        self.result_view.status.setText("Re-arranging around your choice…" if reopt
                                        else "Swapping…")
        before = self.result
        return self.ctx.jobs.submit(
            jobs.swap, self.result, slot_index, clip_id, reopt, title="Swap a move", pool="io",
            key="wizard-swap", visible=False,
            on_finished=lambda r: self._on_swapped(r, before, slot_index),
            on_failed=lambda e: self.result_view.status.setText(f"⚠ {e}"))

    def _on_swapped(self, result: GenerationResult, before: GenerationResult | None = None,
                    slot_index: int = -1) -> None:
        if before is None:
            before = self.result
        if self.result is not None:
            self._undo.append(self.result)
        changed = changed_slots(before.choreography, result.choreography) if before else []
        self._show(result, new=False, changed=changed)
        self.result_view.status.setText(describe_swap(before.choreography if before else None,
                                                      result.choreography, slot_index, changed))
        self.swapped.emit(result)

    def undo_swap(self) -> None:
        if self._undo:
            self._show(self._undo.pop(), new=False)
            self.result_view.status.setText("Swap undone")

    def teaching_notes(self, clip_id: int) -> Any:
        """The move's teaching notes (the instructor's, else suggested), as a job."""
        detail = self.result_view.detail
        return self.ctx.jobs.submit(
            jobs.teaching_notes, self.ctx.store, int(clip_id), title="Teaching notes", pool="io",
            key="wizard-notes", visible=False,
            on_finished=lambda r: detail.set_teaching_notes(*r),
            on_failed=lambda e: detail.notes.setText(f"⚠ {html.escape(e)}"))

    def _song_path(self) -> str | None:
        if self.song is not None and Path(self.song.info.path).is_file():
            return self.song.info.path
        return None

    def play_song(self) -> None:
        path = self._song_path()
        if path is not None and self.song is not None:
            self.ctx.navigator.open_media.emit(path, self.song.analysis.to_dict())

    def practice_track(self) -> Any:
        """The practice-track window of the routine (its span, its move names called)."""
        from bachata_desktop.services.practice_track import choreography_moves
        from bachata_desktop.ui.practice_dialog import PracticeSource, open_practice_dialog

        ch, path = self.choreography, self._song_path()
        if ch is None or path is None or self.song is None:
            return None
        a = self.song.analysis
        span = ("The choreography", ch.slots[0].start, min(ch.slots[-1].end, a.duration)) \
            if ch.slots else None
        return open_practice_dialog(self, self.ctx, PracticeSource.from_analysis(
            self.song.info.title, path, a, moves=choreography_moves(ch), span=span))

    def run_class(self) -> Any:
        """The run-the-class full screen driven by this routine and its song."""
        from bachata_desktop.core.class_run import RoutineClock
        from bachata_desktop.services.class_run import Routine
        from bachata_desktop.ui.class_mode.window import ClassModeWindow

        ch, path = self.choreography, self._song_path()
        if ch is None or path is None or self.song is None:
            return None
        routine = Routine(self.song.info.title, Path(path),
                          RoutineClock.from_analysis(self.song.analysis, ch), self.song.analysis.tempo_bpm)
        self.class_window = ClassModeWindow(self.ctx, routine=routine)
        return self.class_window

    def preview(self) -> Any:
        """Play the routine at once: the clips retimed live on the song (nothing rendered first)."""
        ch, path = self.choreography, self._song_path()
        if ch is None or path is None:
            return None
        if self.preview_window is not None:
            self.preview_window.shutdown()
            self.preview_window.deleteLater()
        analysis = self.song.analysis if self.song else None
        length = (analysis.duration if analysis is not None else 0.0) or ch.song.duration_s
        self.preview_window = PreviewWindow(self.ctx.store, ch, path, analysis, length, self)
        self.preview_window.show()
        self.preview_window.play()
        return self.preview_window

    def export(self, preset: str, mirror: bool, out_path: str | None = None) -> Any:
        ch, path = self.choreography, self._song_path()
        if ch is None or path is None:
            return None
        if out_path is None:
            movies = (QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MoviesLocation)
                      or str(Path.home()))
            folder = last_folder(self.ctx.paths, "exports", movies)
            name = (self.result_view.name.text().strip() or ch.song.title or "choreography")
            safe = "".join(c if c.isalnum() or c in " -_()" else "_" for c in name).strip()
            out_path, _ = QFileDialog.getSaveFileName(self, "Export the video",
                                                      str(Path(folder) / f"{safe}.mp4"),
                                                      "MP4 video (*.mp4)")
            if not out_path:
                return None
            remember_folder(self.ctx.paths, "exports", out_path)
        self.result_view.set_busy(True, f"Exporting {Path(out_path).name}…")
        self._job = self.ctx.jobs.submit(
            jobs.export, self.ctx.store, ch, path, str(out_path), preset, mirror,
            self.song.analysis if self.song else None, title=f"Export {Path(out_path).name}",
            pool="io", key="wizard-export", on_finished=self._on_exported,
            on_failed=lambda e: self._fail(self.result_view, e),
            on_cancelled=lambda: self._fail(self.result_view, "export cancelled"),
            on_progress=self.result_view.set_progress)
        return self._job

    def _on_exported(self, report: Any) -> None:
        self._job = None
        self.result_view.set_busy(False, f"Saved {Path(report.path).name}")
        self._say(f"Exported {report.path}")
        self.result_view.show_exported(report.path)
        self.exported.emit(report.path)

    def save(self, title: str = "") -> Any:
        ch = self.choreography
        if ch is None:
            return None
        self.result_view.status.setText("Saving…")
        return self.ctx.jobs.submit(
            jobs.save, self.ctx.store, ch, title or None, self.doc_id, title="Save choreography",
            pool="write", visible=False, on_finished=self._on_saved,
            on_failed=lambda e: self.result_view.status.setText(f"⚠ {e}"))

    def _on_saved(self, doc: Any) -> None:
        self.doc_id = int(doc.id)
        self.result_view.drag.set_doc(self.doc_id)
        self.result_view.status.setText(f"Saved as “{doc.title}” in your choreographies")
        self.ctx.navigator.choreographies_changed.emit()
        self.saved.emit(self.doc_id)
        if self._after_save == "plans":
            self._after_save = ""
            # the plan open in Class plans (or a new one) gets this choreography, then shows
            self.ctx.navigator.add_choreography_to_plan.emit(self.doc_id, None)

    def add_to_plan(self) -> None:
        if self.choreography is None:
            return
        self._after_save = "plans"
        self.save(self.result_view.name.text().strip())

    # -- opening a saved choreography --------------------------------------------------------------
    def open_saved(self, doc_id: int) -> Any:
        self.result_view.set_busy(True, "Opening the choreography…", cancellable=False)
        return self.ctx.jobs.submit(
            jobs.reopen, self.ctx.store, int(doc_id), title="Open choreography", pool="ml",
            key="wizard-open", on_finished=lambda r, d=int(doc_id): self._on_reopened(d, r),
            on_failed=lambda e: self._fail(self.result_view, e))

    def _on_reopened(self, doc_id: int, opened: jobs.Reopened) -> None:
        self.result_view.set_busy(False)
        self.song = opened.song
        self.prefs.set_request(opened.result.choreography.request)
        self._show(opened.result, new=True)
        self.doc_id = doc_id
        self.result_view.drag.set_doc(doc_id)
        self.result_view.name.setText(opened.title)
        if not opened.result.candidates:
            self.result_view.status.setText("The library has no moves: swapping is off")
