#!/usr/bin/env bash
# macOS: make the app icon, and turn "dist/Bachata Buddy.app" into a compressed, drag-to-install DMG.
#
#   packaging/macos/build_dmg.sh icns   # before packaging/build.py: build/app.icns from app.png
#   packaging/macos/build_dmg.sh dmg    # after build.py (and notarize.sh app): dist/*.dmg
#
# The DMG is signed when MACOS_CODESIGN_IDENTITY is set; notarize it afterwards with
# `packaging/macos/notarize.sh dmg`. Runs on macOS only (iconutil, sips, hdiutil).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
APP_NAME="Bachata Buddy"
APP="$ROOT/dist/$APP_NAME.app"
PYTHON=${PYTHON:-python3}
VERSION=$("$PYTHON" -c 'import sys; sys.path.insert(0, "."); import bachata_desktop as b; print(b.__version__)')
ARCH=$(uname -m)
DMG="$ROOT/dist/BachataBuddy-$VERSION-macos-$ARCH.dmg"

make_icns() {
    local src="$ROOT/resources/icons/app.png"
    local set="$ROOT/build/app.iconset"
    rm -rf "$set" && mkdir -p "$set"
    for size in 16 32 128 256 512; do
        sips -z "$size" "$size" "$src" --out "$set/icon_${size}x${size}.png" >/dev/null
        sips -z $((size * 2)) $((size * 2)) "$src" --out "$set/icon_${size}x${size}@2x.png" >/dev/null
    done
    iconutil -c icns "$set" -o "$ROOT/build/app.icns"
    echo "wrote build/app.icns"
}

make_dmg() {
    [ -d "$APP" ] || { echo "no $APP: run packaging/build.py first" >&2; exit 1; }
    local stage="$ROOT/build/dmg-stage"
    rm -rf "$stage" "$DMG" && mkdir -p "$stage"
    # ditto keeps the bundle's symlinks, extended attributes and signatures intact.
    ditto "$APP" "$stage/$APP_NAME.app"
    ln -s /Applications "$stage/Applications"
    # ULMO = LZMA (macOS 10.15+; the app needs 11): ~25% smaller than zlib (UDZO) on this bundle
    # (measured on the Linux CPU-only build: tar | xz -6 599 MB vs gzip -6 785 MB).
    hdiutil create -volname "$APP_NAME" -srcfolder "$stage" -fs HFS+ -format ULMO -ov "$DMG"
    rm -rf "$stage"
    if [ -n "${MACOS_CODESIGN_IDENTITY:-}" ]; then
        codesign --force --timestamp --sign "$MACOS_CODESIGN_IDENTITY" "$DMG"
    else
        echo "MACOS_CODESIGN_IDENTITY not set: the DMG is not signed"
    fi
    hdiutil verify "$DMG"
    echo "wrote $DMG ($(du -h "$DMG" | cut -f1))"
}

case "${1:-dmg}" in
    icns) make_icns ;;
    dmg) make_dmg ;;
    *) echo "usage: $0 icns|dmg" >&2; exit 2 ;;
esac
