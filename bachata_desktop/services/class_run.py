"""What the run-the-class screen plays for a plan item: the song file, its grid and the moves.

A choreography item plays its song with the choreography's moves; a song item plays the song with
its counts and sections; anything else (a move clip, an exercise) has no music: the screen shows
the item and its timer only. Runs as a job (it reads the store); bad references give one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bachata_desktop.core.class_run import RoutineClock
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.task import TaskContext


@dataclass(frozen=True)
class Routine:
    title: str
    media: Path
    clock: RoutineClock
    tempo_bpm: float


def load_routine(_ctx: TaskContext | None, store: Any, kind: str, ref_id: int | None) -> Routine | None:
    """The music of a plan item (``kind`` "choreography" or "song"), or None when it has none."""
    from bachata_desktop.services.generate import load_choreography
    from bachata_desktop.services.songs import load_analysis

    if ref_id is None or kind not in ("choreography", "song"):
        return None
    choreo = None
    if kind == "choreography":
        choreo = load_choreography(store, int(ref_id))
        song_id = choreo.song.song_id
        title = choreo.song.title or "Choreography"
    else:
        song_id, title = int(ref_id), ""
    song = store.songs.get(song_id) if song_id is not None else None
    if song is None:
        raise InputError(f"the song of '{title or ref_id}' is no longer in the library")
    analysis = load_analysis(store, int(song.id))
    if analysis is None:
        raise InputError(f"'{song.title}' has not been analysed yet: open it in Songs first")
    media = store.media_file(song.path)
    if not Path(media).is_file():
        raise InputError(f"the file of '{song.title}' is missing: {media}")
    return Routine(title or song.title, Path(media), RoutineClock.from_analysis(analysis, choreo),
                   float(analysis.tempo_bpm))


__all__ = ["Routine", "load_routine"]
