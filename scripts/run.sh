#!/usr/bin/env bash
# Install what is missing and open Bachata Buddy (on your library, or an empty one the first time).
# Arguments go to the app: `bash scripts/run.sh library search "dip"` runs a command instead.
# When nothing changed since the last install (setup.sh keeps a stamp) it starts in about a second.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gui=1  # no arguments, or files to open: the window; a subcommand or --help: the command line
if [ "$#" -gt 0 ]; then
  case "$1" in
    -h|--help|--version|--self-check) gui=0 ;;
    -*) ;;
    *) [ -e "$1" ] || gui=0 ;;
  esac
fi
if [ "$gui" = 1 ] && [ "$(uname -s)" = Linux ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] \
   && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run.sh: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset)." >&2
  echo "  Start it from a desktop session (or ssh -X), or on a virtual screen: xvfb-run bash scripts/run.sh" >&2
  echo "  Without a window every feature works from the command line: bash scripts/run.sh --help" >&2
  exit 2
fi
venv="$(bash "$here/scripts/setup.sh" | tail -n 1)"
# From a source checkout the pose model is not bundled: use the shared one beside the repository.
if [ -z "${BACHATA_MODELS:-}" ] && [ -d "$here/../shared/models" ]; then
  export BACHATA_MODELS="$(cd "$here/../shared/models" && pwd)"
fi
exec "$venv/bin/bachata-desktop" "$@"
