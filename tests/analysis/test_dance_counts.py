"""The move inside a clip read from the dance (issue 15): length in counts and the dancers' "1", on
real clips with the real pose model and audio analysis, against the label file made by eye
(``tests/data/clip_counts_i15.json``), and the export aligning on the dancers' 1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bachata_desktop.analysis.pose.dance_counts import (
    ALLOWED_COUNTS,
    DanceCounts,
    beat_arrays,
    counts_in,
    measure,
    measure_file,
)

LABELS = Path(__file__).resolve().parents[1] / "data" / "clip_counts_i15.json"
BASIC = "basic/slow_basic3.mp4"   # held out; the dancers step out on the soundtrack's 1s
OFF = "spin/spin.mp4"             # the dancers' feet close on the soundtrack's 1s: one beat off


def _labels() -> dict[str, dict]:
    return {c["video_path"]: c for c in json.loads(LABELS.read_text(encoding="utf-8"))["clips"]}


@pytest.fixture(scope="module")
def clips(real_pose, real_grid) -> dict[str, tuple[Path, dict, float]]:
    """(keypoints file, soundtrack grid, duration) of two shared clips, analysed for real."""
    out = {}
    for rel in (BASIC, OFF):
        res, kp = real_pose(rel)
        grid = real_grid(rel)
        assert grid is not None
        out[rel] = (kp, grid, float(res.duration_s))
    return out


def test_label_file_is_split_and_consistent() -> None:
    labels = list(_labels().values())
    assert len(labels) >= 30
    parts = {c["part"] for c in labels}
    assert parts == {"tuning", "held_out"}
    for c in labels:
        assert c["length_counts"] in ALLOWED_COUNTS
        assert c["length_counts"] == counts_in(c["beats_danced"])
        assert c["parity"] in ("agree", "off", "unsure")
        assert 0 <= c["move_start_s"] < c["move_end_s"]
    assert sum(c["parity"] == "off" for c in labels) >= 4  # clips where dance and soundtrack differ


@pytest.mark.slow
def test_labelled_basic_gets_its_length_and_the_dancers_one(clips) -> None:
    kp, grid, duration = clips[BASIC]
    got = measure_file(kp, grid, duration)
    want = _labels()[BASIC]
    assert got is not None
    assert got.counts == want["length_counts"] == 16
    assert got.move_start_s == pytest.approx(want["move_start_s"], abs=0.05)
    assert got.soundtrack_offset == 0 and got.one_source == "dance"
    assert "matches the soundtrack" in got.note


@pytest.mark.slow
def test_dance_overrules_the_soundtrack_and_says_so(clips) -> None:
    kp, grid, duration = clips[OFF]
    got = measure_file(kp, grid, duration)
    assert _labels()[OFF]["parity"] == "off"
    assert got is not None and got.one_source == "dance" and got.soundtrack_offset == 1
    assert "one beat after the soundtrack's" in got.note and got.one_confidence > 0.5
    beats = [b["time"] for b in grid["beats"]]
    soundtrack_one = next(i for i, b in enumerate(grid["beats"]) if b["count"] == 1)
    assert got.first_one_s == pytest.approx(beats[soundtrack_one + 1], abs=1e-3)


@pytest.mark.slow
def test_export_aligns_the_dancers_one_not_the_soundtracks(clips) -> None:
    from bachata_desktop.core.choreography import Slot
    from bachata_desktop.services.export_timing import (
        SongGrid,
        clip_grid_from_analysis,
        dancers_one,
        plan_slot,
    )

    kp, grid, duration = clips[OFF]
    got = measure_file(kp, grid, duration)
    extra = {"dance": got.to_dict(), "counts_from": "dance"}
    song = SongGrid(np.arange(32) * 0.5, np.arange(32) % 8 + 1)
    slot = Slot(start=4.0, end=8.0, counts=8, phrases=(1,), clip_id=1)
    soundtrack_only = clip_grid_from_analysis(grid, grid["tempo_bpm"])
    aligned = clip_grid_from_analysis(grid, grid["tempo_bpm"], dancers_one(extra))
    assert aligned.first_one == pytest.approx(got.first_one_s)
    assert aligned.first_one > soundtrack_only.first_one  # one beat later
    plan = plan_slot(slot, song, aligned, got.counts, duration, 0.5)
    assert float(plan.clip_time(np.array([slot.start]))[0]) == pytest.approx(got.first_one_s)


@pytest.mark.slow
def test_a_still_start_moves_the_move_start(clips) -> None:
    from bachata_desktop.analysis.pose.analyze import load_keypoints

    kp, grid, duration = clips[BASIC]
    data = load_keypoints(kp)
    still = data["keypoints"].copy()
    frozen = int(np.searchsorted(data["times"], 3.0))
    still[:frozen] = still[0]  # the couple stands still for the first 3 s
    beats, counts = beat_arrays(grid)
    moving = measure(data["keypoints"], data["times"], beats, counts, duration)
    standing = measure(still, data["times"], beats, counts, duration)
    assert moving is not None and standing is not None
    assert moving.move_start_s < 1.5 and standing.move_start_s >= 2.5
    assert standing.beats_danced < moving.beats_danced


def test_bad_input_gives_no_measure() -> None:
    kp = np.zeros((40, 2, 17, 3), np.float32)  # nobody seen
    t = np.arange(40) / 10.0
    beats = np.arange(8) * 0.5
    counts = np.arange(8) % 8 + 1
    assert measure(kp, t, beats, counts, 4.0) is None
    assert measure(kp, t, beats[:3], counts[:3], 4.0) is None        # too few beats
    assert measure(kp, t, beats, counts[:5], 4.0) is None            # counts do not match
    assert measure(kp, t, beats[::-1], counts, 4.0) is None          # beats out of order
    assert DanceCounts.from_dict({"counts": 8}) is None
    assert [counts_in(n) for n in (0, 3, 4, 7, 8, 15, 16, 31, 32, 40)] == [4, 4, 4, 4, 8, 8, 16, 16, 32, 32]


@pytest.mark.slow
def test_the_move_starts_on_the_dancers_5_when_the_1_leaves_too_little(clips) -> None:
    from bachata_desktop.analysis.pose.analyze import load_keypoints

    kp, grid, duration = clips[BASIC]
    data = load_keypoints(kp)
    beats, counts = beat_arrays(grid)
    swapped = (counts + 3) % 8 + 1  # the soundtrack's 1s and 5s exchanged
    for variant in (counts, swapped):
        got = measure(data["keypoints"], data["times"], beats, variant, duration)
        assert got is not None and got.counts == 16  # a 9.8 s clip at 108 BPM: 16 counts, not 8
        # from its first 1 only 12 counts would be left: the export starts on the 5 instead
        assert got.first_one_s == got.move_start_s
