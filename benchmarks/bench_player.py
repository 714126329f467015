"""Player drawing cost: frames painted per second and GUI-thread paint time per frame.

Plays a 720p shared clip at 1x in the real ``PlayerPanel`` (offscreen) for a few seconds, once
plain (no mirror, no overlays: the baseline) and once mirrored with the count and skeleton
overlays (synthetic keypoints for both dancers, a steady beat grid). Goal: every frame of the
clip drawn (30 fps) with the paint well under a frame's 33 ms. Also reports the A-B loop's
worst overshoot past B over the loops that ran.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false;qt.qpa.*=false")

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BACHATA_SHARED", REPO.parent / "shared"))
CLIP = SHARED / "data" / "clips" / "basic" / "sensual_basic2.mp4"


def _keypoints(path: Path) -> Path:
    import numpy as np

    times = np.arange(0.0, 15.0, 0.1)
    rng = np.random.default_rng(0)
    kps = np.concatenate([rng.uniform(300, 1000, (times.size, 2, 17, 2)),
                          np.full((times.size, 2, 17, 1), 0.9)], axis=3).astype(np.float16)
    np.savez_compressed(path, keypoints=kps, times=times.astype(np.float32),
                        size=np.asarray((1280, 720), np.int32))
    return path


def _play(panel, seconds: float, mirror: bool, overlays: bool) -> tuple[float, float]:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    panel.view.set_mirror(mirror)
    panel.actions_by_name["counts"].setChecked(overlays)
    panel.actions_by_name["skeleton"].setChecked(overlays)
    panel.seek(0.5)
    wait(300)
    panel.play()
    wait(500)  # settle
    v = panel.view
    n0, s0 = v.frames_painted, v.paint_seconds
    clock = QElapsedTimer()
    clock.start()
    wait(int(seconds * 1000))
    elapsed = clock.nsecsElapsed() / 1e9
    panel.pause()
    frames = v.frames_painted - n0
    return frames / elapsed, (v.paint_seconds - s0) / max(frames, 1) * 1000.0


def run(quick: bool = False) -> list[dict]:
    if not CLIP.exists():
        return [{"benchmark": "player", "value": float("nan"), "unit": "", "baseline": None,
                 "ratio": None, "goal": "", "note": f"skipped: shared asset not found: {CLIP}"}]
    home = tempfile.mkdtemp(prefix="bench-player-")
    os.environ["BACHATA_HOME"] = home
    from bachata_desktop.app import build_context, make_application
    from bachata_desktop.core.loop import BeatGrid, LoopRegion
    from bachata_desktop.paths import app_paths
    from bachata_desktop.ui.player.panel import PlayerPanel

    make_application([])
    ctx = build_context(app_paths(Path(home)).ensure())
    panel = PlayerPanel(ctx)
    panel.autoplay = False
    panel.resize(1280, 800)
    panel.show()
    kp = _keypoints(Path(home) / "kp.npz")
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    panel.frame_shown.connect(loop.quit)
    QTimer.singleShot(15000, loop.quit)
    panel.open_media(str(CLIP), grid=BeatGrid.steady(117.0, 0.4, 11.8).to_dict(), keypoints=kp)
    loop.exec()
    seconds = 3.0 if quick else 8.0
    fps = panel.fps
    base_fps, base_ms = _play(panel, seconds, mirror=False, overlays=False)
    full_fps, full_ms = _play(panel, seconds, mirror=True, overlays=True)
    panel.set_loop(LoopRegion(1.0, 1.8))
    panel.seek(1.0)
    panel.play()
    wait_loop = QEventLoop()
    QTimer.singleShot(int((3 if quick else 8) * 1000), wait_loop.quit)
    wait_loop.exec()
    panel.pause()
    jumps = panel.loop_jumps
    worst = max((j.overshoot for j in jumps), default=float("nan")) * 1000
    last_past_b = max(((j.last_frame - j.b) for j in jumps), default=float("nan")) * 1000
    panel.shutdown()
    ctx.jobs.shutdown(5000)
    ctx.store.close()
    size = f"{panel.view.width()}x{panel.view.height()} view"
    return [
        {"benchmark": "player frames drawn per second (mirror + count + skeleton)",
         "value": round(full_fps, 2), "unit": "frames/s", "baseline": round(base_fps, 2),
         "ratio": round(full_fps / base_fps, 3) if base_fps else None,
         "goal": f">= clip rate ({fps:.0f} fps)",
         "note": f"720p clip at 1x, {size}; baseline = plain drawing, same run"},
        {"benchmark": "player GUI-thread paint time per frame (mirror + overlays)",
         "value": round(full_ms, 2), "unit": "ms", "baseline": round(base_ms, 2),
         "ratio": round(full_ms / base_ms, 3) if base_ms else None,
         "goal": f"< {1000 / fps:.0f} ms (one frame)",
         "note": "QVideoFrame.toImage + scaled drawImage + overlays; baseline = plain"},
        {"benchmark": "player A-B loop worst overshoot past B", "value": round(worst, 2),
         "unit": "ms", "baseline": None, "ratio": None, "goal": f"<= {1000 / fps:.1f} ms (1 frame)",
         "note": f"{len(jumps)} loops of 0.8 s; last frame shown ends "
                 f"{last_past_b:.1f} ms from B (negative = before B)"},
    ]


if __name__ == "__main__":
    import json

    for row in run(quick="--quick" in os.sys.argv):
        print(json.dumps(row))
