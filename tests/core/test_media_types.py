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


def test_move_title_reads_like_a_name() -> None:
    from bachata_desktop.core.clip import move_title

    assert move_title("left_ladyturn_right_arm_brush") == "Left ladyturn right arm brush"
    assert move_title("styled_caricia_headroll.2") == "Styled caricia headroll.2"
    assert move_title("Paseála con giro") == "Paseála con giro"  # typed by a person: kept
    assert move_title("intro3") == "Intro 3" and move_title("basic_2") == "Basic 2"
