"""Couple tracking, features and descriptors on synthetic keypoints with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from bachata_desktop.analysis.pose.backend import FramePoses, nms
from bachata_desktop.analysis.pose.couple import (
    CoupleConfig,
    _fill_gaps,
    _stature,
    _viterbi_swaps,
    build_couple,
)
from bachata_desktop.core.pose import (
    DESCRIPTOR_SIZE,
    PoseAnalysis,
    swap_roles_descriptor,
    transition_cost,
)

# A standing person (COCO order), 1 unit = ~100 px, facing the camera.
BODY = np.array([[0, -1.6], [-.05, -1.65], [.05, -1.65], [-.1, -1.6], [.1, -1.6],
                 [.25, -1.3], [-.25, -1.3], [.3, -.9], [-.3, -.9], [.3, -.5], [-.3, -.5],
                 [.15, -.4], [-.15, -.4], [.15, .1], [-.15, .1], [.15, .6], [-.15, .6]])


def person(cx: float, cy: float, scale: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    kp = np.concatenate([BODY * scale + [cx, cy], np.ones((17, 1))], axis=1).astype(np.float32)
    box = np.array([kp[:, 0].min() - 10, kp[:, 1].min() - 10, kp[:, 0].max() + 10,
                    kp[:, 1].max() + 10], np.float32)
    return kp, box


def frame(people: list[tuple[float, float, float]]) -> FramePoses:
    if not people:
        return FramePoses.empty()
    kps, boxes = zip(*(person(x, y, s) for x, y, s in people), strict=True)
    return FramePoses(np.stack(boxes), np.full(len(people), 0.9, np.float32), np.stack(kps))


def hist(color: int) -> np.ndarray:
    h = np.full(64, 0.002, np.float32)
    h[color] = 1.0
    return h / h.sum()


def test_two_dancers_tracked_with_a_gap_filled_and_bystander_ignored():
    frames, hists = [], []
    for t in range(40):
        people = [(400 + 2 * t, 500, 110.0), (700 - 2 * t, 500, 100.0), (1200, 450, 30.0)]
        if 10 <= t < 13:
            people = [people[0], people[2]]  # the second dancer is hidden for 3 frames
        frames.append(frame(people))
        hists.append(np.stack([hist(3), hist(40), hist(10)][: len(people)]) if len(people) == 3
                     else np.stack([hist(3), hist(10)]))
    tr = build_couple(frames, hists, (1280, 720), fps=10.0)
    assert tr.keypoints.shape == (40, 2, 17, 3)
    assert tr.detected[:, 0].all() and not tr.detected[10:13, 1].any()
    assert tr.both_ratio == pytest.approx(37 / 40)
    # the 3 unseen frames are bridged by motion, and said to be so: placed, not detected
    assert tr.bridged[10:13, 1].all() and tr.both_bridged_ratio == 1.0
    # The gap is filled by interpolation, the bystander (small, at the edge) never chosen.
    assert np.isfinite(tr.keypoints[11]).all()
    xs = np.nanmean(tr.keypoints[:, :, :, 0], axis=2)
    assert (xs < 1000).all()
    assert tr.swaps_repaired == 0


def test_swap_by_the_tracker_is_repaired_from_clothing_colours():
    """The two dancers cross; their boxes coincide, so positions alone cannot tell them apart."""
    frames, hists = [], []
    for t in range(30):
        a = 400 + 20 * t   # dancer in colour 3 moves right
        b = 980 - 20 * t   # dancer in colour 40 moves left
        frames.append(frame([(a, 500, 100.0), (b, 500, 100.0)]))
        hists.append(np.stack([hist(3), hist(40)]))
    tr = build_couple(frames, hists, (1280, 720), fps=10.0, cfg=CoupleConfig(app_weight=0.0))
    xs = np.nanmean(tr.keypoints[..., 0], axis=2)
    # Whichever slot holds the dancer who started on the left keeps moving right throughout.
    left = int(np.argmin(xs[0]))
    assert np.all(np.diff(xs[:, left]) > 0)


def test_viterbi_switches_only_for_a_lasting_difference():
    keep = np.array([0.1] * 10 + [0.9] * 10 + [0.1] * 10)
    swap = np.array([0.9] * 10 + [0.1] * 10 + [0.9] * 10)
    path = _viterbi_swaps(keep, swap, penalty=0.6)
    assert not path[:10].any() and path[10:20].all() and not path[20:].any()
    blip = keep.copy()
    blip[5] = 0.9
    assert not _viterbi_swaps(np.full(30, 0.1) + (np.arange(30) == 5) * 0.8,
                              np.full(30, 0.5), penalty=0.6).any()


def test_gap_filling_is_bounded():
    x = np.arange(20, dtype=np.float32).reshape(20, 1)
    x[3:5] = np.nan    # short gap: filled
    x[8:16] = np.nan   # long gap: stays NaN
    out = _fill_gaps(x, max_gap=3)
    assert np.allclose(out[3:5, 0], [3, 4])
    assert np.isnan(out[8:16]).all()


def test_nobody_gives_nan_tracks():
    tr = build_couple([FramePoses.empty()] * 10, [np.zeros((0, 64))] * 10, (640, 480), fps=10.0)
    assert np.isnan(tr.keypoints).all() and tr.both_ratio == 0.0 and tr.any_ratio == 0.0


def test_nms_keeps_the_best_of_overlapping_boxes():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], np.float32)
    keep = nms(boxes, np.array([0.5, 0.9, 0.8]), 0.7)
    assert list(keep) == [1, 2]


def test_transition_cost_and_role_swap():
    rng = np.random.default_rng(0)
    a = tuple(rng.normal(size=DESCRIPTOR_SIZE - 1)) + (1.0,)
    b = tuple(rng.normal(size=DESCRIPTOR_SIZE - 1)) + (1.0,)
    assert transition_cost(a, a) == pytest.approx(0.0)
    assert transition_cost(a, b) > 0.5
    assert transition_cost(a, (0.0,) * DESCRIPTOR_SIZE) == 1.0  # unmeasured: neutral
    assert swap_roles_descriptor(swap_roles_descriptor(a)) == pytest.approx(a)


def test_summary_dict_round_trip_without_embeddings():
    z = np.zeros
    res = PoseAnalysis(frames_analyzed=3, analysis_fps=10.0, source_fps=30.0, duration_s=0.3,
                       both_dancers_ratio=0.5, any_dancer_ratio=1.0, people_found=True,
                       swaps_repaired=1, flipped=False, lead_embedding=z(512, np.float32),
                       follow_embedding=z(512, np.float32), interaction_embedding=z(256, np.float32),
                       start_pose=(0.0,) * DESCRIPTOR_SIZE, end_pose=(1.0,) * DESCRIPTOR_SIZE,
                       timings={"total_s": 1.0})
    d = res.to_dict()
    assert "lead_embedding" not in d and d["embedding_dims"]["lead"] == 512
    assert PoseAnalysis.from_dict(d) == res


# --- named move descriptors and embeddings on two clearly different synthetic motions ---------

def _dancer_clip(kind: str, cx: float, t: np.ndarray, scale: float, rng) -> np.ndarray:
    """(T, 17, 3) pixels: ``spin`` turns twice a second with the right arm above the head;
    ``basic`` steps side to side facing the camera with the arms low."""
    out = np.zeros((len(t), 17, 3), np.float32)
    for k, tt in enumerate(t):
        body = BODY.copy()
        if kind == "spin":
            body[[10, 8], 1] = [-2.0, -1.7]           # right wrist and elbow up
            body[:, 0] *= np.cos(2 * np.pi * 1.0 * tt)  # a full turn per second (2 flips)
            x = cx
        else:
            x = cx + 0.4 * scale * np.sin(2 * np.pi * 0.5 * tt)  # side basic
        xy = body * scale + [x, 500] + rng.normal(0, 1.5, (17, 2))
        out[k] = np.concatenate([xy, np.ones((17, 1))], axis=1)
    return out


def _embeddings(kind: str, seed: int) -> dict[str, np.ndarray]:
    from bachata_desktop.analysis.pose.analyze import summarise
    from bachata_desktop.analysis.pose.couple import CoupleTracks

    rng = np.random.default_rng(seed)
    t = np.arange(0, 8, 0.1)
    scale = 90 + 20 * rng.random()
    lead = _dancer_clip("basic", 400, t, scale, rng)
    follow = _dancer_clip(kind, 400 + 1.0 * scale, t, scale * 0.95, rng)
    kp = np.stack([lead, follow], axis=1)
    tracks = CoupleTracks(keypoints=kp, boxes=np.zeros((len(t), 2, 4), np.float32),
                          detected=np.ones((len(t), 2), bool), swaps_repaired=0, lead_reason="")
    return summarise(tracks, 10.0).embeddings


def test_move_descriptors_name_a_turn_and_arms_up():
    from bachata_desktop.analysis.pose.descriptors import dancer_descriptors
    from bachata_desktop.analysis.pose.features import dancer_features

    rng = np.random.default_rng(1)
    t = np.arange(0, 8, 0.1)
    spin = dancer_descriptors(dancer_features(_dancer_clip("spin", 500, t, 100, rng), 10.0))
    basic = dancer_descriptors(dancer_features(_dancer_clip("basic", 500, t, 100, rng), 10.0))
    assert spin["turn_rate"] == pytest.approx(2.0, abs=0.4)   # 2 shoulder flips per second
    assert basic["turn_rate"] == 0.0
    assert spin["above_head_frac"] > 0.9 and basic["above_head_frac"] == 0.0
    assert basic["lateral_range"] > spin["lateral_range"]
    assert all(np.isfinite(v) for v in (*spin.values(), *basic.values()))


def test_embeddings_separate_a_spin_from_a_basic():
    spins = [_embeddings("spin", s) for s in range(3)]
    basics = [_embeddings("basic", s) for s in range(3, 6)]
    for modality in ("follow", "interaction"):
        for group, other in ((spins, basics), (basics, spins)):
            for i, e in enumerate(group):
                v = e[modality]
                assert np.isfinite(v).all() and abs(np.linalg.norm(v) - 1) < 1e-5
                same = max(float(v @ g[modality]) for j, g in enumerate(group) if j != i)
                diff = max(float(v @ o[modality]) for o in other)
                assert same > diff, (modality, i)


def test_the_taller_dancer_at_equal_depth_leads_even_on_the_right():
    """Feet at the same height (same distance from the camera): the one 8 % taller leads, even
    though the smaller one stands on the left in the first frame."""
    frames = [frame([(400, 500, 100.0), (700, 500, 108.0)]) for _ in range(30)]
    hists = [np.stack([hist(3), hist(40)]) for _ in range(30)]
    tr = build_couple(frames, hists, (1280, 720), fps=10.0)
    lead_x = np.nanmean(tr.keypoints[0, 0, :, 0])
    assert lead_x > 600 and "taller" in tr.lead_reason


def _at_depth(cx: float, height_m: float, depth_m: float) -> tuple[float, float, float]:
    """A dancer ``height_m`` tall, ``depth_m`` from a level pinhole camera (focal 1000 px,
    1.05 m above the floor, horizon at y = 300), as ``frame``'s (x, y, scale)."""
    body = 1000.0 * height_m / depth_m          # on-screen height, head top to soles
    feet = 300.0 + 1000.0 * 1.05 / depth_m
    scale = body / 2.25                          # BODY spans 2.25 units, soles 0.6 below y
    return cx, feet - 0.6 * scale, scale


