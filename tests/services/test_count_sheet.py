"""The printable count sheet (HTML and PDF, read back with pypdf) and the export's timing rules."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pytest

from bachata_desktop.core.choreography import Choreography, PhraseSlotSpec, Request, Slot, SongInfo
from bachata_desktop.core.clip import Clip, Level
from bachata_desktop.core.errors import InputError

PERIOD = 0.5


def _clip(store, key: str, name: str, category: str, level: Level, notes: str = "",
          counts: int = 8) -> int:
    return store.clips.add(Clip(id=None, clip_key=key, name=name, category=category,
                                media_path=f"/nowhere/{key}.mp4", content_hash=key, level=level,
                                counts=counts, teaching_notes=notes)).id


def make_choreo(store, n_repeat: int = 1) -> Choreography:
    a = _clip(store, "a", "Paseála", "cross_body_lead", Level.INTERMEDIATE, "Lead <early> on 8")
    b = _clip(store, "b", "Long shadow", "shadow", Level.ADVANCED, counts=16)
    c = _clip(store, "c", "Golpe", "golpes", Level.BEGINNER, counts=4)
    labels = ["intro", "verse", "verse", "chorus"]
    phrases, slots = [], []
    j = 0
    for r in range(n_repeat):
        for cid, span, reps in ((a, 1, 1), (b, 2, 1), (c, 1, 2)):
            ps = []
            for _ in range(span):
                t = 1.0 + 8 * PERIOD * j
                ps.append(PhraseSlotSpec(j, t, t + 8 * PERIOD, t, labels[min(j, 3)] if r == 0
                                         else "mambo"))
                j += 1
            phrases += ps
            slots.append(Slot(start=ps[0].start_s, end=ps[-1].end_s, counts=8 * span,
                              phrases=tuple(p.index for p in ps), clip_id=cid, repeats=reps,
                              name=store.clips.get(cid).name, category=store.clips.get(cid).category,
                              section=ps[0].section_label))
    return Choreography(song=SongInfo("Canción de prueba", "/x.wav", None, 60.0, 120.0), tempo=120.0,
                        request=Request(text="sensual routine"), seed=3, slots=tuple(slots),
                        phrases=tuple(phrases), notes=("Offline parser used.",))


def test_rows_one_per_phrase_with_counts_levels_and_notes(store) -> None:
    from bachata_desktop.services.count_sheet import build_count_sheet

    choreo = make_choreo(store)
    sheet = build_count_sheet(choreo, store)
    cells = [r.cells() for r in sheet.rows]
    assert len(cells) == 4  # 1 + 2 (a 16-count move) + 1 phrases
    assert cells[0] == ("0:01.0", "Intro", "1-8", "Paseála (Cross body lead)", "intermediate",
                        "Lead <early> on 8")
    assert cells[1][2:5] == ("1-8", "Long shadow (Shadow)", "advanced")
    assert cells[2][2:5] == ("9-16", "Long shadow (continued)", "")
    assert cells[3][2] == "1-4 x2" and "danced 2 times" in cells[3][5]
    assert [r.new_section for r in sheet.rows] == [False, True, False, True]
    assert "120 BPM" in sheet.subtitle[0] and sheet.title == "Count sheet - Canción de prueba"


def test_html_is_self_contained_and_printable(store, tmp_path: Path) -> None:
    from bachata_desktop.services.count_sheet import export_count_sheet

    out = export_count_sheet(store, make_choreo(store), tmp_path / "sheet.html")
    text = out.read_text(encoding="utf-8")
    assert "@media print" in text and "table-header-group" in text
    assert "<script" not in text and "src=" not in text and "http" not in text
    assert "Lead &lt;early&gt; on 8" in text and "Paseála" in text
    assert text.count("<tr") == 1 + 4


def _qt_pdf(html: str, out: Path, title: str) -> Path:
    from bachata_desktop.ui.print_pdf import html_to_pdf  # the one PDF path, as the CLI uses it

    return html_to_pdf(html, out, title=title)


def test_pdf_reads_back_with_every_row_and_pages(store, tmp_path: Path) -> None:
    import pypdf

    from bachata_desktop.services.count_sheet import export_count_sheet

    choreo = make_choreo(store, n_repeat=20)  # 80 phrases: several pages
    out = export_count_sheet(store, choreo, tmp_path / "sheet.pdf", pdf_writer=_qt_pdf)
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) >= 2
    # Qt's PDFs read back with tabs between words and ligatures ("ﬄ"): compare normalised text.
    texts = [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split())
             for p in reader.pages]
    assert all("Time" in t and "Counts" in t and "Notes" in t for t in texts)  # header per page
    joined = " ".join(texts)
    assert joined.count("9-16") == 20 and joined.count("1-4 x2") == 20
    assert "Paseála (Cross body lead)" in joined and "Canción de prueba" in joined
    assert "Offline parser used." in joined
    assert reader.metadata.title == "Count sheet - Canción de prueba"


def test_pdf_keeps_any_script_a_font_covers(store, tmp_path: Path) -> None:
    """The hand-written writer this replaced printed "танец" as "?????"."""
    import pypdf

    from bachata_desktop.services.count_sheet import export_count_sheet

    cid = _clip(store, "t", "танец с поворотом", "ladyturn", Level.BEGINNER, "Ведёт на 8")
    choreo = make_choreo(store)
    slot = choreo.slots[0]
    choreo = Choreography(song=choreo.song, tempo=choreo.tempo, request=choreo.request,
                          seed=choreo.seed, slots=(Slot(start=slot.start, end=slot.end,
                                                        counts=8, phrases=slot.phrases,
                                                        clip_id=cid, name="танец с поворотом",
                                                        category="ladyturn"),),
                          phrases=choreo.phrases[:1], notes=())
    out = export_count_sheet(store, choreo, tmp_path / "sheet.pdf", pdf_writer=_qt_pdf)
    text = " ".join(pypdf.PdfReader(str(out)).pages[0].extract_text().split())
    assert "танец с поворотом" in text and "Ведёт на 8" in text and "?????" not in text


def test_sheet_bad_outputs(store, tmp_path: Path) -> None:
    from bachata_desktop.services.count_sheet import export_count_sheet

    choreo = make_choreo(store)
    with pytest.raises(InputError, match=r"\.pdf or \.html"):
        export_count_sheet(store, choreo, tmp_path / "sheet.docx")
    with pytest.raises(InputError, match="does not exist"):
        export_count_sheet(store, choreo, tmp_path / "missing" / "sheet.pdf", pdf_writer=_qt_pdf)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".part") == []


# ---------------------------------------------------------------------------------------------
# Timing rules of the export (pure)
# ---------------------------------------------------------------------------------------------
def test_slot_plan_lands_clip_counts_on_song_beats() -> None:
    from bachata_desktop.services.export_timing import (
        SongGrid,
        clip_grid_from_analysis,
        fold_rate,
        plan_slot,
    )

    song_p = 60 / 130
    times = 2.0 + song_p * np.arange(32)
    grid = SongGrid(times, np.arange(32) % 8 + 1)
    clip = clip_grid_from_analysis({"tempo_bpm": 60.0,  # half-time grid: folded to 120
                                    "beats": [{"time": 0.7 + k, "count": (k + 8) % 8 + 1}
                                              for k in range(8)]}, None)
    assert clip.first_one == pytest.approx(0.7)
    slot = Slot(start=times[8], end=times[16], counts=8, phrases=(1,), clip_id=1)
    plan = plan_slot(slot, grid, clip, 8, 12.0, 0.5)
    assert plan.rate == pytest.approx(fold_rate(130 / 60)) == pytest.approx(130 / 120)
    # song beat k of the slot -> clip beat k after the first "1" (clip period 0.5 s at 120 BPM)
    assert plan.clip_time(times[8:16]) == pytest.approx(0.7 + 0.5 * np.arange(8))
    # a 4-count move danced twice starts again on count 5
    looped = plan_slot(Slot(start=times[8], end=times[16], counts=8, phrases=(1,), clip_id=1,
                            repeats=2), grid, clip, 4, 12.0, 0.5)
    assert looped.clip_time(times[8:16]) == pytest.approx(0.7 + 0.5 * (np.arange(8) % 4), abs=1e-5)
    # a clip that ends early holds its last frame
    short = plan_slot(slot, grid, clip, 8, 2.0, 0.5)
    assert short.clip_time(times[15:16])[0] == pytest.approx(2.0 - 1e-3)
    # no grid: aligned at 0, the slot's own rate
    bare = plan_slot(Slot(start=times[8], end=times[16], counts=8, phrases=(1,), clip_id=1,
                          rate=1.1), grid, clip_grid_from_analysis(None, None), 8, 12.0, 0.5)
    assert bare.first_one == 0.0 and bare.rate == pytest.approx(1.1)
    assert grid.count_at(np.array([0.0, times[0], times[9] - 1e-3, times[9]])).tolist() == [0, 1, 1, 2]
