#!/usr/bin/env bash
# Set up everything Bachata Buddy needs on a fresh Debian/Ubuntu machine (or reuse what is there):
# the system libraries Qt needs, then a virtual environment with the app installed.
#   BACHATA_VENV  where the virtual environment lives (default ~/.cache/bachata-desktop/venv,
#                 outside the clone, so CI's fresh clones reuse it instead of filling the disk)
#   EXTRAS        pip extras to install, e.g. "test"
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${BACHATA_VENV:-$HOME/.cache/bachata-desktop/venv}"
extras="${EXTRAS:-}"

# Qt widgets, QtMultimedia and a virtual X screen (ENVIRONMENT.md lists why each is needed).
debs=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 libpulse0
      libgssapi-krb5-2 libxrandr2 xvfb libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
      libxcb-keysyms1 libxcb-shape0 fonts-dejavu-core poppler-utils)
if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for d in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q "install ok installed" || missing+=("$d")
  done
  if ((${#missing[@]})); then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

py="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating virtual environment $venv" >&2
  mkdir -p "$(dirname "$venv")"
  "$py" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip wheel setuptools
fi
spec="$here"
[ -n "$extras" ] && spec="$here[$extras]"
echo "setup: installing bachata-desktop${extras:+[$extras]} into $venv (first run downloads several GB)" >&2
# hnswlib builds from source: without -march=native the wheel runs on any CPU.
HNSWLIB_NO_NATIVE=1 "$venv/bin/pip" install -q -e "$spec"
# ultralytics pulls opencv-python (links libGL, ships its own Qt); keep only the headless build.
if "$venv/bin/pip" show -q opencv-python >/dev/null 2>&1; then
  "$venv/bin/pip" uninstall -q -y opencv-python
  "$venv/bin/pip" install -q --force-reinstall --no-deps opencv-python-headless
fi
echo "$venv"
