"""From a decoded video frame to the picture the pose model takes, in one FFmpeg filter pass.

The side bars of portrait clips are cropped off *before* scaling (the crop only moves plane
pointers) and the picture is scaled in YUV, then converted to BGR at the small size:
~0.6 ms a 720p frame against ~3 ms for swscale's scale-and-convert of the whole frame followed by
a numpy crop (bench_pose.py). The result's longer side is exactly the model's input size, so the
backend only pads it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Geometry:
    """Source columns [x0, x0 + cw) of a W x H video, scaled to tw x th for the model."""

    W: int
    H: int
    x0: int
    cw: int
    tw: int
    th: int

    @property
    def sx(self) -> float:
        return self.tw / self.cw

    @property
    def sy(self) -> float:
        return self.th / self.H

    @classmethod
    def fit(cls, w: int, h: int, x0: int, x1: int, imgsz: int) -> Geometry:
        """Keep columns [x0, x1) (widened to even offsets: 4:2:0 chroma), longer side ``imgsz``."""
        x0 = max(0, x0 - x0 % 2)
        x1 = min(w, x1 + x1 % 2)
        cw = x1 - x0
        s = min(1.0, imgsz / max(cw, h))
        tw = min(imgsz, max(2, round(cw * s))) if s < 1.0 else cw
        th = min(imgsz, max(2, round(h * s))) if s < 1.0 else h
        return cls(W=w, H=h, x0=x0, cw=cw, tw=tw, th=th)

    def to_source(self, xy: np.ndarray) -> np.ndarray:
        """Model-picture pixel coordinates (..., 2) back to source pixels (a new array)."""
        out = np.array(xy, dtype=np.float32, copy=True)
        out[..., 0] = out[..., 0] / self.sx + self.x0
        out[..., 1] = out[..., 1] / self.sy
        return out


class FrameScaler:
    """Crop, scale and convert decoded frames to BGR uint8 (th, tw, 3) arrays for the model."""

    def __init__(self, geometry: Geometry, first_frame) -> None:
        import av  # noqa: PLC0415

        g = geometry
        self.geometry = g
        self._fmt = first_frame.format.name
        graph = av.filter.Graph()
        src = graph.add_buffer(width=g.W, height=g.H, format=self._fmt,
                               time_base=first_frame.time_base or None)
        chain = [src, graph.add("crop", f"{g.cw}:{g.H}:{g.x0}:0:exact=1"),
                 graph.add("scale", f"{g.tw}:{g.th}:flags=bilinear"),
                 graph.add("format", "bgr24"), graph.add("buffersink")]
        for a, b in zip(chain, chain[1:], strict=False):
            a.link_to(b)
        graph.configure()
        self._graph = graph

    def __call__(self, frame) -> np.ndarray:
        g = self.geometry
        if (frame.width, frame.height, frame.format.name) != (g.W, g.H, self._fmt):
            # the stream changed size or format mid-way: bring it back to the clip's geometry
            frame = frame.reformat(width=g.W, height=g.H, format=self._fmt)
        self._graph.push(frame)
        return self._graph.pull().to_ndarray()


__all__ = ["FrameScaler", "Geometry"]
