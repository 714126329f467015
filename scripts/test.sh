#!/usr/bin/env bash
# Install everything and run the whole test suite (what CI runs). Extra args go to pytest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(EXTRAS=test bash "$here/scripts/setup.sh" | tail -n 1)"
cd "$here"
export QT_QPA_PLATFORM=offscreen
export QT_LOGGING_RULES="qt.multimedia.*=false;qt.qpa.*=false"
export BACHATA_SHARED="${BACHATA_SHARED:-$here/../shared}"
"$venv/bin/ruff" check bachata_desktop tests benchmarks packaging
"$venv/bin/lint-imports"
set +e
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "test.sh: pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$rc"
