"""Choreography video export: real clips, a synthetic song with known beats, real H.264/AAC output.

The library is built in a temp store from three shared clips (media paths pointing at the shared
files) with synthetic beat grids; the song is a numpy click track at 126 BPM; the choreography is
made by hand. The exported MP4 is decoded back and checked: streams, size, duration, the count
overlay at every beat of the song (classified against reference renders of the count box), the
audio clicks on the beats, the retimed clip frames, mirroring, and bad inputs.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from shared_assets import CLIPS_DIR, REPO, need

from bachata_desktop.core.choreography import Choreography, PhraseSlotSpec, Request, Slot, SongInfo
from bachata_desktop.core.clip import Clip, Level
from bachata_desktop.core.errors import Cancelled, InputError, StorageError
from bachata_desktop.core.task import RecordingContext

BPM = 126.0
PERIOD = 60.0 / BPM
FIRST_BEAT = 0.3
CLIP_BPM = 120.0
CLIP_FIRST_ONE = 0.8
SR = 22050
SONG_S = 13.0  # the click track's length
CLIPS = ("basic/energetic_basic2.mp4", "basic/sensual_basic2.mp4", "golpes/golpes_cambre.mp4")


# ---------------------------------------------------------------------------------------------
# Fixtures: library, song, choreography
# ---------------------------------------------------------------------------------------------
def make_library(store) -> list[int]:
    """Three shared clips with synthetic 120 BPM beat grids (first "1" at 0.8 s); the third is a
    4-count move."""
    need(CLIPS_DIR)
    ids = []
    for i, rel in enumerate(CLIPS):
        path = need(CLIPS_DIR / rel)
        clip = store.clips.add(Clip(
            id=None, clip_key=f"test-{i}", name=Path(rel).stem, category=rel.split("/")[0],
            media_path=str(path), content_hash=f"hash-{i}", level=Level.INTERMEDIATE,
            tempo_bpm=CLIP_BPM, counts=4 if i == 2 else 8,
            teaching_notes="Lead with the frame" if i == 0 else ""))
        beats = [{"time": CLIP_FIRST_ONE - 0.5 + 0.5 * k, "count": (k + 7) % 8 + 1, "phrase": 0}
                 for k in range(22)]
        store.analyses.put("clip", clip.id, "audio", {"tempo_bpm": CLIP_BPM, "beats": beats})
        ids.append(clip.id)
    return ids


def beat_times(duration: float) -> np.ndarray:
    return np.arange(FIRST_BEAT, duration - 0.05, PERIOD)


def write_song(path: Path, duration: float) -> Path:
    """A click track: a short tone on every beat, louder on the "1"."""
    import soundfile as sf

    y = np.zeros(int(duration * SR), dtype=np.float32)
    burst = np.sin(2 * np.pi * 1000 * np.arange(int(0.02 * SR)) / SR).astype(np.float32)
    for k, b in enumerate(beat_times(duration)):
        i = int(round(b * SR))
        y[i:i + burst.size] += burst * (0.8 if k % 8 == 0 else 0.5)
    sf.write(str(path), y, SR)
    return path


def make_choreo(song: Path, duration: float, clip_ids: list[int], n_slots: int) -> Choreography:
    beats = beat_times(duration)
    phrases = [PhraseSlotSpec(j, float(beats[8 * j]), float(beats[8 * j] + 8 * PERIOD),
                              float(beats[8 * j]), "verse" if j < 2 else "chorus")
               for j in range(len(beats) // 8)]
    slots = []
    for j in range(n_slots):
        cid = clip_ids[j % len(clip_ids)]
        p = phrases[j]
        slots.append(Slot(start=p.start_s, end=p.end_s, counts=8, phrases=(j,), clip_id=cid,
                          rate=BPM / CLIP_BPM, name=f"Move {j + 1}", category="basic",
                          repeats=2 if j % len(clip_ids) == 2 else 1, section=p.section_label))
    return Choreography(song=SongInfo("Click track", str(song), None, duration, BPM), tempo=BPM,
                        request=Request(), seed=0, slots=tuple(slots), phrases=tuple(phrases))


@pytest.fixture
def library(store, tmp_path: Path):
    ids = make_library(store)
    duration = 13.0
    song = write_song(tmp_path / "song.wav", duration)
    return store, ids, make_choreo(song, duration, ids, 3), tmp_path


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """One 480p export with overlays (three slots, ~11.4 s), shared by the read-back tests."""
    from bachata_desktop.paths import app_paths
    from bachata_desktop.services.video_export import export_video
    from bachata_desktop.store import Store

    root = tmp_path_factory.mktemp("export")
    store = Store.open(app_paths(root / "home").ensure())
    ids = make_library(store)
    duration = 13.0
    song = write_song(root / "song.wav", duration)
    choreo = make_choreo(song, duration, ids, 3)
    ctx = RecordingContext()
    out = root / "out folder" / "choreografía.mp4"
    out.parent.mkdir()
    report = export_video(store, choreo, None, out, ctx, preset="480p")
    yield {"store": store, "choreo": choreo, "out": out, "report": report, "ctx": ctx,
           "beats": beat_times(duration)}
    store.close()


def decode_frames(path: Path, wanted: set[int] | None = None) -> dict[int, np.ndarray]:
    import av

    out = {}
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if wanted is None or i in wanted:
                out[i] = f.to_ndarray(format="rgb24")
    return out


# ---------------------------------------------------------------------------------------------
# The exported file
# ---------------------------------------------------------------------------------------------
def test_file_has_one_h264_stream_at_the_preset_size_and_one_aac_stream(exported) -> None:
    import av

    out = exported["out"]
    assert out.is_file()
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temp file left
    with av.open(str(out)) as c:
        video, audio = c.streams.video, c.streams.audio
        assert len(video) == 1 and len(audio) == 1
        assert video[0].codec_context.name == "h264"
        assert (video[0].codec_context.width, video[0].codec_context.height) == (854, 480)
        assert video[0].codec_context.pix_fmt == "yuv420p"
        assert audio[0].codec_context.name == "aac"
        n = sum(1 for _ in c.decode(video=0))
    assert n == exported["report"].frames


def test_duration_equals_the_songs_within_one_frame(exported) -> None:
    """The video covers the whole song, not just the slots (which end 1.3 s before it)."""
    import av

    assert exported["choreo"].slots[-1].end < SONG_S - 1.0
    with av.open(str(exported["out"])) as c:
        total = c.duration / 1e6
        v = c.streams.video[0]
        vdur = float(v.duration * v.time_base)
        a = c.streams.audio[0]
        adur = float(a.duration * a.time_base)
    for d in (total, vdur, adur):
        assert abs(d - SONG_S) <= 1 / 30 + 1e-3, (d, SONG_S)


def test_tail_keeps_dancing_and_fades_out_sound_and_picture(exported) -> None:
    """After the last slot the last move goes on; the last FADE_S seconds fade to silence and
    black instead of stopping at full volume."""
    import av

    from bachata_desktop.services.export_routine import FADE_S

    with av.open(str(exported["out"])) as c:
        chunks = [f.to_ndarray()[0] for f in c.decode(audio=0)]
        sr = c.streams.audio[0].codec_context.sample_rate
    y = np.abs(np.concatenate(chunks))
    beats = exported["beats"]
    peak = {float(b): float(y[int(b * sr):int((b + 0.03) * sr)].max()) for b in beats
            if b + 0.03 < SONG_S}
    loud = [(b, p / (0.8 if round((b - FIRST_BEAT) / PERIOD) % 8 == 0 else 0.5))
            for b, p in peak.items()]
    before = [g for b, g in loud if b < SONG_S - FADE_S - 0.05]
    full = float(np.median(before))  # mono to stereo lowers the level by the same factor for all
    during = [(b, g / full) for b, g in loud if b > SONG_S - FADE_S + 0.05]
    assert min(before) > 0.9 * full                            # full volume before the fade
    assert len(during) >= 5
    for b, g in during:                                        # then the gain of a linear fade
        assert abs(g - (SONG_S - b) / FADE_S) < 0.1, (b, g)
    assert y[-int(0.02 * sr):].max() < 0.02                    # and it ends in silence
    n_last_slot = int((exported["choreo"].slots[-1].end) * 30) + 3
    n_end = int(SONG_S * 30) - 1
    n_mid = int((SONG_S - FADE_S - 0.5) * 30)
    frames = decode_frames(exported["out"], {n_mid, n_last_slot, n_last_slot + 12, n_end})
    assert frames[n_end].mean() < 8                            # the picture fades to black
    assert frames[n_mid].mean() > 30
    # the last move keeps moving in the tail (not a frozen frame)
    assert np.abs(frames[n_last_slot].astype(np.float32)
                  - frames[n_last_slot + 12].astype(np.float32)).mean() > 1.0


def classify_counts(frames: dict[int, np.ndarray], width: int, height: int) -> dict[int, int]:
    from bachata_desktop.services.export_render import count_box_rect, count_box_rgb

    x, y, s, _ = count_box_rect(width, height)
    refs = np.stack([count_box_rgb(k, width, height).astype(np.float32) for k in range(1, 9)])
    out = {}
    for n, img in frames.items():
        crop = img[y:y + s, x:x + s].astype(np.float32)
        d = np.abs(refs - crop[None]).mean(axis=(1, 2, 3))
        best = int(np.argmin(d))
        second = float(np.partition(d, 1)[1])
        assert d[best] < 12 and second > 2 * d[best], (n, d)  # a clear, unambiguous match
        out[n] = best + 1
    return out


def test_overlay_shows_the_songs_count_at_each_beat(exported) -> None:
    from bachata_desktop.services.export_routine import FADE_S

    choreo = exported["choreo"]
    start, end = choreo.slots[0].start, min(choreo.slots[-1].end, SONG_S - FADE_S)
    beats = [b for b in exported["beats"] if start - 1e-6 <= b < end - 1e-6]
    counts = [(round((b - FIRST_BEAT) / PERIOD)) % 8 + 1 for b in beats]
    # the video starts at the song's start
    first = {int(math.ceil(b * 30 - 1e-6)): c for b, c in zip(beats, counts, strict=True)}
    # the frame before each beat still shows the previous count (before the song's first beat:
    # no count at all, tested in test_no_count_before_the_songs_first_beat)
    before = {n - 1: (c - 2) % 8 + 1 for n, c in first.items() if n > min(first)}
    frames = decode_frames(exported["out"], set(first) | set(before))
    shown = classify_counts(frames, 854, 480)
    assert len(beats) == 21
    assert {n: shown[n] for n in first} == first       # the new count appears on its beat
    assert {n: shown[n] for n in before} == before     # and not a frame earlier


def test_no_count_before_the_songs_first_beat(exported) -> None:
    from bachata_desktop.services.export_render import count_box_rect

    n = int(FIRST_BEAT * 30) - 1
    img = decode_frames(exported["out"], {n})[n]
    x, y, s, _ = count_box_rect(854, 480)
    with pytest.raises(AssertionError):
        classify_counts({n: img}, 854, 480)
    assert img[y:y + s, x:x + s].std() < 40  # the clip's first frame, no box drawn over it


def test_audio_is_the_song_with_its_clicks_on_the_beats(exported) -> None:
    import av

    from bachata_desktop.services.export_routine import FADE_S

    with av.open(str(exported["out"])) as c:
        chunks = [f.to_ndarray()[0] for f in c.decode(audio=0)]
        sr = c.streams.audio[0].codec_context.sample_rate
    y = np.abs(np.concatenate(chunks))[:int((SONG_S - FADE_S) * sr)]  # before the fade
    above = np.flatnonzero(y > 0.2)
    onsets = above[np.insert(np.diff(above) > int(0.1 * sr), 0, True)] / sr
    expected = [b for b in exported["beats"] if b < SONG_S - FADE_S - 0.03]
    assert len(onsets) == len(expected)
    assert np.max(np.abs(onsets - np.array(expected))) < 0.03


def test_progress_is_reported_up_to_done(exported) -> None:
    fractions = [f for f, _ in exported["ctx"].reports]
    assert len(fractions) > 10
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert exported["report"].to_dict()["realtime_factor"] > 0


# ---------------------------------------------------------------------------------------------
# Retiming, mirroring, sizes
# ---------------------------------------------------------------------------------------------
def clip_frame_at(path: Path, t: float, width: int, height: int, mirror: bool) -> np.ndarray:
    """The clip's frame at clip time ``t`` as the export would place it, in RGB."""
    import cv2

    from bachata_desktop.services import export_render as render
    from bachata_desktop.services.export_media import ClipReader

    r = ClipReader(path, "ref")
    try:
        f = r.frame_at(t)
        img = render.place(r.to_i420(f), render.fit_for(f.width, f.height, width, height),
                           width, height, mirror)
    finally:
        r.close()
    return cv2.cvtColor(img, cv2.COLOR_YUV2RGB_I420)


