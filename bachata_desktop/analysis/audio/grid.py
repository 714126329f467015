"""The 8-count grid: which beat is the "1", decided for the whole song from cues that real
recordings carry.

Two decisions, each taken once for a steady stretch of beats (never beat by beat, so the count
cannot slip while the beats are steady):

1. **The bar** (which of four beats is a downbeat, 1 or 5): the harmony changes there
   (beat-synchronous chroma before vs after), the beat's span is loud (bass and chords land
   together) and the bass level rises. The bongo's accent on 4 and 8 gets no weight: measured on
   real clips against madmom it sits before the downbeat in 5 of 65.
2. **The 1 vs the 5** (which downbeats start a phrase): phrases, sections and the music itself start
   on a 1, so every structural cue that may exist votes: changes of loudness, timbre and band
   energies (instrument entries) between the eight beats before and after a downbeat and between
   the two beats before and after it (a fill ends on the 1), harmonic change at the phrase scale,
   a rise of loudness after a break or fill, and the first downbeat where the band plays fully.
   None of them is required (the chords of the two bars may be the same); each votes with its
   share of the evidence.

The margin of each decision (best vs second-best phase, in standard errors) gives a calibrated
probability of being right; the confidence of the "1" is the product of the two. :func:`phrase_margins`
gives each section its own from the 1-vs-5 votes inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bachata_desktop.analysis.audio.features import Features


@dataclass(frozen=True)
class GridConfig:
    # Weights of the downbeat cues, chosen on the shared clips against madmom's downbeats (bar
    # position right in 55 of 65 clips with this mix; chroma change alone 47, loudness alone 48,
    # bass level alone 35, bass attack alone 32, an accent on the beat before 5 of 65: the "accent
    # on 4 and 8" does not hold in these recordings, so it gets no weight)
    w_chroma: float = 1.0        # harmonic change on the downbeat
    w_loud: float = 0.5          # loudness of the beat's span (the bass and chords land together)
    w_bass: float = 0.5          # bass level just after the beat
    w_bass_onset: float = 0.0    # bass attack
    w_accent: float = 0.0        # accent on the beat before a downbeat (4 and 8)
    gap_beats: float = 1.6       # an inter-beat interval this many periods long is a break


@dataclass(frozen=True)
class GridResult:
    counts: np.ndarray                     # 1..8 per beat
    confidence: float                      # of the "1" over the whole song, 0..1
    bar_confidence: float                  # of the bar (downbeat on 1/5 rather than 2, 3, 4...)
    phrase_votes: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per beat: 1-vs-5 vote
    changes: tuple[int, ...] = ()          # beat indices where the count's phase changes (after breaks)
    bar_z: float = 0.0                     # margin of the bar decision, in standard errors
    one_z: float = 0.0                     # margin of the 1-vs-5 decision, in standard errors
    bar_agree: float = 1.0                 # share of the bar cues (chroma, loudness, bass) that alone pick the same bar
    bar_support: float = 0.0               # sum of those cues' own margins for the chosen bar (signed, standard errors)


def _robust_z(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return x
    med = np.median(x)
    mad = np.median(np.abs(x - med)) * 1.4826
    sd = mad if mad > 1e-9 else (x.std() if x.std() > 1e-9 else 1.0)
    return np.clip((x - med) / sd, -4.0, 4.0)


def beat_values(env: np.ndarray, frames: np.ndarray, before: int = 1, after: int = 2) -> np.ndarray:
    """Peak of ``env`` in a small window around each beat frame."""
    n = env.size
    fr = np.clip(np.round(frames).astype(np.int64), 0, n - 1)
    offs = np.arange(-before, after + 1)
    idx = np.clip(fr[:, None] + offs[None, :], 0, n - 1)
    return env[idx].max(axis=1)


def span_means(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean of the rows of ``x`` (d, n_frames) over frames [a, b) per span -> (n_spans, d)."""
    csum = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x, axis=1)], axis=1)
    return ((csum[:, b] - csum[:, a]) / np.maximum(b - a, 1)).T


