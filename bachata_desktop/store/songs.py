"""Songs: the file, its analysis (JSON of ``core.song.SongAnalysis``) and the instructor's corrections."""

from __future__ import annotations

import json
from typing import Any

from bachata_desktop.store.db import Database, utc_now


def _row_to_song(r: Any) -> Any:
    from bachata_desktop.core.song import Song

    return Song(id=int(r["id"]), title=r["title"], path=r["path"], content_hash=r["content_hash"],
                duration_s=float(r["duration_s"] or 0.0), tempo_bpm=r["tempo_bpm"],
                added_at=r["added_at"])


class SongRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, song: Any) -> Any:
        now = utc_now()
        with self.db.write() as c:
            cur = c.execute(
                "INSERT INTO songs (title, path, content_hash, duration_s, tempo_bpm, added_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?)",
                (song.title, song.path, song.content_hash, song.duration_s, song.tempo_bpm, now, now))
            new_id = int(cur.lastrowid or 0)
        return self.get(new_id)

    def get(self, song_id: int) -> Any:
        r = self.db.query_one("SELECT * FROM songs WHERE id=?", (song_id,))
        return _row_to_song(r) if r else None

    def get_by_hash(self, content_hash: str) -> Any:
        r = self.db.query_one("SELECT * FROM songs WHERE content_hash=?", (content_hash,))
        return _row_to_song(r) if r else None

    def list(self) -> list[Any]:
        return [_row_to_song(r) for r in self.db.query("SELECT * FROM songs ORDER BY title COLLATE NOCASE")]

    def state(self, song_id: int) -> tuple[str, str]:
        r = self.db.query_one("SELECT analysis_state, analysis_error FROM songs WHERE id=?", (song_id,))
        return (r[0], r[1]) if r else ("missing", "")

    def set_state(self, song_id: int, state: str, error: str = "") -> None:
        with self.db.write() as c:
            c.execute("UPDATE songs SET analysis_state=?, analysis_error=?, updated_at=? WHERE id=?",
                      (state, error, utc_now(), song_id))

    def set_analysis(self, song_id: int, analysis: dict[str, Any]) -> None:
        with self.db.write() as c:
            c.execute("UPDATE songs SET analysis=?, tempo_bpm=?, duration_s=?, analysis_state='done', "
                      "analysis_error='', updated_at=? WHERE id=?",
                      (json.dumps(analysis, allow_nan=False), analysis.get("tempo_bpm"),
                       analysis.get("duration", 0.0), utc_now(), song_id))

    def analysis(self, song_id: int) -> dict[str, Any] | None:
        r = self.db.query_one("SELECT analysis FROM songs WHERE id=?", (song_id,))
        return json.loads(r[0]) if r and r[0] else None

    def set_corrections(self, song_id: int, corrections: dict[str, Any]) -> None:
        with self.db.write() as c:
            c.execute("UPDATE songs SET corrections=?, updated_at=? WHERE id=?",
                      (json.dumps(corrections), utc_now(), song_id))

    def corrections(self, song_id: int) -> dict[str, Any]:
        r = self.db.query_one("SELECT corrections FROM songs WHERE id=?", (song_id,))
        return json.loads(r[0]) if r and r[0] else {}

    def rename(self, song_id: int, title: str) -> None:
        with self.db.write() as c:
            c.execute("UPDATE songs SET title=?, updated_at=? WHERE id=?", (title, utc_now(), song_id))

    def delete(self, song_id: int) -> None:
        with self.db.write() as c:
            c.execute("DELETE FROM songs WHERE id=?", (song_id,))
