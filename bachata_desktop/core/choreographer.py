"""The choreographer: fills a song's 8-count phrases with library moves, and swaps one move.

This is the public face of the generator (:func:`generate`, :func:`swap`); the scoring and the
beam search live in :mod:`.choreo_search`. Here each found slot is turned into a
:class:`~.choreography.Slot` with its score terms (``reasons``) and its ranked alternatives:
moves of the same length that fit between the same neighbours, so the instructor can swap one in a
click and :func:`swap` re-optimises the rest around it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from bachata_desktop.core.choreo_search import (
    BEAM_WIDTH,
    TOP_K,
    Lib,
    Scorer,
    build_lib,
    hold_cost,
    pose_distance,
    search,
    select_phrases,
    transition_cost,
)
from bachata_desktop.core.choreography import (
    MODALITY_WEIGHTS,
    Alternative,
    Choreography,
    MoveCandidate,
    PhraseSlotSpec,
    Request,
    Slot,
    SongInfo,
    Weights,
)
from bachata_desktop.core.clip import Level, category_label
from bachata_desktop.core.errors import InputError

N_ALTERNATIVES = 5


def _fold_rate(song_bpm: float, clip_bpm: float | None) -> float:
    """Playback rate song/clip tempo, folded by octaves into [0.7, 1.4] (half/double-time grids)."""
    if not clip_bpm or clip_bpm <= 0 or song_bpm <= 0:
        return 1.0
    r = song_bpm / clip_bpm
    while r > 1.4:
        r /= 2.0
    while r < 0.7:
        r *= 2.0
    return r


def _slot_terms(lib: Lib, sc: Scorer, t: int, L: int, idx: np.ndarray, prev: int, nxt: int,
                used: np.ndarray, catcnt: np.ndarray, near: tuple[int, ...] = ()
                ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """All score terms of moves ``idx`` placed at (t, L) between ``prev`` and ``nxt`` (-1: none)."""
    w = sc.w
    terms = {k: np.asarray(v[0], dtype=np.float64) for k, v in
             sc.terms(np.array([t]), L, idx).items()}
    pin, hin = lib.trans(np.array([prev]), idx, w)
    terms["transition_in"], terms["hold_in"] = -pin[0], -hin[0]
    if nxt >= 0:
        pout, hout = lib.trans(idx, np.array([nxt]), w)
        terms["transition_out"], terms["hold_out"] = -pout[:, 0], -hout[:, 0]
    same = np.zeros(len(idx))
    for nb in (prev, nxt):
        if nb >= 0:
            same += lib.cat[idx] == lib.cat[nb]
    again = np.zeros(len(idx))
    for nb in near:  # the moves two slots away: A B A reads as a repeat
        if nb >= 0:
            again += idx == nb
    terms["repetition"] = -(w.reuse * used[idx] + w.category_reuse * catcnt[lib.cat[idx]]
                            + w.same_category * same + w.recent * again)
    total = np.asarray(sum(terms.values()), dtype=np.float64)
    for m in MODALITY_WEIGHTS:
        terms[f"sim_{m}"] = np.array([float(lib.cands[i].similarity.get(m, np.nan)) for i in idx])
    terms["similarity"] = lib.fused[idx]
    return terms, total


def _reasons(terms: dict[str, np.ndarray], total: np.ndarray, j: int) -> dict[str, float]:
    keys = list(terms)
    col = np.array([terms[k][j] for k in keys], dtype=np.float64).tolist()
    out = {k: v for k, v in zip(keys, col, strict=True) if math.isfinite(v)}
    out["total"] = float(total[j])
    return out


def _assemble(lib: Lib, sc: Scorer, phrases: list[PhraseSlotSpec], path: list[tuple[int, int, int]],
              pins: Mapping[int, int], user_pins: set[int], song: SongInfo, request: Request,
              seed: int, n_alt: int, notes: tuple[str, ...]) -> Choreography:
    used = np.zeros(len(lib.ids), dtype=np.float64)
    catcnt = np.zeros(max(1, len(lib.cat_names)), dtype=np.float64)
    for _, _, c in path:
        used[c] += 1
        catcnt[lib.cat[c]] += 1
    slots = []
    total_score = 0.0
    for i, (t, L, c) in enumerate(path):
        prev = path[i - 1][2] if i > 0 else -1
        nxt = path[i + 1][2] if i + 1 < len(path) else -1
        near = (path[i - 2][2] if i > 1 else -1, path[i + 2][2] if i + 2 < len(path) else -1)
        used[c] -= 1
        catcnt[lib.cat[c]] -= 1
        g = np.flatnonzero(lib.fits(L) & sc.allowed)
        g = g[(g != prev) & (g != nxt) & (g != c)]
        if len(g) > 4 * n_alt:  # rank by the unary score first: cheap for big libraries
            u = sc.unary(np.array([t]), L, g)[0]
            g = g[np.argpartition(-u, 4 * n_alt - 1)[:4 * n_alt]]
        pool = np.union1d(g, [c])
        terms, total = _slot_terms(lib, sc, t, L, pool, prev, nxt, used, catcnt, near)
        jc = int(np.searchsorted(pool, c))
        order = [j for j in np.argsort(-total, kind="stable") if j != jc][:n_alt]
        alts = tuple(Alternative(int(lib.ids[pool[j]]), float(total[j]), _reasons(terms, total, j),
                                 lib.cands[pool[j]].name, lib.cands[pool[j]].category)
                     for j in order)
        used[c] += 1
        catcnt[lib.cat[c]] += 1
        cand = lib.cands[c]
        reasons = _reasons(terms, total, jc)
        total_score += float(total[jc])
        covered = phrases[t:t + L]
        counts = sum(p.counts for p in covered)
        slots.append(Slot(
            start=covered[0].start_s, end=covered[-1].end_s, counts=counts,
            phrases=tuple(p.index for p in covered), clip_id=cand.clip_id,
            rate=_fold_rate(song.tempo_bpm, cand.tempo_bpm), name=cand.name,
            category=cand.category, repeats=max(1, counts // max(1, cand.counts)) if
            cand.counts < 8 else 1, score=float(total[jc]), reasons=reasons, alternatives=alts,
            pinned=t in user_pins, section=covered[0].section_label))
    return Choreography(song=song, tempo=song.tempo_bpm, request=request, seed=seed,
                        slots=tuple(slots), phrases=tuple(phrases), notes=notes,
                        score=round(total_score, 6))


def why_none(lib: Lib, sc: Scorer, wanted: np.ndarray, label: str, placed: bool = False) -> str:
    """Why none of the ``wanted`` moves (a mask over the library) is in the routine, in words."""
    level = sc.req.level
    if not wanted.any():
        return f"the library has no {label}"
    if not (wanted & sc.allowed).any():
        ranks = sorted({int(r) for r in lib.level[wanted]})
        names = " or ".join(list(Level)[r].value.capitalize() for r in ranks)
        if (lib.level[wanted] > level.rank).all():
            return f"the {label} are {names} (the request is {level.value.capitalize()})"
        return f"the {label} at or below {level.value.capitalize()} are in an avoided family"
    if placed:
        return f"the {label} that fit the request scored lower than the moves chosen at that place"
    return f"no {label.rstrip('s')} at this level has the length of a free place in the routine"


def generate(phrases: Sequence[PhraseSlotSpec], candidates: Sequence[MoveCandidate],
             request: Request, *, song: SongInfo | None = None,
             request_similarity: Mapping[int, float] | None = None,
             weights: Weights | None = None, seed: int | None = None,
             pins: Mapping[int, int] | None = None, beam_width: int = BEAM_WIDTH,
             top_k: int = TOP_K, n_alternatives: int = N_ALTERNATIVES) -> Choreography:
    """Fill the request's span of ``phrases`` with ``candidates``.

    Args:
        phrases: the song's 8-count phrases (contiguous, each ``start_s`` on a count 1).
        candidates: the library's analysed moves, with per-modality similarity to the request.
        request: level, energy, style, role, include/avoid, span...
        song: shown in the result; its tempo gives each slot's playback rate.
        request_similarity: optional fused similarity per clip id, overriding the candidates'.
        weights: score weights (defaults: :class:`Weights`).
        seed: tie-break noise seed (defaults to ``request.seed``).
        pins: song phrase index -> clip id that must start there (kept by :func:`swap`).
    Raises:
        InputError: empty library, nothing fits the request, or the span holds no phrase.
    """
    w = weights or Weights()
    seed = request.seed if seed is None else int(seed)
    span = select_phrases(phrases, request)
    song = song or SongInfo(title="", tempo_bpm=120.0)
    if not candidates:
        raise InputError("the library has no analysed moves to choose from")
    lib = build_lib(candidates, request_similarity)
    sc = Scorer(lib, span, request, w, seed)
    if not sc.allowed.any():
        raise InputError(f"no move in the library is at or below level '{request.level.value}' "
                         "outside the avoided categories")
    pos_of = {p.index: i for i, p in enumerate(span)}
    id_to_idx = {int(cid): i for i, cid in enumerate(lib.ids)}
    pin_idx: dict[int, int] = {}
    for phrase_index, clip_id in (pins or {}).items():
        if phrase_index not in pos_of or int(clip_id) not in id_to_idx:
            raise InputError(f"cannot pin clip {clip_id} at phrase {phrase_index}")
        pin_idx[pos_of[phrase_index]] = id_to_idx[int(clip_id)]
    user_pins = set(pin_idx)
    path = search(lib, sc, pin_idx, beam_width, top_k)
    notes = list(request.notes)
    # Requested families appear at least once: pin the best placement of each missing one.
    for cat in request.include:
        # Intros and outros have their place (first and last phrase): a bonus there is enough.
        if cat in ("intros", "outro") or cat in {lib.cat_names[lib.cat[c]] for _, _, c in path}:
            continue
        best: tuple[float, int, int] | None = None
        for t, L, _c in path:
            if t in pin_idx or len(path) > 2 and (t == 0 or t + L == sc.P):
                continue
            g = np.flatnonzero(lib.fits(L) & sc.allowed
                               & (np.array(lib.cat_names)[lib.cat] == cat))
            if len(g):
                u = sc.unary(np.array([t]), L, g)[0]
                j = int(np.argmax(u))
                if best is None or u[j] > best[0]:
                    best = (float(u[j]), t, int(g[j]))
        if best is None:
            fam = np.array(lib.cat_names)[lib.cat] == cat if len(lib.cat) else np.zeros(0, bool)
            notes.append(f"{category_label(cat)}: no move fits — "
                         f"{why_none(lib, sc, fam, category_label(cat) + ' moves')}")
            continue
        trial = dict(pin_idx)
        trial[best[1]] = best[2]
        try:
            path, pin_idx = search(lib, sc, trial, beam_width, top_k), trial
        except InputError:
            notes.append(f"could not fit a '{cat}' move into the routine")
    first, last = path[0][2], path[-1][2]
    if request.end_with_dip and not lib.dip[last]:
        why = why_none(lib, sc, lib.dip, "dips", placed=bool((lib.dip & sc.allowed).any()))
        notes.append(f"ending in a dip: no dip fits — {why}")
    for cat in request.include:
        if cat in ("intros", "outro") and cat not in {lib.cat_names[lib.cat[c]] for _, _, c in path}:
            fam = np.array(lib.cat_names)[lib.cat] == cat
            notes.append(f"{category_label(cat)}: not in the routine — "
                         f"{why_none(lib, sc, fam, category_label(cat).lower(), placed=True)}")
    if not lib.opener[first] and not (sc.allowed & lib.opener).any():
        notes.append(f"no basic or intro move at level '{request.level.value}' or below to open with")
    if not lib.closer[last] and not (sc.allowed & lib.closer).any():
        notes.append(f"no outro or dip at level '{request.level.value}' or below to end with")
    return _assemble(lib, sc, span, path, pin_idx, user_pins, song, request, seed, n_alternatives,
                     tuple(notes))


def swap(choreo: Choreography, slot_index: int, clip_id: int, candidates: Sequence[MoveCandidate],
         *, reoptimise: bool = False, request_similarity: Mapping[int, float] | None = None,
         weights: Weights | None = None, beam_width: int = BEAM_WIDTH, top_k: int = TOP_K
         ) -> Choreography:
    """Put ``clip_id`` in slot ``slot_index``; keep every other move unless asked to re-optimise.

    By default only the phrases the swap frees (the new move is shorter than the old one) or takes
    (it is longer: the moves it overlaps go) change: every other slot keeps its move. With
    ``reoptimise`` the rest of the routine is searched again around the new move, keeping only
    earlier swaps (unless the new move overlaps them). The seed and request are kept.
    """
    if not 0 <= slot_index < len(choreo.slots):
        raise InputError(f"no slot {slot_index} in this choreography")
    if not choreo.phrases:
        raise InputError("this choreography does not carry its song's phrases; generate it again")
    by_id = {c.clip_id: c for c in candidates}
    if clip_id not in by_id:
        raise InputError(f"clip {clip_id} is not an analysed move of the library")
    start = choreo.slots[slot_index].phrases[0]
    order = [p.index for p in sorted(choreo.phrases, key=lambda p: p.start_s)]
    pos = order.index(start)
    covered = set(order[pos:pos + by_id[clip_id].phrases])
    others = [s for i, s in enumerate(choreo.slots)
              if i != slot_index and not covered.intersection(s.phrases)]
    user = {s.phrases[0]: s.clip_id for s in others if s.pinned}
    user[start] = clip_id
    keep = dict(user) if reoptimise else {
        **{s.phrases[0]: s.clip_id for s in others if s.clip_id in by_id}, **user}
    out = generate(choreo.phrases, candidates, choreo.request, song=choreo.song,
                   request_similarity=request_similarity, weights=weights, seed=choreo.seed,
                   pins=keep, beam_width=beam_width, top_k=top_k)
    # only the instructor's choices read as "kept by you", not the moves merely left in place
    return replace(out, slots=tuple(replace(s, pinned=s.phrases[0] in user) for s in out.slots))


def changed_slots(before: Choreography, after: Choreography) -> list[int]:
    """Indexes (in ``after``) of the slots whose move or place differs from ``before``."""
    old = {(s.phrases, s.clip_id) for s in before.slots}
    return [i for i, s in enumerate(after.slots) if (s.phrases, s.clip_id) not in old]


def slot_transition_costs(choreo: Choreography, candidates: Sequence[MoveCandidate],
                          weights: Weights | None = None) -> list[float]:
    """Transition cost between each pair of consecutive slots (for tests and benchmarks)."""
    by_id = {c.clip_id: c for c in candidates}
    ids = choreo.clip_ids
    return [transition_cost(by_id[a], by_id[b], weights) for a, b in zip(ids, ids[1:], strict=False)]


__all__ = ["changed_slots", "generate", "why_none", "hold_cost", "pose_distance", "select_phrases", "slot_transition_costs",
           "swap", "transition_cost"]
