"""Couple pose analysis: both dancers per frame, stable lead/follow identity, features, embeddings.

Import the submodules directly (``analysis.pose.analyze``); nothing heavy is imported here.
"""

from __future__ import annotations
