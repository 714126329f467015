"""Generated hostile corpora: shared plans (``.bbplan``) and library backups, built from good ones.

Each case is a name, a function writing the bad file from the good one, and a word the one-line
refusal must contain. Kept as code (not binary fixtures) so the corpus is readable and regenerated
for every test run.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

Members = list[tuple[str, bytes, int]]   # name, data, compress type (order kept, duplicates allowed)


def read_members(src: Path) -> Members:
    with zipfile.ZipFile(src) as zf:
        return [(i.filename, zf.read(i), i.compress_type) for i in zf.infolist()]


def write_members(dst: Path, members: Members, extra: Callable[[zipfile.ZipFile], None] | None = None
                  ) -> Path:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are the point of some cases
        with zipfile.ZipFile(dst, "w") as zf:
            for name, data, ctype in members:
                zf.writestr(name, data, compress_type=ctype)
            if extra is not None:
                extra(zf)
    return dst


def _get(members: Members, name: str) -> bytes:
    return next(d for n, d, _ in members if n == name)


def _set(members: Members, name: str, data: bytes) -> None:
    for k, (n, _d, c) in enumerate(members):
        if n == name:
            members[k] = (n, data, c)
            return
    members.append((name, data, zipfile.ZIP_DEFLATED))


def _rehash_plan(members: Members) -> None:
    man = json.loads(_get(members, "manifest.json"))
    man["files"] = {n: hashlib.sha256(d).hexdigest() for n, d, _ in members if n != "manifest.json"}
    _set(members, "manifest.json", json.dumps(man).encode())


def _edit_json(member: str, change: Callable[[dict], None]) -> Callable[[Members], None]:
    def edit(members: Members) -> None:
        doc = json.loads(_get(members, member))
        change(doc)
        _set(members, member, json.dumps(doc).encode())
        if member != "manifest.json":
            _rehash_plan(members)
    return edit


def _first_clip(man: dict) -> dict:
    return man["clips"][0]


def _plan_item(plan: dict) -> dict:
    return next(i for s in plan["segments"] for i in s["items"] if i["kind"] == "move")


def _random_media(members: Members) -> None:
    """Random bytes as the clip's video, with every checksum made to match."""
    name = next(n for n, _, _ in members if n.startswith("media/"))
    blob = os.urandom(50_000)
    digest = hashlib.sha256(blob).hexdigest()
    new_name = f"media/{digest[:16]}.mp4"
    members[:] = [(new_name if n == name else n, blob if n == name else d, c) for n, d, c in members]
    man = json.loads(_get(members, "manifest.json"))
    for c in man["clips"]:
        if c["media"] == name:
            c["media"], c["content_hash"] = new_name, digest
    _set(members, "manifest.json", json.dumps(man).encode())
    _rehash_plan(members)


def _duplicate_member(name: str) -> Callable[[Members], None]:
    def edit(members: Members) -> None:
        doc = json.loads(_get(members, name))
        doc["title"] = "the second copy"
        members.append((name, json.dumps(doc).encode(), zipfile.ZIP_DEFLATED))
    return edit


def _dup_key_plan(members: Members) -> None:
    raw = _get(members, "plan.json").decode()
    _set(members, "plan.json", raw.replace('{', '{"title": "first", ', 1).encode())
    _rehash_plan(members)


def _symlink(zf: zipfile.ZipFile) -> None:
    info = zipfile.ZipInfo("media/0123456789abcdef.mp4")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    zf.writestr(info, "/etc/passwd")


def _add(name: str, data: bytes = b"x") -> Callable[[Members], None]:
    return lambda m: m.append((name, data, zipfile.ZIP_STORED))


PLAN_CASES: dict[str, tuple[Callable[[Members], None], str]] = {
    "missing ref_id": (_edit_json("manifest.json", lambda m: _first_clip(m).pop("ref_id")),
                       "ref_id is missing"),
    "counts text": (_edit_json("manifest.json", lambda m: _first_clip(m).__setitem__("counts", "abc")),
                    "must be a number"),
    "level number": (_edit_json("plan.json", lambda p: p.__setitem__("level", 5)), "must be text"),
    "segments of numbers": (_edit_json("plan.json", lambda p: p.__setitem__("segments", [5])),
                            "must be an object"),
    "item counts text": (_edit_json("plan.json", lambda p: _plan_item(p).__setitem__("counts", "abc")),
                         "must be a number"),
    "clip listed twice": (_edit_json("manifest.json",
                                     lambda m: m["clips"].append(dict(_first_clip(m)))), "twice"),
    "plan.json twice": (_duplicate_member("plan.json"), "twice"),
    "duplicate key": (_dup_key_plan, "appears twice"),
    "random bytes as video": (_random_media, "not a usable video"),
    "traversal": (_add("../../evil.txt"), "escapes"),
    "unexpected member": (_add("notes/readme.txt"), "unexpected"),
    "name too long": (_add("media/" + "a" * 300 + ".mp4"), "longer than 255"),
    "too deep": (_add("/".join(["d"] * 20) + "/x"), "too deep"),
    "file and folder": (lambda m: (m.append(("media/x", b"1", 0)), m.append(("media/x/y", b"1", 0))),
                        "both a file and a folder"),
    "NUL in name": (_add("media/a\x01b.mp4"), "unsafe"),
    "deep nesting": (lambda m: (_set(m, "plan.json", b"[" * 100_000 + b"]" * 100_000),
                                _rehash_plan(m)), "nests deeper"),
    "NaN minutes": (lambda m: (_set(m, "plan.json", _get(m, "plan.json").replace(
        b'"target_minutes": 60', b'"target_minutes": NaN')), _rehash_plan(m)), "not a number"),
}


