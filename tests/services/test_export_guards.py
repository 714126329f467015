"""Items 5, 7, 11 and 13 of issue 16 for ``export-video``: times within the song, never into the
library, one line for a malformed choreography."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bachata_desktop.core.errors import InputError
from bachata_desktop.core.task import RecordingContext
from bachata_desktop.services.video_export import export_video
from tests.conftest import REPO
from tests.library_state import data_fingerprint
from tests.peak_memory import PEAK_HELPERS
from tests.services.test_video_export import make_choreo, make_library, write_song

SONG_S = 13.0


@pytest.fixture
def library(store, tmp_path: Path):
    ids = make_library(store)
    song = write_song(tmp_path / "song.wav", SONG_S)
    out = tmp_path / "out"
    out.mkdir()
    return store, make_choreo(song, SONG_S, ids, 3), out


def _with_slot(choreo, **changes):
    return replace(choreo, slots=(replace(choreo.slots[0], **changes), *choreo.slots[1:]))


@pytest.mark.parametrize("changes, message", [
    ({"end": 1e7}, "after the end of the song"),
    ({"start": -3.0}, "times must be 0 or more"),
    ({"start": 5.0, "end": 2.0}, "end after the start"),
    ({"end": float("inf")}, "no valid start and end"),
])
def test_slot_times_outside_the_song_are_refused(library, changes, message) -> None:
    store, choreo, out = library
    with pytest.raises(InputError, match=message) as err:
        export_video(store, _with_slot(choreo, **changes), None, out / "x.mp4",
                     RecordingContext(), preset="480p")
    assert "\n" not in str(err.value) and list(out.iterdir()) == []


def test_output_inside_the_library_is_refused(library) -> None:
    store, choreo, out = library
    clip = store.clips.list()[0]
    target = store.paths.media / "basic" / "over.mp4"
    target.parent.mkdir(parents=True, exist_ok=True)
    before = data_fingerprint(store.paths.data)
    for dest in (target, store.paths.data / "x.mp4"):
        with pytest.raises(InputError, match="inside the library folder"):
            export_video(store, choreo, None, dest, RecordingContext(), preset="480p")
    with pytest.raises(InputError, match="over the song"):
        export_video(store, choreo, None, Path(choreo.song.path), RecordingContext())
    assert data_fingerprint(store.paths.data) == before
    assert store.clips.get(clip.id) == clip


_CHILD = PEAK_HELPERS + """
import sys
import av
from bachata_desktop.cli import run_cli
with av.open(sys.argv[2]) as c:
    pass
before = start_peak()
rc = run_cli(["export-video", sys.argv[1], sys.argv[3], "--preset", "480p", "--quiet"])
print(peak_growth(before), rc, sep="\\t")
"""


def test_a_huge_slot_end_is_refused_before_any_memory_is_used(library, tmp_path: Path) -> None:
    """The reported case (end 1e7 s) grew to 17 GB in 3 minutes. 1e7 s is past any song (the
    schema stops it); 5000 s passes the schema and must be stopped by the song's own length."""
    store, choreo, out = library
    bad = tmp_path / "huge.json"
    bad.write_text(json.dumps(_with_slot(choreo, end=5000.0).to_dict()), "utf-8")
    store.close()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-c", _CHILD, str(bad), choreo.song.path,
                        str(out / "x.mp4")], env=env, capture_output=True, text=True, timeout=300)
    growth_kb, rc = (int(x) for x in r.stdout.strip().splitlines()[-1].split("\t"))
    assert rc == 2 and "after the end of the song" in r.stderr, r.stderr
    # a render bounded by the song (13 s) would fit in far less; 1e7 s would need many GB
    assert growth_kb < 64 << 10, growth_kb
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["slots"][0].__setitem__("start", "zero"), "must be a number"),
    (lambda d: d["slots"][0].__setitem__("clip_id", [1]), "must be a number"),
    (lambda d: d.__setitem__("tempo", None), "tempo is missing"),
    (lambda d: d.__setitem__("slots", {"a": 1}), "must be a list"),
    (lambda d: d["slots"][0].__setitem__("name", "a\x00b"), "NUL"),
])
def test_malformed_choreography_is_one_line(library, tmp_path: Path, capsys, edit, message) -> None:
    from bachata_desktop.cli import run_cli

    store, choreo, out = library
    doc = choreo.to_dict()
    edit(doc)
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(doc), "utf-8")
    store.close()
    assert run_cli(["export-video", str(f), str(out / "v.mp4")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err, err
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("text, message", [
    ('{"tempo": 1e999, "slots": []}', "finite number"),
    ('{"tempo": NaN, "slots": []}', "not a number JSON allows"),
    ('{"tempo": 120, "slots": [{"start": 0, "end": 1e7, "counts": 8, "clip_id": 1}]}',
     "between 0 and 86400"),
    ("[" * 200_000 + "]" * 200_000, "nests deeper"),
    ('{"tempo": 120, "tempo": 121, "slots": []}', "appears twice"),
])
def test_hostile_json_is_one_line(tmp_path: Path, capsys, text: str, message: str) -> None:
    from bachata_desktop.cli import run_cli

    f = tmp_path / "c.json"
    f.write_text(text, "utf-8")
    assert run_cli(["export-video", str(f), str(tmp_path / "v.mp4")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err, err
