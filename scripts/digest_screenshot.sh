#!/usr/bin/env bash
# Render DIR/index.html (the digest of `translate-pipeline run --html` or `translate-pipeline digest`)
# to PNG screenshots with headless Chromium, for humans to look at: a desktop and a phone width.
#
#   bash scripts/digest_screenshot.sh out                 # out/index.html -> digest-desktop.png, digest-phone.png
#   bash scripts/digest_screenshot.sh out shots/          # into another folder
#
# Needs Debian's chromium (apt-get install chromium; .ci/run installs it). Chromium only reads the
# file: the page loads nothing, and background networking, updates and sync are off.
set -euo pipefail
dir=${1:?usage: digest_screenshot.sh DIR [OUT_FOLDER]}
out=${2:-.}
page=$(cd "$dir" && pwd)/index.html
[ -f "$page" ] || { echo "error: $page does not exist; run 'translate-pipeline digest $dir' first" >&2; exit 1; }
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$browser" ] || { echo "error: chromium not found (apt-get install chromium)" >&2; exit 1; }
mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
shoot() {  # NAME WIDTH HEIGHT
  "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
    --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$profile" \
    --window-size="$2,$3" --screenshot="$out/$1" "file://$page" 2>/dev/null
  echo "wrote $out/$1 (${2}x$3)"
}
shoot digest-desktop.png 1280 1600
shoot digest-phone.png 390 1600
