"""Use case "generate a choreography": song grid + library + request -> :class:`Choreography`.

The choreographer in ``core`` knows nothing about SQLite, audio files or models. This module is the
glue: it turns a :class:`~bachata_desktop.core.song.SongAnalysis` into 8-count phrase slots, reads
every live clip with its pose summary and embeddings from the store, computes each clip's
similarity to the request per modality (text: the request vs the clip description; audio: the
song vs the clip's soundtrack; lead/follow/interaction: the clip vs the centroid of the clips that
match the request best by text and audio, i.e. pseudo-relevance feedback, as a pose "query" does
not exist otherwise), and calls :func:`~bachata_desktop.core.choreographer.generate`.
The result keeps the candidates so that a swap in the wizard re-optimises in milliseconds.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from bachata_desktop.core.choreographer import generate, swap
from bachata_desktop.core.choreography import (
    Choreography,
    MoveCandidate,
    PhraseSlotSpec,
    Request,
    SongInfo,
)
from bachata_desktop.core.clip import DEFAULT_HOLDS, Clip, Hold, move_title
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.pose import DESCRIPTOR_SIZE, swap_roles_descriptor
from bachata_desktop.core.song import (
    COUNTS_PER_PHRASE,
    GridCorrection,
    SongAnalysis,
    apply_correction,
    unsure_spans,
)
from bachata_desktop.core.task import NullContext, SubContext, TaskContext, check_cancelled

log = logging.getLogger(__name__)

POSE_MODALITIES = ("lead", "follow", "interaction")
PSEUDO_RELEVANT = 8  # clips whose pose embeddings form the pose "query"


@dataclass(frozen=True)
class GenerationResult:
    """A choreography plus what a swap needs to re-optimise it without touching the store."""

    choreography: Choreography
    candidates: tuple[MoveCandidate, ...]


# --------------------------------------------------------------------------------------------
# song -> phrases
# --------------------------------------------------------------------------------------------
def phrases_from_analysis(analysis: SongAnalysis) -> list[PhraseSlotSpec]:
    """Every complete 8-count phrase of the grid, contiguous, each starting on its count 1.

    A phrase ends where the next one starts; the last one ends a beat after its count 8 (and is
    dropped if the song ends before, or if the grid lost beats in it).
    """
    starts = list(analysis.phrases)
    beats_in: dict[int, int] = {}
    last_beat: dict[int, float] = {}
    for b in analysis.beats:
        if b.phrase >= 0:
            beats_in[b.phrase] = beats_in.get(b.phrase, 0) + 1
            last_beat[b.phrase] = b.time
    out: list[PhraseSlotSpec] = []
    for i, t0 in enumerate(starts):
        if i + 1 < len(starts):
            t1 = starts[i + 1]
        elif beats_in.get(i, 0) >= COUNTS_PER_PHRASE:
            t1 = last_beat[i] + analysis.beat_period
            if t1 > analysis.duration + 0.25 * analysis.beat_period:
                continue
        else:
            continue
        if t1 - t0 <= 0:
            continue
        sec = analysis.section_at(t0)
        energy = float(analysis.energy[i]) if i < len(analysis.energy) else 0.5
        if sec is not None:
            energy = 0.5 * (float(sec.energy) + energy)
        # A grid re-anchored mid-song can leave a short phrase: keep its real number of counts.
        counts = int(min(COUNTS_PER_PHRASE, max(1, beats_in.get(i, COUNTS_PER_PHRASE))))
        out.append(PhraseSlotSpec(index=i, start_s=float(t0), end_s=float(t1),
                                  first_beat_s=float(t0), counts=counts,
                                  section_label=sec.label.value if sec else "verse",
                                  section_energy=float(np.clip(energy, 0.0, 1.0))))
    if not out:
        raise InputError("the song has no complete 8-count phrase to dance on")
    return out


def load_song(store: Any, path: Path, ctx: TaskContext | None = None
              ) -> tuple[SongInfo, SongAnalysis]:
    """The song's analysis: the library's (with the instructor's corrections) or a fresh one."""
    ctx = ctx or NullContext()
    path = Path(path)
    if not path.is_file():
        raise InputError(f"song file not found: {path}")
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    song = store.songs.get_by_hash(h.hexdigest()) if store is not None else None
    data = store.songs.analysis(song.id) if song is not None else None
    if song is not None and data:
        analysis = SongAnalysis.from_dict(data)
        corr = GridCorrection.from_dict(store.songs.corrections(song.id))
        analysis = apply_correction(analysis, corr)
        info = SongInfo(title=song.title, path=str(store.media_file(song.path)), song_id=song.id,
                        duration_s=analysis.duration, tempo_bpm=analysis.tempo_bpm)
        ctx.report(1.0, "song analysis from the library")
        return info, analysis
    from bachata_desktop.analysis.audio.analyze import analyze_song

    analysis = analyze_song(path, ctx)
    return SongInfo(title=path.stem, path=str(path), duration_s=analysis.duration,
                    tempo_bpm=analysis.tempo_bpm), analysis


def _mmss(t: float) -> str:
    return f"{int(t // 60)}:{int(t % 60):02d}"


# Notes about the song and the library (not the request): they open with these words, so a swap,
# which lets the choreographer write its own notes afresh, knows which of the old notes to keep.
UNSURE_ONE_NOTE, RESTART_NOTE = "Unsure of the 1", "The count restarts after a break at "
ESTIMATED_NOTE = "no usable start or end pose"


def grid_notes(analysis: SongAnalysis, slots: tuple[tuple[float, float], ...] = ()) -> tuple[str, ...]:
    """What the generator is unsure of in the song's grid, one note per span where the confidence
    of the "1" is low, naming its time span (and the moves of ``slots``, ``(start, end)`` each, that
    fall in it), plus the places where the count restarts after a break. The moves start on the
    grid's 1s, so a wrong "1" puts every move there off by some counts."""
    notes = []
    for a, b, what in unsure_spans(analysis):
        moves = [i + 1 for i, (s0, s1) in enumerate(slots) if s0 < b - 1e-6 and s1 > a + 1e-6]
        where = "over the whole song" if what == "the whole song" else f"in {_mmss(a)}-{_mmss(b)} ({what})"
        if moves:
            where += (f", move {moves[0]}" if len(moves) == 1 else f", moves {moves[0]}-{moves[-1]}")
        why = (f" (the music is in {analysis.meter}, not 4/4)" if analysis.meter != 4
               else f" (only {analysis.duration:.0f} s of music)" if analysis.grid_guess else "")
        notes.append(f"{UNSURE_ONE_NOTE} {where}{why}: check it in Songs and fix it with “This beat is a 1”")
    if analysis.count_changes:
        notes.append(RESTART_NOTE
                     + ", ".join(_mmss(t) for t in analysis.count_changes[:4])
                     + ": check it in Songs")
    return tuple(notes)


# --------------------------------------------------------------------------------------------
# library -> candidates
# --------------------------------------------------------------------------------------------
def request_query_text(request: Request) -> str:
    """The sentence embedded for text similarity: the free text, else one built from the form."""
    if request.text.strip():
        return request.text.strip()
    parts = [f"{request.level.value} level bachata"]
    if request.style is not None:
        parts.append(f"{request.style.value} style")
    if request.energy is not None:
        parts.append(f"{request.energy.value} energy")
    if request.include:
        parts.append("with " + ", ".join(c.replace("_", " ") for c in request.include))
    return ", ".join(parts)


def _pose_vec(summary: dict[str, Any] | None, key: str, flip: bool) -> np.ndarray | None:
    if not summary:
        return None
    desc = tuple(float(x) for x in summary.get(key) or ())
    if len(desc) != DESCRIPTOR_SIZE or desc[-1] <= 0:
        return None
    if flip:
        desc = swap_roles_descriptor(desc)
    return np.asarray(desc, dtype=np.float64)


FAMILY_HOLD_CONFIDENCE = 0.5  # a family's usual hold, used before any analysis or edit


def _holds(clip: Clip, summary: dict[str, Any] | None) -> tuple[Hold, Hold, tuple[float, float]]:
    """(start hold, end hold, their confidences): the instructor's holds count fully, the pose
    analysis's guesses with their confidence, the family's usual holds at one half."""
    default = DEFAULT_HOLDS.get(clip.category, (Hold.UNKNOWN, Hold.UNKNOWN))
    source = str(clip.extra.get("holds_source", "default"))
    stored = clip.extra.get("hold_confidence")
    out: list[Hold] = []
    conf: list[float] = []
    for end, mine, fallback in (("start", clip.start_hold, default[0]),
                                ("end", clip.end_hold, default[1])):
        guess_conf = float((summary or {}).get(f"{end}_hold_confidence") or 0.0)
        if mine is not Hold.UNKNOWN:
            out.append(mine)
            if source == "user":
                conf.append(1.0)
            elif source == "pose":
                val = stored.get(end) if isinstance(stored, dict) else None
                conf.append(float(val) if isinstance(val, (int, float)) else guess_conf or 1.0)
            else:
                conf.append(FAMILY_HOLD_CONFIDENCE)
            continue
        guess = Hold.parse((summary or {}).get(f"{end}_hold_guess"))
        out.append(guess if guess is not Hold.UNKNOWN else fallback)
        conf.append((guess_conf or 1.0) if guess is not Hold.UNKNOWN else FAMILY_HOLD_CONFIDENCE)
    return out[0], out[1], (conf[0], conf[1])


def _cosines(store: Any, modality: str, query: np.ndarray | None) -> dict[int, float]:
    if query is None:
        return {}
    ids, mat = store.embeddings.all(modality)
    q = np.asarray(query, dtype=np.float64).ravel()
    if len(ids) == 0 or mat.shape[1] != q.size or not np.linalg.norm(q) > 0:
        return {}
    norms = np.linalg.norm(mat, axis=1) * np.linalg.norm(q)
    sims = np.where(norms > 0, (mat @ q) / np.maximum(norms, 1e-12), np.nan)
    return {int(i): float(s) for i, s in zip(ids, sims, strict=True) if np.isfinite(s)}


def _text_query(request: Request) -> np.ndarray | None:
    from bachata_desktop.analysis.text import embedder

    if not embedder.is_available():
        return None
    return embedder.TextEmbedder.shared().encode_one(request_query_text(request))


def candidates_from_store(store: Any, request: Request, song_embedding: np.ndarray | None,
                          ctx: TaskContext | None = None,
                          text_query: np.ndarray | None = None) -> list[MoveCandidate]:
    """Every live clip as a :class:`MoveCandidate` with per-modality similarity to the request."""
    ctx = ctx or NullContext()
    clips: list[Clip] = [c for c in store.clips.list() if c.id is not None]
    if not clips:
        raise InputError("the library is empty: import some move clips first")
    if text_query is None:
        ctx.report(0.1, "understanding the request")
        text_query = _text_query(request)
    sims: dict[str, dict[int, float]] = {"text": _cosines(store, "text", text_query),
                                         "audio": _cosines(store, "audio", song_embedding)}
    check_cancelled(ctx)
    # Pose "query": centroid of the clips that best match the request by text and audio,
    # taken among the requested families when there are any.
    base = {c.id: np.nanmean([sims["text"].get(c.id, np.nan), sims["audio"].get(c.id, np.nan)])
            if (c.id in sims["text"] or c.id in sims["audio"]) else np.nan for c in clips}
    pool = [c for c in clips if c.category in request.include] or clips
    ranked = sorted((c.id for c in pool if np.isfinite(base[c.id])), key=lambda i: -base[i])
    seeds = set(ranked[:PSEUDO_RELEVANT])
    for m in POSE_MODALITIES:
        if not seeds:
            break
        ids, mat = store.embeddings.all(m)
        rows = [k for k, i in enumerate(ids) if int(i) in seeds and np.linalg.norm(mat[k]) > 0]
        if rows:
            sims[m] = _cosines(store, m, mat[rows].mean(axis=0))
    check_cancelled(ctx)
    out = []
    for c in clips:
        assert c.id is not None
        summary = store.analyses.get("clip", c.id, "pose")
        flip = bool(summary) and bool(summary.get("flipped", False)) != c.lead_follow_flipped
        sh, eh, hold_conf = _holds(c, summary)
        out.append(MoveCandidate(
            clip_id=c.id, name=move_title(c.name), category=c.category, level=c.level, energy=c.energy,
            role_focus=c.role_focus, counts=max(1, int(c.counts or 8)), start_hold=sh,
            end_hold=eh, hold_confidence=hold_conf, start_pose=_pose_vec(summary, "start_pose", flip),
            end_pose=_pose_vec(summary, "end_pose", flip), tempo_bpm=c.tempo_bpm,
            similarity={m: s[c.id] for m, s in sims.items() if c.id in s}, tags=tuple(c.tags)))
    return out


# --------------------------------------------------------------------------------------------
# the use cases
# --------------------------------------------------------------------------------------------
def generate_choreography(ctx: TaskContext, store: Any, song: SongInfo, analysis: SongAnalysis,
                          request: Request, seed: int | None = None) -> GenerationResult:
    """Generate for an analysed song against the library in ``store``."""
    ctx.report(0.0, "reading the song grid")
    phrases = phrases_from_analysis(analysis)
    song = replace(song, tempo_bpm=analysis.tempo_bpm, duration_s=analysis.duration)
    cands = candidates_from_store(store, request, analysis.embedding, SubContext(ctx, 0.05, 0.7))
    check_cancelled(ctx)
    ctx.report(0.75, f"arranging {len(cands)} moves over {len(phrases)} phrases")
    ch = generate(phrases, cands, request, song=song, seed=seed)
    missing = sum(1 for c in cands if c.start_pose is None)
    if missing:
        verb, its = ("has", "its transitions are") if missing == 1 else ("have", "their transitions are")
        ch = replace(ch, notes=(*ch.notes, f"{missing} of {len(cands)} moves {verb} {ESTIMATED_NOTE} "
                                           "(not analysed yet, or the dancers are not both "
                                           f"visible there): {its} estimated"))
    unsure = grid_notes(analysis, tuple((s.start, s.end) for s in ch.slots))
    if unsure:
        ch = replace(ch, notes=(*ch.notes, *unsure))
    ctx.report(1.0, "done")
    return GenerationResult(ch, tuple(cands))


def generate_for_file(ctx: TaskContext, store: Any, song_path: Path, request: Request,
                      seed: int | None = None) -> GenerationResult:
    """Analyse (or look up) the song file, then generate."""
    info, analysis = load_song(store, song_path, SubContext(ctx, 0.0, 0.5, "song: "))
    check_cancelled(ctx)
    return generate_choreography(SubContext(ctx, 0.5, 1.0), store, info, analysis, request, seed)


def swap_move(result: GenerationResult, slot_index: int, clip_id: int,
              reoptimise: bool = False) -> GenerationResult:
    """Put ``clip_id`` in a slot; the other moves stay unless ``reoptimise`` (same candidates,
    request and seed)."""
    old = result.choreography
    new = swap(old, slot_index, clip_id, result.candidates, reoptimise=reoptimise)
    # the choreographer writes its own notes afresh (what the request could not get); the notes
    # about the song and the library (an unsure "1", estimated transitions) stay
    kept = tuple(dict.fromkeys((*new.notes, *(n for n in old.notes if _about_song_or_library(n)))))
    return GenerationResult(replace(new, notes=kept), result.candidates)


def _about_song_or_library(note: str) -> bool:
    return note.startswith((UNSURE_ONE_NOTE, RESTART_NOTE)) or ESTIMATED_NOTE in note


def save_choreography(store: Any, choreo: Choreography, title: str | None = None,
                      tags: tuple[str, ...] = (), doc_id: int | None = None) -> Any:
    """Save (or, with ``doc_id``, replace) a choreography in the library's collection."""
    from bachata_desktop.core.documents import StoredDocument

    title = (title or f"{choreo.song.title or 'Choreography'} ({choreo.request.level.value})").strip()
    words = [title, choreo.song.title, *(s.name for s in choreo.slots),
             *(s.category for s in choreo.slots), *tags]
    meta = {"song_id": choreo.song.song_id, "level": choreo.request.level.value,
            "tags": list(tags), "search_text": " ".join(dict.fromkeys(w for w in words if w))}
    return store.choreographies.save(StoredDocument(doc_id, title, choreo.to_dict(), meta=meta))


def load_choreography(store: Any, doc_id: int) -> Choreography:
    """A saved choreography; InputError when it is missing or unreadable."""
    doc = store.choreographies.get(doc_id)
    if doc is None:
        raise InputError(f"no saved choreography {doc_id}")
    try:
        return Choreography.from_dict(doc.data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"saved choreography {doc_id} is unreadable ({exc})") from exc


def gemini_client() -> Any:
    """A Gemini client with the model id and deadline of the user's settings."""
    from bachata_desktop.analysis.llm.gemini import GeminiClient
    from bachata_desktop.paths import app_paths
    from bachata_desktop.store.settings import load_settings

    settings = load_settings(app_paths().settings_file)
    return GeminiClient(model=settings.gemini_model, timeout_s=float(settings.gemini_timeout_s))


def understand_request(text: str, base: Request | None = None) -> Request:
    """Free text -> request: Gemini when online and configured, else the offline parser."""
    if not text.strip():
        return base or Request()
    return gemini_client().parse_request(text, base)
