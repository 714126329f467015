"""Songs in the library: import (hash, analyse, copy), analysis cached by content hash, corrections.

A song is analysed once: its analysis (``core.song.SongAnalysis`` as JSON) is stored with the song,
keyed by the file's SHA-256, and reused while ``analysis_version`` matches. The instructor's
corrections are stored beside it, never baked in, so a better analysis later still gets them;
:func:`load_analysis` returns the corrected grid that the player, generator and export use.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from bachata_desktop.core.errors import BachataError, Cancelled, InputError
from bachata_desktop.core.song import (
    ANALYSIS_VERSION,
    GRID_RULES,
    GridCorrection,
    Song,
    SongAnalysis,
    apply_correction,
)
from bachata_desktop.core.task import NullContext, SubContext, TaskContext, check_cancelled

SONGS_FOLDER = "songs"
AUDIO_MODEL_ID = f"bachata-audio-v{ANALYSIS_VERSION}"   # same id as the clips' audio embeddings


@dataclass(frozen=True)
class SongImportResult:
    songs: tuple[Song, ...]            # every song now in the library from this import
    analysed: int                      # analysed in this run
    cached: int                        # already in the library with a current analysis
    errors: tuple[str, ...]            # one clear line per file that could not be added

    def summary(self) -> str:
        parts = [f"{len(self.songs)} song{'s' if len(self.songs) != 1 else ''} ready"]
        if self.cached:
            parts.append(f"{self.cached} already in the library")
        if self.errors:
            parts.append(f"{len(self.errors)} not added: " + "; ".join(self.errors[:3]))
        return ", ".join(parts)


def _hash(path: Path) -> str:
    from bachata_desktop.services.library_import import file_hash

    try:
        return file_hash(path)
    except OSError as exc:
        raise InputError(f"cannot read {path.name}: {exc.strerror or exc}") from exc


def _store_analysis(store: Any, song_id: int, analysis: SongAnalysis, hint: float | None = None) -> None:
    store.songs.set_analysis(song_id, {**analysis.to_dict(), "grid_rules": GRID_RULES, "tempo_hint": hint})
    store.embeddings.put("song", song_id, "audio", np.asarray(analysis.embedding, np.float32),
                         AUDIO_MODEL_ID)


def cached_analysis(store: Any, song_id: int) -> SongAnalysis | None:
    """The stored analysis (uncorrected) if it is of the current version and grid rules."""
    data = store.songs.analysis(song_id)
    if not data or _outdated(data, _hint(store, song_id)):
        return None
    return SongAnalysis.from_dict(data)


def _hint(store: Any, song_id: int) -> float | None:
    return get_correction(store, song_id).tempo_hint_bpm


def _outdated(data: dict[str, Any], hint: float | None = None) -> bool:
    """Made by an older analysis, or not with the tempo hint the instructor tapped."""
    stored = data.get("tempo_hint")
    return (int(data.get("analysis_version", 0)) != ANALYSIS_VERSION
            or int(data.get("grid_rules", 1)) < GRID_RULES
            or (stored is None) != (hint is None)
            or (stored is not None and hint is not None and abs(float(stored) - hint) > 1e-6))


def is_outdated(store: Any, song_id: int) -> bool:
    """True when the song was analysed, but by an older analysis (it is analysed again on use)."""
    data = store.songs.analysis(song_id)
    return bool(data) and _outdated(data, _hint(store, song_id))


def _analyse(media: Path, ctx: TaskContext, hint: float | None) -> SongAnalysis:
    from bachata_desktop.analysis.audio.analyze import analyze_song, tempo_hint_config

    return analyze_song(media, ctx, tempo_hint_config(hint) if hint else None)


def get_correction(store: Any, song_id: int) -> GridCorrection:
    return GridCorrection.from_dict(store.songs.corrections(song_id))


def load_analysis(store: Any, song_id: int, corrected: bool = True) -> SongAnalysis | None:
    """The song's analysis with the instructor's corrections applied (None if not analysed)."""
    a = cached_analysis(store, song_id)
    if a is None or not corrected:
        return a
    return apply_correction(a, get_correction(store, song_id))


def save_correction(store: Any, song_id: int, correction: GridCorrection) -> SongAnalysis | None:
    """Persist the correction; returns the corrected analysis."""
    store.songs.set_corrections(song_id, correction.to_dict())
    return load_analysis(store, song_id)


_HASHED_NAME = re.compile(r"^[0-9a-f]{12}_(.+)$")


def readable_title(stem: str) -> str:
    """A file name as a title: "Kevin_MacLeod_-_Vibe_Ace" -> "Kevin MacLeod - Vibe Ace"."""
    return " ".join(stem.replace("_", " ").split())


def title_for_media(store: Any, path: str | Path) -> str:
    """What to call a media file on screen: a library song's title, else its file name without
    the content-hash prefix the library gives its copies ("3fa9c0d1e2b4_Vibe_Ace" -> "Vibe Ace")."""
    p = Path(path)
    if store is not None:
        try:
            target = p.resolve()
            for song in store.songs.list():
                if store.media_file(song.path).resolve() == target:
                    return readable_title(song.title) or p.stem
        except OSError:
            pass
    m = _HASHED_NAME.match(p.stem)
    stem = m.group(1) if m else p.stem
    return readable_title(stem) or p.name


def add_song(ctx: TaskContext, store: Any, path: str | Path, title: str | None = None
             ) -> tuple[Song, bool]:
    """(song, analysed_now). Known content (same hash) is not analysed or copied again."""
    from bachata_desktop.services.library_import import copy_to_part, safe_file_name

    src = Path(path)
    if not src.is_file():
        raise InputError(f"song file not found: {src}")
    h = _hash(src)
    existing = store.songs.get_by_hash(h)
    if existing is not None and cached_analysis(store, existing.id) is not None:
        ctx.report(1.0, "already analysed")
        return existing, False
    media = store.media_file(existing.path) if existing is not None else src
    if not media.is_file():
        media = src
    hint = _hint(store, existing.id) if existing is not None else None
    analysis = _analyse(media, ctx, hint)           # validates the audio before anything is copied
    check_cancelled(ctx)
    if existing is not None:
        _store_analysis(store, existing.id, analysis, hint)
        return store.songs.get(existing.id), True
    rel = PurePosixPath(SONGS_FOLDER) / f"{h[:12]}_{safe_file_name(src.stem)}{src.suffix.lower()}"
    dest = store.paths.media / Path(*rel.parts)
    # Copied to a .import-<pid>-*.part outside the lock, renamed into place inside the transaction
    # that adds the row: a process killed mid-import leaves only the .part (removed at the next
    # start), never a song file without its row.
    tmp = None if dest.exists() else copy_to_part(src, dest.parent)
    placed = False
    try:
        with store.db.write():
            if tmp is not None:
                os.replace(tmp, dest)
                placed = True
            song = store.songs.add(Song(id=None, title=title or readable_title(src.stem),
                                        path=str(rel), content_hash=h,
                                        duration_s=round(analysis.duration, 3),
                                        tempo_bpm=round(analysis.tempo_bpm, 2)))
            _store_analysis(store, song.id, analysis)
    except BaseException:
        if placed:
            with contextlib.suppress(OSError):
                dest.unlink()
        raise
    finally:
        if tmp is not None and not placed:
            with contextlib.suppress(OSError):
                tmp.unlink()
    return store.songs.get(song.id), True


def import_songs(ctx: TaskContext, store: Any, paths: list[str] | list[Path] | tuple[Path, ...]
                 ) -> SongImportResult:
    """Add and analyse several songs (a job); one bad file does not stop the others.

    Each added song is sent as ``ctx.partial(song)`` as soon as it is ready.
    """
    ctx = ctx or NullContext()
    files = [Path(p) for p in paths]
    songs: list[Song] = []
    errors: list[str] = []
    analysed = cached = 0
    for i, p in enumerate(files):
        check_cancelled(ctx)
        sub = SubContext(ctx, i / max(len(files), 1), (i + 1) / max(len(files), 1),
                         prefix=f"{p.name}: ")
        try:
            song, fresh = add_song(sub, store, p)
        except Cancelled:
            raise
        except BachataError as exc:
            errors.append(str(exc))
            continue
        songs.append(song)
        analysed += int(fresh)
        cached += int(not fresh)
        ctx.partial(song)
    ctx.report(1.0, "songs ready")
    if files and not songs and len(files) == 1:
        raise InputError(errors[0])
    return SongImportResult(tuple(songs), analysed, cached, tuple(errors))


def reanalyse(ctx: TaskContext, store: Any, song_id: int) -> SongAnalysis:
    """Analyse a stored song again (e.g. after an analysis upgrade); corrections are kept."""
    song = store.songs.get(song_id)
    if song is None:
        raise InputError(f"song {song_id} is not in the library")
    media = store.media_file(song.path)
    hint = _hint(store, song_id)
    analysis = _analyse(media, ctx, hint)
    _store_analysis(store, song_id, analysis, hint)
    return apply_correction(analysis, get_correction(store, song_id))


def retrack_with_tempo(ctx: TaskContext, store: Any, song_id: int, bpm: float | None,
                       keep: GridCorrection | None = None) -> tuple[SongAnalysis, SongAnalysis]:
    """Use a tapped tempo as a hint (a job): the beats are tracked again near ``bpm`` (on the
    music, not on a rigid grid); ``None`` drops the hint (undo). The other corrections are kept
    (or replaced by ``keep``'s, for an undo). Returns (uncorrected analysis, corrected analysis)."""
    if bpm is not None and not (40.0 <= bpm <= 260.0):
        raise InputError(f"a tapped tempo of {bpm:g} BPM is not a dance tempo")
    song = store.songs.get(song_id)
    if song is None:
        raise InputError(f"song {song_id} is not in the library")
    media = store.media_file(song.path)
    analysis = _analyse(media, ctx, bpm)
    check_cancelled(ctx)
    correction = replace(keep if keep is not None else get_correction(store, song_id),
                         tempo_hint_bpm=bpm, tempo_bpm=None)
    store.songs.set_corrections(song_id, correction.to_dict())
    _store_analysis(store, song_id, analysis, bpm)
    return analysis, apply_correction(analysis, correction)


def waveform_peaks(ctx: TaskContext, path: str | Path, bins: int = 3000) -> tuple[np.ndarray, float]:
    """((bins, 2) float32 min/max envelope in [-1, 1], duration) of a song, for drawing (a job)."""
    from bachata_desktop.analysis.audio.decode import decode_audio

    ctx.report(0.0, "reading the waveform")
    audio = decode_audio(path, sr=11025)
    check_cancelled(ctx)
    y = audio.samples
    bins = max(1, min(bins, y.size))
    edges = np.linspace(0, y.size, bins + 1).astype(np.int64)
    mins = np.minimum.reduceat(y, edges[:-1])
    maxs = np.maximum.reduceat(y, edges[:-1])
    peak = float(max(np.abs(mins).max(initial=0.0), np.abs(maxs).max(initial=0.0), 1e-6))
    ctx.report(1.0, "waveform ready")
    return (np.stack([mins, maxs], axis=1) / peak).astype(np.float32), audio.duration


__all__ = ["AUDIO_MODEL_ID", "GRID_RULES", "SONGS_FOLDER", "SongImportResult", "add_song", "cached_analysis",
           "get_correction", "import_songs", "is_outdated", "load_analysis", "reanalyse", "retrack_with_tempo",
           "save_correction", "waveform_peaks"]
