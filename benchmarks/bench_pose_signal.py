"""How much ``move_label`` signal do the 45 shared clips carry in their pose? An audit.

``bench_pose.py`` measures the leave-one-out nearest-neighbour accuracy of the move label from our
pose embeddings (about 0.22-0.27; chance 0.05). This module asks whether a better design could do
far better on these clips, by measuring the label signal itself with methods that do not depend on
our embedding design, each scored the same way (leave-one-out, 1-NN or a classifier trained on the
other 44 clips only):

* permutation test of our embeddings' accuracy (is it above chance at all?);
* how many of the named descriptors (``analysis/pose/descriptors.py``) differ between labels more
  than shuffled labels do (rank F-test, 400 permutations), against the number expected by chance;
* supervised learners given the labels of the other 44 clips: extra trees on the descriptors, and
  1-NN on the descriptors chosen by their F score inside each fold;
* dynamic time warping of the couple's raw keypoints (order and timing of the whole movement);
* dense optical flow inside each dancer's box (motion the 17 keypoints miss: spins, body waves);
* the same embeddings from keypoints at 640 px and 15 fps instead of 320 px and 10 fps.

Run: ``python -m benchmarks pose_signal`` (analyses are cached with ``bench_pose``'s cache).
"""

from __future__ import annotations

import warnings

import numpy as np

from benchmarks import bench_pose as bp

N_PERM = 400


def _row(name: str, value: float, unit: str, baseline: float | None, note: str) -> dict:
    return {"benchmark": name, "value": round(float(value), 4), "unit": unit,
            "baseline": None if baseline is None else round(float(baseline), 4),
            "ratio": None if not baseline else round(float(value) / float(baseline), 3),
            "goal": "report", "note": note}


def _clips(config) -> list[dict]:
    from bachata_desktop.analysis.pose.analyze import load_keypoints, tracks_from_keypoints

    out = []
    for c in bp.annotations():
        _, kp = bp.cached_analysis(bp.CLIPS / c["video_path"], config)
        data = load_keypoints(kp)
        out.append({"label": c["move_label"], "path": c["video_path"], "kpfile": kp,
                    "kp": tracks_from_keypoints(data).keypoints, "fps": float(data["fps"]),
                    "data": data})
    return out


def _f_stat(x: np.ndarray, lab: np.ndarray) -> float:
    groups = [x[lab == u] for u in np.unique(lab)]
    grand = x.mean()
    ssb = sum(len(g) * (g.mean() - grand) ** 2 for g in groups)
    ssw = sum(((g - g.mean()) ** 2).sum() for g in groups)
    return (ssb / (len(groups) - 1)) / (ssw / (len(x) - len(groups)) + 1e-12)


def _significant(X: np.ndarray, lab: np.ndarray, rng: np.random.Generator) -> int:
    """Columns of ``X`` whose rank F statistic beats 95% of label shuffles."""
    from scipy.stats import rankdata

    count = 0
    for j in range(X.shape[1]):
        r = rankdata(X[:, j])
        f0 = _f_stat(r, lab)
        null = np.array([_f_stat(r, rng.permutation(lab)) for _ in range(N_PERM)])
        count += int(np.mean(null >= f0) < 0.05)
    return count


