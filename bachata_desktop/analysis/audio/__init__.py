"""Song and clip-soundtrack analysis: decoding, tempo, beats, the 8-count grid, sections, embedding.

Entry points live in :mod:`bachata_desktop.analysis.audio.analyze`. The analysis itself needs only
numpy, scipy, soundfile and PyAV (imported inside functions): its STFT, mel and chroma banks are
written here, so the first song does not wait seconds for librosa and numba to load.
"""

from __future__ import annotations
