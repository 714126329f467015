"""Pose similarity that finds the same move (issue 15), on real clips with the real pose model.

What "Similar moves" compares as pose: the couple's move vector (the ``interaction`` embedding)
from role-free descriptors, and since embedding version 4 the ``counts`` embedding, the couple's
pose on the clip's 8-count cycle; both standardised by the shipped ``data/pose_move_metric.json``,
whose sha256 is pinned in ``analysis/pose/move_metric.py``. Accuracy over all 80 clips is a
benchmark (``benchmarks/bench_pose_move.py``), not a test; these tests check what must always hold.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
from shared_assets import CLIPS_DIR, POSE_MODEL_DIR

from bachata_desktop.core.errors import InputError

SPIN = "spin/spin.mp4"
TURNING = ("spin/double_spin2.mp4",)
CLOSED_HOLD = ("basic/slow_basic.mp4", "bodywaves/triple_bodywave.mp4", "golpes/golpes_cambre.mp4")
# a mirrored video: the model's left and right joints swap
MIRROR = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]

needs_clips = [
    pytest.mark.slow,
    pytest.mark.skipif(not POSE_MODEL_DIR.is_dir(), reason=f"pose model missing: {POSE_MODEL_DIR}"),
    pytest.mark.skipif(not CLIPS_DIR.is_dir(), reason=f"shared clips missing: {CLIPS_DIR}"),
]


@pytest.fixture(scope="module")
def analysed(real_pose):
    """Each clip's analysis and keypoints file (the real model, default setting)."""
    return {rel: real_pose(rel) for rel in (SPIN, *TURNING, *CLOSED_HOLD)}


def _keypoints(kp_file: Path, swap: bool = False, mirror: bool = False) -> dict:
    """The keypoints file's contents, as filmed mirrored (x flips, left / right swap) and / or
    with the dancers' slots exchanged."""
    from bachata_desktop.analysis.pose.analyze import load_keypoints

    data = dict(load_keypoints(kp_file))
    kp = data["keypoints"].astype(np.float64)
    if mirror:
        kp[..., 0] = float(data["size"][0]) - kp[..., 0]
        kp = kp[:, :, MIRROR]
    data["keypoints"] = kp[:, ::-1] if swap else kp
    return data


def _features(kp_file: Path, swap: bool = False, mirror: bool = False):
    from bachata_desktop.analysis.pose.features import dancer_features, interaction_features

    data = _keypoints(kp_file, swap, mirror)
    kp, fps = data["keypoints"], float(data["fps"])
    lead, follow = dancer_features(kp[:, 0], fps), dancer_features(kp[:, 1], fps)
    return lead, follow, interaction_features(kp[:, 0], kp[:, 1], lead, follow, fps)


def test_shipped_metric_is_checksum_verified_and_fits_the_descriptors() -> None:
    from bachata_desktop.analysis.pose.move_features import COUPLE_KEYS
    from bachata_desktop.analysis.pose.move_metric import (
        METRIC_SHA256,
        default_path,
        shipped_metric,
    )

    path = default_path()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == METRIC_SHA256
    metric = shipped_metric()
    assert metric.names[-len(COUPLE_KEYS):] == COUPLE_KEYS
    assert len(metric.names) == len(set(metric.names)) == metric.scale.size
    assert (metric.scale > 0).all() and np.isfinite(metric.median).all()


def test_altered_missing_or_malformed_metric_file_gives_one_clear_line(tmp_path) -> None:
    from bachata_desktop.analysis.pose.move_metric import default_path, read_metric

    bad = tmp_path / "pose_move_metric.json"
    raw = default_path().read_bytes()
    bad.write_bytes(raw.replace(b'"median"', b'"medium"', 1))
    with pytest.raises(InputError) as e:
        read_metric(bad)
    assert "checksum" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(InputError) as e:
        read_metric(tmp_path / "absent.json")
    assert "missing" in str(e.value) and "\n" not in str(e.value)
    # the right checksum over the wrong content: refused as malformed, not used
    with pytest.raises(InputError) as e:
        read_metric(bad, sha256=hashlib.sha256(bad.read_bytes()).hexdigest())
    assert "malformed" in str(e.value) and "\n" not in str(e.value)
    shutil.copy(default_path(), tmp_path / "ok.json")
    assert read_metric(tmp_path / "ok.json").names  # an intact copy loads


