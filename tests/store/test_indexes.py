"""hnswlib indexes are derived data: deleted, corrupted or stale indexes are rebuilt from SQLite."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bachata_desktop.core.clip import Clip
from bachata_desktop.store.indexes import IndexSet, VectorIndex


def _fill(store, n: int = 200, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vecs = rng.normal(size=(n, 128)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    with store.db.write():
        for i in range(n):
            c = store.clips.add(Clip(None, f"k{i}", f"c{i}", "basic", f"{i}.mp4", f"h{i}"))
            store.embeddings.put("clip", c.id, "audio", vecs[i], "test-audio-v1")
    return vecs


def _answers(index: VectorIndex, vecs: np.ndarray) -> list[list[int]]:
    return [[i for i, _ in index.query(v, k=5)] for v in vecs[:20]]


def test_index_answers_exact_neighbours(store) -> None:
    vecs = _fill(store)
    idx = IndexSet(store.paths.indexes, store.embeddings).index("audio")
    assert len(idx) == 200
    for row, v in enumerate(vecs[:20]):
        hits = idx.query(v, k=5)
        assert hits[0][0] == row + 1  # ids are 1-based clip ids
        assert hits[0][1] == pytest.approx(1.0, abs=1e-4)
        brute = np.argsort(-(vecs @ v))[:5] + 1
        assert [h for h, _ in hits] == brute.tolist()
    manifest = json.loads(idx.manifest_path.read_text())
    assert manifest == {"modality": "audio", "model_id": "test-audio-v1", "dim": 128,
                        "space": "cosine", "count": 200, "schema": 1, "stamp": manifest["stamp"]}


@pytest.mark.parametrize("damage", ["delete", "corrupt", "truncate", "stale_manifest", "bad_manifest"])
def test_damaged_index_is_rebuilt_with_same_answers(store, damage: str) -> None:
    vecs = _fill(store)
    first = IndexSet(store.paths.indexes, store.embeddings).index("audio")
    expected = _answers(first, vecs)
    assert first.rebuilds == 1
    if damage == "delete":
        first.bin_path.unlink()
    elif damage == "corrupt":
        data = bytearray(first.bin_path.read_bytes())
        data[:64] = b"\xff" * 64
        first.bin_path.write_bytes(bytes(data))
    elif damage == "truncate":
        first.bin_path.write_bytes(first.bin_path.read_bytes()[:1000])
    elif damage == "stale_manifest":
        m = json.loads(first.manifest_path.read_text())
        m["model_id"] = "old-model"
        first.manifest_path.write_text(json.dumps(m))
    else:
        first.manifest_path.write_text("{not json")
    second = IndexSet(store.paths.indexes, store.embeddings).index("audio")
    assert second.rebuilds == 1, "the damaged index should have been rebuilt from SQLite"
    assert _answers(second, vecs) == expected


def test_intact_index_loads_without_rebuild(store) -> None:
    vecs = _fill(store, 50)
    IndexSet(store.paths.indexes, store.embeddings).index("audio")
    again = IndexSet(store.paths.indexes, store.embeddings).index("audio")
    assert again.rebuilds == 0
    assert again.query(vecs[3], k=1)[0][0] == 4


def test_new_rows_in_sqlite_make_index_stale(store) -> None:
    _fill(store, 30)
    IndexSet(store.paths.indexes, store.embeddings).index("audio")
    c = store.clips.add(Clip(None, "new", "new", "spin", "n.mp4", "hn"))
    v = np.ones(128, np.float32) / np.sqrt(128)
    store.embeddings.put("clip", c.id, "audio", v, "test-audio-v1")
    again = IndexSet(store.paths.indexes, store.embeddings).index("audio")
    assert again.rebuilds == 1
    assert again.query(v, k=1)[0][0] == c.id


def test_add_then_query_and_filter(store) -> None:
    vecs = _fill(store, 40)
    idx = IndexSet(store.paths.indexes, store.embeddings).index("audio")
    hits = idx.query(vecs[0], k=3, exclude={1})
    assert 1 not in [h for h, _ in hits] and len(hits) == 3
    allowed = {5, 6, 7}
    hits = idx.query(vecs[0], k=3, allowed=allowed)
    assert {h for h, _ in hits} <= allowed


def test_wrong_size_or_nan_embeddings_are_refused(store) -> None:
    from bachata_desktop.core.errors import InputError

    c = store.clips.add(Clip(None, "k", "c", "basic", "a.mp4", "h"))
    with pytest.raises(InputError, match="expected 128"):
        store.embeddings.put("clip", c.id, "audio", np.ones(64), "m")
    bad = np.ones(128)
    bad[3] = np.nan
    with pytest.raises(InputError, match="NaN"):
        store.embeddings.put("clip", c.id, "audio", bad, "m")
    assert store.embeddings.get("clip", c.id, "audio") is None
