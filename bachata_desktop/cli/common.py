"""Helpers shared by the subcommands: open the user's store, print JSON."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from bachata_desktop.paths import app_paths


def open_store(say_read_only: bool = True) -> Any:
    from bachata_desktop import recovery
    from bachata_desktop.store import Store

    paths = app_paths().ensure()
    show_recovery_notes(recovery)
    store = Store.open(paths)
    if store.db.read_only and say_read_only:
        print(f"bachata-desktop: the library at {paths.data} is read-only: it can be read, "
              "not changed", file=sys.stderr)
    return store


def show_recovery_notes(recovery: Any) -> None:
    """What start-up put right after an interrupted restore or import, one line each."""
    while recovery.NOTES:
        print(f"bachata-desktop: {recovery.NOTES.pop(0)}", file=sys.stderr)


def _clean(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "tolist"):
        return _clean(obj.tolist())
    return obj


def print_json(obj: Any) -> None:
    json.dump(_clean(obj), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    sys.stdout.flush()
