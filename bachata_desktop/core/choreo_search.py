"""The choreographer's search: scores every (phrase, move) pair and finds the best sequence.

Why a segmental beam search: moves last one or more phrases (8, 16 counts...), the score has a
pairwise part (end pose -> next start pose, hold compatibility) and a history part (no clip twice in
a row, fewer repeats, variety of families), which plain Viterbi cannot express. So we run a beam
search over phrase *boundaries*: a hypothesis ending at boundary ``t`` extends with a move of ``L``
phrases to boundary ``t + L``. Everything is vectorised with numpy; before the search each phrase
keeps only the top-K moves by their unary score, so 10,000 clips cost little more than 150.

Score of placing move ``c`` on phrases ``t .. t+L-1`` (see :class:`~.choreography.Weights`):
fit (fused request similarity) + energy fit to the section + level + peak (harder moves in chorus
and mambo) + style + role + include + position (open with a basic/intro, close with an outro/dip)
+ seeded tie-break noise, minus the transition cost from the previous move and the repetition
penalty. Hard rules: avoided families and moves above the requested level never appear (unless the
instructor pins one), a clip never follows itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bachata_desktop.core.choreography import (
    MODALITY_WEIGHTS,
    STYLE_CATEGORIES,
    MoveCandidate,
    PhraseSlotSpec,
    Request,
    Weights,
)
from bachata_desktop.core.clip import Hold, RoleFocus
from bachata_desktop.core.errors import InputError

BEAM_WIDTH = 32
TOP_K = 48
OPENERS = frozenset({"basic", "intros"})

_HOLDS = list(Hold)
_HOLD_INDEX = {h: i for i, h in enumerate(_HOLDS)}


def hold_cost(a: Hold, b: Hold) -> float:
    """How awkward it is to go from hold ``a`` (end of a move) to ``b`` (start of the next), 0..1."""
    if a == b:
        return 0.0
    if Hold.UNKNOWN in (a, b):
        return 0.3
    easy = {frozenset({Hold.OPEN, Hold.CLOSED}), frozenset({Hold.OPEN, Hold.CROSS_HAND}),
            frozenset({Hold.OPEN, Hold.HAMMERLOCK}), frozenset({Hold.OPEN, Hold.SHADOW})}
    return 0.5 if frozenset({a, b}) in easy else 1.0


_HOLD_TABLE = np.array([[hold_cost(a, b) for b in _HOLDS] for a in _HOLDS], dtype=np.float64)


PAIR_CACHE_MAX = 1500  # libraries up to this size get an (N, N) pose-cost table
POSE_SCALE = 1.5  # RMS descriptor difference (about torso lengths) that counts as "far apart"


def _unit(x: float) -> float:
    """A confidence clipped to 0..1 (1 when it is not a number)."""
    x = float(x)
    return min(1.0, max(0.0, x)) if np.isfinite(x) else 1.0


def _vec(v: np.ndarray | None) -> np.ndarray | None:
    if v is None:
        return None
    a = np.asarray(v, dtype=np.float64).ravel()
    return a if a.size and np.all(np.isfinite(a)) else None


def pose_distance(end_pose: np.ndarray | None, start_pose: np.ndarray | None) -> float:
    """RMS difference of two pose descriptors over :data:`POSE_SCALE`, capped at 1 (0 = same).

    Same metric as ``core.pose`` (descriptor differences in torso lengths); 0.5 when either pose
    is unknown or the two have different lengths.
    """
    a, b = _vec(end_pose), _vec(start_pose)
    if a is None or b is None or a.shape != b.shape:
        return 0.5
    return float(min(1.0, np.sqrt(np.mean((a - b) ** 2)) / POSE_SCALE))


def transition_cost(a: MoveCandidate, b: MoveCandidate, weights: Weights | None = None) -> float:
    """Physical cost of dancing ``b`` right after ``a``: pose distance and hold mismatch."""
    w = weights or Weights()
    sure = _unit(a.hold_confidence[1]) * _unit(b.hold_confidence[0])
    return (w.pose * pose_distance(a.end_pose, b.start_pose)
            + w.hold * sure * hold_cost(a.end_hold, b.start_hold))


@dataclass
class Lib:
    """The candidates as column arrays, sorted by clip id (so input order never matters)."""

    cands: list[MoveCandidate]
    ids: np.ndarray
    fused: np.ndarray
    fit: np.ndarray
    level: np.ndarray
    energy: np.ndarray
    cat: np.ndarray
    cat_names: list[str]
    role: np.ndarray
    length: np.ndarray
    sh: np.ndarray
    eh: np.ndarray
    sc: np.ndarray          # start / end hold confidence 0..1 (scales the hold mismatch cost)
    ec: np.ndarray
    sp: np.ndarray          # (N, D) start pose descriptors (zeros where unknown)
    ep: np.ndarray
    has_sp: np.ndarray
    has_ep: np.ndarray
    sp_sq: np.ndarray       # squared norms, for vectorised distances
    ep_sq: np.ndarray
    opener: np.ndarray
    intro: np.ndarray
    closer: np.ndarray
    outro: np.ndarray
    dip: np.ndarray

    pair_pose: np.ndarray | None = None  # (N, N) unweighted pose costs, for small libraries

    def fits(self, L: int) -> np.ndarray:
        """Moves that can fill L phrases: their own length, or any longer move cut to 1 phrase."""
        return (self.length == L) | ((L == 1) & (self.length > 1))

    def trans(self, a: np.ndarray, b: np.ndarray, w: Weights) -> tuple[np.ndarray, np.ndarray]:
        """Pose and hold costs (weighted) for every pair a[i] -> b[j]; zero where a[i] < 0."""
        a_ok = a >= 0
        aa = np.where(a_ok, a, 0)
        hold = (_HOLD_TABLE[self.eh[aa]][:, self.sh[b]] * w.hold
                * self.ec[aa][:, None] * self.sc[b][None, :])
        if self.pair_pose is not None:
            pose = self.pair_pose[aa][:, b] * w.pose
            if not a_ok.all():
                pose[~a_ok] = 0.0
                hold[~a_ok] = 0.0
            return pose, hold
        e, st = self.ep[aa], self.sp[b]
        sq = (self.ep_sq[aa][:, None] + self.sp_sq[b][None, :] - 2.0 * (e @ st.T)) / e.shape[1]
        dist = np.minimum(1.0, np.sqrt(np.maximum(sq, 0.0)) / POSE_SCALE)
        known = self.has_ep[aa][:, None] & self.has_sp[b][None, :]
        pose = np.where(known, dist, 0.5) * w.pose
        pose[~a_ok] = 0.0
        hold[~a_ok] = 0.0
        return pose, hold


def build_lib(cands: Sequence[MoveCandidate], request_similarity: Mapping[int, float] | None
               ) -> Lib:
    order = sorted(cands, key=lambda c: c.clip_id)
    n = len(order)
    ids = np.array([c.clip_id for c in order], dtype=np.int64)
    if n and len(np.unique(ids)) != n:
        raise InputError("two library moves share the same clip id")
    sims = request_similarity or {}
    mods = list(MODALITY_WEIGHTS)
    nan = float("nan")
    table = np.array([[c.similarity.get(m, nan) for m in mods] for c in order],
                     dtype=np.float64).reshape(n, len(mods))
    known = np.isfinite(table)
    wts = np.array([MODALITY_WEIGHTS[m] for m in mods])
    wsum = known @ wts
    fused = np.where(wsum > 0, np.where(known, table, 0.0) @ wts / np.maximum(wsum, 1e-12), 0.0)
    if sims:
        for i, c in enumerate(order):
            if c.clip_id in sims:
                fused[i] = float(sims[c.clip_id])
    lo, hi = (float(fused.min()), float(fused.max())) if n else (0.0, 0.0)
    fit = (fused - lo) / (hi - lo) if hi - lo > 1e-9 else np.full(n, 0.5)
    cat_names = sorted({c.category for c in order})
    cat_index = {c: i for i, c in enumerate(cat_names)}
    dim = next((np.asarray(p).size for c in order for p in (c.start_pose, c.end_pose)
                if p is not None), 1)

    def poses(attr: str) -> tuple[np.ndarray, np.ndarray]:
        out = np.zeros((n, dim), dtype=np.float64)
        has = np.zeros(n, dtype=bool)
        for i, c in enumerate(order):
            v = getattr(c, attr)
            if v is not None and np.size(v) == dim:
                out[i], has[i] = np.ravel(v), True
        has &= np.all(np.isfinite(out), axis=1)
        out[~has] = 0.0
        return out, has

    sp, has_sp = poses("start_pose")
    ep, has_ep = poses("end_pose")
    cats = [c.category for c in order]
    dip = np.array([c.is_dip for c in order], dtype=bool)
    pair_pose = None
    if n <= PAIR_CACHE_MAX:  # small library: every end -> start pose cost once
        sq = (np.einsum("ij,ij->i", ep, ep)[:, None] + np.einsum("ij,ij->i", sp, sp)[None, :]
              - 2.0 * (ep @ sp.T)) / max(1, dim)
        dist = np.minimum(1.0, np.sqrt(np.maximum(sq, 0.0)) / POSE_SCALE)
        pair_pose = np.where(has_ep[:, None] & has_sp[None, :], dist, 0.5)
    lib = Lib(
        cands=order, ids=ids, fused=fused, fit=fit,
        level=np.array([c.level.rank for c in order], dtype=np.int64),
        energy=np.array([c.energy.value01 for c in order], dtype=np.float64),
        cat=np.array([cat_index[c] for c in cats], dtype=np.int64), cat_names=cat_names,
        role=np.array([list(RoleFocus).index(c.role_focus) for c in order], dtype=np.int64),
        length=np.array([c.phrases for c in order], dtype=np.int64),
        sh=np.array([_HOLD_INDEX[c.start_hold] for c in order], dtype=np.int64),
        eh=np.array([_HOLD_INDEX[c.end_hold] for c in order], dtype=np.int64),
        sc=np.array([_unit(c.hold_confidence[0]) for c in order], dtype=np.float64),
        ec=np.array([_unit(c.hold_confidence[1]) for c in order], dtype=np.float64),
        sp=sp, ep=ep, has_sp=has_sp, has_ep=has_ep, sp_sq=np.einsum("ij,ij->i", sp, sp),
        ep_sq=np.einsum("ij,ij->i", ep, ep),
        opener=np.array([c in OPENERS for c in cats]), intro=np.array([c == "intros" for c in cats]),
        closer=np.array([c == "outro" for c in cats]) | dip,
        outro=np.array([c == "outro" for c in cats]), dip=dip,
    )
    lib.pair_pose = pair_pose
    return lib


def select_phrases(phrases: Sequence[PhraseSlotSpec], request: Request) -> list[PhraseSlotSpec]:
    """The phrases inside the request's span (all of them without a span), in time order."""
    ps = sorted(phrases, key=lambda p: p.start_s)
    sp = request.span
    if sp is not None:
        eps = 1e-3
        ps = [p for p in ps
              if (sp.start_s is None or p.start_s >= sp.start_s - eps)
              and (sp.end_s is None or p.end_s <= sp.end_s + eps)
              and (sp.first_phrase is None or p.index >= sp.first_phrase)
              and (sp.last_phrase is None or p.index <= sp.last_phrase)]
    if not ps:
        raise InputError("the requested part of the song holds no whole 8-count phrase")
    return ps


