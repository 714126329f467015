"""Class plans in the store: autosave survives a kill, PDF/HTML export, share and import safely."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from bachata_desktop.core.clip import Clip
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment, SegmentKind
from bachata_desktop.services import plans

REPO = Path(__file__).resolve().parents[2]


def _clip_file(store, name: str, payload: bytes) -> Clip:
    rel = f"basic/{name}"
    target = store.paths.media / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(payload)
    return store.clips.add(Clip(None, name, name.replace(".mp4", ""), "basic", rel,
                                hashlib.sha256(payload).hexdigest(), counts=8))


def _plan(clip_ids: list[int]) -> ClassPlan:
    moves = tuple(PlanItem(ItemKind.MOVE, f"Move {c}", 10, ref_id=c, counts=8) for c in clip_ids)
    return ClassPlan("Martes sensual ñ", "2026-11-24", "intermediate", 60, (
        Segment(SegmentKind.WARMUP, items=(PlanItem(ItemKind.EXERCISE, "Isolations", 8, notes="slow"),)),
        Segment(SegmentKind.PATTERN, items=moves)))


def test_save_load_duplicate(store) -> None:
    c = _clip_file(store, "a.mp4", b"video-a")
    saved = plans.save_plan(store, _plan([c.id]))
    assert saved.id is not None
    assert plans.load_plan(store, saved.id) == saved
    dup = plans.duplicate_plan(store, saved.id)
    assert dup.id != saved.id and dup.title.endswith("(copy)")
    assert [p.id for p in plans.list_plans(store)] == [saved.id, dup.id]
    with pytest.raises(InputError, match="no class plan"):
        plans.load_plan(store, 999)


def test_autosave_and_recover(store) -> None:
    p = plans.save_plan(store, _plan([]))
    path = plans.autosave(store.paths.autosave, p.with_(title="edited"))
    recovered = plans.recover_autosaves(store.paths.autosave)
    assert [(r[0], r[1].title) for r in recovered] == [(path, "edited")]
    plans.clear_autosave(store.paths.autosave, p)
    assert plans.recover_autosaves(store.paths.autosave) == []


KILLER = r"""
import sys
from pathlib import Path
from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment, SegmentKind
from bachata_desktop.services.plans import autosave
folder = Path(sys.argv[1])
big = "x" * 15_000  # long notes make each write take a while
i = 0
while True:
    items = tuple(PlanItem(ItemKind.EXERCISE, f"item {i}-{k}", 5, notes=big) for k in range(60))
    plan = ClassPlan(f"version {i}", segments=(Segment(SegmentKind.PRACTICE, items=items),), id=1)
    autosave(folder, plan)
    if i == 0:
        print("ready", flush=True)
    i += 1
