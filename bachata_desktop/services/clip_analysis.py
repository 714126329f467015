"""Analysing library clips in the background: pose, soundtrack and description, then indexing.

``analyse_clip`` runs the three analyses of one clip (couple pose from ``analysis.pose``, the
soundtrack's beat grid and 128-D embedding from ``analysis.audio``, the MiniLM embedding of the
clip's description from ``analysis.text``) and writes everything for the clip in ONE database
transaction: the ``pose`` and ``audio`` summaries, the five embeddings with their model ids, the
measured tempo, the length in counts, the hold guesses and the final state. A step that is missing
or fails is recorded in the clip's error and the others still count; the keypoints file is written
under a temporary name and only renamed into ``poses/`` after the transaction commits.

Edits win over guesses: the hold guesses only replace holds whose ``clip.extra["holds_source"]``
is ``"default"`` or ``"pose"`` (their confidence goes to ``extra["hold_confidence"]``), and the
measured length in counts only replaces ``counts`` while
``clip.extra.get("counts_source", "auto") == "auto"``; an editor that sets a clip's holds or
counts should set that key to ``"user"``.

The move inside the clip (issue 15) is read from the dance once both the keypoints and the
soundtrack grid exist (``analysis.pose.dance_counts``): where it starts and ends, which beat the
dancers dance as their "1" (the dance wins over the soundtrack's 1 when it is sure, and says so),
and the length in counts from there. It goes to ``clip.extra["dance"]`` (the export aligns on its
``first_one_s``), ``clip.extra["counts_from"]`` says whether the length came from the dance or only
from the soundtrack's beats, and a ``dance`` analyses row (version ``dance_counts.VERSION``) stamps
it. ``refresh_dance`` (run by ``run_queue``) measures it from the stored keypoints and grid for
clips analysed before it existed, once, without running the pose model again.

``run_queue`` drains the persistent queue (``store.queue``), so analysis resumes after a restart;
it can be cancelled between clips (and inside the pose step, between frame batches) and adds the
new vectors to the hnswlib indexes, saving them at the end of the batch.

A clip's stored soundtrack grid carries the grid rules it was made with (the analyses row's
``version``, ``core.song.GRID_RULES``); ``refresh_grids`` (run by ``run_queue`` after the queue)
analyses the soundtrack again, once, for each clip whose grid is older, without the pose step.
The audio embedding's model id (``ANALYSIS_VERSION``) is not part of this: it changes only when
the embedding does.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bachata_desktop.core.clip import AnalysisState, Clip, Hold
from bachata_desktop.core.errors import Cancelled, InputError, StorageError
from bachata_desktop.core.song import GRID_RULES
from bachata_desktop.core.task import NullContext, SubContext, TaskContext, check_cancelled
from bachata_desktop.services.library_import import ANALYSIS_KIND

log = logging.getLogger(__name__)

AUDIO_MODEL_PREFIX = "bachata-audio-v"
ALLOWED_COUNTS = (4, 8, 16)
DANCE_KIND = "dance"


@dataclass(frozen=True)
class StepResult:
    """What one analysis step produced for a clip (nothing is stored yet)."""

    analyses: dict[str, dict[str, Any]]
    embeddings: dict[str, tuple[np.ndarray, str]]     # modality -> (vector, model id)
    clip_fields: dict[str, Any]
    error: str = ""
    keypoints_tmp: Path | None = None
    note: str = ""
    dropped: tuple[str, ...] = ()                     # modalities whose stored vector is now wrong


@dataclass(frozen=True)
class QueueSummary:
    done: tuple[int, ...] = ()
    failed: tuple[tuple[int, str], ...] = ()
    cancelled: bool = False


def keypoints_path(store: Any, clip: Clip) -> Path:
    """Where a clip's keypoints live (named by content, so a restored library finds them)."""
    return Path(store.paths.poses) / f"{clip.content_hash[:16]}.npz"


def pending_keypoints_path(final: Path) -> Path:
    """Where the keypoints wait until the analysis is committed: ``.pose-<pid>-<name>.part``
    beside ``final``, so the next start removes it if this process is killed first."""
    return final.with_name(f".pose-{os.getpid()}-{final.name}.part")


