"""Importing clips: the shared library with its annotations, re-import, resume, bad files."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from bachata_desktop.core.clip import DEFAULT_HOLDS, Energy, Level
from bachata_desktop.core.errors import Cancelled, InputError
from bachata_desktop.core.task import RecordingContext
from bachata_desktop.services.library_import import import_clips, probe_video, scan
from tests.conftest import ANNOTATIONS, need

SMALL_CLIP = "basic/slow_basic3.mp4"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _media_files(store) -> list[Path]:
    return sorted(p for p in store.paths.media.rglob("*") if p.is_file())


def test_import_shared_clips_with_annotations(store, shared_clips_dir: Path) -> None:
    entries = json.loads(need(ANNOTATIONS).read_text("utf-8"))["clips"]
    ctx = RecordingContext()
    report = import_clips(store, [shared_clips_dir], ctx)
    assert not report.skipped, report.skipped
    assert len(report.imported) == len(entries) == store.clips.count()
    assert [c.id for c in ctx.partials] == [c.id for c in report.imported]
    for e in entries:
        # Looked up by content: the web app's file reuses a clip_id in two categories
        # ("paseala" is both arm_styling and bolero); the second gets a suffixed key.
        src = shared_clips_dir / e["video_path"]
        clip = store.clips.get_by_hash(_sha(src))
        assert clip is not None, e["video_path"]
        assert clip.name == e["clip_id"]
        assert clip.clip_key.startswith(e["clip_id"])
        assert clip.category == e["move_label"]
        assert clip.level is Level.parse(e["difficulty"])
        assert clip.energy is Energy(e["energy_level"])
        assert clip.tempo_bpm == pytest.approx(float(e["estimated_tempo"]))
        assert (clip.start_hold, clip.end_hold) == DEFAULT_HOLDS[e["move_label"]]
        stored = store.media_file(clip.media_path)
        assert stored.is_file() and stored.parent.name == clip.category
        assert stored.name.startswith(clip.content_hash[:12] + "_")
        assert clip.content_hash == _sha(src) == _sha(stored)
        assert 4.0 < clip.duration_s < 20.0 and clip.fps == pytest.approx(30.0, abs=0.5)
        assert clip.width > 0 and clip.height > 0
    assert sorted(store.queue.pending()) == sorted(c.id for c in report.imported)
    # No temporary files left behind by the atomic copies.
    assert not [p for p in _media_files(store) if p.name.startswith(".import-")]


def test_reimport_is_a_no_op(store, shared_clips_dir: Path) -> None:
    folder = shared_clips_dir / "basic"
    first = import_clips(store, [folder], RecordingContext())
    assert len(first.imported) == len(list(folder.glob("*.mp4")))
    before = (store.clips.list(), _media_files(store), store.queue.pending())
    again = import_clips(store, [folder], RecordingContext())
    assert again.imported == () and len(again.duplicates) == len(first.imported)
    assert (store.clips.list(), _media_files(store), store.queue.pending()) == before


def test_interrupted_import_resumes(store, shared_clips_dir: Path) -> None:
    folders = [shared_clips_dir / "basic", shared_clips_dir / "spin", shared_clips_dir / "shadow"]
    total = sum(len(list(f.glob("*.mp4"))) for f in folders)
    ctx = RecordingContext(cancel_after_reports=3)  # the start report + 2 clips
    with pytest.raises(Cancelled):
        import_clips(store, folders, ctx)
    done = store.clips.count()
    assert done == len(ctx.partials) == 2 < total
    assert len(_media_files(store)) == done
    rest = import_clips(store, folders, RecordingContext())
    assert len(rest.imported) == total - done and len(rest.duplicates) == done
    assert store.clips.count() == total == len(_media_files(store))
    assert len(store.queue.pending()) == total


def _faststart_truncated(src: Path, out: Path) -> None:
    """A clip with its index up front, cut in half: opens fine but half the frames are gone."""
    import av

    full = out.with_name("full_faststart.mp4")
    with av.open(str(src)) as i, av.open(str(full), "w", options={"movflags": "faststart"}) as o:
        streams = {s.index: o.add_stream_from_template(s) for s in i.streams}
        for pk in i.demux():
            if pk.dts is None:
                continue
            pk.stream = streams[pk.stream.index]
            o.mux(pk)
    data = full.read_bytes()
    out.write_bytes(data[: len(data) // 2])
    full.unlink()


def _audio_only_mp4(out: Path) -> None:
    """A song saved as .mp4: a valid container without any video stream."""
    import av
    import numpy as np

    with av.open(str(out), "w") as o:
        st = o.add_stream("aac", rate=44100)
        t = np.arange(44100, dtype=np.float32) / 44100
        frame = av.AudioFrame.from_ndarray((0.2 * np.sin(2 * np.pi * 440 * t))[None, :]
                                           .astype(np.float32), format="fltp", layout="mono")
        frame.sample_rate = 44100
        for pk in st.encode(frame):
            o.mux(pk)
        for pk in st.encode(None):
            o.mux(pk)


def test_bad_files_are_skipped_with_a_message(store, shared_clips_dir: Path, tmp_path: Path) -> None:
    good = shared_clips_dir / SMALL_CLIP
    drop = tmp_path / "Clases de bachata ü" / "ladyturn"
    drop.mkdir(parents=True)
    (drop / "zero.mp4").write_bytes(b"")
    (drop / "notes.mp4").write_text("this is a text file, not a video\n", "utf-8")
    (drop / "cut.mp4").write_bytes(good.read_bytes()[:300_000])
    _faststart_truncated(good, drop / "cut_faststart.mp4")
    _audio_only_mp4(drop / "song.mp4")
    shutil.copy(good, drop / "giro_ñandú_été_夜.mp4")
    (drop / "readme.txt").write_text("not a clip", "utf-8")

    report = import_clips(store, [drop.parent, drop / "readme.txt"], RecordingContext())
    assert [c.name for c in report.imported] == ["giro_ñandú_été_夜"]
    clip = report.imported[0]
    assert clip.category == "ladyturn"
    assert store.media_file(clip.media_path).read_bytes() == good.read_bytes()
    msgs = {Path(p.path).name: p.message for p in report.skipped}
    assert set(msgs) == {"zero.mp4", "notes.mp4", "cut.mp4", "cut_faststart.mp4", "song.mp4",
                         "readme.txt"}
    assert "no video stream" in msgs["song.mp4"]
    assert "empty" in msgs["zero.mp4"]
    assert "not a readable video" in msgs["notes.mp4"]
    assert "not a readable video" in msgs["cut.mp4"]
    assert "truncated" in msgs["cut_faststart.mp4"]
    assert "not a video file" in msgs["readme.txt"]
    for m in msgs.values():
        assert "\n" not in m
    assert store.clips.count() == 1 and len(_media_files(store)) == 1


def test_probe_reads_duration_fps_and_size(shared_clips_dir: Path) -> None:
    info = probe_video(shared_clips_dir / SMALL_CLIP)
    assert info.duration_s == pytest.approx(9.83, abs=0.1)
    assert info.fps == pytest.approx(30.0) and (info.width, info.height) == (1280, 720)
    assert info.has_audio


def test_plain_files_get_metadata_from_folder_and_name(tmp_path: Path, shared_clips_dir: Path) -> None:
    (tmp_path / "Cross body lead").mkdir()
    (tmp_path / "misc").mkdir()
    a = tmp_path / "Cross body lead" / "my cbl.mp4"
    b = tmp_path / "misc" / "warmup.MOV"
    for p in (a, b):
        shutil.copy(shared_clips_dir / SMALL_CLIP, p)
    plan = scan([a, b])
    got = {i.path.name: (i.name, i.category, i.source) for i in plan.items}
    assert got == {"my cbl.mp4": ("my_cbl", "cross_body_lead", "folder"),
                   "warmup.MOV": ("warmup", "uncategorized", "file")}


def test_a_single_file_from_the_original_layout_keeps_its_annotation(shared_clips_dir: Path) -> None:
    need(ANNOTATIONS)
    plan = scan([shared_clips_dir / SMALL_CLIP])
    (item,) = plan.items
    assert (item.source, item.level, item.tempo_bpm) == ("annotations", Level.BEGINNER, 108.0)


def test_a_category_folder_of_the_original_layout_keeps_its_annotations(
        shared_clips_dir: Path) -> None:
    entries = {e["clip_id"]: e for e in json.loads(need(ANNOTATIONS).read_text("utf-8"))["clips"]}
    plan = scan([shared_clips_dir / "hammerlock"])
    assert plan.items and not plan.problems  # entries of other folders are not "missing"
    for item in plan.items:
        e = entries[item.clip_key]
        assert item.source == "annotations"
        assert (item.level, item.energy) == (Level.parse(e["difficulty"]), Energy(e["energy_level"]))


def test_malformed_annotations_import_nothing(store, shared_clips_dir: Path, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    (lib / "basic").mkdir(parents=True)
    shutil.copy(shared_clips_dir / SMALL_CLIP, lib / "basic" / "slow_basic3.mp4")
    (lib / "bachata_annotations.json").write_text('{"clips": [ {"clip_id": "x",', "utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        import_clips(store, [lib], RecordingContext())
    bad = tmp_path / "other.json"
    bad.write_text('{"clips": "nope"}', "utf-8")
    with pytest.raises(InputError, match="clips must be a list"):
        import_clips(store, [lib / "basic"], RecordingContext(), annotations=bad)
    assert store.clips.count() == 0 and _media_files(store) == []


def test_annotation_paths_outside_the_folder_are_refused(store, shared_clips_dir: Path,
                                                         tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    (lib / "spin").mkdir(parents=True)
    shutil.copy(shared_clips_dir / SMALL_CLIP, lib / "spin" / "a.mp4")
    ann = {"clips": [
        {"clip_id": "a", "video_path": "spin/a.mp4", "move_label": "spin", "energy_level": "high",
         "estimated_tempo": 140, "difficulty": "high"},
        {"clip_id": "evil", "video_path": "../../etc/passwd", "move_label": "spin"},
        {"clip_id": "gone", "video_path": "spin/gone.mp4", "move_label": "spin"},
    ]}
    (lib / "bachata_annotations.json").write_text(json.dumps(ann), "utf-8")
    report = import_clips(store, [lib], RecordingContext())
    (clip,) = report.imported
    assert (clip.clip_key, clip.category, clip.level, clip.energy, clip.tempo_bpm) == (
        "a", "spin", Level.ADVANCED, Energy.HIGH, 140.0)
    msgs = {p.path: p.message for p in report.skipped}
    assert "outside its folder" in msgs["../../etc/passwd"]
    assert "missing" in msgs["spin/gone.mp4"]


def test_cli_import_and_list(shared_clips_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bachata_desktop.cli import run_cli

    folder = shared_clips_dir / "spin"
    rc = run_cli(["library", "import", str(folder), "--no-analyze", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and len(out["imported"]) == len(list(folder.glob("*.mp4")))
    assert "analysis" not in out
    rc = run_cli(["library", "list", "--json"])
    listed = json.loads(capsys.readouterr().out)
    assert rc == 0 and {c["name"] for c in listed} == {p.stem for p in folder.glob("*.mp4")}
    assert all(c["move_label"] == "spin" and c["analysis_state"] == "pending" for c in listed)
    rc = run_cli(["library", "import", str(folder / "nope.mp4"), "--no-analyze"])
    err = capsys.readouterr().err
    assert rc == 2 and "no such file" in err
