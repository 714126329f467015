"""The clip analysis queue: real pose / audio / text analysis of a few shared clips, failures, resume."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bachata_desktop.core.clip import AnalysisState, Hold
from bachata_desktop.core.errors import Cancelled
from bachata_desktop.core.task import RecordingContext
from bachata_desktop.services.clip_analysis import (
    DANCE_KIND,
    analyse_clip,
    counts_from_beats,
    keypoints_path,
    outdated_dance,
    outdated_grids,
    refresh_dance,
    refresh_grids,
    run_queue,
)
from bachata_desktop.services.library_import import import_clips
from bachata_desktop.store.indexes.hnsw import IndexSet
from bachata_desktop.store.repos import MODALITY_DIMS
from tests.conftest import need

# Two short open-hold clips (both dancers visible).
CLIPS = ("spin/spin2.mp4", "ladyturn/ladyturn_left.mp4")
FAST = ("basic/slow_basic3.mp4", "spin/spin2.mp4", "shadow/shadow.mp4")


def _import(store, shared: Path, rels: tuple[str, ...]) -> list[int]:
    files = [need(shared / r) for r in rels]
    return [c.id for c in import_clips(store, files, RecordingContext()).imported]


def test_counts_round_to_4_8_16() -> None:
    assert [counts_from_beats(n) for n in (3, 5, 7, 9, 11, 12, 30, 0)] == [4, 4, 8, 8, 8, 16, 16, 8]


@pytest.mark.slow
def test_full_analysis_of_two_clips(store, shared_clips_dir: Path, pose_model_dir: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _import(store, shared_clips_dir, CLIPS)
    indexes = IndexSet(store.paths.indexes, store.embeddings)
    summary = run_queue(store, indexes, RecordingContext())
    assert sorted(summary.done) == sorted(ids) and summary.failed == ()
    assert store.queue.pending() == []
    for cid in ids:
        clip = store.clips.get(cid)
        assert clip.analysis_state is AnalysisState.DONE and clip.analysis_error == ""
        assert 100.0 <= clip.tempo_bpm <= 160.0
        assert clip.counts in (4, 8, 16, 32)
        assert clip.start_hold is not Hold.UNKNOWN
        pose = store.analyses.get("clip", cid, "pose")
        audio = store.analyses.get("clip", cid, "audio")
        assert pose["people_found"] and pose["both_dancers_ratio"] > 0.5
        assert len(audio["beats"]) >= 8 and "embedding" not in audio
        kp = store.paths.poses / pose["keypoints_file"]
        assert kp == keypoints_path(store, clip) and kp.is_file()
        for modality, dim in MODALITY_DIMS.items():
            vec = store.embeddings.get("clip", cid, modality)
            assert vec is not None and vec.shape == (dim,) and np.all(np.isfinite(vec))
            assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-3 or modality not in ("text", "audio")
            hits = indexes.index(modality).query(vec, k=1)
            assert hits[0][0] == cid
    # no temporary keypoints files left
    assert not [p for p in store.paths.poses.iterdir() if p.name.startswith(".")]
    # the indexes were saved and match SQLite: a fresh IndexSet loads them without a rebuild
    fresh = IndexSet(store.paths.indexes, store.embeddings)
    assert all(fresh.index(m).rebuilds == 0 for m in MODALITY_DIMS)

    # issue 15: the move was read from the dance (length, the dancers' 1) and stamped, and the
    # couple's pose on the grid's counts is stored as the counts vector (the index holds it too)
    from bachata_desktop.analysis.pose.analyze import load_keypoints
    from bachata_desktop.analysis.pose.move_vector import counts_vector, grid_beats

    def on_the_counts(cid: int) -> np.ndarray:
        name = store.analyses.get("clip", cid, "pose")["keypoints_file"]
        return counts_vector(load_keypoints(store.paths.poses / name),
                             grid_beats(store.analyses.get("clip", cid, "audio")))

    for cid in ids:
        clip = store.clips.get(cid)
        assert clip.extra["counts_from"] == "dance" and clip.extra["dance"]["counts"] == clip.counts
        assert store.analyses.get("clip", cid, DANCE_KIND)["measured"]
        want = on_the_counts(cid)
        assert np.allclose(store.embeddings.get("clip", cid, "counts"), want, atol=1e-5)
        assert indexes.index("counts").query(want, k=1)[0][0] == cid
    assert outdated_dance(store) == []
    # a library analysed before the dance was read: it gets the fields once, from the stored
    # keypoints and grid, with no pose model at hand; a length the instructor set stays
    first = store.clips.get(ids[0])
    kp = store.paths.poses / store.analyses.get("clip", ids[0], "pose")["keypoints_file"]
    kp_written = kp.stat().st_mtime_ns
    for cid, user_counts in ((ids[0], None), (ids[1], 4)):
        old = store.clips.get(cid)
        store.analyses.delete("clip", cid, DANCE_KIND)
        extra = {k: v for k, v in old.extra.items() if k not in ("dance", "counts_from")}
        if user_counts:
            extra["counts_source"] = "user"
        store.clips.update(old.with_(counts=user_counts or 8, extra=extra))
        store.embeddings.delete("clip", cid, "counts")  # made before the counts vector existed
    assert outdated_dance(store) == sorted(ids)
    monkeypatch.setenv("BACHATA_MODELS", str(store.paths.data / "no-models-here"))
    assert run_queue(store, indexes, RecordingContext()).done == ()  # nothing queued
    for cid in ids:  # the counts vector is there again, in SQLite and in the index
        want = on_the_counts(cid)
        assert np.allclose(store.embeddings.get("clip", cid, "counts"), want, atol=1e-5)
        hit = indexes.index("counts").query(want, k=1)[0]
        assert hit[0] == cid and hit[1] == pytest.approx(1.0, abs=1e-4)
    again = store.clips.get(ids[0])
    assert again.counts == first.counts and again.extra["dance"] == first.extra["dance"]
    assert again.extra["counts_from"] == "dance" and kp.stat().st_mtime_ns == kp_written
    kept = store.clips.get(ids[1])
    assert kept.counts == 4 and "dance" in kept.extra
    assert outdated_dance(store) == [] and refresh_dance(store) == 0


def test_a_failing_step_is_recorded_and_the_rest_is_stored(store, shared_clips_dir: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACHATA_MODELS", str(store.paths.data / "no-models-here"))
    (cid,) = _import(store, shared_clips_dir, FAST[:1])
    clip = analyse_clip(store, None, cid, RecordingContext())
    assert clip.analysis_state is AnalysisState.FAILED
    assert clip.analysis_error.startswith("pose: no pose model found")
    assert store.analyses.get("clip", cid, "pose") is None
    assert store.analyses.get("clip", cid, "audio") is not None
    assert store.embeddings.get("clip", cid, "audio").shape == (128,)
    assert store.embeddings.get("clip", cid, "text").shape == (384,)
    assert store.embeddings.get("clip", cid, "lead") is None
    assert 100.0 <= clip.tempo_bpm <= 160.0
    assert list(store.paths.poses.iterdir()) == []
    assert store.queue.failures() == [(cid, clip.analysis_error)]


def test_queue_cancel_and_crash_resume(store, app_paths, shared_clips_dir: Path) -> None:
    from bachata_desktop.store import Store

    ids = _import(store, shared_clips_dir, FAST)
    steps = ("audio", "text")
    indexes = IndexSet(store.paths.indexes, store.embeddings)
    ctx = RecordingContext(cancel_after_reports=8)  # stops inside the second clip
    with pytest.raises(Cancelled):
        run_queue(store, indexes, ctx, steps=steps)
    states = [store.clips.get(i).analysis_state for i in ids]
    assert states == [AnalysisState.DONE, AnalysisState.PENDING, AnalysisState.PENDING]
    # nothing of the interrupted clip's analysis was written (run_queue embeds every queued
    # clip's description in one batch up front, so its text embedding is already there)
    assert store.embeddings.get("clip", ids[1], "audio") is None
    assert store.analyses.get("clip", ids[1], "audio") is None
    assert store.embeddings.get("clip", ids[2], "text") is not None
    assert store.queue.pending() == ids[1:]

    # a crash while the second clip was running: the row stays 'running' in the database
    assert store.queue.next() == ids[1]
    store.clips.set_state(ids[1], AnalysisState.RUNNING)
    store.close()
    reopened = Store.open(app_paths)
    try:
        summary = run_queue(reopened, IndexSet(app_paths.indexes, reopened.embeddings),
                            RecordingContext(), steps=steps)
        assert summary.done == tuple(ids[1:])
        assert all(reopened.clips.get(i).analysis_state is AnalysisState.DONE for i in ids)
        assert reopened.queue.pending() == []
        assert reopened.embeddings.count("audio") == 3
    finally:
        reopened.close()


def test_user_edits_survive_reanalysis(store, shared_clips_dir: Path) -> None:
    (cid,) = _import(store, shared_clips_dir, FAST[:1])
    auto = analyse_clip(store, None, cid, RecordingContext(), steps=("audio",))
    assert auto.counts == 16  # ~18 beats in a 9.8 s clip at 108 BPM
    edited = store.clips.update(auto.with_(counts=8, extra={**auto.extra, "counts_source": "user"}))
    again = analyse_clip(store, None, cid, RecordingContext(), steps=("audio",))
    assert again.counts == 8 and again.tempo_bpm == pytest.approx(edited.tempo_bpm)


def test_clip_grids_made_under_older_rules_are_analysed_again_once(store, shared_clips_dir: Path) -> None:
    """Issue 14 item 4: a clip grid stored before the grid rules changed (analyses row version 1)
    is analysed again by the next analysis run (audio step only), once; edits stay."""
    from bachata_desktop.core.song import ANALYSIS_VERSION, GRID_RULES
    from bachata_desktop.services.clip_analysis import AUDIO_MODEL_PREFIX

    ids = _import(store, shared_clips_dir, FAST[:2])
    run_queue(store, None, RecordingContext(), steps=("audio",))
    fresh = {i: store.analyses.get("clip", i, "audio") for i in ids}
    assert all(fresh.values()) and outdated_grids(store) == []

    def version(cid: int) -> int:
        return int(store.db.query_one("SELECT version FROM analyses WHERE owner_kind='clip' AND "
                                      "owner_id=? AND kind='audio'", (cid,))["version"])

    assert {version(i) for i in ids} == {GRID_RULES}
    # what an older version of the app left: its own counts (here shifted by a beat), stamp 1
    for i in ids:
        old = dict(fresh[i], beats=[{**b, "count": b["count"] % 8 + 1} for b in fresh[i]["beats"]])
        store.analyses.put("clip", i, "audio", old)          # the default version: 1
        clip = store.clips.get(i)
        store.clips.update(clip.with_(tempo_bpm=99.0))
    user = store.clips.get(ids[1])
    store.clips.update(user.with_(counts=4, extra={**user.extra, "counts_source": "user"}))
    assert outdated_grids(store) == ids
    # nothing is queued: the analysis run still refreshes the outdated grids, and only those
    assert store.queue.pending() == []
    run_queue(store, None, RecordingContext(), steps=("audio",))
    assert outdated_grids(store) == [] and {version(i) for i in ids} == {GRID_RULES}
    for i in ids:
        assert store.analyses.get("clip", i, "audio")["beats"] == fresh[i]["beats"]
        assert store.clips.get(i).tempo_bpm == pytest.approx(fresh[i]["tempo_bpm"], abs=0.01)
    assert store.clips.get(ids[1]).counts == 4              # the instructor's length stays
    assert refresh_grids(store) == 0                         # once: nothing left to refresh
    # the audio embedding's model id is the analysis version, untouched by the grid rules
    assert f"{AUDIO_MODEL_PREFIX}{ANALYSIS_VERSION}" == "bachata-audio-v1"


@pytest.mark.slow
def test_a_clip_whose_grid_goes_loses_its_counts_vector(store, shared_clips_dir: Path,
                                                        pose_model_dir: Path) -> None:
    """Issue 15: the counts vector lives on the clip's grid; when new grid rules find no steady
    beat (here: the soundtrack is gone from the media), it goes from SQLite and the index."""
    import av

    (cid,) = _import(store, shared_clips_dir, FAST[:1])
    indexes = IndexSet(store.paths.indexes, store.embeddings)
    run_queue(store, indexes, RecordingContext(), steps=("pose", "audio"))
    counts = store.embeddings.get("clip", cid, "counts")
    assert counts is not None and indexes.index("counts").query(counts, k=1)[0][0] == cid
    media = store.media_file(store.clips.get(cid).media_path)
    silent = media.with_name("silent.mp4")
    with av.open(str(media)) as src, av.open(str(silent), "w") as out:  # the video stream only
        video = out.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is not None:
                packet.stream = video
                out.mux(packet)
    silent.replace(media)
    store.analyses.put("clip", cid, "audio", store.analyses.get("clip", cid, "audio"))  # version 1
    assert outdated_grids(store) == [cid]
    run_queue(store, indexes, RecordingContext(), steps=("audio",))
    assert store.analyses.get("clip", cid, "audio") is None
    assert store.embeddings.get("clip", cid, "counts") is None
    assert store.embeddings.get("clip", cid, "interaction") is not None  # the rest stays
    assert len(indexes.index("counts")) == 0
    assert len(IndexSet(store.paths.indexes, store.embeddings).index("counts")) == 0
