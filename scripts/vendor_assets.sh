#!/usr/bin/env bash
# Refresh the vendored front-end assets from npm (development only: the copies under
# src/silkhub/web/static/vendor/ are committed, so `make run` never needs npm or the internet).
#
#   bash scripts/vendor_assets.sh
#
# Copies only the files the UI uses, plus each package's licence.
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=src/silkhub/web/static/vendor
npm ci --no-audit --no-fund --ignore-scripts 2>/dev/null || npm install --no-audit --no-fund --ignore-scripts
rm -rf "$VENDOR"
mkdir -p "$VENDOR/echarts" "$VENDOR/htmx" "$VENDOR/world-atlas" "$VENDOR/axe-core"
cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE "$VENDOR/echarts/"
cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE "$VENDOR/htmx/"
cp node_modules/world-atlas/countries-110m.json node_modules/world-atlas/LICENSE "$VENDOR/world-atlas/"
# axe-core: accessibility checks of the browser tests only (never loaded by the pages)
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE "$VENDOR/axe-core/"
node -e '
const fs = require("fs");
const out = {};
for (const p of ["echarts", "htmx.org", "world-atlas", "axe-core"]) {
  out[p] = require("./node_modules/" + p + "/package.json").version;
}
fs.writeFileSync(process.argv[1], JSON.stringify(out, null, 2) + "\n");
' "$VENDOR/VERSIONS.json"
echo "vendored into $VENDOR:"
cat "$VENDOR/VERSIONS.json"
