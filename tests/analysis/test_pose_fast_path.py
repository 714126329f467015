"""The pose step's fast path gives the model the same frames and geometry as the plain one.

Real clips and the real model (../shared): non-reference pictures that are not sampled are never
decoded, FFmpeg scales straight to the model's size, the colour / float conversion runs inside the
compiled model, and two batches are inferred while the next one decodes. Each is checked against a
reference path on the same material (no timing here: speed is measured in bench_pose.py).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from shared_assets import CLIPS_DIR, MODELS_DIR, POSE_MODEL_DIR, need

from bachata_desktop.analysis.pose.sampling import (
    SamplePlan,
    avcc_nal_length,
    decode_packets,
    is_non_reference,
)

pytestmark = pytest.mark.slow
SPIN = CLIPS_DIR / "spin" / "spin.mp4"
LADYTURN = CLIPS_DIR / "ladyturn" / "ladyturn_left.mp4"  # portrait video between white bars


def _nal(ref_idc: int, nal_type: int, payload: bytes = b"\x88\x84") -> bytes:
    body = bytes([(ref_idc << 5) | nal_type]) + payload
    return len(body).to_bytes(4, "big") + body


def test_non_reference_pictures_are_recognised_from_their_slices():
    sei = _nal(0, 6)
    assert is_non_reference(sei + _nal(0, 1) + _nal(0, 1), 4)   # B-slices nobody refers to
    assert not is_non_reference(sei + _nal(2, 1), 4)            # a reference P/B slice
    assert not is_non_reference(_nal(3, 5), 4)                  # an IDR picture
    assert not is_non_reference(_nal(0, 1) + _nal(2, 1), 4)     # one reference slice is enough
    assert not is_non_reference(sei, 4)                         # no slice at all
    assert not is_non_reference(_nal(0, 1)[:-1], 4)             # truncated: treated as reference
    assert not is_non_reference(b"", 4)
    assert avcc_nal_length(b"\x01\x64\x00\x1f\xff\xe1\x00") == 4
    assert avcc_nal_length(b"\x00\x00\x00\x01\x67") is None      # Annex B: no length prefix
    assert avcc_nal_length(None) is None


def test_skipping_unsampled_pictures_keeps_the_sampled_frames_identical():
    import av

    need(SPIN)
    with av.open(str(SPIN)) as c:
        st = c.streams.video[0]
        full = {f.pts: f.to_ndarray() for i, f in enumerate(c.decode(st)) if i % 3 == 0}
    with av.open(str(SPIN)) as c:
        st = c.streams.video[0]
        st.thread_type = "AUTO"
        plan = SamplePlan.for_stream(st, 3)
        taken = {}
        for i, f in enumerate(decode_packets(c, st, plan)):
            if plan.wants(f, i):
                taken[f.pts] = f.to_ndarray()
                assert f.time is not None and np.isfinite(f.time)
    assert plan.nal_length == 4 and not plan.by_index
    assert plan.packets == 274 and plan.skipped > 0.25 * plan.packets  # a third never decoded
    assert sorted(taken) == sorted(full) and len(taken) == 92
    for pts, img in full.items():
        assert np.array_equal(taken[pts], img), pts


def test_in_model_preprocessing_matches_numpy():
    import openvino as ov

    from bachata_desktop.analysis.pose.backend import with_preprocessing

    xml = next(need(POSE_MODEL_DIR).glob("*.xml"))
    frames = _decoded_frames(SPIN, 4, 320)
    batch = np.full((4, 224, 320, 3), 114, np.uint8)
    batch[:, 2:2 + frames.shape[1]] = frames
    core = ov.Core()
    plain = core.compile_model(core.read_model(str(xml)), "CPU")
    fused = core.compile_model(with_preprocessing(core.read_model(str(xml))), "CPU")
    x = np.ascontiguousarray(batch[..., ::-1].transpose(0, 3, 1, 2).astype(np.float32) / 255)
    want = next(iter(plain([x]).values()))
    got = next(iter(fused([batch]).values()))
    assert got.shape == want.shape == (4, 56, 1470)
    np.testing.assert_allclose(got, want, atol=1e-3)


def _decoded_frames(path, n, imgsz):
    import av

    with av.open(str(need(path))) as c:
        out = []
        for i, f in enumerate(c.decode(c.streams.video[0])):
            if i % 30 == 0:
                s = imgsz / max(f.width, f.height)
                out.append(f.reformat(width=imgsz, height=round(f.height * s),
                                      format="bgr24").to_ndarray())
            if len(out) == n:
                return np.stack(out)
    raise AssertionError("clip too short")


@pytest.mark.parametrize("clip", [SPIN, LADYTURN])
def test_scaled_cropped_frames_map_back_to_source_pixels(clip):
    """Keypoints from the fast path (bars cropped, one FFmpeg scale to the model's size) land
    where the model puts them on the full-resolution frame letterboxed by the backend itself."""
    import av

    from bachata_desktop.analysis.pose.analyze import PoseConfig, _geometry, _to_source, get_backend
    from bachata_desktop.analysis.pose.scaling import FrameScaler

    need(clip)
    cfg = PoseConfig()
    backend = get_backend(cfg, [MODELS_DIR])
    fast, ref, scaler = [], [], None
    with av.open(str(clip)) as c:
        for i, f in enumerate(c.decode(c.streams.video[0])):
            if i % 15:
                continue
            scaler = scaler or FrameScaler(_geometry(f, cfg), f)
            g = scaler.geometry
            fast.append(scaler(f))
            ref.append(np.ascontiguousarray(f.to_ndarray(format="bgr24")[:, g.x0:g.x0 + g.cw]))
            if len(fast) == 12:
                break
    assert fast[0].shape == (g.th, g.tw, 3) and max(g.th, g.tw) == cfg.imgsz
    if clip == LADYTURN:
        assert g.cw < 0.7 * g.W  # the white bars are cut off before scaling
    _, r, _, _ = backend._letterbox(fast[:1])
    assert r == 1.0  # the backend pads, it does not resize
    dx, dy = [], []
    for img, fp in zip(ref, backend.predict(fast), strict=True):
        fp = _to_source(fp, g)
        rp = backend.predict([img])[0]  # Pillow resizes the full-resolution crop in the backend
        for k in range(len(rp) if len(fp) else 0):
            want = rp.keypoints[k].copy()
            want[:, 0] += g.x0
            j = int(np.argmin([np.abs(p[:, :2] - want[:, :2]).mean() for p in fp.keypoints]))
            ok = (want[:, 2] > 0.5) & (fp.keypoints[j][:, 2] > 0.5)
            dx += list(fp.keypoints[j][ok, 0] - want[ok, 0])
            dy += list(fp.keypoints[j][ok, 1] - want[ok, 1])
    dx, dy = np.asarray(dx), np.asarray(dy)
    assert len(dx) > 150
    # no offset between the two paths (a crop or scale error would shift every joint) ...
    assert abs(np.median(dx)) < 1.0 and abs(np.median(dy)) < 1.0
    # ... and joints agree to about a source pixel (one model pixel is ~3 source pixels)
    assert np.median(np.abs(dx)) < 2.5 and np.median(np.abs(dy)) < 2.5


def test_batches_in_flight_give_the_same_analysis(monkeypatch):
    from bachata_desktop.analysis.pose.analyze import PoseConfig, analyze_clip, get_backend

    need(SPIN)
    backend = get_backend(PoseConfig(), [MODELS_DIR])
    assert backend.parallel == min(2, os.cpu_count() or 1)
    two = analyze_clip(SPIN, search_path=[MODELS_DIR])
    monkeypatch.setattr(backend, "parallel", 1)
    one = analyze_clip(SPIN, search_path=[MODELS_DIR])
    assert two.frames_analyzed == one.frames_analyzed == 92
    np.testing.assert_allclose(two.lead_embedding, one.lead_embedding, atol=1e-5)
    np.testing.assert_allclose(two.interaction_embedding, one.interaction_embedding, atol=1e-5)
    assert two.both_dancers_ratio == one.both_dancers_ratio


def _reencode(src, dest, codec: str, size: tuple[int, int], pix_fmt: str,
              seconds: float = 2.0) -> int:
    """The first ``seconds`` of ``src`` re-encoded as ``codec`` at ``size``; frames written."""
    import av

    n = 0
    with av.open(str(src)) as inp, av.open(str(dest), "w") as out:
        st = out.add_stream(codec, rate=30)
        st.width, st.height, st.pix_fmt = *size, pix_fmt
        if codec == "libx264":
            st.options = {"bf": "3", "preset": "ultrafast", "tune": "film"}
        for f in inp.decode(inp.streams.video[0]):
            if f.time >= seconds:
                break
            img = f.to_ndarray(width=size[0], height=size[1], format="rgb24")
            for pkt in st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(pkt)
            n += 1
        for pkt in st.encode():
            out.mux(pkt)
    return n


@pytest.mark.parametrize(("name", "codec", "size", "pix_fmt"), [
    ("odd size.mp4", "libx264", (641, 361), "yuv444p"),  # B-frames: pictures are skipped
    ("stream.ts", "libx264", (640, 360), "yuv420p"),     # Annex B H.264: all pictures decoded
    ("mpeg4.mkv", "mpeg4", (640, 360), "yuv420p"),       # another codec: all pictures decoded
])
def test_other_sizes_codecs_and_containers_are_analysed(tmp_path, name, codec, size, pix_fmt):
    from bachata_desktop.analysis.pose.analyze import analyze_clip, load_keypoints

    video = tmp_path / name
    n = _reencode(need(SPIN), video, codec, size, pix_fmt)
    kp = tmp_path / "kp.npz"
    res = analyze_clip(video, keypoints_out=kp, search_path=[MODELS_DIR])
    assert res.frames_analyzed == (n + 2) // 3
    assert res.people_found and res.both_dancers_ratio > 0.5
    data = load_keypoints(kp)
    assert tuple(data["size"]) == size
    xy = data["keypoints"][..., :2][np.isfinite(data["keypoints"][..., 0])]
    assert (xy[:, 0] > -0.05 * size[0]).all() and (xy[:, 0] < 1.05 * size[0]).all()
    assert (xy[:, 1] > -0.05 * size[1]).all() and (xy[:, 1] < 1.05 * size[1]).all()
    assert np.allclose(np.diff(data["times"]), 0.1, atol=1e-3)
