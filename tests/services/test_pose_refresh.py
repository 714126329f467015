"""Stored pose embeddings of an older design are rebuilt once from the clips' keypoints files
(no pose model), and the similar-moves index follows (issue 15, embedding versions 3 and 4)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from shared_assets import CLIPS_DIR, POSE_MODEL_DIR

from bachata_desktop.core.task import RecordingContext

SPIN = "spin/spin.mp4"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not POSE_MODEL_DIR.is_dir(), reason=f"pose model missing: {POSE_MODEL_DIR}"),
    pytest.mark.skipif(not (CLIPS_DIR / SPIN).is_file(), reason=f"shared clip missing: {CLIPS_DIR / SPIN}"),
]


@pytest.fixture(scope="module")
def spin_keypoints(real_pose) -> Path:
    return real_pose(SPIN)[1]


def _old_design(store, clip_id: int, rng) -> None:
    from bachata_desktop.store.repos import MODALITY_DIMS

    for m in ("lead", "follow", "interaction"):
        v = rng.normal(size=MODALITY_DIMS[m]).astype(np.float32)
        store.embeddings.put("clip", clip_id, m, v / np.linalg.norm(v), "yolov8n-pose:320:emb2")


def _with_keypoints(store, keypoints: Path, key: str):
    """A spin clip in the library with its keypoints file in place (as an analysis leaves it)."""
    from bachata_desktop.core.clip import Clip
    from bachata_desktop.services.clip_analysis import keypoints_path

    clip = store.clips.add(Clip(None, f"spin-{key}", "spin", "spin", "spin/spin.mp4", key * 64))
    final = keypoints_path(store, clip)
    final.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(keypoints, final)
    store.analyses.put("clip", clip.id, "pose", {"keypoints_file": final.name})
    return clip, final


def test_old_pose_embeddings_are_rebuilt_from_keypoints(store, spin_keypoints) -> None:
    from bachata_desktop.analysis.pose.analyze import (
        load_keypoints,
        summarise,
        tracks_from_keypoints,
    )
    from bachata_desktop.analysis.pose.embed import EMBEDDING_VERSION
    from bachata_desktop.core.clip import Clip
    from bachata_desktop.services.library_import import ANALYSIS_KIND
    from bachata_desktop.services.pose_refresh import (
        outdated_pose_embeddings,
        refresh_pose_embeddings,
    )
    from bachata_desktop.store.indexes.hnsw import IndexSet

    rng = np.random.default_rng(3)
    kept, final = _with_keypoints(store, spin_keypoints, "a")
    lost = store.clips.add(Clip(None, "gone", "gone", "basic", "basic/gone.mp4", "b" * 64))
    store.analyses.put("clip", lost.id, "pose", {"keypoints_file": "0123456789abcdef.npz"})
    for c in (kept, lost):
        _old_design(store, c.id, rng)
    indexes = IndexSet(store.paths.indexes, store.embeddings)
    assert outdated_pose_embeddings(store) == [kept.id, lost.id]

    ctx = RecordingContext()
    assert refresh_pose_embeddings(store, indexes, ctx) == 1
    assert outdated_pose_embeddings(store) == []
    data = load_keypoints(final)
    want = summarise(tracks_from_keypoints(data), float(data["fps"])).embeddings
    for m in ("lead", "follow", "interaction"):
        got = store.embeddings.get("clip", kept.id, m)
        assert np.allclose(got, want[m], atol=1e-6), m
    row = store.db.query_one("SELECT model_id FROM embeddings WHERE owner_id=? AND "
                             "modality='interaction'", (kept.id,))
    assert row[0] == f"yolov8n-pose:320:emb{EMBEDDING_VERSION}"
    hit = indexes.index("interaction").query(want["interaction"], k=1)
    assert hit[0][0] == kept.id and hit[0][1] == pytest.approx(1.0, abs=1e-4)
    # the clip whose keypoints are gone: no old-design vector left, queued for a new analysis
    assert store.embeddings.get("clip", lost.id, "interaction") is None
    assert lost.id in store.queue.pending(ANALYSIS_KIND)
    assert refresh_pose_embeddings(store, indexes) == 0  # once: nothing left to do


def test_the_analysis_queue_runs_the_refresh_and_the_library_job_starts_for_it(store, spin_keypoints) -> None:
    from bachata_desktop.services.clip_analysis import run_queue
    from bachata_desktop.services.pose_refresh import outdated_pose_embeddings
    from bachata_desktop.store.indexes.hnsw import IndexSet
    from bachata_desktop.ui.library.tasks import grids_outdated

    clip, _ = _with_keypoints(store, spin_keypoints, "c")
    _old_design(store, clip.id, np.random.default_rng(4))
    assert grids_outdated(store)  # the library panel starts its analysis job for this
    run_queue(store, IndexSet(store.paths.indexes, store.embeddings), RecordingContext(),
              steps=("pose",))
    assert outdated_pose_embeddings(store) == [] and not grids_outdated(store)


def test_the_rebuild_adds_the_counts_vector_on_the_stored_grid(store, spin_keypoints, real_grid) -> None:
    from bachata_desktop.analysis.pose.analyze import load_keypoints
    from bachata_desktop.analysis.pose.move_vector import counts_vector, grid_beats
    from bachata_desktop.services.pose_refresh import refresh_pose_embeddings
    from bachata_desktop.store.indexes.hnsw import IndexSet

    clip, final = _with_keypoints(store, spin_keypoints, "d")
    grid = real_grid(SPIN)
    store.analyses.put("clip", clip.id, "audio", grid)
    bare, _ = _with_keypoints(store, spin_keypoints, "e")  # no grid: no counts vector
    for c in (clip, bare):
        _old_design(store, c.id, np.random.default_rng(5))
    store.embeddings.put("clip", bare.id, "counts", np.eye(128, dtype=np.float32)[0], "x:emb3")
    indexes = IndexSet(store.paths.indexes, store.embeddings)
    assert len(indexes.index("counts")) == 1

    assert refresh_pose_embeddings(store, indexes) == 2
    want = counts_vector(load_keypoints(final), grid_beats(grid))
    assert np.allclose(store.embeddings.get("clip", clip.id, "counts"), want, atol=1e-5)
    assert store.embeddings.get("clip", bare.id, "counts") is None  # the stale one is gone ...
    assert store.embeddings.get("clip", bare.id, "interaction") is not None
    hits = indexes.index("counts").query(want, k=5)  # ... from the index too
    assert [h[0] for h in hits] == [clip.id] and hits[0][1] == pytest.approx(1.0, abs=1e-4)