def counts_from_beats(n_beats: float) -> int:
    """Length in counts: the nearest of 4 / 8 / 16 on a log scale (a move is 4, 8 or 16 counts)."""
    if not n_beats or not math.isfinite(n_beats) or n_beats <= 0:
        return 8
    return min(ALLOWED_COUNTS, key=lambda c: abs(math.log2(n_beats / c)))


def _err(step: str, exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return f"{step}: {msg}"


# -------------------------------------------------------------------------------------------------
# the three steps (each returns a StepResult and never raises except Cancelled)
# -------------------------------------------------------------------------------------------------
def _pose_step(store: Any, clip: Clip, media: Path, ctx: TaskContext) -> StepResult:
    final = keypoints_path(store, clip)
    tmp = pending_keypoints_path(final)
    try:
        from bachata_desktop.analysis.pose.analyze import PoseConfig, analyze_clip
        from bachata_desktop.paths import model_search_path
        from bachata_desktop.store.settings import load_settings

        settings = load_settings(store.paths.settings_file)
        config = PoseConfig(analysis_fps=float(settings.analysis_fps), imgsz=int(settings.pose_imgsz))
        res = analyze_clip(media, ctx, config=config, flipped=clip.lead_follow_flipped,
                           keypoints_out=tmp, search_path=model_search_path(store.paths))
    except Cancelled:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    except Exception as exc:  # a missing module or model, or a failure inside: record, go on
        log.warning("pose analysis of clip %s failed: %s", clip.id, exc)
        with contextlib.suppress(OSError):
            tmp.unlink()
        return StepResult({}, {}, {}, error=_err("pose", exc))
    summary = res.to_dict()
    summary["keypoints_file"] = final.name  # relative to the poses folder
    fields: dict[str, Any] = {}
    if clip.duration_s <= 0 and res.duration_s > 0:  # e.g. a clip that came in a shared plan
        fields.update(duration_s=round(float(res.duration_s), 4), fps=round(float(res.source_fps), 4))
    holds_source = str(clip.extra.get("holds_source", "default"))
    if holds_source in ("default", "pose"):
        start, end = Hold.parse(res.start_hold_guess), Hold.parse(res.end_hold_guess)
        if start is not Hold.UNKNOWN:
            fields["start_hold"] = start
        if end is not Hold.UNKNOWN:
            fields["end_hold"] = end
        if "start_hold" in fields or "end_hold" in fields:
            fields["holds_source"] = "pose"
            fields["hold_confidence"] = {"start": float(res.start_hold_confidence),
                                         "end": float(res.end_hold_confidence)}
    fields["lead_unsure"] = bool(res.lead_unsure)
    emb: dict[str, tuple[np.ndarray, str]] = {}
    note = ""
    if res.has_embeddings:
        from bachata_desktop.analysis.pose.embed import EMBEDDING_VERSION

        model_id = f"{res.model_id or 'pose'}:{res.imgsz}:emb{EMBEDDING_VERSION}"
        for modality, vec in res.embeddings.items():
            emb[modality] = (np.asarray(vec, np.float32), model_id)
    else:
        note = "pose: no dancers found"
    return StepResult({"pose": summary}, emb, fields, keypoints_tmp=tmp if tmp.exists() else None,
                      note=note)


def _audio_step(clip: Clip, media: Path, ctx: TaskContext) -> StepResult:
    try:
        from bachata_desktop.analysis.audio.analyze import analyze_clip_audio
        from bachata_desktop.core.song import ANALYSIS_VERSION

        grid, emb = analyze_clip_audio(media, ctx)
    except Cancelled:
        raise
    except Exception as exc:
        log.warning("audio analysis of clip %s failed: %s", clip.id, exc)
        return StepResult({}, {}, {}, error=_err("audio", exc))
    analyses: dict[str, dict[str, Any]] = {}
    fields: dict[str, Any] = {}
    embeddings: dict[str, tuple[np.ndarray, str]] = {}
    if emb is not None:
        embeddings["audio"] = (np.asarray(emb, np.float32), f"{AUDIO_MODEL_PREFIX}{ANALYSIS_VERSION}")
    note = ""
    if grid is not None:
        data = grid.to_dict()
        data.pop("embedding", None)  # it lives in store.embeddings
        analyses["audio"] = data
        fields["tempo_bpm"] = round(float(grid.tempo_bpm), 2)
        # the move spans the beats of its own soundtrack
        fields["counts"] = counts_from_beats(len(grid.beats))
        fields["_counts_from"] = "soundtrack"
    else:
        note = "audio: no steady beat" if emb is not None else "audio: no soundtrack"
        annotated = clip.extra.get("annotated_tempo_bpm")
        if isinstance(annotated, (int, float)) and annotated > 0:
            fields["counts"] = counts_from_beats(clip.duration_s * float(annotated) / 60.0)
            fields["_counts_from"] = "annotation"
    return StepResult(analyses, embeddings, fields, note=note)


def _stored_keypoints(store: Any, clip_id: int) -> Path | None:
    pose = store.analyses.get("clip", clip_id, "pose") or {}
    name = pose.get("keypoints_file")
    if not isinstance(name, str) or not name:
        return None
    path = Path(store.paths.poses) / Path(name).name  # a bare name inside poses/, never a path
    return path if path.is_file() else None


def _measure_dance(keypoints: Path | None, grid: dict[str, Any] | None, duration_s: float,
                   pose_model_id: str | None = None) -> StepResult:
    """The dance step: the move read from keypoints and grid (analyses row always, to stamp it),
    and the couple's pose on the grid's counts (``counts`` vector, ``analysis.pose.move_vector``)
    when the clip has pose vectors (``pose_model_id``); a stored one that no longer holds (no
    grid, no full cycle) is dropped."""
    from bachata_desktop.analysis.pose import dance_counts
    from bachata_desktop.analysis.pose.analyze import load_keypoints
    from bachata_desktop.analysis.pose.move_vector import counts_vector, grid_beats

    got, data, vec = None, None, None
    if keypoints is not None and grid:
        try:
            data = load_keypoints(keypoints)
            got = dance_counts.measure_file(data, grid, duration_s)
        except Exception as exc:  # unreadable keypoints: the soundtrack's length stays
            log.warning("could not read the dance from %s: %s", keypoints.name, exc)
    if data is not None and pose_model_id:
        try:
            vec = counts_vector(data, grid_beats(grid))
        except Exception as exc:  # no counts vector: the clip compares by the rest
            log.warning("could not fold the pose of %s onto its counts: %s", keypoints.name, exc)
    emb = {"counts": (vec, pose_model_id)} if vec is not None and pose_model_id else {}
    dropped = () if emb else ("counts",)
    if got is None:
        return StepResult({DANCE_KIND: {"measured": False}}, emb, {"_dance": None}, dropped=dropped)
    return StepResult({DANCE_KIND: {"measured": True, **got.to_dict()}}, emb,
                      {"counts": got.counts, "_dance": got.to_dict(), "_counts_from": "dance"},
                      dropped=dropped)


def _pose_model_id(store: Any, clip_id: int, results: list[StepResult] = ()) -> str | None:
    """The model id of the clip's pose vectors: this run's pose step, else the stored one (None
    when the clip has none, e.g. nobody was found)."""
    for r in results:
        if "interaction" in r.embeddings:
            return r.embeddings["interaction"][1]
    if any("pose" in r.analyses for r in results):
        return None  # analysed again just now and nobody found
    row = store.db.query_one("SELECT model_id FROM embeddings WHERE owner_kind='clip' AND "
                             "owner_id=? AND modality='interaction'", (clip_id,))
    return str(row[0]) if row else None


def _dance_step(store: Any, clip: Clip, results: list[StepResult], steps: tuple[str, ...]) -> StepResult:
    kp = next((r.keypoints_tmp for r in results if r.keypoints_tmp is not None), None)
    if kp is None and not any("pose" in r.analyses for r in results):
        kp = _stored_keypoints(store, clip.id)  # the pose step did not run: the stored keypoints
    if "audio" in steps:  # this run's grid (none when the soundtrack has no steady beat)
        grid = next((r.analyses["audio"] for r in results if "audio" in r.analyses), None)
    else:
        grid = store.analyses.get("clip", clip.id, "audio")
    duration = clip.duration_s or float(next((r.clip_fields.get("duration_s", 0.0) for r in results
                                              if "duration_s" in r.clip_fields), 0.0))
    return _measure_dance(kp, grid, duration, _pose_model_id(store, clip.id, results))


def embed_description(clip: Clip) -> tuple[np.ndarray, str]:
    """(384-D text embedding of the clip's description, model id)."""
    from bachata_desktop.analysis.text.embedder import TextEmbedder

    emb = TextEmbedder.shared()
    return np.asarray(emb.encode([clip.description])[0], np.float32), str(emb.model_id)


def _text_step(clip: Clip) -> StepResult:
    try:
        vec, model_id = embed_description(clip)
    except Exception as exc:
        log.warning("text embedding of clip %s failed: %s", clip.id, exc)
        return StepResult({}, {}, {}, error=_err("text", exc))
    return StepResult({}, {"text": (vec, model_id)}, {"_description": clip.description})


# -------------------------------------------------------------------------------------------------
def analyse_clip(store: Any, indexes: Any, clip_id: int, ctx: TaskContext | None = None,
                 steps: tuple[str, ...] = ("pose", "audio", "text"), save: bool = True) -> Clip:
    """Analyse one clip and store the results atomically (see the module docstring).

    Returns the updated clip (state DONE, or FAILED with the failed steps in ``analysis_error``).
    Raises InputError for an unknown clip, Cancelled when asked to stop (nothing is written, the
    clip goes back to PENDING), StorageError when the database refuses the write.
    """
    ctx = ctx or NullContext()
    clip = store.clips.get(clip_id)
    if clip is None:
        raise InputError(f"no clip {clip_id} in the library")
    media = store.media_file(clip.media_path)
    store.clips.set_state(clip_id, AnalysisState.RUNNING)
    results: list[StepResult] = []
    try:
        if not media.is_file():
            results.append(StepResult({}, {}, {}, error=f"media file missing: {clip.media_path}"))
        else:
            if "pose" in steps:
                results.append(_pose_step(store, clip, media, SubContext(ctx, 0.0, 0.8, "pose: ")))
            check_cancelled(ctx)
            if "audio" in steps:
                ctx.report(0.8, "audio: soundtrack")
                results.append(_audio_step(clip, media, SubContext(ctx, 0.8, 0.95, "audio: ")))
            check_cancelled(ctx)
            if "pose" in steps or "audio" in steps:
                results.append(_dance_step(store, clip, results, steps))
        if "text" in steps:
            ctx.report(0.95, "text embedding")
            results.append(_text_step(clip))
        check_cancelled(ctx)
    except BaseException:  # Cancelled, or Ctrl-C on the command line: back to the queue as it was
        for r in results:
            if r.keypoints_tmp is not None:
                with contextlib.suppress(OSError):
                    r.keypoints_tmp.unlink()
        store.clips.set_state(clip_id, AnalysisState.PENDING)
        raise
    clip = _commit(store, clip_id, results)
    if indexes is not None and clip is not None:
        touched = _add_to_indexes(indexes, clip_id, results)
        if save:
            save_indexes(indexes, touched)
    ctx.report(1.0, "analysed" if clip and clip.analysis_state is AnalysisState.DONE
               else "analysed with errors")
    return clip if clip is not None else store.clips.get(clip_id, include_deleted=True)


def _commit(store: Any, clip_id: int, results: list[StepResult]) -> Clip | None:
    errors = [r.error for r in results if r.error]
    notes = [r.note for r in results if r.note]
    kp_tmp = next((r.keypoints_tmp for r in results if r.keypoints_tmp is not None), None)
    try:
        with store.db.write():
            current = store.clips.get(clip_id, include_deleted=True)
            if current is None:  # purged while it was being analysed
                return None
            fields: dict[str, Any] = {}
            extra = dict(current.extra)
            embeddings: dict[str, tuple[np.ndarray, str]] = {}
            for r in results:
                fields.update(r.clip_fields)
                embeddings.update(r.embeddings)
                for kind, data in r.analyses.items():
                    store.analyses.put("clip", clip_id, kind, data, version=_version(kind))
            described = fields.pop("_description", None)
            if described is not None and described != current.description:
                # edited while we were analysing: embed what is stored now
                embeddings["text"] = embed_description(current)
            _apply_dance(fields, extra, current)
            lead_unsure = fields.pop("lead_unsure", None)
            if lead_unsure is not None:
                extra["lead_unsure"] = lead_unsure
            holds_source = fields.pop("holds_source", None)
            hold_confidence = fields.pop("hold_confidence", None)
            if holds_source and str(current.extra.get("holds_source", "default")) in ("default", "pose"):
                extra["holds_source"] = holds_source
                if hold_confidence is not None:
                    extra["hold_confidence"] = hold_confidence
            else:
                fields.pop("start_hold", None)
                fields.pop("end_hold", None)
            for modality, (vec, model_id) in embeddings.items():
                store.embeddings.put("clip", clip_id, modality, vec, model_id)
            for modality in _dropped(results):
                store.embeddings.delete("clip", clip_id, modality)
            extra["analysis_notes"] = notes
            state = AnalysisState.FAILED if errors else AnalysisState.DONE
            store.clips.update(current.with_(**fields, extra=extra, analysis_state=state,
                                             analysis_error="; ".join(errors)))
            if errors:
                store.queue.failed(clip_id, "; ".join(errors), ANALYSIS_KIND)
            else:
                store.queue.done(clip_id, ANALYSIS_KIND)
            got = store.clips.get(clip_id, include_deleted=True)
    except BaseException:
        if kp_tmp is not None:
            with contextlib.suppress(OSError):
                kp_tmp.unlink()
        raise
    if kp_tmp is not None:
        try:
            os.replace(kp_tmp, kp_tmp.with_name(kp_tmp.name.split("-", 2)[2][:-len(".part")]))
        except OSError as exc:
            log.warning("could not move keypoints into place: %s", exc)
    return got


def _version(kind: str) -> int:
    from bachata_desktop.analysis.pose.dance_counts import VERSION

    return GRID_RULES if kind == "audio" else VERSION if kind == DANCE_KIND else 1


def _apply_dance(fields: dict[str, Any], extra: dict[str, Any], current: Clip) -> None:
    """Move the dance's private fields into ``extra``; keep a length the user set."""
    counts_from = fields.pop("_counts_from", None)
    if "_dance" in fields:
        dance = fields.pop("_dance")
        if dance is None:
            extra.pop("dance", None)
        else:
            extra["dance"] = dance
    if str(current.extra.get("counts_source", "auto")) != "auto":
        fields.pop("counts", None)  # the user set the length: keep it
    elif counts_from is not None and "counts" in fields:
        extra["counts_from"] = counts_from


def _dropped(results: list[StepResult]) -> set[str]:
    """Modalities a step dropped and no step stored."""
    return {m for r in results for m in r.dropped} - {m for r in results for m in r.embeddings}


def _add_to_indexes(indexes: Any, clip_id: int, results: list[StepResult]) -> set[str]:
    latest: dict[str, tuple[np.ndarray, str]] = {}
    for r in results:
        latest.update(r.embeddings)
    added: set[str] = set()
    for modality in _dropped(results):  # no removal in hnswlib here: rebuilt from SQLite on next use
        try:
            if indexes.index(modality).vector(clip_id) is not None:
                indexes.invalidate(modality)
                added.add(modality)
        except Exception as exc:  # the index is derived data: it is rebuilt from SQLite later
            log.warning("could not drop clip %s from the %s index: %s", clip_id, modality, exc)
    for modality, (vec, model_id) in latest.items():
        try:
            indexes.index(modality).add([clip_id], vec.reshape(1, -1), model_id=model_id)
            added.add(modality)
        except Exception as exc:  # the index is derived data: it is rebuilt from SQLite later
            log.warning("could not add clip %s to the %s index: %s", clip_id, modality, exc)
    return added


def outdated_grids(store: Any) -> list[int]:
    """Live clips whose stored soundtrack grid was made under older grid rules."""
    return store.analyses.owners_below("clip", "audio", GRID_RULES)


def refresh_grids(store: Any, ctx: TaskContext | None = None, indexes: Any = None) -> int:
    """Analyse the soundtrack of every clip with an outdated grid again (audio step only); returns
    how many were refreshed. Each clip is written in its own transaction with the current stamp, so
    a cancelled or interrupted refresh resumes with the clips left; a clip whose soundtrack now
    fails is stamped as it is (it is tried once), one whose media is missing waits for its media.
    Lengths in counts set by the instructor stay."""
    ctx = ctx or NullContext()
    ids = outdated_grids(store)
    done = 0
    dropped = False  # a clip lost its grid: its counts vector went with it
    for k, clip_id in enumerate(ids):
        check_cancelled(ctx)
        clip = store.clips.get(clip_id)
        if clip is None:
            continue
        media = store.media_file(clip.media_path)
        if not media.is_file():
            continue
        sub = SubContext(ctx, k / len(ids), (k + 1) / len(ids), f"beat grid {k + 1}/{len(ids)}: ")
        res = _audio_step(clip, media, sub)
        check_cancelled(ctx)
        with store.db.write():
            current = store.clips.get(clip_id)
            old = store.analyses.get("clip", clip_id, "audio")
            if current is None or old is None:
                continue
            if res.error:
                log.warning("clip %s keeps its older beat grid: %s", clip_id, res.error)
                store.analyses.put("clip", clip_id, "audio", old, version=GRID_RULES)
                continue
            fields = dict(res.clip_fields)
            extra = dict(current.extra)
            _apply_dance(fields, extra, current)
            fields["extra"] = extra
            store.analyses.delete("clip", clip_id, DANCE_KIND)  # measured again on the new grid
            if "audio" in res.analyses:
                store.analyses.put("clip", clip_id, "audio", res.analyses["audio"], version=GRID_RULES)
            else:  # no steady beat under the current rules: no grid rather than an outdated one
                store.analyses.delete("clip", clip_id, "audio")
                extra.pop("dance", None)  # nor a dancers' 1 placed on that grid
                store.embeddings.delete("clip", clip_id, "counts")  # nor the pose on its counts
                dropped = True
            if fields:
                store.clips.update(current.with_(**fields))
        done += 1
    if dropped and indexes is not None:
        indexes.invalidate("counts")  # rebuilt from SQLite on next use
    return done


def outdated_dance(store: Any) -> list[int]:
    """Live clips with stored keypoints and grid whose move was not read from the dance under
    the current ``dance_counts.VERSION`` (e.g. analysed before it existed)."""
    from bachata_desktop.analysis.pose.dance_counts import VERSION

    return store.analyses.owners_missing("clip", DANCE_KIND, VERSION, ("pose", "audio"))


def refresh_dance(store: Any, ctx: TaskContext | None = None, indexes: Any = None) -> int:
    """Read the move from the stored keypoints and grid of every clip ``outdated_dance`` lists,
    once (a clip whose keypoints file is gone is stamped as not measured); no pose model runs.
    The clip's ``counts`` vector is made on the grid too (and ``indexes`` updated). Lengths set by
    the instructor stay. Returns how many clips were measured."""
    ctx = ctx or NullContext()
    ids = outdated_dance(store)
    done = 0
    touched: set[str] = set()
    for k, clip_id in enumerate(ids):
        check_cancelled(ctx)
        ctx.report(k / len(ids), f"move counts {k + 1}/{len(ids)}")
        clip = store.clips.get(clip_id)
        if clip is None:
            continue
        res = _measure_dance(_stored_keypoints(store, clip_id),
                             store.analyses.get("clip", clip_id, "audio"), clip.duration_s,
                             _pose_model_id(store, clip_id))
        with store.db.write():
            current = store.clips.get(clip_id)
            if current is None:
                continue
            store.analyses.put("clip", clip_id, DANCE_KIND, res.analyses[DANCE_KIND],
                               version=_version(DANCE_KIND))
            for modality, (vec, model_id) in res.embeddings.items():
                store.embeddings.put("clip", clip_id, modality, vec, model_id)
            for modality in res.dropped:
                store.embeddings.delete("clip", clip_id, modality)
            fields = dict(res.clip_fields)
            extra = dict(current.extra)
            _apply_dance(fields, extra, current)
            store.clips.update(current.with_(**fields, extra=extra))
        if indexes is not None:
            touched |= _add_to_indexes(indexes, clip_id, [res])
        done += res.analyses[DANCE_KIND].get("measured", False)
    save_indexes(indexes, touched)
    return done


def run_queue(store: Any, indexes: Any, ctx: TaskContext | None = None,
              steps: tuple[str, ...] = ("pose", "audio", "text")) -> QueueSummary:
    """Analyse every queued clip, oldest first; resumes work a previous run left 'running'.

    Cancelling stops between clips (or between pose batches): the clip being analysed goes back
    to the queue and nothing of it is written. Returns which clips were analysed and which failed.
    """
    ctx = ctx or NullContext()
    store.queue.requeue_interrupted()
    done: list[int] = []
    failed: list[tuple[int, str]] = []
    if "text" in steps:  # one fast batch first, so search by meaning works for every queued clip
        try:
            from bachata_desktop.services.search import reembed_texts

            reembed_texts(store, indexes, store.queue.pending(ANALYSIS_KIND), missing_only=True)
        except Exception as exc:  # the per-clip step records the error
            log.warning("batch text embedding failed: %s", exc)
    touched = False
    modalities = set(indexes.MODALITIES) if indexes is not None else set()
    try:
        while True:
            check_cancelled(ctx)
            remaining = len(store.queue.pending(ANALYSIS_KIND))
            clip_id = store.queue.next(ANALYSIS_KIND)
            if clip_id is None:
                break
            finished = len(done) + len(failed)
            total = finished + remaining
            sub = SubContext(ctx, finished / total, (finished + 1) / total,
                             f"clip {finished + 1}/{total}: ")
            try:
                clip = analyse_clip(store, indexes, clip_id, sub, steps=steps, save=False)
            except (Cancelled, StorageError):
                store.queue.requeue_interrupted()
                raise
            except Exception as exc:  # unexpected: record it on the clip and keep going
                log.exception("analysis of clip %s crashed", clip_id)
                msg = _err("analysis", exc)
                store.clips.set_state(clip_id, AnalysisState.FAILED, msg)
                store.queue.failed(clip_id, msg, ANALYSIS_KIND)
                failed.append((clip_id, msg))
                continue
            touched = True
            if clip.analysis_state is AnalysisState.DONE:
                done.append(clip_id)
            else:
                failed.append((clip_id, clip.analysis_error))
    except Cancelled:
        if touched:
            save_indexes(indexes, modalities)
        raise
    if touched:
        save_indexes(indexes, modalities)
    if "audio" in steps and outdated_grids(store):
        ctx.report(0.99, "beat grids made under older rules: analysing them again")
        refresh_grids(store, SubContext(ctx, 0.99, 1.0), indexes)
    if "pose" in steps:
        from bachata_desktop.services.pose_refresh import (
            outdated_pose_embeddings,
            refresh_pose_embeddings,
        )

        if outdated_pose_embeddings(store):
            ctx.report(0.99, "pose embeddings of an older design: rebuilding them from the keypoints")
            refresh_pose_embeddings(store, indexes, SubContext(ctx, 0.99, 0.995))
    if outdated_dance(store):
        ctx.report(0.995, "reading the moves' counts from the stored keypoints")
        refresh_dance(store, SubContext(ctx, 0.995, 1.0), indexes)
    ctx.report(1.0, f"{len(done)} analysed, {len(failed)} with errors")
    return QueueSummary(tuple(done), tuple(failed))


def save_indexes(indexes: Any, modalities: set[str] | None = None) -> None:
    """Write the given (default: all) indexes to disk; a failure only costs a rebuild later."""
    if indexes is None:
        return
    for modality in sorted(modalities if modalities is not None else indexes.MODALITIES):
        try:
            indexes.index(modality).save()
        except Exception as exc:
            log.warning("could not save the %s index: %s", modality, exc)


__all__ = ["DANCE_KIND", "QueueSummary", "analyse_clip", "counts_from_beats", "embed_description",
           "keypoints_path", "outdated_dance", "outdated_grids", "pending_keypoints_path",
           "refresh_dance", "refresh_grids", "run_queue", "save_indexes"]
