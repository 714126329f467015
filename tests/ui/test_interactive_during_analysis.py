"""Stress: a folder of shared clips imports and the library analyses while the instructor searches,
asks for similar moves and picks an already-analysed song in the generator.

Nothing interactive may wait for the analysis queue: each request must start while the queue is
still busy and before it finishes another clip (measured by events: the job's "started" signal and
the clips the queue has finished, never by timing the work). Real store, real pose model, real
MiniLM, real media; the first crash of this kind (issue 17) happened in exactly this mix.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from synth import synth_song  # noqa: E402

from bachata_desktop.core.clip import AnalysisState  # noqa: E402
from bachata_desktop.core.task import RecordingContext  # noqa: E402

FIRST = ("basic/front_step.mp4", "outro/outro4.mp4", "bolero/machete_completo.mp4")
SECOND = ("basic/basic_2.mp4", "basic/sensual_basic2.mp4", "basic/energetic_basic2.mp4",
          "basic/basic_front2.mp4", "basic/sensual_basic4.mp4", "basic/slow_basic3.mp4")


def _folder(src: Path, names: tuple[str, ...], dest: Path) -> Path:
    dest.mkdir()
    for n in names:
        shutil.copy(src / n, dest / Path(n).name)
    return dest


def _finished_clips(store) -> int:
    return sum(c.analysis_state in (AnalysisState.DONE, AnalysisState.FAILED)
               for c in store.clips.list())


def test_search_similar_and_generator_never_wait_for_the_analysis_queue(
        qtbot, main_window, shared_clips_dir, pose_model_dir, tmp_path) -> None:
    from bachata_desktop.services import songs as song_service

    ctx, lib, gen = main_window.ctx, main_window.library, main_window.generator
    song = synth_song(124.0, form=(("intro", 1), ("verse", 2)), seed=3).write(tmp_path / "s.wav")
    song_service.add_song(RecordingContext(), ctx.store, str(song))   # analysed before: a lookup
    first = _folder(shared_clips_dir, FIRST, tmp_path / "first")
    second = _folder(shared_clips_dir, SECOND, tmp_path / "second")

    with qtbot.waitSignal(ctx.jobs.job_added, timeout=5000):
        lib.import_paths([str(first)])
    qtbot.waitUntil(lambda: lib._analysis_job is not None
                    and lib._analysis_job.state == "running", timeout=60000)
    queue = lib._analysis_job
    lib.import_paths([str(second)])                 # a second folder lands while analysing

    events: dict[str, dict] = {}
    done_at_start: dict[int, tuple[str, int]] = {}

    def on_started(job) -> None:
        done_at_start[job.id] = (queue.state, _finished_clips(ctx.store))

    ctx.jobs.job_started.connect(on_started)

    def watch(name: str, job) -> None:
        assert job is not None, name
        events[name] = {"submitted_done": _finished_clips(ctx.store), "job": job}

    lib.search_edit.setText("smooth turn")
    watch("search", lib.run_search())
    assert "Searching" in lib.banner.label.text() and lib.count_label.text() == "searching…"
    watch("generator song", gen.choose_song(str(song)))
    # "Similar moves" replaces the search's ranking (same key): ask once the search has answered
    qtbot.waitUntil(lambda: events["search"]["job"].state != "queued"
                    and events["search"]["job"].state != "running", timeout=120000)
    watch("similar", lib.show_similar(ctx.store.clips.list()[0].id))

    # a job's state is set on its worker thread; its "started" event reaches the GUI thread queued
    qtbot.waitUntil(lambda: all(e["job"].state in ("finished", "failed", "cancelled")
                                and e["job"].id in done_at_start
                                for e in events.values()), timeout=240000)
    for name, e in events.items():
        assert e["job"].state == "finished", (name, e["job"].state, e["job"].error)
        # started while the queue was still analysing, and before it finished one more clip
        queue_state, started_done = done_at_start[e["job"].id]
        assert queue_state == "running", (name, queue_state)
        assert started_done == e["submitted_done"], (name, started_done, e["submitted_done"])
    assert gen.song is not None and gen.current_step() == 1   # the generator moved on
    assert "Searching" not in lib.banner.label.text()          # the search answered
    assert queue.state == "running" or _finished_clips(ctx.store) > 0


def test_search_and_an_analysed_song_never_wait_for_songs_being_imported(
        qtbot, main_window, tmp_path) -> None:
    """Songs dropped on the Songs area analyse in the background (issue 17 item 4): once the
    import has finished its first song, an already-analysed song in the generator and a search
    both start while the import is still analysing the others. (On the interactive pool they
    would start only once the whole import had finished.)"""
    from bachata_desktop.services import songs as song_service

    ctx, lib, gen, songs_area = (main_window.ctx, main_window.library, main_window.generator,
                                 main_window.songs)
    known = synth_song(124.0, form=(("intro", 1), ("verse", 2)), seed=3).write(tmp_path / "k.wav")
    song_service.add_song(RecordingContext(), ctx.store, str(known))   # analysed before: a lookup
    form = (("intro", 2), ("verse", 4), ("chorus", 4), ("verse", 4))
    new = [str(synth_song(112.0 + i, form=form, seed=10 + i).write(tmp_path / f"new{i}.wav"))
           for i in range(10)]

    def ready() -> int:                       # songs the import has finished
        return len(ctx.store.songs.list()) - 1

    imported = songs_area.import_paths(new)
    assert imported is not None and imported.pool_name == "songs"
    qtbot.waitUntil(lambda: ready() >= 1, timeout=120000)

    started: dict[int, tuple[str, int]] = {}
    ctx.jobs.job_started.connect(lambda job: started.setdefault(job.id, (imported.state, ready())))
    lib.search_edit.setText("smooth turn")
    asked = {"generator song": gen.choose_song(str(known)), "search": lib.run_search()}
    qtbot.waitUntil(lambda: all(j.state in ("finished", "failed", "cancelled") and j.id in started
                                for j in asked.values()), timeout=240000)
    for name, job in asked.items():
        assert job.state == "finished", (name, job.state, job.error)
        import_state, ready_at_start = started[job.id]
        assert import_state == "running" and ready_at_start < len(new), (
            name, import_state, ready_at_start)
    # the answers reach the GUI thread as queued calls after the jobs' states are set
    qtbot.waitUntil(lambda: gen.song is not None and "Searching" not in lib.banner.label.text(),
                    timeout=60000)
    assert gen.current_step() == 1
