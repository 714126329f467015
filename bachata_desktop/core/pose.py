"""Results of the couple pose analysis of one clip, and pure numpy helpers others reuse.

``PoseAnalysis`` is what the analysis hands to the store, the player and the generator. Its
``to_dict`` is the JSON summary kept in ``store.analyses`` (kind ``"pose"``): the three embeddings
are *not* in it (they go to ``store.embeddings`` as float32 vectors, modalities ``lead``,
``follow``, ``interaction``), while the small start/end pose descriptors are, as lists, because the
generator reads them with the summary. ``from_dict(d, embeddings=...)`` rebuilds the full object.

Keypoint layout (COCO, 17 joints): 0 nose, 1-2 eyes, 3-4 ears, 5-6 shoulders, 7-8 elbows,
9-10 wrists, 11-12 hips, 13-14 knees, 15-16 ankles (odd = left, even = right).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

LEAD_DIM = 512
FOLLOW_DIM = 512
INTERACTION_DIM = 256
EMBEDDING_DIMS: dict[str, int] = {"lead": LEAD_DIM, "follow": FOLLOW_DIM,
                                  "interaction": INTERACTION_DIM}

KEYPOINT_NAMES: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)
# Bones to draw a skeleton (pairs of keypoint indices).
SKELETON: tuple[tuple[int, int], ...] = (
    (5, 7), (7, 9), (6, 8), (8, 10), (5, 6), (5, 11), (6, 12), (11, 12),
    (11, 13), (13, 15), (12, 14), (14, 16), (0, 5), (0, 6),
)


@dataclass(frozen=True)
class PoseAnalysis:
    """The couple pose analysis of one clip.

    ``lead``/``follow`` are decided by a heuristic (``analysis.pose.couple``) and swapped when the
    user flips the clip (``flipped``). ``people_found`` is False when nobody (or only one person in
    too few frames) was seen: the embeddings are then all-zero placeholders that
    :meth:`has_embeddings` reports as absent, never garbage.
    """

    frames_analyzed: int
    analysis_fps: float
    source_fps: float
    duration_s: float
    both_dancers_ratio: float
    any_dancer_ratio: float
    people_found: bool
    swaps_repaired: int
    flipped: bool
    lead_embedding: np.ndarray = field(repr=False, compare=False)
    follow_embedding: np.ndarray = field(repr=False, compare=False)
    interaction_embedding: np.ndarray = field(repr=False, compare=False)
    start_pose: tuple[float, ...] = field(repr=False)
    end_pose: tuple[float, ...] = field(repr=False)
    start_hold_guess: str | None = None
    end_hold_guess: str | None = None
    # How sure the hold guesses are, 0..1 (``analysis.pose.holds``); 0 for older analyses.
    start_hold_confidence: float = 0.0
    end_hold_confidence: float = 0.0
    motion_energy: float = 0.0
    hand_connection_ratio: float = 0.0
    lead_reason: str = ""
    lead_unsure: bool = False      # the analysis could not tell the roles apart with confidence
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    model_id: str = ""
    backend: str = ""
    imgsz: int = 0
    keypoints_file: str | None = None
    version: int = 1

    @property
    def has_embeddings(self) -> bool:
        return self.people_found

    @property
    def embeddings(self) -> dict[str, np.ndarray]:
        return {"lead": self.lead_embedding, "follow": self.follow_embedding,
                "interaction": self.interaction_embedding}

    def flip(self) -> PoseAnalysis:
        """The same analysis with lead and follow exchanged (the per-clip user override)."""
        return replace(self, flipped=not self.flipped, lead_embedding=self.follow_embedding,
                       follow_embedding=self.lead_embedding,
                       start_pose=swap_roles_descriptor(self.start_pose),
                       end_pose=swap_roles_descriptor(self.end_pose))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary without the three embeddings (they live in store.embeddings)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name.endswith("_embedding"):
                continue
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else (dict(v) if isinstance(v, dict) else v)
        out["embedding_dims"] = dict(EMBEDDING_DIMS)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any],
                  embeddings: dict[str, np.ndarray] | None = None) -> PoseAnalysis:
        emb = embeddings or {}
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        kw["start_pose"] = tuple(float(x) for x in d.get("start_pose", ()))
        kw["end_pose"] = tuple(float(x) for x in d.get("end_pose", ()))
        kw["timings"] = {str(k): float(v) for k, v in (d.get("timings") or {}).items()}
        for name, dim in EMBEDDING_DIMS.items():
            vec = emb.get(name)
            kw[f"{name}_embedding"] = (np.zeros(dim, np.float32) if vec is None
                                       else np.asarray(vec, np.float32).reshape(dim))
        return cls(**kw)


# --- pose descriptors (start / end of a clip) --------------------------------------------------
# Layout: lead normalised keypoints (17 x 2), follow normalised keypoints (17 x 2), then
# follow-relative-to-lead offset (dx, dy in lead torso lengths), lead facing, follow facing,
# hand connection (0..1). Missing values are 0 and the last entry (validity 0..1) says how much
# of the descriptor was measured.
DESCRIPTOR_SIZE = 17 * 2 * 2 + 6
_ROLE_BLOCK = 17 * 2


def swap_roles_descriptor(desc: tuple[float, ...]) -> tuple[float, ...]:
    """Exchange lead and follow in a pose descriptor (for a flipped clip)."""
    if len(desc) != DESCRIPTOR_SIZE:
        return tuple(desc)
    d = list(desc)
    lead, follow = d[:_ROLE_BLOCK], d[_ROLE_BLOCK:2 * _ROLE_BLOCK]
    dx, dy, f_lead, f_follow, hands, valid = d[2 * _ROLE_BLOCK:]
    return tuple(follow + lead + [-dx, -dy, f_follow, f_lead, hands, valid])


def transition_cost(end_pose: tuple[float, ...] | np.ndarray,
                    start_pose: tuple[float, ...] | np.ndarray) -> float:
    """How awkward it is to go from one clip's end pose to another's start pose (0 = same pose).

    Root-mean-square difference of the two descriptors' body shapes, relative placement, facing
    and hand connection, roughly in torso lengths (typical values 0.1 .. 1.5). When either
    descriptor is unmeasured (validity 0) the cost is a neutral 1.0.
    """
    a = np.asarray(end_pose, np.float64)
    b = np.asarray(start_pose, np.float64)
    if a.shape != (DESCRIPTOR_SIZE,) or b.shape != (DESCRIPTOR_SIZE,):
        return 1.0
    valid = min(a[-1], b[-1])
    if valid <= 0:
        return 1.0
    body = np.sqrt(np.mean((a[: 2 * _ROLE_BLOCK] - b[: 2 * _ROLE_BLOCK]) ** 2))
    rel = a[2 * _ROLE_BLOCK: -1] - b[2 * _ROLE_BLOCK: -1]
    w = np.array([0.5, 0.5, 0.5, 0.5, 1.0])
    cost = float(body + np.sqrt(np.sum(w * rel ** 2) / w.sum()))
    return valid * cost + (1.0 - valid) * 1.0


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two vectors (0 when either is all zeros)."""
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        return 0.0
    return float(np.clip(a @ b / (na * nb), -1.0, 1.0))  # rounding can exceed 1 by an ulp


def l2_normalise(v: np.ndarray) -> np.ndarray:
    """Unit-length float32 copy with NaN/Inf replaced by 0 (all-zero stays all-zero)."""
    v = np.nan_to_num(np.asarray(v, np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    n = np.linalg.norm(v)
    return (v / n if n > 0 else v).astype(np.float32)


__all__ = ["DESCRIPTOR_SIZE", "EMBEDDING_DIMS", "FOLLOW_DIM", "INTERACTION_DIM", "KEYPOINT_NAMES",
           "LEAD_DIM", "SKELETON", "PoseAnalysis", "cosine", "l2_normalise",
           "swap_roles_descriptor", "transition_cost"]
