"""The store facade: one database, its repositories, and where the media live."""

from __future__ import annotations

from pathlib import Path

from bachata_desktop.paths import AppPaths
from bachata_desktop.store.db import Database
from bachata_desktop.store.groups import GroupRepo
from bachata_desktop.store.repos import (
    AnalysisRepo,
    ClipRepo,
    DocumentRepo,
    EmbeddingRepo,
    MarkerRepo,
    QueueRepo,
    SettingsRepo,
)
from bachata_desktop.store.songs import SongRepo


class Store:
    """Everything persisted about the library. Create with :meth:`open`."""

    def __init__(self, db: Database, paths: AppPaths) -> None:
        self.db = db
        self.paths = paths
        self.clips = ClipRepo(db)
        self.analyses = AnalysisRepo(db)
        self.embeddings = EmbeddingRepo(db)
        self.songs = SongRepo(db)
        self.markers = MarkerRepo(db)
        self.choreographies = DocumentRepo(db, "choreographies", ("song_id", "level", "tags", "search_text"))
        self.plans = DocumentRepo(db, "plans", ("plan_date", "level"))
        self.queue = QueueRepo(db)
        self.settings = SettingsRepo(db)
        self.groups = GroupRepo(db)  # classes and students

    @classmethod
    def open(cls, paths: AppPaths) -> Store:
        paths.ensure()
        return cls(Database.open(paths.database, paths.backups), paths)

    def media_file(self, media_path: str) -> Path:
        """Absolute path of a stored media file (clips and songs are stored relative)."""
        p = Path(media_path)
        return p if p.is_absolute() else self.paths.media / p

    def close(self) -> None:
        self.db.close()