def test_clips_are_retimed_onto_the_songs_beats_and_mirrored(library) -> None:
    from bachata_desktop.services.video_export import export_video

    store, ids, choreo, tmp = library
    plain, mirrored = tmp / "plain.mp4", tmp / "mirror.mp4"
    export_video(store, choreo, None, plain, RecordingContext(), preset="480p", overlays=False)
    export_video(store, choreo, None, mirrored, RecordingContext(), preset="480p", mirror=True,
                 overlays=False)
    start = 0.0  # the video starts at the song's start
    # beat k of each slot must show the clip at its first "1" + k clip beats (rate 126/120);
    # the 4-count move of slot 3 starts again on its count 5.
    checks = {}
    for slot in choreo.slots:
        for k in (0, 3, 6):
            n = int(math.ceil((slot.start + k * PERIOD - start) * 30 - 1e-6))
            kk = k % 4 if slot.repeats == 2 else k
            if n / 30 > SONG_S - 3.0:
                continue  # the fade-out darkens the picture there
            checks[n] = (slot.clip_id, CLIP_FIRST_ONE + kk * 0.5 + (n / 30 + start - slot.start
                                                                     - k * PERIOD) * BPM / CLIP_BPM)
    a, b = decode_frames(plain, set(checks)), decode_frames(mirrored, set(checks))
    for n, (cid, t) in checks.items():
        path = store.media_file(store.clips.get(cid).media_path)
        ref = clip_frame_at(path, t, 854, 480, False).astype(np.float32)
        far = clip_frame_at(path, t + 0.4, 854, 480, False).astype(np.float32)
        got = a[n].astype(np.float32)
        assert np.abs(got - ref).mean() < 0.5 * np.abs(got - far).mean(), n
        assert np.abs(got - ref).mean() < 6, n
        # the mirrored export is the mirror image of the plain one
        flipped = a[n][:, ::-1].astype(np.float32)
        m = b[n].astype(np.float32)
        assert np.abs(m - flipped).mean() < 3, n
        assert np.abs(m - got).mean() > 3 * np.abs(m - flipped).mean(), n