def beat_sync(feat: np.ndarray, frames: np.ndarray, n_frames: int) -> np.ndarray:
    """Mean of frame features (d, n) over each inter-beat span -> (n_beats, d)."""
    edges = np.concatenate([np.round(frames).astype(np.int64), [n_frames]])
    edges = np.clip(edges, 0, n_frames)
    a, b = edges[:-1], np.maximum(edges[1:], edges[:-1] + 1)
    b = np.minimum(b, n_frames)
    a = np.minimum(a, b - 1)
    return span_means(feat, a, b)


def novelty(vectors: np.ndarray, half: int) -> np.ndarray:
    """Checkerboard novelty (Foote) at each row boundary: row i is the first row after the change."""
    n = vectors.shape[0]
    out = np.zeros(n)
    if n < 2 * half + 1:
        return out
    v = vectors - vectors.mean(axis=0, keepdims=True)
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    sim = v @ v.T
    g = np.exp(-0.5 * ((np.arange(2 * half) - half + 0.5) / (0.6 * half)) ** 2)
    sign = np.where(np.arange(2 * half) < half, -1.0, 1.0)
    kern = np.outer(g * sign, g * sign)
    for i in range(half, n - half + 1):
        blk = sim[i - half: i + half, i - half: i + half]
        out[i] = float((blk * kern).sum())
    return np.maximum(out, 0.0)


def _window_change(vecs: np.ndarray, w: int, cosine: bool) -> np.ndarray:
    """Distance between the mean of the ``w`` rows before row i and the ``w`` rows from i on."""
    n = vecs.shape[0]
    out = np.zeros(n)
    csum = np.concatenate([np.zeros((1, vecs.shape[1])), np.cumsum(vecs, axis=0)])
    for i in range(1, n):
        a, b = max(0, i - w), min(n, i + w)
        before = (csum[i] - csum[a]) / (i - a)
        after = (csum[b] - csum[i]) / (b - i)
        if cosine:
            den = np.linalg.norm(before) * np.linalg.norm(after)
            out[i] = 1.0 - float(before @ after) / den if den > 1e-12 else 0.0
        else:
            out[i] = float(np.linalg.norm(after - before))
    return out


def beat_index(times: np.ndarray, gap_beats: float) -> tuple[np.ndarray, np.ndarray]:
    """(virtual beat number per beat, segment id per beat). Steady beats count one by one; a gap
    of ``gap_beats`` periods or more (a break the tracker skipped) counts its missing beats and
    starts a new segment."""
    n = times.size
    k = np.zeros(n, dtype=np.int64)
    seg = np.zeros(n, dtype=np.int64)
    if n < 2:
        return k, seg
    ibi = np.diff(times)
    for i in range(1, n):
        ref = float(np.median(ibi[max(0, i - 9): i + 8]))
        steps = max(1, int(round(ibi[i - 1] / ref))) if ref > 0 else 1
        k[i] = k[i - 1] + steps
        seg[i] = seg[i - 1] + (ibi[i - 1] >= gap_beats * ref)
    return k, seg


def beat_features(feats: Features, frames: np.ndarray) -> dict[str, np.ndarray]:
    """Per-beat evidence (arrays of the beats' length): bass level and attack, harmonic change,
    accent, loudness, and vectors for structural novelty."""
    period = float(np.median(np.diff(frames))) if frames.size > 1 else 10.0
    n = feats.n_frames
    bass = np.array([feats.low_db[min(int(f), n - 1): min(int(f + 0.3 * period) + 1, n)].mean()
                     if int(f) < n else feats.low_db[-1] for f in frames])
    bass_on = beat_values(feats.onset_low, frames)
    accent = beat_values(0.6 * feats.onset_mid + 0.4 * feats.onset_high, frames)
    chroma = beat_sync(feats.chroma, frames, n)
    loud = beat_sync(feats.rms_db[None, :], frames, n)[:, 0]
    # band energies (8 groups of mel bands, dB): instruments entering or leaving
    bands = feats.mel_db.reshape(8, -1, feats.mel_db.shape[1]).mean(axis=1)
    band_b = beat_sync(bands, frames, n)
    dens = beat_sync(feats.onset[None, :], frames, n)[:, 0]
    struct = np.hstack([(band_b - band_b.mean(axis=0)) / (band_b.std(axis=0) + 1e-6),
                        2.0 * ((loud - loud.mean()) / (loud.std() + 1e-6))[:, None],
                        ((dens - dens.mean()) / (dens.std() + 1e-6))[:, None]])
    az = _robust_z(accent)
    # a beat right after silence has every band rising at once: its accent says nothing
    ref = float(np.percentile(feats.rms_db, 95))
    for i, f in enumerate(frames):
        a, b = max(0, int(f - 0.5 * period)), max(0, int(f) - 1)
        if b <= a or float(feats.rms_db[a:b].max()) < ref - 40.0:
            az[i] = 0.0
    return {"bass": _robust_z(bass), "bass_onset": _robust_z(bass_on), "accent": az,
            "chroma": chroma, "loud": loud, "struct": struct}


