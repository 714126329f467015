"""Entry point: ``bachata-desktop`` (GUI) and its headless subcommands; ``python -m bachata_desktop``.

Nothing heavy is imported here: the GUI path imports Qt, the CLI paths import only what their
subcommand needs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def no_display_message() -> str | None:
    """One line when the window cannot open on this Linux machine (else Qt aborts with a
    misleading "xcb-cursor0 is needed"); None where a display or a Qt platform is set."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return ("bachata-desktop: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are "
            "unset): start it from a desktop session or under xvfb-run; every feature also works "
            "from the command line (bachata-desktop --help)")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from bachata_desktop import offline
    from bachata_desktop.paths import app_paths

    paths = app_paths()
    offline.harden(config_dir=str(paths.config / "ultralytics"))
    if argv and argv[0] == "--self-check":  # the frozen app's smoke test flag
        argv[0] = "self-check"
    from bachata_desktop.cli import SUBCOMMANDS, run_cli

    if argv and (argv[0] in SUBCOMMANDS or argv[0] in ("-h", "--help", "--version")):
        return run_cli(argv)
    message = no_display_message()
    if message:
        print(message, file=sys.stderr)
        return 2
    from bachata_desktop.app import run

    quit_after = None
    if "--quit-after-ms" in argv:  # benchmarks and smoke tests: open, show, close
        i = argv.index("--quit-after-ms")
        quit_after = int(argv[i + 1])
        del argv[i:i + 2]
    from bachata_desktop.core.errors import BachataError

    try:
        paths = paths.ensure()
    except BachataError as exc:  # e.g. a home folder that cannot be created: one line
        print(f"bachata-desktop: {exc}", file=sys.stderr)
        return 2
    return run(paths, open_paths=[Path(a) for a in argv if not a.startswith("-")],
               quit_after_ms=quit_after)


if __name__ == "__main__":
    sys.exit(main())