@pytest.mark.parametrize(("preset", "size"), [("720p", (1280, 720)), ("1080p", (1920, 1080))])
def test_presets_give_their_size(library, preset: str, size: tuple[int, int]) -> None:
    import av

    from bachata_desktop.services.video_export import export_video

    store, _, choreo, tmp = library
    one = dataclasses.replace(choreo, slots=choreo.slots[:1])
    out = tmp / f"{preset}.mp4"
    report = export_video(store, one, None, out, RecordingContext(), preset=preset, mirror=True)
    assert (report.width, report.height) == size
    with av.open(str(out)) as c:
        cc = c.streams.video[0].codec_context
        assert (cc.width, cc.height) == size
        assert abs(c.duration / 1e6 - SONG_S) <= 1 / 30 + 1e-3  # the whole song
    frame = decode_frames(out, {45})[45]
    shown = classify_counts({45: frame}, *size)
    assert shown[45] == int((45 / 30 - FIRST_BEAT) // PERIOD) % 8 + 1


# ---------------------------------------------------------------------------------------------
# Bad inputs: a clear error and no partial output
# ---------------------------------------------------------------------------------------------
def assert_nothing_written(folder: Path, keep: tuple[str, ...] = ()) -> None:
    left = sorted(p.name for p in folder.iterdir() if p.name not in keep)
    assert left == [], left


def test_missing_clip_file(library) -> None:
    from bachata_desktop.services.video_export import export_video

    store, ids, choreo, tmp = library
    clip = store.clips.get(ids[1])
    store.clips.update(clip.with_(media_path=str(tmp / "gone" / "moved_away.mp4")))
    out_dir = tmp / "out"
    out_dir.mkdir()
    with pytest.raises(InputError, match="video of the move 'Sensual basic 2' is missing"):
        export_video(store, choreo, None, out_dir / "x.mp4", RecordingContext(), preset="480p")
    assert_nothing_written(out_dir)


def test_move_deleted_from_the_library(library) -> None:
    from bachata_desktop.services.video_export import export_video

    store, ids, choreo, tmp = library
    store.clips.delete(ids[2])
    out_dir = tmp / "out"
    out_dir.mkdir()
    with pytest.raises(InputError, match="'Move 3' .* was deleted from the library"):
        export_video(store, choreo, None, out_dir / "x.mp4", RecordingContext(), preset="480p")
    assert_nothing_written(out_dir)


def test_damaged_clip_file(library) -> None:
    from bachata_desktop.services.video_export import export_video

    store, ids, choreo, tmp = library
    bad = tmp / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    store.clips.update(store.clips.get(ids[0]).with_(media_path=str(bad)))
    out_dir = tmp / "out"
    out_dir.mkdir()
    with pytest.raises(InputError, match="cannot read the video of the move 'Energetic basic 2'"):
        export_video(store, choreo, None, out_dir / "x.mp4", RecordingContext(), preset="480p")
    assert_nothing_written(out_dir)


def test_missing_song_unknown_preset_and_missing_folder(library) -> None:
    from bachata_desktop.services.video_export import export_video

    store, _, choreo, tmp = library
    with pytest.raises(InputError, match="song file not found"):
        export_video(store, choreo, tmp / "nope.wav", tmp / "x.mp4", RecordingContext())
    with pytest.raises(InputError, match="unknown video size '4k'"):
        export_video(store, choreo, None, tmp / "x.mp4", RecordingContext(), preset="4k")
    with pytest.raises(InputError, match="folder to save in does not exist"):
        export_video(store, choreo, None, tmp / "no" / "x.mp4", RecordingContext(), preset="480p")
    assert not (tmp / "x.mp4").exists()


def test_unwritable_folder(library) -> None:
    from bachata_desktop.services.video_export import export_video

    store, _, choreo, tmp = library
    folder = tmp / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):  # root ignores permission bits: sysfs refuses even root
            folder = Path("/sys")
            if not folder.is_dir() or os.access(folder, os.W_OK) and _can_create(folder):
                pytest.skip("no unwritable folder available to this user")
        with pytest.raises(StorageError, match="cannot write to the folder .*permission denied"):
            export_video(store, choreo, None, folder / "x.mp4", RecordingContext(), preset="480p")
        assert not (folder / "x.mp4").exists()
        assert not any(p.name.endswith(".part") for p in folder.iterdir())
    finally:
        (tmp / "locked").chmod(0o700)


