"""Pose embeddings of an older design, rebuilt once from the stored keypoints (no pose model).

Each stored pose embedding carries its design in its model id (``...:emb<EMBEDDING_VERSION>``,
``analysis.pose.embed``). When the design changes (version 3: the ``interaction`` vector became
the couple's move vector that "Similar moves" compares), every analysed clip's three pose
embeddings are recomputed from its keypoints file in ``poses/`` (``summarise`` of the saved
tracks: seconds for a whole library, no video decoding; since version 4 also the ``counts`` vector
on the stored grid) and the indexes are updated. A clip whose keypoints file is gone loses its
old-design vectors and is queued for a full analysis instead (if that fails too, e.g. its video is
gone as well, it simply has no pose vector: no retry loop). Run by ``clip_analysis.run_queue``
after the queue.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from bachata_desktop.core.task import NullContext, TaskContext, check_cancelled
from bachata_desktop.services.library_import import ANALYSIS_KIND

log = logging.getLogger(__name__)

_POSE_VECTORS = ("lead", "follow", "interaction", "counts")  # what the keypoints make


def _version_tag() -> str:
    from bachata_desktop.analysis.pose.embed import EMBEDDING_VERSION

    return f":emb{EMBEDDING_VERSION}"


def outdated_pose_embeddings(store: Any) -> list[int]:
    """Live clips whose pose embeddings were made by an older design (one indexed query)."""
    return [int(r[0]) for r in store.db.query(
        "SELECT e.owner_id FROM embeddings e JOIN clips c ON c.id=e.owner_id "
        "WHERE e.owner_kind='clip' AND e.modality='interaction' AND c.deleted_at IS NULL "
        "AND e.model_id NOT LIKE ? ORDER BY e.owner_id", (f"%{_version_tag()}",))]


def _counts(store: Any, clip_id: int, data: dict[str, np.ndarray]) -> np.ndarray | None:
    """The clip's pose on the stored grid's counts (None without a grid or a full cycle)."""
    from bachata_desktop.analysis.pose.move_vector import counts_vector, grid_beats

    try:
        return counts_vector(data, grid_beats(store.analyses.get("clip", clip_id, "audio")))
    except Exception as exc:  # a bad grid or keypoints: no counts vector, the rest is rebuilt
        log.warning("clip %s: no counts vector: %s", clip_id, exc)
        return None


def refresh_pose_embeddings(store: Any, indexes: Any, ctx: TaskContext | None = None) -> int:
    """Recompute the pose embeddings of every outdated clip from its keypoints; returns how many
    were rebuilt. Cancellable between clips; each clip is written in its own transaction."""
    from bachata_desktop.analysis.pose.analyze import (
        load_keypoints,
        summarise,
        tracks_from_keypoints,
    )
    from bachata_desktop.services.clip_analysis import _pose_model_id, _stored_keypoints

    ctx = ctx or NullContext()
    ids = outdated_pose_embeddings(store)
    tag = _version_tag()
    done: dict[str, tuple[list[int], list[np.ndarray], str]] = {}
    stale: set[str] = set()  # vectors deleted: those indexes are rebuilt from SQLite (hnswlib keeps them)

    def delete(clip_id: int, modalities: tuple[str, ...]) -> None:
        for modality in modalities:
            store.embeddings.delete("clip", clip_id, modality)
        stale.update(modalities)

    for k, clip_id in enumerate(ids):
        check_cancelled(ctx)
        ctx.report(k / max(len(ids), 1), f"pose similarity {k + 1}/{len(ids)}")
        path = _stored_keypoints(store, clip_id)
        try:
            if path is None:
                raise FileNotFoundError("keypoints file missing")
            data = load_keypoints(path)
            res = summarise(tracks_from_keypoints(data), float(data["fps"]))
        except Exception as exc:  # gone or unreadable: analyse the clip again from its video
            log.warning("clip %s: %s; queued for a new analysis", clip_id, exc)
            with store.db.write():  # no old-design vector meanwhile (and no retry loop)
                delete(clip_id, _POSE_VECTORS)
            store.queue.enqueue(clip_id, ANALYSIS_KIND)
            continue
        model_id = (_pose_model_id(store, clip_id) or "pose").rsplit(":emb", 1)[0] + tag
        vecs = dict(res.embeddings) if res.has_embeddings else {}
        counts = _counts(store, clip_id, data) if vecs else None
        if counts is not None:
            vecs["counts"] = counts
        with store.db.write():
            if store.clips.get(clip_id) is None:
                continue
            if not vecs:  # nobody found under the current rules: no vectors rather than old ones
                delete(clip_id, _POSE_VECTORS)
            elif "counts" not in vecs:  # no grid or no full cycle: none rather than an old one
                delete(clip_id, ("counts",))
            for modality, vec in vecs.items():
                store.embeddings.put("clip", clip_id, modality, vec, model_id)
        for modality, vec in vecs.items():
            got = done.setdefault(modality, ([], [], model_id))
            got[0].append(clip_id)
            got[1].append(np.asarray(vec, np.float32))
    if indexes is not None:
        for modality in stale:
            indexes.invalidate(modality)
        for modality, (cids, vecs, model_id) in done.items():
            if modality in stale:
                continue  # rebuilt from SQLite on next use, these vectors included
            try:
                index = indexes.index(modality)
                index.add(cids, np.stack(vecs), model_id=model_id)
                index.save()
            except Exception as exc:  # derived data: rebuilt from SQLite when stale
                log.warning("could not update the %s index: %s", modality, exc)
    ctx.report(1.0, f"pose similarity: {len(done.get('interaction', ([],))[0])} clips updated")
    return len(done.get("interaction", ([],))[0])


__all__ = ["outdated_pose_embeddings", "refresh_pose_embeddings"]