class Scorer:
    """Unary score terms of every (phrase, move) pair, as arrays per move length."""

    TERMS = ("fit", "energy", "level", "peak", "style", "role", "include", "position", "shortened",
             "noise")

    def __init__(self, lib: Lib, phrases: list[PhraseSlotSpec], req: Request, w: Weights,
                 seed: int) -> None:
        self.lib, self.req, self.w, self.P = lib, req, w, len(phrases)
        sec = np.array([p.section_energy for p in phrases], dtype=np.float64)
        self.target = sec if req.energy is None else 0.5 * sec + 0.5 * req.energy.value01
        self.peak = np.array([float(p.is_peak) for p in phrases])
        rank = req.level.rank
        self.allowed = (lib.level <= rank) & ~np.isin(np.array(lib.cat_names)[lib.cat]
                                                      if lib.cat_names else np.zeros(0, bool),
                                                      list(req.avoid))
        hard = lib.level / 2.0
        self.static = {
            "fit": w.fit * lib.fit,
            "level": -w.level * np.maximum(rank - lib.level, 0) / 2.0,
            "style": w.style * (np.isin(np.array(lib.cat_names)[lib.cat],
                                        sorted(STYLE_CATEGORIES[req.style]))
                                if req.style is not None and len(lib.cat) else np.zeros(len(lib.cat))),
            "include": w.include * (np.isin(np.array(lib.cat_names)[lib.cat], list(req.include))
                                    if req.include and len(lib.cat) else np.zeros(len(lib.cat))),
        }
        role_idx = list(RoleFocus).index(req.role_focus)
        if req.role_focus is RoleFocus.BOTH:
            self.static["role"] = np.zeros(len(lib.cat))
        else:
            both = list(RoleFocus).index(RoleFocus.BOTH)
            self.static["role"] = w.role * np.where(lib.role == role_idx, 1.0,
                                                    np.where(lib.role == both, 0.0, -1.0))
        self.hard = hard
        self.noise = np.random.default_rng(seed).random((self.P, len(lib.ids))) * w.noise

    def window_mean(self, x: np.ndarray, L: int) -> np.ndarray:
        c = np.concatenate([[0.0], np.cumsum(x)])
        return (c[L:] - c[:-L]) / L

    def terms(self, t: np.ndarray, L: int, idx: np.ndarray) -> dict[str, np.ndarray]:
        """Terms for moves ``idx`` (M,) of length L starting at phrases ``t`` (T,) -> (T, M) each."""
        lib, w, P = self.lib, self.w, self.P
        tgt = self.window_mean(self.target, L)[t][:, None]
        pk = self.window_mean(self.peak, L)[t][:, None]
        h = self.hard[idx][None, :]
        out = {k: np.broadcast_to(v[idx][None, :], (len(t), len(idx))) for k, v in
               self.static.items()}
        out["energy"] = -w.energy * np.abs(lib.energy[idx][None, :] - tgt)
        out["peak"] = w.peak * (pk * h - (1.0 - pk) * np.maximum(h - 0.5, 0.0))
        first, last = (t == 0)[:, None], (t + L == P)[:, None]
        opener, intro = lib.opener[idx][None, :], lib.intro[idx][None, :]
        closer, outro = lib.closer[idx][None, :], lib.outro[idx][None, :]
        dip = lib.dip[idx][None, :]
        pos = np.where(first, np.where(opener, w.start, -w.start), -w.edge * intro)
        end_bonus = np.where(closer, w.end, -0.5 * w.end)
        if self.req.end_with_dip:
            end_bonus = end_bonus + 0.5 * w.end * dip
        pos = pos + np.where(last, end_bonus, -w.edge * outro)
        out["position"] = pos
        out["shortened"] = np.broadcast_to(-w.shorten * (lib.length[idx] > L)[None, :],
                                           (len(t), len(idx))).astype(np.float64)
        out["noise"] = self.noise[t][:, idx]
        return out

    def unary(self, t: np.ndarray, L: int, idx: np.ndarray, masked: bool = True) -> np.ndarray:
        total = sum(self.terms(t, L, idx).values())
        u = np.asarray(total, dtype=np.float64)
        if masked:
            u = np.where(self.allowed[idx][None, :], u, -np.inf)
        return u


