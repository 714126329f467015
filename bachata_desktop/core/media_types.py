"""Which dropped or chosen files are clips, songs, plan files, or nothing we can use."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".wmv"})
AUDIO_EXTENSIONS = frozenset({".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac",
                              ".aif", ".aiff", ".wma"})
PLAN_EXTENSIONS = frozenset({".bbplan"})
ANNOTATION_FILE = "bachata_annotations.json"


@dataclass(frozen=True)
class DropPlan:
    """A drop split by what each item is for."""

    clips: tuple[Path, ...] = ()      # video files and folders (folders are scanned for videos)
    songs: tuple[Path, ...] = ()
    plans: tuple[Path, ...] = ()
    rejected: tuple[Path, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (self.clips or self.songs or self.plans)

    def rejection_message(self) -> str:
        if not self.rejected:
            return ""
        names = ", ".join(p.name or str(p) for p in self.rejected[:3])
        more = f" and {len(self.rejected) - 3} more" if len(self.rejected) > 3 else ""
        return (f"Not a video, audio or plan file: {names}{more}. Drop video clips or folders to "
                "import moves, or audio files to add songs.")


def classify(paths: list[Path] | tuple[Path, ...]) -> DropPlan:
    clips: list[Path] = []
    songs: list[Path] = []
    plans: list[Path] = []
    rejected: list[Path] = []
    for raw in paths:
        p = Path(raw)
        suffix = p.suffix.lower()
        if p.is_dir() or suffix in VIDEO_EXTENSIONS:
            clips.append(p)
        elif suffix in AUDIO_EXTENSIONS:
            songs.append(p)
        elif suffix in PLAN_EXTENSIONS:
            plans.append(p)
        else:
            rejected.append(p)
    return DropPlan(tuple(clips), tuple(songs), tuple(plans), tuple(rejected))


def is_video(path: Path) -> bool:
    return Path(path).suffix.lower() in VIDEO_EXTENSIONS


def is_audio(path: Path) -> bool:
    return Path(path).suffix.lower() in AUDIO_EXTENSIONS
