"""The wizard's long work as plain ``fn(ctx, ...)`` functions for the job pools (no Qt here).

Each one wraps a service call so that the panel only submits and receives results: preparing a
song (add it to the library and analyse it once, then read the corrected grid and a waveform
envelope), understanding the request and generating, swapping a move, saving, exporting, and
reopening a saved choreography with its candidates rebuilt so it can be edited again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from bachata_desktop.core.choreography import Choreography, Request, SongInfo
from bachata_desktop.core.errors import BachataError, Cancelled, InputError
from bachata_desktop.core.song import SongAnalysis
from bachata_desktop.core.task import SubContext, TaskContext, check_cancelled
from bachata_desktop.services import generate as gen
from bachata_desktop.services import songs as song_service

log = logging.getLogger(__name__)
PEAK_BINS = 4000


@dataclass(frozen=True)
class PreparedSong:
    info: SongInfo
    analysis: SongAnalysis
    peaks: np.ndarray | None       # (bins, 2) min/max envelope for the timeline, None if unreadable
    added: bool = False            # newly added to the library by this job


@dataclass(frozen=True)
class Reopened:
    result: gen.GenerationResult
    song: PreparedSong | None
    title: str


def _peaks(ctx: TaskContext, path: str) -> np.ndarray | None:
    try:
        peaks, _ = song_service.waveform_peaks(ctx, path, PEAK_BINS)
        return peaks
    except Cancelled:
        raise
    except (BachataError, OSError, ValueError) as exc:
        log.info("no waveform for %s: %s", path, exc)
        return None


def prepare_song(ctx: TaskContext, store: Any, path: str) -> PreparedSong:
    """Add the song to the library (analysed once, by content), then load its corrected grid."""
    _song, fresh = song_service.add_song(SubContext(ctx, 0.0, 0.85, "analysis: "), store, path)
    check_cancelled(ctx)
    info, analysis = gen.load_song(store, Path(path), SubContext(ctx, 0.85, 0.9))
    check_cancelled(ctx)
    peaks = _peaks(SubContext(ctx, 0.9, 1.0), info.path)
    ctx.report(1.0, "song ready")
    return PreparedSong(info, analysis, peaks, added=fresh)


def warm_up(_ctx: TaskContext) -> bool:
    """Load the text model ahead of time (while the instructor fills in the preferences)."""
    from bachata_desktop.analysis.text import embedder

    if not embedder.is_available():
        return False
    embedder.TextEmbedder.shared().encode_one("bachata")
    return True


def teaching_notes(_ctx: TaskContext, store: Any, clip_id: int) -> tuple[int, str, str]:
    """(clip id, notes, where they come from): the instructor's own, else Gemini / offline tips."""
    clip = store.clips.get(clip_id)
    if clip is None:
        raise InputError(f"move {clip_id} is no longer in the library")
    if clip.teaching_notes.strip():
        return clip_id, clip.teaching_notes.strip(), "your notes on this move"
    client = gen.gemini_client()
    source = "Gemini" if client.unavailable_reason() is None else "offline tips"
    return clip_id, client.teaching_notes(clip), source


def understand(_ctx: TaskContext, form: Request) -> Request:
    """The free text read into the form's request (Gemini or the offline parser, with notes)."""
    if not form.text:
        return form
    return replace(gen.understand_request(form.text, form), seed=form.seed, text=form.text)


def understand_and_generate(ctx: TaskContext, store: Any, info: SongInfo, analysis: SongAnalysis,
                            form: Request) -> gen.GenerationResult:
    request = form
    if form.text:
        ctx.report(0.0, "understanding the request")
        request = understand(ctx, form)
        check_cancelled(ctx)
    return gen.generate_choreography(SubContext(ctx, 0.05, 1.0), store, info, analysis, request,
                                     seed=form.seed)


def swap(_ctx: TaskContext, result: gen.GenerationResult, slot_index: int, clip_id: int,
         reoptimise: bool = False) -> gen.GenerationResult:
    return gen.swap_move(result, slot_index, clip_id, reoptimise)


def save(_ctx: TaskContext, store: Any, choreo: Choreography, title: str | None,
         doc_id: int | None) -> Any:
    return gen.save_choreography(store, choreo, title, doc_id=doc_id)


def export(ctx: TaskContext, store: Any, choreo: Choreography, song_path: str, out_path: str,
           preset: str, mirror: bool, analysis: SongAnalysis | None) -> Any:
    from bachata_desktop.services.video_export import export_video

    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    return export_video(store, choreo, song_path, out_path, ctx, preset=preset, mirror=mirror,
                        song_analysis=analysis)


def reopen(ctx: TaskContext, store: Any, doc_id: int) -> Reopened:
    """A saved choreography with its song grid and the library's candidates for swapping."""
    doc = store.choreographies.get(doc_id)
    choreo = gen.load_choreography(store, doc_id)
    song: PreparedSong | None = None
    path = choreo.song.path
    if choreo.song.song_id is not None and store.songs.get(choreo.song.song_id) is not None:
        s = store.songs.get(choreo.song.song_id)
        path = str(store.media_file(s.path))
        analysis = song_service.load_analysis(store, s.id)
        if analysis is not None:
            info = replace(choreo.song, path=path)
            choreo = replace(choreo, song=info)
            song = PreparedSong(info, analysis, _peaks(SubContext(ctx, 0.0, 0.3), path)
                                if Path(path).is_file() else None)
    check_cancelled(ctx)
    cands: tuple = ()
    try:
        emb = song.analysis.embedding if song is not None else None
        cands = tuple(gen.candidates_from_store(store, choreo.request, emb,
                                                SubContext(ctx, 0.3, 1.0)))
    except InputError as exc:
        log.info("no candidates for reopened choreography %s: %s", doc_id, exc)
    ctx.report(1.0, "opened")
    return Reopened(gen.GenerationResult(choreo, cands), song, doc.title if doc else "")