@dataclass
class Beam:
    score: np.ndarray
    last: np.ndarray
    last2: np.ndarray  # the move before ``last`` (-1: none), for the recency penalty
    used: np.ndarray
    catcnt: np.ndarray
    back: list[tuple[int, int, int, int]]


def search(lib: Lib, sc: Scorer, pins: Mapping[int, int], beam_width: int, top_k: int
            ) -> list[tuple[int, int, int]]:
    """Best sequence of (start phrase, length, candidate index) covering all phrases."""
    P, w, N = sc.P, sc.w, len(lib.ids)
    # Length 1 is always possible (a longer move cut to its first 8 counts, at a cost), so any
    # span can be filled even by a library of 16-count moves.
    lengths = sorted({1} | {int(x) for x in np.unique(lib.length) if x <= P})
    groups = {L: np.flatnonzero(lib.fits(L)) for L in lengths}
    tops: dict[int, np.ndarray] = {}
    topu: dict[int, np.ndarray] = {}
    for L, g in groups.items():
        t = np.arange(P - L + 1)
        u = sc.unary(t, L, g)
        k = min(top_k, len(g))
        part = np.argpartition(-u, k - 1, axis=1)[:, :k] if k < len(g) else np.tile(
            np.arange(len(g)), (len(t), 1))
        tops[L] = g[part]
        topu[L] = np.take_along_axis(u, part, axis=1)
    pin_len = {}
    for b, c in pins.items():  # a pinned move keeps its length unless the song or a pin cuts it
        L = int(lib.length[c])
        pin_len[b] = L if b + L <= P and not any(b < q < b + L for q in pins) else 1
    pin_u = {b: float(sc.unary(np.array([b]), pin_len[b], np.array([c]), masked=False)[0, 0])
             for b, c in pins.items()}
    ncat = max(1, len(lib.cat_names))
    beams: dict[int, Beam] = {0: Beam(np.zeros(1), np.full(1, -1), np.full(1, -1), np.zeros((1, N), np.int16),
                                        np.zeros((1, ncat), np.int16), [(-1, -1, -1, 0)])}
    pending: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray, int, int]]] = {}
    pin_set = sorted(pins)
    for t in range(P):
        if t > 0:
            beam = _finalize(pending.pop(t, []), beams, lib, beam_width)
            if beam is None:
                continue
            beams[t] = beam
        beam = beams.get(t)
        if beam is None:
            continue
        for L in lengths:
            if t + L > P or any(t < q < t + L for q in pin_set):
                continue
            if t in pins:
                c = pins[t]
                if pin_len[t] != L:
                    continue
                cands, u = np.array([c]), np.array([pin_u[t]])
            else:
                cands, u = tops[L][t], topu[L][t]
                ok = np.isfinite(u)
                cands, u = cands[ok], u[ok]
            if len(cands) == 0:
                continue
            pose, hold = lib.trans(beam.last, cands, w)
            rep = (w.reuse * beam.used[:, cands] + w.category_reuse * beam.catcnt[:, lib.cat[cands]]
                   + w.same_category * (lib.cat[np.maximum(beam.last, 0)][:, None]
                                        == lib.cat[cands][None, :]) * (beam.last[:, None] >= 0)
                   + w.recent * (beam.last2[:, None] == cands[None, :]))
            s = beam.score[:, None] + u[None, :] - pose - hold - rep
            s[beam.last[:, None] == cands[None, :]] = -np.inf
            flat = s.ravel()
            k = min(beam_width, flat.size)
            sel = np.argpartition(-flat, k - 1)[:k] if k < flat.size else np.arange(flat.size)
            sel = sel[np.isfinite(flat[sel])]
            h, j = np.divmod(sel, len(cands))
            pending.setdefault(t + L, []).append((flat[sel], h, cands[j], t, L))
        # Free the big per-hypothesis arrays of boundaries no later boundary can extend from.
        old = t - max(lengths, default=1)
        if old in beams:
            beams[old].used = beams[old].used[:0]
    final = _finalize(pending.pop(P, []), beams, lib, beam_width)
    if final is None:
        raise InputError("the library's moves cannot fill the song: no arrangement satisfies the "
                         "level, avoided categories and move lengths")
    beams[P] = final
    out: list[tuple[int, int, int]] = []
    b, h = P, 0
    while b > 0:
        src_b, src_h, c, L = beams[b].back[h]
        out.append((src_b, L, c))
        b, h = src_b, src_h
    return out[::-1]


