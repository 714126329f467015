"""What the library and the player call things: "not set" for unknown level/energy, readable
move names (never raw ids like "basic_2"), and a song's title instead of its hashed file name.

Real shared clips imported into a real store (one folder without annotations, one clip with the
shared annotations file), the real library model and delegate, and the real player.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem
from shared_assets import ANNOTATIONS, CLIPS_DIR, SONGS_DIR, need

from bachata_desktop.core.clip import Level, energy_text, level_text, unset_fields
from bachata_desktop.core.task import RecordingContext

UNANNOTATED = ("basic/slow_basic3.mp4", "golpes/golpes_cambre.mp4")


def _import(store, tmp_path: Path):
    from bachata_desktop.services.library_import import import_clips

    need(CLIPS_DIR)
    folder = tmp_path / "my clips"
    for rel in UNANNOTATED:
        dest = folder / rel.split("/")[0] / f"{Path(rel).stem}_2.mp4"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(need(CLIPS_DIR / rel), dest)
    plain = import_clips(store, [folder], RecordingContext(), enqueue_analysis=False).imported
    annotated = import_clips(store, [CLIPS_DIR / "basic" / "energetic_basic2.mp4"],
                             RecordingContext(), annotations=need(ANNOTATIONS),
                             enqueue_analysis=False).imported
    assert len(plain) == 2 and len(annotated) == 1
    return plain, annotated[0]


def test_clips_without_annotations_show_not_set_and_readable_names(qtbot, store, tmp_path):
    from bachata_desktop.ui.library.delegate import ClipCardDelegate
    from bachata_desktop.ui.library.detail import save_edits
    from bachata_desktop.ui.library.model import ClipListModel

    plain, annotated = _import(store, tmp_path)
    for c in plain:
        assert unset_fields(c) == {"level", "energy"}
        assert level_text(c) == "Level not set" and energy_text(c) == "Energy not set"
    assert not unset_fields(annotated)
    assert level_text(annotated) == annotated.level.value.capitalize()

    model = ClipListModel(fetch=store.clips.get_many)
    model.set_rows([*plain, annotated])
    for row in range(model.rowCount()):
        idx = model.index(row, 0)
        clip = idx.data(Qt.ItemDataRole.UserRole + 1)
        shown = [idx.data(Qt.ItemDataRole.DisplayRole), idx.data(Qt.ItemDataRole.ToolTipRole),
                 idx.data(Qt.ItemDataRole.AccessibleTextRole)]
        assert "_" not in " ".join(shown), shown        # "slow_basic3_2" reads "Slow basic3 2"
        if clip.id != annotated.id:
            assert "Level not set" in shown[1] and "energy not set" in shown[1]
            assert "Beginner" not in shown[1] and "Medium" not in shown[1]

    # the card paints without error for both kinds (text is checked through level_text above)
    delegate = ClipCardDelegate()
    img = QImage(QSize(240, 220), QImage.Format.Format_ARGB32)
    img.fill(0)
    p = QPainter(img)
    opt = QStyleOptionViewItem()
    opt.rect = img.rect()
    delegate.paint(p, opt, model.index(0, 0))
    p.end()

    # choosing a level in the editor makes it known; the energy stays "not set"
    first = store.clips.get(plain[0].id)
    saved = save_edits(RecordingContext(), store, first.with_(level=Level.ADVANCED))
    assert level_text(saved) == "Advanced" and energy_text(saved) == "Energy not set"
    assert unset_fields(store.clips.get(first.id)) == {"energy"}


def test_song_opened_in_the_player_shows_its_title(qtbot, app_paths):
    """The library keeps songs as "<hash>_<name>.ogg"; the player's title is the song's title."""
    from player_support import close_panel, make_panel

    from bachata_desktop.core.song import Song
    from bachata_desktop.services.songs import title_for_media

    src = need(SONGS_DIR / "Kevin_MacLeod_-_Vibe_Ace.hq.ogg")
    panel = make_panel(qtbot, app_paths)
    try:
        store = panel.ctx.store
        rel = "songs/3fa9c0d1e2b4_Kevin_MacLeod_-_Vibe_Ace.hq.ogg"
        dest = store.paths.media / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dest)
        store.songs.add(Song(id=None, title="Vibe Ace", path=rel, content_hash="3fa9c0d1e2b4"))
        panel.open_media(str(dest))
        assert panel.title.text() == "Vibe Ace"
        # a copy the library does not list: the file name without the hash prefix
        loose = store.paths.media / "songs" / "0123456789ab_Samba_Isobel.ogg"
        shutil.copy(src, loose)
        assert title_for_media(store, loose) == "Samba Isobel"
        assert title_for_media(store, src) == "Kevin MacLeod - Vibe Ace.hq"
        # a song added from a file gets a readable title too (shown by the generator and Songs)
        from bachata_desktop.services.songs import readable_title

        assert readable_title("Kevin_MacLeod_-_Vibe_Ace") == "Kevin MacLeod - Vibe Ace"
    finally:
        close_panel(panel)