def _can_create(folder: Path) -> bool:
    try:
        with open(folder / ".bachata-probe", "xb"):
            pass
    except OSError:
        return False
    (folder / ".bachata-probe").unlink()
    return True


FULL_DISK_SCRIPT = """
import json, resource, signal, sys
from bachata_desktop.core.choreography import Choreography
from bachata_desktop.core.errors import BachataError
from bachata_desktop.core.task import NullContext
from bachata_desktop.paths import app_paths
from bachata_desktop.services.video_export import export_video
from bachata_desktop.store import Store
choreo = Choreography.from_dict(json.load(open(sys.argv[1])))
store = Store.open(app_paths(sys.argv[3]).ensure())
import av, cv2  # load everything before the limit
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
try:
    export_video(store, choreo, None, sys.argv[2], NullContext(), preset="480p")
    print(json.dumps({"ok": True}))
except BachataError as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
"""


def test_full_disk_leaves_no_partial_file(library) -> None:
    store, _, choreo, tmp = library
    (tmp / "choreo.json").write_text(json.dumps(choreo.to_dict()))
    out_dir = tmp / "out"
    out_dir.mkdir()
    (out_dir / "old.mp4").write_bytes(b"an earlier export")
    home = os.environ["BACHATA_HOME"]  # the store fixture's library
    res = subprocess.run([sys.executable, "-c", FULL_DISK_SCRIPT, str(tmp / "choreo.json"),
                          str(out_dir / "old.mp4"), home], cwd=REPO, capture_output=True,
                         text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert res.returncode == 0, res.stderr
    result = json.loads(res.stdout.strip().splitlines()[-1])
    assert result["error"] == "StorageError"
    assert "not enough disk space to write old.mp4" in result["message"]
    assert_nothing_written(out_dir, keep=("old.mp4",))
    assert (out_dir / "old.mp4").read_bytes() == b"an earlier export"  # not clobbered


def test_cancel_leaves_no_file_and_keeps_the_old_one(library) -> None:
    from bachata_desktop.services.video_export import export_video

    store, _, choreo, tmp = library
    out_dir = tmp / "out"
    out_dir.mkdir()
    (out_dir / "mine.mp4").write_bytes(b"keep me")
    ctx = RecordingContext(cancel_after_reports=5)
    with pytest.raises(Cancelled):
        export_video(store, choreo, None, out_dir / "mine.mp4", ctx, preset="480p")
    assert_nothing_written(out_dir, keep=("mine.mp4",))
    assert (out_dir / "mine.mp4").read_bytes() == b"keep me"


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------
def test_cli_exports_video_and_sheet(library, capsys) -> None:
    import pypdf

    from bachata_desktop.cli import run_cli

    store, _, choreo, tmp = library
    one = Choreography.from_dict({**choreo.to_dict(), "slots": [s.to_dict() for s in choreo.slots[:1]]})
    (tmp / "c.json").write_text(json.dumps(one.to_dict()))
    code = run_cli(["export-video", str(tmp / "c.json"), str(tmp / "v.mp4"), "--preset", "480p",
                    "--mirror", "--sheet", str(tmp / "sheet.pdf"), "--json", "--quiet"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["width"] == 854 and report["mirror"] is True
    assert Path(report["path"]).is_file() and Path(report["sheet"]).is_file()
    text = " ".join(pypdf.PdfReader(str(tmp / "sheet.pdf")).pages[0].extract_text().split())
    assert "Move 1" in text and "1-8" in text


def test_cli_bad_json_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    from bachata_desktop.cli import run_cli

    (tmp_path / "bad.json").write_text("{not json")
    code = run_cli(["export-video", str(tmp_path / "bad.json"), str(tmp_path / "v.mp4")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "cannot read the choreography bad.json" in err and "\n" not in err
    assert not (tmp_path / "v.mp4").exists()


def test_counts_come_from_the_librarys_corrected_song_grid(library) -> None:
    """With the song in the library, the overlay follows its analysis and the instructor's
    correction (here: "the 1 is one beat later"), not the phrases stored in the choreography."""
    from bachata_desktop.core.song import GridCorrection, Song, SongAnalysis, build_grid
    from bachata_desktop.services.video_export import export_video

    store, _, choreo, tmp = library
    times = beat_times(13.0)
    counts = np.arange(len(times)) % 8 + 1
    beats, downbeats, phrases = build_grid(times, counts)
    analysis = SongAnalysis(duration=13.0, tempo_bpm=BPM, beats=beats, downbeats=downbeats,
                            phrases=phrases, sections=(), energy=tuple(0.5 for _ in phrases),
                            embedding=np.zeros(128, np.float32))
    song = store.songs.add(Song(id=None, title="Click track", path=choreo.song.path,
                                content_hash="click"))
    store.songs.set_analysis(song.id, analysis.to_dict())
    store.songs.set_corrections(song.id, GridCorrection(one_shift=1).to_dict())
    one = dataclasses.replace(choreo, slots=choreo.slots[:1],
                              song=dataclasses.replace(choreo.song, song_id=song.id))
    out = tmp / "corrected.mp4"
    export_video(store, one, None, out, RecordingContext(), preset="480p")
    wanted = {int(math.ceil(times[k] * 30 - 1e-6)): k for k in range(8)}
    shown = classify_counts(decode_frames(out, set(wanted)), 854, 480)
    # shifted one beat later: the slot's first beat is now count 8, its second the new "1"
    assert [shown[n] for n in sorted(wanted)] == [8, 1, 2, 3, 4, 5, 6, 7]
