"""Markers of the open clip: add, rename, delete (on the store's write pool) and loop them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from bachata_desktop.core.clip import Marker
from bachata_desktop.core.loop import LoopRegion
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.player.side import fmt_time

if TYPE_CHECKING:
    from bachata_desktop.ui.player.panel import PlayerPanel


class MarkerController(QObject):
    changed = Signal()   # the open clip's markers were (re)loaded

    def __init__(self, ctx: AppContext, panel: PlayerPanel) -> None:
        super().__init__(panel)
        self.ctx, self.panel = ctx, panel
        self.clip_id: int | None = None
        self.items: list[Marker] = []
        box = panel.markers_box
        box.add_requested.connect(self.add_here)
        box.delete_requested.connect(self.delete)
        box.rename_requested.connect(self.rename)
        box.loop_requested.connect(self.loop_marker)
        panel.actions_by_name["add_marker"].triggered.connect(self.add_here)

    def load(self, clip_id: int | None) -> None:
        self.clip_id = clip_id
        self.items = self.ctx.store.markers.for_clip(clip_id) if clip_id is not None else []
        box = self.panel.markers_box
        box.setEnabled(clip_id is not None)
        box.setToolTip("" if clip_id is not None else
                       "Markers are saved with library clips: open this media from the Library")
        box.set_markers(self.items)
        self.panel.timeline.set_markers(self.items)
        self.changed.emit()

    def _write(self, fn: object, *args: object) -> None:
        clip_id = self.clip_id

        def done(_result: object) -> None:
            if self.clip_id == clip_id:
                self.load(clip_id)

        self.ctx.jobs.submit(fn, *args, title="Save marker", pool="write", visible=False,  # type: ignore[arg-type]
                             on_finished=done,
                             on_failed=lambda msg: self.ctx.navigator.status.emit(
                                 f"Marker not saved: {msg}"))

    def add(self, name: str, time_s: float, end_s: float | None = None) -> None:
        if self.clip_id is None:
            return
        marker = Marker(None, self.clip_id, name, float(time_s), end_s)
        store = self.ctx.store
        self._write(lambda _ctx, m: store.markers.add(m), marker)

    def add_here(self) -> None:
        p = self.panel
        if p.loop is not None and p.loop.enabled:
            self.add(f"Loop {fmt_time(p.loop.a)}", p.loop.a, p.loop.b)
        else:
            self.add(f"Marker {len(self.items) + 1}", p.position())

    def rename(self, marker: Marker, name: str) -> None:
        store = self.ctx.store
        new = Marker(marker.id, marker.clip_id, name, marker.time_s, marker.end_s)
        self._write(lambda _ctx, m: store.markers.update(m), new)

    def delete(self, marker: Marker) -> None:
        if marker.id is None:
            return
        store = self.ctx.store
        self._write(lambda _ctx, mid: store.markers.delete(mid), marker.id)

    def loop_marker(self, marker: Marker) -> None:
        """Loop a marker: its saved range, else up to the next marker (or the end)."""
        end = marker.end_s
        if end is None:
            later = [m.time_s for m in self.items if m.time_s > marker.time_s + 1e-3]
            end = min(later) if later else self.panel.duration
        if end <= marker.time_s:
            return
        self.panel.set_loop(LoopRegion.between(marker.time_s, end))
        self.panel.seek(marker.time_s)
