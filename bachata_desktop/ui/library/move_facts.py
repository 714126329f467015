"""One-line explanations under the clip editor's length, hold and lead/follow fields.

Pure functions of a :class:`Clip` (its ``extra`` says where each value came from), so the editor
shows *why* a value is there: set by the instructor, guessed from the video with a confidence, or
the family's usual value.
"""

from __future__ import annotations

from bachata_desktop.core.clip import Clip, Hold


def hold_note(clip: Clip, end: str) -> str:
    """Where the start (``end="start"``) or end hold came from."""
    hold = clip.start_hold if end == "start" else clip.end_hold
    source = str(clip.extra.get("holds_source", "default"))
    if hold is Hold.UNKNOWN:
        return "not known yet"
    if source == "user":
        return "set by you"
    if source == "pose":
        conf = clip.extra.get("hold_confidence")
        value = conf.get(end) if isinstance(conf, dict) else None
        if isinstance(value, (int, float)):
            sure = "sure" if value >= 0.7 else "fairly sure" if value >= 0.5 else "unsure"
            return f"seen in the video, {sure} ({value:.0%})"
        return "seen in the video"
    return "usual for this family (not yet checked against the video)"


def _dance(clip: Clip) -> dict[str, object] | None:
    d = clip.extra.get("dance")
    return d if isinstance(d, dict) and isinstance(d.get("counts"), int) else None


def measured_counts(clip: Clip) -> int | None:
    """The length in counts the analysis read from the dance (None when it did not)."""
    dance = _dance(clip)
    return int(dance["counts"]) if dance else None


def length_note(clip: Clip) -> str:
    """Where the length in counts came from, and where the dancers' "1" is."""
    dance = _dance(clip)
    if str(clip.extra.get("counts_source", "auto")) == "user":
        return f"set by you (the dance measured {dance['counts']})" if dance else "set by you"
    if dance and clip.extra.get("counts_from") == "dance":
        one, end = dance.get("first_one_s"), dance.get("move_end_s")
        where = (f": counted from the dancers' 1 at {one:.1f} s to {end:.1f} s"
                 if isinstance(one, (int, float)) and isinstance(end, (int, float)) else "")
        return f"read from the dance{where}; {dance.get('note', '')}"
    if clip.tempo_bpm:
        return "from the soundtrack's beats only (the dance was not read: no keypoints yet)"
    return "not measured yet"


def lead_note(clip: Clip) -> str:
    """Whether the lead / follow roles are the analysis's or the user's."""
    if clip.lead_follow_flipped:
        return "swapped by you: the analysis's follow is the lead"
    if clip.extra.get("lead_unsure") is True:
        return ("the analysis is unsure (the two dancers look the same height): check it, and "
                "tick if it took the follow for the lead")
    return "as the analysis decided; tick if it took the follow for the lead"


__all__ = ["hold_note", "lead_note", "length_note", "measured_counts"]
