"""Shared helpers of the player tests: a panel on a temp store, a real clip, synthetic analyses."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("BACHATA_SHARED", REPO.parent / "shared"))
CLIP = SHARED / "data" / "clips" / "basic" / "slow_basic3.mp4"   # 1280x720, 30 fps, 9.83 s, with music
FPS = 30.0
FD = 1.0 / FPS
# Synthetic keypoints: the lead's joints on the left, the follow's on the right (source pixels).
LEAD_POINTS = {5: (380.0, 260.0), 6: (460.0, 260.0), 11: (390.0, 420.0), 12: (450.0, 420.0)}
FOLLOW_POINTS = {5: (820.0, 280.0), 6: (900.0, 280.0), 11: (830.0, 440.0), 12: (890.0, 440.0)}


def clip_path() -> Path:
    if not CLIP.exists():
        pytest.skip(f"shared asset not found: {CLIP}")
    return CLIP


def write_keypoints(path: Path, duration: float = 10.0, rate: float = 10.0) -> Path:
    """A keypoints .npz in the pose analysis' layout (analysis.pose.analyze.save_keypoints)."""
    times = np.arange(0.0, duration, 1.0 / rate)
    kps = np.full((times.size, 2, 17, 3), np.nan, np.float32)
    for slot, pts in ((0, LEAD_POINTS), (1, FOLLOW_POINTS)):
        for j, (x, y) in pts.items():
            kps[:, slot, j] = (x, y, 0.9)
    np.savez_compressed(path, version=np.int32(1), keypoints=kps.astype(np.float16),
                        boxes=np.full((times.size, 2, 4), np.nan, np.float16),
                        detected=np.ones((times.size, 2), bool), times=times.astype(np.float32),
                        fps=np.float32(rate), source_fps=np.float32(FPS),
                        size=np.asarray((1280, 720), np.int32), flipped=np.bool_(False),
                        swaps_repaired=np.int32(0))
    return path


def make_panel(qtbot, paths):
    from bachata_desktop.app import build_context, make_application
    from bachata_desktop.ui.player.panel import PlayerPanel

    make_application([])
    ctx = build_context(paths)
    panel = PlayerPanel(ctx)
    panel.autoplay = False
    qtbot.addWidget(panel)
    panel.resize(1000, 680)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def close_panel(panel) -> None:
    panel.shutdown()
    panel.ctx.jobs.shutdown(10000)
    panel.ctx.store.close()


@pytest.fixture
def player(qtbot, app_paths):
    panel = make_panel(qtbot, app_paths)
    yield panel
    close_panel(panel)


def open_and_wait(qtbot, panel, path: Path, **kw) -> None:
    with qtbot.waitSignal(panel.frame_shown, timeout=15000):
        panel.open_media(str(path), **kw)


def show_frame(qtbot, panel, n: int) -> float:
    """Seek (paused) to frame ``n`` and wait until it is on screen; returns its start time."""
    from bachata_desktop.core.loop import frame_time

    with qtbot.waitSignal(panel.frame_shown, timeout=10000) as sig:
        panel.seek(frame_time(n, FPS))
    return float(sig.args[0])


def rgb(image) -> np.ndarray:
    """A QImage as an (h, w, 3) uint8 array."""
    from PySide6.QtGui import QImage

    img = image.convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(img.constBits(), np.uint8, img.sizeInBytes())
    return arr.reshape(img.height(), img.bytesPerLine())[:, : img.width() * 3] \
        .reshape(img.height(), img.width(), 3).copy()
