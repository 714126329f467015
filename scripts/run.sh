#!/usr/bin/env bash
# Install everything and open Bachata Buddy (on your library, or an empty one the first time).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(bash "$here/scripts/setup.sh" | tail -n 1)"
# From a source checkout the pose model is not bundled: use the shared one beside the repository.
if [ -z "${BACHATA_MODELS:-}" ] && [ -d "$here/../shared/models" ]; then
  export BACHATA_MODELS="$(cd "$here/../shared/models" && pwd)"
fi
exec "$venv/bin/bachata-desktop" "$@"
