"""One lazily loaded sentence embedder for the whole process, without torch.

Clip descriptions (library search) and free-text requests (the generator) must live in the same
384-D space, so everyone goes through :class:`TextEmbedder`. The model is all-MiniLM-L6-v2 converted
once to an OpenVINO IR (``packaging/convert_text_model.py``: fp16 weights, mean pooling and L2
normalisation inside the graph) and run with the OpenVINO runtime and the ``tokenizers`` package:
~0.5 s and ~150 MB to load instead of ~8 s and ~1 GB through sentence-transformers and torch, with
the same vectors (cosine >= 0.9999, ``tests/analysis/test_text_embedder_parity.py``). The model id
is unchanged, so embeddings stored by the sentence-transformers build stay valid.

The IR folder ``all-MiniLM-L6-v2-openvino`` is looked up on the model search path (a source
checkout's ``models/``, where ``scripts/setup.sh`` converts it; the installer's bundled ``models/``)
and checked against its sha256 in ``models/manifest.json`` before it is loaded.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from bachata_desktop.core.errors import BachataError, ModelNotFoundError

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_DIR_NAME = "all-MiniLM-L6-v2-openvino"
DIM = 384
MAX_SEQ = 256  # sentence-transformers' max_seq_length for this model
REBUILD = "python packaging/convert_text_model.py (scripts/setup.sh runs it)"


def find_model_path(search_path: list[Path] | None = None) -> Path:
    """The first ``all-MiniLM-L6-v2-openvino`` folder on the search path, verified by sha256.

    Raises ModelNotFoundError (missing) or InputError (incomplete or altered), one line each.
    """
    from bachata_desktop import paths
    from bachata_desktop.analysis.pose.model import ModelFormat, verify

    folders = list(search_path) if search_path is not None else paths.model_search_path()
    for folder in folders:
        cand = Path(folder) / MODEL_DIR_NAME
        if cand.is_dir():
            try:
                verify(cand, ModelFormat.OPENVINO)
            except BachataError as exc:
                raise type(exc)(f"text model: {exc}; rebuild it with {REBUILD}") from exc
            return cand
    where = ", ".join(str(f) for f in folders) or "(no folders)"
    raise ModelNotFoundError(f"text model {MODEL_DIR_NAME} not found (searched {where}); "
                             f"build it with {REBUILD}")


def is_available() -> bool:
    """True when a text model folder is on the search path and verifies (does not load it)."""
    try:
        find_model_path()
    except BachataError:
        return False
    return True


class TextEmbedder:
    """``encode(texts) -> (n, 384) float32``, rows L2-normalised; thread-safe, loaded once."""

    _shared: TextEmbedder | None = None
    _shared_lock = threading.Lock()

    def __init__(self, model_path: Path | None = None) -> None:
        self._path = model_path
        self._compiled: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self.model_id = MODEL_ID
        self.dim = DIM

    @classmethod
    def shared(cls) -> TextEmbedder:
        """The process-wide instance (the model loads on its first :meth:`encode`)."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def _load(self) -> None:
        if self._compiled is not None:
            return
        from bachata_desktop import offline

        offline.harden()  # before openvino: its telemetry module is made unimportable
        path = self._path or find_model_path()
        import openvino as ov
        from tokenizers import Tokenizer

        info = json.loads((path / "text_model.json").read_text(encoding="utf-8"))
        tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        tok.enable_truncation(max_length=int(info.get("max_seq_length", MAX_SEQ)))
        tok.no_padding()  # padded per batch below, to the batch's longest sentence
        core = ov.Core()
        # f32 inference: a CPU with bf16 units would otherwise round activations and drift.
        self._compiled = core.compile_model(str(path / "openvino_model.xml"), "CPU",
                                            {"PERFORMANCE_HINT": "LATENCY",
                                             "INFERENCE_PRECISION_HINT": "f32"})
        self._tokenizer = tok
        self.model_id = str(info.get("model_id", MODEL_ID))

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Embed ``texts``; empty input gives a (0, 384) array."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        with self._lock:
            self._load()
            encs = self._tokenizer.encode_batch([str(t) for t in texts])
            # Similar lengths together: less padding per batch (results do not depend on it).
            order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))
            for start in range(0, len(order), batch_size):
                rows = order[start:start + batch_size]
                width = max(len(encs[i].ids) for i in rows)
                ids = np.zeros((len(rows), width), np.int64)
                mask = np.zeros((len(rows), width), np.int64)
                for r, i in enumerate(rows):
                    n = len(encs[i].ids)
                    ids[r, :n] = encs[i].ids
                    mask[r, :n] = 1
                res = self._compiled({"input_ids": ids, "attention_mask": mask})
                out[rows] = np.asarray(res[0], np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
