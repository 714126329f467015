"""Move names on the exported video keep their accents and script (system font), or fall back to
Pillow's built-in font and ASCII when the machine has no usable font."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bachata_desktop.services import export_render, overlay_text


@pytest.fixture(autouse=True)
def _fresh_caches():
    overlay_text._font_path_for.cache_clear()
    export_render.name_bar.cache_clear()
    yield
    overlay_text._font_path_for.cache_clear()
    export_render.name_bar.cache_clear()


def _coverage(name: str) -> np.ndarray:
    """Luma of the name bar's left half (where the move's name is drawn)."""
    bar = export_render.name_bar(name, "", 1280, 720)
    y = bar.i420[: bar.alpha_y.shape[0]]
    return y[:, :640].astype(np.int32)


def _needs_font() -> Path:
    path = overlay_text.font_path()
    if path is None:
        pytest.skip("no system font found (Debian: fonts-dejavu-core)")
    return path


def test_accents_and_cyrillic_are_drawn_with_a_system_font() -> None:
    _needs_font()
    plain, accented = _coverage("Paseala"), _coverage("Paseála")
    assert not np.array_equal(plain, accented)
    # the acute accent adds ink above the x-height of the "a"
    assert (accented > 128).sum() > (plain > 128).sum()
    assert (_coverage("Жизнь") > 128).sum() > 200


def test_characters_without_a_glyph_are_folded_or_dropped() -> None:
    path = _needs_font()
    text = overlay_text.drawable("Cambré \ue001 fin", path)
    assert text == "Cambré fin"


def test_no_font_falls_back_to_ascii(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(overlay_text, "_candidates", lambda: [tmp_path / "absent.ttf"])
    monkeypatch.delenv(overlay_text.FONT_ENV, raising=False)
    assert overlay_text.font_path() is None
    assert np.array_equal(_coverage("Paseála"), _coverage("Paseala"))
    assert (_coverage("Paseala") > 128).sum() > 200          # still drawn, by the built-in font


def test_a_bad_font_setting_is_ignored(monkeypatch, tmp_path: Path) -> None:
    system = _needs_font()
    not_a_font = tmp_path / "notes.ttf"
    not_a_font.write_text("not a font", encoding="utf-8")
    for value in (str(not_a_font), str(tmp_path / "missing.otf")):
        monkeypatch.setenv(overlay_text.FONT_ENV, value)
        overlay_text._font_path_for.cache_clear()
        assert overlay_text.font_path() == system


def test_a_font_file_can_be_chosen(monkeypatch, tmp_path: Path) -> None:
    system = _needs_font()
    chosen = tmp_path / "fonte élégante.ttf"                  # a non-ASCII path
    chosen.write_bytes(system.read_bytes())
    monkeypatch.setenv(overlay_text.FONT_ENV, str(chosen))
    assert overlay_text.font_path() == chosen
    assert (_coverage("Paseála") > 128).sum() > 200
