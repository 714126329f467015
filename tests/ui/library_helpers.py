"""Synthetic library rows for the library UI tests and benchmark (real SQLite, no media)."""

from __future__ import annotations

from bachata_desktop.core.clip import CATEGORIES, AnalysisState, Clip, Energy, Level, RoleFocus

WORDS = ("smooth", "sharp", "sensual", "fast", "slow", "double", "inside", "outside", "dip",
         "wave", "turn", "spin", "combo", "tap", "syncopation")


def synthetic_clip(i: int, media_path: str = "missing/clip.mp4") -> Clip:
    """A varied, deterministic clip (category, level, energy, role and state cycle with ``i``)."""
    cat = CATEGORIES[i % len(CATEGORIES)]
    name = f"{WORDS[i % len(WORDS)]}_{cat}_{i:05d}"
    return Clip(
        id=None, clip_key=f"synthetic-{i:05d}", name=name, category=cat, media_path=media_path,
        content_hash=f"{i:064x}", level=list(Level)[i % 3], energy=list(Energy)[(i // 3) % 3],
        role_focus=list(RoleFocus)[(i // 9) % 3], duration_s=5.0 + (i * 7) % 11, fps=30.0,
        width=1280, height=720, tempo_bpm=110.0 + i % 40, counts=8,
        tags=(WORDS[(i + 3) % len(WORDS)],), notes=f"note {i}",
        analysis_state=AnalysisState.DONE if i % 4 else AnalysisState.PENDING)


def add_synthetic_clips(store, n: int, start: int = 0, media_path: str = "missing/clip.mp4",
                        media_paths: list[str] | None = None) -> list[Clip]:
    """Insert ``n`` synthetic clips in one transaction; returns them with ids."""
    out: list[Clip] = []
    with store.db.write():
        for i in range(start, start + n):
            path = media_paths[i % len(media_paths)] if media_paths else media_path
            out.append(store.clips.add(synthetic_clip(i, path)))
    return out
