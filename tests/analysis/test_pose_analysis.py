"""The couple pose analysis on real clips with the real model (../shared)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest
from shared_assets import CLIPS_DIR, MODELS_DIR, POSE_MODEL_DIR

from bachata_desktop.core.errors import Cancelled, InputError
from bachata_desktop.core.pose import EMBEDDING_DIMS, PoseAnalysis
from bachata_desktop.core.task import RecordingContext

# Open-hold clips (danced apart, hands joined): both dancers should be visible.
OPEN_HOLD = ["spin/spin.mp4", "ladyturn/ladyturn_left.mp4", "cross_body_lead/cross_body_lead.mp4"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not POSE_MODEL_DIR.is_dir(), reason=f"pose model missing: {POSE_MODEL_DIR}"),
    pytest.mark.skipif(not CLIPS_DIR.is_dir(), reason=f"shared clips missing: {CLIPS_DIR}"),
]


@pytest.fixture(scope="module")
def analysed(real_pose) -> dict[str, tuple[PoseAnalysis, Path]]:
    return {rel: real_pose(rel) for rel in OPEN_HOLD}


def test_both_dancers_found_in_open_hold_clips(analysed):
    for rel, (res, _) in analysed.items():
        assert res.people_found, rel
        assert res.frames_analyzed >= 50, rel
        assert abs(res.analysis_fps - 10.0) < 0.5
        assert res.both_dancers_ratio >= 0.85, (rel, res.both_dancers_ratio)


def test_embeddings_finite_normalised_and_sized(analysed):
    for res, _ in analysed.values():
        for name, vec in res.embeddings.items():
            assert vec.shape == (EMBEDDING_DIMS[name],)
            assert vec.dtype == np.float32
            assert np.isfinite(vec).all()
            assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-4
        assert np.isfinite(res.start_pose).all() and np.isfinite(res.end_pose).all()
        assert res.motion_energy > 0


def test_identity_is_continuous(analysed):
    """No unrepaired swap: each dancer's next position is nearer their own last one than the
    partner's, whenever the two are clearly apart."""
    from bachata_desktop.analysis.pose.analyze import load_keypoints

    for rel, (_, kp_file) in analysed.items():
        data = load_keypoints(kp_file)
        box = data["boxes"].astype(np.float64)
        centre = (box[..., :2] + box[..., 2:]) / 2
        height = box[..., 3] - box[..., 1]
        bad = 0
        for t in range(1, len(centre)):
            c0, c1 = centre[t - 1], centre[t]
            if not (np.isfinite(c0).all() and np.isfinite(c1).all()):
                continue
            apart = np.linalg.norm(c0[0] - c0[1]) > 0.5 * np.nanmean(height[t])
            keep = np.linalg.norm(c1[0] - c0[0]) + np.linalg.norm(c1[1] - c0[1])
            swap = np.linalg.norm(c1[0] - c0[1]) + np.linalg.norm(c1[1] - c0[0])
            if apart and swap < 0.5 * keep:
                bad += 1
        assert bad == 0, (rel, bad)


def test_keypoints_file_for_the_player(analysed):
    from bachata_desktop.analysis.pose.analyze import load_keypoints

    res, kp_file = analysed[OPEN_HOLD[0]]
    assert res.keypoints_file == str(kp_file)
    data = load_keypoints(kp_file)
    assert data["keypoints"].shape == (res.frames_analyzed, 2, 17, 3)
    assert np.all(np.diff(data["times"]) > 0)
    assert tuple(data["size"]) == (1280, 720)
    xy = data["keypoints"][..., :2]
    seen = xy[np.isfinite(xy)]
    assert seen.size and seen.min() > -50 and seen.max() < 1330  # source pixel coordinates
    # Missing joints are NaN, never zeros.
    assert not np.any((xy[..., 0] == 0) & (xy[..., 1] == 0))


def test_summary_round_trip(analysed):
    res, _ = analysed[OPEN_HOLD[1]]
    d = json.loads(json.dumps(res.to_dict()))
    assert "lead_embedding" not in d and d["embedding_dims"]["interaction"] == 256
    back = PoseAnalysis.from_dict(d, embeddings=res.embeddings)
    assert back == res
    assert np.array_equal(back.lead_embedding, res.lead_embedding)