class TestRealClips:
    pytestmark = needs_clips

    def test_a_spin_finds_a_turning_move_first(self, analysed) -> None:
        vec = {rel: res.embeddings["interaction"] for rel, (res, _) in analysed.items()}
        sims = {rel: float(vec[SPIN] @ v) for rel, v in vec.items() if rel != SPIN}
        best = max(sims, key=sims.get)
        assert best in TURNING, sims
        assert min(sims[t] for t in TURNING) > max(sims[c] for c in CLOSED_HOLD) + 0.2, sims

    def test_move_vector_ignores_roles_and_mirroring(self, analysed) -> None:
        from bachata_desktop.analysis.pose.embed import interaction_embedding

        for rel, (res, kp) in analysed.items():
            base = interaction_embedding(_features(kp)[2])
            # the keypoints file keeps float16: the same vector up to rounding
            assert float(base @ res.embeddings["interaction"]) > 0.995, rel
            assert np.allclose(interaction_embedding(_features(kp, swap=True)[2]), base, atol=1e-5), rel
            mirrored = interaction_embedding(_features(kp, mirror=True)[2])
            assert float(mirrored @ base) > 0.99, rel

    def test_similar_moves_carry_the_pose_part_apart_from_the_label(self, analysed, store) -> None:
        from bachata_desktop.core.clip import Clip
        from bachata_desktop.services.search import similar, similar_parts
        from bachata_desktop.store.indexes.hnsw import IndexSet

        ids = {}
        for n, (rel, (res, _)) in enumerate(analysed.items()):
            clip = store.clips.add(Clip(None, Path(rel).stem, Path(rel).stem, rel.split("/")[0],
                                        rel, f"{n + 1:064d}"))
            ids[rel] = clip.id
            for modality, v in res.embeddings.items():
                store.embeddings.put("clip", clip.id, modality, v, "test:320:emb3")
        indexes = IndexSet(store.paths.indexes, store.embeddings)
        hits = similar(store, indexes, ids[SPIN], k=4)
        assert hits and all("interaction" in h.parts for h in hits)
        assert not any(m in h.parts for h in hits for m in ("lead", "follow"))
        first = hits[0]
        assert first.clip.media_path in TURNING and first.same_family
        expect = float(analysed[SPIN][0].embeddings["interaction"]
                       @ analysed[first.clip.media_path][0].embeddings["interaction"])
        line = similar_parts(first)
        assert line.startswith(f"pose {expect:.2f}") and line.endswith("· label: same family")
        other = [h for h in hits if not h.same_family]
        assert other and all("family" not in similar_parts(h) for h in other)


@pytest.fixture(scope="module")
def grids(analysed, real_grid):
    """Each analysed clip's soundtrack beat times."""
    from bachata_desktop.analysis.pose.move_vector import grid_beats

    out = {rel: grid_beats(real_grid(rel)) for rel in analysed}
    assert all(bt is not None for bt in out.values()), out
    return out


