"""The clip editor shows where length, holds and lead/follow came from, and its overrides are
saved to the real SQLite store (so the analysis no longer replaces them)."""

from __future__ import annotations

from bachata_desktop.core.clip import Clip, Hold
from bachata_desktop.core.task import RecordingContext
from bachata_desktop.ui.library.detail import ClipDetail, save_edits


def _clip(store, key: str = "spin_x", **extra) -> Clip:
    return store.clips.add(Clip(
        id=None, clip_key=key, name=key, category="spin", media_path=f"clips/{key}.mp4",
        content_hash=f"{abs(hash(key)):064x}"[:64], start_hold=Hold.OPEN, end_hold=Hold.CLOSED, counts=8,
        tempo_bpm=124.0, extra=dict(extra)))


def test_notes_say_where_values_came_from(qtbot, store) -> None:
    clip = _clip(store, holds_source="pose", hold_confidence={"start": 0.91, "end": 0.42})
    d = ClipDetail()
    qtbot.addWidget(d)
    d.set_clip(clip)
    assert "seen in the video, sure (91%)" in d.start_hold_note.text()
    assert "unsure (42%)" in d.end_hold_note.text()
    assert "soundtrack" in d.length_note.text()  # no keypoints read yet
    assert not d.flip_check.isChecked() and "analysis" in d.lead_note.text()
    family = _clip(store, "spin_y", holds_source="default").with_(tempo_bpm=None)
    d.set_clip(family)
    assert "usual for this family" in d.start_hold_note.text()
    assert d.length_note.text() == "not measured yet"
    unsure = _clip(store, "spin_z", lead_unsure=True)
    d.set_clip(unsure)
    assert "unsure" in d.lead_note.text() and "same height" in d.lead_note.text()
    d.flip_check.setChecked(True)
    assert "swapped by you" in d.lead_note.text()


def test_overrides_are_saved_and_marked_as_the_users(qtbot, store) -> None:
    clip = _clip(store, holds_source="pose", hold_confidence={"start": 0.6, "end": 0.6})
    d = ClipDetail()
    qtbot.addWidget(d)
    edits: list[Clip] = []
    d.clip_edited.connect(edits.append)
    d.set_clip(clip)
    d.end_hold_combo.setCurrentIndex(d.end_hold_combo.findData(Hold.SHADOW.value))
    assert d.end_hold_note.text() == "set by you"
    d.counts_spin.setValue(16)
    assert d.length_note.text() == "set by you"
    d.flip_check.setChecked(True)
    assert "swapped by you" in d.lead_note.text()
    saved = save_edits(RecordingContext(), store, edits[-1])
    stored = store.clips.get(clip.id)
    assert stored == saved
    assert stored.end_hold is Hold.SHADOW and stored.counts == 16 and stored.lead_follow_flipped
    assert stored.extra["holds_source"] == "user" and stored.extra["counts_source"] == "user"


DANCE = {"move_start_s": 0.52, "move_end_s": 9.1, "counts": 16, "beats_danced": 18,
         "first_one_s": 0.98, "one_beat": 2, "soundtrack_offset": 1, "one_source": "dance",
         "one_confidence": 0.9, "bob_score": -0.4, "version": 1,
         "note": "the dancers' 1 is one beat after the soundtrack's; the dance wins (90% sure)"}


def test_length_from_the_dance_is_explained_and_the_measured_length_comes_back(qtbot, store) -> None:
    clip = _clip(store, "spin_d", dance=DANCE, counts_from="dance").with_(counts=16)
    clip = store.clips.update(clip)
    d = ClipDetail()
    qtbot.addWidget(d)
    edits: list[Clip] = []
    d.clip_edited.connect(edits.append)
    d.set_clip(clip)
    note = d.length_note.text()
    assert note.startswith("read from the dance: counted from the dancers' 1 at 1.0 s to 9.1 s")
    assert "one beat after the soundtrack's" in note
    assert d.counts_reset.isHidden()
    d.counts_spin.setValue(8)  # the instructor overrides the length
    assert d.length_note.text() == "set by you (the dance measured 16)"
    assert not d.counts_reset.isHidden()
    user = save_edits(RecordingContext(), store, edits[-1])
    assert user.counts == 8 and user.extra["counts_source"] == "user"
    d.set_clip(user)
    d.counts_reset.click()
    assert d.counts_spin.value() == 16 and d.length_note.text().startswith("read from the dance")
    back = save_edits(RecordingContext(), store, edits[-1])
    assert back.counts == 16 and back.extra["counts_source"] == "auto"
    assert store.clips.get(clip.id).counts == 16