def write_plan_case(good: Path, dst: Path, case: str) -> Path:
    if case == "symlink":
        return write_members(dst, read_members(good), extra=_symlink)
    if case == "too many members":
        return write_members(dst, read_members(good) + [(f"media/{n:016x}.mp4", b"", 0)
                                                        for n in range(700)])
    members = read_members(good)
    PLAN_CASES[case][0](members)
    return write_members(dst, members)


PLAN_EXTRA = {"symlink": "symbolic link", "too many members": "too many entries"}


def write_bomb_bundle(good: Path, dst: Path, declared: int) -> Path:
    """A valid bundle plus a deflated media member of ``declared`` zero bytes (tiny on disk)."""
    members = read_members(good)
    with zipfile.ZipFile(dst, "w") as zf:
        for name, data, ctype in members:
            zf.writestr(name, data, compress_type=ctype)
        info = zipfile.ZipInfo("media/00000000000000ff.mp4")
        info.compress_type = zipfile.ZIP_DEFLATED
        zero = bytes(1 << 20)
        with zf.open(info, "w", force_zip64=True) as out:
            for _ in range(declared >> 20):
                out.write(zero)
    return dst


def write_big_media_bundle(good: Path, dst: Path, size: int) -> Path:
    """A bundle whose (honest, stored, checksummed) media member is ``size`` random bytes."""
    members = read_members(good)
    blob = os.urandom(size)
    digest = hashlib.sha256(blob).hexdigest()
    name = f"media/{digest[:16]}.mp4"
    members = [(n, d, c) for n, d, c in members if not n.startswith("media/")]
    man = json.loads(_get(members, "manifest.json"))
    man["clips"][0].update(media=name, content_hash=digest)
    man["clips"] = man["clips"][:1]
    members.append((name, blob, zipfile.ZIP_STORED))
    _set(members, "manifest.json", json.dumps(man).encode())
    _rehash_plan(members)
    return write_members(dst, members)


# -- library backups ----------------------------------------------------------------------------
def _backup_rehash(members: Members) -> None:
    man = json.loads(_get(members, "manifest.json"))
    man["members"] = [{"path": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                      for n, d, _ in members if n != "manifest.json"]
    _set(members, "manifest.json", json.dumps(man).encode())


def _db_sql(sql: str) -> Callable[[Members], None]:
    def edit(members: Members) -> None:
        import sqlite3
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            f = Path(d) / "db.sqlite3"
            f.write_bytes(_get(members, "library.sqlite3"))
            conn = sqlite3.connect(f)
            conn.executescript(sql)
            conn.commit()
            conn.close()
            _set(members, "library.sqlite3", f.read_bytes())
        _backup_rehash(members)
    return edit


def _manifest(change: Callable[[dict], None]) -> Callable[[Members], None]:
    def edit(members: Members) -> None:
        man = json.loads(_get(members, "manifest.json"))
        change(man)
        _set(members, "manifest.json", json.dumps(man).encode())
    return edit


def _with_member(name: str, data: bytes) -> Callable[[Members], None]:
    def edit(members: Members) -> None:
        members.append((name, data, zipfile.ZIP_STORED))
        _backup_rehash(members)
    return edit


BACKUP_CASES: dict[str, tuple[Callable[[Members], None], str]] = {
    "trigger": (_db_sql("CREATE TRIGGER evil AFTER INSERT ON clips BEGIN "
                        "DELETE FROM clips WHERE id != NEW.id; END;"), "unknown trigger"),
    "view": (_db_sql("CREATE VIEW v AS SELECT * FROM clips;"), "unknown view"),
    "extra table": (_db_sql("CREATE TABLE stash (x BLOB);"), "unknown table"),
    "changed table": (_db_sql("DROP TABLE settings; CREATE TABLE settings (key TEXT, value TEXT, "
                              "evil TEXT);"), "changed table"),
    "unreferenced media": (_with_member("media/junk/zeros.bin", bytes(4 << 20)), "no clip or song"),
    "file and folder": (lambda m: (m.append(("media/a", b"1", 0)), m.append(("media/a/b", b"1", 0)),
                                   _backup_rehash(m)), "both a file and a folder"),
    "name too long": (_with_member("media/" + "n" * 300, b"x"), "longer than 255"),
    "too deep": (_with_member("media/" + "/".join(["d"] * 12) + "/x", b"x"), "too deep"),
    "size as text": (_manifest(lambda m: m["members"][0].__setitem__("size", "abc")), "malformed"),
    "count as text": (_manifest(lambda m: m["counts"].__setitem__("clips", "many")), "malformed"),
    "members not a list": (_manifest(lambda m: m.__setitem__("members", {"a": 1})), "malformed"),
    "manifest nesting": (lambda m: _set(m, "manifest.json", b"[" * 100_000 + b"]" * 100_000),
                         "nests deeper"),
    "compressed media": (lambda m: m.__setitem__(next(k for k, x in enumerate(m)
                                                      if x[0].startswith("media/")),
                                                 (lambda x: (x[0], x[1], zipfile.ZIP_DEFLATED))(
                                                     next(x for x in m if x[0].startswith("media/")))),
                         "compressed"),
}


def write_backup_case(good: Path, dst: Path, case: str) -> Path:
    members = read_members(good)
    BACKUP_CASES[case][0](members)
    return write_members(dst, members)