class TestOnTheCounts:
    """The ``counts`` vector: the couple's pose folded onto the clip's 8-count cycle."""

    pytestmark = needs_clips

    def test_it_ignores_roles_mirroring_and_where_the_cycle_starts(self, analysed, grids) -> None:
        from bachata_desktop.analysis.pose.move_metric import shipped_metric
        from bachata_desktop.analysis.pose.move_template import count_template
        from bachata_desktop.analysis.pose.move_vector import counts_vector

        counts = shipped_metric().counts
        for rel, (_, kp) in analysed.items():
            bt, data = grids[rel], _keypoints(kp)
            base = counts_vector(data, bt)
            assert base.shape == (128,) and abs(float(np.linalg.norm(base)) - 1) < 1e-5
            assert np.allclose(counts_vector(_keypoints(kp, swap=True), bt), base, atol=1e-5)
            assert float(counts_vector(_keypoints(kp, mirror=True), bt) @ base) > 0.999, rel
            # counted from the dancers' 5, or any other beat, instead of the first: the same
            lead, follow, _ = _features(kp)
            times = data["times"]
            first = counts.vector(count_template(lead, follow, times, bt, 0))
            for other in (1, 4, 5):
                again = counts.vector(count_template(lead, follow, times, bt, other))
                assert np.allclose(again, first, atol=1e-9), (rel, other)
            # ... but the beats do count: on a grid half a beat off it is another vector
            half = float(np.median(np.diff(bt))) / 2
            assert float(counts_vector(data, bt + half) @ base) < 0.999, rel

    def test_no_vector_without_a_whole_cycle_on_a_grid(self, analysed, grids) -> None:
        from bachata_desktop.analysis.pose.move_metric import shipped_metric
        from bachata_desktop.analysis.pose.move_template import count_template
        from bachata_desktop.analysis.pose.move_vector import counts_vector, grid_beats

        rel, (_, kp) = next(iter(analysed.items()))
        bt, data = grids[rel], _keypoints(kp)
        assert counts_vector(data, None) is None
        assert grid_beats({"beats": [{"time": float(t), "count": 1} for t in bt[:7]]}) is None
        assert grid_beats({"beats": [{"time": "soon"}]}) is None and grid_beats(None) is None
        # the grid covers only the clip's first beats: counts 6-8 have no frame -> no vector
        lead, follow, _ = _features(kp)
        early = count_template(lead, follow, data["times"], np.r_[bt[:5], bt[4] + 100 + np.arange(3)], 0)
        assert np.isnan(early[5:]).all() and shipped_metric().counts.vector(early) is None
        # nobody seen at all
        blind = {**data, "keypoints": np.full_like(data["keypoints"], np.nan)}
        assert counts_vector(blind, bt) is None

    def test_a_signal_never_seen_adds_nothing(self, analysed, grids) -> None:
        from bachata_desktop.analysis.pose.move_metric import shipped_metric
        from bachata_desktop.analysis.pose.move_template import SIGNALS, count_template

        counts = shipped_metric().counts
        rel, (_, kp) = next(iter(analysed.items()))
        lead, follow, _ = _features(kp)
        tpl = count_template(lead, follow, _keypoints(kp)["times"], grids[rel], 0)
        gone = tpl.copy()
        gone[:, [SIGNALS.index("ankle_speed_hi"), SIGNALS.index("ankle_speed_lo")]] = np.nan
        v, w = counts.vector(tpl), counts.vector(gone)
        spectrum = w.reshape(-1, len(SIGNALS))
        assert not spectrum[:, SIGNALS.index("ankle_speed_hi")].any()
        assert float(v @ w) > 0.8  # the rest of the clip still speaks

    def test_a_spin_is_nearer_turning_moves_on_the_counts_too(self, analysed, grids) -> None:
        from bachata_desktop.analysis.pose.move_vector import counts_vector

        vec = {rel: counts_vector(_keypoints(kp), grids[rel]) for rel, (_, kp) in analysed.items()}
        sims = {rel: float(vec[SPIN] @ v) for rel, v in vec.items() if rel != SPIN}
        assert max(sims, key=sims.get) in TURNING, sims


def test_a_malformed_count_part_of_the_metric_file_gives_one_clear_line(tmp_path) -> None:
    import json

    from bachata_desktop.analysis.pose.move_metric import default_path, read_metric

    doc = json.loads(default_path().read_text(encoding="utf-8"))
    assert read_metric(default_path()).counts is not None  # the shipped file has one
    for broken in ({**doc["counts"], "cycle_scale": doc["counts"]["cycle_scale"][:-1]},
                   {**doc["counts"], "names": doc["counts"]["names"][::-1]},
                   {**doc["counts"], "median": None}):
        bad = tmp_path / "metric.json"
        bad.write_text(json.dumps({**doc, "counts": broken}), encoding="utf-8")
        with pytest.raises(InputError) as e:
            read_metric(bad, sha256=hashlib.sha256(bad.read_bytes()).hexdigest())
        assert "malformed" in str(e.value) and "\n" not in str(e.value)


def test_the_label_structure_diagnostic_counts_only_what_the_names_explain() -> None:
    """The benchmark's diagnostic row: a miss is explained only when the clip's own name names the
    predicted move, or its label is not a pose pattern; every other miss stays a miss."""
    from benchmarks.bench_pose_move import label_structure, named_moves

    assert named_moves("hammerlock_hiproll3") == {"hammerlock", "hiprolls"}
    assert named_moves("styled_caricia_headroll.2") == {"style", "headrolls"}
    assert named_moves("machete_completo4") == {"bolero"}
    assert named_moves("slow_basic3") == {"basic"}
    ids = ["hammerlock_hiproll", "slow_basic3", "intro4", "spin2", "golpes_cambre"]
    labels = ["hammerlock", "basic", "intros", "spin", "golpes"]
    pred = ["hiprolls", "bolero", "basic", "spin", "spin"]
    acc, why = label_structure(ids, labels, pred)
    assert acc == pytest.approx(3 / 5)  # spin2 right, hiproll named, intro not a pose pattern
    assert why.startswith("1 misses whose predicted move the clip's name names (hammerlock_hiproll -> hiprolls)")
    assert why.endswith("1 misses on a label that is not a pose pattern")
