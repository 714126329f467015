"""The library's list model: clip ids in display order plus a lazy cache of ``Clip`` rows.

A library can hold 10,000 clips, so the model never runs SQL per row: it keeps the ordered ids and a
cache of ``core.clip.Clip`` objects. Rows are usually handed over in bulk (``set_rows``, loaded off
the GUI thread); ids without a cached row are fetched a block at a time by the ``fetch`` callable
when a view first asks for them. Display strings are derived lazily per row and cached.

Sorting happens here (a Python sort of the ids, then ``layoutChanged``) instead of in the proxy:
``QSortFilterProxyModel`` calls ``data()`` twice per comparison, which measured ~0.8 s for 10,000
rows on the GUI thread; sorting the ids in Python takes milliseconds. ``SortRole`` still returns the
active sort key, so the order is inspectable and usable by any proxy that wants it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from bachata_desktop.core.clip import (
    AnalysisState,
    Clip,
    category_label,
    energy_text,
    level_text,
    move_title,
)
from bachata_desktop.ui.mime import CLIP_IDS_MIME, encode_ids

ClipRole = int(Qt.ItemDataRole.UserRole) + 1       # the backing core.clip.Clip (works through proxies)
ThumbnailRole = int(Qt.ItemDataRole.UserRole) + 2  # QPixmap (cached thumbnail or placeholder)
SortRole = int(Qt.ItemDataRole.UserRole) + 3       # the key of the active sort field
ClipIdRole = int(Qt.ItemDataRole.UserRole) + 4     # int clip id (cheap: never loads the row)

FETCH_BLOCK = 256  # rows fetched together when a view reaches an uncached id

Index = QModelIndex | QPersistentModelIndex


class SortField(str, Enum):
    NAME = "name"
    CATEGORY = "category"
    LEVEL = "level"
    DURATION = "duration"
    ADDED = "added"


def sort_key(clip: Clip, field: SortField) -> tuple[Any, ...]:
    """The value ``SortRole`` returns and the ids are sorted by (name breaks ties)."""
    name = clip.name.casefold()
    if field is SortField.CATEGORY:
        return (category_label(clip.category).casefold(), name)
    if field is SortField.LEVEL:
        return (clip.level.rank, name)
    if field is SortField.DURATION:
        return (float(clip.duration_s), name)
    if field is SortField.ADDED:
        return (clip.added_at, clip.id or 0)
    return (name, clip.id or 0)


def format_duration(seconds: float) -> str:
    s = max(0, round(float(seconds)))
    return f"{s // 60}:{s % 60:02d}"


def search_text(clip: Clip) -> str:
    """Lower-cased text the quick filter matches: name, category, tags, notes, teaching notes."""
    return " ".join((clip.name.replace("_", " "), clip.category.replace("_", " "),
                     category_label(clip.category), " ".join(clip.tags), clip.notes,
                     clip.teaching_notes)).casefold()


class ClipListModel(QAbstractListModel):
    """Ordered clip ids with a lazy row cache; see the module docstring."""

    def __init__(self, fetch: Callable[[list[int]], dict[int, Clip]] | None = None,
                 thumbnail: Callable[[Clip], Any] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._thumbnail = thumbnail
        self._ids: list[int] = []
        self._row_of: dict[int, int] = {}
        self._cache: dict[int, Clip] = {}
        self._text: dict[int, str] = {}
        self._tooltip: dict[int, str] = {}
        self._rank_notes: dict[int, str] = {}  # clip id -> why a ranking put it there (tooltip)
        self.sort_field = SortField.NAME
        self.descending = False
        self.fetch_count = 0  # how many block fetches ran (tests and the benchmark look)

    # -- Qt interface --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self._ids)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren | Qt.ItemFlag.ItemIsDragEnabled)

    # Cards are dragged onto class plans: the drag carries clip ids (never rows or files).
    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt override
        return [CLIP_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802 - Qt override
        rows = sorted({i.row() for i in indexes if i.isValid() and 0 <= i.row() < len(self._ids)})
        mime = encode_ids(CLIP_IDS_MIME, [self._ids[r] for r in rows])
        names = [c.name for c in (self.clip_at(r) for r in rows) if c is not None]
        mime.setText("\n".join(names))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802 - Qt override
        return Qt.DropAction.CopyAction

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids) or index.column() != 0:
            return None
        row = index.row()
        if role == ClipIdRole:
            return self._ids[row]
        clip = self.clip_at(row)
        if clip is None:
            return None
        if role == ClipRole:
            return clip
        if role == Qt.ItemDataRole.DisplayRole:
            return move_title(clip.name)  # "basic_2" reads "Basic 2" wherever a view shows it
        if role == ThumbnailRole:
            return self._thumbnail(clip) if self._thumbnail is not None else None
        if role == SortRole:
            return sort_key(clip, self.sort_field)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip_for(clip)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (f"{move_title(clip.name)}, {category_label(clip.category)}, "
                    f"{level_text(clip).lower()}")
        return None

    # -- reading rows (Python side; proxies and the panel use these, not data()) ----------------
    def ids(self) -> list[int]:
        return list(self._ids)

    def id_at(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, clip_id: int) -> int:
        """The row of a clip id, or -1."""
        return self._row_of.get(clip_id, -1)

    def index_of(self, clip_id: int) -> QModelIndex:
        row = self.row_of(clip_id)
        return self.index(row, 0) if row >= 0 else QModelIndex()

    def clip(self, clip_id: int) -> Clip | None:
        row = self.row_of(clip_id)
        return self.clip_at(row) if row >= 0 else None

    def clip_at(self, row: int) -> Clip | None:
        cid = self._ids[row]
        clip = self._cache.get(cid)
        if clip is None and self._fetch is not None:
            self._fetch_block(row)
            clip = self._cache.get(cid)
        return clip

    def search_text_at(self, row: int) -> str:
        cid = self._ids[row]
        text = self._text.get(cid)
        if text is None:
            clip = self.clip_at(row)
            text = search_text(clip) if clip is not None else ""
            self._text[cid] = text
        return text

    def cached_count(self) -> int:
        return len(self._cache)

    def ensure_loaded(self) -> None:
        """Fetch every uncached row (in blocks); filters over all rows call this first."""
        missing = [cid for cid in self._ids if cid not in self._cache]
        if missing and self._fetch is not None:
            for i in range(0, len(missing), 1000):
                self._store_fetched(self._fetch(missing[i:i + 1000]))

    def _fetch_block(self, row: int) -> None:
        start = max(0, row - FETCH_BLOCK // 4)
        block = [cid for cid in self._ids[start:start + FETCH_BLOCK] if cid not in self._cache]
        if block:
            self._store_fetched(self._fetch(block) if self._fetch is not None else {})

    def _store_fetched(self, rows: dict[int, Clip]) -> None:
        self.fetch_count += 1
        self._cache.update(rows)

    def _tooltip_for(self, clip: Clip) -> str:
        assert clip.id is not None
        tip = self._tooltip.get(clip.id)
        if tip is None:
            bits = [f"<b>{_esc(move_title(clip.name))}</b>", _esc(category_label(clip.category)),
                    f"{level_text(clip)} · {energy_text(clip).lower()} · "
                    f"{clip.counts} counts · {format_duration(clip.duration_s)}"]
            if clip.tags:
                bits.append(_esc(", ".join(clip.tags)))
            if clip.analysis_state is AnalysisState.FAILED:
                bits.append(f"Analysis failed: {_esc(clip.analysis_error)}")
            elif clip.analysis_state is not AnalysisState.DONE:
                bits.append("Not analysed yet")
            tip = "<br>".join(bits)
            self._tooltip[clip.id] = tip
        note = self._rank_notes.get(clip.id)
        if not note:
            return tip
        # "pose 0.62 · music 0.40": wrap between the parts only, never inside one
        parts = " · ".join(_esc(p).replace(" ", "&nbsp;") for p in note.split(" · "))
        return f"{tip}<br><i>{parts}</i>"

    def set_rank_notes(self, notes: dict[int, str]) -> None:
        """What ranked each clip of the shown ranking (similar moves), added to its tooltip."""
        self._rank_notes = {int(k): v for k, v in notes.items() if v}

    # -- changing rows -------------------------------------------------------------------------
    def set_rows(self, clips: Iterable[Clip]) -> None:
        """Replace everything with ``clips`` (a reset), in the active sort order."""
        clips = [c for c in clips if c.id is not None]
        self.beginResetModel()
        self._cache = {c.id: c for c in clips}  # type: ignore[misc]
        self._text.clear()
        self._tooltip.clear()
        self._ids = [c.id for c in clips]  # type: ignore[misc]
        self._sort_ids()
        self.endResetModel()

    def set_ids(self, ids: Sequence[int]) -> None:
        """Replace everything with ids only; rows are fetched lazily (kept in the given order)."""
        self.beginResetModel()
        self._cache.clear()
        self._text.clear()
        self._tooltip.clear()
        self._ids = list(dict.fromkeys(int(i) for i in ids))
        self._reindex()
        self.endResetModel()

    def sync(self, clips: Sequence[Clip]) -> None:
        """Bring the model in line with a fresh load: remove, insert and update what changed.

        Many changes at once (a first load, a restore) are one reset instead.
        """
        fresh = {c.id: c for c in clips if c.id is not None}
        gone = [cid for cid in self._ids if cid not in fresh]
        new = [c for cid, c in fresh.items() if cid not in self._row_of]
        if not self._ids or len(gone) + len(new) > 200:
            self.set_rows(list(fresh.values()))
            return
        for cid in gone:
            self.remove(cid)
        for clip in new:
            self.insert(clip)
        for cid, clip in fresh.items():
            old = self._cache.get(cid)
            if old is not None and (old != clip or old.extra != clip.extra):
                self.update_clip(clip)
            elif old is None:
                self._cache[cid] = clip

    def upsert(self, clip: Clip) -> None:
        """Insert a new clip at its sorted place, or update a known one (``dataChanged``)."""
        assert clip.id is not None
        if clip.id in self._row_of:
            self.update_clip(clip)
        else:
            self.insert(clip)

    def insert(self, clip: Clip) -> None:
        assert clip.id is not None
        if clip.id in self._row_of:
            return
        row = self._insertion_row(clip)
        self.beginInsertRows(QModelIndex(), row, row)
        self._cache[clip.id] = clip
        self._ids.insert(row, clip.id)
        self._reindex(row)
        self.endInsertRows()

    def insert_many(self, clips: Sequence[Clip]) -> None:
        for clip in clips:
            self.upsert(clip)

    def remove(self, clip_id: int) -> Clip | None:
        row = self.row_of(clip_id)
        if row < 0:
            return None
        clip = self._cache.get(clip_id)
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._ids[row]
        self._cache.pop(clip_id, None)
        self._text.pop(clip_id, None)
        self._tooltip.pop(clip_id, None)
        self._row_of.pop(clip_id, None)
        self._reindex(row)
        self.endRemoveRows()
        return clip

    def update_clip(self, clip: Clip) -> None:
        """A field of one clip changed: swap the cached row and emit ``dataChanged`` for it."""
        assert clip.id is not None
        row = self.row_of(clip.id)
        if row < 0:
            return
        self._cache[clip.id] = clip
        self._text.pop(clip.id, None)
        self._tooltip.pop(clip.id, None)
        idx = self.index(row, 0)
        self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DisplayRole, ClipRole, SortRole,
                                         Qt.ItemDataRole.ToolTipRole])

    def thumbnail_changed(self, clip_id: int) -> None:
        """Only the picture of one clip changed (the thumbnail job finished)."""
        row = self.row_of(clip_id)
        if row >= 0:
            idx = self.index(row, 0)
            self.dataChanged.emit(idx, idx, [ThumbnailRole])

    def sort_by(self, field: SortField, descending: bool = False) -> None:
        """Reorder the ids in Python and tell views with ``layoutChanged`` (keeps selections)."""
        self.sort_field, self.descending = SortField(field), bool(descending)
        if not self._ids:
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self._ids[i.row()] for i in old]
        self.ensure_loaded()
        self._sort_ids()
        self.changePersistentIndexList(old, [self.index(self._row_of[c], 0) for c in old_ids])
        self.layoutChanged.emit()

    # -- internals -----------------------------------------------------------------------------
    def _sort_ids(self) -> None:
        if all(cid in self._cache for cid in self._ids):
            field = self.sort_field
            self._ids.sort(key=lambda cid: sort_key(self._cache[cid], field), reverse=self.descending)
        self._reindex()

    def _insertion_row(self, clip: Clip) -> int:
        """Binary search for the sorted place (rows fetched on the way as needed)."""
        key = sort_key(clip, self.sort_field)
        lo, hi = 0, len(self._ids)
        while lo < hi:
            mid = (lo + hi) // 2
            other = self.clip_at(mid)
            okey = sort_key(other, self.sort_field) if other is not None else key
            before = okey > key if self.descending else okey < key
            if before:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _reindex(self, start: int = 0) -> None:
        if start == 0:
            self._row_of = {cid: r for r, cid in enumerate(self._ids)}
        else:
            for r in range(start, len(self._ids)):
                self._row_of[self._ids[r]] = r


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
