"""services.songs on a real store: import, cache by content hash, corrections, bad files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from synth import synth_song  # noqa: E402

from bachata_desktop.core.errors import InputError  # noqa: E402
from bachata_desktop.core.song import GridCorrection  # noqa: E402
from bachata_desktop.core.task import RecordingContext  # noqa: E402
from bachata_desktop.services import songs as svc  # noqa: E402


def test_import_analyses_once_and_applies_corrections(store, tmp_path: Path) -> None:
    a = synth_song(128, duration=25.0, seed=1).write(tmp_path / "Obsesión.wav")
    bad = tmp_path / "notes.mp3"
    bad.write_text("not audio\n" * 40)
    ctx = RecordingContext()
    res = svc.import_songs(ctx, store, [a, bad])
    assert len(res.songs) == 1 and res.analysed == 1 and len(res.errors) == 1
    assert "notes.mp3" in res.errors[0]
    song = res.songs[0]
    assert ctx.partials == [song]
    assert song.title == "Obsesión" and abs(song.tempo_bpm - 128) < 2.6
    assert store.media_file(song.path).is_file() and song.path.startswith("songs/")
    assert store.songs.state(song.id)[0] == "done"
    assert store.embeddings.get("song", song.id, "audio").shape == (128,)

    again = svc.import_songs(RecordingContext(), store, [a])
    assert again.cached == 1 and again.analysed == 0 and again.songs[0].id == song.id

    plain = svc.load_analysis(store, song.id)
    corrected = svc.save_correction(store, song.id, GridCorrection(one_shift=1))
    assert corrected.phrases[0] == pytest.approx(plain.phrases[0] + plain.beat_period, abs=0.05)
    assert svc.get_correction(store, song.id) == GridCorrection(one_shift=1)
    assert svc.load_analysis(store, song.id, corrected=False).phrases == plain.phrases


def test_single_bad_file_fails_with_its_message(store, tmp_path: Path) -> None:
    empty = tmp_path / "empty.ogg"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        svc.import_songs(RecordingContext(), store, [empty])
    assert store.songs.list() == []
    assert not any((store.paths.media / "songs").glob("*")) if (store.paths.media / "songs").exists() else True


def test_an_analysis_by_older_grid_rules_is_redone_and_keeps_the_corrections(store, tmp_path: Path) -> None:
    path = synth_song(92, duration=30.0, seed=3).write(tmp_path / "lenta.wav")
    song = svc.import_songs(RecordingContext(), store, [path]).songs[0]
    svc.save_correction(store, song.id, GridCorrection(one_shift=2))
    # what the previous version stored: its rules marker absent, a tempo folded by 4/3
    old = store.songs.analysis(song.id)
    old.pop("grid_rules")
    old["tempo_bpm"] = 122.7
    store.songs.set_analysis(song.id, old)
    assert svc.is_outdated(store, song.id) and svc.cached_analysis(store, song.id) is None
    again = svc.import_songs(RecordingContext(), store, [path])
    assert again.analysed == 1 and again.songs[0].id == song.id
    assert not svc.is_outdated(store, song.id)
    assert abs(svc.cached_analysis(store, song.id).tempo_bpm - 92) < 1.9
    assert abs(store.songs.get(song.id).tempo_bpm - 92) < 1.9             # the list shows it too
    assert svc.get_correction(store, song.id) == GridCorrection(one_shift=2)


def test_a_tempo_hint_retracks_is_kept_on_reanalysis_and_undone(store, tmp_path: Path) -> None:
    path = synth_song(126, duration=30.0, seed=4).write(tmp_path / "hint.wav")
    song = svc.import_songs(RecordingContext(), store, [path]).songs[0]
    local = GridCorrection(one_shift=1, ones_from=((10.0, 3),))
    svc.save_correction(store, song.id, local)
    base, corrected = svc.retrack_with_tempo(RecordingContext(), store, song.id, 128.0)
    assert abs(base.tempo_bpm - 126) < 1.3                       # the beats stay on the music
    assert svc.get_correction(store, song.id) == GridCorrection(one_shift=1, ones_from=((10.0, 3),),
                                                                 tempo_hint_bpm=128.0)
    assert svc.load_analysis(store, song.id).phrases == pytest.approx(corrected.phrases, abs=1e-3)
    # stored under grid rules 2: analysed again on use, with the hint and every correction kept
    old = store.songs.analysis(song.id)
    old["grid_rules"] = 2
    store.songs.set_analysis(song.id, old)
    assert svc.is_outdated(store, song.id)
    svc.import_songs(RecordingContext(), store, [path])
    assert store.songs.analysis(song.id)["tempo_hint"] == 128.0
    assert svc.get_correction(store, song.id).ones_from == ((10.0, 3),)
    # undo: no hint
    svc.retrack_with_tempo(RecordingContext(), store, song.id, None)
    assert svc.get_correction(store, song.id).tempo_hint_bpm is None and not svc.is_outdated(store, song.id)
    with pytest.raises(InputError, match="not a dance tempo"):
        svc.retrack_with_tempo(RecordingContext(), store, song.id, 900.0)