def _finalize(chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray, int, int]],
              beams: dict[int, Beam], lib: Lib, width: int) -> Beam | None:
    if not chunks:
        return None
    scores = np.concatenate([c[0] for c in chunks])
    if scores.size == 0:
        return None
    order = np.argsort(-scores, kind="stable")[:width]
    offs = np.cumsum([0] + [len(c[0]) for c in chunks])
    ci = np.searchsorted(offs, order, side="right") - 1
    k = order - offs[ci]
    hs = np.array([chunks[i][1][j] for i, j in zip(ci, k, strict=True)], dtype=np.int64)
    cs = np.array([chunks[i][2][j] for i, j in zip(ci, k, strict=True)], dtype=np.int64)
    srcs = np.array([chunks[i][3] for i in ci], dtype=np.int64)
    n = len(order)
    used = np.empty((n, beams[int(srcs[0])].used.shape[1]), dtype=np.int16)
    catcnt = np.empty((n, beams[int(srcs[0])].catcnt.shape[1]), dtype=np.int16)
    for sb in np.unique(srcs):  # one gather per source boundary (at most the longest move)
        rows = np.flatnonzero(srcs == sb)
        used[rows] = beams[int(sb)].used[hs[rows]]
        catcnt[rows] = beams[int(sb)].catcnt[hs[rows]]
    r = np.arange(n)
    used[r, cs] += 1
    catcnt[r, lib.cat[cs]] += 1
    last2 = np.array([beams[int(srcs[i])].last[hs[i]] for i in range(n)], dtype=np.int64)
    back = [(int(srcs[i]), int(hs[i]), int(cs[i]), int(chunks[ci[i]][4])) for i in range(n)]
    return Beam(scores[order], cs, last2, used, catcnt, back)
