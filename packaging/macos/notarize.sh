#!/usr/bin/env bash
# macOS: sign the app (inner libraries first, then the app, hardened runtime), notarize with
# notarytool, and staple the ticket, so that Gatekeeper opens it offline on first launch.
#
#   packaging/macos/notarize.sh app            # dist/Bachata Buddy.app: sign, notarize, staple
#   packaging/macos/notarize.sh dmg [FILE]     # dist/*.dmg (already signed by build_dmg.sh)
#
# Environment (never stored in the repository; CI passes them from secrets):
#   MACOS_CODESIGN_IDENTITY   "Developer ID Application: Name (TEAMID)" in the login keychain.
#                             Unset: signing and notarization are skipped (exit 0).
#   Notary credentials, one of:
#     NOTARY_KEYCHAIN_PROFILE                          (xcrun notarytool store-credentials)
#     NOTARY_KEY_PATH + NOTARY_KEY_ID + NOTARY_ISSUER  (App Store Connect API key, .p8; CI passes
#       NOTARY_API_KEY_P8_BASE64 instead of a path: it is written to a temporary file, removed on exit)
#     NOTARY_APPLE_ID + NOTARY_TEAM_ID + NOTARY_PASSWORD (app-specific password)
#   Signed but no notary credentials: the app is signed, notarization is skipped with a warning.
#   NOTARY_TIMEOUT   how long notarytool waits for Apple (default 45m; the CI job allows for two).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
APP="$ROOT/dist/Bachata Buddy.app"
ENTITLEMENTS="$ROOT/packaging/macos/entitlements.plist"
MODE=${1:-app}

if [ -z "${MACOS_CODESIGN_IDENTITY:-}" ]; then
    echo "notarize.sh: MACOS_CODESIGN_IDENTITY is not set: skipping signing and notarization ($MODE)"
    exit 0
fi

if [ -n "${NOTARY_API_KEY_P8_BASE64:-}" ] && [ -z "${NOTARY_KEY_PATH:-}" ]; then
    NOTARY_KEY_PATH=$(mktemp "${TMPDIR:-/tmp}/notary-key.XXXXXX")
    trap 'rm -f "$NOTARY_KEY_PATH"' EXIT
    printf '%s' "$NOTARY_API_KEY_P8_BASE64" | base64 --decode > "$NOTARY_KEY_PATH"
fi

notary_auth() {
    if [ -n "${NOTARY_KEYCHAIN_PROFILE:-}" ]; then
        NOTARY_ARGS=(--keychain-profile "$NOTARY_KEYCHAIN_PROFILE")
    elif [ -n "${NOTARY_KEY_PATH:-}" ] && [ -n "${NOTARY_KEY_ID:-}" ] && [ -n "${NOTARY_ISSUER:-}" ]; then
        NOTARY_ARGS=(--key "$NOTARY_KEY_PATH" --key-id "$NOTARY_KEY_ID" --issuer "$NOTARY_ISSUER")
    elif [ -n "${NOTARY_APPLE_ID:-}" ] && [ -n "${NOTARY_TEAM_ID:-}" ] && [ -n "${NOTARY_PASSWORD:-}" ]; then
        NOTARY_ARGS=(--apple-id "$NOTARY_APPLE_ID" --team-id "$NOTARY_TEAM_ID" --password "$NOTARY_PASSWORD")
    else
        return 1
    fi
}

sign() {  # sign one path with hardened runtime and a secure timestamp
    codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
        --sign "$MACOS_CODESIGN_IDENTITY" "$@"
}

sign_app() {
    [ -d "$APP" ] || { echo "no $APP: run packaging/build.py first" >&2; exit 1; }
    echo "signing Mach-O files inside $APP (deepest first)"
    local count=0 batch=()
    # Every Mach-O binary outside Contents/MacOS: dylibs, Python extension modules (.so), Qt
    # plugins, framework binaries and helper executables. Deepest paths first, so a framework's
    # binary is signed before the framework bundle that contains it. Signed in batches of 100
    # (each codesign call asks Apple's timestamp server once per file anyway).
    while IFS= read -r path; do
        if file -b "$path" | grep -q "Mach-O"; then
            batch+=("$path")
            count=$((count + 1))
            if [ "${#batch[@]}" -ge 100 ]; then sign "${batch[@]}"; batch=(); fi
        fi
    done < <(find "$APP/Contents/Frameworks" "$APP/Contents/Resources" -type f \
                 | awk '{ print gsub("/", "/"), $0 }' | sort -rn | cut -d" " -f2-)
    if [ "${#batch[@]}" -gt 0 ]; then sign "${batch[@]}"; fi
    echo "signed $count inner binaries"
    # Framework bundles (Qt), innermost first.
    while IFS= read -r fw; do
        sign "$fw"
    done < <(find "$APP/Contents" -type d -name "*.framework" \
                 | awk '{ print gsub("/", "/"), $0 }' | sort -rn | cut -d" " -f2-)
    # The executables (windowed app and console CLI), then the app bundle itself.
    for exe in "$APP/Contents/MacOS/"*; do
        sign "$exe"
    done
    sign "$APP"
    codesign --verify --deep --strict --verbose=2 "$APP"
}

submit() {  # notarize one file and fail unless Apple accepts it
    local file=$1 out status id
    out=$(xcrun notarytool submit "$file" "${NOTARY_ARGS[@]}" --wait --timeout "${NOTARY_TIMEOUT:-45m}" \
          --output-format json)
    echo "$out"
    status=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("status",""))')
    if [ "$status" != "Accepted" ]; then
        id=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("id",""))')
        [ -n "$id" ] && xcrun notarytool log "$id" "${NOTARY_ARGS[@]}" || true
        echo "notarization of $file: $status" >&2
        exit 1
    fi
}

case "$MODE" in
    app)
        sign_app
        if ! notary_auth; then
            echo "notarize.sh: no notary credentials: the app is signed but not notarized" >&2
            exit 0
        fi
        zip="$ROOT/build/BachataBuddy-notarize.zip"
        rm -f "$zip"
        ditto -c -k --keepParent "$APP" "$zip"   # notarytool takes zip, dmg or pkg
        submit "$zip"
        rm -f "$zip"
        xcrun stapler staple "$APP"
        xcrun stapler validate "$APP"
        spctl --assess --type execute --verbose=2 "$APP"
        ;;
    dmg)
        dmg=${2:-$(ls "$ROOT"/dist/BachataBuddy-*.dmg | head -n 1)}
        [ -f "$dmg" ] || { echo "no DMG in dist/: run build_dmg.sh dmg first" >&2; exit 1; }
        if ! notary_auth; then
            echo "notarize.sh: no notary credentials: $dmg is not notarized" >&2
            exit 0
        fi
        codesign --verify --verbose=2 "$dmg"
        submit "$dmg"
        xcrun stapler staple "$dmg"
        xcrun stapler validate "$dmg"
        ;;
    *)
        echo "usage: $0 app|dmg [FILE]" >&2
        exit 2
        ;;
esac
