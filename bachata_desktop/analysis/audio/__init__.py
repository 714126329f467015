"""Song and clip-soundtrack analysis: decoding, tempo, beats, the 8-count grid, sections, embedding.

Entry points live in :mod:`bachata_desktop.analysis.audio.analyze`; librosa is imported inside
functions so that importing this package stays cheap.
"""

from __future__ import annotations
