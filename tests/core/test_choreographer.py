"""The choreographer on synthetic songs and libraries: the rules instructors expect, every time."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from bachata_desktop.core.choreographer import (
    changed_slots,
    generate,
    hold_cost,
    slot_transition_costs,
    swap,
    transition_cost,
)
from bachata_desktop.core.choreography import (
    MODALITY_WEIGHTS,
    Choreography,
    MoveCandidate,
    PhraseSlotSpec,
    Request,
    SongInfo,
    Span,
    Style,
)
from bachata_desktop.core.clip import CATEGORIES, DEFAULT_HOLDS, Energy, Hold, Level, RoleFocus
from bachata_desktop.core.errors import InputError

TEMPO = 124.0
SECTION_ENERGY = {"intro": 0.2, "verse": 0.45, "chorus": 0.75, "mambo": 0.92, "outro": 0.25}


def make_phrases(n: int = 48, tempo: float = TEMPO) -> list[PhraseSlotSpec]:
    """Intro, verse/chorus pairs, a mambo and an outro, like a radio bachata."""
    dur = 8 * 60.0 / tempo
    out = []
    for i in range(n):
        if i < 4:
            label = "intro"
        elif i >= n - 4:
            label = "outro"
        elif int(n * 0.6) <= i < int(n * 0.6) + 4:
            label = "mambo"
        else:
            label = "chorus" if ((i - 4) // 6) % 2 else "verse"
        t0 = 0.7 + i * dur
        out.append(PhraseSlotSpec(i, t0, t0 + dur, t0, label, SECTION_ENERGY[label]))
    return out


def make_candidates(n: int = 150, seed: int = 0, dim: int = 68) -> list[MoveCandidate]:
    """Moves whose start/end poses come from a few typical positions (as real moves do)."""
    rng = np.random.default_rng(seed)
    protos = rng.normal(size=(6, dim))
    out = []
    for i in range(n):
        cat = CATEGORIES[i % len(CATEGORIES)]
        sh, eh = DEFAULT_HOLDS[cat]
        a, b = rng.integers(6, size=2)
        counts = int(rng.choice([4, 8, 8, 8, 8, 16]))
        out.append(MoveCandidate(
            clip_id=1000 + i, name=f"{cat} {i}" + (" dip" if cat == "outro" and i % 3 == 0 else ""),
            category=cat, level=list(Level)[int(rng.integers(3))],
            energy=list(Energy)[int(rng.integers(3))],
            role_focus=list(RoleFocus)[int(rng.integers(3))], counts=counts,
            start_hold=sh, end_hold=eh,
            start_pose=protos[a] + 0.3 * rng.normal(size=dim),
            end_pose=protos[b] + 0.3 * rng.normal(size=dim),
            tempo_bpm=float(rng.uniform(110, 135)),
            similarity={m: float(rng.uniform(-0.1, 0.6)) for m in MODALITY_WEIGHTS}))
    return out


@pytest.fixture(scope="module")
def phrases() -> list[PhraseSlotSpec]:
    return make_phrases()


@pytest.fixture(scope="module")
def cands() -> list[MoveCandidate]:
    return make_candidates()


SONG = SongInfo(title="synthetic", tempo_bpm=TEMPO, duration_s=200.0)


def by_id(cands: list[MoveCandidate]) -> dict[int, MoveCandidate]:
    return {c.clip_id: c for c in cands}


def assert_covers(ch: Choreography, phrases: list[PhraseSlotSpec]) -> None:
    ones = {round(p.start_s, 6) for p in phrases}
    assert ch.slots, "no slots"
    assert round(ch.slots[0].start, 6) == round(phrases[0].start_s, 6)
    assert round(ch.slots[-1].end, 6) == round(phrases[-1].end_s, 6)
    covered: list[int] = []
    for a, b in zip(ch.slots, ch.slots[1:], strict=False):
        assert b.start == pytest.approx(a.end), "gap or overlap between slots"
    for s in ch.slots:
        assert round(s.start, 6) in ones, "slot does not start on a count 1"
        assert s.counts == 8 * len(s.phrases)
        covered.extend(s.phrases)
    assert covered == [p.index for p in phrases]


def test_covers_song_on_count_one_with_rules(phrases, cands):
    req = Request(level=Level.INTERMEDIATE, include=("bodywaves",), avoid=("spin", "hammerlock"))
    ch = generate(phrases, cands, req, song=SONG)
    assert_covers(ch, phrases)
    lib = by_id(cands)
    moves = [lib[c] for c in ch.clip_ids]
    assert all(m.level.rank <= Level.INTERMEDIATE.rank for m in moves)
    assert not {m.category for m in moves} & {"spin", "hammerlock"}
    assert "bodywaves" in {m.category for m in moves}
    assert all(a != b for a, b in zip(ch.clip_ids, ch.clip_ids[1:], strict=False))
    assert moves[0].category in {"basic", "intros"}
    assert moves[-1].category == "outro" or moves[-1].is_dip
    assert not {m.category for m in moves[1:-1]} & {"intros", "outro"}, "intro/outro mid-song"
    assert len({m.category for m in moves}) >= 8, "little variety across move families"
    for s in ch.slots:
        assert s.reasons["total"] == pytest.approx(s.score)
        assert {"fit", "energy", "level", "transition_in", "repetition"} <= set(s.reasons)
        assert s.alternatives and all(a.clip_id != s.clip_id for a in s.alternatives)
        scores = [a.score for a in s.alternatives]
        assert scores == sorted(scores, reverse=True)
        assert s.rate == pytest.approx(TEMPO / lib[s.clip_id].tempo_bpm)


def test_beginner_gets_only_beginner_moves(phrases, cands):
    ch = generate(phrases, cands, Request(level=Level.BEGINNER), song=SONG)
    lib = by_id(cands)
    assert {lib[c].level for c in ch.clip_ids} == {Level.BEGINNER}
    assert_covers(ch, phrases)


def test_deterministic_for_a_seed_and_input_order(phrases, cands):
    req = Request(level=Level.ADVANCED, style=Style.SENSUAL, seed=7)
    a = generate(phrases, cands, req, song=SONG)
    shuffled = list(cands)
    random.Random(3).shuffle(shuffled)
    b = generate(phrases, shuffled, req, song=SONG)
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())
    c = generate(phrases, cands, req, song=SONG, seed=8)
    assert c.clip_ids != a.clip_ids
    assert_covers(c, phrases)
    # Both are good: the other seed's total score is within a few percent.
    assert abs(c.score - a.score) <= 0.1 * abs(a.score) + 1.0


def test_transitions_smoother_than_random_order(phrases, cands):
    ch = generate(phrases, cands, Request(level=Level.ADVANCED), song=SONG)
    lib = by_id(cands)
    chosen = float(np.mean(slot_transition_costs(ch, cands)))
    ids = ch.clip_ids
    rnd = []
    for k in range(50):
        order = list(ids)
        random.Random(k).shuffle(order)
        rnd.append(np.mean([transition_cost(lib[a], lib[b]) for a, b in
                            zip(order, order[1:], strict=False)]))
    assert chosen < 0.6 * float(np.mean(rnd)), (chosen, float(np.mean(rnd)))


def test_energy_and_difficulty_follow_sections(phrases, cands):
    ch = generate(phrases, cands, Request(level=Level.ADVANCED), song=SONG)
    lib = by_id(cands)
    energy = {p.index: p.section_energy for p in phrases}
    hi = [lib[s.clip_id].energy.value01 for s in ch.slots if energy[s.phrases[0]] >= 0.7]
    lo = [lib[s.clip_id].energy.value01 for s in ch.slots if energy[s.phrases[0]] <= 0.45]
    assert np.mean(hi) > np.mean(lo) + 0.2
    peak = [lib[s.clip_id].level.rank for s in ch.slots if s.section in {"chorus", "mambo"}]
    calm = [lib[s.clip_id].level.rank for s in ch.slots if s.section in {"intro", "verse"}]
    assert np.mean(peak) > np.mean(calm)


def test_requested_energy_shifts_the_routine(phrases, cands):
    lib = by_id(cands)
    low = generate(phrases, cands, Request(energy=Energy.LOW), song=SONG)
    high = generate(phrases, cands, Request(energy=Energy.HIGH), song=SONG)
    mean = lambda ch: np.mean([lib[c].energy.value01 for c in ch.clip_ids])  # noqa: E731
    assert mean(high) > mean(low) + 0.15


def test_long_and_short_moves(phrases, cands):
    ch = generate(phrases, cands, Request(level=Level.ADVANCED), song=SONG)
    lib = by_id(cands)
    for s in ch.slots:
        m = lib[s.clip_id]
        assert len(s.phrases) == max(1, m.counts // 8) or s.reasons["shortened"] < 0
        assert s.repeats == (2 if m.counts == 4 else 1)
    # A library of 16-count moves still fills an odd number of phrases: one move is cut short.
    only16 = [c for c in cands if c.counts == 16]
    odd = make_phrases(7)
    ch16 = generate(odd, only16, Request(level=Level.ADVANCED), song=SONG)
    assert_covers(ch16, odd)
    cut = [s for s in ch16.slots if len(s.phrases) == 1]
    assert len(cut) == 1 and cut[0].reasons["shortened"] < 0


def test_span_in_seconds_and_phrases(phrases, cands):
    req = Request(span=Span(start_s=phrases[10].start_s, end_s=phrases[21].end_s))
    ch = generate(phrases, cands, req, song=SONG)
    assert_covers(ch, phrases[10:22])
    ch2 = generate(phrases, cands, Request(span=Span(first_phrase=3, last_phrase=8)), song=SONG)
    assert_covers(ch2, phrases[3:9])
    with pytest.raises(InputError):
        generate(phrases, cands, Request(span=Span(start_s=9999.0)), song=SONG)


def test_swap_keeps_every_other_move_unless_asked_to_reoptimise(phrases, cands):
    ch = generate(phrases, cands, Request(level=Level.ADVANCED), song=SONG)
    moved = 0
    for i in range(2, len(ch.slots) - 2, 3):
        alt = next((a for a in ch.slots[i].alternatives
                    if {c.clip_id: c for c in cands}[a.clip_id].phrases == len(ch.slots[i].phrases)), None)
        if alt is None:
            continue
        kept = swap(ch, i, alt.clip_id, cands)
        assert kept.slots[i].clip_id == alt.clip_id and kept.slots[i].pinned
        assert changed_slots(ch, kept) == [i]            # the swap changes that slot only
        assert [s.clip_id for k, s in enumerate(kept.slots) if k != i] == \
            [s.clip_id for k, s in enumerate(ch.slots) if k != i]
        assert sum(s.pinned for s in kept.slots) == 1    # the others are left, not "kept by you"
        again = swap(ch, i, alt.clip_id, cands, reoptimise=True)
        at = [s.clip_id for s in again.slots if s.phrases[0] == ch.slots[i].phrases[0]]
        assert at == [alt.clip_id]
        moved += len(changed_slots(ch, again)) - 1
    assert moved > 0  # re-optimising does move neighbours: keeping them is a real difference
    # a longer move takes the phrases of the moves it overlaps; the rest stays
    i = 4
    long_move = next(c for c in cands if c.phrases == 2 and c.level.rank <= 2
                     and c.clip_id not in ch.clip_ids)
    grown = swap(ch, i, long_move.clip_id, cands)
    assert_covers(grown, phrases)
    gone = set(grown.slots[i].phrases)
    assert [s.clip_id for s in grown.slots if not gone.intersection(s.phrases)] == \
        [s.clip_id for s in ch.slots if not gone.intersection(s.phrases)]


def test_swap_pins_the_move_and_reoptimises(phrases, cands):
    ch = generate(phrases, cands, Request(level=Level.ADVANCED), song=SONG)
    i = 5
    new = ch.slots[i].alternatives[0].clip_id
    sw = swap(ch, i, new, cands, reoptimise=True)
    assert_covers(sw, phrases)
    pinned = [s for s in sw.slots if s.phrases[0] == ch.slots[i].phrases[0]]
    assert pinned and pinned[0].clip_id == new and pinned[0].pinned
    assert all(a != b for a, b in zip(sw.clip_ids, sw.clip_ids[1:], strict=False))
    # A second swap keeps the first one.
    j = len(sw.slots) - 6
    sw2 = swap(sw, j, sw.slots[j].alternatives[0].clip_id, cands)
    assert new in [s.clip_id for s in sw2.slots if s.pinned]
    assert sum(s.pinned for s in sw2.slots) == 2
    # An instructor may pin a move the request filtered out (above the level).
    adv = next(c for c in cands if c.level is Level.ADVANCED and c.counts == 8)
    beg = generate(phrases, cands, Request(level=Level.BEGINNER), song=SONG)
    forced = swap(beg, 3, adv.clip_id, cands)
    assert adv.clip_id in forced.clip_ids
    with pytest.raises(InputError):
        swap(ch, 999, new, cands)
    short_end = next(c for c in cands if c.counts == 8 and c.category == "outro")
    ended = swap(ch, len(ch.slots) - 1, short_end.clip_id, cands)
    assert short_end.clip_id in ended.clip_ids
    if len(ended.slots[-1].phrases) == 2:  # the last move covered two phrases: now only one
        ended = swap(ended, len(ended.slots) - 1, short_end.clip_id, cands)
    assert len(ended.slots[-1].phrases) == 1
    long_move = next(c for c in cands if c.counts == 16)
    cut = swap(ended, len(ended.slots) - 1, long_move.clip_id, cands)
    assert_covers(cut, phrases)  # no room for 16 counts at the end: danced cut to 8, and said so
    assert cut.slots[-1].clip_id == long_move.clip_id and cut.slots[-1].counts == 8
    assert cut.slots[-1].reasons["shortened"] < 0


def test_json_round_trip(phrases, cands):
    ch = generate(phrases, cands, Request(text="sensual please", style=Style.SENSUAL), song=SONG)
    d = json.loads(json.dumps(ch.to_dict()))
    assert {"song", "tempo", "slots"} <= set(d)
    assert {"start", "end", "counts", "clip_id", "rate", "reasons", "alternatives"} <= set(
        d["slots"][0])
    back = Choreography.from_dict(d)
    assert back.clip_ids == ch.clip_ids
    assert back.request == ch.request
    assert back.phrases == ch.phrases
    assert json.dumps(back.to_dict()) == json.dumps(d)
    # A re-loaded choreography can still be swapped.
    assert swap(back, 2, back.slots[2].alternatives[0].clip_id, cands).slots[2].pinned


def test_bad_input_is_a_clear_error(phrases, cands):
    with pytest.raises(InputError):
        generate(phrases, [], Request(), song=SONG)
    with pytest.raises(InputError):
        generate(phrases, cands, Request(avoid=tuple(CATEGORIES)), song=SONG)


def test_hold_costs():
    assert hold_cost(Hold.OPEN, Hold.OPEN) == 0.0
    assert hold_cost(Hold.OPEN, Hold.CLOSED) < hold_cost(Hold.SHADOW, Hold.HAMMERLOCK)


def test_large_library_still_follows_rules(phrases):
    big = make_candidates(3000, seed=1)
    req = Request(level=Level.INTERMEDIATE, avoid=("golpes",), include=("shadow",))
    ch = generate(phrases, big, req, song=SONG)
    assert_covers(ch, phrases)
    lib = by_id(big)
    cats = [lib[c].category for c in ch.clip_ids]
    assert "golpes" not in cats and "shadow" in cats


def test_a_favourite_move_does_not_come_straight_back(phrases):
    """One clip fits the request far better than the rest: it may recur, but never as A B A."""
    small = make_candidates(24, seed=5)
    star = small[3]
    small[3] = MoveCandidate(**{**star.__dict__, "similarity": {m: 0.95 for m in MODALITY_WEIGHTS}})
    ch = generate(phrases, small, Request(level=Level.ADVANCED), song=SONG)
    ids = ch.clip_ids
    assert ids.count(star.clip_id) >= 2  # the favourite is used more than once...
    assert all(ids[i] != ids[i - 2] for i in range(2, len(ids)))  # ...but never one move apart
    assert all(ids[i] != ids[i - 1] for i in range(1, len(ids)))


def test_unsure_holds_cost_less_when_they_clash():
    from bachata_desktop.core.choreo_search import build_lib
    from bachata_desktop.core.choreography import Weights

    def move(i, start, end, conf):
        return MoveCandidate(clip_id=i, name=f"m{i}", category="spin", start_hold=start,
                             end_hold=end, hold_confidence=conf)

    sure_a, sure_b = move(1, Hold.OPEN, Hold.SHADOW, (1.0, 1.0)), move(2, Hold.HAMMERLOCK, Hold.OPEN,
                                                                      (1.0, 1.0))
    unsure_a = move(3, Hold.OPEN, Hold.SHADOW, (1.0, 0.3))
    clash = transition_cost(sure_a, sure_b)
    no_clash = transition_cost(sure_b, sure_a)  # open -> open: the pose part only
    assert clash > no_clash
    assert transition_cost(unsure_a, sure_b) == pytest.approx(no_clash + 0.3 * (clash - no_clash))
    # the search's vectorised costs agree with the pairwise function
    lib = build_lib([sure_a, sure_b, unsure_a], None)
    w = Weights()
    pose, hold = lib.trans(np.array([0, 2]), np.array([1]), w)
    assert hold[0, 0] + pose[0, 0] == pytest.approx(clash)
    assert hold[1, 0] + pose[1, 0] == pytest.approx(transition_cost(unsure_a, sure_b))


def test_unmet_parts_of_the_request_are_said_with_the_reason(phrases, cands):
    """"ending in a dip" is not silently met by an outro, nor "lots of body waves" dropped: when
    every dip and every body-wave move is Advanced, an Intermediate request says so."""
    import dataclasses

    hard = [dataclasses.replace(c, level=Level.ADVANCED) if c.is_dip or c.category == "bodywaves"
            else c for c in cands]
    assert any(c.is_dip for c in hard) and any(c.category == "bodywaves" for c in hard)
    req = Request(level=Level.INTERMEDIATE, end_with_dip=True, include=("bodywaves",))
    ch = generate(phrases, hard, req, song=SONG)
    by = {c.clip_id: c for c in hard}
    assert not by[ch.slots[-1].clip_id].is_dip
    assert "ending in a dip: no dip fits — the dips are Advanced (the request is Intermediate)" \
        in ch.notes
    assert "Body waves: no move fits — the Body waves moves are Advanced (the request is " \
        "Intermediate)" in ch.notes
    # no dip at all in the library: said differently
    none = [c for c in cands if not c.is_dip]
    ch2 = generate(phrases, none, Request(level=Level.ADVANCED, end_with_dip=True), song=SONG)
    assert "ending in a dip: no dip fits — the library has no dips" in ch2.notes
    # a request that is met says nothing
    ok = generate(phrases, cands, Request(level=Level.ADVANCED, end_with_dip=True), song=SONG)
    assert {c.clip_id: c for c in cands}[ok.slots[-1].clip_id].is_dip
    assert not [n for n in ok.notes if "dip" in n]
