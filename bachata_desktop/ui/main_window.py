"""The main window: a sidebar of areas, the area pages, a jobs dock and drag-and-drop dispatch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop import APP_NAME, __version__
from bachata_desktop.core.errors import BachataError
from bachata_desktop.core.media_types import AUDIO_EXTENSIONS, VIDEO_EXTENSIONS, classify
from bachata_desktop.paths import resource
from bachata_desktop.ui.about import AboutDialog
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.db_watch import DatabaseWatcher
from bachata_desktop.ui.groups.hooks import ClassHooks
from bachata_desktop.ui.groups.panel import ClassesPanel
from bachata_desktop.ui.help import (
    GUIDE_HTML,
    HelpWindow,
    player_shortcut_rows,
    shortcuts_html,
    window_shortcut_rows,
)
from bachata_desktop.ui.last_folder import last_folder, remember_folder
from bachata_desktop.ui.library.panel import LibraryPanel
from bachata_desktop.ui.mime import CHOREOGRAPHY_IDS_MIME, CLIP_IDS_MIME
from bachata_desktop.ui.notify import JobNotifier
from bachata_desktop.ui.plans.panel import PlansPanel
from bachata_desktop.ui.player.panel import PlayerPanel
from bachata_desktop.ui.songs.panel import SongsPanel
from bachata_desktop.ui.widgets.drag_switch import DragHoverSwitcher
from bachata_desktop.ui.widgets.jobs_panel import JobsButton, JobsPanel
from bachata_desktop.ui.wizard.panel import GeneratorPanel

AREAS: tuple[tuple[str, str, str], ...] = (
    ("library", "Library", "Ctrl+1"),
    ("songs", "Songs", "Ctrl+2"),
    ("generator", "Generator", "Ctrl+3"),
    ("plans", "Class plans", "Ctrl+4"),
    ("player", "Player", "Ctrl+5"),
    ("classes", "Classes", "Ctrl+6"),
)
ICONS = {"library": "▦", "songs": "♫", "generator": "✦", "plans": "☰", "player": "▶", "classes": "☺"}


class MainWindow(QMainWindow):
    drop_rejected = Signal(str)  # the message shown for a drop we cannot use (tests listen)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.resize(1280, 800)
        self.setMinimumSize(960, 600)

        self.library = LibraryPanel(ctx)
        self.songs = SongsPanel(ctx)
        self.generator = GeneratorPanel(ctx)
        self.plans = PlansPanel(ctx)
        self.player = PlayerPanel(ctx)
        self.pages: dict[str, QWidget] = {"library": self.library, "songs": self.songs,
                                          "generator": self.generator, "plans": self.plans,
                                          "player": self.player}
        self.classes = ClassesPanel(ctx)
        self.pages["classes"] = self.classes
        self.classes.plan_drafted.connect(self._on_classes_plan_drafted)
        self.class_hooks = ClassHooks(ctx, self.library, self.player)  # badges, filter, status
        self.classes.groups_changed.connect(self.class_hooks.groups_changed)
        self._build_layout()
        self._build_menus()
        self._build_jobs_dock()
        self._connect_navigator()
        self._restore_state()
        self._watch_outside_changes()

    # -- layout ------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        central = QWidget()
        central.setObjectName("central")
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        side = QWidget()
        side.setFixedWidth(206)
        side_lay = QVBoxLayout(side)
        side_lay.setContentsMargins(0, 0, 0, 0)
        side_lay.setSpacing(0)
        brand = QLabel(APP_NAME)
        brand.setObjectName("brand")
        icon = resource("icons", "app.png")
        if icon.exists():  # an emoji here would be a box on systems without an emoji font
            brand.setText(f"<img src='{icon.as_posix()}' width='22' height='22' "
                          f"style='vertical-align: middle'>&nbsp;{APP_NAME}")
        sub = QLabel("for bachata instructors")
        sub.setObjectName("brandSub")
        side_lay.addWidget(brand)
        side_lay.addWidget(sub)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        for key, label, shortcut in AREAS:
            item = QListWidgetItem(f"{ICONS[key]}   {label}")
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{label} ({shortcut})")
            self.nav.addItem(item)
        side_lay.addWidget(self.nav, 1)
        row.addWidget(side)
        self.stack = QStackedWidget()
        for key, _label, _ in AREAS:
            self.stack.addWidget(self.pages[key])
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        # a move or choreography dragged over an area's entry opens that area (to reach a plan)
        self.nav_drag_switcher = DragHoverSwitcher(self.nav, (CLIP_IDS_MIME, CHOREOGRAPHY_IDS_MIME))

    def _action(self, menu: QMenu, label: str, slot: Callable[[], object],
                shortcut: QKeySequence | str | None = None, tip: str = "") -> QAction:
        """A menu entry: label, handler, optional shortcut and tooltip."""
        act = QAction(label, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        if tip:
            act.setToolTip(tip)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "Import clips…", self._on_import_clips_triggered, "Ctrl+I")
        self._action(file_menu, "Import a folder of clips…", self._on_import_folder_triggered)
        self._action(file_menu, "Import a folder with an annotations file…",
                     self._on_import_annotated_triggered,
                     tip="For clips whose bachata_annotations.json is kept in another folder")
        self._action(file_menu, "Add songs…", self._on_add_songs_triggered, "Ctrl+Shift+O")
        file_menu.addSeparator()
        self._action(file_menu, "Show library folder",
                     lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ctx.paths.data))))
        file_menu.addSeparator()
        self._action(file_menu, "Quit", self.close, QKeySequence.StandardKey.Quit)

        view = self.menuBar().addMenu("&View")
        for i, (key, label, shortcut) in enumerate(AREAS):
            act = self._action(view, label, lambda _=False, r=i: self.nav.setCurrentRow(r), shortcut)
            setattr(self, f"action_show_{key}", act)
        self.view_menu = view

        settings_menu = self.menuBar().addMenu("&Settings")
        self.action_gemini_key = self._action(
            settings_menu, "Online assistant (Gemini) key…", self.ask_gemini_key,
            tip="Only free-text requests and teaching notes go online, and only with a key; "
                "everything else works offline")

        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "Getting started", self.show_guide)
        self._action(help_menu, "Keyboard shortcuts", self.show_shortcuts, "Ctrl+/")
        help_menu.addSeparator()
        self.help_windows: dict[str, QWidget] = {}
        self._action(help_menu, f"About {APP_NAME}", self.show_about)

    def _build_jobs_dock(self) -> None:
        self.jobs_panel = JobsPanel(self.ctx.jobs)
        self.jobs_dock = QDockWidget("Tasks", self)
        self.jobs_dock.setObjectName("jobsDock")
        self.jobs_dock.setWidget(self.jobs_panel)
        self.jobs_dock.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea
                                       | Qt.DockWidgetArea.RightDockWidgetArea)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.jobs_dock)
        self.jobs_dock.hide()
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.jobs_dock.toggleViewAction())
        self.jobs_button = JobsButton(self.ctx.jobs)
        self.jobs_button.clicked.connect(self._on_jobs_button_clicked)
        self.statusBar().addPermanentWidget(self.jobs_button)
        # The dock opens only when asked (this button, View > Tasks): opening it by itself when
        # work started made the whole layout jump. The button shows the running work meanwhile.
        self.statusBar().showMessage(f"{APP_NAME} {__version__} · library at {self.ctx.paths.data}", 8000)

    def _on_jobs_button_clicked(self) -> None:
        self.jobs_dock.setVisible(not self.jobs_dock.isVisible())

    def _connect_navigator(self) -> None:
        nav = self.ctx.navigator
        nav.show_area.connect(self.show_area)
        nav.status.connect(lambda msg: self.statusBar().showMessage(msg, 8000))
        nav.open_clip.connect(self._on_navigator_open_clip)
        nav.open_media.connect(self._on_navigator_open_media)
        nav.open_rendered.connect(self._on_navigator_open_rendered)
        nav.open_song.connect(lambda _id: self.show_area("songs"))
        nav.open_choreography.connect(lambda _id: self.show_area("generator"))

    def show_area(self, key: str) -> None:
        for row, (k, _l, _s) in enumerate(AREAS):
            if k == key:
                self.nav.setCurrentRow(row)
                return

    def current_area(self) -> str:
        return AREAS[self.nav.currentRow()][0]

    def _on_classes_plan_drafted(self, plan_id: int) -> None:
        self.plans.reload(select_id=plan_id)
        self.show_area("plans")

    def _on_navigator_open_clip(self, clip_id: int) -> None:
        self.show_area("player")
        self.player.open_clip(clip_id)

    def _on_navigator_open_media(self, path: str, grid: object) -> None:
        self.show_area("player")
        self.player.open_media(path, grid)

    def _on_navigator_open_rendered(self, path: str) -> None:
        self.show_area("player")
        self.player.open_rendered(path)

    # -- drag and drop -------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        self.handle_paths(paths)
        event.acceptProposedAction()

    def handle_paths(self, paths: list[Path]) -> None:
        """Dispatch dropped or opened files by type: clips → library, songs → Songs, plans → plans."""
        plan = classify(paths)
        nav = self.ctx.navigator
        if plan.clips:
            self.show_area("library")
            nav.import_clips.emit([str(p) for p in plan.clips])
        if plan.songs:
            if not plan.clips:
                self.show_area("songs")
            nav.import_songs.emit([str(p) for p in plan.songs])
        if plan.plans:
            self.show_area("plans")
            nav.import_plans.emit([str(p) for p in plan.plans])
        if plan.rejected or not paths:
            msg = plan.rejection_message() or "Nothing to import in that drop."
            self.statusBar().showMessage(msg, 10000)
            self.drop_rejected.emit(msg)
            if plan.empty:
                QMessageBox.information(self, "Cannot import", msg)

    def _on_import_clips_triggered(self) -> None:
        exts = " ".join(f"*{e}" for e in sorted(VIDEO_EXTENSIONS))
        files, _ = QFileDialog.getOpenFileNames(self, "Import clips",
                                                last_folder(self.ctx.paths, "clips"),
                                                f"Video clips ({exts})")
        if files:
            remember_folder(self.ctx.paths, "clips", files[0])
            self.handle_paths([Path(f) for f in files])

    def _on_import_folder_triggered(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of clips",
                                                  last_folder(self.ctx.paths, "clips"))
        if folder:
            remember_folder(self.ctx.paths, "clips", folder)
            self.handle_paths([Path(folder)])

    def _on_import_annotated_triggered(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of clips",
                                                  last_folder(self.ctx.paths, "clips"))
        if not folder:
            return
        remember_folder(self.ctx.paths, "clips", folder)
        notes, _ = QFileDialog.getOpenFileName(self, "Its annotations file",
                                               last_folder(self.ctx.paths, "annotations", folder),
                                               "Annotations (*.json)")
        if notes:
            remember_folder(self.ctx.paths, "annotations", notes)
            self.import_with_annotations(folder, notes)

    def import_with_annotations(self, folder: str, annotations: str) -> object:
        """Import ``folder`` with an annotations file kept elsewhere (level, energy, tempo)."""
        self.show_area("library")
        return self.library.import_paths([folder], annotations)

    def _on_add_songs_triggered(self) -> None:
        exts = " ".join(f"*{e}" for e in sorted(AUDIO_EXTENSIONS))
        files, _ = QFileDialog.getOpenFileNames(self, "Add songs", last_folder(self.ctx.paths, "songs"),
                                                f"Songs ({exts})")
        if files:
            remember_folder(self.ctx.paths, "songs", files[0])
            self.handle_paths([Path(f) for f in files])

    def ask_gemini_key(self) -> None:
        """Store the Gemini API key in the system keychain (never in a file or a log)."""
        from bachata_desktop.analysis.llm import gemini

        text, ok = QInputDialog.getText(
            self, "Online assistant (Gemini)",
            "Paste your Gemini API key. It is kept in the system keychain and used only for\n"
            "free-text requests and teaching notes. Leave empty to remove it.",
            QLineEdit.EchoMode.Password)
        if not ok:
            return
        key = text.strip() or None

        def save(_ctx: object) -> bool:
            try:
                gemini.set_api_key(key)
            except Exception as exc:  # no keychain on this system: say so, never store in clear
                raise BachataError(f"The system keychain is not available ({type(exc).__name__}); "
                                   "the key was not stored.") from exc
            return key is not None

        self.ctx.jobs.submit(save, pool="io", title="Saving the Gemini key", visible=False,
                             on_finished=lambda stored: self.statusBar().showMessage(
                                 "Gemini key stored in the system keychain" if stored
                                 else "Gemini key removed", 8000),
                             on_failed=lambda e: self.statusBar().showMessage(e, 10000))

    def _help_window(self, key: str, title: str, body: str) -> QWidget:
        win = self.help_windows.get(key)
        if win is None:
            win = self.help_windows[key] = HelpWindow(title, body, self)
        win.show()
        win.raise_()
        return win

    def show_guide(self) -> QWidget:
        return self._help_window("guide", "Getting started", GUIDE_HTML)

    def show_shortcuts(self) -> QWidget:
        window_actions = [a for m in self.menuBar().findChildren(QMenu) for a in m.actions()]
        body = shortcuts_html([("Everywhere", window_shortcut_rows(window_actions)),
                               ("Library", window_shortcut_rows(
                                   [*self.library.actions(), *self.library.grid.actions()])),
                               ("Player", player_shortcut_rows())])
        return self._help_window("keys", "Keyboard shortcuts", body)

    def _watch_outside_changes(self) -> None:
        """A CLI import (or another tool) while the window is open shows up without a restart."""
        self.db_watcher = DatabaseWatcher(self.ctx.paths.database, self)
        self.db_watcher.clips_changed.connect(self.ctx.navigator.library_changed.emit)
        self.db_watcher.songs_changed.connect(self.ctx.navigator.songs_changed.emit)
        self.db_watcher.start()
        self.notifier = JobNotifier(self, self.ctx.jobs)
        if self.db_watcher.clip_count() == 0 and not self._settings().value("guide_offered"):
            self._settings().setValue("guide_offered", True)
            self.statusBar().showMessage("New here? Help → Getting started explains the app in "
                                         "one minute.", 30000)

    def show_about(self) -> None:
        AboutDialog(self.ctx.paths, self).exec()

    # -- state ---------------------------------------------------------------------------------
    def _settings(self) -> QSettings:
        return QSettings(str(self.ctx.paths.config / "window.ini"), QSettings.Format.IniFormat)

    def _restore_state(self) -> None:
        s = self._settings()
        geo = s.value("geometry")
        if isinstance(geo, QByteArray):
            self.restoreGeometry(geo)
        else:
            self._fit_first_window()
        state = s.value("state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        area = str(s.value("area", "library"))
        # the player opens empty after a restart: start where the work is instead
        self.show_area("library" if area == "player" else area)

    def _fit_first_window(self) -> None:
        """First start: 1280x800 where it fits, else the screen's free area (a 1280x720 laptop
        would get a window taller than its screen)."""
        screen = self.screen()
        if screen is None:
            return
        free = screen.availableGeometry()
        title_bar = 32     # the window manager's frame is not known before the first show
        self.resize(min(self.width(), free.width()), min(self.height(), free.height() - title_bar))
        self.move(free.x() + (free.width() - self.width()) // 2,
                  free.y() + (free.height() - self.height()) // 2)

    def save_state(self) -> None:
        s = self._settings()
        s.setValue("geometry", self.saveGeometry())
        s.setValue("state", self.saveState())   # the Tasks list opens only when the user asks
        s.setValue("area", self.current_area())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.db_watcher.stop()
        self.save_state()
        for page in self.pages.values():
            closer = getattr(page, "shutdown", None)
            if callable(closer):
                closer()
        super().closeEvent(event)
