"""The generator wizard end to end with real components: the shared clips imported into a real
store (with synthetic pose summaries and embeddings standing in for the slow pose analysis), a
synthetic bachata song analysed by the real audio analysis as a job, the real choreographer,
swap, save, and the result timeline painted and clicked."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from drop_files import drop_files
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from synth import synth_song  # noqa: E402

from bachata_desktop.core.pose import DESCRIPTOR_SIZE  # noqa: E402
from bachata_desktop.core.task import RecordingContext  # noqa: E402

TEMPO = 124.0
SHARED = Path(os.environ.get("BACHATA_SHARED", Path(__file__).resolve().parents[2].parent / "shared"))
ANNOTATIONS = SHARED / "data" / "clips" / "bachata_annotations.json"


def fill_from_shared_clips(store) -> list:
    """Import the shared clips; give each a synthetic pose summary and embeddings (fast)."""
    from bachata_desktop.services.library_import import import_clips

    if not ANNOTATIONS.is_file():
        pytest.skip(f"shared asset not found: {ANNOTATIONS}")
    import_clips(store, [ANNOTATIONS.parent], RecordingContext(), annotations=ANNOTATIONS,
                 enqueue_analysis=False)
    clips = store.clips.list()
    rng = np.random.default_rng(3)
    protos = rng.normal(scale=0.5, size=(5, DESCRIPTOR_SIZE))
    for clip in clips:
        start, end = protos[rng.integers(5)].copy(), protos[rng.integers(5)].copy()
        start[-1] = end[-1] = 1.0
        store.analyses.put("clip", clip.id, "pose", {
            "start_pose": start.tolist(), "end_pose": end.tolist(), "flipped": False})
        for m, dim in (("text", 384), ("audio", 128), ("lead", 512), ("follow", 512),
                       ("interaction", 256)):
            v = rng.normal(size=dim)
            store.embeddings.put("clip", clip.id, m, v / np.linalg.norm(v), "test")
    return clips


@pytest.fixture
def ctx(qtbot, app_paths):
    from bachata_desktop.app import build_context, make_application

    make_application([])
    c = build_context(app_paths)
    yield c
    c.jobs.shutdown(30000)
    c.store.close()


@pytest.fixture(scope="module")
def song_file(tmp_path_factory) -> Path:
    form = (("intro", 2), ("verse", 3), ("chorus", 3), ("mambo", 2), ("outro", 2))
    song = synth_song(TEMPO, form=form, leading_silence=0.4, pickup_beats=2, seed=5)
    return song.write(tmp_path_factory.mktemp("songs") / "Canción de prueba.wav")


def _run_to_result(qtbot, panel, song_file, text: str = ""):
    with qtbot.waitSignal(panel.song_ready, timeout=180_000) as got:
        panel.choose_song(str(song_file))
    assert panel.current_step() == 1
    prefs = panel.prefs
    prefs.level.setCurrentIndex(prefs.level.findData("intermediate"))
    prefs.set_categories(prefs.avoid, ("spin",))
    prefs.seed.setValue(7)
    prefs.text.setPlainText(text)
    with qtbot.waitSignal(panel.generated, timeout=180_000) as gen:
        qtbot.mouseClick(prefs.generate_btn, Qt.MouseButton.LeftButton)
    return got.args[0], gen.args[0]


def test_wizard_end_to_end(qtbot, ctx, song_file, tmp_path):
    from bachata_desktop.ui.wizard.panel import GeneratorPanel

    clips = {c.id: c for c in fill_from_shared_clips(ctx.store)}
    panel = GeneratorPanel(ctx)
    panel.resize(1200, 760)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    song, result = _run_to_result(qtbot, panel, song_file, "rutina sensual, sin giros")
    # the song went through the real analysis and is now in the library
    assert abs(song.analysis.tempo_bpm - TEMPO) < 2.5 and ctx.store.songs.list()
    assert song.peaks is not None and panel.song_step.songs.count() == 1
    assert panel.current_step() == 2
    ch = result.choreography
    # how the text was understood is shown, with its source
    understood = panel.prefs.understood.text()
    assert "read by" in understood and "Spin" in understood
    # no Gemini here (no key, no network): the fallback is said, on the form and on the result
    assert "offline parser" in understood and "⚠" in understood
    assert "offline parser" in panel.result_view.notes.text()
    # every move starts on a count 1, the moves cover the song's phrases end to end
    ones = {round(b.time, 4) for b in song.analysis.beats if b.count == 1}
    assert ch.slots and all(round(s.start, 4) in ones for s in ch.slots)
    assert ch.slots[0].start == pytest.approx(ch.phrases[0].start_s)
    assert ch.slots[-1].end == pytest.approx(ch.phrases[-1].end_s)
    for a, b in zip(ch.slots, ch.slots[1:], strict=False):
        assert b.start == pytest.approx(a.end)
    assert all(clips[s.clip_id].category != "spin" for s in ch.slots)
    assert all(clips[s.clip_id].level.rank <= 1 for s in ch.slots)
    # the timeline has one block per move, in song order
    tl = panel.result_view.timeline
    assert tl.choreography is ch
    rects = [tl.block_rect(i) for i in range(len(ch.slots))]
    assert all(r2.left() >= r1.right() for r1, r2 in zip(rects, rects[1:], strict=False))
    assert rects[0].left() == pytest.approx(tl._x(ch.slots[0].start) + 1) and panel.result_view.moves.count() == len(ch.slots)
    # click a block: its reasons and alternatives appear
    k = min(2, len(ch.slots) - 1)
    qtbot.mouseClick(tl, Qt.MouseButton.LeftButton, pos=rects[k].center().toPoint())
    detail = panel.result_view.detail
    assert tl.selected == k and detail.slot_index == k
    assert detail.reasons.rowCount() >= 3 and detail.alternatives.rowCount() >= 1
    assert "Total score" in [detail.reasons.item(r, 0).text()
                             for r in range(detail.reasons.rowCount())]
    # swap to the first alternative in one click: that slot changes, the rest stays valid
    alt = ch.slots[k].alternatives[0]
    with qtbot.waitSignal(panel.swapped, timeout=60_000) as sw:
        qtbot.mouseClick(detail.swap_button(0), Qt.MouseButton.LeftButton)
    new = sw.args[0].choreography
    assert new.slots[k].clip_id == alt.clip_id and new.slots[k].pinned
    assert all(round(s.start, 4) in ones for s in new.slots)
    for a, b in zip(new.slots, new.slots[1:], strict=False):
        assert b.start == pytest.approx(a.end) and a.clip_id != b.clip_id
    assert new.slots[-1].end == pytest.approx(ch.slots[-1].end)
    assert tl.choreography is new and detail.slot.clip_id == alt.clip_id
    # the swap changed that move only, and says so; the changed row is marked
    assert [s.clip_id for i, s in enumerate(new.slots) if i != k] == \
        [s.clip_id for i, s in enumerate(ch.slots) if i != k]
    assert "the other moves are unchanged" in panel.result_view.status.text()
    assert ch.slots[k].name in panel.result_view.status.text()
    assert panel.result_view.moves.item(k).text().startswith("● ")
    assert sum(panel.result_view.moves.item(i).text().startswith("● ")
               for i in range(len(new.slots))) == 1
    # one step back and forth: undo restores the routine before the swap
    assert panel.result_view.undo_btn.isEnabled()
    qtbot.mouseClick(panel.result_view.undo_btn, Qt.MouseButton.LeftButton)
    assert panel.choreography.clip_ids == ch.clip_ids and not panel.result_view.undo_btn.isEnabled()
    with qtbot.waitSignal(panel.swapped, timeout=60_000):
        qtbot.mouseClick(detail.swap_button(0), Qt.MouseButton.LeftButton)
    assert panel.choreography.clip_ids == new.clip_ids
    # teaching notes for the selected move (offline here: no Gemini key in tests)
    qtbot.mouseClick(detail.notes_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Teaching notes" in detail.notes.text(), timeout=30_000)
    assert "offline" in detail.notes.text() and len(detail.notes.text()) > 60
    # save: it appears in the store's choreographies and the navigator is told
    with qtbot.waitSignal(ctx.navigator.choreographies_changed, timeout=30_000), \
            qtbot.waitSignal(panel.saved, timeout=30_000) as saved:
        panel.result_view.name.setText("Clase del martes")
        qtbot.mouseClick(panel.result_view.save_btn, Qt.MouseButton.LeftButton)
    docs = ctx.store.choreographies.list()
    assert [d.id for d in docs] == [saved.args[0]] and docs[0].title == "Clase del martes"
    assert [s["clip_id"] for s in docs[0].data["slots"]] == new.clip_ids
    # the saved choreography can be dragged onto a class plan
    from bachata_desktop.ui.mime import CHOREOGRAPHY_IDS_MIME, decode_ids

    assert decode_ids(panel.result_view.drag.mime(), CHOREOGRAPHY_IDS_MIME) == [saved.args[0]]
    # "Play song" opens the song with its beat grid in the player
    with qtbot.waitSignal(ctx.navigator.open_media, timeout=5000) as opened:
        qtbot.mouseClick(panel.result_view.play_btn, Qt.MouseButton.LeftButton)
    assert Path(opened.args[0]).is_file() and opened.args[1]["beats"]
    # "Add to class plan" saves again (the same document, now updated) and asks for it to be
    # added to the open class plan (tests/ui/test_moves_to_plan.py follows it into the plan)
    with qtbot.waitSignal(ctx.navigator.add_choreography_to_plan, timeout=30_000) as added:
        qtbot.mouseClick(panel.result_view.plan_btn, Qt.MouseButton.LeftButton)
    assert added.args == [saved.args[0], None]
    assert [d.id for d in ctx.store.choreographies.list()] == [saved.args[0]]
    # "Another version" generates again with a new seed; the new one is not saved yet
    with qtbot.waitSignal(panel.generated, timeout=180_000) as again:
        qtbot.mouseClick(panel.result_view.regen_btn, Qt.MouseButton.LeftButton)
    assert again.args[0].choreography.seed == panel.prefs.seed.value()
    assert panel.doc_id is None and not panel.result_view.drag.isEnabled()
    shot = panel.grab()
    assert not shot.isNull()
    shot.save(str(tmp_path / "wizard_result.png"))
    # the song is in the library now: picking it again does not analyse it again
    panel.go_to(0)
    assert panel.song_step.songs.count() == 1
    with qtbot.waitSignal(panel.song_ready, timeout=60_000) as again_song:
        qtbot.mouseClick(panel.song_step.use_btn, Qt.MouseButton.LeftButton)
    assert again_song.args[0].added is False and panel.current_step() == 1


def test_reopen_saved_choreography_and_swap(qtbot, ctx, song_file):
    from bachata_desktop.services.generate import save_choreography
    from bachata_desktop.ui.wizard.panel import GeneratorPanel

    fill_from_shared_clips(ctx.store)
    panel = GeneratorPanel(ctx)
    qtbot.addWidget(panel)
    _song, result = _run_to_result(qtbot, panel, song_file)
    doc = save_choreography(ctx.store, result.choreography, "Guardada")
    other = GeneratorPanel(ctx)
    qtbot.addWidget(other)
    ctx.navigator.open_choreography.emit(doc.id)
    qtbot.waitUntil(lambda: other.result is not None and other.current_step() == 2,
                    timeout=120_000)
    assert other.choreography.clip_ids == result.choreography.clip_ids
    assert other.doc_id == doc.id and other.result_view.name.text() == "Guardada"
    assert other.result.candidates and other.song is not None
    slot = other.choreography.slots[1]
    with qtbot.waitSignal(other.swapped, timeout=60_000) as sw:
        other.swap(1, slot.alternatives[0].clip_id)
    assert sw.args[0].choreography.slots[1].clip_id == slot.alternatives[0].clip_id
    # asked to re-optimise, the neighbours may change too: every changed move is marked
    from bachata_desktop.core.choreographer import changed_slots

    before = sw.args[0].choreography
    other.result_view.select_slot(3)
    other.result_view.detail.reoptimise.setChecked(True)
    alt3 = before.slots[3].alternatives[0].clip_id
    with qtbot.waitSignal(other.swapped, timeout=60_000) as sw2:
        other.swap(3, alt3)
    after = sw2.args[0].choreography
    changed = changed_slots(before, after)
    marked = [i for i in range(other.result_view.moves.count())
              if other.result_view.moves.item(i).text().startswith("● ")]
    assert marked == changed and changed
    assert other.result_view.status.text().startswith(f"Move 4: {before.slots[3].name} → ")


def test_bad_song_file_is_reported(qtbot, ctx, tmp_path):
    from bachata_desktop.ui.wizard.panel import GeneratorPanel

    bad = tmp_path / "not_audio.wav"
    bad.write_bytes(b"this is not audio")
    panel = GeneratorPanel(ctx)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.failed, timeout=60_000) as err:
        panel.choose_song(str(bad))
    assert err.args[0] and panel.current_step() == 0
    assert "⚠" in panel.song_step.status.text()
    assert panel.song_step.browse_btn.isEnabled() and not panel.song_step.progress.isVisible()
    assert not ctx.store.songs.list()


def test_dropped_song_and_cancelled_generation(qtbot, ctx, song_file):
    from bachata_desktop.ui.wizard.panel import GeneratorPanel

    fill_from_shared_clips(ctx.store)
    panel = GeneratorPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.song_ready, timeout=180_000):
        drop_files(panel.song_step, [song_file])
    job = panel.generate()
    assert panel.prefs.cancel_btn.isVisibleTo(panel.prefs)
    with qtbot.waitSignal(panel.failed, timeout=120_000) as err:
        qtbot.mouseClick(panel.prefs.cancel_btn, Qt.MouseButton.LeftButton)
    assert "cancelled" in err.args[0] and job.state == "cancelled"
    assert panel.result is None and panel.current_step() == 1
    assert panel.prefs.generate_btn.isEnabled() and not panel.prefs.progress.isVisible()


def test_song_analysis_can_be_cancelled(qtbot, ctx, song_file):
    from bachata_desktop.ui.wizard.panel import GeneratorPanel

    panel = GeneratorPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.song_step.use_btn.isEnabled()  # the empty library says so, nothing to use
    job = panel.choose_song(str(song_file))
    with qtbot.waitSignal(panel.failed, timeout=120_000) as err:
        qtbot.mouseClick(panel.song_step.cancel_btn, Qt.MouseButton.LeftButton)
    assert "cancelled" in err.args[0] and job.state == "cancelled"
    assert panel.current_step() == 0 and panel.song is None
    assert not ctx.store.songs.list()


def test_preview_video_and_cancelled_export(qtbot, ctx, tmp_path):
    from bachata_desktop.ui.wizard.panel import GeneratorPanel

    fill_from_shared_clips(ctx.store)
    form = (("intro", 1), ("verse", 2), ("outro", 1))
    short = synth_song(TEMPO, form=form, pickup_beats=1, seed=8).write(tmp_path / "corta.wav")
    panel = GeneratorPanel(ctx)
    qtbot.addWidget(panel)
    _run_to_result(qtbot, panel, short)
    # preview: opens at once with the song's length (not 0:00 / 0:00), plays the retimed clips
    # live, and renders no file first
    ch = panel.choreography
    qtbot.mouseClick(panel.result_view.preview_btn, Qt.MouseButton.LeftButton)
    win = panel.preview_window
    assert win is not None and win.isVisible()
    song_len = panel.song.analysis.duration
    m, s = divmod(int(song_len), 60)
    assert win.time.text().endswith(f"/ {m}:{s:02d}") and song_len > 5
    qtbot.waitUntil(lambda: win.shown_t is not None, timeout=30_000)
    assert not list(ctx.paths.cache.rglob("*.mp4"))
    # it plays: the position and the frames move on with the song
    qtbot.waitUntil(lambda: win.shown_t is not None and win.shown_t > 0.5, timeout=30_000)
    assert win.playing and win.play_btn.text().startswith("⏸")
    # paused and moved into the second move: the frame is the export's frame for that instant
    win.pause()
    t = (ch.slots[1].start + ch.slots[1].end) / 2
    with qtbot.waitSignal(win.frame_shown, timeout=30_000,
                          check_params_cb=lambda got: abs(got - t) < 1e-6):
        win.seek(t)
    import cv2

    from bachata_desktop.services.export_routine import open_routine

    routine = open_routine(ctx.store, ch, None, 854, 480, song_analysis=panel.song.analysis)
    try:
        ref = cv2.cvtColor(routine.frame_i420(t), cv2.COLOR_YUV2RGB_I420).astype(np.float32)
        other = cv2.cvtColor(routine.frame_i420(ch.slots[0].start + 0.5),
                             cv2.COLOR_YUV2RGB_I420).astype(np.float32)
    finally:
        routine.close()
    img = win.image.convertToFormat(win.image.Format.Format_RGB888)
    got = np.frombuffer(img.constBits(), np.uint8).reshape(480, img.bytesPerLine())[:, :854 * 3]
    got = got.reshape(480, 854, 3).astype(np.float32)
    assert np.abs(got - ref).mean() < 1.0 < np.abs(got - other).mean()
    assert win.time.text().startswith(f"{int(t) // 60}:{int(t) % 60:02d}")
    win.close()
    assert not win.thread_.isRunning()
    # a finished export covers the whole song and offers "Show in folder"
    done = tmp_path / "out" / "clase.mp4"
    with qtbot.waitSignal(panel.exported, timeout=300_000):
        panel.export("480p", False, out_path=str(done))
    assert panel.result_view.folder_btn.isVisibleTo(panel.result_view)
    assert panel.result_view.exported_path == str(done)
    assert f"Saved {done.name}" in panel.result_view.status.text()
    import av

    with av.open(str(done)) as f:
        assert abs(f.duration / 1e6 - song_len) <= 1 / 30 + 0.03  # the song's length (AAC pad)
    # export to a chosen file, cancelled at once: the job stops and leaves no file behind
    out = tmp_path / "export.mp4"
    job = panel.export("720p", False, out_path=str(out))
    assert panel.result_view.cancel_btn.isVisibleTo(panel.result_view)
    with qtbot.waitSignal(panel.failed, timeout=120_000) as err:
        qtbot.mouseClick(panel.result_view.cancel_btn, Qt.MouseButton.LeftButton)
    assert "cancelled" in err.args[0] and job.state == "cancelled"
    assert not out.exists() and not list(tmp_path.glob(".*export*"))
    assert panel.result_view.export_btn.isEnabled()
    assert not panel.result_view.folder_btn.isVisibleTo(panel.result_view)  # not for a failed one


def test_empty_library_is_explained(qtbot, ctx, song_file):
    from bachata_desktop.ui.wizard.panel import GeneratorPanel

    panel = GeneratorPanel(ctx)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.song_ready, timeout=180_000):
        panel.choose_song(str(song_file))
    with qtbot.waitSignal(panel.failed, timeout=120_000) as err:
        qtbot.mouseClick(panel.prefs.generate_btn, Qt.MouseButton.LeftButton)
    assert "library is empty" in err.args[0] and "library is empty" in panel.prefs.status.text()
    assert panel.current_step() == 1 and panel.prefs.generate_btn.isEnabled()
    assert not panel.step_buttons.button(2).isEnabled()


def test_understood_sentence_updates_the_form(qtbot, ctx):
    """What the sentence asks for lands in the form (style, families, dip), the text and seed stay."""
    from bachata_desktop.ui.wizard.panel import GeneratorPanel

    panel = GeneratorPanel(ctx)
    qtbot.addWidget(panel)
    prefs = panel.prefs
    prefs.seed.setValue(42)
    text = "sensual routine, lots of body waves, no spins, ending in a dip"
    prefs.text.setPlainText(text)
    assert not prefs.dip.isChecked() and prefs.style.currentData() == ""
    panel.understand()
    qtbot.waitUntil(lambda: "Understood as" in prefs.understood.text(), timeout=120_000)
    assert prefs.style.currentData() == "sensual"
    assert prefs._checked(prefs.include) == ("bodywaves",)
    assert prefs._checked(prefs.avoid) == ("spin",)
    assert prefs.dip.isChecked()
    assert prefs.text.toPlainText() == text and prefs.seed.value() == 42


def test_result_view_names_where_the_one_is_unsure(qtbot, ctx):
    """The wizard's result view shows the generator's notes on an unsure "1" (item 1 of issue 14)."""
    from dataclasses import replace

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
    from test_generate import fill_library, song_analysis

    from bachata_desktop.core.choreography import Request, SongInfo
    from bachata_desktop.services.generate import generate_choreography
    from bachata_desktop.ui.wizard.result import ResultView

    fill_library(ctx.store)
    an = song_analysis()
    an = replace(an, one_confidence=0.8, sections=tuple(
        replace(s, confidence=0.1 if s.label.value == "mambo" else 0.9) for s in an.sections))
    ch = generate_choreography(RecordingContext(), ctx.store, SongInfo("synthetic"), an,
                               Request(seed=1)).choreography
    view = ResultView()
    qtbot.addWidget(view)
    view.show_result(ch)
    text = view.notes.text()
    assert "Unsure of the 1 in " in text and "(mambo), moves 17-20" in text and "check it in Songs" in text
