"""Analyse one clip: decode, sample, run the pose model in batches, track the couple, embed.

``analyze_clip`` is long work (``ctx`` gets per-batch progress and may cancel). Frames are decoded
with PyAV; every ``source_fps / analysis_fps``-th frame is taken, and H.264 pictures that are
neither taken nor referenced by others are never decoded (``sampling.py``). A taken frame has the
white side bars of portrait clips cropped off (less to infer, same dancers) and is scaled by
FFmpeg straight to the model's size (``scaling.py``); inference runs on worker threads while the
next batch decodes. The per-frame keypoints of both dancers (NaN = missing) are saved to a
compact ``.npz`` (float16, with frame times) for the player's skeleton overlay.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bachata_desktop.analysis.pose.backend import FramePoses, PoseBackend, make_backend
from bachata_desktop.analysis.pose.couple import (
    CoupleConfig,
    CoupleTracks,
    build_couple,
    torso_histogram,
)
from bachata_desktop.analysis.pose.embed import (
    dancer_embedding,
    interaction_embedding,
    motion_energy,
    pose_descriptor,
)
from bachata_desktop.analysis.pose.features import (
    InteractionFeatures,
    dancer_features,
    interaction_features,
)
from bachata_desktop.analysis.pose.holds import HOLD_WINDOW_S, classify_hold, hold_features
from bachata_desktop.analysis.pose.model import find_pose_model, model_load_error
from bachata_desktop.analysis.pose.sampling import SamplePlan, decode_packets
from bachata_desktop.analysis.pose.scaling import FrameScaler, Geometry
from bachata_desktop.core.errors import BachataError, InputError
from bachata_desktop.core.pose import (
    FOLLOW_DIM,
    INTERACTION_DIM,
    LEAD_DIM,
    PoseAnalysis,
)
from bachata_desktop.core.task import NullContext, TaskContext, check_cancelled

log = logging.getLogger(__name__)
KEYPOINTS_VERSION = 1


@dataclass(frozen=True)
class PoseConfig:
    """Speed / accuracy settings; the defaults were chosen with ``benchmarks/bench_pose.py``."""

    analysis_fps: float = 10.0
    # 320 px: the same both-dancer rate as 480 on the open-hold clips (0.919 vs 0.918) at about
    # half the inference time (bench_pose.py); 640 finds no more people and costs 2.4x.
    imgsz: int = 320
    batch: int = 8
    det_conf: float = 0.1         # model threshold (a half-hidden partner scores 0.1-0.25)
    backend: str = "auto"         # auto | openvino | ultralytics
    crop_bars: bool = True
    # Let FFmpeg skip every non-reference (B) frame, sampled or not, and sample the decoded ones
    # by time: frame times stay exact but their spacing jitters by up to one source frame. Off by
    # default: the default path already leaves out the non-reference pictures it does not take.
    skip_nonref: bool = False
    edge_s: float = 0.5           # window for the start / end pose descriptors
    min_dancer_ratio: float = 0.1  # below this fraction of frames with anyone: "nobody found"
    couple: CoupleConfig = CoupleConfig()


_backends: dict[tuple, PoseBackend] = {}
_backend_lock = threading.Lock()


def get_backend(config: PoseConfig, search_path: list[Path] | None = None) -> PoseBackend:
    """The pose backend for ``config``, loaded once per process (model loading takes seconds)."""
    model = find_pose_model(search_path)
    key = (str(model.path), config.imgsz, config.det_conf, config.backend)
    with _backend_lock:
        if key not in _backends:
            try:
                _backends[key] = make_backend(model, config.imgsz, config.det_conf, config.backend)
            except (ValueError, BachataError):
                raise
            except Exception as exc:  # the runtime's own errors: damaged or foreign weights
                raise model_load_error(model, exc) from exc
        return _backends[key]


def side_bars(frame: np.ndarray, level: int = 235) -> tuple[int, int]:
    """Columns [x0, x1) of the picture between plain white (or black) side bars."""
    w = frame.shape[1]
    col_min = frame.min(axis=(0, 2))
    col_max = frame.max(axis=(0, 2))
    bar = (col_min >= level) | (col_max <= 16)
    x0 = int(np.argmax(~bar)) if (~bar).any() else 0
    x1 = int(w - np.argmax(~bar[::-1])) if (~bar).any() else w
    if x1 - x0 < 0.3 * w or (x0 < 0.02 * w and w - x1 < 0.02 * w):
        return 0, w
    return x0, x1


_ATTACHED_PIC = 0x400   # FFmpeg's AV_DISPOSITION_ATTACHED_PIC: cover art, not moving pictures


def _open(path: Path):
    import av  # noqa: PLC0415

    if not path.is_file():
        raise InputError(f"video file not found: {path}")
    if path.stat().st_size == 0:
        raise InputError(f"video file is empty: {path.name}")
    try:
        container = av.open(str(path))
    except Exception as exc:  # av raises many FFmpeg error types
        raise InputError(f"cannot read {path.name} as a video: {exc}") from exc
    if not container.streams.video:
        container.close()
        raise InputError(f"{path.name} has no video stream")
    if all(int(v.disposition) & _ATTACHED_PIC for v in container.streams.video):
        container.close()  # a song whose only picture is its cover art (e.g. an .ogg)
        raise InputError(f"{path.name} is an audio file with cover art, not a video of a move")
    return container


def analyze_clip(path: str | Path, ctx: TaskContext | None = None, config: PoseConfig | None = None,
                 flipped: bool = False, keypoints_out: Path | None = None,
                 search_path: list[Path] | None = None) -> PoseAnalysis:
    """Couple pose analysis of one clip (see module docstring)."""
    import av  # noqa: PLC0415

    ctx = ctx or NullContext()
    config = config or PoseConfig()
    path = Path(path)
    t_start = time.perf_counter()
    container = _open(path)
    timings = {"decode_s": 0.0, "inference_s": 0.0, "wait_s": 0.0}
    pool: ThreadPoolExecutor | None = None
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if config.skip_nonref:
            stream.codec_context.skip_frame = "NONREF"
        src_fps = float(stream.average_rate or stream.guessed_rate or 30.0)
        total = stream.frames or int(float(stream.duration * stream.time_base) * src_fps
                                     if stream.duration else 0)
        step = max(1, int(round(src_fps / max(config.analysis_fps, 0.1))))
        ctx.report(0.0, "loading the pose model")
        t0 = time.perf_counter()
        backend = get_backend(config, search_path)
        timings["model_load_s"] = time.perf_counter() - t0

        frames_out: list[FramePoses] = []
        hists: list[np.ndarray] = []
        times: list[float] = []
        batch: list[np.ndarray] = []
        scaler: list[FrameScaler] = []  # made from the first sampled frame
        # Inference runs on worker threads (``backend.parallel`` batches in flight) while this
        # thread decodes the next batch: FFmpeg and OpenVINO release the GIL, so the cores overlap.
        pending: deque[tuple[Future, list[np.ndarray]]] = deque()
        pool = ThreadPoolExecutor(max_workers=max(1, backend.parallel),
                                  thread_name_prefix="pose-infer")

        def timed_predict(frames: list[np.ndarray]) -> tuple[list[FramePoses], float]:
            t = time.perf_counter()
            return backend.predict(frames), time.perf_counter() - t

        def collect() -> None:
            t = time.perf_counter()
            fut, imgs = pending.popleft()
            res, took = fut.result()
            timings["wait_s"] += time.perf_counter() - t
            timings["inference_s"] += took  # summed over the batches in flight
            for img, fp in zip(imgs, res, strict=True):
                hists.append(np.stack([torso_histogram(img, fp.boxes[i], fp.keypoints[i])
                                       for i in range(len(fp))]) if len(fp) else np.zeros((0, 64)))
                frames_out.append(_to_source(fp, scaler[0].geometry))

        def flush() -> None:
            if len(pending) >= max(1, backend.parallel):
                collect()
            pending.append((pool.submit(timed_predict, list(batch)), list(batch)))
            batch.clear()

        index = 0
        next_t = 0.0
        tol = 0.5 / src_fps
        tb = stream.time_base
        plan = SamplePlan.for_stream(stream, step) if not config.skip_nonref else None
        t1 = time.perf_counter()
        try:
            frames = (container.decode(stream) if plan is None
                      else decode_packets(container, stream, plan))
            for frame in frames:
                ft = float(frame.pts * tb) if frame.pts is not None else index / src_fps
                if plan is not None:
                    take = plan.wants(frame, index)
                elif config.skip_nonref:
                    take = ft >= next_t - tol
                    while take and next_t <= ft + tol:
                        next_t += step / src_fps
                else:
                    take = index % step == 0
                if take:
                    if not scaler:
                        scaler.append(FrameScaler(_geometry(frame, config), frame))
                    batch.append(scaler[0](frame))  # cropped, scaled to the model's size, BGR
                    times.append(ft)
                index += 1
                if len(batch) >= config.batch:
                    timings["decode_s"] += time.perf_counter() - t1
                    flush()
                    check_cancelled(ctx)
                    ctx.report(min(0.95, 0.95 * ft * src_fps / max(total, ft * src_fps + 1)),
                               f"{len(frames_out)} frames analysed")
                    t1 = time.perf_counter()
        except av.error.FFmpegError as exc:
            if not times:
                raise InputError(f"cannot decode {path.name}: {exc}") from exc
            log.warning("decoding %s stopped early at frame %d: %s", path.name, index, exc)
        timings["decode_s"] += time.perf_counter() - t1
        if batch:
            flush()
        while pending:
            collect()
        if plan is not None:
            index = max(index, plan.packets)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        container.close()
    if not frames_out:
        raise InputError(f"{path.name} has no decodable video frames")
    check_cancelled(ctx)
    ctx.report(0.96, "tracking the couple")
    an_fps = src_fps / step
    t2 = time.perf_counter()
    geom = scaler[0].geometry
    tracks = build_couple(frames_out, hists, (geom.W, geom.H), an_fps,
                          replace(config.couple), flipped=flipped)
    timings["tracking_s"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    result = summarise(tracks, an_fps, config)
    timings["features_s"] = time.perf_counter() - t3
    kp_file = None
    if keypoints_out is not None:
        save_keypoints(keypoints_out, tracks, np.asarray(times), an_fps, src_fps,
                       (geom.W, geom.H), flipped)
        kp_file = str(keypoints_out)
    timings["total_s"] = time.perf_counter() - t_start
    duration = total / src_fps if total else index / src_fps
    ctx.report(1.0, "pose analysis done")
    return replace(result, frames_analyzed=len(frames_out), analysis_fps=an_fps,
                   source_fps=src_fps, duration_s=duration, flipped=flipped,
                   timings={k: round(v, 4) for k, v in timings.items()},
                   model_id=backend.model_id, backend=type(backend).__name__, imgsz=config.imgsz,
                   keypoints_file=kp_file)


def _geometry(frame, config: PoseConfig) -> Geometry:
    """Crop and scale for this clip, from its first sampled frame: the picture between side bars
    (when ``crop_bars``), its longer side scaled to ``imgsz``."""
    w, h = frame.width, frame.height
    x0, x1 = side_bars(frame.to_ndarray(format="bgr24")) if config.crop_bars else (0, w)
    return Geometry.fit(w, h, x0, x1, config.imgsz)


def _to_source(fp: FramePoses, g: Geometry) -> FramePoses:
    """Map boxes and keypoints from the scaled, cropped frame back to source pixels."""
    if len(fp) == 0:
        return fp
    boxes = g.to_source(fp.boxes.reshape(-1, 2, 2)).reshape(-1, 4)
    kp = fp.keypoints.copy()
    kp[..., :2] = g.to_source(fp.keypoints[..., :2])
    return FramePoses(boxes, fp.scores, kp)


def people_found(tracks: CoupleTracks, config: PoseConfig) -> bool:
    """Whether the clip has dancers enough to describe (else it gets no pose vectors)."""
    return len(tracks.detected) > 0 and tracks.any_ratio >= config.min_dancer_ratio


def move_embedding(inter: InteractionFeatures) -> np.ndarray:
    """The couple's move vector (the ``interaction`` embedding "Similar moves" compares)."""
    return interaction_embedding(inter, INTERACTION_DIM, seed=3)