def _squash(X: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Median / IQR of ``rows`` -> tanh scale (no column dominates, outliers saturate)."""
    med = np.median(X[rows], axis=0)
    iqr = np.subtract(*np.percentile(X[rows], [75, 25], axis=0))
    iqr[iqr < 1e-9] = 1.0
    return np.tanh((X - med) / (2 * iqr))


def _fill_nan(X: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(X), X, np.nanmedian(np.where(np.isfinite(X), X, np.nan), axis=0))


def _descriptors(clips: list[dict]) -> np.ndarray:
    from bachata_desktop.analysis.pose.descriptors import (
        dancer_descriptors,
        interaction_descriptors,
    )
    from bachata_desktop.analysis.pose.features import dancer_features, interaction_features

    rows = []
    for c in clips:
        lk, fk = c["kp"][:, 0], c["kp"][:, 1]
        lead, follow = dancer_features(lk, c["fps"]), dancer_features(fk, c["fps"])
        inter = interaction_features(lk, fk, lead, follow, c["fps"])
        d = [dancer_descriptors(lead), dancer_descriptors(follow), interaction_descriptors(inter)]
        rows.append([v for part in d for v in part.values()])
    return _fill_nan(np.array(rows, np.float64))


def _nested_trees(X: np.ndarray, lab: np.ndarray) -> float:
    from sklearn.ensemble import ExtraTreesClassifier

    hits = []
    for i in range(len(lab)):
        tr = np.setdiff1d(np.arange(len(lab)), [i])
        Z = _squash(X, tr)
        model = ExtraTreesClassifier(n_estimators=300, random_state=0).fit(Z[tr], lab[tr])
        hits.append(model.predict(Z[i:i + 1])[0] == lab[i])
    return float(np.mean(hits))


def _nested_selected_nn(X: np.ndarray, lab: np.ndarray, k: int = 12) -> float:
    hits = []
    for i in range(len(lab)):
        tr = np.setdiff1d(np.arange(len(lab)), [i])
        Z = _squash(X, tr)
        f = np.array([_f_stat(Z[tr, j], lab[tr]) for j in range(X.shape[1])])
        A = Z[:, np.argsort(-f)[:k]]
        A = A / np.maximum(np.linalg.norm(A, axis=1, keepdims=True), 1e-9)
        hits.append(lab[tr][np.argmax(A[tr] @ A[i])] == lab[i])
    return float(np.mean(hits))


def _dtw_nn(clips: list[dict], lab: np.ndarray) -> float:
    """1-NN under banded DTW of both dancers' keypoints around the couple's centre."""
    seqs = []
    for c in clips:
        xy = c["kp"][..., :2].astype(np.float64)
        sh = (xy[:, :, 5] + xy[:, :, 6]) / 2
        hp = (xy[:, :, 11] + xy[:, :, 12]) / 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            torso = np.nanmedian(np.linalg.norm(sh - hp, axis=-1))
            rel = (xy - np.nanmean(hp, axis=1)[:, None, None]) / torso
        seqs.append(rel.reshape(len(xy), -1))
    n = len(seqs)
    D = np.full((n, n), np.inf)
    for i in range(n):
        for j in range(i + 1, n):
            D[i, j] = D[j, i] = _dtw(seqs[i], seqs[j], band=0.3)
    return float(np.mean(lab[np.argmin(D, axis=1)] == lab))


def _dtw(a: np.ndarray, b: np.ndarray, band: float) -> float:
    """DTW cost (mean over the path) with per-frame RMS distance over the joints seen in both."""
    diff = a[:, None, :] - b[None, :, :]
    ok = np.isfinite(diff)
    cost = np.sqrt(np.where(ok, diff * diff, 0).sum(-1) / np.maximum(ok.sum(-1), 1))
    cost[ok.sum(-1) == 0] = 2.0
    n, m = cost.shape
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    for i in range(1, n + 1):
        lo = max(1, int(np.floor((i / n - band) * m)))
        hi = min(m, int(np.ceil((i / n + band) * m)))
        for j in range(lo, hi + 1):
            acc[i, j] = cost[i - 1, j - 1] + min(acc[i - 1, j], acc[i, j - 1], acc[i - 1, j - 1])
    return float(acc[n, m] / (n + m))


def _flow_descriptors(clips: list[dict]) -> np.ndarray:
    """Per dancer: magnitude-weighted flow direction histogram, curl, divergence, motion by body
    third, pooled over the clip by mean, spread and 90th percentile (DIS flow at 1/4 size)."""
    import av
    import cv2

    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
    out = []
    for c in clips:
        times, boxes = c["data"]["times"], c["data"]["boxes"].astype(np.float64)
        per = np.full((len(times), 2, 16), np.nan)
        with av.open(str(bp.CLIPS / c["path"])) as cont:
            prev, prev_t, k = None, None, 0
            for fr in cont.decode(video=0):
                g = cv2.resize(fr.to_ndarray(format="gray"), None, fx=0.25, fy=0.25,
                               interpolation=cv2.INTER_AREA)
                t = float(fr.time)
                if prev is not None and k < len(times) and prev_t >= times[k] - 1e-3:
                    flow = dis.calc(prev, g, None) * 4 / max(t - prev_t, 1e-3)
                    for d in range(2):
                        per[k, d] = _box_flow(flow, boxes[k, d])
                    k += 1
                prev, prev_t = g, t
                if k >= len(times):
                    break
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out.append(np.concatenate([np.concatenate([np.nanmean(per[:, d], 0), np.nanstd(per[:, d], 0),
                                                       np.nanpercentile(per[:, d], 90, axis=0)])
                                       for d in range(2)]))
    return _fill_nan(np.array(out))


def _box_flow(flow: np.ndarray, box: np.ndarray) -> np.ndarray:
    if not np.isfinite(box).all():
        return np.full(16, np.nan)
    x1, y1, x2, y2 = (np.maximum(box, 0) / 4).astype(int)
    f = flow[y1:y2, x1:x2].reshape(-1, 2) if y2 > y1 and x2 > x1 else np.zeros((0, 2))
    if len(f) < 20:
        return np.full(16, np.nan)
    h = max(box[3] - box[1], 1.0)
    f = flow[y1:y2, x1:x2] - np.median(f, axis=0)            # the dancer's own travel removed
    u, v = f[..., 0] / h, f[..., 1] / h
    mag = np.hypot(u, v)
    hist = np.bincount(((np.arctan2(v, u) + np.pi) / (2 * np.pi) * 8).astype(int).ravel() % 8,
                       weights=mag.ravel(), minlength=8)
    curl = np.gradient(v, axis=1) - np.gradient(u, axis=0)
    div = np.gradient(u, axis=1) + np.gradient(v, axis=0)
    third = max(len(mag) // 3, 1)
    return np.concatenate([hist / max(hist.sum(), 1e-9),
                           [mag.mean(), curl.mean(), np.abs(curl).mean(), div.mean(),
                            mag[:third].mean(), mag[third:2 * third].mean(), mag[2 * third:].mean(),
                            np.abs(v).mean() / max(np.abs(u).mean(), 1e-9)]])


def _embeddings(clips: list[dict], mods: tuple[str, ...]) -> np.ndarray:
    embs = [bp.embeddings_for(c["kpfile"]) for c in clips]
    return np.concatenate([np.stack([e[m] for e in embs]) for m in mods], axis=1)


def _embedding_nn(clips: list[dict], mods: tuple[str, ...]) -> float:
    return bp.retrieval_metrics(_embeddings(clips, mods), [c["label"] for c in clips])["nn1"]


def run(quick: bool = False) -> list[dict]:
    bp._setup()
    if not (bp.MODELS / "yolov8n-pose_int8_openvino_model").is_dir() or not bp.CLIPS.is_dir():
        return [_row("pose_signal_skipped", 0, "", None, f"needs {bp.MODELS} and {bp.CLIPS}")]
    from bachata_desktop.analysis.pose.analyze import PoseConfig

    rng = np.random.default_rng(0)
    clips = _clips(PoseConfig())
    lab = np.array([c["label"] for c in clips])
    counts = {u: int((lab == u).sum()) for u in np.unique(lab)}
    chance = sum(k * (k - 1) for k in counts.values()) / (len(lab) * (len(lab) - 1))
    rows = []

    for mods in (("interaction",), ("lead", "follow", "interaction")):
        V = _embeddings(clips, mods)
        s = V @ V.T
        np.fill_diagonal(s, -np.inf)
        nn = np.argmax(s, axis=1)
        acc = float(np.mean(lab[nn] == lab))
        null = np.array([np.mean(p[nn] == p) for p in (rng.permutation(lab) for _ in range(5000))])
        rows.append(_row(f"signal_embedding_{'+'.join(mods)}", acc, "accuracy", float(null.mean()),
                         f"our 1-NN vs 5000 label shuffles: p = {np.mean(null >= acc):.4f}, shuffles' "
                         f"95th percentile {np.percentile(null, 95):.3f}"))

    X = _descriptors(clips)
    sig = _significant(X, lab, rng)
    rows.append(_row("signal_descriptors_significant", sig, "descriptors", 0.05 * X.shape[1],
                     f"of {X.shape[1]} named descriptors, those whose rank F beats 95% of {N_PERM} "
                     "label shuffles (baseline: the number expected by chance)"))
    rows.append(_row("signal_nested_extra_trees", _nested_trees(X, lab), "accuracy", chance,
                     "300 extra trees on the descriptors, trained on the other 44 clips' labels"))
    rows.append(_row("signal_nested_selected_1nn", _nested_selected_nn(X, lab), "accuracy", chance,
                     "1-NN on the 12 descriptors with the best F score among the other 44 clips"))
    rows.append(_row("signal_dtw_raw_keypoints", _dtw_nn(clips, lab), "accuracy", chance,
                     "banded DTW (30%) of both dancers' keypoints around the couple's centre"))
    if quick:
        return rows
    F = _flow_descriptors(clips)
    Zf = _squash(F, np.arange(len(lab)))
    rows.append(_row("signal_optical_flow_1nn", bp.retrieval_metrics(Zf, list(lab))["nn1"], "accuracy",
                     chance, f"DIS flow in each dancer's box, {F.shape[1]} pooled values; "
                     f"{_significant(F, lab, rng)} of them beat 95% of label shuffles "
                     f"({0.05 * F.shape[1]:.1f} expected by chance)"))
    hires = _clips(PoseConfig(analysis_fps=15.0, imgsz=640))
    base = _embedding_nn(clips, ("lead", "follow", "interaction"))
    rows.append(_row("signal_hires_keypoints", _embedding_nn(hires, ("lead", "follow", "interaction")),
                     "accuracy", base, "our embeddings from 640 px / 15 fps keypoints; baseline: "
                     "the default 320 px / 10 fps in the same run"))
    return rows


if __name__ == "__main__":
    import json

    for r in run():
        print(json.dumps(r))
