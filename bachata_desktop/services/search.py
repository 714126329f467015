"""Finding moves: one ranked list from words and meaning, and "similar moves" for a clip.

``search`` merges a plain text match over names, category, tags and notes (what the instructor
typed literally) with a semantic match (the query's MiniLM embedding against the clips' description
embeddings in the hnswlib ``text`` index), so "hammerlock" finds the clip named so first and "smooth
turn for beginners" still finds lady turns and spins. Score = 0.6 x meaning + 0.4 x words.

``similar`` ranks clips by the fusion of DESIGN.md: 0.35 text + 0.35 audio + 0.30 pose cosine
similarity, with the weights renormalised over the modalities both clips have (a clip whose
dancers were not found still compares by text and audio). Pose is the couple's move vector (the
``interaction`` embedding, ``analysis.pose.move_metric``, role-free) and, since embedding version
4, its pose on the clip's 8-count cycle (the ``counts`` embedding, ``analysis.pose.move_vector``;
a clip without a beat grid has none and compares by the rest), in equal shares: 1-NN same move
label 0.425 by clip / 0.3125 by recording session on the 80 shared clips, nested, against 0.30 /
0.25 for the move vector alone and 0.26 / 0.21 for the three version-2 embeddings
(``benchmarks/bench_pose_move.py``); the lead and follow embeddings weigh 0 by default because
each finds the same dancer rather than the same move (0.15), and can still be asked for.

``reembed_text`` refreshes a clip's description embedding after an edit.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bachata_desktop.core.clip import Clip, category_label
from bachata_desktop.core.errors import InputError

log = logging.getLogger(__name__)

# pose 0.30 = the couple's move vector and its pose on the 8-count cycle, equal shares
FUSION_WEIGHTS: dict[str, float] = {"text": 0.35, "audio": 0.35, "lead": 0.0, "follow": 0.0,
                                    "interaction": 0.15, "counts": 0.15}
SEMANTIC_WEIGHT = 0.6
LEXICAL_WEIGHT = 0.4
# Relevance cut-off: a hit without a word match must mean something (MiniLM cosine >= MIN_MEANING)
# and score at least RELATIVE_CUT x the best hit. Measured on the 80 shared clips: unrelated moves
# sit at cosine 0.15-0.30 ("hammerlock" -> hip rolls 0.26, cut by the relative rule), the intended
# family at 0.28-0.74; a query about nothing in the library ("xylophone quantum") peaks at 0.21
# and now finds nothing.
MIN_MEANING = 0.25
RELATIVE_CUT = 0.6
# field weights of the plain text match
_FIELDS = (("name", 1.0), ("category", 0.8), ("tags", 0.8), ("notes", 0.5), ("teaching_notes", 0.5))
_STOP = frozenset({"a", "an", "the", "and", "or", "for", "with", "of", "to", "in", "on", "me",
                   "some", "move", "moves", "clip", "clips"})


@dataclass(frozen=True)
class SearchHit:
    """One result: the clip, its score in [0, 1] (higher is better) and a short reason."""

    clip: Clip
    score: float
    why: str
    parts: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
    # similar(): the hit is of the query clip's move family, and the "same family first" rule put
    # it above a clip of another family that the fusion alone scores higher
    same_family: bool = field(default=False, compare=False)
    lifted: bool = field(default=False, compare=False)


# how "Similar moves" orders its hits, in the instructor's words (the library banner shows it)
SIMILAR_ORDER = "same family first, then by pose + music + description"
_POSE = ("lead", "follow", "interaction", "counts")


def similar_parts(hit: SearchHit) -> str:
    """One line of what ranked a similar-moves hit, e.g.
    "pose 0.62 · music 0.40 · description 0.55 · label: same family" (pose: the move vectors' cosine, or
    the mean of the pose cosines asked for; a part neither clip has is left out; "same family" is
    the label, never part of the pose figure)."""
    bits = []
    pose = [hit.parts[m] for m in _POSE if m in hit.parts]
    if pose:
        bits.append(f"pose {sum(pose) / len(pose):.2f}")
    if "audio" in hit.parts:
        bits.append(f"music {hit.parts['audio']:.2f}")
    if "text" in hit.parts:
        bits.append(f"description {hit.parts['text']:.2f}")
    if hit.lifted:  # the label, kept apart from the pose figure so neither passes for the other
        bits.append("label: same family (moved up)")
    elif hit.same_family:
        bits.append("label: same family")
    return " · ".join(bits)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("_", " ")


def tokens(text: str) -> list[str]:
    words = re.findall(r"\w+", _fold(text))
    return [w for w in words if w not in _STOP and len(w) > 1] or [w for w in words if w]


def _live_ids(store: Any, ids: list[int]) -> set[int]:
    out: set[int] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" for _ in chunk)
        out.update(int(r[0]) for r in store.db.query(
            f"SELECT id FROM clips WHERE deleted_at IS NULL AND id IN ({marks})", tuple(chunk)))
    return out


class _WordIndex:
    """Folded words of every live clip's name, category, tags and notes, word -> postings.

    Built once and cached per database until the clips change (count, newest edit, text length),
    so a search over 10,000 clips scans a vocabulary of words, not 10,000 rows.
    """

    def __init__(self, rows: list[Any]) -> None:
        self.ids: list[int] = []
        self.names: list[str] = []
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for row_no, r in enumerate(rows):
            self.ids.append(int(r["id"]))
            texts = (r["name"], f"{r['category']} {category_label(r['category'])}",
                     " ".join(json.loads(r["tags"] or "[]")), r["notes"], r["teaching_notes"])
            folded = [_fold(t) for t in texts]
            self.names.append(folded[0])
            for field_no, text in enumerate(folded):
                for w in set(re.findall(r"\w+", text)):
                    self.postings.setdefault(w, []).append((row_no, field_no))

    def score(self, words: list[str]) -> dict[int, tuple[float, str]]:
        best: dict[int, dict[str, tuple[float, str]]] = {}
        for w in words:
            for tok, posts in self.postings.items():
                if tok == w:
                    factor = 1.0
                elif tok.startswith(w) or (len(w) >= 4 and w in tok):
                    factor = 0.8
                else:
                    continue
                for row_no, field_no in posts:
                    name, weight = _FIELDS[field_no]
                    hit = factor * weight
                    per_row = best.setdefault(row_no, {})
                    if hit > per_row.get(w, (0.0, ""))[0]:
                        per_row[w] = (hit, name)
        phrase = " ".join(words)
        out: dict[int, tuple[float, str]] = {}
        for row_no, per_word in best.items():
            score = sum(h for h, _ in per_word.values()) / len(words)
            if len(words) > 1 and phrase in self.names[row_no]:
                score += 0.2
            why = ", ".join(f"{per_word[w][1]} '{w}'" for w in words if w in per_word)
            out[self.ids[row_no]] = (min(1.0, score), why)
        return out


_word_indexes: dict[str, tuple[tuple[Any, ...], _WordIndex]] = {}
_word_lock = threading.Lock()
_STAMP_SQL = ("SELECT COUNT(*), MAX(updated_at), MAX(id), TOTAL(LENGTH(name) + LENGTH(category) + "
              "LENGTH(tags) + LENGTH(notes) + LENGTH(teaching_notes)) FROM clips "
              "WHERE deleted_at IS NULL")


def _word_index(store: Any) -> _WordIndex:
    stamp = tuple(store.db.query_one(_STAMP_SQL))
    key = str(store.db.path)
    with _word_lock:
        cached = _word_indexes.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    rows = store.db.query("SELECT id, name, category, tags, notes, teaching_notes FROM clips "
                          "WHERE deleted_at IS NULL")
    index = _WordIndex(rows)
    with _word_lock:
        _word_indexes[key] = (stamp, index)
    return index


def lexical_scores(store: Any, text: str) -> dict[int, tuple[float, str]]:
    """Clips whose name, category, tags or notes contain the query's words: id -> (0..1, why).

    A word counts fully when it is a whole word of the field, 0.8 when it starts one (or, from 4
    letters, is inside one); fields weigh name 1.0, category and tags 0.8, notes 0.5. Accents and
    case are folded on both sides.
    """
    words = tokens(text)
    if not words:
        return {}
    return _word_index(store).score(words)


def query_embedding(text: str) -> tuple[np.ndarray, str] | None:
    """(384-D query vector, model id), or None when the text model is not installed."""
    try:
        from bachata_desktop.analysis.text.embedder import TextEmbedder

        emb = TextEmbedder.shared()
        return np.asarray(emb.encode([text])[0], np.float32), str(emb.model_id)
    except Exception as exc:  # model missing or failing: words-only search still works
        log.warning("semantic search unavailable: %s", exc)
        return None


def search(store: Any, indexes: Any, text: str, k: int = 20) -> list[SearchHit]:
    """Clips matching ``text`` by words and by meaning, best first (empty query: no results)."""
    text = (text or "").strip()
    if not text or k <= 0:
        return []
    lexical = lexical_scores(store, text)
    semantic: dict[int, float] = {}
    q = query_embedding(text) if indexes is not None else None
    if q is not None:
        index = indexes.index("text")
        want = max(3 * k, 50)
        for cid, cos in index.query(q[0], k=want):
            semantic[cid] = max(0.0, float(cos))
    live = set(lexical) | _live_ids(store, sorted(set(semantic) - set(lexical)))
    scored = sorted(((SEMANTIC_WEIGHT * semantic.get(cid, 0.0)
                      + LEXICAL_WEIGHT * lexical.get(cid, (0.0, ""))[0]
                      if semantic else lexical[cid][0], cid)
                     for cid in live), key=lambda t: (-t[0], t[1]))
    best = scored[0][0] if scored else 0.0
    scored = [(s, cid) for s, cid in scored
              if lexical.get(cid, (0.0, ""))[0] > 0
              or (semantic.get(cid, 0.0) >= MIN_MEANING and s >= RELATIVE_CUT * best)][:k]
    clips = store.clips.get_many([cid for _, cid in scored])
    hits = []
    for score, cid in scored:
        if cid not in clips:
            continue
        lex, why_lex = lexical.get(cid, (0.0, ""))
        sem = semantic.get(cid, 0.0)
        reasons = [f"matches {why_lex}"] if why_lex else []
        if cid in semantic:
            reasons.append(f"meaning {sem:.2f}")
        hits.append(SearchHit(clips[cid], round(score, 6), "; ".join(reasons),
                              {"words": lex, "meaning": sem}))
    return hits


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, np.float32).reshape(-1)
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-12 else v


def _query_vectors(store: Any, clip: Clip, weights: dict[str, float]) -> dict[str, np.ndarray]:
    vecs: dict[str, np.ndarray] = {}
    for modality in weights:
        v = store.embeddings.get("clip", clip.id, modality)
        if v is not None and np.any(v):
            vecs[modality] = _unit(v)
    if "text" in weights and "text" not in vecs:  # not analysed yet: its description is enough for the text part
        q = query_embedding(clip.description)
        if q is not None:
            vecs["text"] = _unit(q[0])
    return vecs


def _stored_vectors(store: Any, modality: str, ids: list[int]) -> dict[int, np.ndarray]:
    """Vectors from SQLite in a few queries (10x faster than hnswlib's get_items here)."""
    out: dict[int, np.ndarray] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" for _ in chunk)
        for r in store.db.query(
                "SELECT owner_id, vector FROM embeddings WHERE owner_kind='clip' AND modality=? "
                f"AND owner_id IN ({marks})", (modality, *chunk)):
            out[int(r[0])] = np.frombuffer(r[1], dtype="<f4")
    return out


def similar(store: Any, indexes: Any, clip_id: int, k: int = 10,
            weights: dict[str, float] | None = None,
            same_category_first: bool = True) -> list[SearchHit]:
    """The clips most like ``clip_id`` by trimodal fusion, best first (the clip itself excluded).

    With ``same_category_first`` (the default) the clips of the same move family come first, each
    group ranked by the fusion score: an instructor asking for moves like a hammerlock wants the
    other hammerlocks before a look-alike from another family. On the shared clips the fusion
    alone ranks a same-family clip first for about two thirds of the clips (text carries it; the
    clips' music and pose embeddings say little about the family), see benchmarks/bench_library.
    ``weights`` (default :data:`FUSION_WEIGHTS`) may name a subset of the modalities, e.g.
    ``{"lead": 1.0}`` for "moves where the lead does something similar".
    """
    weights = {m: w for m, w in (weights or FUSION_WEIGHTS).items() if w > 0}
    clip = store.clips.get(clip_id)
    if clip is None:
        raise InputError(f"no clip {clip_id} in the library")
    qv = _query_vectors(store, clip, weights)
    if not qv:
        return []
    want = max(5 * k, 100)
    sims: dict[str, dict[int, float]] = {}
    for modality, v in qv.items():
        sims[modality] = {cid: float(s) for cid, s in
                          indexes.index(modality).query(v, k=want, exclude={clip_id})}
    pool = set().union(*[set(s) for s in sims.values()])
    family: set[int] = set()
    if same_category_first:  # every clip of the family competes, not only the nearest ones
        family = {int(r[0]) for r in store.db.query(
            "SELECT id FROM clips WHERE category=? AND deleted_at IS NULL LIMIT 5000",
            (clip.category,))}
        pool.update(family)
    live = _live_ids(store, sorted(pool - {clip_id}))
    cand = np.array(sorted(live), dtype=np.int64)
    if cand.size == 0:
        return []
    mods = list(qv)
    pos = {int(c): i for i, c in enumerate(cand.tolist())}
    table = np.full((cand.size, len(mods)), np.nan)    # candidate x modality cosine (NaN: absent)
    for j, modality in enumerate(mods):
        for cid, sim in sims[modality].items():
            if cid in pos:
                table[pos[cid], j] = sim
        missing = cand[np.isnan(table[:, j])].tolist()  # outside the top list: exact, in one go
        found = _stored_vectors(store, modality, missing)
        if found:
            mat = np.stack(list(found.values()))
            norms = np.linalg.norm(mat, axis=1)
            cos = (mat @ qv[modality]) / np.maximum(norms, 1e-12)
            rows = [pos[c] for c in found]
            table[rows, j] = np.where(norms > 1e-12, cos, np.nan)
    w = np.array([weights[m] for m in mods])
    present = ~np.isnan(table)
    wsum = present @ w
    score = np.where(present, table, 0.0) @ w / np.maximum(wsum, 1e-12)
    in_family = np.isin(cand, np.fromiter(family, np.int64, len(family)))
    order = np.lexsort((cand, -score, ~in_family))
    order = order[wsum[order] > 0]
    # the best fused score outside the family: a family hit below it is there by the rule alone
    outside = score[(wsum > 0) & ~in_family]
    best_outside = float(outside.max()) if outside.size else -np.inf
    scored = []
    for i in order[:k].tolist():
        parts = {m: float(table[i, j]) for j, m in enumerate(mods) if present[i, j]}
        lifted = bool(in_family[i]) and float(score[i]) < best_outside
        scored.append((float(score[i]), int(cand[i]), parts, lifted))
    top = scored[:k]
    clips = store.clips.get_many([cid for _, cid, _, _ in top])
    hits = []
    for fused, cid, parts, lifted in top:
        if cid not in clips:
            continue
        why = ", ".join(f"{m} {parts[m]:.2f}" for m in weights if m in parts)
        same = clips[cid].category == clip.category
        if same:
            why = f"same category; {why}"
        hits.append(SearchHit(clips[cid], round(fused, 6), why, parts, same, lifted))
    return hits


def reembed_text(store: Any, indexes: Any, clip_id: int) -> None:
    """Embed the clip's (edited) description again, store it, and update the text index."""
    if store.clips.get(clip_id, include_deleted=True) is None:
        raise InputError(f"no clip {clip_id} in the library")
    reembed_texts(store, indexes, [clip_id])


def reembed_texts(store: Any, indexes: Any, clip_ids: list[int] | None = None,
                  missing_only: bool = False) -> int:
    """Embed many clips' descriptions in one batch (default: every clip); returns how many.

    Much faster than one clip at a time; used after an import so that search by meaning works
    before the slower pose analysis of the queue has reached every clip.
    """
    from bachata_desktop.analysis.text.embedder import TextEmbedder

    ids = list(clip_ids) if clip_ids is not None else store.clips.ids()
    if missing_only:
        ids = [i for i in ids if store.embeddings.get("clip", i, "text") is None]
    clips = store.clips.get_many(ids)
    ids = [i for i in ids if i in clips]
    if not ids:
        return 0
    emb = TextEmbedder.shared()
    texts = [clips[i].description for i in ids]
    vecs = np.asarray(emb.encode(texts), np.float32)
    model_id = str(emb.model_id)
    written: list[int] = []
    with store.db.write():
        for i, text, vec in zip(ids, texts, vecs, strict=True):
            current = store.clips.get(i, include_deleted=True)
            if current is None:
                continue
            if current.description != text:  # edited meanwhile: embed what is stored now
                vec = np.asarray(emb.encode([current.description])[0], np.float32)
                vecs[ids.index(i)] = vec
            store.embeddings.put("clip", i, "text", vec, model_id)
            written.append(i)
    if indexes is not None and written:
        index = indexes.index("text")
        pos = [ids.index(i) for i in written]
        index.add(written, vecs[pos], model_id=model_id)
        index.save()
    return len(written)


__all__ = ["FUSION_WEIGHTS", "SIMILAR_ORDER", "SearchHit", "lexical_scores", "query_embedding", "reembed_text",
           "reembed_texts", "search", "similar", "similar_parts", "tokens"]
