"""Classes and students: what-to-teach-next and recording a session on a large library.

Baselines measured in the same run:
- suggestions: reading the library's rows (``store.clips.list()``), which any suggestion must do;
  the ratio is what the rules (prerequisites, holds, review dates) add on top;
- recording a session of 20 moves (session row, attendance, progress of the group and 10
  students, one transaction): saving a class plan holding the same 20 moves.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path


def _row(name: str, value: float, unit: str, baseline: float | None, goal: str, note: str = "") -> dict:
    ratio = (value / baseline) if baseline else None
    return {"benchmark": name, "value": round(value, 5), "unit": unit,
            "baseline": None if baseline is None else round(baseline, 5),
            "ratio": None if ratio is None else round(ratio, 4), "goal": goal, "note": note}


def _median(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run(quick: bool = False) -> list[dict]:
    from bachata_desktop.core.clip import CATEGORIES, Clip, Hold, Level
    from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment, SegmentKind
    from bachata_desktop.paths import app_paths
    from bachata_desktop.services import groups, plans
    from bachata_desktop.store import Store

    n_clips = 2_000 if quick else 10_000
    holds = list(Hold)
    with tempfile.TemporaryDirectory(prefix="bb-bench-classes-") as tmp:
        store = Store.open(app_paths(Path(tmp) / "home").ensure())
        try:
            with store.db.write():
                ids = [store.clips.add(Clip(
                    None, f"k{i}", f"move {i}", CATEGORIES[i % len(CATEGORIES)], f"{i}.mp4", f"h{i}",
                    level=list(Level)[i % 3], start_hold=holds[i % 5], end_hold=holds[(i + 1) % 5])).id
                    for i in range(n_clips)]
            g = groups.create_group(store, "Tuesday beginners", "intermediate")
            students = [groups.create_student(store, f"student {i}", group_ids=[g.id]).id
                        for i in range(10)]
            for week in range(n_clips // 100):   # a class taught 1% of the library a week
                day = (dt.date(2025, 1, 7) + dt.timedelta(weeks=week)).isoformat()
                groups.record_session(store, g.id, day, clip_ids=ids[week * 10:week * 10 + 10])
            reps = 3 if quick else 5
            base = _median(store.clips.list, reps)
            sug = _median(lambda: groups.suggestions(store, g.id, dt.date(2026, 6, 1)), reps)
            rows = [_row(f"suggestions at {n_clips} moves", sug, "s", base, "< 1 s",
                         f"{len(store.groups.progress(g.id))} moves taught; baseline: reading the "
                         "library's rows")]
            moves = ids[-20:]
            plan = ClassPlan("bench", segments=(Segment(SegmentKind.PATTERN, items=tuple(
                PlanItem(ItemKind.MOVE, f"m{c}", 5, c) for c in moves)),))
            save = _median(lambda: plans.save_plan(store, plan), reps)
            rec = _median(lambda: groups.record_session(store, g.id, "2026-06-02", clip_ids=moves,
                                                        attendance=students), reps)
            rows.append(_row("record a session of 20 moves, 10 students", rec, "s", save, "< 0.2 s",
                             "baseline: saving a class plan with the same 20 moves"))
            return rows
        finally:
            store.close()
