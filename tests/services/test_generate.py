"""Generation against a real SQLite library: store -> candidates -> choreography, and the CLI.

The clips here are synthetic rows (no video to analyse), but they go through the real store, the
real text model (when installed), the real song analysis (for the CLI test, on a synthesized song)
and the real choreographer.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from bachata_desktop.core.choreography import Request, SongInfo, Style
from bachata_desktop.core.clip import CATEGORIES, Clip, Energy, Hold, Level
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.pose import DESCRIPTOR_SIZE
from bachata_desktop.core.song import Section, SectionLabel, SongAnalysis, build_grid
from bachata_desktop.core.task import RecordingContext
from bachata_desktop.services.generate import (
    GenerationResult,
    candidates_from_store,
    generate_choreography,
    load_choreography,
    phrases_from_analysis,
    save_choreography,
    swap_move,
)

TEMPO = 126.0


def fill_library(store, n_per_cat: int = 3, seed: int = 0) -> list[Clip]:
    from bachata_desktop.analysis.text import embedder as emb

    rng = np.random.default_rng(seed)
    protos = rng.normal(scale=0.5, size=(5, DESCRIPTOR_SIZE))
    clips = []
    for k, cat in enumerate(CATEGORIES):
        for j in range(n_per_cat):
            i = k * n_per_cat + j
            clip = store.clips.add(Clip(
                id=None, clip_key=f"{cat}_{j}", name=f"{cat.replace('_', ' ')} {j + 1}",
                category=cat, media_path=f"clips/{cat}_{j}.mp4", content_hash=f"{i:064x}",
                level=list(Level)[i % 3], energy=list(Energy)[(i // 3) % 3],
                tempo_bpm=float(rng.uniform(115, 135)), counts=16 if j == 2 and k % 4 == 0 else 8))
            clips.append(clip)
            start, end = protos[rng.integers(5)].copy(), protos[rng.integers(5)].copy()
            start[-1] = end[-1] = 1.0  # validity
            store.analyses.put("clip", clip.id, "pose", {
                "start_pose": start.tolist(), "end_pose": end.tolist(), "flipped": False,
                "start_hold_guess": "open", "end_hold_guess": None})
            for m, dim in (("audio", 128), ("lead", 512), ("follow", 512), ("interaction", 256)):
                v = rng.normal(size=dim)
                store.embeddings.put("clip", clip.id, m, v / np.linalg.norm(v), "test")
    if emb.is_available():
        vecs = emb.TextEmbedder.shared().encode([c.description for c in clips])
    else:
        vecs = rng.normal(size=(len(clips), 384))
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    for c, v in zip(clips, vecs, strict=True):
        store.embeddings.put("clip", c.id, "text", v, "test")
    return clips


def song_analysis(n_phrases: int = 24, pickup: int = 2) -> SongAnalysis:
    period = 60.0 / TEMPO
    n = pickup + 8 * n_phrases + 3  # a trailing incomplete phrase
    times = 0.4 + period * np.arange(n)
    counts = (np.arange(n) - pickup) % 8 + 1
    beats, downbeats, phrases = build_grid(times, counts)
    labels = ["intro"] * 2 + ["verse"] * 8 + ["chorus"] * 6 + ["mambo"] * 4 + ["outro"] * 4
    energy = {"intro": 0.2, "verse": 0.4, "chorus": 0.7, "mambo": 0.9, "outro": 0.3}
    sections = []
    for i, lab in enumerate(labels):
        t0, t1 = phrases[i], phrases[i + 1]
        if sections and sections[-1].label.value == lab:
            sections[-1] = Section(sections[-1].start, t1, sections[-1].label, energy[lab])
        else:
            sections.append(Section(t0, t1, SectionLabel(lab), energy[lab]))
    sections[-1] = Section(sections[-1].start, float(times[-1]) + period, sections[-1].label, 0.3)
    return SongAnalysis(duration=float(times[-1]) + period, tempo_bpm=TEMPO, beats=beats,
                        downbeats=downbeats, phrases=phrases, sections=tuple(sections),
                        energy=tuple(energy[labels[min(i, len(labels) - 1)]]
                                     for i in range(len(phrases))),
                        embedding=np.random.default_rng(1).normal(size=128).astype(np.float32))


def test_phrases_from_analysis():
    an = song_analysis()
    ph = phrases_from_analysis(an)
    assert len(ph) == 24  # the incomplete last phrase is dropped
    ones = {b.time for b in an.beats if b.count == 1}
    assert all(p.start_s in ones for p in ph)
    assert all(a.end_s == b.start_s for a, b in zip(ph, ph[1:], strict=False))
    assert ph[0].section_label == "intro" and ph[12].section_label == "chorus"
    assert ph[17].section_energy > ph[3].section_energy


def test_candidates_carry_store_data(store):
    clips = fill_library(store)
    store.clips.delete(clips[0].id)
    cands = candidates_from_store(store, Request(text="sensual body waves"),
                                  song_analysis().embedding)
    assert len(cands) == len(clips) - 1
    c = next(c for c in cands if c.clip_id == clips[5].id)
    assert set(c.similarity) == {"text", "audio", "lead", "follow", "interaction"}
    assert c.start_pose is not None and c.start_pose.shape == (DESCRIPTOR_SIZE,)
    assert c.start_hold is Hold.OPEN  # guessed by the pose analysis
    assert c.end_hold is not Hold.UNKNOWN  # family default
    assert any(c.counts == 16 for c in cands)


def test_hold_confidence_comes_from_who_set_the_hold(store):
    from bachata_desktop.services.generate import FAMILY_HOLD_CONFIDENCE

    clips = fill_library(store, n_per_cat=1)
    user, pose, family = clips[0], clips[1], clips[2]
    store.clips.update(user.with_(start_hold=Hold.SHADOW, end_hold=Hold.OPEN,
                                  extra={**user.extra, "holds_source": "user"}))
    store.clips.update(pose.with_(start_hold=Hold.CLOSED, end_hold=Hold.OPEN,
                                  extra={**pose.extra, "holds_source": "pose",
                                         "hold_confidence": {"start": 0.8, "end": 0.45}}))
    store.clips.update(family.with_(start_hold=Hold.OPEN, end_hold=Hold.OPEN,
                                    extra={**family.extra, "holds_source": "default"}))
    cands = {c.clip_id: c for c in candidates_from_store(store, Request(), None)}
    assert cands[user.id].hold_confidence == (1.0, 1.0)
    assert cands[user.id].start_hold is Hold.SHADOW
    assert cands[pose.id].hold_confidence == (0.8, 0.45)
    assert cands[family.id].hold_confidence == (FAMILY_HOLD_CONFIDENCE, FAMILY_HOLD_CONFIDENCE)


def test_generate_from_store_and_swap(store):
    fill_library(store)
    an = song_analysis()
    ctx = RecordingContext()
    req = Request(level=Level.INTERMEDIATE, style=Style.SENSUAL, avoid=("spin",), seed=2,
                  text="sensual routine with body waves")
    res = generate_choreography(ctx, store, SongInfo("synthetic"), an, req)
    assert isinstance(res, GenerationResult) and ctx.reports[-1][0] == 1.0
    ch = res.choreography
    ones = {b.time for b in an.beats if b.count == 1}
    assert all(s.start in ones for s in ch.slots)
    ph = phrases_from_analysis(an)
    assert ch.slots[0].start == ph[0].start_s and ch.slots[-1].end == ph[-1].end_s
    clips = {c.id: c for c in store.clips.list()}
    assert all(clips[s.clip_id].category != "spin" for s in ch.slots)
    assert all(clips[s.clip_id].level.rank <= 1 for s in ch.slots)
    assert all(a != b for a, b in zip(ch.clip_ids, ch.clip_ids[1:], strict=False))
    assert ch.tempo == TEMPO
    again = generate_choreography(RecordingContext(), store, SongInfo("synthetic"), an, req)
    assert again.choreography.to_dict() == ch.to_dict()
    alt = ch.slots[3].alternatives[0].clip_id
    sw = swap_move(res, 3, alt).choreography
    assert sw.slots[3].clip_id == alt and sw.slots[3].pinned
    doc = save_choreography(store, sw, tags=("class 3",))
    assert doc.meta["level"] == "intermediate" and "class 3" in doc.meta["tags"]
    back = load_choreography(store, doc.id)
    assert back.to_dict() == sw.to_dict()
    with pytest.raises(InputError):
        load_choreography(store, 999)


def test_empty_library_is_a_clear_error(store):
    with pytest.raises(InputError, match="library is empty"):
        generate_choreography(RecordingContext(), store, SongInfo("x"), song_analysis(), Request())


@pytest.mark.slow
def test_cli_generate_json(store, tmp_path, capsys):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "analysis"))
    from synth import synth_song

    from bachata_desktop.cli import run_cli

    fill_library(store)
    form = (("intro", 2), ("verse", 3), ("chorus", 3), ("mambo", 2), ("outro", 2))
    song = synth_song(TEMPO, form=form, pickup_beats=1).write(tmp_path / "canción.wav")
    out = tmp_path / "choreo.json"
    rc = run_cli(["generate", "--song", str(song), "--json", "--seed", "5", "--offline-parser",
                  "--request", "rutina sensual con ondas, sin giros", "--level", "advanced",
                  "--out", str(out), "--quiet"])
    assert rc == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(out.read_text(encoding="utf-8"))
    assert {"song", "tempo", "slots"} <= set(printed)
    assert abs(printed["tempo"] - TEMPO) < 2.0
    assert printed["request"]["level"] == "advanced" and "spin" in printed["request"]["avoid"]
    slots = printed["slots"]
    assert slots and all(0 < s["counts"] <= 16 for s in slots)
    for a, b in zip(slots, slots[1:], strict=False):
        assert b["start"] == pytest.approx(a["end"], abs=1e-3)
    assert {"start", "end", "counts", "clip_id", "rate", "reasons", "alternatives"} <= set(slots[0])
    # Bad input: one line on stderr, exit code 2.
    rc = run_cli(["generate", "--song", str(tmp_path / "missing.wav"), "--json"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and "not found" in err


@pytest.mark.slow
def test_shared_clip_library(store):
    """The 45 real clips of the original web app, imported as they are (metadata and text)."""
    from shared_assets import ANNOTATIONS, CLIPS_DIR, need

    from bachata_desktop.analysis.text import embedder as emb
    from bachata_desktop.services.library_import import import_clips

    need(ANNOTATIONS)
    report = import_clips(store, [CLIPS_DIR], RecordingContext(), annotations=ANNOTATIONS,
                          enqueue_analysis=False)
    clips = {c.id: c for c in store.clips.list()}
    assert len(clips) >= 40, report
    if emb.is_available():  # one batch (what the clip analysis stores one clip at a time)
        embedder = emb.TextEmbedder.shared()
        vecs = embedder.encode([c.description for c in clips.values()])
        for c, vec in zip(clips.values(), vecs, strict=True):
            store.embeddings.put("clip", c.id, "text", vec, embedder.model_id)
    an = song_analysis(n_phrases=24)
    for req in (Request(level=Level.BEGINNER, seed=1),
                Request(level=Level.ADVANCED, style=Style.SENSUAL, include=("bodywaves",),
                        avoid=("spin", "ladyturn"), text="sensual with body waves", seed=2)):
        ch = generate_choreography(RecordingContext(), store, SongInfo("synthetic"), an,
                                   req).choreography
        moves = [clips[i] for i in ch.clip_ids]
        assert all(m.level.rank <= req.level.rank for m in moves)
        assert not {m.category for m in moves} & set(req.avoid)
        assert set(req.include) <= {m.category for m in moves}
        assert all(a != b for a, b in zip(ch.clip_ids, ch.clip_ids[1:], strict=False))
        assert moves[0].category in {"basic", "intros"}
        closers = [c for c in clips.values() if c.level.rank <= req.level.rank
                   and c.category not in req.avoid
                   and (c.category == "outro" or "dip" in c.name.lower())]
        if closers:
            assert moves[-1].category == "outro" or "dip" in moves[-1].name.lower()
        else:  # the library has no closing move at this level: said, not hidden
            assert any("to end with" in n for n in ch.notes)
        ph = phrases_from_analysis(an)
        assert ch.slots[0].start == ph[0].start_s and ch.slots[-1].end == ph[-1].end_s
        assert len({m.category for m in moves}) >= 4


def _with_unsure(an: SongAnalysis, labels: tuple[str, ...], conf: float = 0.2,
                 song_conf: float = 0.8) -> SongAnalysis:
    from dataclasses import replace

    secs = tuple(replace(s, confidence=conf if s.label.value in labels else 0.9) for s in an.sections)
    return replace(an, sections=secs, one_confidence=song_conf)


def test_generator_names_the_spans_where_the_one_is_unsure(store):
    from bachata_desktop.services.generate import grid_notes

    fill_library(store)
    an = _with_unsure(song_analysis(), ("chorus", "mambo"))
    res = generate_choreography(RecordingContext(), store, SongInfo("synthetic"), an, Request(seed=3))
    ch = res.choreography
    chorus = next(s for s in an.sections if s.label.value == "chorus")
    mambo = next(s for s in an.sections if s.label.value == "mambo")
    # the chorus and the mambo touch: one span from the chorus's start to the mambo's end
    span = f"{int(chorus.start // 60)}:{int(chorus.start % 60):02d}-{int(mambo.end // 60)}:{int(mambo.end % 60):02d}"
    unsure = [n for n in ch.notes if n.startswith("Unsure of the 1")]
    assert len(unsure) == 1, ch.notes
    assert f"in {span} (chorus + mambo)" in unsure[0] and "check it in Songs" in unsure[0]
    # the moves named are exactly those that play in that span (numbered from 1, as the wizard shows)
    inside = [i + 1 for i, s in enumerate(ch.slots) if s.start < mambo.end and s.end > chorus.start]
    assert f"moves {inside[0]}-{inside[-1]}" in unsure[0]
    assert inside == list(range(11, 21))           # phrases 10..19 of the synthetic form
    # a swap keeps the notes; a song sure of its 1 everywhere gets none
    assert unsure[0] in swap_move(res, 0, ch.slots[0].alternatives[0].clip_id).choreography.notes
    assert grid_notes(_with_unsure(song_analysis(), ())) == ()
    # the whole song unsure, or a grid from too little music: said once, for the whole song
    whole = grid_notes(_with_unsure(song_analysis(), ("chorus",), song_conf=0.3))
    assert len(whole) == 1 and "over the whole song" in whole[0]
    # a count that restarts after a break is named with its time
    from dataclasses import replace

    restart = grid_notes(replace(_with_unsure(song_analysis(), ()), count_changes=(75.2,)))
    assert restart == ("The count restarts after a break at 1:15: check it in Songs",)
    # music in three (a waltz): the 8-count grid is a guess over the whole song, and the note says why
    three = grid_notes(replace(_with_unsure(song_analysis(), ()), meter=3))
    assert len(three) == 1 and "over the whole song (the music is in 3, not 4/4)" in three[0]