def _shift(x: np.ndarray, s: int) -> np.ndarray:
    """x[i + s] at i (zero outside)."""
    out = np.zeros_like(x)
    if s >= 0:
        out[: x.size - s] = x[s:]
    else:
        out[-s:] = x[: x.size + s]
    return out


def downbeat_strength(ev: dict[str, np.ndarray], config: GridConfig) -> np.ndarray:
    """Per beat: how much it looks like a downbeat (1 or 5)."""
    chroma_change = _robust_z(_window_change(ev["chroma"], 2, cosine=True))
    return (config.w_bass * ev["bass"] + config.w_bass_onset * ev["bass_onset"]
            + config.w_chroma * np.maximum(chroma_change, -1.0) + config.w_loud * _robust_z(ev["loud"])
            + config.w_accent * _shift(ev["accent"], -1))


def phrase_start_votes(ev: dict[str, np.ndarray]) -> np.ndarray:
    """Per beat: evidence that a phrase (an 8-count) starts here, from structure only (meaningful
    on downbeats). Each cue is scaled to its own typical value so none dominates by units."""
    n = ev["loud"].size
    cues = []
    if n >= 17:
        cues.append(novelty(ev["struct"], 8))
    # the texture of the two beats before vs the two from here: a fill or a break ends, instruments
    # enter, right on the 1. The eight-beat novelty alone smears a change over +-4 beats, and a fill
    # on 7-8 (already like the louder section that follows) pulls its peak onto the 5 before the 1:
    # on arranger songs 100-247 (tuning seeds) that put the whole song on the 5 in 3 of 148
    if n >= 5:
        cues.append(_window_change(ev["struct"], 2, cosine=False))
    cues.append(_window_change(ev["chroma"], 4, cosine=True))
    loud = ev["loud"]
    rise = np.array([max(0.0, float(loud[i:i + 4].mean() - loud[max(0, i - 4):i].mean())) if i >= 1 else 0.0
                     for i in range(n)])
    cues.append(rise)
    out = np.zeros(n)
    for c in cues:
        scale = float(np.percentile(c, 90)) if np.any(c > 0) else 0.0
        if scale > 1e-9:
            out += np.clip(c / scale, 0.0, 3.0)
    # the first beat where the band plays fully: the music "comes in" on a 1
    full = np.flatnonzero(loud >= np.percentile(loud, 50) - 3.0)
    if full.size:
        out[int(full[0])] += 1.0
    return out


# Calibration of the confidences: P(right) = 1 / (1 + exp(-(a * x + b))), x being the bar cues'
# support for the chosen bar (cue_support) and the z-score of the 1-vs-5 margin. Fitted by logistic
# regression on excerpts (6 s to the whole song) of the tuning seeds of the three song generators
# (benchmarks/calib_confidence.py --fit); checked on the held-out seeds (AUC of the bar's 1.00, of
# the former one on the mixed margin 0.99) and on the shared clips vs madmom (AUC 0.77 vs 0.61). On
# the generated excerpts the wrong bars have a support of at most 0.2, the right ones at least 1.2.
BAR_CAL = (1.735, -0.647)   # cue support, intercept
# ONE_CAL refitted after the two-beat texture cue joined the 1-vs-5 vote (was 0.546, 0.477): the
# "1" right in 140/144 of 180 tuning/held-out excerpts (136/139 before), AUC 0.77/0.80 (0.75/0.77)
ONE_CAL = (0.703, 0.421)


