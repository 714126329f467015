"""Issue 16 acceptance: seeded random mutations of valid documents, fed to the real CLI.

Four formats, each taken from a valid document this app writes: an annotations file
(``library import``), a choreography (``export-video``), a shared plan (``plan import``: its
plan.json or manifest.json) and a library backup (``library restore``: its manifest, or its bytes).
Every mutation is one that makes the document invalid (a wrong type at a random field, a NUL or a
lone surrogate in a random string, NaN, a duplicate key, deep nesting, a cut-off file, a flipped
byte), so each run must end with exactly one line on stderr (progress lines aside), a non-zero exit
and the library's data folder unchanged (hash of every file and every row).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bachata_desktop.core.task import RecordingContext
from tests.conftest import REPO
from tests.library_state import data_fingerprint

SEED = 1616
PER_FORMAT = 6
PROGRESS = re.compile(r"^[\w .-]+: +\d+\.\d% ")


# -- mutations of a JSON document (each one always invalid) -------------------------------------
def _leaves(doc: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(doc, dict):
        return [p for k, v in doc.items() for p in _leaves(v, (*path, k))]
    if isinstance(doc, list):
        return [p for i, v in enumerate(doc) for p in _leaves(v, (*path, i))]
    return [path] if path else []


def _set_at(doc: Any, path: tuple, value: Any) -> None:
    for k in path[:-1]:
        doc = doc[k]
    doc[path[-1]] = value


def mutate_json(text: str, rng: random.Random) -> tuple[str, str]:
    """(mutated text, what was done); the text is no longer a valid document."""
    doc = json.loads(text)
    leaves = _leaves(doc)
    strings = [p for p in leaves if isinstance(_get(doc, p), str)]
    numbers = [p for p in leaves if isinstance(_get(doc, p), (int, float))
               and not isinstance(_get(doc, p), bool)]
    kind = rng.choice(["wrong type", "nul", "surrogate", "nan", "duplicate key", "deep", "cut"])
    if kind == "nul" and strings:
        p = rng.choice(strings)
        _set_at(doc, p, _get(doc, p) + "\x00")
    elif kind == "surrogate" and strings:
        p = rng.choice(strings)
        out = json.dumps(doc)
        marker = json.dumps(_get(doc, p))
        return out.replace(marker, marker[:-1] + '\\ud800"', 1), f"{kind} at {p}"
    elif kind == "nan" and numbers:
        p = rng.choice(numbers)
        _set_at(doc, p, "__NAN__")
        return json.dumps(doc).replace('"__NAN__"', "NaN", 1), f"{kind} at {p}"
    elif kind == "duplicate key":
        k = next(iter(doc))
        return json.dumps(doc).replace("{", "{" + json.dumps(k) + ": null, ", 1), kind
    elif kind == "deep" and leaves:
        p = rng.choice(leaves)
        _set_at(doc, p, "__DEEP__")
        n = rng.randint(40, 50_000)
        return json.dumps(doc).replace('"__DEEP__"', "[" * n + "]" * n, 1), f"{kind} {n} at {p}"
    elif kind == "cut":
        out = json.dumps(doc)
        return out[:rng.randint(1, len(out) - 1)], kind
    else:
        kind = "wrong type"
        p = rng.choice(leaves)
        _set_at(doc, p, rng.choice([[[]], {"x": [1]}, [None]]))
    return json.dumps(doc), f"{kind}"


def _get(doc: Any, path: tuple) -> Any:
    for k in path:
        doc = doc[k]
    return doc


# -- the library and the valid documents ---------------------------------------------------------
@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, shared_clips_dir: Path) -> dict[str, Any]:
    from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment, SegmentKind
    from bachata_desktop.paths import app_paths
    from bachata_desktop.services import plans
    from bachata_desktop.services.backup import export_library
    from bachata_desktop.services.library_import import import_clips
    from bachata_desktop.store import Store
    from tests.services.test_video_export import make_choreo, write_song

    root = tmp_path_factory.mktemp("fuzz")
    home = root / "home"
    src = root / "clips"
    (src / "basic").mkdir(parents=True)
    for name, rel in (("a.mp4", "basic/slow_basic3.mp4"), ("b.mp4", "spin/spin2.mp4")):
        (src / "basic" / name).write_bytes((shared_clips_dir / rel).read_bytes())
    annotations = json.dumps({"clips": [
        {"clip_id": "a", "video_path": "basic/a.mp4", "move_label": "basic", "difficulty": "low",
         "energy_level": "low", "estimated_tempo": 120},
        {"clip_id": "b", "video_path": "basic/b.mp4", "move_label": "spin", "difficulty": "high",
         "energy_level": "high", "estimated_tempo": "130"}]})
    store = Store.open(app_paths(home).ensure())
    try:
        ids = [c.id for c in import_clips(store, [src / "basic" / "a.mp4"],
                                          RecordingContext()).imported]
        plan = plans.save_plan(store, ClassPlan("Martes", "2026-11-24", "beginner", 60, (
            Segment(SegmentKind.WARMUP, items=(PlanItem(ItemKind.EXERCISE, "Isolations", 8),)),
            Segment(SegmentKind.PATTERN, items=(PlanItem(ItemKind.MOVE, "A", 10, ref_id=ids[0],
                                                          counts=8),)))))
        bundle = plans.export_bundle(store, plan, root / "good.bbplan")
        backup = root / "good.zip"
        export_library(store, backup, RecordingContext())
    finally:
        store.close()
    song = write_song(root / "song.wav", 13.0)
    choreo = json.dumps(make_choreo(song, 13.0, ids, 2).to_dict())
    return {"root": root, "home": home, "src": src, "annotations": annotations,
            "bundle": bundle, "backup": backup, "choreo": choreo, "song": song}


def _zip_with(good: Path, dst: Path, member: str, data: bytes, rehash: bool) -> Path:
    with zipfile.ZipFile(good) as zf:
        members = [(i.filename, zf.read(i), i.compress_type) for i in zf.infolist()]
    members = [(n, data if n == member else d, c) for n, d, c in members]
    if rehash and member == "plan.json":
        man = json.loads(next(d for n, d, _ in members if n == "manifest.json"))
        man["files"]["plan.json"] = hashlib.sha256(data).hexdigest()
        members = [(n, json.dumps(man).encode() if n == "manifest.json" else d, c)
                   for n, d, c in members]
    with zipfile.ZipFile(dst, "w") as zf:
        for n, d, c in members:
            zf.writestr(n, d, compress_type=c)
    return dst


def _member_text(archive: Path, member: str) -> str:
    with zipfile.ZipFile(archive) as zf:
        return zf.read(member).decode("utf-8")


def _case_annotations(w: dict, rng: random.Random, out: Path) -> tuple[list[str], str]:
    text, what = mutate_json(w["annotations"], rng)
    folder = out / "clips"
    folder.mkdir()
    for f in (w["src"] / "basic").iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "bachata_annotations.json").write_text(text, "utf-8", errors="surrogatepass")
    return ["library", "import", str(folder), "--no-analyze"], what


def _case_choreography(w: dict, rng: random.Random, out: Path) -> tuple[list[str], str]:
    text, what = mutate_json(w["choreo"], rng)
    f = out / "choreo.json"
    f.write_text(text, "utf-8", errors="surrogatepass")
    return ["export-video", str(f), str(out / "video.mp4"), "--song", str(w["song"])], what


def _case_plan(w: dict, rng: random.Random, out: Path) -> tuple[list[str], str]:
    member = rng.choice(["plan.json", "manifest.json"])
    text, what = mutate_json(_member_text(w["bundle"], member), rng)
    bad = _zip_with(w["bundle"], out / "bad.bbplan", member,
                    text.encode("utf-8", "surrogatepass"), rehash=rng.random() < 0.8)
    return ["plan", "import", str(bad)], f"{member}: {what}"


def _case_backup(w: dict, rng: random.Random, out: Path) -> tuple[list[str], str]:
    bad = out / "bad.zip"
    how = rng.choice(["manifest", "manifest", "flip", "cut"])
    if how == "manifest":
        text, what = mutate_json(_member_text(w["backup"], "manifest.json"), rng)
        _zip_with(w["backup"], bad, "manifest.json", text.encode("utf-8", "surrogatepass"), False)
        return ["library", "restore", str(bad)], f"manifest: {what}"
    data = bytearray(w["backup"].read_bytes())
    if how == "flip":
        with zipfile.ZipFile(w["backup"]) as zf:
            info = rng.choice([i for i in zf.infolist() if i.file_size > 0])
            start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        at = start + rng.randrange(max(1, info.compress_size))
        data[at] ^= 0xFF
        what = f"flipped a byte of {info.filename}"
    else:
        data = data[:rng.randint(1, len(data) - 1)]
        what = f"cut to {len(data)} bytes"
    bad.write_bytes(bytes(data))
    return ["library", "restore", str(bad)], what


FORMATS: dict[str, Callable[[dict, random.Random, Path], tuple[list[str], str]]] = {
    "annotations": _case_annotations, "choreography": _case_choreography,
    "plan": _case_plan, "backup": _case_backup,
}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_random_mutations_give_one_line_and_change_nothing(world: dict, fmt: str,
                                                           tmp_path: Path) -> None:
    rng = random.Random(f"{SEED}-{fmt}")
    env = {**os.environ, "BACHATA_HOME": str(world["home"]), "PYTHONPATH": str(REPO)}
    data = world["home"] / "data"
    before = data_fingerprint(data)
    for n in range(PER_FORMAT):
        out = tmp_path / f"case{n}"
        out.mkdir()
        args, what = FORMATS[fmt](world, rng, out)
        r = subprocess.run([sys.executable, "-m", "bachata_desktop", *args], env=env,
                           capture_output=True, text=True, errors="replace", timeout=300)
        lines = [ln for ln in r.stderr.strip().splitlines() if not PROGRESS.match(ln)]
        where = f"{fmt} case {n} ({what}): rc {r.returncode}, stderr {r.stderr[-1500:]!r}"
        assert r.returncode != 0, where
        assert len(lines) == 1 and "Traceback" not in r.stderr, where
        assert "unexpected error" not in lines[0], where   # refused by a check, not the net
        assert data_fingerprint(data) == before, where
        assert not (out / "video.mp4").exists(), where