def summarise(tracks: CoupleTracks, fps: float, config: PoseConfig | None = None) -> PoseAnalysis:
    """Features, embeddings and descriptors from tracked keypoints (no video needed)."""
    config = config or PoseConfig()
    lead_kp, follow_kp = tracks.keypoints[:, 0], tracks.keypoints[:, 1]
    lead = dancer_features(lead_kp, fps)
    follow = dancer_features(follow_kp, fps)
    inter = interaction_features(lead_kp, follow_kp, lead, follow, fps)
    n = len(tracks.detected)
    found = people_found(tracks, config)
    edge = max(1, int(round(config.edge_s * fps)))
    if found:
        emb = (dancer_embedding(lead, LEAD_DIM, seed=1), dancer_embedding(follow, FOLLOW_DIM, seed=1),
               move_embedding(inter))
        start = pose_descriptor(lead, follow, inter, tracks.detected, slice(0, edge))
        end = pose_descriptor(lead, follow, inter, tracks.detected, slice(max(0, n - edge), n))
        hw = max(1, int(round(HOLD_WINDOW_S * fps)))
        holds = [classify_hold(hold_features(lead, follow, inter, tracks.boxes, tracks.detected, sl))
                 for sl in (slice(0, hw), slice(max(0, n - hw), n))]
        connected = inter.connected[np.isfinite(inter.connected)]
        hands = float(connected.mean()) if connected.size else 0.0
        energy = motion_energy(lead, follow)
    else:
        emb = (np.zeros(LEAD_DIM, np.float32), np.zeros(FOLLOW_DIM, np.float32),
               np.zeros(INTERACTION_DIM, np.float32))
        start = end = pose_descriptor(lead, follow, inter, tracks.detected, slice(0, 0))
        hands, energy = 0.0, 0.0
        holds = [(None, 0.0), (None, 0.0)]
    return PoseAnalysis(
        frames_analyzed=n, analysis_fps=fps, source_fps=fps, duration_s=n / fps if fps else 0.0,
        both_dancers_ratio=tracks.both_ratio, any_dancer_ratio=tracks.any_ratio,
        people_found=bool(found), swaps_repaired=tracks.swaps_repaired, flipped=False,
        lead_embedding=emb[0], follow_embedding=emb[1], interaction_embedding=emb[2],
        start_pose=start, end_pose=end,
        start_hold_guess=holds[0][0], end_hold_guess=holds[1][0],
        start_hold_confidence=holds[0][1], end_hold_confidence=holds[1][1],
        motion_energy=energy, hand_connection_ratio=hands, lead_reason=tracks.lead_reason,
        lead_unsure=tracks.lead_unsure)


