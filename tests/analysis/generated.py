"""Generated songs analysed once per test session: several tests look at the same seeds.

``analysed(gen, seed)`` -> (the generated song, its ``analyze_samples`` result). Both are only read
(the analysis is a frozen dataclass), and the generators and the analysis are deterministic, so a
cached pair is the same as a fresh one.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType

from bachata_desktop.analysis.audio.analyze import analyze_samples


@cache
def analysed(gen: ModuleType, seed: int):  # noqa: ANN201 - (GeneratedSong, SongAnalysis)
    song = gen.generate(seed)
    return song, analyze_samples(song.audio, song.sr)
