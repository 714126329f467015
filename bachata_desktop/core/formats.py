"""The schema of every document format the app reads from outside (see :mod:`core.schema`).

One spec per format, next to each other so the limits are visible in one place:
``ANNOTATIONS`` (the original web app's ``bachata_annotations.json``), ``CHOREOGRAPHY`` (what
``generate --json`` prints and ``export-video`` reads), ``PLAN`` (a class plan, ``plan.json`` in a
``.bbplan``), ``PLAN_BUNDLE_MANIFEST`` and ``LIBRARY_BACKUP_MANIFEST``. Unknown extra fields are
allowed (older and newer writers) but still checked for safe text and bounded nesting.
"""

from __future__ import annotations

import re

from bachata_desktop.core.schema import HEX64, AnyJson, Bool, List, Map, Num, Obj, Str

_TEXT = Str(max_len=20_000)
_NAME = Str(max_len=200)
_OPT_NAME = Str(max_len=200, nullable=True)
_SECONDS = Num(0.0, 24 * 3600.0)          # a song is never longer than a day
_ID = Num(0, 2**62, integer=True)
_LEVEL_WORDS = ("beginner", "intermediate", "advanced", "low", "easy", "medium", "mid", "high",
                "hard", "")
_ENERGY_WORDS = ("low", "medium", "high", "")

# -- bachata_annotations.json ---------------------------------------------------------------------
ANNOTATION_ENTRY = Obj({
    "clip_id": Str(max_len=200, nullable=True),
    "video_path": Str(max_len=1000),
    "move_label": Str(max_len=100, nullable=True, name_safe=True),
    "energy_level": Str(max_len=20, nullable=True),
    "difficulty": Str(max_len=20, nullable=True),
    "estimated_tempo": Num(0.0, 1000.0, nullable=True, numeric_text=True),
}, required=frozenset({"video_path"}))
ANNOTATIONS = Obj({"clips": List(ANNOTATION_ENTRY, max_items=100_000),
                   "move_categories": List(Str(max_len=100), nullable=True),
                   "instructions": Str(nullable=True)},
                  required=frozenset({"clips"}))

# -- choreography ---------------------------------------------------------------------------------
_REASONS = Map(Num(-1e6, 1e6), max_items=100, nullable=True)
_ALTERNATIVE = Obj({"clip_id": _ID, "score": Num(-1e6, 1e6), "name": _NAME, "category": _NAME,
                    "reasons": _REASONS}, required=frozenset({"clip_id"}))
CHOREOGRAPHY_SLOT = Obj({
    "start": _SECONDS, "end": _SECONDS, "counts": Num(1, 64, integer=True),
    "phrases": List(Num(0, 100_000, integer=True), max_items=64), "clip_id": _ID,
    "rate": Num(0.05, 20.0), "name": _NAME, "category": _NAME, "repeats": Num(1, 16, integer=True),
    "section": _NAME, "pinned": Bool(), "score": Num(-1e6, 1e6), "reasons": _REASONS,
    "alternatives": List(_ALTERNATIVE, max_items=100),
}, required=frozenset({"start", "end", "counts", "clip_id"}))
_PHRASE = Obj({"index": Num(0, 100_000, integer=True), "start": _SECONDS, "end": _SECONDS,
               "first_beat": _SECONDS, "section": _NAME, "energy": Num(0.0, 1.0),
               "counts": Num(1, 64, integer=True)},
              required=frozenset({"index", "start", "end"}))
_SPAN = Obj({"start_s": Num(0.0, 24 * 3600.0, nullable=True),
             "end_s": Num(0.0, 24 * 3600.0, nullable=True),
             "first_phrase": Num(0, 100_000, integer=True, nullable=True),
             "last_phrase": Num(0, 100_000, integer=True, nullable=True)}, nullable=True)
_REQUEST = Obj({
    "level": Str(max_len=20, nullable=True, choices=_LEVEL_WORDS),
    "energy": Str(max_len=20, nullable=True, choices=_ENERGY_WORDS),
    "style": Str(max_len=40, nullable=True), "role_focus": Str(max_len=20, nullable=True),
    "include": List(_NAME, max_items=100, nullable=True),
    "avoid": List(_NAME, max_items=100, nullable=True), "span": _SPAN,
    "text": Str(max_len=5000, nullable=True), "seed": Num(0, 2**63 - 1, integer=True, nullable=True),
    "end_with_dip": Bool(nullable=True), "source": Str(max_len=40, nullable=True),
    "notes": List(Str(max_len=2000), max_items=100, nullable=True),
}, nullable=True)
_SONG = Obj({"id": Num(0, 2**62, integer=True, nullable=True), "title": Str(max_len=1000),
             "path": Str(max_len=4096), "duration": _SECONDS, "tempo": Num(20.0, 400.0)},
            nullable=True)
