"""Run every ``benchmarks/bench_*.py`` (or those named), print one table, write ``results.json``.

Each module exposes ``run(quick: bool = False) -> list[dict]`` with rows
``{"benchmark", "value", "unit", "baseline", "ratio", "goal", "note"}``. Figures are measured in this
run on this machine; ratios compare against a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("BACHATA_MODELS", str(HERE.parent.parent / "shared" / "models"))


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "" if v is None else str(v)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("names", nargs="*", help="benchmark modules to run (e.g. startup audio); default all")
    ap.add_argument("--quick", action="store_true", help="smaller inputs, for a fast look")
    ap.add_argument("--out", default=str(HERE / "results.json"))
    args = ap.parse_args()
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if args.names:
        modules = [m for m in modules if m.removeprefix("bench_") in args.names or m in args.names]
    rows: list[dict] = []
    failed = 0
    for name in modules:
        t0 = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            mod = importlib.import_module(f"benchmarks.{name}")
            for row in mod.run(quick=args.quick):
                rows.append({"module": name, **row})
        except Exception as exc:
            failed += 1
            traceback.print_exc()
            rows.append({"module": name, "benchmark": "(failed)", "value": None, "unit": "",
                         "note": f"{type(exc).__name__}: {exc}"})
        print(f"  {name} took {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    cols = ["module", "benchmark", "value", "unit", "baseline", "ratio", "goal", "note"]
    table = [[_fmt(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in table)) if table else len(c) for i, c in enumerate(cols)]
    widths[-1] = min(widths[-1], 60)
    print(" | ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for t in table:
        print(" | ".join(v[:w].ljust(w) for v, w in zip(t, widths, strict=True)))
    Path(args.out).write_text(json.dumps({"time": time.time(), "rows": rows}, indent=2))
    print(f"\nwrote {args.out}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
