"""The headless interface: every capability reachable from the command line, JSON with ``--json``.

Each subcommand lives in its own module with ``add_arguments(parser)`` and ``run(args) -> int``.
Expected failures (``BachataError``) print one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

from bachata_desktop import __version__
from bachata_desktop.core.errors import BachataError

# subcommand -> (module, help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "analyze-song": ("bachata_desktop.cli.song", "tempo, beats, 8-count grid, sections of a song"),
    "analyze-clip": ("bachata_desktop.cli.clip", "pose analysis of both dancers in a clip"),
    "library": ("bachata_desktop.cli.library", "import, list, search, similar, export, restore"),
    "generate": ("bachata_desktop.cli.generate", "generate a choreography for a song"),
    "export-video": ("bachata_desktop.cli.export", "render a choreography JSON to an MP4"),
    "plan": ("bachata_desktop.cli.plan", "class plans: list, export"),
    "practice-audio": ("bachata_desktop.cli.practice", "counted practice track of a song (slowed, pitch kept)"),
    "self-check": ("bachata_desktop.cli.selfcheck", "check the installation and exit"),
    "group": ("bachata_desktop.cli.groups", "classes and students: list, add, show, export"),
    "session": ("bachata_desktop.cli.groups", "record a class taught to a group"),
    "progress": ("bachata_desktop.cli.groups", "what a group has been taught, per move"),
    "suggest": ("bachata_desktop.cli.groups", "what to teach a group next"),
}


class _Parser(argparse.ArgumentParser):
    """Usage mistakes are one line too (the full usage is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="bachata-desktop",
        description="Bachata Buddy. With no arguments, opens the app.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        if only is None or only == name:
            try:
                mod = importlib.import_module(module)
            except ModuleNotFoundError:
                p.set_defaults(_missing=True)
                continue
            mod.add_arguments(p)
    return parser


def run_cli(argv: list[str]) -> int:
    only = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    parser = build_parser(only)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    if getattr(args, "_missing", False):
        print(f"bachata-desktop: '{args.command}' is not available in this build", file=sys.stderr)
        return 2
    mod = importlib.import_module(args._module)
    try:
        return int(mod.run(args) or 0)
    except BachataError as exc:
        print(f"bachata-desktop {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"bachata-desktop {args.command}: interrupted", file=sys.stderr)
        return 130
    except (Exception, RecursionError) as exc:  # a case no check foresaw: still one line
        where = _log_unexpected(exc)
        print(f"bachata-desktop {args.command}: unexpected error ({type(exc).__name__}); "
              f"nothing more was done{where}", file=sys.stderr)
        return 1


def _log_unexpected(exc: BaseException) -> str:
    """The traceback goes to the log folder (for a bug report), not the terminal."""
    import traceback

    try:
        from bachata_desktop.paths import app_paths

        logs = app_paths().logs
        logs.mkdir(parents=True, exist_ok=True)
        with open(logs / "cli-errors.log", "a", encoding="utf-8", errors="replace") as fh:
            fh.write("".join(traceback.format_exception(exc)) + "\n")
        return f"; details in {logs / 'cli-errors.log'}"
    except Exception:
        return ""
