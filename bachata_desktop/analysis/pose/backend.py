"""The pose step behind a small interface: frames in, per-frame boxes, scores and keypoints out.

Keeping inference behind :class:`PoseBackend` lets a torch-free backend (plain OpenVINO runtime with
its own letterbox and NMS) sit beside the ultralytics one without touching tracking or features.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bachata_desktop.analysis.pose.model import ModelFile, load_yolo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FramePoses:
    """People found in one frame, in the pixel coordinates of the frame given to the backend."""

    boxes: np.ndarray      # (n, 4) float32 x1, y1, x2, y2
    scores: np.ndarray     # (n,) float32 detection confidence
    keypoints: np.ndarray  # (n, 17, 3) float32 x, y, keypoint confidence

    @staticmethod
    def empty() -> FramePoses:
        return FramePoses(np.zeros((0, 4), np.float32), np.zeros((0,), np.float32),
                          np.zeros((0, 17, 3), np.float32))

    def __len__(self) -> int:
        return int(self.scores.shape[0])


class PoseBackend(Protocol):
    model_id: str
    parallel: int  # batches ``predict`` may run at once, from different threads

    def predict(self, frames: list[np.ndarray]) -> list[FramePoses]:
        """Run the model on a batch of BGR uint8 frames of one size."""


class UltralyticsBackend:
    """YOLOv8-pose through ultralytics (loads .pt, .onnx and OpenVINO folders)."""

    def __init__(self, model: ModelFile, imgsz: int = 480, conf: float = 0.25,
                 threads: int | None = None) -> None:
        self.model_file = model
        self.model_id = model.model_id
        self.imgsz = int(imgsz)
        self.conf = float(conf)
        self._threads = threads
        self._yolo = load_yolo(model)
        self._warm = False
        self.parallel = 1

    def predict(self, frames: list[np.ndarray]) -> list[FramePoses]:
        if not frames:
            return []
        results = self._yolo.predict(list(frames), imgsz=self.imgsz, conf=self.conf, verbose=False,
                                     batch=len(frames))
        if not self._warm:
            self._warm = True
            self._tune_threads()
        out: list[FramePoses] = []
        for r in results:
            n = 0 if r.boxes is None else len(r.boxes)
            if n == 0 or r.keypoints is None:
                out.append(FramePoses.empty())
                continue
            boxes = r.boxes.xyxy.cpu().numpy().astype(np.float32)
            scores = r.boxes.conf.cpu().numpy().astype(np.float32)
            kd = r.keypoints.data.cpu().numpy().astype(np.float32)
            if kd.shape[-1] == 2:  # no keypoint confidences: treat all as visible
                kd = np.concatenate([kd, np.ones(kd.shape[:-1] + (1,), np.float32)], axis=-1)
            out.append(FramePoses(boxes, scores, kd))
        return out

    def _tune_threads(self) -> None:
        # Ultralytics limits torch to cpu_count-1 threads on import; its pre/post-processing on a
        # 2-core laptop runs about twice as fast with both cores (ENVIRONMENT.md).
        try:
            import os  # noqa: PLC0415

            import torch  # noqa: PLC0415

            torch.set_num_threads(self._threads or max(1, os.cpu_count() or 1))
        except Exception:  # pragma: no cover
            log.debug("could not set torch threads", exc_info=True)


class OpenVINOBackend:
    """The OpenVINO export run by the plain OpenVINO runtime: own letterbox and NMS in numpy.

    No torch and no ultralytics: cold start ~0.5 s and ~200 MB instead of seconds and ~1 GB, and
    as fast or faster per frame (ENVIRONMENT.md; measured again in ``benchmarks/bench_pose.py``).
    Needs a model exported with dynamic shapes (input ``[?, 3, ?, ?]``, output ``[?, 56, ?]``).
    """

    STRIDE = 32
    STREAMS = 2

    def __init__(self, model: ModelFile, imgsz: int = 480, conf: float = 0.25, iou: float = 0.7,
                 max_det: int = 20) -> None:
        from bachata_desktop import offline, paths  # noqa: PLC0415

        offline.harden(config_dir=str(paths.app_paths().config / "ultralytics"))
        import openvino as ov  # noqa: PLC0415 - heavy, loaded in the worker that needs it

        xml = sorted(model.path.glob("*.xml"))
        if not xml:
            raise ValueError(f"no .xml in {model.path}")
        core = ov.Core()
        net = with_preprocessing(core.read_model(str(xml[0])))
        # Two streams sharing the cores, and ``analyze_clip`` keeps two batches in flight: on 2
        # cores each stream runs one thread, which costs ~25% less CPU per frame than one
        # request spread over both threads (measured at 320 px, batch 8: 8.4 vs 11.3 ms CPU),
        # and decoding overlaps them.
        cores = max(1, os.cpu_count() or 1)
        self.parallel = min(self.STREAMS, cores)
        self._compiled = core.compile_model(net, "CPU", {
            "NUM_STREAMS": self.parallel, "INFERENCE_NUM_THREADS": max(cores, self.parallel)})
        self._local = threading.local()  # one infer request per thread (a request is not shared)
        self.model_file = model
        self.model_id = model.model_id
        self.imgsz = int(imgsz)
        self.conf = float(conf)
        self.iou = float(iou)
        self.max_det = int(max_det)

    def _letterbox(self, frames: list[np.ndarray]) -> tuple[np.ndarray, float, int, int]:
        """The batch as the model's uint8 BGR NHWC input, grey-padded to a multiple of 32.

        Frames whose longer side is already ``imgsz`` (what ``analyze_clip`` hands over: FFmpeg
        scaled them while converting the decoded picture) are only padded; any other size is
        resized here with Pillow. Colour order, float conversion and scaling to 0..1 run inside
        the compiled model (:func:`with_preprocessing`), not in numpy.
        """
        h, w = frames[0].shape[:2]
        r = self.imgsz / max(h, w)
        nw, nh = max(1, round(w * r)), max(1, round(h * r))
        pw = (-nw) % self.STRIDE
        ph = (-nh) % self.STRIDE
        left, top = pw // 2, ph // 2
        batch = np.full((len(frames), nh + ph, nw + pw, 3), 114, np.uint8)
        for i, f in enumerate(frames):
            if (nw, nh) == (w, h):
                batch[i, top:top + nh, left:left + nw] = f
            else:
                from PIL import Image  # noqa: PLC0415 - Pillow's SIMD resize: no OpenCV in the runtime

                img = Image.fromarray(np.ascontiguousarray(f)).resize((nw, nh), Image.BILINEAR)
                batch[i, top:top + nh, left:left + nw] = np.asarray(img)
        return batch, r, left, top

    def predict(self, frames: list[np.ndarray]) -> list[FramePoses]:
        if not frames:
            return []
        x, r, left, top = self._letterbox(frames)
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self._compiled.create_infer_request()
        raw = next(iter(request.infer([x]).values()))  # (B, 56, N)
        out: list[FramePoses] = []
        for pred in raw:
            scores = pred[4]
            keep = np.flatnonzero(scores >= self.conf)
            if keep.size == 0:
                out.append(FramePoses.empty())
                continue
            p = pred[:, keep].T  # (k, 56)
            cx, cy, bw, bh = p[:, 0], p[:, 1], p[:, 2], p[:, 3]
            boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1)
            sel = nms(boxes, p[:, 4], self.iou)[: self.max_det]
            boxes = boxes[sel]
            kp = p[sel, 5:].reshape(-1, 17, 3).copy()
            boxes[:, [0, 2]] = (boxes[:, [0, 2]] - left) / r
            boxes[:, [1, 3]] = (boxes[:, [1, 3]] - top) / r
            kp[..., 0] = (kp[..., 0] - left) / r
            kp[..., 1] = (kp[..., 1] - top) / r
            out.append(FramePoses(boxes.astype(np.float32), p[sel, 4].astype(np.float32),
                                  kp.astype(np.float32)))
        return out


def with_preprocessing(model):  # (openvino.Model) -> openvino.Model
    """``model`` taking uint8 BGR NHWC frames: conversion to float RGB NCHW in 0..1 runs inside
    the compiled graph (the same numbers as numpy's ``x[..., ::-1].transpose(0, 3, 1, 2) / 255``,
    without a float copy of every batch in Python)."""
    from openvino import Layout, Type  # noqa: PLC0415
    from openvino.preprocess import ColorFormat, PrePostProcessor  # noqa: PLC0415

    ppp = PrePostProcessor(model)
    ppp.input().tensor().set_element_type(Type.u8).set_layout(Layout("NHWC")) \
        .set_color_format(ColorFormat.BGR)
    ppp.input().model().set_layout(Layout("NCHW"))
    ppp.input().preprocess().convert_element_type(Type.f32).convert_color(ColorFormat.RGB) \
        .scale(255.0)
    return ppp.build()


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> np.ndarray:
    """Greedy non-maximum suppression; indices of kept boxes, best first."""
    order = np.argsort(-scores)
    x1, y1, x2, y2 = boxes.T
    area = np.maximum(0, x2 - x1) * np.maximum(0, y2 - y1)
    keep: list[int] = []
    while order.size:
        i = order[0]
        keep.append(int(i))
        rest = order[1:]
        w = np.maximum(0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]))
        h = np.maximum(0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]))
        inter = w * h
        ov = inter / np.maximum(area[i] + area[rest] - inter, 1e-9)
        order = rest[ov <= iou]
    return np.asarray(keep, dtype=np.int64)


BACKENDS = ("auto", "openvino", "ultralytics")


def make_backend(model: ModelFile, imgsz: int, conf: float, kind: str = "auto") -> PoseBackend:
    """``auto``: the plain OpenVINO runtime for an OpenVINO folder, ultralytics otherwise."""
    from bachata_desktop.analysis.pose.model import ModelFormat  # noqa: PLC0415

    if kind not in BACKENDS:
        raise ValueError(f"unknown pose backend {kind!r}; use one of {', '.join(BACKENDS)}")
    if kind == "openvino" or (kind == "auto" and model.format is ModelFormat.OPENVINO):
        if model.format is not ModelFormat.OPENVINO:
            raise ValueError(f"the openvino backend needs an OpenVINO model folder, not {model.path}")
        return OpenVINOBackend(model, imgsz=imgsz, conf=conf)
    return UltralyticsBackend(model, imgsz=imgsz, conf=conf)


__all__ = ["BACKENDS", "FramePoses", "OpenVINOBackend", "PoseBackend", "UltralyticsBackend",
           "make_backend", "nms", "with_preprocessing"]
