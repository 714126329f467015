"""What every panel is given: the store, indexes, jobs, settings and a way to ask for navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from bachata_desktop.paths import AppPaths
from bachata_desktop.store import Store
from bachata_desktop.store.indexes import IndexSet
from bachata_desktop.workers.manager import JobManager


class Navigator(QObject):
    """Panels ask the main window to open things; they never reach into each other."""

    open_clip = Signal(int)              # play a library clip in the player
    open_media = Signal(str, object)     # play any media file; second arg: optional beat grid dict
    open_rendered = Signal(str)          # play a rendered video (a preview) as made: no mirror, 1x
    open_song = Signal(int)              # show a song in the Songs area
    open_choreography = Signal(int)      # show a saved choreography in the generator's result view
    show_area = Signal(str)              # "library", "songs", "generator", "plans", "player"
    # add library moves / a saved choreography to a class plan (plan id, or None: the plan open in
    # the Class plans area, a new one if there is none); the plans area shows the result
    add_clips_to_plan = Signal(list, object)
    add_choreography_to_plan = Signal(int, object)
    import_clips = Signal(list)          # list[str] of files / folders to import as moves
    import_songs = Signal(list)          # list[str] of audio files to add as songs
    import_plans = Signal(list)          # list[str] of shared plan files
    status = Signal(str)                 # a short message for the status bar
    library_changed = Signal()           # clips added, edited or deleted
    songs_changed = Signal()
    choreographies_changed = Signal()


@dataclass
class AppContext:
    paths: AppPaths
    store: Store
    indexes: IndexSet
    jobs: JobManager
    navigator: Navigator
    settings: Any = None  # store.settings.AppSettings