def test_the_taller_lead_is_found_when_the_follow_stands_nearer_the_camera():
    """The follow (1.62 m) half a metre nearer than the lead (1.78 m) looks taller on screen; the
    perspective correction (height over the feet's distance below the horizon) still finds the
    lead, while the dancers sway nearer and further."""
    sway = 0.2 * np.sin(np.linspace(0, 6, 40))
    frames = [frame([_at_depth(450, 1.62, 2.5 + d), _at_depth(700, 1.78, 3.0 + d)])
              for d in sway]
    hists = [np.stack([hist(3), hist(40)]) for _ in range(40)]
    on_screen = [np.ptp(frame([_at_depth(0, h, z)]).keypoints[0, :, 1]) for h, z in
                 ((1.62, 2.5), (1.78, 3.0))]
    assert on_screen[0] > on_screen[1]
    tr = build_couple(frames, hists, (1280, 720), fps=10.0)
    assert np.nanmean(tr.keypoints[0, 0, :, 0]) > 600 and "taller" in tr.lead_reason
    # equal statures at different depths: no difference found
    same = [frame([_at_depth(450, 1.7, 2.4 + d), _at_depth(700, 1.7, 3.1 - d)]) for d in sway]
    tr2 = build_couple(same, hists, (1280, 720), fps=10.0)
    assert abs(_stature(tr2.keypoints, tr2.detected)) < 0.01


def test_a_second_detection_of_one_body_is_not_taken_for_the_partner():
    """A weak duplicate box on the visible dancer while the partner is hidden: the partner is
    reported unseen in those frames, not placed on the duplicate."""
    frames, hists = [], []
    for t in range(30):
        people = [(400, 500, 100.0), (560, 500, 100.0)]
        if 10 <= t < 16:
            people = [(400, 500, 100.0), (404, 502, 100.0)]   # the same body, found twice
        fp = frame(people)
        if 10 <= t < 16:
            fp = FramePoses(fp.boxes, np.array([0.9, 0.15], np.float32), fp.keypoints)
        frames.append(fp)
        hists.append(np.stack([hist(3), hist(40)]))
    tr = build_couple(frames, hists, (1280, 720), fps=10.0)
    assert tr.detected[:10].all() and tr.detected[16:].all()
    assert tr.detected[10:16].sum(axis=1).tolist() == [1] * 6