def _prob(z: float, cal: tuple[float, float]) -> float:
    return float(1.0 / (1.0 + np.exp(-(cal[0] * z + cal[1]))))


def bar_cues(ev: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """The bar cues judged one by one: chroma change, loudness, bass level (per beat)."""
    return tuple(np.asarray(c, np.float64) for c in
                 (_window_change(ev["chroma"], 2, cosine=True), ev["loud"], ev["bass"]))


def cue_agreement(cues: tuple[np.ndarray, ...], phase: np.ndarray, chosen: int) -> float:
    """Share of the bar cues (``bar_cues``) that, each alone, pick the ``chosen`` bar position:
    measured on the shared clips, a bar that all cues pick agrees with madmom in 23 of 24 clips,
    one that only the mix picks in 36 of 45."""
    return float(np.mean([bar_z(c, phase, 4)[0] == chosen for c in cues]))


def cue_support(cues: tuple[np.ndarray, ...], phase: np.ndarray, chosen: int) -> float:
    """How much the bar cues (chroma change, loudness, bass level), each on its own, support the
    ``chosen`` bar position: the sum of their margins for it over their best other position, in
    standard errors; a cue that prefers another position takes off at most 1 (a genre's bass may
    play elsewhere: Samba Isobel's bass level peaks off madmom's downbeats, which the chords and
    loudness mark). Unlike the margin of the mixed evidence, one cue cannot carry it alone: on the
    shared clips it separates the bars that agree with madmom from those that do not with AUC 0.77
    (0.77 on either half of the clips), the mixed margin with 0.57."""
    return float(sum(np.clip(_margin(c, phase, 4, chosen), -1.0, 6.0) for c in cues))


def _phase_stats(values: np.ndarray, phase: np.ndarray, period: int) -> tuple[np.ndarray, ...]:
    """(mean, variance, count) of ``values`` per phase 0..period-1 (mean -inf where none)."""
    means, var, cnt = np.full(period, -np.inf), np.zeros(period), np.zeros(period)
    for r in range(period):
        v = values[phase == r]
        if v.size:
            means[r], var[r], cnt[r] = v.mean(), v.var(), v.size
    return means, var, cnt


def _t(means: np.ndarray, var: np.ndarray, cnt: np.ndarray, a: int, b: int) -> float:
    """Phase ``a``'s mean minus phase ``b``'s in standard errors, the spread pooled over phases."""
    pooled = float(np.sum(var * cnt) / max(np.sum(cnt) - np.count_nonzero(cnt), 1.0))
    se = np.sqrt(max(pooled, 0.05) * (1.0 / cnt[a] + 1.0 / cnt[b]))
    return float((means[a] - means[b]) / se)


def _margin(values: np.ndarray, phase: np.ndarray, period: int, chosen: int) -> float:
    """Mean of ``values`` at phase ``chosen`` minus the best other phase's, in standard errors."""
    means, var, cnt = _phase_stats(values, phase, period)
    others = [r for r in range(period) if r != chosen and cnt[r] > 0]
    if cnt[chosen] == 0 or not others:
        return 0.0
    return _t(means, var, cnt, chosen, max(others, key=lambda r: means[r]))


def bar_z(values: np.ndarray, phase: np.ndarray, period: int) -> tuple[int, float]:
    """(best phase, its margin over the second best in standard errors) of ``values`` grouped by
    ``phase`` (0..period-1); the margin is a Welch-like t of the two phase means, the spread being
    the pooled spread inside the phases."""
    means, var, cnt = _phase_stats(values, phase, period)
    order = np.argsort(-means)
    best, second = int(order[0]), int(order[1]) if period > 1 else int(order[0])
    if not np.isfinite(means[second]) or cnt[best] == 0:
        return best, 0.0
    return best, _t(means, var, cnt, best, second)


def assign_counts(ev: dict[str, np.ndarray], times: np.ndarray,
                  config: GridConfig = GridConfig()) -> GridResult:
    """Counts 1..8 for each beat: one phase per steady stretch, chosen from the whole stretch."""
    n = times.size
    if n == 0:
        return GridResult(np.zeros(0, dtype=np.int64), 0.0, 0.0)
    k, seg = beat_index(times, config.gap_beats)
    down = downbeat_strength(ev, config)
    votes = phrase_start_votes(ev)
    counts = np.zeros(n, dtype=np.int64)
    changes: list[int] = []
    prev_phase: int | None = None
    conf_num = conf_bar = zb_sum = zo_sum = agree_sum = support_sum = 0.0
    weight_sum = 0.0
    for s in np.unique(seg):
        idx = np.flatnonzero(seg == s)
        ks = k[idx]
        r, zb = bar_z(down[idx], ks % 4, 4)
        cues = bar_cues({key: v[idx] for key, v in ev.items()})
        agree = cue_agreement(cues, ks % 4, r)
        support = cue_support(cues, ks % 4, r)
        on = (ks % 4) == r
        h, zo = bar_z(votes[idx][on], (ks[on] % 8 != r).astype(np.int64), 2)
        phase = r + 4 * h
        bar_conf = _prob(support, BAR_CAL)
        one_conf = _prob(zo, ONE_CAL)
        # a short stretch after a break keeps the phase it had, unless its own evidence is sure
        if prev_phase is not None and (idx.size < 32 or min(bar_conf, one_conf) < 0.6):
            phase = prev_phase
        elif prev_phase is not None and phase != prev_phase:
            changes.append(int(idx[0]))
        prev_phase = phase
        counts[idx] = (ks - phase) % 8 + 1
        conf_num += idx.size * bar_conf * one_conf
        conf_bar += idx.size * bar_conf
        zb_sum += idx.size * zb
        zo_sum += idx.size * zo
        agree_sum += idx.size * agree
        support_sum += idx.size * support
        weight_sum += idx.size
    # the 1-vs-5 vote per beat, signed for the chosen phase (positive on a chosen 1)
    signed = np.where(counts == 1, votes, np.where(counts == 5, -votes, 0.0))
    return GridResult(counts, float(conf_num / weight_sum), float(conf_bar / weight_sum), signed,
                      tuple(changes), float(zb_sum / weight_sum), float(zo_sum / weight_sum),
                      float(agree_sum / weight_sum), float(support_sum / weight_sum))


def phrase_margins(result: GridResult, times: np.ndarray, starts: list[float] | np.ndarray,
                   ends: list[float] | np.ndarray) -> list[float]:
    """Confidence of the "1" within each [start, end) span (sections): the song's, lowered where
    the 1-vs-5 votes inside the span side with the other half of the phrase (a section that sounds
    as if it started on the 5), by the margin of those votes in standard errors."""
    out = []
    for a, b in zip(starts, ends, strict=True):
        m = (times >= a) & (times < b)
        v = result.phrase_votes[m]
        pos, neg = v[v > 0], -v[v < 0]
        if pos.size == 0 or neg.size == 0:
            out.append(round(result.confidence, 3))
            continue
        zl = float((pos.mean() - neg.mean()) / np.sqrt(max(float(np.var(np.r_[pos, neg])), 0.05)
                                                          * (1 / pos.size + 1 / neg.size)))
        local = _prob(min(result.one_z, zl), ONE_CAL) if zl < 0 else _prob(result.one_z, ONE_CAL)
        out.append(round(float(np.clip(result.bar_confidence * local, 0.0, 1.0)), 3))
    return out


__all__ = ["GridConfig", "GridResult", "assign_counts", "bar_z", "beat_features", "beat_index", "beat_sync",
           "beat_values", "downbeat_strength", "novelty", "phrase_margins", "phrase_start_votes",
           "span_means"]
