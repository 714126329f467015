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
# Named after the CPU the binary was built for, not `uname -m` (which says x86_64 for an arm64
# shell under Rosetta): separate arm64 and x86_64 DMGs, one per runner.
binary_arch() {
    local exe="$APP/Contents/MacOS/BachataBuddy"
    if [ -f "$exe" ] && command -v lipo >/dev/null 2>&1; then
        lipo -archs "$exe" | tr ' ' '-'
    else
        uname -m
    fi
}

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
    local arch
    arch=$(binary_arch)
    DMG="$ROOT/dist/BachataBuddy-$VERSION-macos-$arch.dmg"
    local stage="$ROOT/build/dmg-stage"
    rm -rf "$stage" "$DMG" && mkdir -p "$stage"
    # ditto keeps the bundle's symlinks, extended attributes and signatures intact.
    ditto "$APP" "$stage/$APP_NAME.app"
    ln -s /Applications "$stage/Applications"
    # ULMO = LZMA (macOS 10.15+; the app needs 13): smaller than zlib (UDZO) on this bundle.
    # On hosted runners `hdiutil create` fails now and then with "Resource busy" (a Spotlight or
    # XProtect scan of the fresh volume): try again a few times before giving up.
    local attempt
    for attempt in 1 2 3 4 5; do
        if hdiutil create -volname "$APP_NAME" -srcfolder "$stage" -fs HFS+ -format ULMO -ov "$DMG"; then
            break
        fi
        if [ "$attempt" -eq 5 ]; then
            echo "hdiutil create failed 5 times" >&2
            exit 1
        fi
        echo "hdiutil create failed (attempt $attempt); retrying in $((attempt * 10)) s" >&2
        rm -f "$DMG"
        sleep $((attempt * 10))
    done
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
