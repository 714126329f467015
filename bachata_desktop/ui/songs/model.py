"""The list of songs: title, duration, BPM and whether the analysis is done, over ``core.song.Song``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from bachata_desktop.core.song import Song

SongRole = Qt.ItemDataRole.UserRole + 1
StateRole = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


def _mmss(seconds: float) -> str:
    s = int(round(seconds or 0))
    return f"{s // 60}:{s % 60:02d}"


class SongListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Song] = []
        self._states: dict[int, str] = {}

    def set_rows(self, songs: list[Song], states: dict[int, str] | None = None) -> None:
        self.beginResetModel()
        self._rows = list(songs)
        self._states = dict(states or {})
        self.endResetModel()

    def upsert(self, song: Song, state: str = "done") -> int:
        for i, s in enumerate(self._rows):
            if s.id == song.id:
                self._rows[i] = song
                self._states[int(song.id or 0)] = state
                idx = self.index(i)
                self.dataChanged.emit(idx, idx)
                return i
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(song)
        self._states[int(song.id or 0)] = state
        self.endInsertRows()
        return row

    def row_of(self, song_id: int) -> int:
        return next((i for i, s in enumerate(self._rows) if s.id == song_id), -1)

    def song_at(self, row: int) -> Song | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        song = self._rows[index.row()]
        state = self._states.get(int(song.id or 0), "done")
        if role == Qt.ItemDataRole.DisplayRole:
            bpm = f"{song.tempo_bpm:.0f} BPM" if song.tempo_bpm else "– BPM"
            mark = {"done": "✓ analysed", "running": "… analysing", "failed": "✗ failed"}.get(state, state)
            return f"{song.title}\n{_mmss(song.duration_s)} · {bpm} · {mark}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return song.title
        if role == SongRole:
            return song
        if role == StateRole:
            return state
        return None


__all__ = ["SongListModel", "SongRole", "StateRole"]
