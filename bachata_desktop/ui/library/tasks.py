"""The library panel's background work, as plain job functions ``fn(ctx, ...)``.

The services take the task context in different places (``import_clips(store, paths, ctx)``,
``run_queue(store, indexes, ctx)``) and search takes none; these adapters give ``JobManager`` the
``fn(ctx, *args)`` shape it runs, and turn service results into what the panel shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bachata_desktop.core.clip import Clip
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.task import TaskContext, check_cancelled
from bachata_desktop.store import Store


@dataclass(frozen=True)
class Ranking:
    """A ranked list of clips to show in the grid (search results or similar moves)."""

    clip_ids: tuple[int, ...]
    scores: tuple[float, ...]
    query: str
    kind: str  # "search" | "similar"
    notes: tuple[str, ...] = ()  # per clip id: what ranked it (similar moves: "pose 0.62 · ...")
    order: str = ""  # how the list is ordered, in words (similar moves)


def load_clips(ctx: TaskContext, store: Store) -> list[Clip]:
    """io pool: every live clip (one query), so the GUI thread never waits on SQLite for rows."""
    check_cancelled(ctx)
    return store.clips.list()


def import_paths(ctx: TaskContext, store: Store, paths: list[str],
                 annotations: str | None = None) -> Any:
    """io pool: copy clips in; each new clip reaches the panel through ``ctx.partial``.
    ``annotations``: an annotations file kept outside the folder."""
    from bachata_desktop.services.library_import import import_clips

    return import_clips(store, [Path(p) for p in paths], ctx,
                        annotations=Path(annotations) if annotations else None)


def analyse_queue(ctx: TaskContext, store: Store, indexes: Any) -> Any:
    """analysis pool: drain the persistent analysis queue (resumes what a restart interrupted)."""
    from bachata_desktop.services.clip_analysis import run_queue

    return run_queue(store, indexes, ctx)


def grids_outdated(store: Store) -> bool:
    """Whether some clip's beat grid was made under older rules, its pose embeddings by an older
    design, or its move was not read from its stored keypoints yet (three small SQLite queries,
    stopping at the first that finds one): the analysis job then redoes those after the queue."""
    from bachata_desktop.services.clip_analysis import outdated_dance, outdated_grids
    from bachata_desktop.services.pose_refresh import outdated_pose_embeddings

    return (bool(outdated_grids(store)) or bool(outdated_pose_embeddings(store))
            or bool(outdated_dance(store)))


@dataclass(frozen=True)
class AnalysisPoll:
    pending: frozenset[int]
    changed: tuple[Clip, ...]


def poll_analysis(ctx: TaskContext, store: Store, previous: frozenset[int]) -> AnalysisPoll:
    """io pool: which queued clips changed since the last poll (finished or started)."""
    order = store.queue.pending()  # the clip being analysed comes first (same order as next())
    pending = frozenset(order)
    ids = sorted((previous - pending) | set(order[:2]) | (pending - previous))
    clips = store.clips.get_many(ids) if ids else {}
    return AnalysisPoll(pending, tuple(clips.values()))


def set_deleted(ctx: TaskContext, store: Store, clip_ids: list[int], deleted: bool) -> list[int]:
    """write pool: soft delete (or bring back) clips; the rows stay so that undo works."""
    for cid in clip_ids:
        if deleted:
            store.clips.delete(cid)
        else:
            store.clips.restore(cid)
    return clip_ids


def reembed(ctx: TaskContext, store: Store, indexes: Any, clip_id: int) -> int:
    """ml pool: the text embedding of an edited clip, so search finds it by its new words."""
    from bachata_desktop.services import search

    search.reembed_text(store, indexes, clip_id)
    return clip_id


def search_library(ctx: TaskContext, store: Store, indexes: Any, text: str, k: int) -> Ranking:
    """ml pool: merged text + semantic search (MiniLM loads here on first use)."""
    from bachata_desktop.services import search

    check_cancelled(ctx)
    results = search.search(store, indexes, text, k)
    ids, scores = result_ids(results)
    return Ranking(ids, scores, text, "search")


def similar_moves(ctx: TaskContext, store: Store, indexes: Any, clip_id: int, k: int) -> Ranking:
    """ml pool: clips nearest to ``clip_id`` by the trimodal fusion of DESIGN.md."""
    from bachata_desktop.services import search

    clip = store.clips.get(clip_id)
    if clip is None:
        raise InputError("That clip is no longer in the library.")
    results = search.similar(store, indexes, clip_id, k)
    ids, scores = result_ids(results)
    notes = tuple(search.similar_parts(h) for h in results)
    return Ranking(ids, scores, clip.name, "similar", notes, search.SIMILAR_ORDER)


def result_ids(results: Iterable[Any]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Clip ids and scores from search results (``SearchHit``, dicts with ``clip_id`` or pairs)."""
    ids: list[int] = []
    scores: list[float] = []
    for r in results:
        if isinstance(r, dict):
            cid, score = r.get("clip_id"), r.get("score", 0.0)
        elif isinstance(r, tuple):
            cid, score = r[0], (r[1] if len(r) > 1 else 0.0)
        else:  # services.search.SearchHit carries the clip itself
            clip = getattr(r, "clip", None)
            cid = getattr(clip, "id", None) if clip is not None else getattr(r, "clip_id", None)
            score = getattr(r, "score", 0.0)
        if cid is not None:
            ids.append(int(cid))
            scores.append(float(score or 0.0))
    return tuple(ids), tuple(scores)