def save_keypoints(path: Path, tracks: CoupleTracks, times: np.ndarray, fps: float,
                   source_fps: float, size: tuple[int, int], flipped: bool) -> None:
    """Write the per-frame keypoints (lead, follow; NaN = missing) atomically as a float16 .npz."""
    import os  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # the pid in the name lets the next start remove it if this process is killed while writing
    fd, tmp = tempfile.mkstemp(prefix=f".kp-{os.getpid()}-", suffix=".npz", dir=path.parent)
    os.close(fd)
    try:
        np.savez_compressed(tmp, version=np.int32(KEYPOINTS_VERSION),
                            keypoints=tracks.keypoints.astype(np.float16),
                            boxes=tracks.boxes.astype(np.float16), detected=tracks.detected,
                            times=times.astype(np.float32), fps=np.float32(fps),
                            source_fps=np.float32(source_fps), size=np.asarray(size, np.int32),
                            flipped=np.bool_(flipped), swaps_repaired=np.int32(tracks.swaps_repaired))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_keypoints(path: Path) -> dict[str, np.ndarray]:
    """Read a keypoints file written by :func:`save_keypoints` (keypoints as float32)."""
    try:
        with np.load(path) as z:
            data = {k: z[k] for k in z.files}
    except (OSError, ValueError) as exc:
        raise InputError(f"keypoints file {Path(path).name} is unreadable: {exc}") from exc
    data["keypoints"] = data["keypoints"].astype(np.float32)
    data["boxes"] = data["boxes"].astype(np.float32)
    return data


def tracks_from_keypoints(data: dict[str, np.ndarray]) -> CoupleTracks:
    """Rebuild tracks from a keypoints file (to recompute embeddings without the video)."""
    return CoupleTracks(keypoints=data["keypoints"], boxes=data["boxes"],
                        detected=data["detected"].astype(bool),
                        swaps_repaired=int(data.get("swaps_repaired", 0)), lead_reason="")


__all__ = ["PoseConfig", "analyze_clip", "get_backend", "load_keypoints", "save_keypoints",
           "side_bars", "summarise", "tracks_from_keypoints"]
