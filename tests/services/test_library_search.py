"""Search by words and meaning over the shared clips (real MiniLM), similar moves, the fusion."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bachata_desktop.core.task import NullContext
from bachata_desktop.services.library_import import import_clips
from bachata_desktop.services.search import (
    FUSION_WEIGHTS,
    reembed_text,
    reembed_texts,
    search,
    similar,
    similar_parts,
)
from bachata_desktop.store import Store
from bachata_desktop.store.indexes.hnsw import IndexSet
from bachata_desktop.store.repos import MODALITY_DIMS
from tests.conftest import CLIPS_DIR, need


def _text_model_or_skip() -> None:
    from bachata_desktop.analysis.text.embedder import is_available

    if not is_available():
        pytest.skip("text model IR absent: run python packaging/convert_text_model.py")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """The shared clips imported, their descriptions embedded with the real MiniLM model."""
    from bachata_desktop.paths import app_paths

    need(CLIPS_DIR)
    _text_model_or_skip()
    paths = app_paths(tmp_path_factory.mktemp("search-home")).ensure()
    store = Store.open(paths)
    import_clips(store, [CLIPS_DIR], NullContext(), enqueue_analysis=False)
    indexes = IndexSet(paths.indexes, store.embeddings)
    assert reembed_texts(store, indexes) == store.clips.count() == len(list(CLIPS_DIR.rglob("*.mp4")))
    yield store, indexes
    store.close()


def _categories(hits) -> list[str]:
    return [h.clip.category for h in hits]


def test_words_find_the_named_moves_first(library) -> None:
    store, indexes = library
    hits = search(store, indexes, "hammerlock", k=5)
    n = sum(c.category == "hammerlock" for c in store.clips.list())
    assert _categories(hits)[:n] == ["hammerlock"] * n
    assert all(h.parts["words"] > 0 for h in hits[:n]) and "name" in hits[0].why


@pytest.mark.parametrize(("query", "category"), [
    ("rolling the hips", "hiprolls"),
    ("partner turns", "ladyturn"),
    ("rotation", "ladyturn"),
])
def test_meaning_finds_moves_without_shared_words(library, query: str, category: str) -> None:
    store, indexes = library
    hits = search(store, indexes, query, k=3)
    assert _categories(hits) == [category] * 3
    assert all(h.parts["words"] == 0 and h.parts["meaning"] > 0 for h in hits)


def test_results_stop_where_relevance_ends(library) -> None:
    """A ranking of the whole library is not a search result: unrelated moves are cut off."""
    store, indexes = library
    n = sum(c.category == "hammerlock" for c in store.clips.list())
    hits = search(store, indexes, "hammerlock", k=80)
    assert _categories(hits) == ["hammerlock"] * n          # not the other 75 moves after them
    hips = search(store, indexes, "rolling the hips", k=80)
    assert hips and set(_categories(hips)) == {"hiprolls"}
    assert search(store, indexes, "xylophone quantum", k=80) == []  # nothing in the library


def test_smooth_turn_for_beginners(library) -> None:
    store, indexes = library
    hits = search(store, indexes, "smooth turn for beginners", k=5)
    assert hits[0].clip.category in ("ladyturn", "spin")
    assert Counter(_categories(hits)).most_common(1)[0][0] in ("ladyturn", "spin")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_edit_then_reembed_changes_what_meaning_finds(library) -> None:
    store, indexes = library
    clip = store.clips.get_by_key("slow_basic3")
    try:
        store.clips.update(clip.with_(notes="A dramatic dip to finish the song",
                                      tags=("showstopper",)))
        reembed_text(store, indexes, clip.id)
        assert search(store, indexes, "showstopper", k=1)[0].clip.id == clip.id
        top = search(store, indexes, "dramatic dip to finish", k=3)
        assert clip.id in [h.clip.id for h in top]
        store.clips.delete(clip.id)
        assert clip.id not in [h.clip.id for h in search(store, indexes, "showstopper", k=5)]
    finally:
        store.clips.restore(clip.id)
        store.clips.update(clip)
        reembed_text(store, indexes, clip.id)


def test_similar_moves_rank_the_same_category_first(library) -> None:
    store, indexes = library
    clips = store.clips.list()
    sizes = Counter(c.category for c in clips)
    pure_first = 0
    for c in clips:
        hits = similar(store, indexes, c.id, k=5)
        assert c.id not in [h.clip.id for h in hits] and len(hits) == 5
        same = [h.clip.category == c.category for h in hits]
        # the family block comes first, then the rest; each ranked by the fusion score
        n_same = min(5, sizes[c.category] - 1)
        assert same == [True] * n_same + [False] * (5 - n_same), (c.name, _categories(hits))
        for block in (hits[:n_same], hits[n_same:]):
            assert [h.score for h in block] == sorted((h.score for h in block), reverse=True)
        pure = similar(store, indexes, c.id, k=1, same_category_first=False)
        pure_first += pure[0].clip.category == c.category
    # the fusion alone (here text only: no audio / pose analysed) - measured, 80% when written
    assert pure_first / len(clips) >= 0.7, f"fusion alone: same category first {pure_first}/{len(clips)}"


def test_fusion_weights_and_renormalisation(store) -> None:
    """Synthetic vectors with known cosines: the score is the weighted mean over shared modalities."""
    from bachata_desktop.core.clip import Clip

    rng = np.random.default_rng(3)

    def unit(v):
        return (v / np.linalg.norm(v)).astype(np.float32)

    def orth(v):  # a unit vector orthogonal to v
        r = rng.normal(size=v.shape)
        r -= r.dot(v) * v
        return unit(r)

    base = {m: unit(rng.normal(size=d)) for m, d in MODALITY_DIMS.items()}
    ids = []
    for i in range(4):
        c = store.clips.add(Clip(None, f"c{i}", f"c{i}", "basic", f"basic/{i}.mp4", f"{i:064d}"))
        ids.append(c.id)
    q, a, b, c_ = ids
    for m, v in base.items():
        store.embeddings.put("clip", q, m, v, "syn")
    # a: same text, orthogonal everything else -> 0.35 / 1.0
    for m, v in base.items():
        store.embeddings.put("clip", a, m, v if m == "text" else orth(v), "syn")
    # b: same audio and pose (the move vector and its counts), orthogonal text/lead/follow ->
    # 0.65 (the lead and follow embeddings weigh 0 by default: they find the same dancer, not
    # the same move)
    for m, v in base.items():
        store.embeddings.put("clip", b, m, v if m in ("audio", "interaction", "counts") else orth(v), "syn")
    # c: only text (identical) and audio (orthogonal): renormalised over 0.7 -> 0.5
    store.embeddings.put("clip", c_, "text", base["text"], "syn")
    store.embeddings.put("clip", c_, "audio", orth(base["audio"]), "syn")
    indexes = IndexSet(store.paths.indexes, store.embeddings)
    hits = similar(store, indexes, q, k=3, same_category_first=False)
    got = {h.clip.id: h.score for h in hits}
    assert got[a] == pytest.approx(FUSION_WEIGHTS["text"], abs=1e-3)
    assert got[b] == pytest.approx(FUSION_WEIGHTS["audio"] + FUSION_WEIGHTS["interaction"]
                                   + FUSION_WEIGHTS["counts"], abs=1e-3)
    assert got[c_] == pytest.approx(0.35 / 0.70, abs=1e-3)
    assert [h.clip.id for h in hits] == [b, c_, a]
    assert set(hits[1].parts) == {"text", "audio"}


def test_similar_hits_carry_their_parts_and_flag_the_family_lift(store) -> None:
    """Known vectors: a clip of another family identical in every part, and one of the same family
    sharing only the description. The family rule puts the second first, and says so."""
    from bachata_desktop.core.clip import Clip

    rng = np.random.default_rng(5)

    def unit(v):
        return (v / np.linalg.norm(v)).astype(np.float32)

    def orth(v):
        r = rng.normal(size=v.shape)
        r -= r.dot(v) * v
        return unit(r)

    base = {m: unit(rng.normal(size=d)) for m, d in MODALITY_DIMS.items()}
    q = store.clips.add(Clip(None, "q", "q", "basic", "basic/q.mp4", "1" * 64)).id
    twin = store.clips.add(Clip(None, "twin", "twin", "turn", "turn/t.mp4", "2" * 64)).id
    kin = store.clips.add(Clip(None, "kin", "kin", "basic", "basic/k.mp4", "3" * 64)).id
    for m, v in base.items():
        store.embeddings.put("clip", q, m, v, "syn")
        store.embeddings.put("clip", twin, m, v, "syn")
        store.embeddings.put("clip", kin, m, v if m == "text" else orth(v), "syn")
    indexes = IndexSet(store.paths.indexes, store.embeddings)
    first, second = similar(store, indexes, q, k=2)
    assert (first.clip.id, second.clip.id) == (kin, twin)
    assert first.same_family and first.lifted and not second.same_family and not second.lifted
    assert set(first.parts) == {"text", "audio", "interaction", "counts"}  # pose: move vector, counts
    assert first.parts["text"] == pytest.approx(1.0, abs=1e-4)
    line = similar_parts(first)
    assert line.startswith("pose 0.") or line.startswith("pose -0.")
    assert "description 1.00" in line and line.endswith("· label: same family (moved up)")
    assert similar_parts(second) == "pose 1.00 · music 1.00 · description 1.00"
    # the fusion alone: the twin first, nothing lifted
    pure = similar(store, indexes, q, k=2, same_category_first=False)
    assert pure[0].clip.id == twin and not any(h.lifted for h in pure)
    assert pure[1].same_family and similar_parts(pure[1]).endswith("· label: same family")


def test_cli_search_and_similar(library, monkeypatch, capsys) -> None:
    from bachata_desktop.cli import run_cli

    store, _ = library
    monkeypatch.setenv("BACHATA_HOME", str(Path(store.paths.data).parent))
    assert run_cli(["library", "search", "partner turns", "--json", "-k", "3"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["move_label"] for r in rows] == ["ladyturn"] * 3
    assert set(rows[0]) >= {"clip_id", "name", "move_label", "score"}
    assert run_cli(["library", "similar", "slow_basic3", "--json"]) == 0
    by_key = json.loads(capsys.readouterr().out)
    cid = store.clips.get_by_key("slow_basic3").id
    assert run_cli(["library", "similar", str(cid), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == by_key
    assert cid not in [r["clip_id"] for r in by_key]
    assert run_cli(["library", "similar", "no_such_clip"]) == 2
    assert "no clip" in capsys.readouterr().err
