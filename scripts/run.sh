#!/usr/bin/env bash
# Install everything and open Bachata Buddy (on your library, or an empty one the first time).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(bash "$here/scripts/setup.sh" | tail -n 1)"
exec "$venv/bin/bachata-desktop" "$@"
