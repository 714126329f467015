"""Clip thumbnails for the library grid: decoded in the background, cached on disk and in memory.

``ThumbnailProvider.pixmap(clip)`` answers at once from an LRU of ``QPixmap`` (GUI thread only) or
with a placeholder, and queues one job per missing clip. The job (an ``io`` pool thread) reads the
disk cache ``<thumbnails>/<hash>.jpg`` or decodes a frame about a third into the clip with PyAV and
writes that file, and returns a ``QImage`` scaled for display; the provider turns it into a pixmap on
the GUI thread and emits ``thumbnail_ready(clip_id)`` so the model can emit a role-scoped
``dataChanged``. Requests are served newest first, with a few jobs in flight: when the user scrolls
fast through 10,000 clips, the rows on screen now are drawn before the ones scrolled past.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter, QPixmap

from bachata_desktop.core import thumbnails as core_thumbnails
from bachata_desktop.core.clip import Clip
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.task import TaskContext, check_cancelled
from bachata_desktop.workers.manager import JobManager

log = logging.getLogger(__name__)

DISK_SIZE = QSize(*core_thumbnails.DISK_SIZE)  # the JPEG kept on disk
JPEG_QUALITY = 85


@dataclass(frozen=True)
class ThumbRequest:
    clip_id: int
    media: Path
    cache_file: Path


def cache_file_for(folder: Path, clip: Clip) -> Path:
    """``<folder>/<hash>.jpg``: keyed by the media content, so a re-import reuses it."""
    return core_thumbnails.thumbnail_file(folder, clip)


def decode_frame(media: Path, max_size: QSize = DISK_SIZE, position: float = 1 / 3) -> QImage:
    """One frame at ``position`` (fraction of the duration), scaled to fit ``max_size``.

    Raises InputError for a file that cannot be opened or has no decodable video frame.
    """
    import av  # heavy-ish (bundled FFmpeg); only worker threads need it

    try:
        with av.open(str(media)) as container:
            if not container.streams.video:
                raise InputError(f"{media.name} has no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            duration = 0.0
            if stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
            elif container.duration:
                duration = container.duration / 1_000_000
            target = max(0.0, duration * position)
            if target > 0 and stream.time_base:
                container.seek(int(target / stream.time_base), stream=stream, backward=True)
            frame = None
            for frame in container.decode(stream):  # noqa: B007 - keep the last frame decoded
                if frame.time is None or frame.time >= target:
                    break
            if frame is None:
                raise InputError(f"{media.name} has no decodable video frame")
            # twice the box is plenty to crop bars and scale smoothly, and 4x cheaper than 720p
            dw, dh = _fit(frame.width, frame.height, QSize(max_size.width() * 2, max_size.height() * 2))
            rgb = frame.to_ndarray(format="rgb24", width=dw, height=dh)
    except (OSError, av.error.FFmpegError) as exc:  # type: ignore[attr-defined]
        raise InputError(f"Cannot read a frame of {media.name}: {exc}") from exc
    rgb = crop_side_bars(rgb)
    h, w = rgb.shape[:2]
    image = QImage(rgb.data, w, h, int(rgb.strides[0]), QImage.Format.Format_RGB888).copy()
    tw, th = _fit(w, h, max_size)
    return image.scaled(tw, th, Qt.AspectRatioMode.IgnoreAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


def crop_side_bars(rgb: np.ndarray, level: float = 245.0) -> np.ndarray:
    """Cut white or black bars off the sides (most shared clips are portrait in landscape).

    A column is a bar when its mean is nearly white or nearly black (a small logo in a bar
    does not move the mean much).
    """
    cols = rgb[::4].mean(axis=(0, 2))  # every 4th row is enough for a column's mean
    plain = (cols >= level) | (cols <= 255.0 - level)
    keep = np.flatnonzero(~plain)
    if keep.size < rgb.shape[1] * 0.2:  # nearly all plain: a title card, keep it whole
        return np.ascontiguousarray(rgb)
    return np.ascontiguousarray(rgb[:, keep[0]:keep[-1] + 1])


def _fit(width: int, height: int, box: QSize) -> tuple[int, int]:
    scale = min(box.width() / max(1, width), box.height() / max(1, height))
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def render_thumbnail(ctx: TaskContext, request: ThumbRequest, display: QSize) -> tuple[int, QImage]:
    """Job body (io pool): disk cache or decode + save, then scale for display."""
    check_cancelled(ctx)
    image = QImage()
    if request.cache_file.is_file():
        image = QImage(str(request.cache_file))
    if image.isNull():
        if not request.media.is_file():
            raise InputError(f"Clip file missing: {request.media.name}")
        image = decode_frame(request.media)
        check_cancelled(ctx)
        request.cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = request.cache_file.with_name(request.cache_file.stem + f".{os.getpid()}.tmp.jpg")
        if image.save(str(tmp), "JPG", JPEG_QUALITY):
            os.replace(tmp, request.cache_file)
        else:
            tmp.unlink(missing_ok=True)
            log.warning("could not write thumbnail %s", request.cache_file)
    scaled = image.scaled(display, Qt.AspectRatioMode.KeepAspectRatio,
                          Qt.TransformationMode.SmoothTransformation)
    return request.clip_id, scaled


class ThumbnailProvider(QObject):
    """Pixmaps for clips: LRU in memory, JPEG on disk, jobs for the rest (see module docstring)."""

    thumbnail_ready = Signal(int)

    def __init__(self, jobs: JobManager, folder: Path, media_of: Callable[[Clip], Path],
                 display: QSize = QSize(192, 108), lru_size: int = 600, max_in_flight: int = 3,
                 max_waiting: int = 400, device_pixel_ratio: float = 1.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.folder = Path(folder)
        self.media_of = media_of
        self.dpr = max(1.0, device_pixel_ratio)
        self.display = QSize(round(display.width() * self.dpr), round(display.height() * self.dpr))
        self.lru_size = lru_size
        self.max_in_flight = max_in_flight
        self.max_waiting = max_waiting
        self._lru: OrderedDict[int, QPixmap] = OrderedDict()
        self._waiting: OrderedDict[int, ThumbRequest] = OrderedDict()  # newest last
        self._in_flight: set[int] = set()
        self._failed: dict[int, str] = {}
        self._stopped = False
        self.placeholder = _placeholder(display, self.dpr, "")
        self.broken = _placeholder(display, self.dpr, "no preview")
        self.jobs_started = 0

    # -- GUI-thread API ------------------------------------------------------------------------
    def pixmap(self, clip: Clip) -> QPixmap:
        """The cached thumbnail, else a placeholder (and a job is queued for it)."""
        cid = clip.id
        if cid is None:
            return self.placeholder
        pm = self._lru.get(cid)
        if pm is not None:
            self._lru.move_to_end(cid)
            return pm
        if cid in self._failed:
            return self.broken
        if cid not in self._in_flight:
            self._waiting.pop(cid, None)
            self._waiting[cid] = ThumbRequest(cid, self.media_of(clip), cache_file_for(self.folder, clip))
            while len(self._waiting) > self.max_waiting:
                self._waiting.popitem(last=False)  # scrolled past long ago; asked again if seen
            self._pump()
        return self.placeholder

    def cached(self, clip_id: int) -> QPixmap | None:
        """The pixmap in memory for a clip, without queueing anything."""
        return self._lru.get(clip_id)

    def failed(self, clip_id: int) -> str | None:
        return self._failed.get(clip_id)

    def forget(self, clip_id: int) -> None:
        """Drop a clip's pixmap (its media changed); the disk file is keyed by content anyway."""
        self._lru.pop(clip_id, None)
        self._failed.pop(clip_id, None)

    def busy(self) -> bool:
        return bool(self._waiting or self._in_flight)

    def stop(self) -> None:
        self._stopped = True
        self._waiting.clear()

    # -- jobs ----------------------------------------------------------------------------------
    def _pump(self) -> None:
        while not self._stopped and self._waiting and len(self._in_flight) < self.max_in_flight:
            cid, req = self._waiting.popitem(last=True)  # newest request first
            self._in_flight.add(cid)
            self.jobs_started += 1
            self.jobs.submit(render_thumbnail, req, self.display, title="Thumbnail", pool="io",
                             visible=False, on_finished=self._on_job_finished,
                             on_failed=lambda err, c=cid: self._on_job_failed(c, err),
                             on_cancelled=lambda c=cid: self._in_flight.discard(c))

    def _on_job_finished(self, result: tuple[int, QImage]) -> None:
        cid, image = result
        self._in_flight.discard(cid)
        pm = QPixmap.fromImage(image)
        pm.setDevicePixelRatio(self.dpr)
        self._lru[cid] = pm
        while len(self._lru) > self.lru_size:
            self._lru.popitem(last=False)
        self.thumbnail_ready.emit(cid)
        self._pump()

    def _on_job_failed(self, cid: int, error: str) -> None:
        self._in_flight.discard(cid)
        self._failed[cid] = error
        log.info("no thumbnail for clip %s: %s", cid, error)
        self.thumbnail_ready.emit(cid)
        self._pump()


def _placeholder(size: QSize, dpr: float, text: str) -> QPixmap:
    pm = QPixmap(round(size.width() * dpr), round(size.height() * dpr))
    pm.setDevicePixelRatio(dpr)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    rect = QRectF(0, 0, size.width(), size.height())
    grad = QLinearGradient(rect.topLeft(), rect.bottomRight())
    grad.setColorAt(0, QColor("#3b3242"))
    grad.setColorAt(1, QColor("#2b2530"))
    p.fillRect(rect, grad)
    p.setPen(QColor(255, 255, 255, 90))
    font = QFont()
    if text:
        font.setPointSizeF(9)
        p.setFont(font)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    else:
        font.setPointSizeF(22)
        p.setFont(font)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "▶")
    p.end()
    return pm

