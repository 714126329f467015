"""Small pieces of the library panel: the grid view, the filter bar and the message banner."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from bachata_desktop.core.clip import CATEGORIES, Energy, Level, RoleFocus, category_label
from bachata_desktop.ui.library.delegate import CARD_SIZE, ClipCardDelegate
from bachata_desktop.ui.library.model import SortField
from bachata_desktop.ui.library.proxy import Analysed, LibraryFilter

GAP = 6  # pixels between cards


class ClipGrid(QListView):
    """A wrapping grid of same-size cards; lays out 10,000 items without measuring each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clipGrid")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(1000)
        self.setGridSize(QSize(CARD_SIZE.width() + GAP, CARD_SIZE.height() + GAP))
        self.setSpacing(0)
        self.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setMouseTracking(True)
        # cards are dragged onto class plans (copied; the grid itself takes no drops)
        self.setDragEnabled(True)
        self.setDragDropMode(QListView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.card_delegate = ClipCardDelegate(self)
        self.setItemDelegate(self.card_delegate)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        # Stretch the cards so the columns fill the width (no ragged gap on the right).
        width = self.viewport().width() - 2
        cols = max(1, width // (CARD_SIZE.width() + GAP))
        cell = QSize(max(CARD_SIZE.width() + GAP, width // cols), CARD_SIZE.height() + GAP)
        if cell != self.gridSize():
            self.card_delegate.card_size = QSize(cell.width() - GAP, CARD_SIZE.height())
            self.setGridSize(cell)
        super().resizeEvent(event)


# banner kinds used by the panel -> the look they get
BANNER_LOOK = {"success": "success", "info": "info", "search": "info", "undo": "info",
               "warning": "warning", "error": "error"}
BANNER_ICONS = {"success": "✓", "info": "ℹ", "warning": "⚠", "error": "✕"}


class Banner(QFrame):
    """A one-line message above the grid with an optional action (Undo, Clear, Show details)."""

    action_clicked = Signal(str)  # the action's key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 6, 6, 6)
        self.label = QLabel()
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.label, 1)
        self.action = QPushButton()
        self.action.setObjectName("bannerAction")
        self.action.clicked.connect(lambda: self.action_clicked.emit(self._key))
        lay.addWidget(self.action)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)
        lay.addWidget(self.close_button)
        self._key = ""
        self.kind = ""
        self.hide()

    def show_message(self, text: str, action: str = "", key: str = "", kind: str = "info",
                     details: str = "") -> None:
        self.kind = kind
        self._key = key
        # colour by what it means (success / info / warning / error), not one alarm colour
        self.setProperty("kind", BANNER_LOOK.get(kind, "info"))
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(f"{BANNER_ICONS[BANNER_LOOK.get(kind, 'info')]}  {text}")
        self.label.setToolTip(details)
        self.action.setText(action)
        self.action.setVisible(bool(action))
        self.show()

    def dismiss(self) -> None:
        self.kind = ""
        self._key = ""
        self.hide()


class FilterBar(QWidget):
    """Category, level, energy, role focus, analysed and sort pickers."""

    filter_changed = Signal(object)   # LibraryFilter (text left empty: the search box owns it)
    sort_changed = Signal(object, bool)  # SortField, descending

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self.category = QComboBox()
        self.category.setMinimumContentsLength(12)
        self.set_categories(())
        self.level = _combo([("Any level", None)] + [(lv.value.capitalize(), lv) for lv in Level])
        self.energy = _combo([("Any energy", None)]
                             + [(f"{e.value.capitalize()} energy", e) for e in Energy])
        self.role = _combo([("Any role", None), ("Lead focus", RoleFocus.LEAD),
                            ("Follow focus", RoleFocus.FOLLOW), ("Both roles", RoleFocus.BOTH)])
        self.analysed = _combo([("Analysed or not", Analysed.ANY), ("Analysed", Analysed.DONE),
                                ("Not analysed yet", Analysed.NOT_DONE),
                                ("Analysis failed", Analysed.FAILED)])
        for w in (self.category, self.level, self.energy, self.role, self.analysed):
            lay.addWidget(w)
            w.currentIndexChanged.connect(self._emit_filter)
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setObjectName("linkButton")
        self.clear_button.setFlat(True)
        self.clear_button.clicked.connect(self.clear)
        self.clear_button.hide()
        lay.addWidget(self.clear_button)
        lay.addStretch(0)   # stretch 0: the pickers (Expanding, see showEvent) get space first
        lay.addWidget(QLabel("Sort"))
        self.sort = _combo([("Name", SortField.NAME), ("Category", SortField.CATEGORY),
                            ("Level", SortField.LEVEL), ("Length", SortField.DURATION),
                            ("Recently added", SortField.ADDED)])
        self.sort.currentIndexChanged.connect(self._emit_sort)
        lay.addWidget(self.sort)
        self._blocked = False
        self.fit_pickers()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        self.fit_pickers()    # also the pickers other areas added (the class filter)
        super().showEvent(event)

    def fit_pickers(self) -> None:
        """Let every picker shrink to 6 characters in a narrow window and grow back to its full
        text when there is room: the full row is wider than the library area of a 1280 screen."""
        for combo in self.findChildren(QComboBox):
            shrinkable = QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            natural = combo.sizeHint().width()
            combo.setSizeAdjustPolicy(shrinkable)
            combo.setMinimumContentsLength(6)
            combo.setMaximumWidth(natural)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            if not combo.toolTip():
                combo.setToolTip("Sort the moves" if combo is self.sort else "Show only these moves")

    def set_categories(self, present: tuple[str, ...] | list[str] | set[str]) -> None:
        """All 16 original categories plus user-defined ones found in the library."""
        current = self.category.currentData() if self.category.count() else None
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem("All categories", None)
        extra = sorted(k for k in set(present) if k not in CATEGORIES)
        for key in sorted(CATEGORIES, key=category_label) + extra:
            self.category.addItem(category_label(key), key)
        i = self.category.findData(current) if current is not None else 0
        self.category.setCurrentIndex(max(0, i))
        self.category.blockSignals(False)
        if hasattr(self, "sort"):     # built: the new names may be longer
            self.fit_pickers()

    def current(self) -> LibraryFilter:
        analysed = self.analysed.currentData()
        return LibraryFilter(
            category=self.category.currentData(),
            level=_enum_or_none(Level, self.level.currentData()),
            energy=_enum_or_none(Energy, self.energy.currentData()),
            role_focus=_enum_or_none(RoleFocus, self.role.currentData()),
            analysed=Analysed(analysed) if analysed else Analysed.ANY)

    def set_filter(self, flt: LibraryFilter) -> None:
        self._blocked = True
        try:
            _select(self.category, flt.category)
            _select(self.level, flt.level)
            _select(self.energy, flt.energy)
            _select(self.role, flt.role_focus)
            _select(self.analysed, flt.analysed)
        finally:
            self._blocked = False
        self._emit_filter()

    def clear(self) -> None:
        self.set_filter(LibraryFilter())

    def _emit_filter(self) -> None:
        if self._blocked:
            return
        flt = self.current()
        self.clear_button.setVisible(flt.active)
        self.filter_changed.emit(flt)

    def _emit_sort(self) -> None:
        field = SortField(self.sort.currentData())
        self.sort_changed.emit(field, field is SortField.ADDED)


def _combo(items: list[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    for label, value in items:
        # Qt keeps str enums as plain strings; store .value and convert back on read
        combo.addItem(label, getattr(value, "value", value))
    return combo


def _select(combo: QComboBox, value: object) -> None:
    want = getattr(value, "value", value)
    for i in range(combo.count()):
        if combo.itemData(i) == want:
            combo.setCurrentIndex(i)
            return


def _enum_or_none(enum: type, value: object) -> object:
    return None if value is None else enum(value)