"""


def test_killing_during_autosave_keeps_last_good_plan(tmp_path: Path) -> None:
    folder = tmp_path / "autosave"
    for attempt in range(3):
        proc = subprocess.Popen([sys.executable, "-c", KILLER, str(folder)], cwd=REPO,
                                stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(0.3 + 0.17 * attempt)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        recovered = plans.recover_autosaves(folder)
        assert len(recovered) == 1, "the autosave file is missing or unreadable after a kill"
        plan = recovered[0][1]
        assert plan.title.startswith("version ")
        assert len(plan.items()) == 60  # whole, never half-written


def test_html_and_pdf_export(store, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    c = _clip_file(store, "lady.mp4", b"video-l")
    plan = plans.save_plan(store, _plan([c.id]))
    html = plans.plan_html(store, plan)
    assert "Martes sensual ñ" in html and "Isolations" in html and "Basic · beginner · 8 counts" in html
    from bachata_desktop.ui.print_pdf import html_to_pdf

    out = html_to_pdf(html, tmp_path / "plan ñ.pdf", title=plan.title)
    from PySide6.QtWidgets import QApplication

    # the application it made (if any) must be able to host widgets later in this process
    assert isinstance(QApplication.instance(), QApplication)
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(out).pages).split())
    assert "Martes sensual" in text and "Isolations" in text and "Warm-up" in text
    assert not list(tmp_path.glob("*.partial"))


def test_cli_plan_export_pdf(store, tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    plan = plans.save_plan(store, _plan([]))
    store.close()
    out = tmp_path / "out.pdf"
    r = subprocess.run([sys.executable, "-m", "bachata_desktop", "plan", "export", str(plan.id), str(out)],
                       cwd=REPO, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:5] == b"%PDF-"
    r = subprocess.run([sys.executable, "-m", "bachata_desktop", "plan", "export", "77", str(out)],
                       cwd=REPO, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 2 and "no class plan with id 77" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_share_then_import_on_another_machine(store, tmp_path: Path, shared_clips_dir: Path) -> None:
    from bachata_desktop.paths import app_paths
    from bachata_desktop.store import Store

    video_a = (shared_clips_dir / "basic" / "slow_basic3.mp4").read_bytes()
    video_b = (shared_clips_dir / "spin" / "spin2.mp4").read_bytes()
    a, b = _clip_file(store, "a.mp4", video_a), _clip_file(store, "b.mp4", video_b)
    plan = plans.save_plan(store, _plan([a.id, b.id]))
    bundle = plans.export_bundle(store, plan, tmp_path / "class.bbplan")
    other = Store.open(app_paths(tmp_path / "other-machine").ensure())
    try:
        _clip_file(other, "same-b.mp4", video_b)  # already has clip b under another name
        result = plans.import_bundle(other, bundle)
        assert (result.clips_added, result.clips_matched) == (1, 1)
        got = result.plan
        assert got.to_dict()["segments"][0] == plan.to_dict()["segments"][0]
        assert [i.title for i in got.items()] == [i.title for i in plan.items()]
        moved = [other.clips.get(i.ref_id) for i in got.items() if i.kind is ItemKind.MOVE]
        assert sorted(m.content_hash for m in moved) == sorted([a.content_hash, b.content_hash])
        assert all(other.media_file(m.media_path).exists() for m in moved)
        new = next(m for m in moved if m.content_hash == a.content_hash)
        assert new.duration_s > 1.0 and new.fps > 0 and new.width > 0  # probed on import
    finally:
        other.close()


def _tamper(src: Path, dst: Path, edit) -> Path:
    with zipfile.ZipFile(src) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    edit(members)
    with zipfile.ZipFile(dst, "w") as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    return dst


def _rehash(members: dict[str, bytes]) -> None:
    man = json.loads(members["manifest.json"])
    man["files"] = {n: hashlib.sha256(b).hexdigest() for n, b in members.items() if n != "manifest.json"}
    members["manifest.json"] = json.dumps(man).encode()


def _add_traversal(m):
    m["../../evil.txt"] = b"owned"
    _rehash(m)


def _dup_ids(m):
    d = json.loads(m["plan.json"])
    d["segments"][1]["items"][0]["id"] = d["segments"][0]["items"][0]["id"]
    m["plan.json"] = json.dumps(d).encode()
    _rehash(m)


@pytest.mark.parametrize("edit, message", [
    (_add_traversal, "escapes"),
    (lambda m: m.update({"plan.json": b'{"title": "changed"}'}), "Checksum mismatch"),
    (lambda m: (m.update({"plan.json": b"{not json"}), _rehash(m)), "not valid JSON"),
    (_dup_ids, "duplicate"),
    (lambda m: m.pop("manifest.json"), "missing plan.json or manifest.json"),
])
def test_hostile_bundles_change_nothing(store, tmp_path: Path, edit, message) -> None:
    a = _clip_file(store, "a.mp4", b"video-a")
    plan = plans.save_plan(store, _plan([a.id]))
    good = plans.export_bundle(store, plan, tmp_path / "good.bbplan")
    bad = _tamper(good, tmp_path / "bad.bbplan", edit)
    before = (len(store.plans.list()), store.clips.count(), sorted(p.name for p in store.paths.media.rglob("*")))
    with pytest.raises(InputError, match=message):
        plans.import_bundle(store, bad)
    after = (len(store.plans.list()), store.clips.count(), sorted(p.name for p in store.paths.media.rglob("*")))
    assert before == after
    assert not (tmp_path / "evil.txt").exists()


def test_truncated_and_non_zip_bundles(store, tmp_path: Path) -> None:
    a = _clip_file(store, "a.mp4", b"video-a" * 5000)
    good = plans.export_bundle(store, plans.save_plan(store, _plan([a.id])), tmp_path / "g.bbplan")
    trunc = tmp_path / "t.bbplan"
    trunc.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputError):
        plans.import_bundle(store, trunc)
    junk = tmp_path / "j.bbplan"
    junk.write_text("hello")
    with pytest.raises(InputError, match="not a complete zip"):
        plans.import_bundle(store, junk)
    assert len(store.plans.list()) == 1


def test_printed_plan_shows_a_picture_of_each_real_move(store) -> None:
    from shared_assets import CLIPS_DIR, need

    media = need(CLIPS_DIR / "basic" / "slow_basic3.mp4")
    clip = store.clips.add(Clip(None, "sb3", "Slow basic", "basic", str(media), "real-hash"))
    broken = _clip_file(store, "broken.mp4", b"not a video")
    html = plans.plan_html(store, plans.save_plan(store, _plan([clip.id, broken.id])))
    assert html.count("data:image/jpeg;base64,") == 1  # the real clip, not the damaged one
