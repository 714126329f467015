"""Items 6, 8 and 11 of issue 16 for shared plans: a generated hostile corpus of ``.bbplan`` files.

Every case is refused with one line and the library is left exactly as it was; a big bundle is
streamed (peak memory of a real ``plan import`` process bounded by the bundle's declared size).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bachata_desktop.core.clip import Clip
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment, SegmentKind
from bachata_desktop.services import plans
from tests.conftest import REPO
from tests.library_state import data_fingerprint
from tests.peak_memory import PEAK_HELPERS
from tests.services.hostile_archives import (
    PLAN_CASES,
    PLAN_EXTRA,
    write_big_media_bundle,
    write_bomb_bundle,
    write_plan_case,
)


def _add_clip(store, src: Path, name: str) -> Clip:
    data = src.read_bytes()
    rel = f"basic/{name}"
    (store.paths.media / "basic").mkdir(parents=True, exist_ok=True)
    (store.paths.media / rel).write_bytes(data)
    return store.clips.add(Clip(None, name, name, "basic", rel, hashlib.sha256(data).hexdigest(),
                                counts=8))


@pytest.fixture
def good_bundle(store, shared_clips_dir: Path, tmp_path: Path) -> Path:
    clip = _add_clip(store, shared_clips_dir / "basic" / "slow_basic3.mp4", "a.mp4")
    plan = ClassPlan("Martes", "2026-11-24", "beginner", 60, (
        Segment(SegmentKind.WARMUP, items=(PlanItem(ItemKind.EXERCISE, "Isolations", 8),)),
        Segment(SegmentKind.PATTERN, items=(PlanItem(ItemKind.MOVE, "A", 10, ref_id=clip.id,
                                                      counts=8),))))
    plan = plans.save_plan(store, plan)
    out = plans.export_bundle(store, plan, tmp_path / "good.bbplan")
    # the receiving library does not have the clip: its media must be imported
    store.clips.purge(clip.id)
    (store.paths.media / clip.media_path).unlink()
    return out


def test_good_bundle_imports_its_clip_with_a_duration(store, good_bundle: Path) -> None:
    result = plans.import_bundle(store, good_bundle)
    assert result.clips_added == 1
    clip = next(c for c in store.clips.list())
    assert clip.duration_s > 1.0 and clip.fps > 0 and store.media_file(clip.media_path).is_file()
    assert not [p for p in store.paths.media.rglob("*") if ".part" in p.name]


@pytest.mark.parametrize("case", [*PLAN_CASES, *PLAN_EXTRA])
def test_hostile_bundle_is_refused_and_changes_nothing(case: str, store, good_bundle: Path,
                                                       tmp_path: Path) -> None:
    bad = write_plan_case(good_bundle, tmp_path / "bad.bbplan", case)
    before = data_fingerprint(store.paths.data)
    with pytest.raises(InputError) as err:
        plans.import_bundle(store, bad)
    word = PLAN_CASES[case][1] if case in PLAN_CASES else PLAN_EXTRA[case]
    assert word in str(err.value) and "\n" not in str(err.value)
    assert data_fingerprint(store.paths.data) == before
    assert not (tmp_path / "evil.txt").exists()


_CHILD = PEAK_HELPERS + """
import sys
from pathlib import Path
from bachata_desktop.paths import app_paths
from bachata_desktop.services import plans
from bachata_desktop.services.library_import import probe_video
from bachata_desktop.store import Store
store = Store.open(app_paths().ensure())
probe_video(Path(sys.argv[2]))          # libraries loaded and warm: what follows is the import
before = start_peak()
try:
    plans.import_bundle(store, Path(sys.argv[1]))
    msg = "ok"
except Exception as exc:
    msg = f"{type(exc).__name__}: {exc}"
print(peak_growth(before), msg, sep="\\t")
"""


def _import_growth_kb(bundle: Path, home: Path, video: Path) -> tuple[int, str]:
    """Import ``bundle`` in a child process; (growth of its peak RSS in KiB, outcome)."""
    env = {**os.environ, "BACHATA_HOME": str(home), "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-c", _CHILD, str(bundle), str(video)], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    growth, msg = r.stdout.strip().splitlines()[-1].split("\t", 1)
    return int(growth), msg  # KiB on Linux


def test_big_and_bombed_bundles_are_streamed_not_loaded(store, good_bundle: Path, tmp_path: Path,
                                                        shared_clips_dir: Path) -> None:
    store.close()
    home = tmp_path / "bachata-home"
    video = shared_clips_dir / "spin" / "spin2.mp4"
    big_size = 48 << 20
    big = write_big_media_bundle(good_bundle, tmp_path / "big.bbplan", big_size)
    bomb_size = 600 << 20
    bomb = write_bomb_bundle(good_bundle, tmp_path / "bomb.bbplan", bomb_size)
    assert bomb.stat().st_size < 8 << 20
    for bundle, declared, word in ((big, big_size, "not a usable video"),
                                   (bomb, bomb_size, "compressed")):
        growth_kb, msg = _import_growth_kb(bundle, home, video)
        assert msg.startswith("InputError") and word in msg, msg
        bound_kb = (8 << 10) + (declared >> 10) // 16   # 8 MiB + 1/16 of what it declares
        assert growth_kb < bound_kb, (bundle.name, growth_kb, bound_kb)
    # and the CLI says so in one line, exit 2
    r = subprocess.run([sys.executable, "-m", "bachata_desktop", "plan", "import", str(bomb)],
                       env={**os.environ, "BACHATA_HOME": str(home), "PYTHONPATH": str(REPO)},
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_pose_analysis_fills_a_missing_duration(store, shared_clips_dir: Path,
                                                pose_model_dir: Path) -> None:
    """Clips shared before import probed their media (duration 0) get it from the analysis."""
    from bachata_desktop.core.task import RecordingContext
    from bachata_desktop.services.clip_analysis import _pose_step

    clip = _add_clip(store, shared_clips_dir / "basic" / "slow_basic3.mp4", "old.mp4")
    assert clip.duration_s == 0
    step = _pose_step(store, clip, store.media_file(clip.media_path), RecordingContext())
    assert step.error in (None, ""), step.error
    assert 4.0 < step.clip_fields["duration_s"] < 20.0 and step.clip_fields["fps"] > 0
