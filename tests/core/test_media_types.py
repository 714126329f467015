from __future__ import annotations

from pathlib import Path

from bachata_desktop.core.media_types import classify


def test_classify_by_type(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    plan = classify([tmp_path / "a.MP4", tmp_path / "b.ogg", folder, tmp_path / "c.txt",
                     tmp_path / "d.bbplan"])
    assert [p.name for p in plan.clips] == ["a.MP4", "clips"]
    assert [p.name for p in plan.songs] == ["b.ogg"]
    assert [p.name for p in plan.plans] == ["d.bbplan"]
    assert [p.name for p in plan.rejected] == ["c.txt"]
    assert "c.txt" in plan.rejection_message()