CHOREOGRAPHY = Obj({
    "schema_version": Num(1, 1, integer=True, nullable=True), "song": _SONG,
    "tempo": Num(20.0, 400.0), "seed": Num(0, 2**63 - 1, integer=True),
    "score": Num(-1e9, 1e9), "request": _REQUEST, "notes": List(Str(max_len=2000), max_items=1000),
    "slots": List(CHOREOGRAPHY_SLOT, max_items=2000),
    "phrases": List(_PHRASE, max_items=5000),
}, required=frozenset({"tempo", "slots"}))

# -- class plan -----------------------------------------------------------------------------------
_ITEM_KINDS = ("move", "choreography", "song", "exercise")
_SEGMENT_KINDS = ("warmup", "technique", "pattern", "choreography", "practice", "cooldown", "custom")
_PLAN_ID = Str(max_len=64, nullable=True, pattern=re.compile(r"[A-Za-z0-9_-]{1,64}"))
PLAN_ITEM = Obj({"kind": Str(choices=_ITEM_KINDS), "title": _TEXT,
                 "duration_min": Num(0.0, 1440.0),
                 "ref_id": Num(0, 2**62, integer=True, nullable=True),
                 "counts": Num(0, 1024, integer=True, nullable=True), "notes": _TEXT,
                 "id": _PLAN_ID}, required=frozenset({"kind"}))
PLAN_SEGMENT = Obj({"kind": Str(choices=_SEGMENT_KINDS), "title": _TEXT, "notes": _TEXT,
                    "items": List(PLAN_ITEM, max_items=500), "id": _PLAN_ID})
PLAN = Obj({"schema_version": Num(1, 1, integer=True), "title": _TEXT, "date": Str(max_len=40),
            "level": Str(max_len=100), "target_minutes": Num(0.0, 1440.0), "notes": _TEXT,
            "segments": List(PLAN_SEGMENT, max_items=100)})

# -- a shared plan's manifest.json ----------------------------------------------------------------
_MEMBER = Str(max_len=255, pattern=re.compile(r"media/[0-9a-f]{16}\.[a-z0-9]{1,8}"), nullable=True)
PLAN_BUNDLE_CLIP = Obj({
    "ref_id": _ID, "clip_key": Str(max_len=200, nullable=True), "name": _NAME,
    "category": Str(max_len=100, name_safe=True), "level": Str(max_len=20, choices=_LEVEL_WORDS),
    "energy": Str(max_len=20, choices=_ENERGY_WORDS), "content_hash": Str(pattern=HEX64),
    "counts": Num(1, 64, integer=True), "media": _MEMBER,
}, required=frozenset({"ref_id", "content_hash"}))
PLAN_BUNDLE_MANIFEST = Obj({
    "format": Str(choices=("bachata-buddy-plan",)), "version": Num(1, 1, integer=True),
    "clips": List(PLAN_BUNDLE_CLIP, max_items=500),
    "files": Map(Str(pattern=HEX64), max_items=600),
}, required=frozenset({"format", "files"}))

# -- a library backup's manifest.json ---------------------------------------------------------------
LIBRARY_BACKUP_MANIFEST = Obj({
    "format": Str(choices=("bachata-buddy-library",)),
    "format_version": Num(1, 1_000_000, integer=True),
    "schema_version": Num(0, 1_000_000, integer=True),
    "app_version": Str(max_len=100, nullable=True), "created_at": Str(max_len=100, nullable=True),
    "counts": Map(Num(0, 2**62, integer=True), max_items=50),
    "members": List(Obj({"path": Str(max_len=1024), "size": Num(0, 2**50, integer=True),
                         "sha256": Str(pattern=HEX64)},
                        required=frozenset({"path", "size", "sha256"})), max_items=200_000),
    "external_files": List(Str(max_len=4096), max_items=100_000, nullable=True),
}, required=frozenset({"format", "format_version", "members"}))

__all__ = ["ANNOTATIONS", "ANNOTATION_ENTRY", "AnyJson", "CHOREOGRAPHY", "CHOREOGRAPHY_SLOT",
           "LIBRARY_BACKUP_MANIFEST", "PLAN", "PLAN_BUNDLE_CLIP", "PLAN_BUNDLE_MANIFEST",
           "PLAN_ITEM", "PLAN_SEGMENT"]
