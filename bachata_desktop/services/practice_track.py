"""A counted practice track for a song file or a library song: finds its grid, then renders.

The grid is the instructor's corrected grid when the song is in the library (same content hash),
else the file is analysed on the spot (nothing is stored). A choreography adds its move names
(called a phrase ahead) and, unless a span is given, limits the track to the choreography's span.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bachata_desktop.core.clip import move_title
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.song import SongAnalysis
from bachata_desktop.core.task import NullContext, SubContext, TaskContext
from bachata_desktop.services.practice_audio import (
    PracticeOptions,
    PracticeReport,
    render_practice_track,
)


def song_grid(ctx: TaskContext, store: Any, path: Path) -> SongAnalysis:
    """The corrected analysis of the library song with this content, else a fresh analysis."""
    from bachata_desktop.services.songs import _hash, load_analysis

    if store is not None and path.is_file():
        song = store.songs.get_by_hash(_hash(path))
        if song is not None:
            a = load_analysis(store, song.id)
            if a is not None:
                return a
    from bachata_desktop.analysis.audio.analyze import analyze_song

    return analyze_song(path, ctx)


def choreography_moves(choreo: Any) -> list[tuple[float, str]]:
    """(start time, readable name) of each move of a choreography, in order."""
    return [(float(s.start), move_title(s.name) if s.name else s.category) for s in choreo.slots]


def make_practice_track(ctx: TaskContext | None, store: Any, song_path: str | Path, out: str | Path,
                        options: PracticeOptions, choreography: Any = None,
                        analysis: SongAnalysis | None = None) -> PracticeReport:
    """Render the practice track of ``song_path`` (a job); ``analysis`` skips the grid look-up."""
    from bachata_desktop.core.count_cues import check_speed
    from bachata_desktop.services.practice_audio import FORMATS

    ctx = ctx or NullContext()
    path = Path(song_path)
    if not path.is_file():
        raise InputError(f"song file not found: {path}")
    check_speed(options.speed)                      # cheap checks before the analysis
    if Path(out).suffix.lower() not in FORMATS:
        raise InputError(f"the practice track must end in {', '.join(FORMATS)}: {Path(out).name}")
    if analysis is None:
        analysis = song_grid(SubContext(ctx, 0.0, 0.3, prefix="grid: "), store, path)
    moves: list[tuple[float, str]] = []
    if choreography is not None:
        moves = choreography_moves(choreography)
        if options.start is None and options.end is None and choreography.slots:
            options = PracticeOptions(**{**options.__dict__, "start": choreography.slots[0].start,
                                         "end": min(choreography.slots[-1].end, analysis.duration)})
    times = [b.time for b in analysis.beats]
    counts = [b.count for b in analysis.beats]
    return render_practice_track(SubContext(ctx, 0.3, 1.0), path, times, counts, analysis.duration,
                                 out, options, moves)


__all__ = ["choreography_moves", "make_practice_track", "song_grid"]
