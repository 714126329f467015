"""A class plan shared with its group's progress; a malformed shared group changes nothing."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from bachata_desktop.core.clip import Clip
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.groups import Status
from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment, SegmentKind
from bachata_desktop.paths import app_paths
from bachata_desktop.services import groups, plans
from bachata_desktop.store import Store
from tests.shared_assets import need


def _clip(store, name: str, payload: bytes) -> Clip:
    (store.paths.media / name).write_bytes(payload)
    return store.clips.add(Clip(None, name, name.split(".")[0], "basic", name,
                                hashlib.sha256(payload).hexdigest()))


def _shared(store, tmp_path: Path, clips_dir: Path) -> tuple[Path, Clip, Clip]:
    # real videos: a plan file's media must decode as video to be imported
    a = _clip(store, "basic_a.mp4", need(clips_dir / "basic" / "slow_basic3.mp4").read_bytes())
    b = _clip(store, "basic_b.mp4", need(clips_dir / "spin" / "spin2.mp4").read_bytes())
    g = groups.create_group(store, "Tuesday beginners", notes="room 2")
    groups.record_session(store, g.id, "2026-01-06", clip_ids=[a.id, b.id], title="Week 1")
    groups.set_status(store, g.id, a.id, "known")
    plan = plans.save_plan(store, ClassPlan("Week 2", segments=(
        Segment(SegmentKind.PATTERN, items=(PlanItem(ItemKind.MOVE, "A", 10, a.id),)),)))
    return plans.export_bundle(store, plan, tmp_path / "week2.bbplan", group_id=g.id), a, b


def test_plan_shared_with_its_group_brings_the_progress(store, tmp_path: Path,
                                                       shared_clips_dir: Path) -> None:
    bundle, a, b = _shared(store, tmp_path, shared_clips_dir)
    plain = plans.import_bundle(store, plans.export_bundle(
        store, plans.list_plans(store)[0], tmp_path / "plain.bbplan"))
    assert plain.group is None                          # a group goes only when asked
    other = Store.open(app_paths(tmp_path / "other-machine").ensure())
    try:
        groups.create_group(other, "tuesday beginners")  # the name is taken there
        result = plans.import_bundle(other, bundle)
        assert result.group == "Tuesday beginners (2)"
        g = other.groups.group_by_name(result.group)
        assert g.notes == "room 2"
        a2 = other.clips.get_by_hash(a.content_hash)     # came with the plan's media
        assert other.groups.progress(g.id)[a2.id].status is Status.KNOWN
        assert other.clips.get_by_hash(b.content_hash) is None  # not in the plan: not tracked
        assert [s.date for s in other.groups.sessions(g.id)] == ["2026-01-06"]
    finally:
        other.close()


def _edit_group(members: dict[str, bytes], change) -> None:
    d = json.loads(members["group.json"])
    change(d)
    members["group.json"] = json.dumps(d).encode()
    man = json.loads(members["manifest.json"])
    man["files"] = {n: hashlib.sha256(v).hexdigest() for n, v in members.items() if n != "manifest.json"}
    members["manifest.json"] = json.dumps(man).encode()


@pytest.mark.parametrize("change, message", [
    (lambda d: d["moves"][0].update(status="great"), "unknown status"),
    (lambda d: d["sessions"].append({"date": "tuesday"}), "not a date"),
    (lambda d: d.update(name=""), "group name is empty"),
    (lambda d: d.update(format="something"), "unknown format"),
    (lambda d: d["moves"].append("x"), "malformed"),
])
def test_malformed_shared_group_changes_nothing(store, tmp_path: Path, change, message,
                                                shared_clips_dir: Path) -> None:
    bundle, _a, _b = _shared(store, tmp_path, shared_clips_dir)
    with zipfile.ZipFile(bundle) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    _edit_group(members, change)
    bad = tmp_path / "bad.bbplan"
    with zipfile.ZipFile(bad, "w") as zf:
        for n, v in members.items():
            zf.writestr(n, v)
    other = Store.open(app_paths(tmp_path / "other-machine").ensure())
    try:
        with pytest.raises(InputError, match=message):
            plans.import_bundle(other, bad)
        assert other.plans.list() == [] and other.clips.count() == 0
        assert other.groups.list_groups(include_archived=True) == []
        assert not list(other.paths.media.rglob("*.mp4"))
    finally:
        other.close()
