"""Export -> wipe -> restore gives the same library; hostile archives change nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bachata_desktop.core.clip import Marker
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.task import RecordingContext
from bachata_desktop.services.backup import export_library, restore_library
from bachata_desktop.services.library_import import import_clips
from bachata_desktop.store import Store
from bachata_desktop.store.indexes.hnsw import IndexSet
from bachata_desktop.store.repos import MODALITY_DIMS

CLIPS = ("basic/slow_basic3.mp4", "spin/spin2.mp4", "shadow/shadow.mp4")


def _fill(store: Store, shared: Path) -> list[int]:
    """A small library: three real clips (one with a non-ASCII name), synthetic embeddings."""
    files = [shared / c for c in CLIPS]
    ids = [c.id for c in import_clips(store, files, RecordingContext()).imported]
    rng = np.random.default_rng(7)
    for cid in ids:
        for modality, dim in MODALITY_DIMS.items():
            v = rng.normal(size=dim).astype(np.float32)
            store.embeddings.put("clip", cid, modality, v / np.linalg.norm(v), f"synthetic-{modality}")
        store.analyses.put("clip", cid, "audio", {"tempo_bpm": 120.0, "beats": [0.5, 1.0]})
        (store.paths.poses / f"{cid}.npz").write_bytes(rng.bytes(2000))
    clip = store.clips.get(ids[0])
    store.clips.update(clip.with_(name="giro ñandú 夜", tags=("smooth", "beginner"),
                                  notes="Keep the frame."))
    store.markers.add(Marker(None, ids[0], "entry", 1.5, 3.0))
    store.clips.delete(ids[2])  # a soft-deleted clip is part of the library too
    return ids


def _snapshot(paths) -> dict:
    """Every row of every table and every content file's hash."""
    conn = sqlite3.connect(paths.database)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        rows = {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    files = {}
    for top in (paths.media, paths.poses):
        for p in sorted(top.rglob("*")):
            if p.is_file():
                files[p.relative_to(paths.data).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return {"rows": rows, "files": files, "version": version}


@pytest.fixture
def exported(store, shared_clips_dir: Path, tmp_path: Path) -> tuple[Path, dict, list[int]]:
    ids = _fill(store, shared_clips_dir)
    archive = tmp_path / "out" / "library backup é.zip"
    info = export_library(store, archive, RecordingContext())
    assert info.counts["clips"] == 3 and info.counts["embeddings"] == 3 * len(MODALITY_DIMS)
    assert archive.is_file() and not list(archive.parent.glob(".*partial"))
    return archive, _snapshot(store.paths), ids


def test_export_wipe_restore_gives_an_identical_library(store, app_paths, exported) -> None:
    archive, before, ids = exported
    store.close()
    shutil.rmtree(app_paths.data)
    info = restore_library(app_paths, archive, RecordingContext())
    assert info.counts["clips"] == 3
    assert _snapshot(app_paths) == before
    s = Store.open(app_paths)
    try:
        assert s.clips.get(ids[0]).name == "giro ñandú 夜"
        assert s.clips.get(ids[2]) is None and s.clips.is_deleted(ids[2])
        indexes = IndexSet(app_paths.indexes, s.embeddings)
        vec = s.embeddings.get("clip", ids[1], "audio")
        assert indexes.index("audio").query(vec, k=1)[0][0] == ids[1]
    finally:
        s.close()
    assert not [p for p in app_paths.data.parent.iterdir() if p.name.startswith(".data-")]


def test_restore_replaces_a_changed_library(store, app_paths, exported, shared_clips_dir) -> None:
    archive, before, _ids = exported
    import_clips(store, [shared_clips_dir / "hammerlock"], RecordingContext())
    assert _snapshot(app_paths) != before
    indexes = IndexSet(app_paths.indexes, store.embeddings)
    indexes.index("text")
    restore_library(store, archive, RecordingContext(), indexes=indexes)
    assert _snapshot(app_paths) == before
    assert store.clips.count() == 2  # the store reconnected to the restored database
    assert len(indexes.index("text")) == 3  # rebuilt from it (soft-deleted clip included)
    backups = list(app_paths.backups.glob("*before-restore.sqlite3"))
    assert len(backups) == 1  # the replaced library can still be recovered


# ---- hostile archives ---------------------------------------------------------------------------
Members = dict[str, bytes]


def _rewrite(src: Path, dst: Path, change: Callable[[Members, dict], None],
             fix_manifest: bool = True, extra: Callable[[zipfile.ZipFile], None] | None = None) -> None:
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if n != "manifest.json"}
        manifest = json.loads(zf.read("manifest.json"))
    change(members, manifest)
    if fix_manifest:
        manifest["members"] = [{"path": n, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                               for n, b in members.items()]
    with zipfile.ZipFile(dst, "w") as zf:
        for n, b in members.items():
            zf.writestr(n, b)
        zf.writestr("manifest.json", json.dumps(manifest))
        if extra is not None:
            extra(zf)


def _edit_db(members: Members, sql: str, params: tuple = ()) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "db.sqlite3"
        f.write_bytes(members["library.sqlite3"])
        conn = sqlite3.connect(f)
        conn.execute(sql, params)
        conn.commit()
        conn.close()
        members["library.sqlite3"] = f.read_bytes()


def _media_name(members: Members) -> str:
    return next(n for n in members if n.startswith("media/"))


def _flip_byte(members: Members, _m: dict) -> None:
    name = _media_name(members)
    b = bytearray(members[name])
    b[len(b) // 2] ^= 0xFF
    members[name] = bytes(b)


def _symlink(zf: zipfile.ZipFile) -> None:
    info = zipfile.ZipInfo("media/basic/link.mp4")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    zf.writestr(info, "/etc/passwd")


HOSTILE: dict[str, tuple[Callable[[Members, dict], None], bool, object, str]] = {
    "path traversal": (lambda m, _: m.__setitem__("../evil.txt", b"x"), True, None, "escapes"),
    "traversal in media": (lambda m, _: m.__setitem__("media/../../evil.txt", b"x"), True, None,
                           "escapes"),
    "absolute path": (lambda m, _: m.__setitem__("/tmp/evil.txt", b"x"), True, None, "unsafe"),
    "unexpected top-level file": (lambda m, _: m.__setitem__("evil.sh", b"x"), True, None,
                                  "unexpected"),
    "symlink": (lambda m, _: None, True, _symlink, "symbolic link"),
    "member not in manifest": (lambda m, _: None, True,
                               lambda zf: zf.writestr("media/basic/x.mp4", b"x"), "does not list"),
    "bad checksum": (_flip_byte, False, None, "checksum mismatch"),
    "size lie": (lambda m, man: man["members"][0].__setitem__("size", 10), False, None, "size"),
    "wrong embedding size": (lambda m, _: _edit_db(
        m, "UPDATE embeddings SET dim=100, vector=zeroblob(400) WHERE modality='text'"),
        True, None, "wrong embedding size"),
    "short embedding blob": (lambda m, _: _edit_db(
        m, "UPDATE embeddings SET vector=zeroblob(1532) WHERE modality='text'"),
        True, None, "wrong embedding size"),
    "NaN embedding": (lambda m, _: _edit_db(
        m, "UPDATE embeddings SET vector=? WHERE modality='audio'",
        (np.full(128, np.nan, np.float32).tobytes(),)), True, None, "NaN"),
    "media path escaping": (lambda m, _: _edit_db(
        m, "UPDATE clips SET media_path='../../../etc/passwd'"), True, None, "escapes"),
    "missing media": (lambda m, _: m.pop(_media_name(m)), True, None, "lacks"),
    "wrong counts": (lambda m, man: man["counts"].__setitem__("clips", 99), True, None, "manifest"),
    "newer format": (lambda m, man: man.__setitem__("format_version", 99), True, None, "newer"),
}


@pytest.mark.parametrize("case", list(HOSTILE) + ["truncated", "not a zip", "no manifest"])
def test_hostile_archives_are_refused_and_change_nothing(case: str, store, app_paths, exported,
                                                         tmp_path: Path) -> None:
    archive, before, _ids = exported
    bad = tmp_path / f"bad-{case.replace(' ', '_')}.zip"
    if case == "truncated":
        data = archive.read_bytes()
        bad.write_bytes(data[: len(data) * 2 // 3])
    elif case == "not a zip":
        bad.write_text("hello", "utf-8")
    elif case == "no manifest":
        with zipfile.ZipFile(archive) as src, zipfile.ZipFile(bad, "w") as dst:
            for n in src.namelist():
                if n != "manifest.json":
                    dst.writestr(n, src.read(n))
    else:
        change, fix, extra, _ = HOSTILE[case]
        _rewrite(archive, bad, change, fix_manifest=fix, extra=extra)  # type: ignore[arg-type]
    with pytest.raises(InputError) as err:
        restore_library(store, bad, RecordingContext())
    if case in HOSTILE:
        assert HOSTILE[case][3] in str(err.value)
    assert "\n" not in str(err.value)
    # nothing changed: same rows, same files, the store still works, no leftovers anywhere
    assert _snapshot(app_paths) == before
    assert store.clips.count() == 2
    home = app_paths.data.parent
    assert not [p for p in home.iterdir() if p.name.startswith(".data-")]
    assert not (home / "evil.txt").exists() and not (home.parent / "evil.txt").exists()


def test_cli_export_and_restore(store, app_paths, shared_clips_dir: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    from bachata_desktop.cli import run_cli

    _fill(store, shared_clips_dir)
    before = _snapshot(app_paths)
    store.close()
    out = tmp_path / "cli.zip"
    assert run_cli(["library", "export", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["counts"]["clips"] == 3 and out.is_file()
    shutil.rmtree(app_paths.data / "media")
    assert run_cli(["library", "restore", str(out)]) == 0
    assert _snapshot(app_paths) == before
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 not really")
    assert run_cli(["library", "restore", str(tmp_path / "junk.zip")]) == 2
    assert "truncated" in capsys.readouterr().err
    assert _snapshot(app_paths) == before