def test_flip_exchanges_lead_and_follow(analysed):
    from bachata_desktop.analysis.pose.analyze import analyze_clip

    res, _ = analysed[OPEN_HOLD[0]]
    flipped = analyze_clip(CLIPS_DIR / OPEN_HOLD[0], flipped=True, search_path=[MODELS_DIR])
    assert flipped.flipped
    assert np.allclose(flipped.lead_embedding, res.follow_embedding, atol=1e-5)
    assert np.allclose(flipped.follow_embedding, res.lead_embedding, atol=1e-5)
    assert np.allclose(res.flip().start_pose, flipped.start_pose, atol=1e-5)


def test_same_move_is_nearer_than_a_different_one(analysed):
    """Two lady-turn-like open moves vs themselves: sanity of the embedding space."""
    from bachata_desktop.core.pose import cosine

    a = analysed[OPEN_HOLD[0]][0]
    assert cosine(a.lead_embedding, a.lead_embedding) == pytest.approx(1.0, abs=1e-5)
    for other, _ in analysed.values():
        assert -1.0 <= cosine(a.interaction_embedding, other.interaction_embedding) <= 1.0


def test_progress_and_cancel():
    from bachata_desktop.analysis.pose.analyze import analyze_clip

    ctx = RecordingContext(cancel_after_reports=3)
    with pytest.raises(Cancelled):
        analyze_clip(CLIPS_DIR / OPEN_HOLD[0], ctx, search_path=[MODELS_DIR])
    assert len(ctx.reports) >= 3
    assert all(0.0 <= f <= 1.0 for f, _ in ctx.reports)


@pytest.mark.parametrize("content", [b"", b"this is not a video at all\n" * 40,
                                     bytes(range(256)) * 64])
def test_corrupt_file_gets_a_clear_error(tmp_path, content):
    from bachata_desktop.analysis.pose.analyze import analyze_clip

    bad = tmp_path / "broken clip.mp4"
    bad.write_bytes(content)
    with pytest.raises(InputError) as err:
        analyze_clip(bad, search_path=[MODELS_DIR])
    msg = str(err.value)
    assert "broken clip.mp4" in msg and "\n" not in msg


def test_missing_file_gets_a_clear_error(tmp_path):
    from bachata_desktop.analysis.pose.analyze import analyze_clip

    with pytest.raises(InputError, match="not found"):
        analyze_clip(tmp_path / "nope.mp4", search_path=[MODELS_DIR])


def _write_empty_video(path: Path, seconds: float = 3.0, fps: int = 25) -> None:
    import av

    with av.open(str(path), "w") as out:
        st = out.add_stream("libx264", rate=fps)
        st.width, st.height, st.pix_fmt = 320, 240, "yuv420p"
        for i in range(int(seconds * fps)):
            img = np.full((240, 320, 3), 90 + i % 20, np.uint8)  # a plain, slowly flickering wall
            for pkt in st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)


def test_video_with_nobody_says_so(tmp_path):
    from bachata_desktop.analysis.pose.analyze import analyze_clip, load_keypoints

    video = tmp_path / "empty room.mp4"
    _write_empty_video(video)
    kp = tmp_path / "empty.npz"
    res = analyze_clip(video, keypoints_out=kp, search_path=[MODELS_DIR])
    assert res.frames_analyzed >= 20
    assert not res.people_found and not res.has_embeddings
    assert res.both_dancers_ratio == 0.0 and res.any_dancer_ratio == 0.0
    assert res.start_hold_guess is None
    for vec in res.embeddings.values():
        assert np.isfinite(vec).all() and not vec.any()
    assert np.isnan(load_keypoints(kp)["keypoints"]).all()


def test_cli_analyze_clip_json(capsys, monkeypatch):
    from bachata_desktop.cli import clip as cli

    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    monkeypatch.setenv("BACHATA_MODELS", str(MODELS_DIR))
    code = cli.run(parser.parse_args([str(CLIPS_DIR / OPEN_HOLD[0]), "--json", "--quiet"]))
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["frames_analyzed"] > 50 and out["both_dancers_ratio"] >= 0.85
    assert out["embedding_dims"] == {"lead": 512, "follow": 512, "interaction": 256}
    assert set(out["timings"]) >= {"decode_s", "inference_s", "total_s"}
    assert isinstance(out["swaps_repaired"], int)


def test_cli_bad_file_exits_non_zero(tmp_path, capsys, monkeypatch):
    from bachata_desktop.cli import clip as cli

    monkeypatch.setenv("BACHATA_MODELS", str(MODELS_DIR))
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    bad = tmp_path / "x.mp4"
    bad.write_text("nope")
    assert cli.run(parser.parse_args([str(bad), "--json", "--quiet"])) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "x.mp4" in err and "\n" not in err
